"""`run_transcription`: what `scripts/transcribe.py` does, testable without Hydra."""

from __future__ import annotations

import logging
from pathlib import Path

from speech_lstm.inference.chunking import ChunkingConfig
from speech_lstm.transcription.config import TranscribeConfig
from speech_lstm.transcription.inputs import input_root, input_speakers, resolve_inputs
from speech_lstm.transcription.output_formats import PER_FILE_FORMATS, choose_format, open_writer
from speech_lstm.transcription.progress import Progress
from speech_lstm.transcription.transcriber import Transcriber

log = logging.getLogger(__name__)


def run_transcription(config: TranscribeConfig) -> dict[str, int]:
    """Transcribes `config.input` into `config.output`, writing and flushing every batch.

    With `config.resume`, inputs that already have a row in the output (done or failed) are
    skipped and new rows are appended, so rerunning an interrupted job neither repeats nor
    loses a row. Subtitle formats turn on word timestamps.

    Returns:
        Counts of `done`, `failed` and `skipped` inputs; also logged as a summary line.
    """
    fmt = choose_format(config.output, config.format)
    paths = resolve_inputs(config.input, config.extensions)
    writer = open_writer(config.output, fmt, config.resume, input_root(config.input, paths))
    pending = _not_finished(paths, writer.finished_inputs()) if config.resume else paths
    summary = {"done": 0, "failed": 0, "skipped": len(paths) - len(pending)}
    transcriber = Transcriber.load(
        config.model_dir,
        config.decoder,
        backend=config.backend,
        ensemble=config.ensemble,
        num_workers=config.num_workers,
        chunking=ChunkingConfig(config.chunk_seconds, config.chunk_search_seconds),
        timestamps=config.timestamps or fmt in ("srt", "vtt"),
    )
    speakers = input_speakers(config.input, pending, config.speaker)
    statistics = None
    if len(pending) < len(paths) and transcriber.trained.features.normalizes_per_speaker:
        # A resumed job normalises what is left with each speaker's statistics over all of
        # its inputs, as the uninterrupted job did, not over the ones still pending.
        every_speaker = input_speakers(config.input, paths, config.speaker)
        statistics = transcriber.speaker_statistics(paths, every_speaker)
    progress = Progress(len(pending), enabled=config.progress)
    batches = transcriber.transcribe_batches(
        pending, config.batch_size, config.sort_window, speakers, statistics
    )
    try:
        for batch in batches:
            for _, result in batch:
                writer.write(result)
                summary["done" if result.ok else "failed"] += 1
            writer.flush()
            progress.update(len(batch), sum(r.duration or 0.0 for _, r in batch))
    finally:
        writer.close()
        progress.close()
    log.info(_summary_line(summary, config.output, fmt))
    return summary


def _not_finished(paths: list[str], finished: set[str]) -> list[str]:
    """Inputs without a row yet, matching paths as written or resolved."""
    resolved = {str(Path(p).resolve()) for p in finished}
    return [p for p in paths if p not in finished and str(Path(p).resolve()) not in resolved]


def _summary_line(summary: dict[str, int], output: str, fmt: str) -> str:
    where = f"{output} ({fmt}, one file per input)" if fmt in PER_FILE_FORMATS else output
    return (
        f"transcription: {summary['done']} done, {summary['failed']} failed, "
        f"{summary['skipped']} skipped -> {where}"
    )
