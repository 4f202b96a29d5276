"""Batch transcription: inputs of every kind, long audio in chunks, results that are never lost.

`Transcriber` is the Python API (`Transcriber.load(model_dir).transcribe(paths_or_arrays)`);
`run_transcription` is what `scripts/transcribe.py` runs: resolve inputs, transcribe in
length-sorted batches, write each batch as it completes, resume, and summarise.
"""

from speech_lstm.decoding.alignment import WordTiming
from speech_lstm.transcription.inputs import AUDIO_EXTENSIONS, input_root, resolve_inputs
from speech_lstm.transcription.results import TranscriptionResult
from speech_lstm.transcription.runner import run_transcription
from speech_lstm.transcription.transcriber import Transcriber

__all__ = [
    "AUDIO_EXTENSIONS",
    "Transcriber",
    "TranscriptionResult",
    "WordTiming",
    "input_root",
    "resolve_inputs",
    "run_transcription",
]
