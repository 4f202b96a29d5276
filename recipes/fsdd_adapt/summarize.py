"""The adaptation recipe's table: per held-out speaker, the WER of the speaker-independent
model(s) and of each adapted round, the last round's pseudo-labels and the fine-tuning time.

Usage: python -m recipes.fsdd_adapt.summarize OUT ROUNDS MODE SPEAKER [SPEAKER ...]
Reads, for each OUT/<speaker>/adapt_<MODE>/test_<takes> folder (one per scored half): the
report.json of eval_base and round_<r>/eval, round_<ROUNDS>/pseudo_label/summary.json and
round_<r>/train*/train_seconds. Writes OUT/adapt_<MODE>_summary.md and prints it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from recipes.summary import (
    load_json,
    markdown_table,
    percent,
    pooled_wer,
    read_seconds,
    write_summary,
)

LABEL_COUNTS = ("rows", "kept", "checked", "correct")  # pseudo_label.py's summary.json


def header(rounds: int) -> list[str]:
    """The column names for `rounds` rounds of adaptation."""
    wers = ["WER base"] + [f"WER round {r}" for r in range(1, rounds + 1)]
    return ["held-out speaker", *wers, "labels kept (last round)", "their accuracy", "fine-tune s"]


def scored_halves(out: Path, speaker: str, mode: str) -> list[Path]:
    """The speaker's folders of scored takes (`test_0-24`, `test_25-49`; `test_0-49` in self
    mode), which together hold all of the speaker's recordings."""
    halves = sorted((out / speaker / f"adapt_{mode}").glob("test_*"))
    if not halves:
        raise ValueError(f"No adaptation of {speaker} in {out}/{speaker}/adapt_{mode}.")
    return halves


def round_wers(halves: Sequence[Path], rounds: int) -> list[float]:
    """The WER over all `halves` of the base model(s), then of each round's adapted model(s)."""
    reports = ["eval_base"] + [f"round_{r}/eval" for r in range(1, rounds + 1)]
    return [
        pooled_wer(load_json(half / report / "report.json") for half in halves)
        for report in reports
    ]


def label_cells(halves: Sequence[Path], rounds: int) -> list[str]:
    """The labels kept in the last round ("K of N") and the share of checked ones that are right."""
    summaries = [load_json(h / f"round_{rounds}" / "pseudo_label" / "summary.json") for h in halves]
    rows, kept, checked, correct = (sum(s[key] for s in summaries) for key in LABEL_COUNTS)
    return [f"{kept} of {rows}", percent(correct / checked, 1) if checked else "n/a"]


def fine_tune_seconds(halves: Sequence[Path], rounds: int) -> int:
    """The seconds of every fine-tune (each member, round and half) of one speaker."""
    timings = (
        read_seconds(timing)
        for half in halves
        for r in range(1, rounds + 1)
        for timing in sorted((half / f"round_{r}").glob("train*/train_seconds"))
    )
    return sum(seconds for seconds in timings if seconds is not None)


def summary_table(out: Path, rounds: int, mode: str, speakers: Sequence[str]) -> str:
    """The table of `speakers` adapted in `mode` (cross or self) for `rounds` rounds, with
    the mean WER of each column over the speakers."""
    rows, columns = [], []
    for speaker in speakers:
        halves = scored_halves(out, speaker, mode)
        wers = round_wers(halves, rounds)
        columns.append(wers)
        rows.append(
            [
                speaker,
                *map(percent, wers),
                *label_cells(halves, rounds),
                str(fine_tune_seconds(halves, rounds)),
            ]
        )
    means = [percent(sum(column) / len(column)) for column in zip(*columns)]
    rows.append(["mean", *means, "", "", ""])
    return markdown_table(header(rounds), rows, numeric=[False] + [True] * (rounds + 4))


def main(argv: Sequence[str]) -> None:
    """Writes `OUT/adapt_<MODE>_summary.md` and prints it."""
    if len(argv) < 4:
        raise SystemExit(__doc__)
    out, rounds, mode, speakers = Path(argv[0]), int(argv[1]), argv[2], argv[3:]
    write_summary(out / f"adapt_{mode}_summary.md", summary_table(out, rounds, mode, speakers))


if __name__ == "__main__":
    main(sys.argv[1:])
