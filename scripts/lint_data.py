"""Checks a manifest for data problems: python scripts/lint_data.py manifest=FILE
[output=CLEANED.jsonl]. Prints a table; exits with status 1 when a row has an error.

The same as `speech-lstm lint-data` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("lint-data", prog="scripts/lint_data.py"))
