"""`runner=ray` on a real two-node Ray cluster on 127.0.0.1 (tests/ray_cluster.py): a driver
killed mid-run and resumed writes every input exactly once, in the rows the local runner
writes (a corrupt file's error row and speaker-normalised texts included); without Ray, a
clear error before the output is touched."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from speech_lstm.features import FeatureStatistics
from speech_lstm.transcription import run_transcription
from speech_lstm.transcription.config import TranscribeConfig
from speech_lstm.transcription.ray_runner import _add_statistics
from tests.conftest import ROOT
from tests.ray_cluster import two_node_cluster
from tests.transcription_fixtures import (
    save,
    speaker_loudness_model,
    write_bursts,
    write_near_silence,
)


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("ray", reason="ray is not installed: pip install 'speech-lstm[ray]'")
    yield from two_node_cluster()


@pytest.fixture
def ray_env(cluster, monkeypatch):
    """This process as a driver of the test cluster (which has no token authentication)."""
    for name in ("RAY_AUTH_MODE", "RAY_USAGE_STATS_ENABLED"):
        monkeypatch.setenv(name, cluster.env[name])
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    return cluster


def config(model_dir, source, output, **overrides) -> TranscribeConfig:
    return TranscribeConfig(str(model_dir), str(source), str(output), progress=False, **overrides)


def jsonl_rows(path):
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return sorted(rows, key=lambda row: row["audio_filepath"])


def test_ray_needs_its_extra_and_says_how_to_install_it(tmp_path, monkeypatch):
    write_bursts(tmp_path / "in" / "a.wav")
    out = tmp_path / "out.jsonl"
    out.write_text('{"audio_filepath": "kept"}\n')
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets without Ray
    with pytest.raises(ImportError, match=r"pip install 'speech-lstm\[ray\]'"):
        run_transcription(config(tmp_path / "model", tmp_path / "in", out, runner="ray"))
    assert out.read_text() == '{"audio_filepath": "kept"}\n'  # the output was not emptied


def test_runner_settings_are_checked():
    with pytest.raises(ValueError, match="runner must be one of"):
        TranscribeConfig("m", "i", "o", runner="spark")
    with pytest.raises(ValueError, match="ray_workers"):
        TranscribeConfig("m", "i", "o", ray_workers=0)


def test_speaker_statistics_of_groups_add_up_to_the_whole():
    # Ray hands a worker's arrays back read-only: the sums must not be made in them.
    rng = np.random.default_rng(0)
    frames = [rng.standard_normal((n, 3)) for n in (5, 7, 2)]
    whole = FeatureStatistics(3)
    pooled: dict[str, FeatureStatistics] = {}
    for part_frames in frames:
        whole.add(part_frames)
        part = FeatureStatistics(3)
        part.add(part_frames)
        part.total.setflags(write=False)
        part.squares.setflags(write=False)
        _add_statistics(pooled, "x", part)
    assert pooled["x"].count == whole.count == 14
    np.testing.assert_allclose(pooled["x"].total, whole.total)
    np.testing.assert_allclose(pooled["x"].squares, whole.squares)
    assert not np.shares_memory(pooled["x"].total, part.total)


def speaker_manifest(folder, count):
    """A manifest of `count` rows: speaker x's bursts and near-silences, near-silences of no
    named speaker, and a corrupt file. With one input per call, x's inputs go to different
    workers: x's near-silences transcribe to "" only with x's statistics pooled over all of
    x's inputs (alone, a near-silence is full of "a"s)."""
    rows = []
    for k in range(count - 1):
        if k % 3 == 0:
            path, speaker = write_near_silence(folder / f"{k:02d}_quiet.wav"), "x"
        elif k % 3 == 1:
            path, speaker = write_bursts(folder / f"{k:02d}_bursts.wav", count=1 + k % 4), "x"
        else:
            path, speaker = write_near_silence(folder / f"{k:02d}_alone.wav"), None
        rows.append({"audio_filepath": str(path), "speaker": speaker})
    corrupt = folder / "corrupt.wav"
    corrupt.write_bytes(b"RIFF garbage")
    rows.append({"audio_filepath": str(corrupt), "speaker": "x"})
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return manifest, [row["audio_filepath"] for row in rows]


@pytest.mark.slow  # a cluster and three TensorFlow workers: minutes on a loaded 2-core VM
def test_a_killed_driver_resumes_into_the_local_runners_rows(ray_env, tmp_path):
    """Two nodes, a driver killed mid-run and a resumed one: every input exactly once, and
    the rows the local runner writes (the corrupt file's error row included).

    Each Ray driver is a process of its own, as a user's would be, not this test's: Ray's
    shutdown can crash its process (a native use-after-free in Ray 2.60's io thread, seen once
    in CI), which would take the test worker down with it."""
    model_dir = save(speaker_loudness_model(), tmp_path / "model")
    manifest, paths = speaker_manifest(tmp_path / "in", 30)
    out = tmp_path / "out.jsonl"
    settings = {"ray_address": ray_env.address, "ray_files_per_task": 1, "timestamps": True}
    command = [
        sys.executable,
        str(ROOT / "scripts" / "transcribe.py"),
        f"model_dir={model_dir}",
        f"input={manifest}",
        f"output={out}",
        "runner=ray",
        "progress=false",
        *(f"{key}={value}" for key, value in settings.items()),
    ]
    driver = subprocess.Popen(
        [*command, "ray_workers=1", f"hydra.run.dir={tmp_path / 'run'}"],
        env=ray_env.env,
        stderr=subprocess.PIPE,
        text=True,
    )  # one TensorFlow start-up less; the resumed driver uses both nodes
    deadline = time.monotonic() + 180
    while _lines(out) < 1 and driver.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until the first row is out
    driver.send_signal(signal.SIGKILL)
    _, stderr = driver.communicate(timeout=30)
    written = _lines(out)
    assert 0 < written < len(paths), stderr[-3000:]

    resumed = _run_driver([*command, "resume=true"], ray_env, tmp_path / "resumed")
    assert resumed.returncode == 1, resumed.stdout[-3000:]  # 1: an input (corrupt.wav) failed
    assert "ray: 2 workers on 2 nodes" in resumed.stdout
    done = len(paths) - written - 1
    assert f"transcription: {done} done, 1 failed, {written} skipped" in resumed.stdout
    rows = jsonl_rows(out)
    assert [row["audio_filepath"] for row in rows] == sorted(paths)
    local = tmp_path / "local.jsonl"
    run_transcription(config(model_dir, manifest, local, timestamps=True))
    assert rows == jsonl_rows(local)
    texts = {Path(row["audio_filepath"]).name: row["pred_text"] for row in rows}
    assert texts["00_quiet.wav"] == "" and "a" in texts["02_alone.wav"]
    assert texts["01_bursts.wav"] == "a a" and texts["corrupt.wav"] is None
    finished = _run_driver([*command, "resume=true"], ray_env, tmp_path / "finished")
    assert f"transcription: 0 done, 0 failed, {len(paths)} skipped" in finished.stdout, (
        finished.stdout[-3000:]
    )
    assert finished.returncode == 0


def _run_driver(command: list[str], cluster, run_dir: Path) -> subprocess.CompletedProcess:
    """Runs a transcription driver to its end in a process of its own; its log (Hydra's, on
    stdout) and stderr together in `stdout`."""
    return subprocess.run(
        [*command, f"hydra.run.dir={run_dir}"],
        env=cluster.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )


def _lines(path) -> int:
    """Complete lines in `path` so far (0 when it is not there yet)."""
    return path.read_bytes().count(b"\n") if path.exists() else 0
