"""`scripts/prepare_data.py`: read a corpus, normalise, optionally convert, write a manifest."""

from __future__ import annotations

import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from speech_lstm.atomic import remove_dead_temporaries
from speech_lstm.audio import AudioError, audio_duration
from speech_lstm.data.manifest import Utterance, write_manifest
from speech_lstm.prep.importers.base import SourceUtterance
from speech_lstm.prep.importers.convert import convert_all, converted_name
from speech_lstm.prep.importers.normalize import NormalizationReport, normalize_transcripts
from speech_lstm.prep.importers.registry import get_importer
from speech_lstm.text import DEFAULT_CHARACTERS

log = logging.getLogger(__name__)


@dataclass
class PrepareDataConfig:
    """Options of `scripts/prepare_data.py`.

    Attributes:
        dataset: the importer's options (one of the `conf/dataset/` schemas; its `name`
            selects the importer).
        source: the corpus on disk (a folder or a file, depending on the importer).
        output: the manifest to write (JSONL).
        characters: the model's vocabulary; transcripts are normalised to it.
        convert: write every file as mono 16-bit WAV at `sample_rate` into `wavs/` next to
            `output`, and point the manifest there.
        sample_rate: rate of converted files in Hz.
        num_workers: processes converting, threads reading audio headers.
        overwrite: rebuild `output` when it exists (otherwise the step is skipped).
    """

    dataset: Any = "???"
    source: str = "???"
    output: str = "???"
    characters: str = DEFAULT_CHARACTERS
    convert: bool = False
    sample_rate: int = 16000
    num_workers: int = 2
    overwrite: bool = False

    def __post_init__(self) -> None:
        if self.sample_rate < 1:
            raise ValueError(
                f"sample_rate must be a positive number of Hz. Received: {self.sample_rate}"
            )
        if self.num_workers < 0:
            raise ValueError(f"num_workers must be >= 0. Received: {self.num_workers}")


@dataclass
class ImportReport:
    """What one import did; `summary()` is what the script prints."""

    dataset: str
    output: Path
    skipped: bool = False
    found: int = 0
    duplicates: list[str] = field(default_factory=list)
    normalization: NormalizationReport = field(default_factory=NormalizationReport)
    bad_audio: dict[str, str] = field(default_factory=dict)
    converted: int = 0
    written: int = 0
    hours: float = 0.0
    speakers: int = 0

    def summary(self) -> str:
        """A few readable lines for the console."""
        if self.skipped:
            return f"{self.dataset}: {self.output} exists, skipped (overwrite=true rebuilds it)"
        problems = Counter(reason.split(":")[0] for reason in self.bad_audio.values())
        audio = ", ".join(f"{count} {reason}" for reason, count in sorted(problems.items()))
        lines = [
            f"{self.dataset}: {self.written} utterances, {self.hours:.2f} h, "
            f"{self.speakers} speakers -> {self.output}",
            self.normalization.summary(),
            f"audio: {len(self.bad_audio)} dropped ({audio or 'none'}); "
            f"{len(self.duplicates)} duplicate entries dropped"
            + (f"; {self.converted} files converted to WAV" if self.converted else ""),
        ]
        return "\n".join(lines)


def prepare_data(config: PrepareDataConfig) -> ImportReport:
    """Imports one corpus into a manifest of normalised, non-empty, readable utterances.

    Steps: the importer lists the corpus; repeated keys or audio files are dropped; text is
    normalised to `config.characters` (empty results dropped); audio is converted when
    `config.convert`; durations come from the audio headers (missing, unreadable and empty
    files are dropped); the manifest is written atomically.

    Returns:
        The report; `report.summary()` says what was kept and dropped.

    Raises:
        ValueError: on a malformed corpus, or when no utterance survives.
    """
    importer = get_importer(config.dataset.name)
    output = Path(config.output).expanduser()
    report = ImportReport(dataset=_describe(config.dataset), output=output)
    if output.exists() and not config.overwrite:
        report.skipped = True
        return report
    found = importer.read(Path(config.source).expanduser().resolve(), config.dataset)
    report.found = len(found)
    unique = _drop_duplicates(found, report)
    normalised, report.normalization = normalize_transcripts(unique, config.characters)
    if config.convert:
        normalised = _convert(normalised, output.parent / "wavs", config, report)
    utterances = _measure(normalised, config.num_workers, report)
    if report.bad_audio:
        log.warning(
            "Dropped %d utterances with missing, unreadable or empty audio, e.g. %s",
            len(report.bad_audio),
            list(report.bad_audio.values())[:3],
        )
    if not utterances:
        raise ValueError(
            f"No usable utterance in {config.source} ({report.found} listed); see the warnings. "
            f"Received: dataset={config.dataset.name}"
        )
    if output.parent.is_dir():
        remove_dead_temporaries(output.parent)
    write_manifest(output, utterances)
    report.written = len(utterances)
    report.hours = sum(u.duration for u in utterances) / 3600
    report.speakers = len({u.speaker for u in utterances if u.speaker is not None})
    return report


def _describe(dataset: Any) -> str:
    options = {k: v for k, v in asdict(dataset).items() if k != "name"}
    listed = ", ".join(f"{key}={value}" for key, value in options.items())
    return f"{dataset.name} ({listed})" if listed else dataset.name


def _drop_duplicates(
    utterances: list[SourceUtterance], report: ImportReport
) -> list[SourceUtterance]:
    seen_keys: set[str] = set()
    seen_paths: set[Path] = set()
    unique = []
    for utterance in utterances:
        if utterance.key in seen_keys or utterance.audio_filepath in seen_paths:
            report.duplicates.append(utterance.key)
            continue
        seen_keys.add(utterance.key)
        seen_paths.add(utterance.audio_filepath)
        unique.append(utterance)
    if report.duplicates:
        log.warning(
            "Dropped %d repeated entries (same key or audio file), e.g. %s",
            len(report.duplicates),
            report.duplicates[:3],
        )
    return unique


def _convert(
    utterances: list[SourceUtterance],
    folder: Path,
    config: PrepareDataConfig,
    report: ImportReport,
) -> list[SourceUtterance]:
    if folder.is_dir():  # a rerun after a kill: its half-written files go
        remove_dead_temporaries(folder)
    targets = [folder / converted_name(u.key) for u in utterances]
    jobs = list(zip([u.audio_filepath for u in utterances], targets))
    log.info("Converting %d files to %d Hz WAV in %s", len(jobs), config.sample_rate, folder)
    failures = convert_all(jobs, config.sample_rate, config.num_workers)
    converted = []
    for utterance, target in zip(utterances, targets):
        error = failures.get(utterance.audio_filepath)
        if error is None:
            converted.append(replace(utterance, audio_filepath=target))
        elif not utterance.audio_filepath.is_file():
            report.bad_audio[utterance.key] = f"missing: {utterance.audio_filepath}"
        else:
            report.bad_audio[utterance.key] = f"unreadable: {error}"
    report.converted = len(converted)
    return converted


def _probe(path: Path) -> float | str:
    if not path.is_file():
        return f"missing: {path}"
    try:
        duration = audio_duration(path)
    except AudioError as error:
        return f"unreadable: {error}"
    return duration if duration > 0 else f"empty: {path} has no samples"


def _measure(
    utterances: list[SourceUtterance], num_workers: int, report: ImportReport
) -> list[Utterance]:
    with ThreadPoolExecutor(max_workers=max(1, num_workers)) as pool:
        probes = list(pool.map(_probe, [u.audio_filepath for u in utterances]))
    kept = []
    for utterance, probe in zip(utterances, probes):
        if isinstance(probe, str):
            report.bad_audio[utterance.key] = probe
            continue
        kept.append(
            Utterance(
                str(utterance.audio_filepath), round(probe, 4), utterance.text, utterance.speaker
            )
        )
    return kept
