import numpy as np
import pytest

from speech_lstm.decoding import Decoder, DecoderConfig, beam_decode, greedy_decode
from speech_lstm.decoding.lm import build_ngram_lm
from speech_lstm.text import Vocabulary


def one_hot_logits(paths: list[list[int]], vocab_size: int = 5) -> np.ndarray:
    """Logits whose argmax at each step is the given label (0 = blank); padding steps favour 3."""
    steps = max(len(p) for p in paths)
    logits = np.full((len(paths), steps, vocab_size), -5.0, dtype=np.float32)
    logits[:, :, 3] = 5.0
    for row, path in enumerate(paths):
        for step, label in enumerate(path):
            logits[row, step] = -5.0
            logits[row, step, label] = 5.0
    return logits


def test_greedy_merges_repeats_and_drops_blanks():
    logits = one_hot_logits([[1, 1, 0, 1, 2, 2, 0, 0], [0, 2, 0, 2, 2]])
    assert greedy_decode(logits, np.array([8, 5])) == [[1, 1, 2], [2, 2]]


def test_greedy_ignores_padding_steps():
    logits = one_hot_logits([[1, 0], [2, 2, 2, 2]])
    assert greedy_decode(logits, np.array([2, 1])) == [[1], [2]]


def test_greedy_handles_empty_output():
    logits = one_hot_logits([[0, 0, 0]])
    assert greedy_decode(logits, np.array([3])) == [[]]
    assert greedy_decode(logits, np.array([0])) == [[]]


def test_greedy_to_text_with_vocabulary():
    vocabulary = Vocabulary()
    ids = vocabulary.encode("hello")
    path = [ids[0], 0, ids[1], ids[2], ids[2], 0, ids[3], ids[4], ids[4]]
    logits = one_hot_logits([path], vocabulary.size)
    assert vocabulary.decode(greedy_decode(logits, np.array([len(path)]))[0]) == "hello"


def test_beam_prefers_the_most_probable_labelling_over_the_best_path():
    # Best path is blank,blank (empty), but "1" has total probability 0.64 > 0.36.
    probs = np.array([[[0.6, 0.4, 0.0], [0.6, 0.4, 0.0]]], dtype=np.float32)
    logits = np.log(probs + 1e-9)
    assert greedy_decode(logits, np.array([2])) == [[]]
    assert beam_decode(logits, np.array([2]), beam_width=8) == [[1]]


def test_decoder_dispatch_and_config_validation():
    vocabulary = Vocabulary(" ab")
    logits = one_hot_logits([[2, 0, 3, 3, 0, 3]], vocabulary.size)
    assert Decoder(DecoderConfig("greedy"), vocabulary)(logits, np.array([6])) == ["abb"]
    assert Decoder(DecoderConfig("beam", 4), vocabulary)(logits, np.array([6])) == ["abb"]
    with pytest.raises(ValueError, match="decoder type"):
        DecoderConfig("viterbi")
    with pytest.raises(ValueError, match="needs a language model"):
        Decoder(DecoderConfig("beam_lm"), vocabulary)


def spelled_logits(vocabulary: Vocabulary, frames: list[dict[str, float]]) -> np.ndarray:
    """Logits from per-step character probabilities; the rest of the mass goes to blank."""
    probs = np.full((1, len(frames), vocabulary.size), 1e-4, dtype=np.float64)
    for step, choices in enumerate(frames):
        for char, p in choices.items():
            probs[0, step, vocabulary.encode(char)[0]] = p
        probs[0, step, 0] = max(1e-4, 1 - sum(choices.values()))
    return np.log(probs / probs.sum(axis=-1, keepdims=True)).astype(np.float32)


def test_language_model_fixes_a_known_acoustic_error():
    vocabulary = Vocabulary()
    # The acoustics slightly prefer "the cat sad", the LM knows "the cat sat".
    steps = [{"t": 0.9}, {"h": 0.9}, {"e": 0.9}, {" ": 0.9}, {"c": 0.9}, {"a": 0.9}, {"t": 0.9}]
    steps += [{" ": 0.9}, {"s": 0.9}, {"a": 0.9}, {"d": 0.55, "t": 0.45}]
    logits = spelled_logits(vocabulary, steps)
    lengths = np.array([len(steps)])
    assert Decoder(DecoderConfig("greedy"), vocabulary)(logits, lengths) == ["the cat sad"]
    lm = build_ngram_lm(["the cat sat", "a cat sat down", "the dog sat", "the cat ran"] * 3)
    decoder = Decoder(DecoderConfig("beam_lm", beam_width=8, alpha=0.8, beta=1.0), vocabulary, lm)
    assert decoder(logits, lengths) == ["the cat sat"]


def test_decoders_drop_stray_spaces():
    vocabulary = Vocabulary(" ab")
    logits = one_hot_logits([[1, 0, 2, 1, 1, 0, 1, 3, 1]], vocabulary.size)
    assert Decoder(DecoderConfig("greedy"), vocabulary)(logits, np.array([9])) == ["a b"]


def test_tuning_candidates_and_decoder_yaml(tmp_path):
    from speech_lstm.evaluation.config import TuneDecoderConfig
    from speech_lstm.evaluation.tuning import candidates, write_decoder_yaml

    grid = TuneDecoderConfig("m", "d.jsonl", "o.yaml", alphas=[0.5, 1.0], betas=[0.0, 2.0])
    assert candidates(grid) == [(0.5, 0.0), (0.5, 2.0), (1.0, 0.0), (1.0, 2.0)]
    drawn = candidates(TuneDecoderConfig("m", "d", "o", alphas=[0.5, 1.0], search="random"))
    assert len(drawn) == 20 and all(0.5 <= a <= 1.0 and 0.0 <= b <= 3.0 for a, b in drawn)
    with pytest.raises(ValueError, match="search"):
        TuneDecoderConfig("m", "d", "o", search="bayes")
    path = tmp_path / "decoder" / "tuned.yaml"
    write_decoder_yaml(DecoderConfig("beam_lm", alpha=0.5, beta=2.0), path, {"wer": 0.25})
    text = path.read_text()
    assert "dev WER 0.2500" in text and "alpha: 0.5\n" in text and "type: beam_lm\n" in text


def spelled(text: str, faint: dict[int, dict[str, float]]) -> list[dict[str, float]]:
    """`spelled_logits` frames: each character of `text` at 0.9, except the `faint` steps."""
    return [faint.get(step, {char: 0.9}) for step, char in enumerate(text)]


# Four dev utterances whose acoustics pull the weights in four directions, so that of the
# grid alphas (0.25, 1.0, 2.5) x betas (1.5, 3.0, 4.5) only (1.0, 3.0) decodes all of them.
TUNING_LM_TEXT = ["the cat sat"] * 6 + ["the cat sad", "a cat ran", "the dog ran", "a dog sat"]
TUNING_DEV = {
    # Acoustically "sad" (0.8 vs 0.15 for "t"); the LM has seen "the cat sat" six times:
    # alpha 0.25 keeps "sad", 1.0 corrects it.
    "the cat sat": spelled("the cat sat", {10: {"d": 0.8, "t": 0.15}}),
    # Clearly "sad" (0.94 vs 0.01), an unseen trigram: alpha 2.5 overrules it with "sat".
    "the dog sad": spelled("the dog sad", {10: {"d": 0.94, "t": 0.01}}),
    # A faint "a " (0.4 per step): beta 1.5 drops it, 3.0 keeps it (at alpha <= 1).
    "a cat ran": spelled("a cat ran", {0: {"a": 0.4}, 1: {" ": 0.4}}),
    # A fainter one (0.2), noise: beta 4.5 inserts it (at alpha <= 1).
    "cat ran": spelled("a cat ran", {0: {"a": 0.2}, 1: {" ": 0.2}}),
}
# Word errors (of 11 reference words) at each grid point, in the grid's order.
TUNING_ERRORS = {
    (0.25, 1.5): 2,  # sad for sat; "a" dropped
    (0.25, 3.0): 1,  # sad for sat
    (0.25, 4.5): 2,  # sad for sat; "a" inserted
    (1.0, 1.5): 1,  # "a" dropped
    (1.0, 3.0): 0,
    (1.0, 4.5): 1,  # "a" inserted
    (2.5, 1.5): 2,  # sat for sad; "a" dropped
    (2.5, 3.0): 2,  # sat for sad; "a" dropped (the LM weight outweighs the bonus)
    (2.5, 4.5): 1,  # sat for sad
}


def test_tune_decoder_finds_the_only_weights_that_decode_every_utterance(tmp_path, monkeypatch):
    import json
    from pathlib import Path

    from speech_lstm.evaluation import tuning
    from speech_lstm.evaluation.config import TuneDecoderConfig
    from tests.transcription_fixtures import loudness_model, save

    vocabulary = Vocabulary()
    # Hand-built logits stand in for the acoustic model (the end-to-end test runs it); the
    # model directory, its LM, the manifest, the decoding and the scoring are the real ones.
    logits = {f"u{i}": spelled_logits(vocabulary, f)[0] for i, f in enumerate(TUNING_DEV.values())}
    monkeypatch.setattr(
        tuning,
        "_dev_logits",
        lambda trained, utterances, batch_size, warp_search=(): [
            logits[Path(u.audio_filepath).stem] for u in utterances
        ],
    )
    model = loudness_model()
    model.lm = build_ngram_lm(TUNING_LM_TEXT)
    directory = save(model, tmp_path / "model")
    manifest = tmp_path / "dev.jsonl"
    rows = [
        {"audio_filepath": f"{key}.wav", "duration": 1.0, "text": text}
        for key, text in zip(logits, TUNING_DEV)
    ]
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    output = tmp_path / "tuned.yaml"
    config = TuneDecoderConfig(
        str(directory), str(manifest), str(output), alphas=[0.25, 1.0, 2.5], betas=[1.5, 3.0, 4.5]
    )
    result = tuning.tune_decoder(config)
    trials = [((t["alpha"], t["beta"]), t["wer"]) for t in result["trials"]]
    assert trials == [
        (point, pytest.approx(errors / 11)) for point, errors in TUNING_ERRORS.items()
    ]
    assert result["best"] == {"alpha": 1.0, "beta": 3.0, "wer": 0.0}
    # The starting weights (0.8, 1.5) drop the faint "a"; greedy also keeps "sad" for "sat".
    assert result["baseline"] == {"alpha": 0.8, "beta": 1.5, "wer": pytest.approx(1 / 11)}
    assert result["greedy_wer"] == pytest.approx(2 / 11)
    text = output.read_text()
    assert "alpha: 1.0\n" in text and "beta: 3.0\n" in text and "dev WER 0.0000" in text


@pytest.mark.parametrize("per_speaker", [False, True])
def test_tune_decoder_end_to_end(tmp_path, per_speaker):
    import json

    from speech_lstm.evaluation.config import TuneDecoderConfig
    from speech_lstm.evaluation.tuning import tune_decoder
    from tests.transcription_fixtures import (
        loudness_model,
        save,
        speaker_loudness_model,
        write_bursts,
    )

    # The per-speaker stub reads only normalised features: unnormalised, it writes nothing.
    model = speaker_loudness_model() if per_speaker else loudness_model()
    model.lm = build_ngram_lm(["a a", "a a a", "a"])
    directory = save(model, tmp_path / "model")
    manifest = tmp_path / "dev.jsonl"
    rows = []
    for count in (1, 2, 3):
        path = write_bursts(tmp_path / f"{count}.wav", count=count)
        text = " ".join("a" * count)
        rows.append({"audio_filepath": str(path), "duration": 1.0, "text": text, "speaker": "x"})
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    output = tmp_path / "tuned.yaml"
    config = TuneDecoderConfig(
        str(directory), str(manifest), str(output), alphas=[0.5, 1.0], betas=[0.0, 1.0]
    )
    result = tune_decoder(config)
    # The stub's logits are too sure for any weight to change the text: this test checks the
    # audio path (features, per-speaker statistics, length-sorted batches put back in manifest
    # order), which a wrong step turns into word errors; the test above checks the choice.
    assert [(t["alpha"], t["beta"], t["wer"]) for t in result["trials"]] == [
        (0.5, 0.0, 0.0),
        (0.5, 1.0, 0.0),
        (1.0, 0.0, 0.0),
        (1.0, 1.0, 0.0),
    ]
    assert result["baseline"]["wer"] == 0.0 and result["greedy_wer"] == 0.0
    best = result["best"]
    assert f"alpha: {best['alpha']}\n" in output.read_text()
    assert f"beta: {best['beta']}\n" in output.read_text()
