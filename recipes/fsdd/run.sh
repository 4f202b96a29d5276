#!/usr/bin/env bash
# Real-speech recipe: FSDD with each of its four speakers held out in turn.
# For each speaker: import manifests (train = takes 5-49 of the other three, dev = their
# takes 0-4, test = every take of the held-out speaker), train on them plus synthetic spoken
# digits, and evaluate greedy and LM decoding on the held-out speaker.
# Usage: recipes/fsdd/run.sh [FSDD_DIR] [speaker ...]   (default ../shared/data/fsdd, all four)
# Extra train.py overrides can be given in FSDD_TRAIN_ARGS, e.g. FSDD_TRAIN_ARGS="trainer.epochs=15".
# FSDD_MEMBERS=N (default 1) also trains members 2..N of an ensemble per speaker (trainer.seed
# 1..N-1, in train_2 ... train_N) for recipes/fsdd_adapt/run.sh; the evaluations score member 1.
# FSDD_DIGITS=MANIFEST trains on those spoken digits instead of generating the TTS ones.
# FSDD_TRAIN_SPEAKERS=a,b trains on those of the other speakers only (train and dev; the test
# set is unchanged), as recipes/fsdd_speaker_count/run.sh does to measure what each speaker buys.
# A re-run resumes: trained members and finished evaluations are kept, and FSDD_MEMBERS may
# grow. A speaker folder made with other FSDD_TRAIN_ARGS or FSDD_DIGITS is refused.
set -euo pipefail
source "$(dirname "$0")/args.sh"
require_fsdd

DIGITS="${FSDD_DIGITS:-}"
if [ -z "$DIGITS" ]; then
  # Spoken digits from ~230 TTS voices broaden the three real training speakers.
  "$PY" scripts/make_synthetic.py data=synthetic_digits hydra.run.dir="$OUT/make_synthetic" >/dev/null
  DIGITS=data/synthetic_digits/train.jsonl
fi

for speaker in "${SPEAKERS[@]}"; do
  corpus="$DATA/$speaker"
  settings="digits=$DIGITS args=${FSDD_TRAIN_ARGS:-}"
  only=()
  if [ -n "${FSDD_TRAIN_SPEAKERS:-}" ]; then
    corpus="${corpus}_trained_on_${FSDD_TRAIN_SPEAKERS//,/_}"  # never an all-speaker manifest
    settings="$settings train_speakers=$FSDD_TRAIN_SPEAKERS"
    only=("dataset.train_speakers=[$FSDD_TRAIN_SPEAKERS]")
  fi
  claim_settings "$OUT/$speaker" "$settings"
  for split in train dev test; do
    "$PY" scripts/prepare_data.py dataset=fsdd source="$FSDD" output="$corpus/$split.jsonl" \
      dataset.split="$split" dataset.held_out_speaker="$speaker" dataset.dev_takes=5 "${only[@]}" \
      hydra.run.dir="$OUT/$speaker/prepare_$split" >/dev/null
  done
  for member in $(seq 1 "${FSDD_MEMBERS:-1}"); do
    run="$OUT/$speaker/$(member_run "$member")"
    finished "$run/train_seconds" && continue
    started=$(date +%s)
    "$PY" scripts/train.py experiment=fsdd data.corpus_dir="$corpus" trainer.verbose=0 \
      "data.extra_train_manifests=[$DIGITS]" trainer.seed=$((member - 1)) ${FSDD_TRAIN_ARGS:-} \
      hydra.run.dir="$run"
    echo "$(( $(date +%s) - started ))" > "$run/train_seconds"
    [ "$member" -gt 1 ] || rm -rf "$OUT/$speaker"/eval_*  # they scored an earlier member 1
  done
  for decoder in greedy beam_lm; do
    finished "$OUT/$speaker/eval_$decoder/per_utterance.jsonl" ||
      "$PY" scripts/evaluate.py model_dir="$OUT/$speaker/train/model" decoder="$decoder" \
        manifest="$corpus/test.jsonl" output_dir="$OUT/$speaker/eval_$decoder" \
        hydra.run.dir="$OUT/$speaker/evaluate_$decoder" >/dev/null
  done
done

"$PY" -m recipes.fsdd.summarize "$OUT" "${SPEAKERS[@]}"
