"""Transcribes audio: python scripts/transcribe.py model_dir=DIR input=PATH output=FILE.

Exit status: 0 when every input was transcribed; 1 when any input failed (each failure is a
row with an `error` field, and the batch goes on); Hydra's own status for a bad command line.
The last line printed counts done / failed / skipped inputs.

The same as `speech-lstm transcribe` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("transcribe", prog="scripts/transcribe.py"))
