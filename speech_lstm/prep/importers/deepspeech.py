"""DeepSpeech-style CSV: `wav_filename,wav_filesize,transcript`, paths relative to the CSV."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from speech_lstm.prep.importers.base import (
    SourceUtterance,
    path_key,
    read_delimited,
    require_file,
    resolve_audio,
)


@dataclass
class DeepSpeechConfig:
    """Options of the DeepSpeech CSV importer (the layout has no speaker column).

    Attributes:
        name: the importer's name in `conf/dataset/`.
    """

    name: str = "deepspeech"


def read_deepspeech(source: Path, config: DeepSpeechConfig) -> list[SourceUtterance]:
    """Lists the rows of the CSV file `source`; relative paths resolve against its folder.

    `wav_filesize` is not trusted: durations are measured from the audio headers later.
    """
    require_file(source, "the DeepSpeech CSV file given as source=")
    rows = read_delimited(source, ",", required=("wav_filename", "wav_filesize", "transcript"))
    base_dir = source.resolve().parent
    utterances = []
    for row in rows:
        audio = resolve_audio(row["wav_filename"], base_dir)
        utterances.append(SourceUtterance(path_key(audio, base_dir), audio, row["transcript"]))
    return utterances
