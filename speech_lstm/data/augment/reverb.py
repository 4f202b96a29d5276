"""Room reverberation from a synthetic room impulse response (no recorded RIRs needed).

The impulse response is a direct-path impulse followed by exponentially decaying Gaussian
noise (a diffuse late tail, as in Polack's statistical model): the tail's energy falls by
60 dB in `rt60_s` seconds, and its total energy is set by the direct-to-reverberant ratio.
"""

from __future__ import annotations

import numpy as np

DECAY_DB = 60.0  # RT60: the time the energy takes to fall by 60 dB


def room_impulse_response(
    rt60_s: float, drr_db: float, sample_rate: int, rng: np.random.Generator
) -> np.ndarray:
    """A synthetic room impulse response.

    Args:
        rt60_s: reverberation time in seconds (> 0): the tail's energy falls 60 dB in it.
        drr_db: direct-to-reverberant ratio in dB: energy of the direct impulse over the
            energy of the tail.
        sample_rate: samples per second.
        rng: the source of the tail's noise.

    Returns:
        float32 array of `round(rt60_s * sample_rate) + 1` samples: 1.0 at sample 0 (the
        direct path), then the tail.
    """
    if not rt60_s > 0:
        raise ValueError(f"rt60_s must be > 0 seconds. Received: {rt60_s}")
    length = max(2, round(rt60_s * sample_rate) + 1)
    t = np.arange(1, length) / sample_rate
    # Energy envelope 10^(-6 t / rt60), i.e. amplitude exp(-3 ln(10) t / rt60).
    envelope = np.exp(-(DECAY_DB / 20) * np.log(10) * t / rt60_s)
    tail = rng.standard_normal(length - 1) * envelope
    tail *= np.sqrt(10 ** (-drr_db / 10) / np.sum(tail**2))
    return np.concatenate([[1.0], tail]).astype(np.float32)


def add_reverb(
    waveform: np.ndarray,
    sample_rate: int,
    rt60_s: tuple[float, float],
    drr_db: tuple[float, float],
    rng: np.random.Generator,
) -> np.ndarray:
    """Convolves `waveform` with a room impulse response whose RT60 and direct-to-reverberant
    ratio are drawn uniformly from `rt60_s` and `drr_db`.

    Returns:
        float32 array of the same length as `waveform` (the tail beyond its end is cut, so
        the transcript's timing is kept) and the same RMS level.
    """
    from scipy.signal import fftconvolve

    rir = room_impulse_response(rng.uniform(*rt60_s), rng.uniform(*drr_db), sample_rate, rng)
    wet = fftconvolve(waveform, rir, mode="full")[: len(waveform)]
    dry_rms = np.sqrt(np.mean(waveform.astype(np.float64) ** 2))
    wet_rms = np.sqrt(np.mean(wet.astype(np.float64) ** 2))
    gain = dry_rms / wet_rms if wet_rms > 0 else 1.0
    return (wet * gain).astype(np.float32)
