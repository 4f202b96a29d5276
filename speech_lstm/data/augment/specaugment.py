"""SpecAugment: random frequency and time masks on an MFCC matrix, inside the tf.data pipeline."""

from __future__ import annotations

import tensorflow as tf

from speech_lstm.data.augment.config import AugmentConfig

# Masked values: near zero (the per-utterance mean) but not exactly zero, because an all-zero
# step means padding to the model's Masking layer.
MASK_VALUE = 1e-3


def spec_augment(
    features: tf.Tensor, length: tf.Tensor, config: AugmentConfig, n_mfcc: int, seed: tf.Tensor
) -> tf.Tensor:
    """SpecAugment on one (frames, dims) MFCC matrix whose first `length` frames are real.

    Frequency masks hide the same cepstral coefficients in the static and delta blocks. The
    masks are a function of `seed` (a shape-[2] stateless seed) alone.
    """
    frames, dims = tf.shape(features)[0], tf.shape(features)[1]
    seeds = tf.random.experimental.stateless_split(seed, config.freq_masks + config.time_masks)
    keep_coefficients = tf.ones([n_mfcc], tf.bool)
    for k in range(config.freq_masks):
        keep_coefficients &= _random_band(n_mfcc, config.freq_mask_width, seeds[k])
    keep_dims = tf.tile(keep_coefficients, [dims // n_mfcc])
    longest = tf.minimum(
        config.time_mask_width,
        tf.cast(config.time_mask_max_fraction * tf.cast(length, tf.float32), tf.int32),
    )
    keep_frames = tf.ones([frames], tf.bool)
    for k in range(config.time_masks):
        keep_frames &= _random_band(length, longest, seeds[config.freq_masks + k], total=frames)
    keep = keep_frames[:, None] & keep_dims[None, :]
    real = tf.range(frames)[:, None] < length
    return tf.where(keep | ~real, features, MASK_VALUE)


def _random_band(size, max_width, seed: tf.Tensor, total=None) -> tf.Tensor:
    """A boolean vector of length `total` (default `size`), False on one random band."""
    width_seed, start_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    width = tf.random.stateless_uniform([], width_seed, 0, tf.maximum(max_width, 0) + 1, tf.int32)
    start = tf.random.stateless_uniform(
        [], start_seed, 0, tf.maximum(size - width, 0) + 1, tf.int32
    )
    positions = tf.range(size if total is None else total)
    return (positions < start) | (positions >= start + width)
