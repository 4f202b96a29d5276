"""Reading audio files into mono float waveforms at the model's sample rate."""

from __future__ import annotations

import io
import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.atomic import atomic_file
from speech_lstm.librosa_loader import load_librosa

log = logging.getLogger(__name__)


class AudioError(ValueError):
    """An audio file that cannot be used: unreadable, unsupported, corrupt or empty."""


# How far a segment may reach past the end of its file (manifests round durations).
SEGMENT_END_TOLERANCE_S = 0.05


@dataclass(frozen=True)
class AudioSpan:
    """A stretch of an audio file: `duration` seconds from `offset` (NeMo's manifest segments).

    Several spans may point into the same long recording; only their part of it is read.

    Attributes:
        path: the audio file.
        offset: where the span starts in the file, in seconds.
        duration: its length in seconds; None reads to the end of the file.
    """

    path: str
    offset: float = 0.0
    duration: float | None = None

    def __str__(self) -> str:
        end = "end" if self.duration is None else f"{self.offset + self.duration:g}s"
        return f"{self.path} [{self.offset:g}s-{end}]"


def span_frames(span: AudioSpan, frames: int, file_rate: int) -> tuple[int, int]:
    """The (first frame, frame count) of `span` in a file of `frames` frames at `file_rate`.

    Raises:
        AudioError: for a negative or non-finite offset or duration, a span that starts at or
            after the end of the file, or one that ends more than `SEGMENT_END_TOLERANCE_S`
            after it (a span ending within that tolerance is cut at the end of the file).
    """
    seconds = frames / file_rate
    offset, duration = span.offset, span.duration
    if not np.isfinite(offset) or offset < 0:
        raise AudioError(f"Segment offset must be a number >= 0 (seconds). Received: {span}")
    if duration is not None and (not np.isfinite(duration) or duration <= 0):
        raise AudioError(f"Segment duration must be a number > 0 (seconds). Received: {span}")
    if offset >= seconds:
        raise AudioError(
            f"Segment starts after the end of the file ({seconds:.3f} s). Received: {span}"
        )
    if duration is not None and offset + duration > seconds + SEGMENT_END_TOLERANCE_S:
        raise AudioError(
            f"Segment ends after the end of the file ({seconds:.3f} s). Received: {span}"
        )
    start = int(round(offset * file_rate))
    end = frames if duration is None else min(frames, int(round((offset + duration) * file_rate)))
    return start, max(end - start, 0)


def load_audio(
    path: str | Path, sample_rate: int, offset: float = 0.0, duration: float | None = None
) -> np.ndarray:
    """Reads `path` with soundfile, downmixes to mono and resamples to `sample_rate`.

    Args:
        path: any format libsndfile reads (WAV, FLAC, OGG/Opus, MP3).
        sample_rate: the rate the waveform is returned at, in Hz.
        offset: seconds to skip at the start of the file (the file is seeked, not decoded
            from the start, where the format allows).
        duration: seconds to read from `offset`; None reads to the end.

    Returns:
        float32 array of shape (samples,), values in [-1, 1].

    Raises:
        AudioError: when the file is missing, unreadable, holds no samples, or holds NaN or
            infinite ones, or the segment lies outside it (see `span_frames`).
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"Audio file not found: {path}")
    try:
        with soundfile.SoundFile(os.fsencode(path)) as audio:
            file_rate = audio.samplerate
            start, count = 0, -1
            if offset or duration is not None:
                span = AudioSpan(str(path), offset, duration)
                start, count = span_frames(span, audio.frames, file_rate)
                audio.seek(start)
            waveform = audio.read(count, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise AudioError(f"Cannot read audio file {path}: {error}") from None
    except ValueError as error:
        if isinstance(error, AudioError):
            raise
        raise AudioError(f"Cannot read audio file {path}: {error}") from None
    lie = wav_length_mismatch(path)
    if waveform.shape[0] == 0:
        raise AudioError(f"Audio file has no samples: {path}" + (f" ({lie})" if lie else ""))
    if lie:
        log.warning("%s: %s", path, lie)
    if not np.isfinite(waveform).all():
        raise AudioError(
            f"Audio file holds NaN or infinite samples (a corrupt float WAV): {path}. "
            f"Received: {int((~np.isfinite(waveform)).sum())} such samples"
        )
    mono = waveform.mean(axis=1)
    if file_rate != sample_rate:
        librosa = load_librosa()

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
    """Duration in seconds from the file header, without decoding the samples (a WAV header
    that disagrees with the file's size is believed, with a warning: see
    `wav_length_mismatch`)."""
    try:
        duration = float(soundfile.info(os.fsencode(path)).duration)
    except (soundfile.LibsndfileError, RuntimeError) as error:
        raise AudioError(f"Cannot read audio file {path}: {error}") from None
    lie = wav_length_mismatch(path)
    if lie:
        log.warning("%s: %s", path, lie)
    return duration


def wav_length_mismatch(path: str | Path) -> str | None:
    """What is wrong when a WAV file's header disagrees with the file's size, else None.

    A header that claims FEWER samples than the file holds (a recorder that never updated its
    header, a file concatenated by hand) is believed: only the samples it counts are read,
    as libsndfile does; the bytes after them are ignored unless they are well-formed RIFF
    chunks (LIST, id3, cue...), which are legitimate. A header that claims MORE samples than
    the file holds (a truncated copy) gives the samples that are there. Either way the caller
    warns with this description (it names both counts), so that a transcript cut short is
    never silent. Files that are not RIFF/WAVE, and unreadable headers, give None (the
    reader reports those).
    """
    try:
        with open(os.fsencode(path), "rb") as wav:  # noqa: PTH123 (bytes names too)
            return _describe_wav_mismatch(wav, os.fstat(wav.fileno()).st_size)
    except (OSError, struct.error, ValueError):
        return None


def _describe_wav_mismatch(wav: io.BufferedReader, size: int) -> str | None:
    riff = wav.read(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        return None
    block_align = 0
    while True:
        header = wav.read(8)
        if len(header) < 8:
            return None  # no data chunk: the reader refuses the file
        chunk, length = header[:4], struct.unpack("<I", header[4:])[0]
        start = wav.tell()
        if chunk == b"fmt ":
            block_align = struct.unpack("<H", wav.read(16)[12:14])[0]
        elif chunk == b"data":
            break
        wav.seek(start + length + (length & 1))
    if block_align == 0:
        return None
    claimed, present = length // block_align, (size - start) // block_align
    if claimed > present:
        return (
            f"its WAV header claims {claimed} samples but the file holds only {present} "
            "(a truncated file?): the samples there are read"
        )
    if claimed < present and not _only_chunks_follow(wav, start + length + (length & 1), size):
        extra = size - start - length
        return (
            f"its WAV header claims {claimed} samples but {extra} more bytes (about "
            f"{extra // block_align} samples) follow them (a header never updated?): only the "
            f"{claimed} the header counts are read; rewrite the header to use the rest"
        )
    return None


def _only_chunks_follow(wav: io.BufferedReader, offset: int, size: int) -> bool:
    """Whether the bytes from `offset` to the end are whole RIFF chunks (ids of printable
    ASCII, lengths that fit) or a single pad byte."""
    while size - offset > 1:
        wav.seek(offset)
        header = wav.read(8)
        if len(header) < 8 or not all(32 <= byte < 127 for byte in header[:4]):
            return False
        length = struct.unpack("<I", header[4:])[0]
        offset += 8 + length + (length & 1)
        if offset > size + 1:
            return False
    return True


def load_span(span: AudioSpan, sample_rate: int) -> np.ndarray:
    """`load_audio` of the span's stretch of its file."""
    return load_audio(span.path, sample_rate, span.offset, span.duration)
