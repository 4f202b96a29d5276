"""LJSpeech: `metadata.csv` (`id|raw text|normalised text`, no header) and `wavs/<id>.wav`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from speech_lstm.prep.importers.base import SourceUtterance, require_dir, require_file


@dataclass
class LJSpeechConfig:
    """Options of the LJSpeech importer.

    Attributes:
        name: the importer's name in `conf/dataset/`.
        use_normalized_text: read the third column, where the corpus spells out numbers and
            abbreviations ("1869" -> "eighteen sixty-nine"); false reads the raw second column.
        speaker: the speaker label written for every row (the corpus has one reader).
    """

    name: str = "ljspeech"
    use_normalized_text: bool = True
    speaker: str = "LJ"


def read_ljspeech(source: Path, config: LJSpeechConfig) -> list[SourceUtterance]:
    """Lists every row of `source/metadata.csv` with its `source/wavs/<id>.wav`."""
    require_dir(source, "the LJSpeech folder")
    metadata = require_file(source / "metadata.csv", "LJSpeech's metadata.csv")
    utterances = []
    with metadata.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("|")
            if len(fields) < 2:
                raise ValueError(
                    f"{metadata}:{number}: expected 'id|text|normalised text'. Received: {line!r}"
                )
            text = fields[1]
            if config.use_normalized_text and len(fields) > 2 and fields[2].strip():
                text = fields[2]
            audio = source / "wavs" / f"{fields[0]}.wav"
            utterances.append(SourceUtterance(fields[0], audio, text, config.speaker))
    return utterances
