"""An existing JSONL manifest, re-validated and re-normalised like any other corpus."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from speech_lstm.data.manifest import iter_jsonl_lines, parse_manifest_line
from speech_lstm.prep.importers.base import SourceUtterance, path_key, require_file


@dataclass
class JsonlConfig:
    """Options of the manifest importer.

    Attributes:
        name: the importer's name in `conf/dataset/`.
    """

    name: str = "jsonl"


def read_jsonl(source: Path, config: JsonlConfig) -> list[SourceUtterance]:
    """Reads every row of the manifest `source` (relative paths against its folder).

    The listed durations are ignored and measured again from the audio headers, and the
    text is normalised again, so the result obeys the same contract as a fresh import.
    """
    require_file(source, "the manifest given as source=")
    base_dir = source.resolve().parent
    utterances = []
    for number, line in iter_jsonl_lines(source):
        row = parse_manifest_line(line, base_dir, f"{source}:{number}")
        audio = Path(row.audio_filepath)
        utterances.append(SourceUtterance(path_key(audio, base_dir), audio, row.text, row.speaker))
    return utterances
