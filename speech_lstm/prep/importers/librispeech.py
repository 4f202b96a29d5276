"""LibriSpeech: `<split>/<speaker>/<chapter>/<speaker>-<chapter>-<n>.flac` + `*.trans.txt`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from speech_lstm.prep.importers.base import SourceUtterance, read_key_value_lines, require_dir


@dataclass
class LibriSpeechConfig:
    """Options of the LibriSpeech importer.

    Attributes:
        name: the importer's name in `conf/dataset/`.
        split: a subfolder of `source` to import (e.g. `dev-clean` when `source` is the
            extracted `LibriSpeech/` folder); null imports every chapter below `source`.
        audio_extension: extension of the audio files next to each transcript.
    """

    name: str = "librispeech"
    split: str | None = None
    audio_extension: str = ".flac"


def read_librispeech(source: Path, config: LibriSpeechConfig) -> list[SourceUtterance]:
    """Lists the utterances of every `*.trans.txt` below `source` (or `source/split`).

    Each transcript line is `<speaker>-<chapter>-<n> TEXT`; the audio file sits next to the
    transcript; the speaker is the utterance id's first field (the speaker folder's name).
    """
    root = require_dir(source / config.split if config.split else source, "a LibriSpeech split")
    transcripts = sorted(root.rglob("*.trans.txt"))
    if not transcripts:
        raise ValueError(f"No *.trans.txt files below the LibriSpeech folder. Received: {root}")
    utterances = []
    for transcript in transcripts:
        for number, key, text in read_key_value_lines(transcript):
            if key.count("-") != 2:
                raise ValueError(
                    f"{transcript}:{number}: expected an id <speaker>-<chapter>-<n>. "
                    f"Received: {key!r}"
                )
            audio = transcript.parent / f"{key}{config.audio_extension}"
            utterances.append(SourceUtterance(key, audio, text, key.split("-")[0]))
    return utterances
