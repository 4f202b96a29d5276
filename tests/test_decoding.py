import numpy as np
import pytest

from speech_lstm.decoding import DecoderConfig, beam_decode, decode, greedy_decode
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


def test_decode_dispatch_and_config_validation():
    logits = one_hot_logits([[1, 0, 2]])
    assert decode(logits, np.array([3]), DecoderConfig("beam", 4)) == [[1, 2]]
    with pytest.raises(ValueError, match="decoder type"):
        DecoderConfig("viterbi")
