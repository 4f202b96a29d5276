#!/usr/bin/env bash
# The main job on the embedded default corpus: generate -> train -> transcribe -> evaluate.
# Usage: scripts/demo.sh [DEMO_DIR] [extra train.py overrides...]   (run through `make demo`)
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO_DIR="${1:-outputs/demo}"
shift || true
PY="${VENV:-.venv}/bin/python"
CORPUS=data/synthetic
started=$(date +%s)

echo "== 1/4 generating the default corpus into $CORPUS (reused when already there)"
"$PY" scripts/make_synthetic.py "$@"

echo "== 2/4 training (run directory $DEMO_DIR/train)"
rm -rf "$DEMO_DIR"
"$PY" scripts/train.py hydra.run.dir="$DEMO_DIR/train" "$@"

echo "== 3/4 transcribing the held-out-voice test split"
"$PY" scripts/transcribe.py model_dir="$DEMO_DIR/train/model" input="$CORPUS/test.jsonl" \
  output="$DEMO_DIR/test_predictions.jsonl" hydra.run.dir="$DEMO_DIR/transcribe"

echo "== 4/4 evaluating"
"$PY" scripts/evaluate.py predictions="$DEMO_DIR/test_predictions.jsonl" \
  manifest="$CORPUS/test.jsonl" output_dir="$DEMO_DIR/eval" hydra.run.dir="$DEMO_DIR/evaluate"

elapsed=$(( $(date +%s) - started ))
"$PY" - "$DEMO_DIR/eval/report.json" "$elapsed" <<'PYEOF'
import json, sys
report = json.load(open(sys.argv[1]))
print(
    f"\nDemo finished in {int(sys.argv[2]) // 60} min {int(sys.argv[2]) % 60} s. "
    f"Test split (voices never seen in training): WER {report['wer']:.2%}, "
    f"CER {report['cer']:.2%} over {report['n_utterances']} utterances."
)
print(f"Report: {sys.argv[1].replace('report.json', 'report.md')}")
PYEOF
