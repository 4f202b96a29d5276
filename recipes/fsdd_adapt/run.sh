#!/usr/bin/env bash
# Unsupervised speaker adaptation on FSDD, after recipes/fsdd/run.sh trained the
# speaker-independent model of each held-out speaker (in $FSDD_OUT/<speaker>/train/model).
# FSDD_ADAPT_MODE=cross (default): the held-out speaker's 500 recordings are cut into two
# halves by take (0-24, 25-49). For each half: the base model transcribes the OTHER half (no
# labels used), its confident transcriptions become pseudo-labels, the model is fine-tuned on
# them (experiment=fsdd_adapt), and the adapted model is scored on this half, which it never
# heard. The two halves together score all 500 recordings.
# FSDD_ADAPT_MODE=self: the recordings to transcribe are the ones adapted on (all 500), as a
# user would adapt to a folder of a new speaker's recordings and then transcribe that folder.
# The base model is scored on the same recordings for comparison.
# Usage: recipes/fsdd_adapt/run.sh [FSDD_DIR] [speaker ...]   (default ../shared/data/fsdd, all four)
# Each further round (FSDD_ADAPT_ROUNDS, default 2) re-labels the other half with the model the
# round before adapted, and fine-tunes the speaker-independent model again on those labels.
# FSDD_ADAPT_ARGS: extra train.py overrides; FSDD_MIN_CONFIDENCE: pseudo-label threshold (0.9);
# FSDD_DIGITS: the synthetic digits manifest the recipe trained on (data/synthetic_digits/train.jsonl).
# FSDD_ADAPT_AGREE=1: from round 2 on, a label is kept only when round 1's transcription of
# that recording (by the speaker-independent models, which never learnt from a pseudo-label)
# has the same word: a guard against the drift of self-training, where a round's model grows
# confident in its own wrong labels (scripts/pseudo_label.py agree_with=...).
# FSDD_ADAPT_MEMBERS=N (default 1): an ensemble of N speaker-independent models per speaker,
# in $FSDD_OUT/<speaker>/train, train_2 ... train_N (FSDD_MEMBERS=N for recipes/fsdd/run.sh): their
# averaged posteriors label the recordings, every member is fine-tuned on the labels, and the
# fine-tuned members, averaged, label the next round and are scored.
# A re-run resumes: each finished step (a report, a round's labels, a fine-tuned member) is kept
# and said so, and FSDD_ADAPT_ROUNDS may grow; deleting a step's folder redoes that step and the
# round's score (not the rounds after it). A run made with other settings (members, threshold,
# FSDD_DIGITS, FSDD_ADAPT_ARGS) is refused rather than mixed in: delete
# $FSDD_OUT/<speaker>/adapt_<mode> or choose another FSDD_OUT.
set -euo pipefail
source "$(dirname "$0")/../fsdd/args.sh"
DIGITS="${FSDD_DIGITS:-data/synthetic_digits/train.jsonl}"
ROUNDS="${FSDD_ADAPT_ROUNDS:-2}"
MEMBERS="${FSDD_ADAPT_MEMBERS:-1}"
MODE="${FSDD_ADAPT_MODE:-cross}"
THRESHOLD="${FSDD_MIN_CONFIDENCE:-0.9}"
SETTINGS="members=$MEMBERS min_confidence=$THRESHOLD digits=$DIGITS args=${FSDD_ADAPT_ARGS:-}"
AGREE="${FSDD_ADAPT_AGREE:-0}"
[ "$AGREE" = 0 ] || SETTINGS+=" agree=$AGREE"
case "$MODE" in
  cross) HALVES=("0 24" "25 49") ;;
  self) HALVES=("0 49") ;;
  *) echo "FSDD_ADAPT_MODE must be cross or self. Received: $MODE" >&2; exit 1 ;;
esac

# model_dir= and ensemble= arguments: the first model directory, averaged with the others.
models_args() {
  local first="$1"
  shift
  printf '%s\n' "model_dir=$first" "ensemble=[$(IFS=,; echo "$*")]"
}

for speaker in "${SPEAKERS[@]}"; do
  corpus="$DATA/$speaker"
  bases=()
  for member in $(seq 1 "$MEMBERS"); do
    bases+=("$OUT/$speaker/$(member_run "$member")/model")
  done
  for base in "${bases[@]}"; do
    if [ ! -f "$base/model.keras" ] || [ ! -f "$corpus/train.jsonl" ] || [ ! -f "$DIGITS" ]; then
      echo "No speaker-independent model for $speaker at $base (or no $corpus, $DIGITS)." >&2
      echo "Run first: FSDD_MEMBERS=$MEMBERS bash recipes/fsdd/run.sh $FSDD $speaker" >&2
      exit 1
    fi
  done
  claim_settings "$OUT/$speaker/adapt_$MODE" "$SETTINGS"
  for half in "${HALVES[@]}"; do
    read -r first last <<<"$half"
    "$PY" scripts/prepare_data.py dataset=fsdd source="$FSDD" \
      output="$corpus/test_$first-$last.jsonl" dataset.split=test \
      dataset.held_out_speaker="$speaker" "dataset.test_takes=[$first,$last]" \
      hydra.run.dir="$OUT/$speaker/adapt_$MODE/prepare_$first" >/dev/null
  done
  for index in "${!HALVES[@]}"; do
    test_takes="${HALVES[$index]// /-}"
    unlabelled_takes="${HALVES[$(( (index + 1) % ${#HALVES[@]} ))]// /-}"
    run="$OUT/$speaker/adapt_$MODE/test_$test_takes"
    mapfile -t models < <(models_args "${bases[@]}")
    finished "$run/eval_base/per_utterance.jsonl" || "$PY" scripts/evaluate.py "${models[@]}" \
      decoder=beam_lm manifest="$corpus/test_$test_takes.jsonl" output_dir="$run/eval_base" \
      hydra.run.dir="$run/evaluate_base" >/dev/null
    for round in $(seq 1 "$ROUNDS"); do
      step="$run/round_$round"
      pseudo="$step/pseudo.jsonl"
      if ! finished "$step/pseudo_label/summary.json"; then
        "$PY" scripts/transcribe.py "${models[@]}" \
          input="$corpus/test_$unlabelled_takes.jsonl" output="$step/unlabelled.jsonl" \
          decoder=beam_lm timestamps=true progress=false \
          hydra.run.dir="$step/transcribe" >/dev/null
        agree=()
        if [ "$AGREE" != 0 ] && [ "$round" -gt 1 ]; then
          agree=("agree_with=[$run/round_1/unlabelled.jsonl]")
        fi
        "$PY" scripts/pseudo_label.py predictions="$step/unlabelled.jsonl" \
          manifest="$corpus/test_$unlabelled_takes.jsonl" output="$pseudo" \
          min_confidence="$THRESHOLD" hydra.run.dir="$step/pseudo_label" "${agree[@]}"
      fi
      tuned=()
      for member in $(seq 1 "$MEMBERS"); do
        member_dir="$step/$(member_run "$member")"
        tuned+=("$member_dir/model")
        finished "$member_dir/train_seconds" && continue
        started=$(date +%s)
        "$PY" scripts/train.py experiment=fsdd_adapt data.corpus_dir="$corpus" trainer.verbose=0 \
          trainer.init_from="${bases[$((member - 1))]}" \
          "data.extra_train_manifests=[$DIGITS,$pseudo,$pseudo,$pseudo]" \
          ${FSDD_ADAPT_ARGS:-} hydra.run.dir="$member_dir"
        echo "$(( $(date +%s) - started ))" > "$member_dir/train_seconds"
        rm -rf "$step/eval"  # scored an ensemble this member was not yet in
      done
      mapfile -t models < <(models_args "${tuned[@]}")
      finished "$step/eval/per_utterance.jsonl" || "$PY" scripts/evaluate.py "${models[@]}" \
        decoder=beam_lm manifest="$corpus/test_$test_takes.jsonl" output_dir="$step/eval" \
        hydra.run.dir="$step/evaluate" >/dev/null
    done
  done
done

"$PY" -m recipes.fsdd_adapt.summarize "$OUT" "$ROUNDS" "$MODE" "${SPEAKERS[@]}"
