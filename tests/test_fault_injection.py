"""The CI slice of benchmarks/fault_injection.py: jobs SIGKILLed at seeded random moments
and rerun end with the outputs of an uninterrupted run; SIGTERM and Ctrl-C stop a job with
one line and a non-zero exit. The benchmark runs every job at 10 kill points (tune-decoder
and train included, which start TensorFlow on every run); here fewer points, smaller inputs
and the jobs without TensorFlow keep the file short."""

from __future__ import annotations

import contextlib
import signal

import pytest

from benchmarks.fault_injection import JobRunner, run_with_kills, stop_with


def test_a_job_killed_at_random_moments_ends_with_identical_outputs(tmp_path):
    figures = run_with_kills("wavs_and_manifest", tmp_path, kills=3, seed=0)
    assert figures.identical, figures.differing
    assert figures.killed_before_end >= 1  # at least one kill landed before the end


@pytest.mark.parametrize("job", ["prepare_data", "download"])
def test_an_import_or_download_killed_at_random_moments_ends_as_an_uninterrupted_one(
    tmp_path, job
):
    """prepare-data converting FLACs in worker processes, download resuming a `.partial`
    file from a slow 127.0.0.1 server and extracting it: through `speech-lstm <job>`."""
    figures = run_with_kills(job, tmp_path, kills=2, seed=0, scale=0.25)
    assert figures.identical, figures.differing
    assert figures.killed_before_end >= 1
    assert figures.leftovers == 0


@pytest.mark.parametrize(
    ("job", "signum"), [("build_lm", signal.SIGINT), ("evaluate", signal.SIGTERM)]
)
def test_a_job_stopped_by_a_signal_says_so_and_exits_non_zero(tmp_path, job, signum):
    """The signal lands 0.3 s into the job's own work (after Hydra's start-up); the job
    must exit non-zero with the one-line "Stopped by ..." and leave no temporary."""
    with contextlib.ExitStack() as cleanups:
        runner = JobRunner(job, tmp_path, cleanups)
        assert stop_with(runner, signum, after=0.3) == "clean"
