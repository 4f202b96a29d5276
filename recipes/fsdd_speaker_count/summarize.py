"""The speaker-count table: the held-out WER of every recipe run trained on N real speakers,
and the mean per N.

Usage: python -m recipes.fsdd_speaker_count.summarize OUT N [N ...]
Reads OUT/n<N>/<choice>/<speaker>/eval_{greedy,beam_lm}/report.json and
.../train/train_seconds (the layout run.sh gives recipes/fsdd/run.sh); writes OUT/summary.md
and prints it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from recipes.summary import load_json, markdown_table, percent, read_seconds, write_summary

HEADER = ["training speakers", "n", "held-out speaker", "WER greedy", "WER beam_lm", "train s"]
DECODERS = ("greedy", "beam_lm")


def runs_of(out: Path, count: int) -> list[Path]:
    """The finished runs trained on `count` speakers: `out/n<count>/<choice>/<speaker>`."""
    reports = sorted(out.glob(f"n{count}/*/*/eval_beam_lm/report.json"))
    return [report.parents[1] for report in reports]


def run_wers(run: Path) -> dict[str, float]:
    """{decoder: WER} of one run."""
    return {d: load_json(run / f"eval_{d}" / "report.json")["wer"] for d in DECODERS}


def run_row(run: Path, count: int, wers: dict[str, float]) -> list[str]:
    """The row of one run; its folder's parent names the training speakers (`a_b`)."""
    seconds = read_seconds(run / "train" / "train_seconds")
    return [
        run.parent.name.replace("_", ", "),
        str(count),
        run.name,
        *(percent(wers[d]) for d in DECODERS),
        "-" if seconds is None else str(seconds),
    ]


def summary_table(out: Path, counts: Sequence[int]) -> str:
    """Every run of each count in `counts`, then a mean row per count that has runs."""
    rows, means = [], []
    for count in counts:
        scored = [(run, run_wers(run)) for run in runs_of(out, count)]
        rows += [run_row(run, count, wers) for run, wers in scored]
        if scored:
            mean = [percent(sum(w[d] for _, w in scored) / len(scored)) for d in DECODERS]
            means.append([f"mean of {len(scored)} runs", str(count), "", *mean, ""])
    return markdown_table(HEADER, rows + means, numeric=[False, True, False, True, True, True])


def main(argv: Sequence[str]) -> None:
    """Writes `OUT/summary.md` for the counts named after OUT, and prints it."""
    if len(argv) < 2:
        raise SystemExit(__doc__)
    out = Path(argv[0])
    write_summary(out / "summary.md", summary_table(out, [int(n) for n in argv[1:]]))


if __name__ == "__main__":
    main(sys.argv[1:])
