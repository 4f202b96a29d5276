"""Imports a corpus into a JSONL manifest: python scripts/prepare_data.py dataset=NAME
source=PATH output=MANIFEST [dataset.split=...] [convert=true].

The same as `speech-lstm prepare-data` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("prepare-data", prog="scripts/prepare_data.py"))
