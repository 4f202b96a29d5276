"""`Transcriber`: audio in, typed results out, one bad input never stopping the rest.

Audio becomes logits through `speech_lstm.inference.pipeline.LogitPipeline` (worker threads,
chunks of long inputs, length-sorted batches); each batch is decoded here, and every input
whose segments are all done is stitched (texts joined, word times offset) and handed back at
once.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from speech_lstm.audio import AudioSpan
from speech_lstm.decoding.alignment import WordTiming, word_timings
from speech_lstm.decoding.decoder import Decoder, DecoderConfig, PendingTexts
from speech_lstm.features import FeatureStatistics
from speech_lstm.inference.backends import backend_logits, member_logits
from speech_lstm.inference.chunking import ChunkingConfig
from speech_lstm.inference.logits import AveragedLogits, LogitComputer
from speech_lstm.inference.model_dir import TrainedModel, load_model_dir
from speech_lstm.inference.pipeline import AudioInput, LogitBatch, LogitPipeline, Segment
from speech_lstm.transcription.config import TranscribeConfig
from speech_lstm.transcription.results import TranscriptionResult

log = logging.getLogger(__name__)


@dataclass
class _Partial:
    """What is known so far of an input whose segments are still running."""

    texts: dict[int, str] = field(default_factory=dict)
    words: dict[int, list[WordTiming]] = field(default_factory=dict)
    warps: dict[int, float] = field(default_factory=dict)
    seconds: float = 0.0
    parts: int | None = None
    error: str | None = None


class Transcriber:
    """Turns audio into text with a model directory.

    Args:
        trained: the loaded model directory.
        decoder: how logits become text (greedy by default).
        num_workers: threads reading audio and computing features, and threads running the
            beam_lm search (alongside the network).
        chunking: when and how long inputs are split.
        timestamps: add timed, scored `words` to each result.
        logits: the logit computer; by default the Keras model through one `tf.function`.
        feature_executor: computes the features instead of `num_workers` threads (a job's
            worker processes, `speech_lstm.inference.featurize.feature_processes`).
        warp_search: warp factors to read each segment at, decoding the reading the model is
            most confident about (`speech_lstm.inference.warp_search`); each factor costs
            one more forward pass. Empty (the default) reads inputs as they are.

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
        feature_executor: Executor | None = None,
        warp_search: Sequence[float] = (),
    ):
        self.trained = trained
        self.decoder = decoder or DecoderConfig()
        subsampling = trained.model_config.subsampling
        self.logits = logits or LogitComputer(trained.acoustic_model, subsampling)
        self.pipeline = LogitPipeline(
            trained.features, self.logits, num_workers, chunking, feature_executor, warp_search
        )
        self.timestamps = timestamps
        lm = (
            trained.language_model(self.decoder.lm_path) if self.decoder.type == "beam_lm" else None
        )
        self._decode = Decoder(self.decoder, trained.vocabulary, lm, workers=num_workers)
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
            **options: `num_workers`, `chunking`, `timestamps`, `feature_executor`,
                `warp_search` (see the class).

        Raises:
            ValueError: an ensemble member that cannot be averaged, naming each difference.
        """
        trained = load_model_dir(model_dir)
        logits = backend_logits(trained, model_dir, backend)
        if ensemble:
            members = [member_logits(trained, member, backend) for member in ensemble]
            logits = AveragedLogits([logits, *members])
        return cls(trained, decoder, logits=logits, **options)

    def transcribe(
        self,
        inputs: AudioInput | Sequence[AudioInput],
        batch_size: int = 16,
        sort_window: int = 8,
        speakers: Sequence[str | None] | None = None,
    ) -> TranscriptionResult | list[TranscriptionResult]:
        """Transcribes one input, or a sequence of them with results in input order.

        Args:
            inputs: an audio path, an `AudioSpan` (a stretch of a file: the result then
                names the file and the span's `offset`, and word times count from the start
                of the file), or a float waveform at the model's sample rate, shaped
                (samples,) or (samples, channels); or a sequence of them.
            batch_size: segments per forward pass.
            sort_window: batches' worth of segments sorted by length together.
            speakers: each input's speaker, for a model normalised per speaker (see
                `transcribe_batches`).

        Returns:
            One `TranscriptionResult` for one input, a list of them for a sequence.
        """
        if _is_single_input(inputs):
            return self.transcribe([inputs], batch_size, sort_window, speakers)[0]
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
        if _is_single_input(inputs):
            raise TypeError(
                "transcribe_batches takes an iterable of inputs, not one path or waveform: "
                f"wrap it in a list, or call transcribe(). Received: {type(inputs).__name__}"
            )
        partials: dict[int, _Partial] = {}
        spans: dict[int, AudioSpan] = {}
        inputs = _noting_spans(inputs, spans)
        batches = self.pipeline.batches(inputs, batch_size, sort_window, speakers, statistics)
        # Each batch decodes (beam_lm: in worker threads) while the network runs the next.
        pending: deque[tuple[LogitBatch, PendingTexts | None]] = deque()
        for batch in batches:
            texts = self._decode.submit(batch.logits, batch.lengths) if batch.segments else None
            pending.append((batch, texts))
            if len(pending) > 1 and (
                finished := self._decode_batch(*pending.popleft(), partials, spans)
            ):
                yield finished
        while pending:
            if finished := self._decode_batch(*pending.popleft(), partials, spans):
                yield finished

    def speaker_statistics(
        self, inputs: Sequence[AudioInput], speakers: Sequence[str | None]
    ) -> dict[str, FeatureStatistics]:
        """Each named speaker's feature statistics pooled over its inputs among `inputs`
        (inputs without a speaker, or that cannot be read, add nothing)."""
        return self.pipeline.speaker_statistics(inputs, speakers)

    def _decode_batch(
        self,
        batch: LogitBatch,
        pending: PendingTexts | None,
        partials: dict[int, _Partial],
        spans: dict[int, AudioSpan],
    ) -> list[tuple[int, TranscriptionResult]]:
        """Records the batch's failed and decoded segments; returns the inputs they complete."""
        finished = [
            done for s in batch.failed if (done := self._record(s, "", None, partials, spans))
        ]
        if pending is None:
            return finished
        texts = pending.result()
        for index, (segment, text, length) in enumerate(zip(batch.segments, texts, batch.lengths)):
            rows = [member[index][: int(length)] for member in batch.members]
            words = self._words(rows, text, segment)
            warp = batch.warps[index] if batch.warps else None
            if done := self._record(segment, text, words, partials, spans, warp):
                finished.append(done)
        return finished

    def _words(
        self, per_model: list[np.ndarray], text: str, segment: Segment
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
        segment: Segment,
        text: str,
        words: list[WordTiming] | None,
        partials: dict[int, _Partial],
        spans: dict[int, AudioSpan],
        warp: float | None = None,
    ) -> tuple[int, TranscriptionResult] | None:
        """Adds a decoded segment (`warp`: the factor a warp search decoded it at); returns
        its input's result once all its segments are in."""
        partial = partials.setdefault(segment.item, _Partial())
        partial.texts[segment.part] = text
        partial.words[segment.part] = words or []
        if warp is not None:
            partial.warps[segment.part] = warp
        partial.seconds += segment.seconds
        partial.error = partial.error or segment.error
        if segment.last:
            partial.parts = segment.part + 1
        if partial.parts is None or len(partial.texts) < partial.parts:
            return None
        del partials[segment.item]
        return segment.item, self._stitch(segment.name, partial, spans.pop(segment.item, None))

    def _stitch(
        self, name: str, partial: _Partial, span: AudioSpan | None = None
    ) -> TranscriptionResult:
        """The input's result; a span's names its file and offset."""
        path, offset = (span.path, span.offset) if span is not None else (name, None)
        if partial.error is not None:
            log.warning("Failed to transcribe %s: %s", name, partial.error)
            return TranscriptionResult(path, None, None, partial.error, offset=offset)
        order = sorted(partial.texts)
        text = " ".join(t for t in (partial.texts[p] for p in order) if t)
        words = [w for p in order for w in partial.words[p]] if self.timestamps else None
        warps = [partial.warps[p] for p in order] if self.pipeline.warps else None
        seconds = round(partial.seconds, 3)
        return TranscriptionResult(path, text, seconds, None, words, offset=offset, warps=warps)


def load_job_transcriber(
    config: TranscribeConfig, timestamps: bool, feature_executor: Executor | None = None
) -> Transcriber:
    """The `Transcriber` a transcription job's settings describe: one per local job, one per
    Ray worker, so that both runners transcribe alike (`feature_executor`: see the class)."""
    return Transcriber.load(
        config.model_dir,
        config.decoder,
        backend=config.backend,
        ensemble=config.ensemble,
        num_workers=config.num_workers,
        chunking=ChunkingConfig(config.chunk_seconds, config.chunk_search_seconds),
        timestamps=timestamps,
        feature_executor=feature_executor,
        warp_search=config.warp_search,
    )


def _is_single_input(inputs: object) -> bool:
    """A path, span or waveform, not a sequence of them (a bare string would otherwise be
    read as a sequence of one-character paths)."""
    return isinstance(inputs, (str, Path, np.ndarray, AudioSpan))


def _noting_spans(inputs: Iterable[AudioInput], spans: dict[int, AudioSpan]) -> Iterator:
    """`inputs` unchanged, recording each `AudioSpan` in `spans` by position as it passes."""
    for position, source in enumerate(inputs):
        if isinstance(source, AudioSpan):
            spans[position] = source
        yield source
