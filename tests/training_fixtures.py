"""Training runs for tests: the tiny synthetic corpus and the `scripts/train.py` command line
(shared by the training, adaptation and sweep tests). A pytest plugin (`pytest_plugins` in
tests/conftest.py): the corpus is generated once per session, not once per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, require_espeak, run_script


def generate_tiny_corpus(root: Path) -> None:
    """`scripts/make_synthetic.py debug=tiny` below `root` (root/data/synthetic_tiny)."""
    require_espeak()
    generated = run_script(
        "make_synthetic.py",
        f"paths.root_dir={root}",
        "debug=tiny",
        f"hydra.run.dir={root / 'gen'}",
    )
    assert generated.returncode == 0, generated.stderr


@pytest.fixture(scope="session")
def tiny_corpus_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `paths.root_dir` holding the `debug=tiny` corpus, generated once per session (skipped
    where espeak-ng is missing). Tests only read it; trainings from it also share its feature
    cache (root/data/cache), whose stores are named by their contents."""
    root = tmp_path_factory.mktemp("tiny_corpus")
    generate_tiny_corpus(root)
    return root


def train_command(corpus_root: Path, run_dir: Path, *extra: str) -> list[str]:
    """`scripts/train.py` on the tiny corpus below `corpus_root`, writing the run in `run_dir`."""
    return [
        sys.executable,
        str(ROOT / "scripts" / "train.py"),
        f"paths.root_dir={corpus_root}",
        "debug=tiny",
        f"hydra.run.dir={run_dir}",
        "trainer.epochs=3",
        "model.units=16",
        "trainer.verbose=0",
        "trainer.num_workers=1",  # features in the training process: no worker to start
        *extra,
    ]
