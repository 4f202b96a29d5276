"""Corpus importers: one module per corpus layout, each listing utterances for `prepare_data`.

`prepare_data` turns any of them into the project's JSONL manifest (see
`speech_lstm.data.manifest`): transcripts normalised to the vocabulary with a report of what
changed, durations measured from the audio, unusable entries dropped with warnings.
"""

from speech_lstm.prep.importers.base import SourceUtterance
from speech_lstm.prep.importers.common_voice import CommonVoiceConfig
from speech_lstm.prep.importers.deepspeech import DeepSpeechConfig
from speech_lstm.prep.importers.fsdd import FsddConfig
from speech_lstm.prep.importers.jsonl import JsonlConfig
from speech_lstm.prep.importers.kaldi import KaldiConfig
from speech_lstm.prep.importers.librispeech import LibriSpeechConfig
from speech_lstm.prep.importers.ljspeech import LJSpeechConfig
from speech_lstm.prep.importers.normalize import NormalizationReport, normalize_transcripts
from speech_lstm.prep.importers.prepare import ImportReport, PrepareDataConfig, prepare_data
from speech_lstm.prep.importers.registry import (
    IMPORTERS,
    get_importer,
    register_importer_configs,
)

__all__ = [
    "IMPORTERS",
    "CommonVoiceConfig",
    "DeepSpeechConfig",
    "FsddConfig",
    "ImportReport",
    "JsonlConfig",
    "KaldiConfig",
    "LJSpeechConfig",
    "LibriSpeechConfig",
    "NormalizationReport",
    "PrepareDataConfig",
    "SourceUtterance",
    "get_importer",
    "normalize_transcripts",
    "prepare_data",
    "register_importer_configs",
]
