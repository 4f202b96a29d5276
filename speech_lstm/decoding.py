"""CTC decoding of logits into label sequences (blank index 0, as in the loss)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from speech_lstm.text import BLANK_INDEX


@dataclass
class DecoderConfig:
    """How logits become text.

    Attributes:
        type: "greedy" (best path) or "beam" (CTC beam search without a language model).
        beam_width: hypotheses kept per step by "beam".
    """

    type: str = "greedy"
    beam_width: int = 16

    def __post_init__(self) -> None:
        if self.type not in ("greedy", "beam"):
            raise ValueError(f"decoder type must be 'greedy' or 'beam'. Received: {self.type!r}")
        if self.beam_width < 1:
            raise ValueError(f"beam_width must be >= 1. Received: {self.beam_width}")


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


def beam_decode(logits: np.ndarray, lengths: np.ndarray, beam_width: int) -> list[list[int]]:
    """CTC beam search (TensorFlow's decoder through `keras.ops.ctc_decode`), best path only."""
    import keras

    decoded, _ = keras.ops.ctc_decode(
        logits.astype(np.float32),
        np.asarray(lengths, dtype=np.int32),
        strategy="beam_search",
        beam_width=beam_width,
        top_paths=1,
        mask_index=BLANK_INDEX,
    )
    best = keras.ops.convert_to_numpy(decoded[0])
    return [[int(i) for i in row if i > 0] for row in best]


def decode(logits: np.ndarray, lengths: np.ndarray, config: DecoderConfig) -> list[list[int]]:
    """Decodes a batch of logits with the decoder `config` names."""
    if config.type == "beam":
        return beam_decode(logits, lengths, config.beam_width)
    return greedy_decode(logits, lengths)
