"""CTC length arithmetic shared by data checks, training and inference (no TensorFlow here)."""

from __future__ import annotations

import numpy as np

from speech_lstm.text import BLANK_INDEX

__all__ = ["BLANK_INDEX", "ctc_min_steps", "output_length"]


def output_length(num_frames: int | np.ndarray, subsampling: int) -> int | np.ndarray:
    """Model steps for `num_frames` feature frames stacked `subsampling` at a time."""
    return -(-num_frames // subsampling)


def ctc_min_steps(labels: np.ndarray) -> int:
    """Fewest model steps that can emit `labels` with CTC: a step per label, a blank per repeat."""
    labels = np.asarray(labels)
    repeats = int(np.count_nonzero(labels[1:] == labels[:-1])) if len(labels) > 1 else 0
    return len(labels) + repeats
