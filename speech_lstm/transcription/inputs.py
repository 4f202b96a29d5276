"""Turning an input spec (file, folder, glob, manifest, list of paths) into audio paths."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Sequence
from pathlib import Path

from speech_lstm.data.manifest import iter_jsonl_lines

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


def input_root(spec: str | Path, paths: Sequence[str]) -> Path:
    """The folder the output tree mirrors: `spec` when it is a folder, else the inputs' common
    parent."""
    if Path(spec).is_dir():
        return Path(spec)
    parents = [str(Path(p).resolve().parent) for p in paths]
    return Path(os.path.commonpath(parents)) if parents else Path(".")


def input_speakers(
    spec: str | Path, paths: Sequence[str], speaker: str | None = None
) -> list[str | None]:
    """Each path's speaker: `speaker` for all when given, else a JSONL manifest's `speaker`
    fields; None (the input is its own speaker) where neither says."""
    if speaker is not None:
        return [speaker] * len(paths)
    path = Path(spec)
    if not (path.is_file() and path.suffix.lower() in MANIFEST_EXTENSIONS):
        return [None] * len(paths)
    by_path = {audio: row.get("speaker") for audio, row in _manifest_rows(path)}
    return [by_path.get(p) for p in paths]


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
