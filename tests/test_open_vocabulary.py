"""The unknown-word path of the LM beam search: a word the LM does not know can be output when
the acoustics spell it clearly, and pays a penalty that keeps near-misses on known words."""

from __future__ import annotations

import json

import numpy as np
import pytest

from speech_lstm.decoding import Decoder, DecoderConfig
from speech_lstm.decoding.lm import build_ngram_lm
from speech_lstm.text import Vocabulary

LM_TEXT = ["the cat sat", "the dog sat", "a cat ran", "the cat ran", "a dog sat down"] * 3


def spelled(vocabulary: Vocabulary, steps: list[dict[str, float]]) -> np.ndarray:
    """(1, steps, vocab) logits from per-step character probabilities; the rest is blank."""
    probs = np.full((1, len(steps), vocabulary.size), 1e-4)
    for step, choices in enumerate(steps):
        for char, p in choices.items():
            probs[0, step, vocabulary.encode(char)[0]] = p
        probs[0, step, 0] = max(1e-4, 1 - sum(choices.values()))
    return np.log(probs / probs.sum(axis=-1, keepdims=True)).astype(np.float32)


def clearly(text: str) -> list[dict[str, float]]:
    """Steps that spell `text` with probability 0.95 each, a blank after every letter."""
    return [step for char in text for step in ({char: 0.95}, {})]


def decode(logits: np.ndarray, beam_width: int = 16, **settings) -> str:
    vocabulary = Vocabulary()
    config = DecoderConfig("beam_lm", beam_width=beam_width, alpha=0.8, beta=1.0, **settings)
    [text] = Decoder(config, vocabulary, build_ngram_lm(LM_TEXT))(logits, [logits.shape[1]])
    return text


def test_a_clearly_spoken_unknown_word_is_output_only_with_the_unknown_word_path():
    logits = spelled(Vocabulary(), clearly("the yak sat"))
    closed = decode(logits)
    assert "yak" not in closed.split(), "the closed vocabulary cannot spell an unknown word"
    assert decode(logits, unk_penalty=4.0) == "the yak sat"


def test_the_penalty_keeps_a_near_miss_on_the_known_word():
    steps = clearly("the c") + [{"a": 0.5, "u": 0.45}, {}] + clearly("t sat")
    logits = spelled(Vocabulary(), steps)
    assert decode(logits, unk_penalty=4.0) == "the cat sat"
    assert decode(logits, unk_penalty=4.0, beam_width=1) == "the cat sat"


def test_an_unknown_word_pays_the_penalty_once():
    """The penalty at which the known word takes over equals the unknown word's advantage at
    no penalty, computed here from the acoustics and the LM: paid per letter, it would be a
    third of that."""
    steps = clearly("the ") + [{"d": 0.001, "y": 0.99}, {}] + clearly("og sat")
    logits = spelled(Vocabulary(), steps)
    assert decode(logits) == "the dog sat"
    assert decode(logits, unk_penalty=0.0) == "the yog sat"
    penalties = np.arange(0.0, 20.0, 0.25)
    outputs = [decode(logits, unk_penalty=float(penalty)) for penalty in penalties]
    switch = penalties[outputs.index("the dog sat")]
    assert outputs == ["the yog sat"] * outputs.index("the dog sat") + ["the dog sat"] * (
        len(outputs) - outputs.index("the dog sat")
    )
    lm = build_ngram_lm(LM_TEXT)

    def lm_log10(words: list[str]) -> float:
        return sum(lm.log10_prob(w, tuple(words[:i])) for i, w in enumerate([*words, "</s>"]))

    lm_gain = 0.8 * np.log(10) * (lm_log10(["the", "yog", "sat"]) - lm_log10(["the", "dog", "sat"]))
    advantage = np.log(0.99 / 0.001) + lm_gain
    assert switch - 0.25 <= advantage <= switch + 0.25


def test_the_unknown_word_penalty_is_validated():
    with pytest.raises(ValueError, match="unk_penalty"):
        DecoderConfig("beam_lm", unk_penalty=-1.0)


def test_tuning_tries_the_penalties_at_the_best_weights(tmp_path, monkeypatch):
    from speech_lstm.evaluation import tuning
    from speech_lstm.evaluation.config import TuneDecoderConfig
    from tests.transcription_fixtures import loudness_model, save

    vocabulary = Vocabulary()
    texts = ["the yak sat", "the cat sat"]
    logits = [
        spelled(vocabulary, clearly("the yak sat"))[0],
        spelled(vocabulary, clearly("the c") + [{"a": 0.5, "u": 0.45}, {}] + clearly("t sat"))[0],
    ]
    model = loudness_model()
    model.lm = build_ngram_lm(LM_TEXT)
    directory = save(model, tmp_path / "model")
    manifest = tmp_path / "dev.jsonl"
    rows = [{"audio_filepath": f"{i}.wav", "duration": 1.0, "text": t} for i, t in enumerate(texts)]
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    monkeypatch.setattr(tuning, "_dev_logits", lambda trained, utterances, *_: logits)
    config = TuneDecoderConfig(
        str(directory),
        str(manifest),
        str(tmp_path / "tuned.yaml"),
        alphas=[0.8],
        betas=[1.0],
        unk_penalties=[None, 4.0],
    )
    result = tuning.tune_decoder(config)
    assert result["trials"][0]["wer"] == pytest.approx(1 / 6)  # "yak" cannot be spelled
    assert [t["wer"] for t in result["unk_trials"]] == pytest.approx([1 / 6, 0.0])
    assert result["best"] == {"alpha": 0.8, "beta": 1.0, "wer": 0.0, "unk_penalty": 4.0}
    assert "unk_penalty: 4.0" in (tmp_path / "tuned.yaml").read_text()
