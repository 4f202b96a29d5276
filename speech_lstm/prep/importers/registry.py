"""The importers by name: each pairs its options dataclass with the function reading a corpus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from speech_lstm.prep.importers.base import SourceUtterance
from speech_lstm.prep.importers.common_voice import CommonVoiceConfig, read_common_voice
from speech_lstm.prep.importers.deepspeech import DeepSpeechConfig, read_deepspeech
from speech_lstm.prep.importers.fsdd import FsddConfig, read_fsdd
from speech_lstm.prep.importers.jsonl import JsonlConfig, read_jsonl
from speech_lstm.prep.importers.kaldi import KaldiConfig, read_kaldi
from speech_lstm.prep.importers.librispeech import LibriSpeechConfig, read_librispeech
from speech_lstm.prep.importers.ljspeech import LJSpeechConfig, read_ljspeech


@dataclass(frozen=True)
class Importer:
    """A corpus layout: its options schema and the reader listing its utterances."""

    config_class: type
    read: Callable[[Path, Any], list[SourceUtterance]]


IMPORTERS: dict[str, Importer] = {
    "librispeech": Importer(LibriSpeechConfig, read_librispeech),
    "common_voice": Importer(CommonVoiceConfig, read_common_voice),
    "ljspeech": Importer(LJSpeechConfig, read_ljspeech),
    "fsdd": Importer(FsddConfig, read_fsdd),
    "deepspeech": Importer(DeepSpeechConfig, read_deepspeech),
    "kaldi": Importer(KaldiConfig, read_kaldi),
    "jsonl": Importer(JsonlConfig, read_jsonl),
}


def get_importer(name: str) -> Importer:
    """The importer called `name` (a file name in `conf/dataset/`)."""
    if name not in IMPORTERS:
        raise ValueError(
            f"Unknown dataset importer; choose one of {sorted(IMPORTERS)}. Received: {name!r}"
        )
    return IMPORTERS[name]


def register_importer_configs(store: Any) -> None:
    """Stores each importer's schema as `<name>_schema` in Hydra's `dataset` group.

    Each `conf/dataset/<name>.yaml` lists its schema first in its defaults, so a misspelt
    option fails at composition.
    """
    for name, importer in IMPORTERS.items():
        store.store(group="dataset", name=f"{name}_schema", node=importer.config_class)
