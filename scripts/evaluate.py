"""Scores a model or a predictions file on a manifest; writes the reports into output_dir.

    python scripts/evaluate.py predictions=FILE manifest=FILE output_dir=DIR [tolerance=0.15]
    python scripts/evaluate.py model_dir=DIR manifest=FILE output_dir=DIR [normalizer=numbers]

Exits 0 on success, 3 when `tolerance` is set and WER exceeds it (a CI gate), 1 on errors.

The same as `speech-lstm evaluate` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("evaluate", prog="scripts/evaluate.py"))
