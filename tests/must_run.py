"""Fails the pytest run when a test listed in `tests/must_run.txt` skipped or was not collected.

`scripts/setup.sh` installs every engine and tool a shipped feature needs (espeak-ng, flite,
festival and its voices, Chromium), so in CI a listed test that skips is a feature that went
untested. Each line of the list is a test node id relative to the repository, or the start of
one (a file, `file::test` for all its parameters); `*` matches any characters and `#` starts a
comment.

The run fails (exit 1) naming each listed test that skipped and why. A full run (no paths on the
command line) also fails on a line that matches no collected test, so a renamed file cannot drop
out of the list unnoticed. A developer who cannot install everything may set
`ALLOW_MUST_RUN_SKIPS=1`: the same report is then a warning. `.ci/run` unsets it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ALLOW_ENV = "ALLOW_MUST_RUN_SKIPS"
LIST_INI = "must_run_list"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Adds the `must_run_list` ini setting (tests of this plugin point it elsewhere)."""
    parser.addini(
        LIST_INI,
        "file of tests that must not skip, relative to the rootdir",
        default="tests/must_run.txt",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Reads the list and registers the checker for this run: in an xdist run (`-n`), on the
    controller only, which sees every worker's collection and reports."""
    if hasattr(config, "workerinput"):  # an xdist worker runs a share of the tests
        return
    name = config.getini(LIST_INI)
    checker = MustRun(name, read_list(config.rootpath / name))
    config.pluginmanager.register(checker, "must_run_checker")


def read_list(path: Path) -> list[str]:
    """The patterns of a must-run list: one per line, without comments and blank lines."""
    if not path.is_file():
        raise pytest.UsageError(f"must-run list not found. Received: {path}")
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def matches(pattern: str, nodeid: str) -> bool:
    """Whether `nodeid` is the test `pattern` names, or lies inside it (file, class, parameters).

    `*` matches any characters; every other character (`[` included) stands for itself.
    """
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(f"{regex}(?:(?:::|/|\\[).*)?", nodeid) is not None


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The reason a skipped report gives, without pytest's `Skipped: ` prefix."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


@dataclass(eq=False)  # a plugin object must stay hashable
class MustRun:
    """Records skips and collected tests, then reports the listed ones that did not run."""

    list_name: str  # as the ini setting gives it, e.g. tests/must_run.txt
    patterns: list[str]
    skipped: dict[str, str] = field(default_factory=dict)  # test node id -> reason
    skipped_modules: dict[str, str] = field(default_factory=dict)  # skipped at collection
    seen: set[str] = field(default_factory=set)  # collected or deselected test node ids
    problems: list[str] = field(default_factory=list)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:  # e.g. a module-level importorskip: its tests never exist
            self.skipped_modules[report.nodeid] = skip_reason(report)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.seen.update(item.nodeid for item in items)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.seen.update(item.nodeid for item in session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        self.seen.update(ids)  # the controller of an xdist run collects nothing itself

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.setdefault(report.nodeid, skip_reason(report))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.problems = [
            f"SKIPPED {nodeid} - {reason}" for nodeid, reason in self._listed_skips().items()
        ]
        if session.config.args_source != pytest.Config.ArgsSource.ARGS:  # a full run
            self.problems += [
                f"NOT COLLECTED {pattern} - this line of the list matches no test"
                for pattern in self.patterns
                if not any(matches(pattern, nodeid) for nodeid in self.seen)
                and not any(in_module(pattern, module) for module in self.skipped_modules)
            ]
        if self.problems and not allowed() and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.problems:
            return
        warn = allowed()
        title = f"must-run tests that did not run ({self.list_name})"
        terminalreporter.write_sep("=", title, yellow=warn, red=not warn, bold=True)
        for problem in self.problems:
            terminalreporter.write_line(problem)
        outcome = f"{ALLOW_ENV} is set: a warning only" if warn else "the run FAILS"
        terminalreporter.write_line(
            f"must-run: {len(self.problems)} listed test(s) did not run, so {outcome}. "
            "Install what a skipped test needs with `bash scripts/setup.sh` (as root, or run the "
            f"sudo command it prints; where you cannot, {ALLOW_ENV}=1 makes this a warning). "
            f"A NOT COLLECTED line of {self.list_name} names no test: correct or remove it."
        )

    def _listed_skips(self) -> dict[str, str]:
        """The skipped tests (and modules skipped at collection) that the list names."""
        tests = {
            nodeid: reason
            for nodeid, reason in self.skipped.items()
            if any(matches(pattern, nodeid) for pattern in self.patterns)
        }
        modules = {
            nodeid: reason
            for nodeid, reason in self.skipped_modules.items()
            if any(in_module(pattern, nodeid) for pattern in self.patterns)
        }
        return tests | modules


def in_module(pattern: str, module: str) -> bool:
    """Whether `pattern` names `module` or tests inside it (`module` skipped at collection)."""
    return matches(pattern, module) or matches(pattern.split("::", 1)[0], module)


def allowed() -> bool:
    """Whether the developer asked for a warning instead of a failure."""
    return os.environ.get(ALLOW_ENV, "") not in ("", "0")
