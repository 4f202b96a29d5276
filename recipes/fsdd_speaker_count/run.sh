#!/usr/bin/env bash
# Held-out WER against the number of real training speakers. For each held-out FSDD speaker,
# the recipe (scripts/fsdd_recipe.sh) is trained on every choice of N of the other speakers,
# for each N in FSDD_SPEAKER_COUNTS (default "1 2"; N = 3 is the recipe itself), and scored on
# all takes of the held-out speaker. Answers "how many speakers would the target need?".
# Usage: scripts/fsdd_speaker_count.sh [FSDD_DIR] [held-out speaker ...]   (default all four)
# Runs go to $FSDD_OUT/n$N/$CHOICE/$SPEAKER (FSDD_OUT default outputs/fsdd_speaker_count); the
# table of every run and the mean per N is printed and written to $FSDD_OUT/summary.md.
# FSDD_TRAIN_ARGS and FSDD_DIGITS are passed on; a re-run resumes like the recipe. All four
# speakers with N = 1 and 2 are 24 trainings: about 2 h on a 2-core CPU, two scripts side by side
# (from the training times in benchmarks/RESULTS.md).
set -euo pipefail
export FSDD_OUT="${FSDD_OUT:-outputs/fsdd_speaker_count}"
source "$(dirname "$0")/fsdd_args.sh"
require_fsdd
if [ -z "${FSDD_DIGITS:-}" ]; then  # generated once here, not once per run
  "$PY" scripts/make_synthetic.py data=synthetic_digits hydra.run.dir="$OUT/make_synthetic" >/dev/null
  export FSDD_DIGITS=data/synthetic_digits/train.jsonl
fi

# Every choice of $2 speakers among the dataset's speakers other than $1, as "a,b" words.
choices() {
  "$PY" - "$FSDD" "$1" "$2" <<'PYEOF'
import itertools, pathlib, sys
source, held_out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
speakers = sorted({p.stem.split("_")[1] for p in pathlib.Path(source).glob("recordings/*.wav")})
others = [speaker for speaker in speakers if speaker != held_out]
if not 1 <= count <= len(others):
    sys.exit(f"FSDD_SPEAKER_COUNTS: {count} is not between 1 and {len(others)} (speakers: {speakers})")
print(" ".join(",".join(choice) for choice in itertools.combinations(others, count)))
PYEOF
}

for count in ${FSDD_SPEAKER_COUNTS:-1 2}; do  # every count checked before hours of training
  choices "${SPEAKERS[0]}" "$count" >/dev/null
done
for count in ${FSDD_SPEAKER_COUNTS:-1 2}; do
  for speaker in "${SPEAKERS[@]}"; do
    picks=$(choices "$speaker" "$count")
    for choice in $picks; do
      FSDD_OUT="$OUT/n$count/${choice//,/_}" FSDD_TRAIN_SPEAKERS="$choice" \
        bash scripts/fsdd_recipe.sh "$FSDD" "$speaker" >/dev/null
    done
  done
done

"$PY" - "$OUT" ${FSDD_SPEAKER_COUNTS:-1 2} <<'PYEOF'
import json, pathlib, sys
out, counts = pathlib.Path(sys.argv[1]), sys.argv[2:]
lines = ["| training speakers | n | held-out speaker | WER greedy | WER beam_lm | train s |",
         "|---|---:|---|---:|---:|---:|"]
means = []
for count in counts:
    wers = {"greedy": [], "beam_lm": []}
    for lm_report in sorted(out.glob(f"n{count}/*/*/eval_beam_lm/report.json")):
        run = lm_report.parents[1]
        scores = {d: json.loads((run / f"eval_{d}" / "report.json").read_text())["wer"] for d in wers}
        for decoder, wer in scores.items():
            wers[decoder].append(wer)
        seconds = (run / "train" / "train_seconds").read_text().strip()
        trained_on = run.parent.name.replace("_", ", ")
        lines.append(f"| {trained_on} | {count} | {run.name} | {scores['greedy']:.2%} | "
                     f"{scores['beam_lm']:.2%} | {seconds} |")
    if wers["beam_lm"]:
        mean = {d: sum(v) / len(v) for d, v in wers.items()}
        means.append(f"| mean of {len(wers['beam_lm'])} runs | {count} | | {mean['greedy']:.2%} | "
                     f"{mean['beam_lm']:.2%} | |")
table = "\n".join(lines + means)
(out / "summary.md").write_text(table + "\n")
print(table)
PYEOF
