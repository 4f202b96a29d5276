"""Sweep summaries: from job folders on disk, and from a real Hydra multirun."""

import csv
import json

import pytest

from speech_lstm.training.sweep import summarize_sweep, write_summary
from tests.conftest import run_script


def make_job(sweep_dir, name, overrides, wers):
    job = sweep_dir / name
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    epochs = [
        {"epoch": i + 1, "val_wer": w, "val_cer": w / 3, "epoch_seconds": 30.0}
        for i, w in enumerate(wers)
    ]
    (job / "metrics.json").write_text(json.dumps(epochs))


def test_summary_rows_are_sorted_by_best_dev_wer(tmp_path):
    make_job(tmp_path, "0_units=64", ["model.units=64"], [0.9, 0.5, 0.6])
    make_job(tmp_path, "1_units=128", ["model.units=128"], [0.8, 0.4])
    (tmp_path / "2_crashed").mkdir()
    rows = summarize_sweep(tmp_path)
    assert [r["overrides"] for r in rows] == ["model.units=128", "model.units=64"]
    assert rows[1]["best_epoch"] == 2 and rows[1]["epochs"] == 3
    assert rows[1]["train_minutes"] == 1.5
    paths = write_summary(rows, tmp_path)
    with paths["csv"].open() as table:
        assert [r["job"] for r in csv.DictReader(table)] == ["1_units=128", "0_units=64"]
    assert "| 1_units=128 | model.units=128 | 0.4 |" in paths["markdown"].read_text()


@pytest.mark.slow
def test_multirun_writes_a_summary(tmp_path, tiny_corpus_root):
    common = [f"paths.root_dir={tiny_corpus_root}", "debug=tiny"]
    swept = run_script(
        "train.py",
        "-m",
        *common,
        "model.units=8,16",
        "trainer.verbose=0",
        "trainer.num_workers=1",
        f"hydra.sweep.dir={tmp_path / 'sweep'}",
    )
    assert swept.returncode == 0, swept.stderr
    rows = summarize_sweep(tmp_path / "sweep")
    units = sorted(o for r in rows for o in r["overrides"].split() if o.startswith("model.units"))
    assert units == ["model.units=16", "model.units=8"]
    assert (tmp_path / "sweep" / "summary.md").is_file()
    assert (tmp_path / "sweep" / "summary.csv").is_file()
