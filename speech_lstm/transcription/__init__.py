"""Batch transcription: inputs of every kind, long audio in chunks, results that are never lost.

`Transcriber` is the Python API (`Transcriber.load(model_dir).transcribe(paths_or_arrays)`);
`run_transcription` is what `scripts/transcribe.py` runs: resolve inputs, transcribe in
length-sorted batches, write each batch as it completes, resume, and summarise.

Modules: `config` (`TranscribeConfig`), `inputs` (what to transcribe), `transcriber`
(logits to decoded, timed results), `results`, `output_formats` (JSONL, CSV, sclite,
text and subtitle writers), `sclite` (trn and ctm lines), `progress` and `runner`. Audio
to logits is `speech_lstm.inference`. The names below load lazily, so that
`speech_lstm.transcription.config` stays free of TensorFlow.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speech_lstm.decoding.alignment import WordTiming
    from speech_lstm.transcription.inputs import AUDIO_EXTENSIONS, input_root, resolve_inputs
    from speech_lstm.transcription.results import TranscriptionResult
    from speech_lstm.transcription.runner import run_transcription
    from speech_lstm.transcription.transcriber import Transcriber

_HOMES = {
    "AUDIO_EXTENSIONS": "speech_lstm.transcription.inputs",
    "Transcriber": "speech_lstm.transcription.transcriber",
    "TranscriptionResult": "speech_lstm.transcription.results",
    "WordTiming": "speech_lstm.decoding.alignment",
    "input_root": "speech_lstm.transcription.inputs",
    "resolve_inputs": "speech_lstm.transcription.inputs",
    "run_transcription": "speech_lstm.transcription.runner",
}
__all__ = [
    "AUDIO_EXTENSIONS",
    "Transcriber",
    "TranscriptionResult",
    "WordTiming",
    "input_root",
    "resolve_inputs",
    "run_transcription",
]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
