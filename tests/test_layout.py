"""The package layout: one folder per stage, each importing only from the stages below it,
no import cycles, short modules, and transcription free of the training-side stages."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.transcription_fixtures import save, untrained_model

PACKAGE = ROOT / "speech_lstm"

# Stages from the bottom up; a module may import from its own stage and the ones before it.
# The package root holds the cross-stage basics; `config` assembles every stage's schema;
# `cli` (the `speech-lstm` command) runs the jobs on top of everything.
STAGES = (
    ("atomic", "interrupts", "librosa_loader", "audio", "text", "ctc", "features", "parallel"),
    ("model",),
    ("data",),
    ("prep", "synthetic", "adaptation", "decoding"),
    ("inference",),
    ("transcription",),
    ("service",),
    ("evaluation",),
    ("training",),
    ("config",),
    ("cli",),
)
RANK = {stage: rank for rank, names in enumerate(STAGES) for stage in names}
MAX_LINES = 450


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def stage(module: str) -> str:
    return module.split(".")[1]


def imported_modules(path: Path, module_level: bool) -> set[str]:
    """The package modules `path` imports at run time: at import time only (`module_level`:
    top-level statements), or anywhere, functions included. Imports under `if TYPE_CHECKING`
    only name types (training's functions take the assembled `config.TrainConfig`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = []
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if module_level and isinstance(node, ast.FunctionDef | ast.ClassDef):
            continue
        nodes.extend(ast.walk(node))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {name for name in found if name in MODULES and name != module_name(path)}


def test_every_stage_imports_only_from_the_stages_below_it():
    upward = [
        f"{module} imports {target}"
        for module, path in MODULES.items()
        if module != "speech_lstm"  # the package's lazy `Transcriber` shortcut
        for target in imported_modules(path, module_level=False)
        if target != "speech_lstm" and RANK[stage(target)] > RANK[stage(module)]
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    graph = {module: imported_modules(path, module_level=True) for module, path in MODULES.items()}
    cycles = []
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def test_no_module_is_over_the_length_limit():
    long = {
        module: lines
        for module, path in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


LOAD_AND_LIST = """
import sys
from speech_lstm.transcription import Transcriber
Transcriber.load(sys.argv[1])
print("\\n".join(sorted(name for name in sys.modules if name.startswith("speech_lstm"))))
"""


@pytest.mark.parametrize("code", ["import speech_lstm.transcription", LOAD_AND_LIST])
def test_transcription_loads_no_training_side_stage(code, tmp_path):
    model_dir = save(untrained_model(), tmp_path / "model")
    done = subprocess.run(
        [sys.executable, "-c", code, str(model_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    if code == LOAD_AND_LIST:
        loaded = set(done.stdout.split())
        assert "speech_lstm.inference.model_dir" in loaded
        forbidden = ("speech_lstm.synthetic", "speech_lstm.training", "speech_lstm.config")
        assert not {name for name in loaded if name.startswith(forbidden)}
