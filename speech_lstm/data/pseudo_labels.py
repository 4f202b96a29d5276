"""Pseudo-labels: a model's confident transcriptions of unlabelled audio, as a training manifest.

This is unsupervised adaptation to a new speaker or domain: transcribe their recordings
(`scripts/transcribe.py ... timestamps=true`), keep the transcriptions whose every word the
model was sure of, and fine-tune on them (`trainer.init_from`). A wrong label that gets in
teaches the error, so the threshold trades how much audio is kept against how often its
label is wrong; when the audio's manifest happens to hold reference transcripts, the summary
says how many kept labels match them (a diagnostic only: references never decide what is kept).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from speech_lstm.data.manifest import Utterance, iter_jsonl_lines, read_manifest, write_manifest
from speech_lstm.text import normalize_text


@dataclass
class PseudoLabelConfig:
    """`scripts/pseudo_label.py`: transcriptions in, a manifest of the confident ones out.

    Attributes:
        predictions: JSONL written by `scripts/transcribe.py` with `timestamps=true` (each row
            needs `words` with confidences).
        output: the manifest of kept utterances to write.
        min_confidence: keep a row when its least confident word reaches this (0-1).
        manifest: the manifest the audio was transcribed from, if any: kept rows take its
            `speaker` field, and its transcripts (where present) measure the labels' accuracy.
        speaker: a speaker for every kept row (e.g. a folder of one person's recordings);
            overrides the manifest's. Speaker-normalised training groups audio by it.
    """

    predictions: str = "???"
    output: str = "???"
    min_confidence: float = 0.9
    manifest: str | None = None
    speaker: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1]. Received: {self.min_confidence}")


@dataclass
class PseudoLabelSummary:
    """What happened to each transcription, and how the kept labels compare with references."""

    rows: int = 0
    kept: int = 0
    failed: int = 0
    empty: int = 0
    below_threshold: int = 0
    checked: int = 0
    correct: int = 0

    def text(self) -> str:
        """One paragraph for the console."""
        lines = [
            f"kept {self.kept} of {self.rows} transcriptions; dropped: {self.below_threshold} "
            f"below the confidence threshold, {self.empty} empty, {self.failed} failed"
        ]
        if self.checked:
            lines.append(
                f"labels matching the manifest's transcripts: {self.correct} of {self.checked} "
                f"({self.correct / self.checked:.1%})"
            )
        return "\n".join(lines)


def transcription_confidence(row: dict) -> float:
    """The lowest word confidence of a transcription row; 0 when it has no words."""
    words = row.get("words") or []
    return min((float(word["confidence"]) for word in words), default=0.0)


def select_pseudo_labels(
    rows: Iterable[dict],
    min_confidence: float,
    sources: dict[str, Utterance] | None = None,
    speaker: str | None = None,
) -> tuple[list[Utterance], PseudoLabelSummary]:
    """Utterances labelled with their confident transcriptions.

    Args:
        rows: transcription rows (`audio_filepath`, `text`, `duration`, `words`, or `error`).
        min_confidence: the least confident word of a kept row reaches this.
        sources: the input manifest's utterances by absolute audio path, for speakers and the
            accuracy check.
        speaker: overrides every kept row's speaker.

    Raises:
        ValueError: a row lacks word confidences (transcribed without `timestamps=true`).
    """
    sources = sources or {}
    summary = PseudoLabelSummary()
    kept: list[Utterance] = []
    for row in rows:
        summary.rows += 1
        if row.get("error"):
            summary.failed += 1
            continue
        if "words" not in row:
            raise ValueError(
                f"{row.get('audio_filepath')}: no word confidences. Transcribe with "
                "timestamps=true."
            )
        if not row.get("text", "").strip():
            summary.empty += 1
            continue
        if transcription_confidence(row) < min_confidence:
            summary.below_threshold += 1
            continue
        source = sources.get(str(Path(row["audio_filepath"]).resolve()))
        kept.append(
            Utterance(
                audio_filepath=row["audio_filepath"],
                duration=float(row["duration"]),
                text=row["text"],
                speaker=speaker or (source.speaker if source else None),
            )
        )
        if source is not None and source.text.strip():
            summary.checked += 1
            summary.correct += normalize_text(source.text) == normalize_text(row["text"])
    summary.kept = len(kept)
    return kept, summary


def write_pseudo_labels(config: PseudoLabelConfig) -> PseudoLabelSummary:
    """Reads `config.predictions`, writes the confident rows to `config.output`."""
    sources = {}
    if config.manifest:
        sources = {str(Path(u.audio_filepath).resolve()): u for u in read_manifest(config.manifest)}
    rows = (_parse_row(number, line) for number, line in iter_jsonl_lines(config.predictions))
    kept, summary = select_pseudo_labels(rows, config.min_confidence, sources, config.speaker)
    write_manifest(config.output, kept)
    return summary


def _parse_row(number: int, line: str) -> dict:
    """A predictions line as a row; a line cut short (an interrupted run) is a failed row."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return {"error": f"line {number}: not valid JSON ({error.msg})"}
    return row if isinstance(row, dict) else {"error": f"line {number}: not a JSON object"}
