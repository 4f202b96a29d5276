"""Builds a word n-gram LM: python scripts/build_lm.py input=TEXT_OR_MANIFEST output=lm.arpa.

Use it with decoder=beam_lm decoder.lm_path=lm.arpa, or put it in a model directory as lm.arpa.

The same as `speech-lstm build-lm` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("build-lm", prog="scripts/build_lm.py"))
