"""The in-graph MFCC front end of the waveform exports computes `compute_mfcc`'s features.

`MfccGraph` is run as a `tf.function` on generated audio, for several front-end settings and
for lengths around the edge cases of `compute_mfcc` (under 3 frames: zero deltas; 3 to 8
frames: narrower delta windows; 9 frames and more: width 9). Measured largest differences:
about 2e-5 on normalised features of 1 s of audio, where values span about -4 to +4.

Normalisation is left out for the shortest inputs: with 3 frames, or 9 with width 9, a
delta-delta is one quadratic fitted to every frame, the same in each frame, so its deviation is
rounding noise that the normalisation divides by (1e-5): both sides are noise there.
The exports themselves (SavedModel and TFLite) are checked with a trained model in
tests/test_export.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from speech_lstm.features import MfccConfig, compute_mfcc
from speech_lstm.inference.features_graph import MfccGraph
from speech_lstm.inference.waveform_export import check_waveform

RATE = 16000


def voice_like(samples: int, seed: int = 0) -> np.ndarray:
    """A gliding harmonic tone with a syllable-rate envelope and some noise, in [-1, 1]."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / RATE
    pitch = 120 + 40 * np.sin(2 * np.pi * 1.5 * t)
    phase = 2 * np.pi * np.cumsum(pitch) / RATE
    tone = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.2 + 0.8 * np.abs(np.sin(2 * np.pi * 3 * t))
    signal = 0.3 * envelope * tone + 0.01 * rng.standard_normal(samples)
    return (signal / np.abs(signal).max() * 0.8).astype(np.float32)


def graph_features(config: MfccConfig, waveform: np.ndarray) -> np.ndarray:
    front_end = tf.function(MfccGraph(config), input_signature=[tf.TensorSpec([None])])
    return front_end(tf.constant(waveform)).numpy()


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"deltas": 1, "n_mfcc": 20, "n_mels": 64, "fmax": 7000.0},
        {"deltas": 0, "win_length_ms": 32.0, "hop_length_ms": 16.0, "fmin": 0.0},
    ],
)
def test_graph_features_equal_compute_mfcc(settings):
    config = MfccConfig(**settings)
    waveform = voice_like(RATE)
    expected = compute_mfcc(waveform, RATE, config)
    got = graph_features(config, waveform)
    assert got.shape == expected.shape == (1 + RATE // config.hop_length, config.feature_dim)
    np.testing.assert_allclose(got, expected, rtol=0, atol=2e-4)


def test_short_inputs_take_compute_mfccs_delta_windows():
    config = MfccConfig(normalize=False)
    front_end = tf.function(MfccGraph(config), input_signature=[tf.TensorSpec([None])])
    for frames in (1, 2, 3, 4, 5, 8, 9, 10, 20):
        waveform = voice_like((frames - 1) * config.hop_length + 7, seed=frames)
        expected = compute_mfcc(waveform, RATE, config)
        got = front_end(tf.constant(waveform)).numpy()
        assert got.shape == expected.shape == (frames, config.feature_dim)
        # Unnormalised coefficients reach several hundred: 1e-6 of their range.
        np.testing.assert_allclose(got, expected, rtol=0, atol=5e-4, err_msg=f"{frames} frames")


def test_speaker_normalisation_and_bad_waveforms_are_refused():
    with pytest.raises(ValueError, match="normalise per speaker"):
        MfccGraph(MfccConfig(normalize_scope="speaker"))
    for bad in (np.zeros(0), np.zeros((2, 100))):
        with pytest.raises(ValueError, match="one mono recording"):
            check_waveform(bad)


def test_a_model_normalised_per_speaker_gets_no_waveform_export(tmp_path, caplog):
    from speech_lstm.inference.config import ExportConfig
    from speech_lstm.inference.export import export_model
    from tests.transcription_fixtures import save, speaker_loudness_model

    model_dir = save(speaker_loudness_model(), tmp_path / "model")
    config = ExportConfig(model_dir=str(model_dir), saved_model=False, tflite=False)
    assert export_model(config) == {}
    assert "normalised per speaker" in caplog.text
