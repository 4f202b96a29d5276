"""What the recipes' summary steps share: reading a run's files and writing Markdown tables.

The summaries read only what the entry points wrote (`report.json` of `scripts/evaluate.py`,
`summary.json` of `scripts/pseudo_label.py`, the `*_seconds` files of the recipe scripts), so
they import nothing from `speech_lstm`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def load_json(path: Path) -> dict[str, Any]:
    """Reads one JSON object (a `report.json` or `summary.json`).

    Raises:
        ValueError: when the file is missing, naming the step that should have written it.
    """
    if not path.is_file():
        raise ValueError(f"No {path.name} at {path}: its step has not run (run the recipe again).")
    with path.open() as file:
        return json.load(file)


def read_seconds(path: Path) -> int | None:
    """The whole seconds a recipe step wrote to `path` (`train_seconds`, ...), None if absent."""
    return int(path.read_text().strip()) if path.is_file() else None


def pooled_wer(reports: Iterable[dict[str, Any]]) -> float:
    """The WER of several reports (or `by_speaker` rows) together: their errors over their words.

    Args:
        reports: dicts with `errors` and `n_words`, e.g. the two halves of one speaker.

    Raises:
        ValueError: when they hold no word.
    """
    reports = list(reports)
    words = sum(report["n_words"] for report in reports)
    if words == 0:
        raise ValueError(f"No reference word in the reports to pool. Received: {reports}")
    return sum(report["errors"] for report in reports) / words


def percent(value: float, digits: int = 2) -> str:
    """`0.0812` -> `"8.12%"`."""
    return f"{value:.{digits}%}"


def markdown_row(cells: Sequence[str]) -> str:
    """One table row; an empty cell is written `| |`."""
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]
) -> str:
    """A Markdown table, numeric columns aligned right.

    Args:
        header: the column names.
        rows: the cells of each row, as many as `header`.
        numeric: per column, whether it is right-aligned.

    Raises:
        ValueError: when a row or `numeric` has another number of cells than `header`.
    """
    rows = [list(row) for row in rows]
    for row in [list(numeric), *rows]:
        if len(row) != len(header):
            raise ValueError(f"A row of {len(row)} cells in a table of {len(header)}: {row}")
    rule = "|" + "|".join("---:" if right else "---" for right in numeric) + "|"
    return "\n".join([markdown_row(header), rule, *(markdown_row(row) for row in rows)])


def write_summary(path: Path, text: str) -> None:
    """Writes a summary (with a final newline) and prints it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    print(text)
