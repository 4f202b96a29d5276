"""Generates the embedded default corpus with local TTS engines (Hydra app over conf/).

The same as `speech-lstm make-synthetic` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("make-synthetic", prog="scripts/make_synthetic.py"))
