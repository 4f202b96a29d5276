"""Training runs for tests: the tiny synthetic corpus and the `scripts/train.py` command line
(shared by the training and adaptation tests)."""

from __future__ import annotations

import sys

from tests.conftest import ROOT, require_espeak, run_script


def generate_tiny_corpus(tmp_path) -> None:
    require_espeak()
    generated = run_script(
        "make_synthetic.py",
        f"paths.root_dir={tmp_path}",
        "debug=tiny",
        f"hydra.run.dir={tmp_path / 'gen'}",
    )
    assert generated.returncode == 0, generated.stderr


def train_command(tmp_path, *extra, run_name: str = "run"):
    return [
        sys.executable,
        str(ROOT / "scripts" / "train.py"),
        f"paths.root_dir={tmp_path}",
        "debug=tiny",
        f"hydra.run.dir={tmp_path / run_name}",
        "trainer.epochs=3",
        "model.units=16",
        "trainer.verbose=0",
        *extra,
    ]
