"""JSON Lines manifests: one utterance per line, the contract between every stage."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from speech_lstm.atomic import atomic_file
from speech_lstm.audio import AudioSpan

MAX_DURATION_S = 1e6  # 11.6 days: a longer duration is a unit or parsing mistake


@dataclass(frozen=True)
class Utterance:
    """One manifest row. `audio_filepath` is absolute once read through `read_manifest`.

    A row with an `offset` (seconds, NeMo's convention) is a segment of its file: `duration`
    seconds from `offset`, and several rows may point into one long file. Without `offset`,
    the whole file is the utterance and `duration` is its length.
    """

    audio_filepath: str
    duration: float
    text: str
    speaker: str | None = None
    offset: float | None = None

    @property
    def source(self) -> str | AudioSpan:
        """What to read: the file, or the `AudioSpan` of a segment."""
        if self.offset is None:
            return self.audio_filepath
        return AudioSpan(self.audio_filepath, self.offset, self.duration)

    @property
    def label(self) -> str:
        """The file, followed by `@offset+duration` for a segment: one name per utterance."""
        if self.offset is None:
            return self.audio_filepath
        return f"{self.audio_filepath}@{self.offset:g}+{self.duration:g}"

    def to_json(self, base_dir: Path | None = None) -> str:
        """One JSON line; the path is written relative to `base_dir` when it lies below it."""
        row = asdict(self)
        if base_dir is not None:
            row["audio_filepath"] = _relative_if_below(Path(self.audio_filepath), base_dir)
        for optional in ("speaker", "offset"):
            if row[optional] is None:
                del row[optional]
        return json.dumps(row, ensure_ascii=False)


def _relative_if_below(path: Path, base_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(base_dir.resolve()))
    except ValueError:
        return str(path)


def iter_jsonl_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """Yields (line number, line) for the non-blank lines of a JSON Lines file (UTF-8, with
    or without a byte-order mark; LF or CRLF line ends)."""
    with Path(path).open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield number, line


def parse_manifest_line(line: str, base_dir: Path, where: str) -> Utterance:
    """Parses one manifest line; `where` names the line in error messages."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{where}: not valid JSON ({error.msg}). Received: {line[:200]!r}"
        ) from None
    if not isinstance(row, dict):
        raise ValueError(f"{where}: expected a JSON object. Received: {line[:200]!r}")
    missing = [key for key in ("audio_filepath", "duration", "text") if key not in row]
    if missing:
        raise ValueError(f"{where}: missing keys {missing}. Received: {sorted(row)}")
    for key in ("audio_filepath", "text"):
        if not isinstance(row[key], str):
            raise ValueError(f"{where}: {key} must be a string. Received: {row[key]!r}")
    if not row["audio_filepath"]:
        raise ValueError(f"{where}: audio_filepath is empty. Received: {line[:200]!r}")
    audio = Path(os.path.expanduser(row["audio_filepath"]))
    if not audio.is_absolute():
        audio = base_dir / audio
    speaker = row.get("speaker")
    if speaker is not None and not isinstance(speaker, str | int):
        raise ValueError(f"{where}: speaker must be a string. Received: {speaker!r}")
    return Utterance(
        audio_filepath=str(audio),
        duration=_duration(row["duration"], where),
        text=row["text"],
        speaker=None if speaker is None else str(speaker),
        offset=_offset(row, where),
    )


def _offset(row: dict, where: str) -> float | None:
    """A segment's start in seconds, or None for a whole-file row (no `offset`, or null)."""
    if row.get("offset") is None:
        return None
    try:
        return float(row["offset"])
    except (TypeError, ValueError):
        raise ValueError(
            f"{where}: offset must be a number of seconds. Received: {row['offset']!r}"
        ) from None


def _duration(value: object, where: str) -> float:
    """A row's duration in seconds: a finite number, 0 to `MAX_DURATION_S`."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{where}: duration must be a number. Received: {value!r}")
    try:
        duration = float(value)
    except ValueError:
        raise ValueError(f"{where}: duration must be a number. Received: {value!r}") from None
    if not 0 <= duration <= MAX_DURATION_S:  # also false for NaN
        raise ValueError(
            f"{where}: duration must be 0 to {MAX_DURATION_S:.0f} seconds. Received: {value!r}"
        )
    return duration


def read_manifest(path: str | Path) -> list[Utterance]:
    """Reads a JSONL manifest; relative audio paths resolve against the manifest's folder.

    Raises:
        FileNotFoundError: when the manifest does not exist.
        ValueError: on a malformed line, naming the file and line number.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Manifest not found: {path}")
    base_dir = path.resolve().parent
    return [
        parse_manifest_line(line, base_dir, f"{path}:{number}")
        for number, line in iter_jsonl_lines(path)
    ]


def write_manifest(path: str | Path, utterances: Iterable[Utterance]) -> None:
    """Writes utterances as JSONL atomically; paths below the manifest's folder become relative."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    base_dir = path.resolve().parent
    with atomic_file(path) as out:
        for utterance in utterances:
            out.write(utterance.to_json(base_dir) + "\n")
