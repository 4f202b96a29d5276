"""Pseudo-labels: a model's confident transcriptions of unlabelled audio, as a training manifest.

This is unsupervised adaptation to a new speaker or domain: transcribe their recordings
(`scripts/transcribe.py ... timestamps=true`), keep the transcriptions whose every word the
model was sure of (or, with `confidence: mean`, whose words it was surest of on average), and
fine-tune on them (`trainer.init_from`). A wrong label that gets in teaches the error, so the
threshold trades how much audio is kept against how often its label is wrong. When the audio's
manifest happens to hold reference transcripts, the summary says how many kept labels match
them and their word error rate (a diagnostic only: references never decide what is kept).
Repeated rounds (label with the adapted model, adapt again) can drift: a model that learnt a
wrong label grows confident in it and labels more audio the same wrong way. `agree_with` keeps
a label only when other transcriptions of the same audio (the unadapted model's, or other
models') say the same words, which new confident errors of one model rarely do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from speech_lstm.data.manifest import Utterance, iter_jsonl_lines, read_manifest, write_manifest
from speech_lstm.text import normalize_text

CONFIDENCE_READINGS = ("min", "mean")


@dataclass
class PseudoLabelConfig:
    """`scripts/pseudo_label.py`: transcriptions in, a manifest of the confident ones out.

    Attributes:
        predictions: JSONL written by `scripts/transcribe.py` with `timestamps=true` (each row
            needs `words` with confidences).
        output: the manifest of kept utterances to write.
        min_confidence: keep a row when its confidence (see `confidence`) reaches this (0-1).
        confidence: how a row's confidence is read off its words: "min", its least
            confident word (strict: one doubtful word drops the row); "mean", the mean of its
            words' confidences, which ranks whole transcriptions better where the model
            doubts many words (a voice unlike its training voices), at the cost of keeping
            rows with one bad word.
        manifest: the manifest the audio was transcribed from, if any: kept rows take its
            `speaker` field, and its transcripts (where present) measure the labels' accuracy.
        speaker: a speaker for every kept row (e.g. a folder of one person's recordings);
            overrides the manifest's. Speaker-normalised training groups audio by it.
        agree_with: other predictions files of the same audio (any `transcribe.py` output):
            a row is kept only when each of them has the same words for that file (after
            text normalisation); a file missing there, or failed there, does not agree.
    """

    predictions: str = "???"
    output: str = "???"
    min_confidence: float = 0.9
    confidence: str = "min"
    manifest: str | None = None
    speaker: str | None = None
    agree_with: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1]. Received: {self.min_confidence}")
        if self.confidence not in CONFIDENCE_READINGS:
            raise ValueError(
                f"confidence must be one of {CONFIDENCE_READINGS}. Received: {self.confidence!r}"
            )


@dataclass
class PseudoLabelSummary:
    """What happened to each transcription, and how the kept labels compare with references."""

    rows: int = 0
    kept: int = 0
    failed: int = 0
    empty: int = 0
    below_threshold: int = 0
    disagreed: int = 0
    checked: int = 0
    correct: int = 0
    reference_words: int = 0
    word_errors: int = 0

    def text(self) -> str:
        """One paragraph for the console."""
        disagreed = f"{self.disagreed} not agreed by agree_with, " if self.disagreed else ""
        lines = [
            f"kept {self.kept} of {self.rows} transcriptions; dropped: {self.below_threshold} "
            f"below the confidence threshold, {disagreed}{self.empty} empty, {self.failed} failed"
        ]
        if self.checked:
            lines.append(
                f"labels matching the manifest's transcripts: {self.correct} of {self.checked} "
                f"({self.correct / self.checked:.1%}); their WER against them: "
                f"{self.word_errors / max(self.reference_words, 1):.1%}"
            )
        return "\n".join(lines)


def transcription_confidence(row: dict, reading: str = "min") -> float:
    """A transcription row's confidence: its lowest word confidence ("min") or their mean
    ("mean"); 0 when it has no words."""
    confidences = [float(word["confidence"]) for word in row.get("words") or []]
    if not confidences:
        return 0.0
    return min(confidences) if reading == "min" else sum(confidences) / len(confidences)


def select_pseudo_labels(
    rows: Iterable[dict],
    min_confidence: float,
    sources: dict[str, Utterance] | None = None,
    speaker: str | None = None,
    agree_with: Iterable[dict[str, str]] = (),
    confidence: str = "min",
) -> tuple[list[Utterance], PseudoLabelSummary]:
    """Utterances labelled with their confident transcriptions.

    Args:
        rows: transcription rows (`audio_filepath`, `text`, `duration`, `words`, or `error`).
        min_confidence: a kept row's confidence reaches this.
        sources: the input manifest's utterances by absolute audio path, for speakers and the
            accuracy check.
        speaker: overrides every kept row's speaker.
        agree_with: other transcriptions, each by absolute audio path -> normalised text; a
            kept row's normalised text must equal each one's.
        confidence: "min" or "mean" (see `PseudoLabelConfig`).

    Raises:
        ValueError: a row lacks word confidences (transcribed without `timestamps=true`).
    """
    sources = sources or {}
    agree_with = list(agree_with)
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
        hypothesis = row_hypothesis(row)
        if not hypothesis.strip():
            summary.empty += 1
            continue
        if transcription_confidence(row, confidence) < min_confidence:
            summary.below_threshold += 1
            continue
        audio_path = str(Path(row["audio_filepath"]).resolve())
        text = normalize_text(hypothesis)
        if any(other.get(audio_path) != text for other in agree_with):
            summary.disagreed += 1
            continue
        source = sources.get(audio_path)
        kept.append(
            Utterance(
                audio_filepath=row["audio_filepath"],
                duration=float(row["duration"]),
                text=hypothesis,
                speaker=speaker or (source.speaker if source else None),
            )
        )
        if source is not None and source.text.strip():
            _check_label(summary, normalize_text(source.text), text)
    summary.kept = len(kept)
    return kept, summary


def write_pseudo_labels(config: PseudoLabelConfig) -> PseudoLabelSummary:
    """Reads `config.predictions`, writes the confident rows to `config.output`."""
    sources = {}
    if config.manifest:
        sources = {str(Path(u.audio_filepath).resolve()): u for u in read_manifest(config.manifest)}
    others = [_transcripts_by_audio(path) for path in config.agree_with]
    rows = (_parse_row(number, line) for number, line in iter_jsonl_lines(config.predictions))
    kept, summary = select_pseudo_labels(
        rows, config.min_confidence, sources, config.speaker, others, config.confidence
    )
    write_manifest(config.output, kept)
    return summary


def _check_label(summary: PseudoLabelSummary, reference: str, label: str) -> None:
    """Counts a kept label against its reference transcript (both normalised)."""
    import jiwer

    summary.checked += 1
    summary.correct += reference == label
    measured = jiwer.process_words(reference, label)
    summary.reference_words += len(reference.split())
    summary.word_errors += measured.substitutions + measured.deletions + measured.insertions


def _transcripts_by_audio(predictions: str) -> dict[str, str]:
    """A predictions file's normalised text by absolute audio path, failed rows left out."""
    transcripts = {}
    for number, line in iter_jsonl_lines(predictions):
        row = _parse_row(number, line)
        if not row.get("error") and "audio_filepath" in row:
            path = str(Path(row["audio_filepath"]).resolve())
            transcripts[path] = normalize_text(row_hypothesis(row))
    return transcripts


def row_hypothesis(row: dict) -> str:
    """A transcription row's hypothesis: `pred_text` where the row has it (a manifest
    transcribed NeMo-style, whose `text` is the reference), else `text`."""
    return str(row.get("pred_text" if "pred_text" in row else "text") or "")


def _parse_row(number: int, line: str) -> dict:
    """A predictions line as a row; a line cut short (an interrupted run) is a failed row."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return {"error": f"line {number}: not valid JSON ({error.msg})"}
    return row if isinstance(row, dict) else {"error": f"line {number}: not a JSON object"}
