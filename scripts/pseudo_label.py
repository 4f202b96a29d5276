"""Keeps a model's confident transcriptions as a training manifest (unsupervised adaptation):
python scripts/pseudo_label.py predictions=PRED.jsonl output=PSEUDO.jsonl [min_confidence=0.9]
[manifest=AUDIO.jsonl] [speaker=NAME] ["agree_with=[OTHER.jsonl,...]"]. PRED.jsonl comes from
transcribe.py with timestamps=true; with agree_with, a label is kept only when every OTHER.jsonl
(other transcriptions of the same audio) has the same words for that file.
The summary (counts, and the labels' accuracy where the manifest has transcripts) is printed
and saved as summary.json in the Hydra run directory.

The same as `speech-lstm pseudo-label` (speech_lstm.cli); `--help` explains the settings.
"""

import _bootstrap  # noqa: F401  (puts the checkout first on sys.path)

from speech_lstm.cli import run_job

if __name__ == "__main__":
    raise SystemExit(run_job("pseudo-label", prog="scripts/pseudo_label.py"))
