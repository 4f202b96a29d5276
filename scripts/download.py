"""Downloads and extracts a public corpus: python scripts/download.py dataset=librispeech
subset=dev-clean dest=data/ (resumable, checksum-verified, safe extraction).

The same as `speech-lstm download` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("download", prog="scripts/download.py"))
