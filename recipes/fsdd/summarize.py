"""The FSDD recipe's table: each held-out speaker's WER (greedy and digit LM) and train time.

Usage: python -m recipes.fsdd.summarize OUT SPEAKER [SPEAKER ...]
Reads OUT/<speaker>/eval_{greedy,beam_lm}/report.json and OUT/<speaker>/train/train_seconds;
writes OUT/summary.md and prints it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from recipes.summary import load_json, markdown_table, percent, read_seconds, write_summary

HEADER = ["held-out speaker", "test utts", "WER greedy", "WER beam_lm", "CER greedy", "train s"]


def speaker_row(run: Path) -> list[str]:
    """The table row of one held-out speaker's folder `run` (named after the speaker)."""
    greedy = load_json(run / "eval_greedy" / "report.json")
    lm = load_json(run / "eval_beam_lm" / "report.json")
    seconds = read_seconds(run / "train" / "train_seconds")
    return [
        run.name,
        str(greedy["n_utterances"]),
        percent(greedy["wer"]),
        percent(lm["wer"]),
        percent(greedy["cer"]),
        "-" if seconds is None else str(seconds),
    ]


def summary_table(out: Path, speakers: Sequence[str]) -> str:
    """The Markdown table of the recipe's runs under `out`, one row per speaker, in order."""
    rows = [speaker_row(out / speaker) for speaker in speakers]
    return markdown_table(HEADER, rows, numeric=[False] + [True] * 5)


def main(argv: Sequence[str]) -> None:
    """Writes `OUT/summary.md` for the speakers named after OUT, and prints it."""
    if len(argv) < 2:
        raise SystemExit(__doc__)
    out = Path(argv[0])
    write_summary(out / "summary.md", summary_table(out, argv[1:]))


if __name__ == "__main__":
    main(sys.argv[1:])
