"""What every importer returns, and small helpers for reading corpus metadata files."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceUtterance:
    """One utterance as a corpus lists it, before normalisation and duration measurement.

    Attributes:
        key: the corpus's own identifier, unique within the import (names converted files).
        audio_filepath: absolute path of the audio file.
        text: the transcript exactly as the corpus writes it.
        speaker: the corpus's speaker label, or None when the layout has none.
    """

    key: str
    audio_filepath: Path
    text: str
    speaker: str | None = None


def require_dir(path: Path, what: str) -> Path:
    """Returns `path` when it is a folder; otherwise raises naming `what` was expected."""
    if not path.is_dir():
        raise ValueError(f"Expected {what} at source= to be a folder. Received: {path}")
    return path


def require_file(path: Path, what: str) -> Path:
    """Returns `path` when it is a file; otherwise raises naming `what` was expected."""
    if not path.is_file():
        raise ValueError(f"Expected {what} to be a file. Received: {path} (not found)")
    return path


def read_key_value_lines(path: Path) -> Iterator[tuple[int, str, str]]:
    """Yields (line number, first token, rest of line) for Kaldi- and LibriSpeech-style files.

    Blank lines are skipped; a line with only a key yields an empty rest.
    """
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if not stripped:
                continue
            key, _, rest = stripped.partition(" ")
            yield number, key, rest.strip()


def read_delimited(path: Path, delimiter: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    """Reads a CSV/TSV file with a header row, checking the `required` columns exist.

    Tab-separated files are read without quote handling: Common Voice sentences contain
    bare quotation marks that CSV quoting would swallow.
    """
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter, quoting=quoting)
        columns = reader.fieldnames or []
        missing = [name for name in required if name not in columns]
        if missing:
            raise ValueError(f"{path}: missing columns {missing}. Received columns: {columns}")
        return list(reader)


def resolve_audio(path_text: str, base_dir: Path) -> Path:
    """An audio path from a metadata file, made absolute against `base_dir` when relative."""
    path = Path(path_text).expanduser()
    return path if path.is_absolute() else (base_dir / path).resolve()


def path_key(audio: Path, base_dir: Path) -> str:
    """A key for an audio file: its path below `base_dir` without extension, else the full path."""
    stem = audio.with_suffix("")
    try:
        return stem.relative_to(base_dir).as_posix()
    except ValueError:
        return stem.as_posix()
