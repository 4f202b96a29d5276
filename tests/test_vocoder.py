"""The linear-prediction vocoder copy: measured on a synthetic vowel whose pitch and formant
are known, on silence, and as a training copy with a cache key of its own."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import lfilter

from speech_lstm.data.augment.config import AugmentConfig
from speech_lstm.data.augment.variants import AudioVariant, apply_variant
from speech_lstm.data.augment.vocoder import lpc_vocode
from speech_lstm.data.feature_store import store_key
from speech_lstm.data.manifest import Utterance
from speech_lstm.features import MfccConfig
from speech_lstm.librosa_loader import load_librosa

RATE = 16000
PITCH_HZ = 120.0
FORMANT_HZ = 1000.0


def vowel(seconds: float = 1.0) -> np.ndarray:
    """A pulse train at PITCH_HZ through one resonance at FORMANT_HZ: a one-formant vowel."""
    pulses = np.zeros(int(seconds * RATE))
    pulses[:: int(RATE / PITCH_HZ)] = 1.0
    radius, angle = 0.97, 2 * np.pi * FORMANT_HZ / RATE
    wave = lfilter([1.0], [1.0, -2 * radius * np.cos(angle), radius**2], pulses)
    return (0.3 * wave / np.abs(wave).max()).astype(np.float32)


def median_pitch_hz(wave: np.ndarray) -> float:
    pitch = load_librosa().yin(wave, fmin=60, fmax=400, sr=RATE, frame_length=2048)
    return float(np.median(pitch[2:-2]))


def formant_hz(wave: np.ndarray) -> float:
    """The strongest resonance of the middle half's all-pole envelope."""
    middle = wave[len(wave) // 4 : 3 * len(wave) // 4].astype(np.float64)
    polynomial = load_librosa().lpc(middle * np.hanning(len(middle)), order=4)
    poles = np.roots(polynomial)
    strongest = poles[np.argmax(np.abs(poles) * (np.angle(poles) > 0))]
    return float(np.angle(strongest) * RATE / (2 * np.pi))


def test_a_vocoded_vowel_keeps_its_pitch_formant_length_and_level():
    original = vowel()
    vocoded = lpc_vocode(original, RATE, np.random.default_rng(0))
    assert vocoded.dtype == np.float32 and len(vocoded) == len(original)
    assert np.sqrt(np.mean(vocoded**2)) == pytest.approx(np.sqrt(np.mean(original**2)), rel=0.01)
    assert median_pitch_hz(vocoded) == pytest.approx(PITCH_HZ, rel=0.03)
    assert formant_hz(vocoded) == pytest.approx(FORMANT_HZ, rel=0.05)
    assert not np.allclose(vocoded, original, atol=0.01), "the source is resynthesised"


@pytest.mark.parametrize(("f0_scale", "formant_scale"), [(1.3, 1.0), (0.8, 1.0), (1.0, 1.15)])
def test_the_vocoder_moves_pitch_and_formants_by_their_factors(f0_scale, formant_scale):
    vocoded = lpc_vocode(vowel(), RATE, np.random.default_rng(0), f0_scale, formant_scale)
    assert median_pitch_hz(vocoded) == pytest.approx(PITCH_HZ * f0_scale, rel=0.03)
    assert formant_hz(vocoded) == pytest.approx(FORMANT_HZ * formant_scale, rel=0.05)


def test_a_loud_input_is_vocoded_quieter_rather_than_clipped():
    """Pulse excitation is peakier than speech: at the input's RMS level a vowel peaking near
    full scale would clip, so the copy comes out as loud as fits."""
    loud = vowel() / np.abs(vowel()).max() * 0.95
    vocoded = lpc_vocode(loud, RATE, np.random.default_rng(0), 0.8)
    assert np.abs(vocoded).max() == pytest.approx(0.99, abs=1e-6)
    assert np.sqrt(np.mean(vocoded**2)) < np.sqrt(np.mean(loud**2))


def test_silence_and_a_few_samples_come_back_as_they_were_sized():
    assert not np.any(lpc_vocode(np.zeros(RATE, np.float32), RATE, np.random.default_rng(0)))
    short = lpc_vocode(vowel()[:50], RATE, np.random.default_rng(0), 1.2, 1.1)
    assert len(short) == 50 and np.all(np.isfinite(short))


def test_a_vocoder_copy_is_drawn_per_file_and_copy_and_is_the_same_every_time():
    variant = AudioVariant(vocoder_f0_scale=(0.8, 1.25), vocoder_formant_scale=(0.9, 1.1))
    first = apply_variant(vowel(), RATE, variant, "a.wav")
    np.testing.assert_array_equal(first, apply_variant(vowel(), RATE, variant, "a.wav"))
    other_file = apply_variant(vowel(), RATE, variant, "b.wav")
    other_copy = apply_variant(
        vowel(), RATE, AudioVariant(vocoder_f0_scale=(0.8, 1.25), copy=1), "a.wav"
    )
    assert not np.array_equal(first, other_file) and not np.array_equal(first, other_copy)


def test_vocoder_copies_are_training_copies_with_cache_keys_of_their_own():
    from speech_lstm.training.splits import training_variants

    class Config:
        augment = AugmentConfig(vocoder_copies=2, vocoder_f0_scale=[0.9, 1.2])

    variants = training_variants(Config)
    assert variants[1:] == tuple(
        AudioVariant(vocoder_f0_scale=(0.9, 1.2), vocoder_formant_scale=(0.9, 1.1), copy=k)
        for k in range(2)
    )
    utterances = [Utterance("a.wav", 1.0, "a")]
    keys = {store_key(utterances, MfccConfig(), (v,)) for v in variants}
    assert len(keys) == 3
    # Stores built before the vocoder existed keep their keys (as computed at 476d99d).
    assert store_key(utterances, MfccConfig(), (AudioVariant(),)) == "c4175b1bf659b0c4cbc2"
    older_copies = (AudioVariant(speed=0.9), AudioVariant(warp=1.1))
    assert store_key(utterances, MfccConfig(), older_copies) == "992276e8c6d49fbe11a8"
    for bad in (
        {"vocoder_copies": -1},
        {"vocoder_f0_scale": [1.5, 1.2]},
        {"vocoder_formant_scale": [0.5, 1.0]},
    ):
        with pytest.raises(ValueError, match="vocoder"):
            AugmentConfig(**bad)
