"""Kaldi data directories: `wav.scp` (plain file paths), `text`, and optionally `utt2spk`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from speech_lstm.prep.importers.base import (
    SourceUtterance,
    read_key_value_lines,
    require_dir,
    require_file,
    resolve_audio,
)

log = logging.getLogger(__name__)


@dataclass
class KaldiConfig:
    """Options of the Kaldi data-directory importer.

    Attributes:
        name: the importer's name in `conf/dataset/`.
        audio_root: folder that relative paths in `wav.scp` are relative to; null means the
            current working directory, as Kaldi recipes run from their recipe folder.
    """

    name: str = "kaldi"
    audio_root: str | None = None


def read_kaldi(source: Path, config: KaldiConfig) -> list[SourceUtterance]:
    """Lists the utterances of `text` (in its order) with their `wav.scp` file and speaker.

    Only one audio file per utterance is supported: `wav.scp` entries that are commands
    (`... |`) and data directories with a `segments` file are rejected with an error.
    Utterances of `text` missing from `wav.scp` are skipped with a warning.
    """
    require_dir(source, "a Kaldi data directory")
    if (source / "segments").exists():
        raise ValueError(
            f"Kaldi `segments` (several utterances per recording) are not supported; cut the "
            f"recordings into files first. Received: {source / 'segments'}"
        )
    root = Path(config.audio_root) if config.audio_root else Path.cwd()
    wavs = _read_wav_scp(require_file(source / "wav.scp", "the Kaldi wav.scp"), root)
    speakers = _read_map(source / "utt2spk") if (source / "utt2spk").is_file() else {}
    text_file = require_file(source / "text", "the Kaldi text file")
    utterances, missing = [], []
    for _, key, text in read_key_value_lines(text_file):
        if key not in wavs:
            missing.append(key)
            continue
        utterances.append(SourceUtterance(key, wavs[key], text, speakers.get(key)))
    if missing:
        log.warning(
            "%d utterances of %s have no wav.scp entry, e.g. %s",
            len(missing),
            text_file,
            missing[:3],
        )
    return utterances


def _read_wav_scp(path: Path, root: Path) -> dict[str, Path]:
    wavs = {}
    for number, key, rest in read_key_value_lines(path):
        if not rest or rest.endswith("|") or " " in rest:
            raise ValueError(
                f"{path}:{number}: only plain file paths are supported in wav.scp, not "
                f"commands or extended filenames. Received: {rest!r}"
            )
        wavs[key] = resolve_audio(rest, root)
    return wavs


def _read_map(path: Path) -> dict[str, str]:
    return {key: rest for _, key, rest in read_key_value_lines(path)}
