"""The GPU step benchmark's helpers: the unmasked variant and the LSTM-path counter."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from benchmarks.lstm_step import counting_fused_lstm_calls, without_masking
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import build_acoustic_model


def small_model() -> keras.Model:
    return build_acoustic_model(5, 7, ModelConfig(num_layers=1, units=8, dropout=0.0))


def test_unmasked_variant_shares_weights_and_differs_only_on_padding():
    masked = small_model()
    # Trained-like weights: at initialisation (zero biases) zero padding leaves an LSTM at rest.
    rng = np.random.default_rng(1)
    masked.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in masked.weights])
    unmasked = without_masking(masked)
    assert not any(isinstance(layer, keras.layers.Masking) for layer in unmasked.layers)
    assert len(unmasked.weights) == len(masked.weights)
    speech = rng.normal(size=(1, 12, 5)).astype("float32")
    np.testing.assert_allclose(unmasked(speech), masked(speech), atol=1e-6)
    padded = np.concatenate([speech, np.zeros((1, 6, 5), "float32")], axis=1)
    real_steps = 12 // 3
    np.testing.assert_allclose(masked(padded)[:, :real_steps], masked(speech), atol=1e-6)
    # Without the mask the backward LSTM reads the padding first, so the speech steps change.
    assert not np.allclose(unmasked(padded)[:, :real_steps], unmasked(speech), atol=1e-4)


def test_counter_sees_which_lstm_kernel_ran():
    if keras.backend.backend() != "tensorflow" or tf.config.list_physical_devices("GPU"):
        pytest.skip("the counts below are TensorFlow's on a CPU, where no fused kernel runs")
    with counting_fused_lstm_calls() as calls:
        model = small_model()
        features = np.ones((2, 6, 5), "float32")
        model(features)
        # On this CPU TensorFlow refuses the fused kernel, masked: each direction falls back.
        assert calls == {"lstm refused": 2}
        without_masking(model)(features)
        assert calls["bidirectional_lstm refused"] == 1 and calls["lstm refused"] == 4
