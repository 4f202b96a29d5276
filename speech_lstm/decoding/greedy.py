"""Best-path CTC decoding (blank index 0, as in the loss)."""

from __future__ import annotations

import numpy as np

from speech_lstm.text import BLANK_INDEX


def greedy_decode(logits: np.ndarray, lengths: np.ndarray) -> list[list[int]]:
    """Best-path decoding: argmax per step, merge repeats, drop blanks.

    Args:
        logits: (batch, steps, vocab_size) scores; blank at index 0.
        lengths: (batch,) valid steps of each sample; steps beyond are padding.

    Returns:
        One list of label ids per sample.
    """
    best = np.asarray(logits).argmax(axis=-1)
    sequences = []
    for row, length in zip(best, np.asarray(lengths)):
        path = row[: int(length)]
        keep = np.ones(len(path), dtype=bool)
        keep[1:] = path[1:] != path[:-1]
        sequences.append([int(i) for i in path[keep] if i != BLANK_INDEX])
    return sequences
