"""The generalisation recipe's summary: greedy WER per TTS family of the unseen test voices,
and the time of each step.

Usage: python -m recipes.synthetic_large.summarize OUT TOTAL_SECONDS
Reads OUT/eval_greedy/report.json and OUT/{generate,train,evaluate}_seconds; writes
OUT/summary.md and prints it, with whether the target (greedy WER <= 20%) is met.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from recipes.summary import (
    load_json,
    markdown_row,
    percent,
    pooled_wer,
    read_seconds,
    write_summary,
)

TARGET_WER = 0.20
HELD_OUT_FAMILY = "festival"  # no voice of it in training (conf/data/synthetic_large.yaml)
STEPS = ("generate", "train", "evaluate")


def by_family(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The report's `by_speaker` rows grouped by TTS family (`"flite:awb"` -> `"flite"`)."""
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for speaker in report["by_speaker"]:
        families[speaker["name"].split(":", 1)[0]].append(speaker)
    return dict(families)


def family_table(report: dict[str, Any]) -> str:
    """The table of utterances and greedy WER per family, then all of the test split."""
    lines = ["| test voices (never in training) | utterances | WER greedy |", "|---|---:|---:|"]
    for family, speakers in sorted(by_family(report).items()):
        name = family + (" (whole family held out)" if family == HELD_OUT_FAMILY else "")
        utterances = sum(speaker["n_utterances"] for speaker in speakers)
        lines.append(markdown_row([name, str(utterances), percent(pooled_wer(speakers))]))
    overall = f"**{percent(report['wer'])}** (CER {percent(report['cer'])})"
    lines.append(markdown_row(["all", str(report["n_utterances"]), overall]))
    return "\n".join(lines)


def timing_line(out: Path, total_seconds: int) -> str:
    """The minutes of each step (`-` for one that did not run this time) and of the run."""
    minutes = []
    for step in STEPS:
        seconds = read_seconds(out / f"{step}_seconds")
        minutes.append("-" if seconds is None else f"{seconds / 60:.1f} min")
    generation, training, evaluation = minutes
    return (
        f"Time: generation {generation}, training {training}, evaluation {evaluation}; "
        f"this run {total_seconds / 60:.1f} min in all."
    )


def summary(out: Path, total_seconds: int) -> str:
    """The family table and the timing line of the run in `out`."""
    report = load_json(out / "eval_greedy" / "report.json")
    return family_table(report) + "\n\n" + timing_line(out, total_seconds)


def target_line(wer: float) -> str:
    """Whether greedy `wer` meets the recipe's target."""
    met = "met" if wer <= TARGET_WER else "not met"
    return f"Target: WER <= {TARGET_WER:.0%} greedy: {met}."


def main(argv: Sequence[str]) -> None:
    """Writes `OUT/summary.md` and prints it with the target's verdict."""
    if len(argv) != 2:
        raise SystemExit(__doc__)
    out = Path(argv[0])
    print()
    write_summary(out / "summary.md", summary(out, int(argv[1])))
    print(target_line(load_json(out / "eval_greedy" / "report.json")["wer"]))
    print(f"Report: {out}/eval_greedy/report.md")


if __name__ == "__main__":
    main(sys.argv[1:])
