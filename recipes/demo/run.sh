#!/usr/bin/env bash
# The main job on the embedded default corpus: generate -> train -> transcribe -> evaluate.
# Usage: recipes/demo/run.sh [DEMO_DIR] [extra train.py overrides...]   (run through `make demo`)
set -euo pipefail
cd "$(dirname "$0")/../.."
DEMO_DIR="${1:-outputs/demo}"
shift || true
PY="${VENV:-.venv}/bin/python"
CORPUS=data/synthetic
started=$(date +%s)

echo "== 1/4 generating the default corpus into $CORPUS (reused when already there)"
"$PY" scripts/make_synthetic.py experiment=demo "$@"

echo "== 2/4 training (run directory $DEMO_DIR/train)"
rm -rf "$DEMO_DIR"
"$PY" scripts/train.py hydra.run.dir="$DEMO_DIR/train" experiment=demo "$@"

echo "== 3/4 transcribing the held-out-voice test split (beam search + word trigram LM)"
"$PY" scripts/transcribe.py model_dir="$DEMO_DIR/train/model" input="$CORPUS/test.jsonl" \
  output="$DEMO_DIR/test_predictions.jsonl" decoder=beam_lm hydra.run.dir="$DEMO_DIR/transcribe"

echo "== 4/4 evaluating (the LM decoding above, and greedy decoding for comparison)"
"$PY" scripts/evaluate.py predictions="$DEMO_DIR/test_predictions.jsonl" \
  manifest="$CORPUS/test.jsonl" output_dir="$DEMO_DIR/eval" hydra.run.dir="$DEMO_DIR/evaluate"
"$PY" scripts/evaluate.py model_dir="$DEMO_DIR/train/model" decoder=greedy \
  manifest="$CORPUS/test.jsonl" output_dir="$DEMO_DIR/eval_greedy" \
  hydra.run.dir="$DEMO_DIR/evaluate_greedy"
if [ -f "$CORPUS/test_everyday.jsonl" ]; then  # everyday English, in no LM text, unseen voices
  for decoder in beam_lm greedy; do
    "$PY" scripts/evaluate.py model_dir="$DEMO_DIR/train/model" decoder="$decoder" \
      manifest="$CORPUS/test_everyday.jsonl" output_dir="$DEMO_DIR/eval_everyday_$decoder" \
      hydra.run.dir="$DEMO_DIR/evaluate_everyday_$decoder"
  done
fi

elapsed=$(( $(date +%s) - started ))
"$PY" -m recipes.demo.summarize "$DEMO_DIR" "$elapsed"
