"""`LogitPipeline`: the one path from audio to logits, streamed in length-sorted batches.

Worker threads read audio and compute features ahead of the model (a bounded queue); long
inputs are split into chunks (`speech_lstm.inference.chunking`) as they are read; a window of
`batch_size * sort_window` segments is sorted by length and run through the logit computer in
batches. Memory stays bounded by the window and the chunk length, whatever the number and
length of the inputs. A model trained with speaker-level normalisation takes one pass over
the inputs first, for each speaker's feature statistics. With a warp search
(`speech_lstm.inference.warp_search`), every segment is read at each factor and the logits
the model is most confident about are kept.

Transcription decodes these batches (`speech_lstm.transcription`), and so does decoder tuning
(`speech_lstm.evaluation.tuning`), which keeps only the logits.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.audio import AudioError, AudioSpan, span_frames
from speech_lstm.features import FeatureStatistics, MfccConfig
from speech_lstm.inference.chunking import (
    Chunk,
    ChunkingConfig,
    split_waveform,
    stream_file_chunks,
)
from speech_lstm.inference.featurize import Segment, featurize, load_whole
from speech_lstm.inference.logits import AveragedLogits, LogitComputer
from speech_lstm.inference.warp_search import most_confident, search_warps

AudioInput = str | Path | np.ndarray | AudioSpan


@dataclass
class LogitBatch:
    """One forward pass, with the window's failed segments reported before it.

    Attributes:
        segments: the segments run, in batch order.
        logits: (batch, steps, vocab) logits to decode (for an ensemble, the averaged
            log-posteriors); None when no segment was run.
        lengths: (batch,) valid steps of each row.
        members: the logits to align words on: each ensemble member's own, or `[logits]`.
        failed: segments that could not be read or featurised.
        warps: with a warp search, the factor each row was read at; empty without one.
    """

    segments: list[Segment] = field(default_factory=list)
    logits: np.ndarray | None = None
    lengths: np.ndarray | None = None
    members: list[np.ndarray] = field(default_factory=list)
    failed: list[Segment] = field(default_factory=list)
    warps: list[float] = field(default_factory=list)


class LogitPipeline:
    """Audio in, batches of logits out.

    Args:
        features: the model's front end (sample rate, MFCC settings, normalisation scope).
        logits: the logit computer (`speech_lstm.inference.backends.backend_logits`).
        num_workers: threads reading audio and computing features (without
            `feature_executor`).
        chunking: when and how long inputs are split; `ChunkingConfig(0)` never splits.
        feature_executor: computes the features instead of `num_workers` threads of this
            process (a job's worker processes, `featurize.feature_processes`); its owner
            shuts it down.
        warp_search: warp factors to read every segment at, keeping the logits the model is
            most confident about (`warp_search.search_warps`); empty reads inputs as they are.

    Raises:
        ValueError: a worker count below 1; a warp search with a model normalised per
            speaker, whose statistics are pooled over unwarped features only.
    """

    def __init__(
        self,
        features: MfccConfig,
        logits: LogitComputer,
        num_workers: int = 2,
        chunking: ChunkingConfig | None = None,
        feature_executor: Executor | None = None,
        warp_search: Sequence[float] = (),
    ):
        if num_workers < 1:
            raise ValueError(f"num_workers must be >= 1. Received: {num_workers}")
        self.warps = search_warps(warp_search)
        if self.warps and features.normalizes_per_speaker:
            raise ValueError(
                "warp_search cannot be used with a model normalised per speaker "
                "(features.normalize_scope: speaker): its speaker statistics are those of "
                f"unwarped audio. Received: warp_search={list(warp_search)}"
            )
        self.features = features
        self.logits = logits
        self.num_workers = num_workers
        self.chunking = chunking or ChunkingConfig()
        self.feature_executor = feature_executor

    def batches(
        self,
        inputs: Iterable[AudioInput],
        batch_size: int = 16,
        sort_window: int = 8,
        speakers: Sequence[str | None] | None = None,
        statistics: Mapping[str, FeatureStatistics] | None = None,
    ) -> Iterator[LogitBatch]:
        """Yields the logits of every segment of `inputs`, window by window, in length order.

        Args:
            inputs: audio paths, `AudioSpan`s (a stretch of a file), or float waveforms at
                the model's sample rate, shaped (samples,) or (samples, channels).
            batch_size: segments per forward pass.
            sort_window: batches' worth of segments sorted by length together.
            speakers: for a model normalised per speaker (`features.normalize_scope:
                speaker`), each input's speaker; an input without one is its own speaker.
                Every input is then read twice: once to pool each speaker's statistics,
                then for the logits.
            statistics: named speakers' statistics (from `speaker_statistics`) used instead
                of pooling them over `inputs`, so that a subset of a set is normalised as the
                whole set was (a resumed job); their inputs are then read once.
        """
        if batch_size < 1 or sort_window < 1:
            raise ValueError(
                f"batch_size and sort_window must be >= 1. Received: {batch_size}, {sort_window}"
            )
        per_input = None
        if self.features.normalizes_per_speaker:
            inputs = list(inputs)
            per_input = self._statistics_per_input(inputs, speakers, statistics or {})
        window = batch_size * sort_window
        with self._workers() as pool:
            segments = _in_order(self._segment_futures(inputs, pool), depth=window)
            for group in _groups(segments, window):
                yield from self._window(group, batch_size, per_input)

    def speaker_statistics(
        self, inputs: Sequence[AudioInput], speakers: Sequence[str | None]
    ) -> dict[str, FeatureStatistics]:
        """Each named speaker's feature statistics pooled over its inputs among `inputs`
        (inputs without a speaker, or that cannot be read, add nothing)."""
        _check_speakers(inputs, speakers)
        named = [i for i, speaker in enumerate(speakers) if speaker is not None]
        pooled = self._pool([inputs[i] for i in named], [speakers[i] for i in named])
        return {str(key): value for key, value in pooled.items()}

    def _statistics_per_input(
        self,
        inputs: list[AudioInput],
        speakers: Sequence[str | None] | None,
        known: Mapping[str, FeatureStatistics],
    ) -> list[FeatureStatistics]:
        """The pooled feature statistics of each input's speaker, in input order: from
        `known` where it names the speaker, else pooled over `inputs`."""
        if speakers is not None:
            _check_speakers(inputs, speakers)
        keys: list[Hashable] = [
            ("speaker", speakers[i]) if speakers and speakers[i] is not None else ("input", i)
            for i in range(len(inputs))
        ]
        missing = [i for i, key in enumerate(keys) if not (key[0] == "speaker" and key[1] in known)]
        pooled = self._pool([inputs[i] for i in missing], [keys[i] for i in missing])
        pooled.update({("speaker", name): value for name, value in known.items()})
        return [pooled[key] for key in keys]

    def _pool(
        self, inputs: Sequence[AudioInput], keys: Sequence[Hashable]
    ) -> dict[Hashable, FeatureStatistics]:
        """Statistics pooled per key over `inputs` (one key each); unreadable inputs add
        nothing (the logit pass reports them)."""
        pooled = {key: FeatureStatistics(self.features.feature_dim) for key in keys}
        with self._workers() as pool:
            for segment in _in_order(self._segment_futures(inputs, pool), depth=64):
                if segment.error is None:
                    pooled[keys[segment.item]].add(segment.features)
        return pooled

    def _workers(self) -> AbstractContextManager[Executor]:
        """The feature workers of one pass: the given executor, or threads for the pass."""
        if self.feature_executor is not None:
            return nullcontext(self.feature_executor)
        return ThreadPoolExecutor(self.num_workers)

    def _window(
        self,
        group: list[Segment],
        batch_size: int,
        statistics: list[FeatureStatistics] | None = None,
    ) -> Iterator[LogitBatch]:
        """The window's batches, its failed segments reported with the first."""
        failed = [s for s in group if s.error is not None]
        good = sorted((s for s in group if s.error is None), key=lambda s: len(s.features))
        if statistics is not None:
            for segment in good:
                segment.features = statistics[segment.item].normalize(segment.features)
        if not good:
            yield LogitBatch(failed=failed)
            return
        for start in range(0, len(good), batch_size):
            batch = self._forward(good[start : start + batch_size])
            batch.failed = failed if start == 0 else []
            yield batch

    def _forward(self, segments: list[Segment]) -> LogitBatch:
        """The logits of one batch of segments; with a warp search, each row's from its most
        confident reading."""
        if not self.warps:
            return LogitBatch(segments, *self._batch_logits([s.features for s in segments]))
        candidates = [self._batch_logits([s.features for s in segments])] + [
            self._batch_logits([s.warped[k] for s in segments]) for k in range(len(self.warps) - 1)
        ]
        logits, lengths, members, chosen = most_confident(candidates)
        warps = [self.warps[k] for k in chosen]
        return LogitBatch(segments, logits, lengths, members, warps=warps)

    def _batch_logits(
        self, features: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Logits to decode, step counts, and the logits to align words on: each member's
        own for an ensemble, else the same logits."""
        if isinstance(self.logits, AveragedLogits):
            return self.logits.with_members(features)
        logits, lengths = self.logits(features)
        return logits, lengths, [logits]

    def _segment_futures(self, inputs: Iterable[AudioInput], pool: Executor) -> Iterator[Future]:
        """Futures of every input's segments, in input order (long files chunked lazily)."""
        for item, source in enumerate(inputs):
            name = f"<array {item}>" if isinstance(source, np.ndarray) else str(source)
            if isinstance(source, np.ndarray):
                try:
                    chunks: Iterable[Chunk] = self._array_chunks(source)
                except ValueError as error:
                    yield _completed(Segment(item, name, 0, error=str(error)))
                    continue
            else:
                seconds, error = _header_seconds(source)
                if error is not None:
                    yield _completed(Segment(item, name, 0, error=error))
                    continue
                if not self.chunking.needs_split(seconds):
                    yield pool.submit(load_whole, self.features, item, name, source, self.warps)
                    continue
                chunks = stream_file_chunks(source, self.features.sample_rate, self.chunking)
            yield from self._chunk_futures(item, name, chunks, pool)

    def _chunk_futures(
        self, item: int, name: str, chunks: Iterable[Chunk], pool: Executor
    ) -> Iterator[Future]:
        """Submits each chunk's features, marking the last; a read error ends the input."""
        previous: tuple[int, Chunk] | None = None
        try:
            for part, chunk in enumerate(chunks):
                if previous is not None:
                    yield self._submit_chunk(pool, item, name, *previous, False)
                previous = (part, chunk)
        except (AudioError, ValueError) as error:
            part = previous[0] + 1 if previous else 0
            if previous is not None:
                yield self._submit_chunk(pool, item, name, *previous, False)
            yield _completed(Segment(item, name, part, error=str(error)))
            return
        if previous is None:
            yield _completed(Segment(item, name, 0, error=f"Audio has no samples: {name}"))
            return
        yield self._submit_chunk(pool, item, name, *previous, True)

    def _submit_chunk(
        self, pool: Executor, item: int, name: str, part: int, chunk: Chunk, last: bool
    ) -> Future:
        return pool.submit(featurize, self.features, item, name, part, chunk, last, self.warps)

    def _array_chunks(self, waveform: np.ndarray) -> list[Chunk]:
        """Chunks of an in-memory waveform, downmixed to mono.

        Raises:
            ValueError: when the array is not (samples,) or (samples, channels), or is empty.
        """
        mono = np.asarray(waveform, dtype=np.float32)
        if mono.ndim == 2:
            mono = mono.mean(axis=1)
        if mono.ndim != 1 or mono.size == 0:
            raise ValueError(
                "Expected a non-empty waveform of shape (samples,) or (samples, channels). "
                f"Received: shape {waveform.shape}"
            )
        return split_waveform(mono, self.features.sample_rate, self.chunking)


def _header_seconds(source: str | Path | AudioSpan) -> tuple[float, str | None]:
    """Duration from the file header (a span's own length), or the reason the file (or the
    span) cannot be read."""
    path = source.path if isinstance(source, AudioSpan) else source
    if not Path(path).is_file():
        return 0.0, f"Audio file not found: {path}"
    try:
        info = soundfile.info(os.fsencode(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        return 0.0, f"Cannot read audio file {path}: {error}"
    if info.frames <= 0:
        return 0.0, f"Audio file has no samples: {path}"
    if not isinstance(source, AudioSpan):
        return float(info.duration), None
    try:
        _, frames = span_frames(source, info.frames, info.samplerate)
    except AudioError as error:
        return 0.0, str(error)
    return frames / info.samplerate, None


def _check_speakers(inputs: Sequence[AudioInput], speakers: Sequence[str | None]) -> None:
    if len(speakers) != len(inputs):
        raise ValueError(f"Need one speaker per input ({len(inputs)}). Received: {len(speakers)}")


def _completed(segment: Segment) -> Future:
    future: Future = Future()
    future.set_result(segment)
    return future


def _in_order(futures: Iterable[Future], depth: int) -> Iterator[Segment]:
    """Results of `futures` in order, keeping up to `depth` of them running ahead."""
    queue: deque[Future] = deque()
    for future in futures:
        queue.append(future)
        if len(queue) > depth:
            yield queue.popleft().result()
    while queue:
        yield queue.popleft().result()


def _groups(segments: Iterable[Segment], size: int) -> Iterator[list[Segment]]:
    group: list[Segment] = []
    for segment in segments:
        group.append(segment)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group
