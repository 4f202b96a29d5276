"""Compares evaluation reports: figures side by side with deltas, and paired bootstrap tests.

    python scripts/compare.py outputs/eval_a/report.json outputs/eval_b/report.json [...]
        [--html comparison.html] [--samples 1000] [--seed 0] [--confidence 0.95]

The first report is the baseline. Markdown goes to stdout; --html also writes a page.
A plain argparse script (not Hydra): its input is a list of files.

The same as `speech-lstm compare` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("compare", prog="scripts/compare.py"))
