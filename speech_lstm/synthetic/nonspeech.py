"""Clips with nothing said in them: silence, white and pink noise, steady tones.

Training on them, with empty transcripts, teaches the model that sound is not speech: a model
that only ever heard speech writes words on anything. Each clip is a function of its seed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.audio import write_wav
from speech_lstm.data.manifest import Utterance

NONSPEECH_KINDS = ("silence", "white_noise", "pink_noise", "tone")
SECONDS = (0.5, 5.0)
NOISE_DBFS = (-70.0, -15.0)  # RMS level of noise clips
TONE_DBFS = (-40.0, -6.0)
TONE_HZ = (80.0, 4000.0)


@dataclass(frozen=True)
class NonSpeechClip:
    """One clip to write: its kind, its file, and the seed of everything else about it."""

    kind: str
    path: Path
    seed: int

    @property
    def speaker(self) -> str:
        """The manifest's `speaker`: one group per kind."""
        return f"nonspeech:{self.kind}"


def plan_nonspeech(split_name: str, count: int, seed: int, split_dir: Path) -> list[NonSpeechClip]:
    """`count` clips taking the kinds in turn, named `<split>_ns_<index>.wav`."""
    clips = []
    for index in range(count):
        key = f"{seed}:{split_name}:nonspeech:{index}".encode()
        clip_seed = int(hashlib.sha256(key).hexdigest()[:8], 16)
        kind = NONSPEECH_KINDS[index % len(NONSPEECH_KINDS)]
        clips.append(NonSpeechClip(kind, split_dir / f"{split_name}_ns_{index:06d}.wav", clip_seed))
    return clips


def nonspeech_waveform(kind: str, seconds: float, sample_rate: int, seed: int) -> np.ndarray:
    """A mono float32 clip of `kind` (see `NONSPEECH_KINDS`); its level is drawn from `seed`.

    Silence is digital zero half the time and a faint hiss (-90 to -70 dBFS) otherwise.
    """
    if kind not in NONSPEECH_KINDS:
        raise ValueError(f"kind must be one of {NONSPEECH_KINDS}. Received: {kind!r}")
    rng = np.random.default_rng(seed)
    samples = int(round(seconds * sample_rate))
    if kind == "silence":
        level = -np.inf if rng.random() < 0.5 else rng.uniform(-90.0, -70.0)
        return _at_level(rng.standard_normal(samples), level)
    if kind == "white_noise":
        return _at_level(rng.standard_normal(samples), rng.uniform(*NOISE_DBFS))
    if kind == "pink_noise":
        return _at_level(pink_noise(samples, rng), rng.uniform(*NOISE_DBFS))
    frequency = np.exp(rng.uniform(*np.log(TONE_HZ)))
    t = np.arange(samples) / sample_rate
    wave = np.sin(2 * np.pi * frequency * t + rng.uniform(0, 2 * np.pi))
    return _at_level(wave, rng.uniform(*TONE_DBFS))


def pink_noise(samples: int, rng: np.random.Generator) -> np.ndarray:
    """Noise whose power falls as 1/f: white noise shaped in the frequency domain."""
    spectrum = np.fft.rfft(rng.standard_normal(samples))
    frequencies = np.arange(len(spectrum))
    spectrum[1:] /= np.sqrt(frequencies[1:])
    spectrum[0] = 0.0
    return np.fft.irfft(spectrum, n=samples)


def _at_level(wave: np.ndarray, dbfs: float) -> np.ndarray:
    """`wave` scaled to an RMS of `dbfs` (minus infinity: all zeros)."""
    if np.isneginf(dbfs):
        return np.zeros(len(wave), dtype=np.float32)
    rms = float(np.sqrt(np.mean(wave**2))) or 1.0
    return (wave * (10 ** (dbfs / 20) / rms)).astype(np.float32)


def write_nonspeech(clip: NonSpeechClip, sample_rate: int) -> Utterance:
    """Writes `clip` (kept when already there) and returns its manifest row, text empty."""
    if not clip.path.is_file():
        rng = np.random.default_rng(clip.seed)
        seconds = float(rng.uniform(*SECONDS))
        wave = np.clip(nonspeech_waveform(clip.kind, seconds, sample_rate, clip.seed + 1), -1, 1)
        write_wav(clip.path, wave, sample_rate)
    duration = soundfile.info(str(clip.path)).duration
    return Utterance(str(clip.path), round(duration, 3), "", clip.speaker)
