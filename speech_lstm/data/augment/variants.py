"""Altered copies of the training audio: speed, pitch, vocoder, reverberation and noise.

Each `AudioVariant` is one copy of the training set; `apply_variant` makes an utterance's
copy, its random draws seeded by the file and the copy number, so a copy is the same in
every run and the feature store can cache it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from speech_lstm.data.augment.reverb import add_reverb
from speech_lstm.data.augment.vocoder import lpc_vocode
from speech_lstm.librosa_loader import load_librosa


@dataclass(frozen=True)
class AudioVariant:
    """One altered copy of the audio: played `speed` times faster; with white noise at an SNR
    drawn per utterance from `snr_db` when that is set; convolved with a synthetic room impulse
    response of an RT60 drawn from `rt60_s` and a direct-to-reverberant ratio drawn from
    `drr_db` when `rt60_s` is set; with every frequency scaled by `warp` (vocal-tract-length
    perturbation: a shorter or longer vocal tract moves the formants); with the pitch moved by
    `semitones`, formants kept; spoken again through a linear-prediction vocoder when
    `vocoder_f0_scale` is set, its pitch and formant scales drawn per utterance from
    `vocoder_f0_scale` and `vocoder_formant_scale` (`vocoder.lpc_vocode`). `copy` numbers
    independent draws of the same settings."""

    speed: float = 1.0
    snr_db: tuple[float, float] | None = None
    copy: int = 0
    rt60_s: tuple[float, float] | None = None
    drr_db: tuple[float, float] = (0.0, 10.0)
    warp: float = 1.0
    semitones: float = 0.0
    vocoder_f0_scale: tuple[float, float] | None = None
    vocoder_formant_scale: tuple[float, float] = (1.0, 1.0)


ORIGINAL = (AudioVariant(),)
SPEED_RESAMPLER = "soxr_mq"  # librosa res_type of speed perturbation; part of the store key


def change_speed(waveform: np.ndarray, sample_rate: int, speed: float) -> np.ndarray:
    """Plays `waveform` `speed` times faster, tempo and pitch together (Kaldi-style speed
    perturbation): resampled to sample_rate / speed and read back at sample_rate.

    soxr's medium quality: 20x faster than librosa's default high quality at ratios such as
    16000 -> 14545 (0.5 vs 9.6 ms per 2.5-s utterance)."""
    librosa = load_librosa()

    target = round(sample_rate / speed)
    return librosa.resample(
        waveform, orig_sr=sample_rate, target_sr=target, res_type=SPEED_RESAMPLER
    )


def add_noise(
    waveform: np.ndarray, snr_db: tuple[float, float], rng: np.random.Generator
) -> np.ndarray:
    """Adds white noise at an SNR (dB) drawn uniformly from `snr_db`."""
    signal_power = float(np.mean(waveform**2)) or 1e-10
    snr = rng.uniform(*snr_db)
    noise = rng.standard_normal(len(waveform)).astype(np.float32)
    scale = np.sqrt(signal_power / (10 ** (snr / 10)))
    return (waveform + scale * noise).astype(np.float32)


def apply_variant(
    waveform: np.ndarray, sample_rate: int, variant: AudioVariant, path: str
) -> np.ndarray:
    """`waveform` (read from `path`) as `variant`: sped up, pitch-shifted, vocoded, then
    reverberant, then noisy. The frequency warp acts on the spectrum: `compute_mfcc(warp=...)`."""
    if variant.speed != 1.0:
        waveform = change_speed(waveform, sample_rate, variant.speed)
    if variant.semitones:
        librosa = load_librosa()

        waveform = librosa.effects.pitch_shift(
            waveform, sr=sample_rate, n_steps=variant.semitones, res_type=SPEED_RESAMPLER
        )
    if variant.vocoder_f0_scale is not None:
        waveform = vocode(waveform, sample_rate, variant, path)
    if variant.rt60_s is not None:
        rng = np.random.default_rng(zlib.crc32(f"reverb|{path}|{variant.copy}".encode()))
        waveform = add_reverb(waveform, sample_rate, variant.rt60_s, variant.drr_db, rng)
    if variant.snr_db is not None:
        rng = np.random.default_rng(zlib.crc32(f"{path}|{variant.copy}".encode()))
        waveform = add_noise(waveform, variant.snr_db, rng)
    return waveform


MAX_BREATHINESS = 0.3


def vocode(waveform: np.ndarray, sample_rate: int, variant: AudioVariant, path: str) -> np.ndarray:
    """`waveform` through the vocoder at a pitch scale, formant scale and breathiness drawn
    for this file and copy (the scales log-uniformly, so up and down are equally likely)."""
    rng = np.random.default_rng(zlib.crc32(f"vocoder|{path}|{variant.copy}".encode()))
    f0_scale, formant_scale = (
        float(np.exp(rng.uniform(np.log(low), np.log(high))))
        for low, high in (variant.vocoder_f0_scale, variant.vocoder_formant_scale)
    )
    return lpc_vocode(
        waveform, sample_rate, rng, f0_scale, formant_scale, rng.uniform(0, MAX_BREATHINESS)
    )
