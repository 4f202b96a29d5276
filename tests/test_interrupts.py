"""SIGTERM and Ctrl-C stop a script with one line and a non-zero status, its atomic writes
leaving no temporary behind. A stop that lands while Hydra and OmegaConf build the config is
held until the config is built: OmegaConf, stopped midway, leaves a node half-set and fails
with an AttributeError, which Hydra printed as a config error instead of the stop."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from speech_lstm.atomic import leftover_temporaries
from speech_lstm.interrupts import Stopped, StopsHeld, stop_behind
from tests.conftest import ROOT

# A job run the way scripts/*.py and the speech-lstm command run every job (cli.run_job),
# which writes one file slowly.
SLOW_WRITER = """
import sys, time
from speech_lstm.atomic import atomic_file
from speech_lstm.cli.main import run_job
from speech_lstm.cli.registry import JOBS, ArgparseJob

def slow_writer(argv, prog):
    with atomic_file(argv[0]) as out:
        out.write("started")
        print("writing", flush=True)
        time.sleep(60)

JOBS["slow-writer"] = ArgparseJob("slow-writer", "writes one file slowly", "__main__:slow_writer")
sys.exit(run_job("slow-writer", sys.argv[1:]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_script_says_so_in_one_line_and_exits_non_zero(tmp_path, signum):
    target = tmp_path / "out.txt"
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "writing"
    time.sleep(0.2)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert stderr.strip().splitlines() == [
        f"Stopped by {'SIGTERM' if signum == signal.SIGTERM else 'Ctrl-C'}: finished work is "
        "kept; run the same command again to resume."
    ]
    assert not target.exists() and leftover_temporaries(tmp_path) == []


# Runs `speech-lstm <argv>` and sends itself SIGTERM once, as OmegaConf fills the second item
# of a list it builds: the moment where an exception used to leave a list holding None.
STOPPED_INSIDE_OMEGACONF = """
import os, signal, sys

def land_inside_omegaconf(frame, event, arg):
    caller = frame.f_back
    if (
        event == "call"
        and frame.f_code.co_name == "_set_item_impl"
        and caller is not None
        and caller.f_code.co_name == "append"
        and caller.f_code.co_filename.endswith("listconfig.py")
        and caller.f_locals.get("index", 0) >= 1
    ):
        sys.setprofile(None)
        print("signal sent", flush=True)
        os.kill(os.getpid(), signal.SIGTERM)

from speech_lstm.cli.main import main

sys.argv = ["speech-lstm", *sys.argv[1:]]
sys.setprofile(land_inside_omegaconf)
main()
"""


def _raise_stopped(signum, frame):
    raise Stopped(signal.Signals(signum).name)


def test_a_stop_while_held_is_raised_on_release_and_the_handlers_come_back():
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        held = StopsHeld()
        held.hold()
        signal.raise_signal(signal.SIGTERM)  # recorded, not raised
        assert signal.getsignal(signal.SIGTERM) is not _raise_stopped
        with pytest.raises(Stopped, match="SIGTERM"):
            held.release()
        assert signal.getsignal(signal.SIGTERM) is _raise_stopped
        held.release()  # nothing held, nothing recorded: no second stop
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_block_without_a_stop_leaves_as_it_came():
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        with StopsHeld():
            pass
        assert signal.getsignal(signal.SIGTERM) is _raise_stopped
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_a_stop_inside_omegaconf_stops_the_job_before_it_starts(tmp_path):
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text('{"audio_filepath": "a.wav", "text": "one two"}\n')
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text('{"audio_filepath": "a.wav", "pred_text": "one two"}\n')
    reports = tmp_path / "reports"
    job = subprocess.run(
        [
            sys.executable,
            "-c",
            STOPPED_INSIDE_OMEGACONF,
            "evaluate",
            f"manifest={manifest}",
            f"predictions={predictions}",
            f"output_dir={reports}",
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "signal sent" in job.stdout, (
        "the moment inside OmegaConf was never reached (has ListConfig.append changed?); "
        f"stderr: {job.stderr[-2000:]}"
    )
    last_line = job.stderr.strip().splitlines()[-1]
    assert job.returncode != 0
    assert last_line.startswith("Stopped by SIGTERM"), job.stderr[-3000:]
    assert "Traceback" not in job.stderr
    assert not reports.exists()  # held until the config was built, then stopped at once


# A job on build_lm's config whose function is stopped inside a class body's __set_name__,
# which Python 3.11 reports as a RuntimeError caused by the stop.
ERROR_LEFT_BY_A_STOP = """
import os, signal, sys, time
from speech_lstm.cli.main import run_job
from speech_lstm.cli.registry import JOBS, HydraJob

class StoppedWhileNamed:
    def __set_name__(self, owner, name):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the stop lands here

def fails_after_a_stop(config):
    class Owner:
        attribute = StoppedWhileNamed()
    print("not stopped", flush=True)

JOBS["stopped-job"] = HydraJob(
    "stopped-job", "build_lm", "a stopped job", "__main__:fails_after_a_stop"
)
sys.exit(run_job("stopped-job", sys.argv[1:]))
"""


def test_an_error_a_stop_leaves_behind_ends_the_job_as_the_stop(tmp_path):
    job = subprocess.run(
        [
            sys.executable,
            "-c",
            ERROR_LEFT_BY_A_STOP,
            f"input={tmp_path / 'text.txt'}",
            f"output={tmp_path / 'lm.arpa'}",
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert job.returncode != 0 and "not stopped" not in job.stdout
    assert job.stderr.strip().splitlines()[-1].startswith("Stopped by SIGTERM"), job.stderr[-3000:]
    assert "Traceback" not in job.stderr


def test_the_stop_behind_an_error_is_found_through_causes_and_contexts():
    stop = Stopped("SIGTERM")
    try:
        try:
            raise stop
        except Stopped as caught:
            raise RuntimeError("wrapped") from caught
    except RuntimeError as wrapped:
        try:
            raise ValueError("during cleanup")
        except ValueError as later:
            later.__context__ = wrapped
            assert stop_behind(later) is stop
    assert stop_behind(ValueError("no stop")) is None
