"""Turning an input spec (file, folder, glob, manifest, list of paths) into audio inputs."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from speech_lstm.audio import AudioSpan
from speech_lstm.data.manifest import iter_jsonl_lines
from speech_lstm.transcription.results import resume_key

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".opus", ".mp3")
MANIFEST_EXTENSIONS = (".jsonl", ".json")
LIST_EXTENSIONS = (".txt", ".lst", ".list", ".scp")


def resolve_inputs(spec: str | Path, extensions: Sequence[str] = AUDIO_EXTENSIONS) -> list[str]:
    """Expands an input spec into audio paths.

    Args:
        spec: an audio file; a folder (searched recursively for files with `extensions`);
            a glob pattern (`**` recurses); a JSONL manifest (its `audio_filepath` entries);
            or a text file of paths, one per line (`#` starts a comment). Relative paths in a
            manifest or list resolve against the folder that holds it.
        extensions: file extensions (with the dot, any case) that a folder search keeps.

    Returns:
        The paths, folders and globs sorted, manifests and lists in their order.

    Raises:
        FileNotFoundError: when nothing matches `spec`.
    """
    path = Path(spec)
    suffix = path.suffix.lower()
    if path.is_dir():
        wanted = {e.lower() if e.startswith(".") else "." + e.lower() for e in extensions}
        found = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in wanted)
    elif path.is_file() and suffix in MANIFEST_EXTENSIONS:
        found = _manifest_paths(path)
    elif path.is_file() and suffix in LIST_EXTENSIONS:
        found = _listed_paths(path)
    elif path.is_file():
        found = [str(path)]
    else:
        found = sorted(p for p in glob.glob(str(spec), recursive=True) if not Path(p).is_dir())
    if not found:
        raise FileNotFoundError(
            "No audio found for input: give a file, a folder, a glob, a JSONL manifest or a "
            f"text file of paths. Received: {str(spec)!r}"
        )
    return found


@dataclass(frozen=True)
class InputItem:
    """One thing to transcribe, and the manifest row it came from.

    Attributes:
        source: the audio file, or for a manifest row with an `offset` the `AudioSpan` of
            its segment (`duration` seconds from `offset`; to the end without `duration`).
        row: the manifest row as read (its fields go into the output beside the
            hypothesis); None for inputs that are not manifest rows.
    """

    source: str | AudioSpan
    row: dict | None = None

    @property
    def path(self) -> str:
        """The audio file, resolved against the manifest's folder."""
        return self.source.path if isinstance(self.source, AudioSpan) else self.source

    @property
    def offset(self) -> float | None:
        """A segment's start in seconds; None for a whole file."""
        return self.source.offset if isinstance(self.source, AudioSpan) else None

    def resume_keys(self) -> set[str]:
        """The names an earlier run's output row for this input can carry: the path as the
        manifest wrote it, as resolved here, or absolute (each with a segment's offset)."""
        paths = {self.path, str(Path(self.path).resolve())}
        if self.row is not None:
            paths.add(str(self.row.get("audio_filepath")))
        return {resume_key(path, self.offset) for path in paths}


def read_input_items(
    spec: str | Path, extensions: Sequence[str] = AUDIO_EXTENSIONS
) -> list[InputItem]:
    """`resolve_inputs`, keeping each manifest row (and its segment) with its input.

    A manifest row with an `offset` (seconds, NeMo's convention) becomes the `AudioSpan`
    of `duration` seconds from `offset`; several rows may point into one file. An offset or
    duration that is not a number, negative, or past the end of the file fails that row
    alone when it is read.

    Raises:
        FileNotFoundError: when nothing matches `spec`.
        ValueError: a manifest row without `audio_filepath`, naming the file and line.
    """
    path = Path(spec)
    if path.is_file() and path.suffix.lower() in MANIFEST_EXTENSIONS:
        items = [InputItem(_row_source(audio, row), row) for audio, row in _manifest_rows(path)]
        if not items:
            raise FileNotFoundError(f"No audio found for input: the manifest is empty: {spec}")
        return items
    return [InputItem(found) for found in resolve_inputs(spec, extensions)]


def _row_source(audio: str, row: dict) -> str | AudioSpan:
    if row.get("offset") is None:
        return audio
    duration = None if row.get("duration") is None else _seconds(row["duration"])
    return AudioSpan(audio, _seconds(row["offset"]), duration)


def _seconds(value: object) -> float:
    """A number of seconds; NaN for what is not one, so that reading the row fails it."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def input_root(spec: str | Path, paths: Sequence[str]) -> Path:
    """The folder the output tree mirrors: `spec` when it is a folder, else the inputs' common
    parent."""
    if Path(spec).is_dir():
        return Path(spec)
    parents = [str(Path(p).resolve().parent) for p in paths]
    return Path(os.path.commonpath(parents)) if parents else Path(".")


def input_speakers(items: Sequence[InputItem], speaker: str | None = None) -> list[str | None]:
    """Each input's speaker: `speaker` for all when given, else its manifest row's `speaker`
    field; None (the input is its own speaker) where neither says."""
    if speaker is not None:
        return [speaker] * len(items)
    return [None if item.row is None else _speaker(item.row) for item in items]


def _speaker(row: dict) -> str | None:
    value = row.get("speaker")
    return None if value is None else str(value)


def _manifest_paths(path: Path) -> list[str]:
    return [audio for audio, _ in _manifest_rows(path)]


def _manifest_rows(path: Path) -> list[tuple[str, dict]]:
    """(resolved audio path, row) of every manifest row."""
    base = path.resolve().parent
    found = []
    for number, line in iter_jsonl_lines(path):
        try:
            row = json.loads(line)
            audio = row["audio_filepath"]
        except (json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(
                f"{path}:{number}: a manifest row needs an audio_filepath. Received: {line[:200]!r}"
            ) from None
        found.append((_against(base, str(audio)), row))
    return found


def _listed_paths(path: Path) -> list[str]:
    base = path.resolve().parent
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            found.append(_against(base, entry))
    return found


def _against(base: Path, entry: str) -> str:
    audio = Path(os.path.expanduser(entry))
    return str(audio if audio.is_absolute() else base / audio)
