"""Resynthesis through a linear-prediction vocoder: another kind of synthetic voice.

Every frame's vocal-tract filter is estimated by linear prediction and driven again by a
synthetic source, a pulse train at the frame's pitch where the frame is voiced and white
noise where it is not, with the pitch scaled and the filter's resonances (the formants)
moved. The copy says the same words with another voice and the buzzy, smoothed sound of
parametric speech synthesis (LPC diphone and HMM voices such as festival's), which training
voices made by other engines do not have.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from speech_lstm.librosa_loader import load_librosa

ORDER = 18  # poles of the vocal-tract filter at 16 kHz: about one per kHz, plus four
HOP_S = 0.005
WINDOW_S = 0.02
F0_RANGE_HZ = (60.0, 400.0)
MAX_ZERO_CROSSING_RATE = 0.25  # voiced frames cross zero less often than fricatives
MIN_VOICED_LEVEL = 0.02  # of the loudest frame's level: quieter frames are unvoiced
MAX_PEAK = 0.99


def lpc_vocode(
    waveform: np.ndarray,
    sample_rate: int,
    rng: np.random.Generator,
    f0_scale: float = 1.0,
    formant_scale: float = 1.0,
    breathiness: float = 0.0,
) -> np.ndarray:
    """`waveform` spoken again by a pulse-and-noise source through its own frames' filters:
    the pitch times `f0_scale`, every formant's frequency times `formant_scale`, white noise
    of `breathiness` times the pulses' power mixed into voiced frames. Same length as the
    input and the same RMS level, unless pulses that peaky would clip: then as loud as fits."""
    signal = np.asarray(waveform, dtype=np.float64)
    level = float(np.sqrt(np.mean(signal**2))) if len(signal) else 0.0
    if level == 0.0:
        return np.zeros(len(signal), dtype=np.float32)
    hop = round(HOP_S * sample_rate)
    frames = _frames(signal, hop, round(WINDOW_S * sample_rate))
    voiced, f0 = _voicing(signal, frames, sample_rate, hop)
    source = _source(voiced, f0 * f0_scale, sample_rate, hop, breathiness, rng)
    output = np.zeros(len(frames) * hop)
    state = np.zeros(ORDER)
    for index, frame in enumerate(frames):
        filter_ = _vocal_tract(frame, formant_scale, rng)
        residual_level = np.sqrt(np.mean(lfilter(filter_, [1.0], frame) ** 2))
        excitation = source[index * hop : (index + 1) * hop] * residual_level
        output[index * hop : (index + 1) * hop], state = lfilter(
            [1.0], filter_, excitation, zi=state
        )
    output = np.nan_to_num(output[: len(signal)])
    scale = level / (float(np.sqrt(np.mean(output**2))) or 1.0)
    scale = min(scale, MAX_PEAK / (float(np.abs(output).max()) or 1.0))
    return (output * scale).astype(np.float32)


def _frames(signal: np.ndarray, hop: int, window: int) -> np.ndarray:
    """Hann-windowed frames centred every `hop` samples, one per hop of the signal."""
    padded = np.pad(signal, (window // 2, window))
    count = -(-len(signal) // hop)
    frames = np.lib.stride_tricks.sliding_window_view(padded, window)[::hop][:count]
    return frames * np.hanning(window)


def _voicing(
    signal: np.ndarray, frames: np.ndarray, sample_rate: int, hop: int
) -> tuple[np.ndarray, np.ndarray]:
    """Which frames are voiced (loud enough and few zero crossings) and every frame's pitch."""
    librosa = load_librosa()
    pitch = librosa.yin(
        np.pad(signal, (0, max(0, 2048 - len(signal)))),
        fmin=F0_RANGE_HZ[0],
        fmax=F0_RANGE_HZ[1],
        sr=sample_rate,
        frame_length=2048,
        hop_length=hop,
    )
    f0 = np.interp(np.arange(len(frames)), np.arange(len(pitch)), pitch)
    crossings = np.mean(np.abs(np.diff(np.sign(frames), axis=1)) > 0, axis=1)
    levels = np.sqrt(np.mean(frames**2, axis=1))
    voiced = (crossings < MAX_ZERO_CROSSING_RATE) & (levels > MIN_VOICED_LEVEL * levels.max())
    return voiced, f0


def _source(
    voiced: np.ndarray,
    f0: np.ndarray,
    sample_rate: int,
    hop: int,
    breathiness: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Unit-power excitation: pulses at `f0` (plus breath noise) in voiced frames, white
    noise in the others; the pulses' phase runs on across frames, so pitch glides smoothly."""
    per_sample_f0 = np.repeat(np.clip(f0, 1.0, sample_rate / 4), hop)
    phase = np.cumsum(per_sample_f0 / sample_rate)
    pulses = np.diff(np.floor(phase), prepend=0.0) * np.sqrt(sample_rate / per_sample_f0)
    noise = rng.standard_normal(len(pulses))
    voiced_samples = np.repeat(voiced, hop)
    breathy = (pulses + breathiness * noise) / np.sqrt(1.0 + breathiness**2)
    return np.where(voiced_samples, breathy, noise)


def _vocal_tract(frame: np.ndarray, formant_scale: float, rng: np.random.Generator) -> np.ndarray:
    """The frame's all-pole filter (its denominator polynomial), its poles' frequencies times
    `formant_scale`, kept below Nyquist, and their radii kept below 0.999 so that the moved
    filter stays stable."""
    if not np.any(frame):
        return np.r_[1.0, np.zeros(ORDER)]
    dither = 1e-9 * rng.standard_normal(len(frame))  # keeps digital silence well-posed
    polynomial = load_librosa().lpc(frame + dither, order=ORDER)
    if not np.all(np.isfinite(polynomial)):
        return np.r_[1.0, np.zeros(ORDER)]
    if formant_scale == 1.0:
        return polynomial
    poles = np.roots(polynomial)
    angles = np.angle(poles)
    moved = np.sign(angles) * np.minimum(np.abs(angles) * formant_scale, 0.98 * np.pi)
    radii = np.minimum(np.abs(poles), 0.999)
    return np.real(np.poly(radii * np.exp(1j * moved)))
