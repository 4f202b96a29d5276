"""tests/must_run.py: a listed test that skipped fails the run, naming the test and why."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import conftest
from tests.conftest import ROOT
from tests.must_run import ALLOW_ENV, matches, read_list

TINY_TESTS = """
import pytest

def test_runs():
    pass

def test_needs_an_engine():
    pytest.skip("no engine here")

@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    if n == 2:
        pytest.skip("two is missing")
"""
SKIPPED_MODULE = """
import pytest

pytest.skip("the whole module needs a browser", allow_module_level=True)

def test_page():
    pass
"""


def run_pytest(
    tmp_path: Path, listed: list[str], *args: str, allow: str | None = None
) -> subprocess.CompletedProcess:
    """Runs pytest with the plugin on tiny test files in `tmp_path`, listing `listed`."""
    (tmp_path / "pytest.ini").write_text("[pytest]\nmust_run_list = must_run.txt\n")
    (tmp_path / "must_run.txt").write_text("# a comment\n\n" + "\n".join(listed) + "\n")
    (tmp_path / "test_tiny.py").write_text(TINY_TESTS)
    (tmp_path / "test_browser_page.py").write_text(SKIPPED_MODULE)
    unset = (ALLOW_ENV, "PYTEST_ADDOPTS")  # CI's options (its JUnit report) are not for this run
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env.update(PYTHONPATH=str(ROOT), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    if allow is not None:
        env[ALLOW_ENV] = allow
    command = [sys.executable, "-m", "pytest", "-p", "tests.must_run", "-ra"]
    command += ["-p", "no:cacheprovider", *args]
    return subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_listed_test_that_skipped_fails_the_run_with_its_reason(tmp_path):
    result = run_pytest(tmp_path, ["test_tiny.py::test_needs_an_engine", "test_tiny.py::test_par*"])
    assert result.returncode == 1, result.stdout
    assert "must-run tests that did not run (must_run.txt)" in result.stdout
    assert "SKIPPED test_tiny.py::test_needs_an_engine - no engine here" in result.stdout
    assert "SKIPPED test_tiny.py::test_param[2] - two is missing" in result.stdout
    assert "must-run: 2 listed test(s) did not run, so the run FAILS" in result.stdout
    assert "2 passed, 3 skipped" in result.stdout  # the -ra summary still lists every skip


def test_skips_that_are_not_listed_pass(tmp_path):
    result = run_pytest(tmp_path, ["test_tiny.py::test_runs", "test_tiny.py::test_param[1]"])
    assert result.returncode == 0, result.stdout
    assert "must-run" not in result.stdout
    assert "SKIPPED [1] test_tiny.py:8: no engine here" in result.stdout


def test_a_module_skipped_at_collection_counts_for_its_listed_tests(tmp_path):
    result = run_pytest(tmp_path, ["test_browser_page.py::test_page"])
    assert result.returncode == 1, result.stdout
    assert "SKIPPED test_browser_page.py - the whole module needs a browser" in result.stdout


def test_the_escape_hatch_turns_the_failure_into_a_warning(tmp_path):
    result = run_pytest(tmp_path, ["test_tiny.py"], allow="1")
    assert result.returncode == 0, result.stdout
    assert "SKIPPED test_tiny.py::test_needs_an_engine - no engine here" in result.stdout
    assert f"so {ALLOW_ENV} is set: a warning only" in result.stdout
    assert run_pytest(tmp_path, ["test_tiny.py"], allow="0").returncode == 1


def test_a_line_that_matches_no_test_fails_a_full_run_only(tmp_path):
    result = run_pytest(tmp_path, ["test_tiny.py::test_runs", "test_renamed.py"])
    assert result.returncode == 1, result.stdout
    assert "NOT COLLECTED test_renamed.py - this line of the list matches no test" in result.stdout
    # A run of chosen files (a developer's) checks only the skips of what it ran.
    assert run_pytest(tmp_path, ["test_renamed.py"], "test_tiny.py").returncode == 0


def test_the_check_holds_in_a_parallel_run(tmp_path):
    """With pytest-xdist (`make test` runs `-n auto`) the controller, which collects nothing
    itself, still knows every collected test and every worker's skips."""
    parallel = ("-p", "xdist.plugin", "-n", "2")
    listed = ["test_tiny.py::test_needs_an_engine", "test_browser_page.py::test_page"]
    result = run_pytest(tmp_path, listed, *parallel)
    assert result.returncode == 1, result.stdout
    assert "SKIPPED test_tiny.py::test_needs_an_engine - no engine here" in result.stdout
    assert "SKIPPED test_browser_page.py - the whole module needs a browser" in result.stdout
    assert "\nNOT COLLECTED " not in result.stdout
    result = run_pytest(tmp_path, ["test_tiny.py::test_runs", "test_renamed.py"], *parallel)
    assert result.returncode == 1, result.stdout
    assert "NOT COLLECTED test_renamed.py" in result.stdout
    assert run_pytest(tmp_path, ["test_tiny.py::test_runs"], *parallel).returncode == 0


def test_deselected_tests_are_not_reported(tmp_path):
    result = run_pytest(tmp_path, ["test_tiny.py::test_needs_an_engine"], "-k", "test_runs")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    "pattern, nodeid, expected",
    [
        ("tests/test_a.py", "tests/test_a.py::test_x", True),
        ("tests/test_a.py", "tests/test_a.py::Case::test_x[p-1]", True),
        ("tests/test_a.py", "tests/test_ab.py::test_x", False),
        ("tests/test_a.py::test_x", "tests/test_a.py::test_x[1]", True),
        ("tests/test_a.py::test_x", "tests/test_a.py::test_xy", False),
        ("tests/test_a.py::test_x[1]", "tests/test_a.py::test_x[1]", True),
        ("tests/test_a.py::test_x[1]", "tests/test_a.py::test_x1", False),
        ("tests/test_a.py::*mp3*", "tests/test_a.py::test_mp3_reads", True),
        ("tests", "tests/test_a.py::test_x", True),
    ],
)
def test_a_line_names_a_test_or_what_holds_it(pattern, nodeid, expected):
    assert matches(pattern, nodeid) is expected


def test_the_suite_loads_the_plugin_and_its_list():
    assert "tests.must_run" in conftest.pytest_plugins
    listed = read_list(ROOT / "tests" / "must_run.txt")
    assert "tests/test_festival.py" in listed
    assert "tests/test_report_html.py::test_report_renders_in_headless_chromium" in listed
    assert all(line.startswith("tests/") and " " not in line for line in listed)
