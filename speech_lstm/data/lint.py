"""Data lint: finds what would break or quietly spoil training in a manifest.

Errors (the row cannot be trained on as it stands; `output=` writes a manifest without them):
malformed rows, unreadable audio, empty audio, empty transcripts, characters outside the
vocabulary, repeated audio files (or segments), segments that do not lie inside their file,
and utterances too short for CTC to emit their transcript.
Warnings (worth a look, kept in the cleaned manifest): silent audio, duration outliers,
listed durations that disagree with the file, and a mix of sample rates or channel counts.

A row with an `offset` is a segment of its file (NeMo's manifests): its length, CTC steps,
duration checks and hours are the segment's, several segments of one file are not
duplicates, and each file is read once however many segments point into it. The silence
check measures the whole file.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.audio import AudioError, AudioSpan, span_frames, wav_length_mismatch
from speech_lstm.ctc import ctc_min_steps, output_length
from speech_lstm.data.manifest import (
    Utterance,
    iter_jsonl_lines,
    parse_manifest_line,
    write_manifest,
)
from speech_lstm.features import MfccConfig, num_frames
from speech_lstm.model.config import ModelConfig
from speech_lstm.text import DEFAULT_CHARACTERS, Vocabulary, normalize_text

Rows = list[tuple[int, Utterance]]
"""Parsed manifest rows with their line numbers."""

ERROR_CHECKS = (
    "malformed row",
    "unreadable audio",
    "empty audio",
    "empty transcript",
    "characters outside vocabulary",
    "duplicate audio file",
    "segment outside its file",
    "too short for CTC",
)
WARNING_CHECKS = (
    "silent audio",
    "duration outlier",
    "duration mismatch",
    "WAV header length mismatch",
    "mixed sample rates",
    "mixed channel counts",
)


@dataclass
class LintConfig:
    """Options of `scripts/lint_data.py`.

    Attributes:
        manifest: the JSONL manifest to check.
        output: where to write the manifest without its error rows; null writes nothing.
        characters: the model's vocabulary.
        features: the front end (its sample rate and hop give the frame count).
        model: the acoustic model (its `subsampling` gives the CTC steps per frame).
        min_duration: shorter utterances are outliers (seconds); null: no bound.
        max_duration: longer utterances are outliers (seconds); null: no bound.
        outlier_mads: durations further than this many median absolute deviations from the
            median are outliers.
        silence_dbfs: audio whose RMS level is below this (dB relative to full scale) is silent.
        duration_tolerance: seconds a listed duration may differ from the file's (a
            segment's: from the stretch of the file it covers).
        num_workers: threads reading audio.
        max_examples: rows quoted per check.
    """

    manifest: str = "???"
    output: str | None = None
    characters: str = DEFAULT_CHARACTERS
    features: MfccConfig = field(default_factory=MfccConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    min_duration: float | None = None
    max_duration: float | None = None
    outlier_mads: float = 5.0
    silence_dbfs: float = -60.0
    duration_tolerance: float = 0.1
    num_workers: int = 2
    max_examples: int = 5

    def __post_init__(self) -> None:
        if self.outlier_mads <= 0:
            raise ValueError(f"outlier_mads must be > 0. Received: {self.outlier_mads}")
        bounds = (self.min_duration, self.max_duration)
        if None not in bounds and bounds[0] > bounds[1]:
            raise ValueError(f"Need min_duration <= max_duration. Received: {bounds}")


@dataclass
class CheckResult:
    """Rows that failed one check, with a few quoted."""

    severity: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class AudioFacts:
    """What reading one audio file (or a segment of it) found; `error` is set when it could
    not be read, `error_check` names the check that reports it."""

    error: str | None = None
    frames: int = 0
    sample_rate: int = 0
    channels: int = 0
    rms_dbfs: float = -math.inf
    error_check: str = "unreadable audio"

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate if self.sample_rate else 0.0


@dataclass
class LintReport:
    """Per-check counts and examples for one manifest, and the rows free of errors."""

    manifest: Path
    total: int = 0
    checks: dict[str, CheckResult] = field(default_factory=dict)
    sample_rates: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    hours: float = 0.0
    error_lines: set[int] = field(default_factory=set)
    clean: list[Utterance] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """Whether any row failed an error check."""
        return bool(self.error_lines)

    def flag(self, check: str, line: int, detail: str, max_examples: int) -> None:
        """Records that the row on `line` failed `check`."""
        result = self.checks[check]
        result.count += 1
        if len(result.examples) < max_examples:
            result.examples.append(f"line {line}: {detail}")
        if result.severity == "error":
            self.error_lines.add(line)

    def table(self) -> str:
        """The summary table the script prints."""
        rows = [("check", "severity", "rows", "first example")]
        for name, result in self.checks.items():
            example = result.examples[0] if result.examples else ""
            rows.append((name, result.severity, str(result.count), _clip(example, 70)))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [
            f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}"
            for row in rows
        ]
        lines.insert(1, "-" * max(len(line) for line in lines))
        rates = ", ".join(f"{rate} Hz x{n}" for rate, n in sorted(self.sample_rates.items()))
        channels = ", ".join(f"{c} ch x{n}" for c, n in sorted(self.channels.items()))
        lines += [
            "",
            f"sample rates: {rates or 'none readable'}; channels: {channels or 'none readable'}",
            f"{self.manifest}: {self.total} rows, {len(self.error_lines)} with errors, "
            f"{self.hours:.2f} h of readable audio",
        ]
        return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def lint_manifest(config: LintConfig) -> LintReport:
    """Runs every check on `config.manifest` and writes the cleaned manifest if asked.

    Returns:
        The report; `report.has_errors` decides the script's exit status.
    """
    path = Path(config.manifest)
    if not path.is_file():
        raise FileNotFoundError(f"Manifest not found: {path}")
    report = LintReport(manifest=path)
    for name in ERROR_CHECKS:
        report.checks[name] = CheckResult("error")
    for name in WARNING_CHECKS:
        report.checks[name] = CheckResult("warning")
    rows = _read_rows(path, report, config.max_examples)
    report.total = len(rows) + report.checks["malformed row"].count
    paths = sorted({u.audio_filepath for _, u in rows})
    with ThreadPoolExecutor(max_workers=max(1, config.num_workers)) as pool:
        file_facts = dict(zip(paths, pool.map(probe_audio, paths)))
    facts = [utterance_facts(u, file_facts[u.audio_filepath]) for _, u in rows]
    _check_audio(rows, facts, config, report)
    _check_text(rows, config, report)
    _check_duplicates(rows, report, config.max_examples)
    _check_ctc(rows, facts, config, report)
    _check_durations(rows, facts, config, report)
    _check_mixes(rows, facts, report, config.max_examples)
    report.clean = [u for line, u in rows if line not in report.error_lines]
    if config.output:
        write_manifest(config.output, report.clean)
    return report


def _read_rows(path: Path, report: LintReport, max_examples: int) -> Rows:
    base_dir = path.resolve().parent
    rows = []
    for number, line in iter_jsonl_lines(path):
        try:
            rows.append((number, parse_manifest_line(line, base_dir, f"line {number}")))
        except ValueError as error:
            report.flag("malformed row", number, str(error), max_examples)
    return rows


def probe_audio(path: str) -> AudioFacts:
    """Reads a whole audio file and measures its length, format and RMS level."""
    if not Path(path).is_file():
        return AudioFacts(error=f"{path}: file not found")
    try:
        waveform, sample_rate = soundfile.read(os.fsencode(path), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        return AudioFacts(error=f"{path}: {error}")
    if not np.isfinite(waveform).all():
        return AudioFacts(error=f"{path}: NaN or infinite samples (a corrupt float WAV)")
    frames, channels = waveform.shape
    rms = float(np.sqrt(np.mean(np.square(waveform, dtype=np.float64)))) if frames else 0.0
    dbfs = 20 * math.log10(rms) if rms > 0 else -math.inf
    return AudioFacts(None, frames, int(sample_rate), channels, dbfs)


def utterance_facts(utterance: Utterance, file_facts: AudioFacts) -> AudioFacts:
    """The facts of a row: its file's, or for a segment (`offset` set) the segment's length
    within the file, or an error when the segment does not lie inside it."""
    if utterance.offset is None or file_facts.error is not None or file_facts.frames == 0:
        return file_facts
    span = AudioSpan(utterance.audio_filepath, utterance.offset, utterance.duration)
    try:
        _, frames = span_frames(span, file_facts.frames, file_facts.sample_rate)
    except AudioError as error:
        return AudioFacts(error=str(error), error_check="segment outside its file")
    return replace(file_facts, frames=frames)


def _check_audio(
    rows: Rows, facts: list[AudioFacts], config: LintConfig, report: LintReport
) -> None:
    for (line, utterance), fact in zip(rows, facts):
        name = Path(utterance.audio_filepath).name
        if fact.error is not None:
            report.flag(fact.error_check, line, fact.error, config.max_examples)
        elif fact.frames == 0 or utterance.duration <= 0:
            detail = f"{name}: {fact.frames} samples, listed duration {utterance.duration}"
            report.flag("empty audio", line, detail, config.max_examples)
        else:
            report.sample_rates[fact.sample_rate] += 1
            report.channels[fact.channels] += 1
            report.hours += fact.duration / 3600
            lie = wav_length_mismatch(utterance.audio_filepath)
            if lie:
                report.flag(
                    "WAV header length mismatch", line, f"{name}: {lie}", config.max_examples
                )
            if fact.rms_dbfs < config.silence_dbfs:
                detail = f"{name}: RMS {fact.rms_dbfs:.1f} dBFS < {config.silence_dbfs}"
                report.flag("silent audio", line, detail, config.max_examples)
            if abs(fact.duration - utterance.duration) > config.duration_tolerance:
                detail = f"{name}: listed {utterance.duration:.3f} s, file {fact.duration:.3f} s"
                report.flag("duration mismatch", line, detail, config.max_examples)


def _check_text(rows: Rows, config: LintConfig, report: LintReport) -> None:
    allowed = set(Vocabulary(config.characters).characters)
    for line, utterance in rows:
        if not utterance.text.strip():
            report.flag("empty transcript", line, repr(utterance.text), config.max_examples)
            continue
        outside = sorted(set(utterance.text) - allowed)
        if outside:
            detail = f"{outside} in {_clip(utterance.text, 40)!r}"
            report.flag("characters outside vocabulary", line, detail, config.max_examples)


def _check_duplicates(rows: Rows, report: LintReport, max_examples: int) -> None:
    """The same file twice, or the same segment of a file twice."""
    first_line: dict[tuple, int] = {}
    for line, utterance in rows:
        segment = (utterance.offset, utterance.duration) if utterance.offset is not None else ()
        key = (str(Path(utterance.audio_filepath).resolve()), *segment)
        if key in first_line:
            detail = f"{Path(utterance.label).name} already on line {first_line[key]}"
            report.flag("duplicate audio file", line, detail, max_examples)
        else:
            first_line[key] = line


def ctc_steps(fact: AudioFacts, features: MfccConfig, subsampling: int) -> int:
    """Model steps for a file: its samples at the feature rate, framed, then subsampled."""
    samples = math.ceil(fact.frames * features.sample_rate / fact.sample_rate)
    return int(output_length(num_frames(samples, features), subsampling))


def _check_ctc(rows: Rows, facts: list[AudioFacts], config: LintConfig, report: LintReport) -> None:
    vocabulary = Vocabulary(config.characters)
    for (line, utterance), fact in zip(rows, facts):
        text = normalize_text(utterance.text, vocabulary.characters)
        if fact.error is not None or fact.frames == 0 or not text:
            continue
        needed = ctc_min_steps(np.asarray(vocabulary.encode(text), dtype=np.int32))
        steps = ctc_steps(fact, config.features, config.model.subsampling)
        if steps < needed:
            detail = f"{Path(utterance.audio_filepath).name}: {steps} steps < {needed} needed"
            report.flag("too short for CTC", line, detail, config.max_examples)


def _check_durations(
    rows: Rows, facts: list[AudioFacts], config: LintConfig, report: LintReport
) -> None:
    readable = [(line, f.duration) for (line, _), f in zip(rows, facts) if f.frames]
    if not readable:
        return
    durations = np.asarray([d for _, d in readable])
    median = float(np.median(durations))
    mad = float(np.median(np.abs(durations - median)))
    low, high = median - config.outlier_mads * mad, median + config.outlier_mads * mad
    for line, duration in readable:
        reasons = []
        if mad > 0 and not low <= duration <= high:
            reasons.append(f"median {median:.2f} s +- {config.outlier_mads:g} MAD ({mad:.2f} s)")
        if config.min_duration is not None and duration < config.min_duration:
            reasons.append(f"min_duration {config.min_duration} s")
        if config.max_duration is not None and duration > config.max_duration:
            reasons.append(f"max_duration {config.max_duration} s")
        if reasons:
            detail = f"{duration:.2f} s outside " + " and ".join(reasons)
            report.flag("duration outlier", line, detail, config.max_examples)


def _check_mixes(
    rows: Rows, facts: list[AudioFacts], report: LintReport, max_examples: int
) -> None:
    for check, counts, attribute, unit in (
        ("mixed sample rates", report.sample_rates, "sample_rate", "Hz"),
        ("mixed channel counts", report.channels, "channels", "channels"),
    ):
        if len(counts) < 2:
            continue
        usual = counts.most_common(1)[0][0]
        for (line, utterance), fact in zip(rows, facts):
            value = getattr(fact, attribute)
            if fact.frames and value != usual:
                detail = f"{Path(utterance.audio_filepath).name}: {value} {unit}, most have {usual}"
                report.flag(check, line, detail, max_examples)
