"""Speaker perturbation beyond speed: vocal-tract-length warping and pitch shifts, measured on
signals whose frequencies are known."""

from __future__ import annotations

import numpy as np
import pytest

from speech_lstm.data.augment.config import AugmentConfig
from speech_lstm.data.augment.variants import AudioVariant, apply_variant
from speech_lstm.data.feature_store import store_key
from speech_lstm.data.manifest import Utterance
from speech_lstm.features import MfccConfig, compute_mfcc, warp_spectrum

RATE = 16000


def peak_hz(wave: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(wave * np.hanning(len(wave))))
    return float(np.fft.rfftfreq(len(wave), 1 / RATE)[np.argmax(spectrum)])


@pytest.mark.parametrize(("warp", "peak"), [(1.1, 64), (0.9, 64), (1.15, 20), (0.85, 200)])
def test_warping_moves_a_spectral_peak_by_the_factor(warp, peak):
    power = np.full((257, 3), 1e-6)
    power[peak] = 1.0
    warped = warp_spectrum(power, warp)
    assert warped.shape == power.shape
    assert abs(int(np.argmax(warped[:, 0])) - peak * warp) <= 1


def test_warping_keeps_the_band_and_bends_only_at_the_top():
    bins = np.arange(257, dtype=np.float64)
    for warp in (0.85, 1.15):
        ramp = warp_spectrum(np.tile(bins[:, None], (1, 2)), warp)[:, 0]
        assert ramp[0] == 0 and ramp[-1] == pytest.approx(256)  # the top maps onto itself
        assert np.all(np.diff(ramp) > 0)  # monotonic: no frequency folds back
        low = bins < 150
        np.testing.assert_allclose(ramp[low], bins[low] / warp)  # linear below the knee


def test_mfcc_of_a_warped_copy_goes_through_the_same_front_end():
    """A warp of (almost) 1 through the spectrum path equals the plain path, so warped copies
    differ from the originals by the warp alone."""
    t = np.arange(RATE) / RATE
    wave = (0.3 * np.sin(2 * np.pi * (200 + 300 * t) * t)).astype(np.float32)
    plain = compute_mfcc(wave, RATE, MfccConfig())
    np.testing.assert_allclose(
        compute_mfcc(wave, RATE, MfccConfig(), warp=1 + 1e-9), plain, atol=1e-3
    )
    assert np.abs(compute_mfcc(wave, RATE, MfccConfig(), warp=1.1) - plain).mean() > 0.05


def test_a_pitch_shift_moves_the_harmonics_and_a_variant_applies_it():
    t = np.arange(RATE) / RATE
    voiced = sum(np.sin(2 * np.pi * 200 * k * t) / k for k in range(1, 6)).astype(np.float32)
    shifted = apply_variant(voiced * 0.2, RATE, AudioVariant(semitones=2.0), "x.wav")
    assert len(shifted) == RATE
    assert peak_hz(shifted) == pytest.approx(200 * 2 ** (2 / 12), rel=0.03)


def test_training_copies_and_their_cache_keys():
    from speech_lstm.training.splits import training_variants

    class Config:
        augment = AugmentConfig(vtlp_warps=[0.9, 1.1], pitch_shifts=[-2.0])

    variants = training_variants(Config)
    assert variants[1:] == (
        AudioVariant(warp=0.9),
        AudioVariant(warp=1.1),
        AudioVariant(semitones=-2.0),
    )
    utterances = [Utterance("a.wav", 1.0, "a")]
    keys = {store_key(utterances, MfccConfig(), (v,)) for v in variants}
    assert len(keys) == 4, "each copy has features of its own"
    # A store of originals keeps the key it had before warping and pitch shifts existed.
    assert store_key(utterances, MfccConfig(), (AudioVariant(),)) == store_key(
        utterances, MfccConfig(), (AudioVariant(warp=1.0, semitones=0.0),)
    )
    with pytest.raises(ValueError, match="vtlp_warps"):
        AugmentConfig(vtlp_warps=[1.0])
    with pytest.raises(ValueError, match="pitch_shifts"):
        AugmentConfig(pitch_shifts=[20.0])
