"""Tunes beam_lm's alpha/beta on a dev manifest and writes the best decoder config.

python scripts/tune_decoder.py model_dir=DIR manifest=DEV.jsonl output=conf/decoder/NAME.yaml
[search=random trials=30]. Prints every trial's WER and the decoder YAML it wrote.

The same as `speech-lstm tune-decoder` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("tune-decoder", prog="scripts/tune_decoder.py"))
