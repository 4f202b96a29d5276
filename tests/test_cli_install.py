"""The built wheel, installed into a fresh virtualenv, gives a `speech-lstm` command that works
from any folder: the configs ship inside it, and nothing is read from the checkout.

The wheel is built offline from a copy of the sources (`pip wheel --no-build-isolation`, with
the setuptools of the dev extra). The virtualenv reaches the dependencies (TensorFlow ...)
through a .pth file naming this interpreter's site-packages, so nothing is downloaded; the
wheel itself goes in with --no-deps. Besides the session's trained model, measured on the
shared 2-core VM at a load of 14-15: 102-176 s, of which the wheel 11 s and the venv 6 s; most
of the rest is the command's TensorFlow import (48 s at that load, about 5 s on an idle core).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from speech_lstm.transcription import Transcriber
from tests.conftest import ROOT
from tests.trained_model import TrainedBilstm

TIMEOUT = 300


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def build_wheel(tmp_path: Path) -> Path:
    """The wheel of a clean copy of the sources (no build/ or caches of the checkout)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "speech_lstm",
        source / "speech_lstm",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    run([*pip_wheel, "--no-index", "-q", "-w", tmp_path / "dist", source], tmp_path)
    [wheel] = (tmp_path / "dist").glob("speech_lstm-*.whl")
    return wheel


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    """A virtualenv holding the wheel, its dependencies reached through a .pth file."""
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path)
    python = venv / "bin" / "python"
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], venv)
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site.stdout.strip()) / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    pip_install = [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps"]
    run([*pip_install, "--no-index", "-q", wheel], tmp_path)
    return venv


def test_the_installed_wheel_transcribes_from_another_folder(
    trained_bilstm: TrainedBilstm, tmp_path
):
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"speech_lstm/conf/{path.relative_to(ROOT / 'conf').as_posix()}"
        for path in (ROOT / "conf").rglob("*.yaml")
    }
    assert shipped and shipped <= names, sorted(shipped - names)
    venv = fresh_venv(tmp_path, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run(
        [venv / "bin" / "python", "-c", "import speech_lstm; print(speech_lstm.__file__)"],
        elsewhere,
    )
    assert where.stdout.startswith(str(venv)), where.stdout  # not the checkout's package

    audio = trained_bilstm.utterances[0]
    command = [
        venv / "bin" / "speech-lstm",
        "transcribe",
        f"model_dir={trained_bilstm.model_dir}",
        f"input={audio.audio_filepath}",
        "output=out/result.jsonl",
        "progress=false",
    ]
    done = run(command, elsewhere)
    [row] = [
        json.loads(line) for line in (elsewhere / "out" / "result.jsonl").read_text().splitlines()
    ]
    assert row["audio_filepath"] == audio.audio_filepath and "error" not in row
    expected = Transcriber.load(trained_bilstm.model_dir).transcribe(audio.audio_filepath)
    assert expected.text and row["text"] == expected.text, done.stderr[-2000:]
    # Hydra's run directory, from the shipped transcribe.yaml, below the folder run from, with
    # the log named after the job.
    assert list((elsewhere / "outputs" / "transcribe").glob("*/transcribe.log"))
