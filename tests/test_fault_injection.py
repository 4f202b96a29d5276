"""The CI slice of benchmarks/fault_injection.py: jobs SIGKILLed at seeded random moments
and rerun end with the outputs of an uninterrupted run; SIGTERM and Ctrl-C stop a job with
one line and a non-zero exit. The benchmark runs every job at 10 kill points (tune-decoder
and train included, which start TensorFlow on every run); here fewer points, smaller inputs
and the jobs without TensorFlow keep the file short."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.fault_injection import JobRunner, run_with_kills, stop_with
from tests.conftest import ROOT


def test_a_job_killed_at_random_moments_ends_with_identical_outputs(tmp_path):
    figures = run_with_kills("wavs_and_manifest", tmp_path, kills=3, seed=0)
    assert figures.identical, figures.differing
    assert figures.killed_before_end >= 1  # at least one kill landed before the end


@pytest.mark.parametrize("job", ["prepare_data_in_process", "download"])
def test_an_import_or_download_killed_at_random_moments_ends_as_an_uninterrupted_one(tmp_path, job):
    """prepare-data converting FLACs (in its own process here; the benchmark runs it with two
    worker processes), download resuming a `.partial` file from a slow 127.0.0.1 server and
    extracting it: through `speech-lstm <job>`."""
    for seed in range(3):  # on a fast machine both kills can land after a short job's end
        figures = run_with_kills(job, tmp_path / f"seed{seed}", kills=2, seed=seed, scale=0.25)
        assert figures.identical, figures.differing
        assert figures.leftovers == 0
        if figures.killed_before_end:
            break
    assert figures.killed_before_end >= 1, "no kill landed before the end in 3 tries"


@pytest.mark.parametrize(
    ("job", "signum"), [("build_lm", signal.SIGINT), ("evaluate", signal.SIGTERM)]
)
def test_a_job_stopped_by_a_signal_says_so_and_exits_non_zero(tmp_path, job, signum):
    """The signal lands 0.3 s into the job's own work (after Hydra's start-up); the job
    must exit non-zero with the one-line "Stopped by ..." and leave no temporary."""
    with contextlib.ExitStack() as cleanups:
        runner = JobRunner(job, tmp_path, cleanups)
        assert stop_with(runner, signum, after=0.3) == "clean"


# A parent that starts a pool of two workers, says so (after their first results, or
# at once, while they still start up), then waits.
POOL_PARENT = """
import sys, time
from speech_lstm.parallel import audio_process_pool
pool = audio_process_pool(2)
results = pool.map(abs, [-1, -2, -3, -4])
if sys.argv[1] == "idle":
    assert list(results) == [1, 2, 3, 4]
print("ready", flush=True)
time.sleep(600)
"""


def _children(parent: int) -> list[int]:
    """Processes whose parent is `parent`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:  # noqa: PTH123
            return stat.read().split()[2] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads process states from /proc")
@pytest.mark.parametrize("when", ["idle", "starting"])
def test_pool_workers_end_when_their_parent_is_killed(tmp_path, when):
    """SIGKILL leaves a process pool no chance to shut down: its workers must not wait for
    work forever (one orphan per worker per kill, as they did), neither when idle nor when
    the parent dies while they still start up."""
    parent = subprocess.Popen(
        [sys.executable, "-c", POOL_PARENT, when], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout.readline().strip() == "ready"
        workers = _children(parent.pid)
        assert workers and all(_alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers)
