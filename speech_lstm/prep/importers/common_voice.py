"""Mozilla Common Voice: `<split>.tsv` (client_id, path, sentence, ...) with audio in `clips/`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from speech_lstm.prep.importers.base import (
    SourceUtterance,
    read_delimited,
    require_dir,
    require_file,
)

SPLITS = ("validated", "train", "dev", "test")


@dataclass
class CommonVoiceConfig:
    """Options of the Common Voice importer.

    Attributes:
        name: the importer's name in `conf/dataset/`.
        split: which list to read: `validated` (every validated clip), `train`, `dev` or `test`.
    """

    name: str = "common_voice"
    split: str = "train"


def read_common_voice(source: Path, config: CommonVoiceConfig) -> list[SourceUtterance]:
    """Lists the clips of `source/<split>.tsv`; speaker = the row's `client_id`.

    `source` is one language's folder of a Common Voice release (it holds the TSV files and
    `clips/`). Clips are MP3; soundfile reads them with libsndfile >= 1.1.
    """
    if config.split not in SPLITS:
        raise ValueError(f"Common Voice split must be one of {SPLITS}. Received: {config.split!r}")
    require_dir(source, "a Common Voice language folder")
    table = require_file(source / f"{config.split}.tsv", f"the Common Voice {config.split} list")
    rows = read_delimited(table, "\t", required=("client_id", "path", "sentence"))
    clips = source / "clips"
    return [
        SourceUtterance(
            key=Path(row["path"]).stem,
            audio_filepath=clips / row["path"],
            text=row["sentence"] or "",
            speaker=row["client_id"] or None,
        )
        for row in rows
    ]
