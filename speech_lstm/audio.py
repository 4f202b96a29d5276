"""Reading audio files into mono float waveforms at the model's sample rate."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.atomic import atomic_file


class AudioError(ValueError):
    """An audio file that cannot be used: unreadable, unsupported, corrupt or empty."""


def load_audio(path: str | Path, sample_rate: int) -> np.ndarray:
    """Reads `path` with soundfile, downmixes to mono and resamples to `sample_rate`.

    Args:
        path: any format libsndfile reads (WAV, FLAC, OGG/Opus, MP3).
        sample_rate: the rate the waveform is returned at, in Hz.

    Returns:
        float32 array of shape (samples,), values in [-1, 1].

    Raises:
        AudioError: when the file is missing, unreadable, holds no samples, or holds NaN or
            infinite ones.
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"Audio file not found: {path}")
    try:
        waveform, file_rate = soundfile.read(os.fsencode(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        raise AudioError(f"Cannot read audio file {path}: {error}") from None
    if waveform.shape[0] == 0:
        raise AudioError(f"Audio file has no samples: {path}")
    if not np.isfinite(waveform).all():
        raise AudioError(
            f"Audio file holds NaN or infinite samples (a corrupt float WAV): {path}. "
            f"Received: {int((~np.isfinite(waveform)).sum())} such samples"
        )
    mono = waveform.mean(axis=1)
    if file_rate != sample_rate:
        import librosa

        mono = librosa.resample(mono, orig_sr=file_rate, target_sr=sample_rate)
    return np.ascontiguousarray(mono, dtype=np.float32)


def write_wav(path: str | Path, waveform: np.ndarray, sample_rate: int) -> None:
    """Writes `waveform` (values in [-1, 1]) as 16-bit PCM WAV, atomically: a killed or
    failed write leaves no half a WAV under `path` (see `speech_lstm.atomic`)."""
    # Encoded in memory first: libsndfile's own writes hide a full disk's error.
    encoded = io.BytesIO()
    soundfile.write(encoded, waveform, sample_rate, subtype="PCM_16", format="WAV")
    with atomic_file(path, "wb") as out:
        out.write(encoded.getbuffer())


def audio_duration(path: str | Path) -> float:
    """Duration in seconds from the file header, without decoding the samples."""
    try:
        return float(soundfile.info(os.fsencode(path)).duration)
    except (soundfile.LibsndfileError, RuntimeError) as error:
        raise AudioError(f"Cannot read audio file {path}: {error}") from None
