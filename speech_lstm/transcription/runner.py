"""`run_transcription`: what `scripts/transcribe.py` does, testable without Hydra."""

from __future__ import annotations

import logging
from collections.abc import Generator
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

from speech_lstm.transcription.config import TranscribeConfig
from speech_lstm.transcription.inputs import (
    InputItem,
    input_root,
    input_speakers,
    read_input_items,
)
from speech_lstm.transcription.output_formats import (
    PER_FILE_FORMATS,
    TIMED_FORMATS,
    choose_format,
    open_writer,
)
from speech_lstm.transcription.progress import Progress

if TYPE_CHECKING:
    from speech_lstm.transcription.results import TranscriptionResult

log = logging.getLogger(__name__)


def run_transcription(
    config: TranscribeConfig, feature_executor: Executor | None = None
) -> dict[str, int]:
    """Transcribes `config.input` into `config.output`, writing and flushing every batch.

    With `config.resume`, inputs that already have a row in the output (done or failed) are
    skipped and new rows are appended, so rerunning an interrupted job neither repeats nor
    loses a row. Subtitle formats and CTM turn on word timestamps. A JSONL manifest's rows
    are written to JSONL with their own fields and the hypothesis in
    `config.hypothesis_field` (NeMo's layout); `hypothesis_field=null` writes ours.
    `feature_executor` computes a local job's features (the job's worker processes,
    `speech_lstm.inference.featurize.feature_processes`) instead of threads.

    Returns:
        Counts of `done`, `failed` and `skipped` inputs; also logged as a summary line.
    """
    fmt = choose_format(config.output, config.format)
    if config.runner == "ray":
        from speech_lstm.transcription.ray_runner import ray_batches, require_ray

        require_ray()  # before the writer opens (and, without resume, empties) the output
    items = read_input_items(config.input, config.extensions)
    root = input_root(config.input, [item.path for item in items])
    writer = open_writer(config.output, fmt, config.resume, root, config.hypothesis_field)
    pending = _not_finished(items, writer.finished_inputs()) if config.resume else items
    summary = {"done": 0, "failed": 0, "skipped": len(items) - len(pending)}
    timestamps = config.timestamps or fmt in TIMED_FORMATS
    if config.runner == "ray":
        batches = ray_batches(config, items, pending, timestamps)
    else:
        batches = _local_batches(config, items, pending, timestamps, feature_executor)
    progress = Progress(len(pending), enabled=config.progress)
    try:
        for batch in batches:
            for position, result in batch:
                writer.write(result, pending[position].row)
                summary["done" if result.ok else "failed"] += 1
            writer.flush()
            progress.update(len(batch), sum(r.duration or 0.0 for _, r in batch))
    finally:
        batches.close()  # stops the pipeline's threads, or the Ray workers
        writer.close()
        progress.close()
    log.info(_summary_line(summary, config.output, fmt))
    return summary


def _local_batches(
    config: TranscribeConfig,
    items: list[InputItem],
    pending: list[InputItem],
    timestamps: bool,
    feature_executor: Executor | None = None,
) -> Generator[list[tuple[int, TranscriptionResult]], None, None]:
    """(position in `pending`, result) pairs from a model loaded in this process."""
    from speech_lstm.transcription.transcriber import load_job_transcriber

    transcriber = load_job_transcriber(config, timestamps, feature_executor)
    speakers = input_speakers(pending, config.speaker)
    statistics = None
    if len(pending) < len(items) and transcriber.trained.features.normalizes_per_speaker:
        # A resumed job normalises what is left with each speaker's statistics over all of
        # its inputs, as the uninterrupted job did, not over the ones still pending.
        every_speaker = input_speakers(items, config.speaker)
        statistics = transcriber.speaker_statistics([i.source for i in items], every_speaker)
    sources = [item.source for item in pending]
    yield from transcriber.transcribe_batches(
        sources, config.batch_size, config.sort_window, speakers, statistics
    )


def __getattr__(name: str):
    # `Transcriber` loads TensorFlow: imported when a local job (or a caller) needs it, so
    # that a runner=ray driver, which only writes, never does.
    if name == "Transcriber":
        from speech_lstm.transcription.transcriber import Transcriber

        return Transcriber
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _not_finished(items: list[InputItem], finished: set[str]) -> list[InputItem]:
    """Inputs without a row yet, matching paths as written or resolved (and a segment's
    offset)."""
    resolved = {_resolved_key(key) for key in finished}
    return [item for item in items if not (item.resume_keys() & (finished | resolved))]


def _resolved_key(key: str) -> str:
    path, at, offset = key.rpartition("@") if "@" in key else (key, "", "")
    return str(Path(path).resolve()) + at + offset


def _summary_line(summary: dict[str, int], output: str, fmt: str) -> str:
    where = f"{output} ({fmt}, one file per input)" if fmt in PER_FILE_FORMATS else output
    return (
        f"transcription: {summary['done']} done, {summary['failed']} failed, "
        f"{summary['skipped']} skipped -> {where}"
    )
