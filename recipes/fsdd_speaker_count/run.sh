#!/usr/bin/env bash
# Held-out WER against the number of real training speakers. For each held-out FSDD speaker,
# the recipe (recipes/fsdd/run.sh) is trained on every choice of N of the other speakers,
# for each N in FSDD_SPEAKER_COUNTS (default "1 2"; N = 3 is the recipe itself), and scored on
# all takes of the held-out speaker. Answers "how many speakers would the target need?".
# Usage: recipes/fsdd_speaker_count/run.sh [FSDD_DIR] [held-out speaker ...]   (default all four)
# Runs go to $FSDD_OUT/n$N/$CHOICE/$SPEAKER (FSDD_OUT default outputs/fsdd_speaker_count); the
# table of every run and the mean per N is printed and written to $FSDD_OUT/summary.md.
# FSDD_TRAIN_ARGS and FSDD_DIGITS are passed on; a re-run resumes like the recipe. All four
# speakers with N = 1 and 2 are 24 trainings: about 2 h on a 2-core CPU, two scripts side by side
# (from the training times in recipes/fsdd_speaker_count/README.md).
set -euo pipefail
export FSDD_OUT="${FSDD_OUT:-outputs/fsdd_speaker_count}"
source "$(dirname "$0")/../fsdd/args.sh"
require_fsdd
if [ -z "${FSDD_DIGITS:-}" ]; then  # generated once here, not once per run
  "$PY" scripts/make_synthetic.py data=synthetic_digits hydra.run.dir="$OUT/make_synthetic" >/dev/null
  export FSDD_DIGITS=data/synthetic_digits/train.jsonl
fi

# Every choice of $2 speakers among the dataset's speakers other than $1, as "a,b" words.
choices() {
  "$PY" -m recipes.fsdd_speaker_count.choices "$FSDD" "$1" "$2"
}

for count in ${FSDD_SPEAKER_COUNTS:-1 2}; do  # every count checked before hours of training
  choices "${SPEAKERS[0]}" "$count" >/dev/null
done
for count in ${FSDD_SPEAKER_COUNTS:-1 2}; do
  for speaker in "${SPEAKERS[@]}"; do
    picks=$(choices "$speaker" "$count")
    for choice in $picks; do
      FSDD_OUT="$OUT/n$count/${choice//,/_}" FSDD_TRAIN_SPEAKERS="$choice" \
        bash recipes/fsdd/run.sh "$FSDD" "$speaker" >/dev/null
    done
  done
done

"$PY" -m recipes.fsdd_speaker_count.summarize "$OUT" ${FSDD_SPEAKER_COUNTS:-1 2}
