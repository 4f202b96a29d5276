"""One input (or chunk of one) read and turned into features: the work of `LogitPipeline`'s
feature workers.

The workers are threads of the pipeline's process by default. A transcription job instead
starts worker processes (`feature_processes`) before it loads TensorFlow, so that librosa's
import and first MFCC (about 2 s of CPU) happen on another core while TensorFlow loads.
Nothing here imports TensorFlow: a worker process stays small.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from speech_lstm.audio import AudioError, AudioSpan, load_audio
from speech_lstm.features import MfccConfig, compute_mfcc, compute_mfccs
from speech_lstm.inference.chunking import Chunk


@dataclass
class Segment:
    """One model input: a whole short input or one chunk of a long one.

    Attributes:
        item: position of its input among the inputs.
        name: the input's path (with its span for an `AudioSpan`), or `<array N>` for a
            waveform.
        part: its number among the input's segments.
        offset: where it starts in the input's file, in seconds (a span's offset included).
        seconds: its duration.
        features: (frames, dims) features; None when it failed.
        error: why it could not be read or featurised; None when it could.
        last: whether it is its input's last segment.
        warped: for a warp search, the features at each other factor of the search, in
            its order (`speech_lstm.inference.warp_search`); empty without one.
    """

    item: int
    name: str
    part: int
    offset: float = 0.0
    seconds: float = 0.0
    features: np.ndarray | None = None
    error: str | None = None
    last: bool = True
    warped: list[np.ndarray] = field(default_factory=list)


def load_whole(
    features: MfccConfig,
    item: int,
    name: str,
    source: str | Path | AudioSpan,
    warps: tuple[float, ...] = (),
) -> Segment:
    """The one segment of an input short enough not to be chunked, or its read error."""
    span = source if isinstance(source, AudioSpan) else AudioSpan(str(source))
    try:
        waveform = load_audio(span.path, features.sample_rate, span.offset, span.duration)
    except AudioError as error:
        return Segment(item, name, 0, error=str(error))
    return featurize(features, item, name, 0, Chunk(span.offset, waveform), True, warps)


def featurize(
    features: MfccConfig,
    item: int,
    name: str,
    part: int,
    chunk: Chunk,
    last: bool,
    warps: tuple[float, ...] = (),
) -> Segment:
    """The segment of one chunk, or why its features cannot be computed; with `warps` (a
    warp search's factors, 1.0 first), also its features at each of the others."""
    segment = Segment(item, name, part, chunk.offset, last=last)
    rate = features.sample_rate
    try:
        segment.features, *segment.warped = compute_mfccs(
            chunk.waveform, rate, features, warps or (1.0,)
        )
    except ValueError as error:
        segment.error = f"Cannot compute features of {name}: {error}"
        return segment
    segment.seconds = len(chunk.waveform) / rate
    return segment


def warm_up() -> None:
    """Imports librosa and loads its compiled functions by computing one small MFCC."""
    noise = np.random.default_rng(0).normal(0.0, 0.01, 8000).astype(np.float32)
    compute_mfcc(noise, 16000, MfccConfig())


@contextmanager
def feature_processes(num_workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Up to `num_workers` feature worker processes for a job, the first started (and warmed
    up) at once; None, for the pipeline's own threads, with fewer than 2 CPU cores or
    `num_workers < 1`. Start it before importing TensorFlow."""
    if num_workers < 1 or _usable_cores() < 2:
        yield None
        return
    from speech_lstm.parallel import audio_process_pool

    pool = audio_process_pool(num_workers)
    pool.submit(warm_up)  # more workers start when the pipeline has work for them
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _usable_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
