""".ci/run: `make test`, then `ruff check .` and `ruff format --check .`; no tests collected,
a lint error, a skip excused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
# CI must not inherit a developer's escape hatch: this test fails where it is set.
CHECK_ENV = "import os\n\ndef test_env():\n    assert 'ALLOW_MUST_RUN_SKIPS' not in os.environ\n"


def run_ci(tmp_path: Path, tests: dict[str, str], ruff_status: int) -> subprocess.CompletedProcess:
    """Runs a copy of .ci/run in a tiny checkout whose `make test` is pytest over `tests`."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / "Makefile").write_text(
        f"test:\n\t{sys.executable} -m pytest -q -p no:cacheprovider\n"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\ntestpaths = tests\n")
    (tmp_path / "tests").mkdir()
    for name, text in tests.items():
        (tmp_path / "tests" / name).write_text(text)
    ruff = tmp_path / ".venv" / "bin" / "ruff"
    ruff.parent.mkdir(parents=True)
    ruff.write_text(f'#!{shutil.which("bash")}\necho "ruff $*"\nexit {ruff_status}\n')
    ruff.chmod(0o755)
    env = {**os.environ, "ALLOW_MUST_RUN_SKIPS": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("VENV", None)
    return subprocess.run(
        [shutil.which("bash"), str(tmp_path / ".ci" / "run")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_passing_tests_and_lint_pass_without_the_escape_hatch(tmp_path):
    result = run_ci(tmp_path, {"test_env.py": CHECK_ENV}, ruff_status=0)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout and "ruff check ." in result.stdout
    assert "ruff format --check ." in result.stdout
    assert result.stdout.endswith("ci: passed\n")


def test_no_tests_collected_fails_with_a_message(tmp_path):
    result = run_ci(tmp_path, {}, ruff_status=0)
    assert result.returncode != 0
    assert "ci: FAILED: pytest collected no tests (exit code 5)" in result.stderr


def test_a_lint_error_fails_after_the_tests_ran(tmp_path):
    result = run_ci(tmp_path, {"test_env.py": CHECK_ENV}, ruff_status=1)
    assert result.returncode == 1
    assert "1 passed" in result.stdout and "ci: FAILED: ruff check ." in result.stderr


def test_a_crashed_test_worker_ends_the_test_run_at_once(tmp_path):
    """With the Makefile's pytest options a worker that dies names its test and ends the run.
    Replacing the worker instead hung the run under --dist loadfile (pytest-xdist 3.8: these
    three files hung for good; in CI, for an hour)."""
    (line,) = [s for s in (ROOT / "Makefile").read_text().splitlines() if s.startswith("PYTEST")]
    options = line.split("-m pytest", 1)[1].split()
    crash = "import os\n\ndef test_crash():\n    os.kill(os.getpid(), 9)\n"
    for name, text in {"a": crash, "b": "def test_pass():\n    pass\n", "c": crash}.items():
        (tmp_path / f"test_{name}.py").write_text(text)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *options, "-n", "2", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 1
    assert "crashed while running 'test_a.py::test_crash'" in result.stdout
