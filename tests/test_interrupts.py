"""SIGTERM and Ctrl-C stop a script with one line and a non-zero status, its atomic writes
leaving no temporary behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from speech_lstm.atomic import leftover_temporaries
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
