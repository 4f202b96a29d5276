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
    assert len(result["trials"]) == 4 and result["best"]["wer"] == 0.0
    assert result["greedy_wer"] == 0.0 and output.is_file()
