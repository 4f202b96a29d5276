"""Batched forward passes of the acoustic model over variable-length feature matrices.

`LogitComputer` pads a batch to a multiple of the subsampling factor, runs a forward function
(the Keras model through one traced `tf.function` by default, or an exported back end from
`speech_lstm.inference.backends`) and returns logits with the valid step counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import keras
import numpy as np
import tensorflow as tf

from speech_lstm.decoding.alignment import log_softmax
from speech_lstm.model.network import output_length, pad_for_subsampling


def pad_batch(features: Sequence[np.ndarray], subsampling: int) -> np.ndarray:
    """Zero-pads (frames, dims) matrices into one (batch, frames, dims) float32 array."""
    padded = [pad_for_subsampling(f, subsampling) for f in features]
    width = max(len(f) for f in padded)
    batch = np.zeros((len(padded), width, padded[0].shape[1]), dtype=np.float32)
    for row, matrix in enumerate(padded):
        batch[row, : len(matrix)] = matrix
    return batch


class LogitComputer:
    """Runs an acoustic model on batches of features: (batch, steps, vocab) logits and lengths.

    Args:
        acoustic_model: the Keras model; or None when `forward` is given.
        subsampling: frames stacked into one model step.
        forward: a function from a padded (batch, frames, dims) array to logits, used instead
            of the Keras model (the exported back ends).
    """

    def __init__(
        self,
        acoustic_model: keras.Model | None,
        subsampling: int,
        forward: Callable[[np.ndarray], np.ndarray] | None = None,
    ):
        self.subsampling = subsampling
        self._forward = forward or _traced_keras_forward(acoustic_model)

    def __call__(self, features: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Logits (batch, steps, vocab) and valid step counts (batch,) for one batch."""
        batch = pad_batch(features, self.subsampling)
        lengths = output_length(np.asarray([len(f) for f in features]), self.subsampling)
        return self._forward(batch), lengths

    def in_length_order(
        self, features: Sequence[np.ndarray], batch_size: int
    ) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """Yields (positions, logits, lengths) over batches of similar length; covers all inputs."""
        order = np.argsort([len(f) for f in features], kind="stable")
        for start in range(0, len(order), batch_size):
            positions = [int(p) for p in order[start : start + batch_size]]
            logits, lengths = self([features[p] for p in positions])
            yield positions, logits, lengths


class AveragedLogits(LogitComputer):
    """An ensemble: several models' log-posteriors averaged step by step (the normalised
    geometric mean of their posteriors), which decoders then read as logits. The members must
    share features, frame rate and characters (`model_dir.ensemble_differences`).
    CTC models of different runs emit a character's spike at different steps, so the average
    blurs spikes: fine for decoding, which sums over alignments, but not for reading a word's
    confidence off it (see `with_members`).
    """

    def __init__(self, members: Sequence[LogitComputer]):
        if not members:
            raise ValueError("An ensemble needs at least one model. Received: none")
        self.members = list(members)
        self.subsampling = self.members[0].subsampling

    def __call__(self, features: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        averaged, lengths, _ = self.with_members(features)
        return averaged, lengths

    def with_members(
        self, features: Sequence[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """The averaged logits, the step counts, and each member's own logits."""
        outputs = [member(features) for member in self.members]
        log_posteriors = [log_softmax(logits) for logits, _ in outputs]
        averaged = np.mean(log_posteriors, axis=0).astype(np.float32)
        return averaged, outputs[0][1], [logits for logits, _ in outputs]


def _traced_keras_forward(acoustic_model: keras.Model) -> Callable[[np.ndarray], np.ndarray]:
    """One `tf.function` with a fixed (None, None, dims) signature: traced once, any shape."""
    feature_dim = acoustic_model.input_shape[-1]
    signature = [tf.TensorSpec((None, None, feature_dim), tf.float32)]
    traced = tf.function(
        lambda features: acoustic_model(features, training=False), input_signature=signature
    )
    return lambda batch: traced(batch).numpy()
