"""`Transcriber`: audio in, typed results out, one bad input never stopping the rest.

The pipeline: worker threads read audio and compute features ahead of the model (a bounded
queue); long inputs are split into chunks (`speech_lstm.inference.chunking`) as they are read; a window
of `batch_size * sort_window` segments is sorted by length and run through the compiled model
in batches; each batch is decoded, and every input whose segments are all done is stitched
(texts joined, word times offset) and handed back at once. A model trained with
speaker-level normalisation takes one pass over the inputs first, for each speaker's
feature statistics.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.audio import AudioError, load_audio
from speech_lstm.decoding.alignment import WordTiming, word_timings
from speech_lstm.decoding.decoder import Decoder, DecoderConfig
from speech_lstm.decoding.lm import NgramLM
from speech_lstm.features import FeatureStatistics, compute_mfcc
from speech_lstm.inference.chunking import Chunk, ChunkingConfig, split_waveform, stream_file_chunks
from speech_lstm.inference.export import export_paths
from speech_lstm.inference.logits import (
    BACKENDS,
    AveragedLogits,
    LogitComputer,
    TfliteForward,
    saved_model_forward,
)
from speech_lstm.inference.model_dir import TrainedModel, ensemble_differences, load_model_dir
from speech_lstm.transcription.results import TranscriptionResult

log = logging.getLogger(__name__)

AudioInput = str | Path | np.ndarray


@dataclass
class _Segment:
    """One model input: a whole short input or one chunk of a long one."""

    item: int
    name: str
    part: int
    offset: float = 0.0
    seconds: float = 0.0
    features: np.ndarray | None = None
    error: str | None = None
    last: bool = True


@dataclass
class _Partial:
    """What is known so far of an input whose segments are still running."""

    texts: dict[int, str] = field(default_factory=dict)
    words: dict[int, list[WordTiming]] = field(default_factory=dict)
    seconds: float = 0.0
    parts: int | None = None
    error: str | None = None


class Transcriber:
    """Turns audio into text with a model directory.

    Args:
        trained: the loaded model directory.
        decoder: how logits become text (greedy by default).
        num_workers: threads reading audio and computing features.
        chunking: when and how long inputs are split.
        timestamps: add timed, scored `words` to each result.
        logits: the logit computer; by default the Keras model through one `tf.function`.

    Example:
        >>> t = Transcriber.load("outputs/train/model")  # doctest: +SKIP
        >>> t.transcribe(["a.wav", "b.flac"])[0].text  # doctest: +SKIP
    """

    def __init__(
        self,
        trained: TrainedModel,
        decoder: DecoderConfig | None = None,
        num_workers: int = 2,
        chunking: ChunkingConfig | None = None,
        timestamps: bool = False,
        logits: LogitComputer | None = None,
    ):
        if num_workers < 1:
            raise ValueError(f"num_workers must be >= 1. Received: {num_workers}")
        self.trained = trained
        self.decoder = decoder or DecoderConfig()
        self.num_workers = num_workers
        self.chunking = chunking or ChunkingConfig()
        self.timestamps = timestamps
        subsampling = trained.model_config.subsampling
        self._logits = logits or LogitComputer(trained.acoustic_model, subsampling)
        self._decode = Decoder(self.decoder, trained.vocabulary, trained.lm)
        self.step_seconds = trained.features.hop_length_ms * subsampling / 1000

    @classmethod
    def load(
        cls,
        model_dir: str | Path,
        decoder: DecoderConfig | None = None,
        backend: str = "keras",
        ensemble: Sequence[str | Path] = (),
        **options,
    ) -> Transcriber:
        """Opens a model directory written by training.

        Args:
            model_dir: the `model/` folder of a training run.
            decoder: decoder settings; `decoder.lm_path` replaces the directory's `lm.arpa`.
            backend: "keras" (default), or an export written by `scripts/export.py`:
                "saved_model", "tflite" (float32) or "tflite_int8".
            ensemble: more model directories whose log-posteriors are averaged with
                `model_dir`'s (`AveragedLogits`); features, frame rate and characters must
                match `model_dir`'s, and its LM is the one used.
            **options: `num_workers`, `chunking`, `timestamps` (see the class).

        Raises:
            ValueError: an ensemble member that cannot be averaged, naming each difference.
        """
        trained = load_model_dir(model_dir)
        if decoder is not None and decoder.lm_path:
            trained.lm = NgramLM.load_arpa(decoder.lm_path)
        logits = _backend_logits(trained, model_dir, backend)
        if ensemble:
            members = [_member_logits(trained, member, backend) for member in ensemble]
            logits = AveragedLogits([logits, *members])
        return cls(trained, decoder, logits=logits, **options)

    def transcribe(
        self,
        inputs: Sequence[AudioInput],
        batch_size: int = 16,
        sort_window: int = 8,
        speakers: Sequence[str | None] | None = None,
    ) -> list[TranscriptionResult]:
        """Transcribes paths or waveforms, returning results in input order.

        Args:
            inputs: audio paths, or float waveforms at the model's sample rate, shaped
                (samples,) or (samples, channels).
            batch_size: segments per forward pass.
            sort_window: batches' worth of segments sorted by length together.
            speakers: each input's speaker, for a model normalised per speaker (see
                `transcribe_batches`).
        """
        results: list[TranscriptionResult | None] = [None] * len(inputs)
        for batch in self.transcribe_batches(inputs, batch_size, sort_window, speakers):
            for position, result in batch:
                results[position] = result
        return results  # type: ignore[return-value]

    def transcribe_batches(
        self,
        inputs: Iterable[AudioInput],
        batch_size: int = 16,
        sort_window: int = 8,
        speakers: Sequence[str | None] | None = None,
        statistics: Mapping[str, FeatureStatistics] | None = None,
    ) -> Iterator[list[tuple[int, TranscriptionResult]]]:
        """Yields (input position, result) pairs after each model batch, as inputs complete.

        Within a window, inputs complete in length order, not input order; memory stays
        bounded by the window and the chunk length, whatever the number and length of inputs.

        For a model normalised per speaker (`features.normalize_scope: speaker`), every input
        is read twice: once to pool the statistics of each speaker in `speakers` (one entry
        per input), then to transcribe. An input without a speaker is its own speaker.
        `statistics` (from `speaker_statistics`) gives named speakers' statistics instead, so
        a subset of a set is normalised as the whole set was (a resumed job); their inputs
        are then read once.
        """
        if batch_size < 1 or sort_window < 1:
            raise ValueError(
                f"batch_size and sort_window must be >= 1. Received: {batch_size}, {sort_window}"
            )
        per_input = None
        if self.trained.features.normalizes_per_speaker:
            inputs = list(inputs)
            per_input = self._statistics_per_input(inputs, speakers, statistics or {})
        window = batch_size * sort_window
        partials: dict[int, _Partial] = {}
        with ThreadPoolExecutor(self.num_workers) as pool:
            segments = _in_order(self._segment_futures(inputs, pool), depth=window)
            for group in _groups(segments, window):
                yield from self._run_window(group, batch_size, partials, per_input)

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
        nothing (the transcription pass reports them)."""
        pooled = {key: FeatureStatistics(self.trained.features.feature_dim) for key in keys}
        with ThreadPoolExecutor(self.num_workers) as pool:
            for segment in _in_order(self._segment_futures(inputs, pool), depth=64):
                if segment.error is None:
                    pooled[keys[segment.item]].add(segment.features)
        return pooled

    def _run_window(
        self,
        group: list[_Segment],
        batch_size: int,
        partials: dict[int, _Partial],
        statistics: list[FeatureStatistics] | None = None,
    ) -> Iterator[list[tuple[int, TranscriptionResult]]]:
        failed = [s for s in group if s.error is not None]
        finished = [done for s in failed if (done := self._record(s, "", None, partials))]
        good = sorted((s for s in group if s.error is None), key=lambda s: len(s.features))
        if statistics is not None:
            for segment in good:
                segment.features = statistics[segment.item].normalize(segment.features)
        for start in range(0, len(good), batch_size):
            batch = good[start : start + batch_size]
            logits, lengths, per_model = self._batch_logits([s.features for s in batch])
            texts = self._decode(logits, lengths)
            for index, (segment, text, length) in enumerate(zip(batch, texts, lengths)):
                rows = [model_logits[index][: int(length)] for model_logits in per_model]
                words = self._words(rows, text, segment)
                if done := self._record(segment, text, words, partials):
                    finished.append(done)
            if finished:
                yield finished
                finished = []
        if finished:
            yield finished

    def _batch_logits(
        self, features: list[np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """Logits to decode, step counts, and the logits to align words on: each member's
        own for an ensemble, else the same logits."""
        if isinstance(self._logits, AveragedLogits):
            return self._logits.with_members(features)
        logits, lengths = self._logits(features)
        return logits, lengths, [logits]

    def _words(
        self, per_model: list[np.ndarray], text: str, segment: _Segment
    ) -> list[WordTiming] | None:
        """Word times from the first model's alignment of `text`; for an ensemble, each word's
        confidence is the mean of the members' own (each aligns the text on its posteriors)."""
        if not self.timestamps:
            return None
        aligned = [
            word_timings(
                logits,
                text,
                self.trained.vocabulary,
                self.step_seconds,
                segment.seconds,
                segment.offset,
            )
            for logits in per_model
        ]
        if len(aligned) == 1:
            return aligned[0]
        return [
            replace(word, confidence=round(float(np.mean([a[k].confidence for a in aligned])), 4))
            for k, word in enumerate(aligned[0])
        ]

    def _record(
        self,
        segment: _Segment,
        text: str,
        words: list[WordTiming] | None,
        partials: dict[int, _Partial],
    ) -> tuple[int, TranscriptionResult] | None:
        """Adds a decoded segment; returns its input's result once all its segments are in."""
        partial = partials.setdefault(segment.item, _Partial())
        partial.texts[segment.part] = text
        partial.words[segment.part] = words or []
        partial.seconds += segment.seconds
        partial.error = partial.error or segment.error
        if segment.last:
            partial.parts = segment.part + 1
        if partial.parts is None or len(partial.texts) < partial.parts:
            return None
        del partials[segment.item]
        return segment.item, self._stitch(segment.name, partial)

    def _stitch(self, name: str, partial: _Partial) -> TranscriptionResult:
        if partial.error is not None:
            log.warning("Failed to transcribe %s: %s", name, partial.error)
            return TranscriptionResult(name, None, None, partial.error)
        order = sorted(partial.texts)
        text = " ".join(t for t in (partial.texts[p] for p in order) if t)
        words = [w for p in order for w in partial.words[p]] if self.timestamps else None
        return TranscriptionResult(name, text, round(partial.seconds, 3), None, words)

    def _segment_futures(
        self, inputs: Iterable[AudioInput], pool: ThreadPoolExecutor
    ) -> Iterator[Future]:
        """Futures of every input's segments, in input order (long files chunked lazily)."""
        for item, source in enumerate(inputs):
            name = f"<array {item}>" if isinstance(source, np.ndarray) else str(source)
            if isinstance(source, np.ndarray):
                try:
                    chunks: Iterable[Chunk] = self._array_chunks(source)
                except ValueError as error:
                    yield _completed(_Segment(item, name, 0, error=str(error)))
                    continue
            else:
                seconds, error = _header_seconds(source)
                if error is not None:
                    yield _completed(_Segment(item, name, 0, error=error))
                    continue
                if not self.chunking.needs_split(seconds):
                    yield pool.submit(self._load_whole, item, name, source)
                    continue
                rate = self.trained.features.sample_rate
                chunks = stream_file_chunks(source, rate, self.chunking)
            yield from self._chunk_futures(item, name, chunks, pool)

    def _chunk_futures(
        self, item: int, name: str, chunks: Iterable[Chunk], pool: ThreadPoolExecutor
    ) -> Iterator[Future]:
        """Submits each chunk's features, marking the last; a read error ends the input."""
        previous: tuple[int, Chunk] | None = None
        try:
            for part, chunk in enumerate(chunks):
                if previous is not None:
                    yield pool.submit(self._featurize, item, name, *previous, False)
                previous = (part, chunk)
        except (AudioError, ValueError) as error:
            part = previous[0] + 1 if previous else 0
            if previous is not None:
                yield pool.submit(self._featurize, item, name, *previous, False)
            yield _completed(_Segment(item, name, part, error=str(error)))
            return
        if previous is None:
            yield _completed(_Segment(item, name, 0, error=f"Audio has no samples: {name}"))
            return
        yield pool.submit(self._featurize, item, name, *previous, True)

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
        return split_waveform(mono, self.trained.features.sample_rate, self.chunking)

    def _load_whole(self, item: int, name: str, path: str | Path) -> _Segment:
        try:
            waveform = load_audio(path, self.trained.features.sample_rate)
        except AudioError as error:
            return _Segment(item, name, 0, error=str(error))
        return self._featurize(item, name, 0, Chunk(0.0, waveform), True)

    def _featurize(self, item: int, name: str, part: int, chunk: Chunk, last: bool) -> _Segment:
        segment = _Segment(item, name, part, chunk.offset, last=last)
        rate = self.trained.features.sample_rate
        try:
            segment.features = compute_mfcc(chunk.waveform, rate, self.trained.features)
        except ValueError as error:
            segment.error = f"Cannot compute features of {name}: {error}"
            return segment
        segment.seconds = len(chunk.waveform) / rate
        return segment


def _backend_logits(trained: TrainedModel, model_dir: str | Path, backend: str) -> LogitComputer:
    """The logit computer for `backend`, reading exports from `<model_dir>/export/`."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}. Received: {backend!r}")
    subsampling = trained.model_config.subsampling
    if backend == "keras":
        return LogitComputer(trained.acoustic_model, subsampling)
    path = export_paths(model_dir)[backend]
    if not path.exists():
        raise FileNotFoundError(
            f"No {backend} export in {model_dir}: run scripts/export.py model_dir={model_dir}. "
            f"Received: missing {path}"
        )
    forward = saved_model_forward(path) if backend == "saved_model" else TfliteForward(path)
    return LogitComputer(None, subsampling, forward=forward)


def _member_logits(primary: TrainedModel, member_dir: str | Path, backend: str) -> LogitComputer:
    """The logit computer of an ensemble member, once it is known to match `primary`."""
    member = load_model_dir(member_dir, with_lm=False)
    differences = ensemble_differences(member, primary)
    if differences:
        raise ValueError(
            f"Ensemble member {member_dir} cannot be averaged with model_dir: "
            + "; ".join(differences)
            + ". Only models trained with the same features, frame rate and characters"
            " can be averaged."
        )
    return _backend_logits(member, member_dir, backend)


def _header_seconds(path: str | Path) -> tuple[float, str | None]:
    """Duration from the file header, or the reason the file cannot be read."""
    if not Path(path).is_file():
        return 0.0, f"Audio file not found: {path}"
    try:
        info = soundfile.info(str(path))
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        return 0.0, f"Cannot read audio file {path}: {error}"
    if info.frames <= 0:
        return 0.0, f"Audio file has no samples: {path}"
    return float(info.duration), None


def _check_speakers(inputs: Sequence[AudioInput], speakers: Sequence[str | None]) -> None:
    if len(speakers) != len(inputs):
        raise ValueError(f"Need one speaker per input ({len(inputs)}). Received: {len(speakers)}")


def _completed(segment: _Segment) -> Future:
    future: Future = Future()
    future.set_result(segment)
    return future


def _in_order(futures: Iterable[Future], depth: int) -> Iterator[_Segment]:
    """Results of `futures` in order, keeping up to `depth` of them running ahead."""
    queue: deque[Future] = deque()
    for future in futures:
        queue.append(future)
        if len(queue) > depth:
            yield queue.popleft().result()
    while queue:
        yield queue.popleft().result()


def _groups(segments: Iterable[_Segment], size: int) -> Iterator[list[_Segment]]:
    group: list[_Segment] = []
    for segment in segments:
        group.append(segment)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group
