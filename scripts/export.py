"""Exports a model directory: python scripts/export.py model_dir=DIR.

Writes DIR/export/saved_model (SavedModel), model_float32.tflite and model_int8.tflite
(dynamic-range quantised), which transcribe.py runs with backend=saved_model|tflite|tflite_int8,
and waveform_saved_model, waveform_float32.tflite: waveform in, features computed in the graph.

The same as `speech-lstm export` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("export", prog="scripts/export.py"))
