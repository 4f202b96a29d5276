"""Trains a BiLSTM-CTC model: python scripts/train.py [overrides], e.g. model.num_layers=4.

The same as `speech-lstm train` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("train", prog="scripts/train.py"))
