"""`runner=ray` on a real two-node Ray cluster on 127.0.0.1: the same rows as the local runner
(a corrupt file included), and a driver killed mid-run that `resume=true` finishes with every
input exactly once."""

import csv
import json
import logging
import signal
import subprocess
import sys
import time

import pytest

from speech_lstm.transcription import run_transcription
from speech_lstm.transcription.config import TranscribeConfig
from tests.conftest import ROOT
from tests.ray_cluster import two_node_cluster
from tests.transcription_fixtures import (
    loudness_model,
    save,
    speaker_loudness_model,
    write_bursts,
    write_near_silence,
)


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("ray", reason="ray is not installed: pip install 'speech-lstm[ray]'")
    yield from two_node_cluster()


@pytest.fixture(scope="module")
def stub_dir(tmp_path_factory):
    """The known-answer model: noise bursts become "a", so rows can be checked exactly."""
    return save(loudness_model(), tmp_path_factory.mktemp("stub"))


@pytest.fixture
def ray_env(cluster, monkeypatch):
    """This process as a driver of the test cluster (which has no token authentication)."""
    for name in ("RAY_AUTH_MODE", "RAY_USAGE_STATS_ENABLED"):
        monkeypatch.setenv(name, cluster.env[name])
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    return cluster


def inputs(folder, count):
    """`count` files of one to three bursts and one corrupt file."""
    paths = [write_bursts(folder / f"{k:02d}.wav", count=1 + k % 3) for k in range(count)]
    corrupt = folder / "corrupt.wav"
    corrupt.write_bytes(b"RIFF garbage")
    return [*paths, corrupt]


def config(model_dir, source, output, **overrides) -> TranscribeConfig:
    return TranscribeConfig(str(model_dir), str(source), str(output), progress=False, **overrides)


def jsonl_rows(path):
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return sorted(rows, key=lambda row: row["audio_filepath"])


def csv_rows(path):
    with path.open(newline="") as handle:
        return sorted(csv.DictReader(handle), key=lambda row: row["audio_filepath"])


def test_ray_needs_its_extra_and_says_how_to_install_it(stub_dir, tmp_path, monkeypatch):
    write_bursts(tmp_path / "in" / "a.wav")
    out = tmp_path / "out.jsonl"
    out.write_text('{"audio_filepath": "kept"}\n')
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets without Ray
    with pytest.raises(ImportError, match=r"pip install 'speech-lstm\[ray\]'"):
        run_transcription(config(stub_dir, tmp_path / "in", out, runner="ray"))
    assert out.read_text() == '{"audio_filepath": "kept"}\n'  # the output was not emptied


def test_runner_settings_are_checked():
    with pytest.raises(ValueError, match="runner must be one of"):
        TranscribeConfig("m", "i", "o", runner="spark")
    with pytest.raises(ValueError, match="ray_workers"):
        TranscribeConfig("m", "i", "o", ray_workers=0)


def test_two_nodes_write_the_local_runners_rows(ray_env, tmp_path, caplog):
    # A model normalised per speaker, one input per call: speaker x's bursts and near-silence
    # go to different workers, and the near-silence transcribes to "" only with x's
    # statistics pooled over both (alone, it is full of "a"s).
    model_dir = save(speaker_loudness_model(), tmp_path / "model")
    bursts = write_bursts(tmp_path / "in" / "bursts.wav")
    quiet = write_near_silence(tmp_path / "in" / "quiet.wav")
    alone = write_near_silence(tmp_path / "in" / "alone.wav")
    corrupt = tmp_path / "in" / "corrupt.wav"
    corrupt.write_bytes(b"RIFF garbage")
    speakers = {bursts: "x", quiet: "x", corrupt: "x", alone: None}
    manifest = tmp_path / "manifest.jsonl"
    manifest.write_text(
        "".join(
            json.dumps({"audio_filepath": str(p), "speaker": s}) + "\n" for p, s in speakers.items()
        )
    )
    local, remote = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    expected = run_transcription(config(model_dir, manifest, local, timestamps=True))
    ray = {"runner": "ray", "ray_address": ray_env.address, "ray_files_per_task": 1}
    with caplog.at_level(logging.INFO, logger="speech_lstm"):
        summary = run_transcription(config(model_dir, manifest, remote, timestamps=True, **ray))
    assert "ray: 2 workers on 2 nodes" in caplog.text
    assert summary == expected == {"done": 3, "failed": 1, "skipped": 0}
    rows = {row["audio_filepath"]: row for row in jsonl_rows(remote)}
    assert list(rows.values()) == jsonl_rows(local)
    assert rows[str(bursts)]["pred_text"] == "a a a" and rows[str(quiet)]["pred_text"] == ""
    assert "a" in rows[str(alone)]["pred_text"] and "error" in rows[str(corrupt)]


def test_a_killed_driver_resumes_with_every_input_once(ray_env, stub_dir, tmp_path):
    paths = inputs(tmp_path / "in", 40)
    out = tmp_path / "out.csv"
    settings = {"ray_address": ray_env.address, "ray_workers": 1, "ray_files_per_task": 1}
    command = [
        sys.executable,
        str(ROOT / "scripts" / "transcribe.py"),
        f"model_dir={stub_dir}",
        f"input={tmp_path / 'in'}",
        f"output={out}",
        "runner=ray",
        "progress=false",
        *(f"{key}={value}" for key, value in settings.items()),
        f"hydra.run.dir={tmp_path / 'run'}",
    ]
    driver = subprocess.Popen(command, env=ray_env.env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while _lines(out) < 2 and driver.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until the first row is out
    driver.send_signal(signal.SIGKILL)
    _, stderr = driver.communicate(timeout=30)
    written = _lines(out) - 1  # less the header
    assert 0 < written < len(paths), stderr[-3000:]

    resumed = run_transcription(
        config(stub_dir, tmp_path / "in", out, runner="ray", resume=True, **settings)
    )
    assert resumed["skipped"] == written and resumed["done"] + resumed["failed"] == 41 - written
    rows = csv_rows(out)
    assert [row["audio_filepath"] for row in rows] == sorted(str(p) for p in paths)
    run_transcription(config(stub_dir, tmp_path / "in", tmp_path / "local.csv"))
    assert rows == csv_rows(tmp_path / "local.csv")


def _lines(path) -> int:
    """Complete lines in `path` so far (0 when it is not there yet)."""
    return path.read_bytes().count(b"\n") if path.exists() else 0
