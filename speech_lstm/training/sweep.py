"""Summary of a Hydra multirun sweep: one row per job with its overrides and best dev scores.

`conf/train.yaml` registers `SweepSummary` as a Hydra callback, so
`python scripts/train.py -m model.num_layers=2,3 model.units=128,256` ends by writing
`summary.md` and `summary.csv` into the sweep directory.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any

import yaml
from hydra.experimental.callback import Callback

from speech_lstm.atomic import atomic_file, write_text

log = logging.getLogger(__name__)

FIELDS = (
    "job",
    "overrides",
    "best_dev_wer",
    "best_dev_cer",
    "best_epoch",
    "epochs",
    "train_minutes",
)


def summarize_sweep(sweep_dir: str | Path) -> list[dict[str, Any]]:
    """Reads every job folder under `sweep_dir` that has a `metrics.json`, best dev WER first."""
    rows = []
    for metrics_path in sorted(Path(sweep_dir).glob("*/metrics.json")):
        job_dir = metrics_path.parent
        epochs = json.loads(metrics_path.read_text())
        if not epochs:
            continue
        best = min(epochs, key=lambda row: row.get("val_wer", float("inf")))
        overrides_path = job_dir / ".hydra" / "overrides.yaml"
        overrides = yaml.safe_load(overrides_path.read_text()) if overrides_path.is_file() else []
        rows.append(
            {
                "job": job_dir.name,
                "overrides": " ".join(overrides or []),
                "best_dev_wer": round(best.get("val_wer", float("nan")), 4),
                "best_dev_cer": round(best.get("val_cer", float("nan")), 4),
                "best_epoch": best["epoch"],
                "epochs": len(epochs),
                "train_minutes": round(sum(row["epoch_seconds"] for row in epochs) / 60, 2),
            }
        )
    return sorted(rows, key=lambda row: row["best_dev_wer"])


def write_summary(rows: list[dict[str, Any]], sweep_dir: str | Path) -> dict[str, Path]:
    """Writes the rows as `summary.csv` and a Markdown table `summary.md` in `sweep_dir`."""
    sweep_dir = Path(sweep_dir)
    csv_path, md_path = sweep_dir / "summary.csv", sweep_dir / "summary.md"
    with atomic_file(csv_path) as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    lines = [
        "| " + " | ".join(FIELDS) + " |",
        "|" + "---|" * len(FIELDS),
        *("| " + " | ".join(str(row[field]) for field in FIELDS) + " |" for row in rows),
    ]
    write_text(md_path, "# Sweep summary\n\n" + "\n".join(lines) + "\n")
    return {"csv": csv_path, "markdown": md_path}


class SweepSummary(Callback):
    """Hydra callback: writes the sweep summary when a multirun ends."""

    def on_multirun_end(self, config, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        paths = write_summary(summarize_sweep(sweep_dir), sweep_dir)
        log.info("sweep summary: %s", paths["markdown"])
