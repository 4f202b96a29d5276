"""Batched forward passes of the acoustic model over variable-length feature matrices."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import keras
import numpy as np
import tensorflow as tf

from speech_lstm.model import output_length, pad_for_subsampling


class LogitComputer:
    """Runs the acoustic model through one traced `tf.function`, any batch and length."""

    def __init__(self, acoustic_model: keras.Model, subsampling: int):
        self.subsampling = subsampling
        feature_dim = acoustic_model.input_shape[-1]
        signature = [tf.TensorSpec((None, None, feature_dim), tf.float32)]
        self._forward = tf.function(
            lambda features: acoustic_model(features, training=False),
            input_signature=signature,
            reduce_retracing=True,
        )

    def __call__(self, features: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Logits (batch, steps, vocab) and valid step counts (batch,) for one batch."""
        padded = [pad_for_subsampling(f, self.subsampling) for f in features]
        width = max(len(f) for f in padded)
        batch = np.zeros((len(padded), width, padded[0].shape[1]), dtype=np.float32)
        for row, matrix in enumerate(padded):
            batch[row, : len(matrix)] = matrix
        lengths = output_length(np.asarray([len(f) for f in features]), self.subsampling)
        return self._forward(batch).numpy(), lengths

    def in_length_order(
        self, features: Sequence[np.ndarray], batch_size: int
    ) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """Yields (positions, logits, lengths) over batches of similar length; covers all inputs."""
        order = np.argsort([len(f) for f in features], kind="stable")
        for start in range(0, len(order), batch_size):
            positions = [int(p) for p in order[start : start + batch_size]]
            logits, lengths = self([features[p] for p in positions])
            yield positions, logits, lengths
