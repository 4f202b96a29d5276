"""Long audio in bounded memory: read in blocks, resample as a stream, cut at quiet points.

A file longer than `ChunkingConfig.max_seconds` is never held whole: blocks are read with
soundfile, downmixed, resampled with a streaming resampler (no seams between blocks), and cut
into chunks of at most `max_seconds`, each cut placed at the quietest 10 ms frame of the last
`search_seconds` before the limit so that cuts fall between words where possible.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.audio import AudioError, AudioSpan, span_frames, wav_length_mismatch

log = logging.getLogger(__name__)

_ENERGY_FRAME_SECONDS = 0.01


@dataclass
class ChunkingConfig:
    """When and how long inputs are split.

    Attributes:
        max_seconds: inputs longer than this are split into chunks of at most this length;
            0 disables splitting.
        search_seconds: each cut is placed at the quietest point of the last `search_seconds`
            before the limit.
        block_seconds: how much of a long file is read at once.
    """

    max_seconds: float = 20.0
    search_seconds: float = 4.0
    block_seconds: float = 10.0

    def __post_init__(self) -> None:
        if self.max_seconds < 0 or self.block_seconds <= 0:
            raise ValueError(
                "chunk max_seconds must be >= 0 and block_seconds > 0. Received: "
                f"{self.max_seconds}, {self.block_seconds}"
            )
        if self.max_seconds and not 0 < self.search_seconds < self.max_seconds:
            raise ValueError(
                "chunk search_seconds must be in (0, max_seconds). Received: "
                f"{self.search_seconds} with max_seconds={self.max_seconds}"
            )

    def needs_split(self, seconds: float) -> bool:
        """Whether an input of `seconds` is split."""
        return bool(self.max_seconds) and seconds > self.max_seconds


@dataclass(frozen=True)
class Chunk:
    """A piece of an input: `offset` seconds from its start, mono samples at the model's rate."""

    offset: float
    waveform: np.ndarray


def quietest_cut(waveform: np.ndarray, begin: int, end: int, sample_rate: int) -> int:
    """Sample index in [begin, end) at the middle of the lowest-energy 10 ms frame."""
    frame = max(1, int(sample_rate * _ENERGY_FRAME_SECONDS))
    count = (end - begin) // frame
    if count < 1:
        return end
    frames = waveform[begin : begin + count * frame].reshape(count, frame)
    energy = np.einsum("ij,ij->i", frames, frames)
    return begin + int(energy.argmin()) * frame + frame // 2


def cut_chunks(
    blocks: Iterable[np.ndarray], sample_rate: int, config: ChunkingConfig
) -> Iterator[Chunk]:
    """Re-cuts a stream of mono blocks into chunks of at most `config.max_seconds`.

    Args:
        blocks: consecutive pieces of one mono waveform at `sample_rate`.
        sample_rate: samples per second.
        config: chunk length and search window.

    Yields:
        Chunks in order, covering every sample exactly once.
    """
    limit = int(config.max_seconds * sample_rate)
    search = int(config.search_seconds * sample_rate)
    buffer = np.zeros(0, dtype=np.float32)
    consumed = 0
    for block in blocks:
        buffer = np.concatenate([buffer, block.astype(np.float32, copy=False)])
        while len(buffer) > limit:
            cut = quietest_cut(buffer, limit - search, limit, sample_rate)
            yield Chunk(consumed / sample_rate, buffer[:cut].copy())
            consumed += cut
            buffer = buffer[cut:]
    if len(buffer):
        yield Chunk(consumed / sample_rate, buffer)


def split_waveform(waveform: np.ndarray, sample_rate: int, config: ChunkingConfig) -> list[Chunk]:
    """Chunks of an in-memory mono waveform (one chunk when it is short enough)."""
    if not config.needs_split(len(waveform) / sample_rate):
        return [Chunk(0.0, waveform)]
    return list(cut_chunks([waveform], sample_rate, config))


def stream_file_chunks(
    source: str | Path | AudioSpan, sample_rate: int, config: ChunkingConfig
) -> Iterator[Chunk]:
    """Chunks of an audio file (or of a span of one), read block by block; memory stays
    bounded by the chunk length. Chunk offsets count from the start of the file.

    Raises:
        AudioError: when the file cannot be read (possibly after some chunks were yielded),
            or the span lies outside it.
    """
    span = source if isinstance(source, AudioSpan) else AudioSpan(str(source))
    chunks = cut_chunks(_resampled_blocks(span, sample_rate, config), sample_rate, config)
    for chunk in chunks:
        yield Chunk(chunk.offset + span.offset, chunk.waveform)


def _resampled_blocks(
    span: AudioSpan, sample_rate: int, config: ChunkingConfig
) -> Iterator[np.ndarray]:
    """Mono blocks of the span's stretch of its file, at `sample_rate`."""
    path = span.path
    lie = wav_length_mismatch(path)
    if lie:
        log.warning("%s: %s", path, lie)
    try:
        with soundfile.SoundFile(os.fsencode(path)) as audio:
            resampler = _stream_resampler(audio.samplerate, sample_rate)
            block_frames = int(config.block_seconds * audio.samplerate)
            start, remaining = span_frames(span, audio.frames, audio.samplerate)
            audio.seek(start)
            while True:
                wanted = min(block_frames, remaining)
                block = audio.read(wanted, dtype="float32", always_2d=True)
                remaining -= len(block)
                last = len(block) < block_frames or remaining <= 0
                mono = block.mean(axis=1) if len(block) else np.zeros(0, dtype=np.float32)
                if resampler is not None:
                    mono = resampler.resample_chunk(mono, last=last)
                yield mono
                if last:
                    return
    except AudioError:
        raise
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        raise AudioError(f"Cannot read audio file {path}: {error}") from None


def _stream_resampler(file_rate: int, sample_rate: int):
    if file_rate == sample_rate:
        return None
    import soxr

    return soxr.ResampleStream(file_rate, sample_rate, 1, dtype="float32", quality="HQ")
