"""tf.distribute strategies: the factory, TF_CONFIG checks, who is chief, and two CPU workers
on 127.0.0.1 (and two replicas in one process) training as one."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import h5py
import numpy as np
import pytest
import tensorflow as tf

from speech_lstm.data.manifest import Utterance
from speech_lstm.training.config import TrainerConfig
from speech_lstm.training.distribute import (
    DistributeConfigError,
    build_strategy,
    is_chief,
    read_tf_config,
    spans_workers,
    worker_dir,
)
from tests.conftest import ROOT, write_tone

WORDS = ["ab", "cd", "ef", "gh", "ij", "kl"]


def test_default_and_mirrored_strategies_build(tmp_path):
    default = build_strategy("default")
    assert default is tf.distribute.get_strategy()
    mirrored = build_strategy("mirrored")
    assert isinstance(mirrored, tf.distribute.MirroredStrategy)
    assert mirrored.num_replicas_in_sync >= 1
    for strategy in (default, mirrored):
        assert is_chief(strategy) and worker_dir(tmp_path, strategy) == tmp_path


def in_cluster(jobs: dict[str, int], task_type: str, index: int) -> SimpleNamespace:
    """Stands for a multi-worker strategy: only its cluster resolver is looked at."""
    spec = tf.train.ClusterSpec({job: [f"h{i}:1" for i in range(n)] for job, n in jobs.items()})
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(
        spec, task_type=task_type, task_id=index
    )
    return SimpleNamespace(cluster_resolver=resolver)


def test_worker_0_or_the_chief_task_writes_the_run_dir(tmp_path):
    assert is_chief(in_cluster({"worker": 2}, "worker", 0))
    assert not is_chief(in_cluster({"worker": 2}, "worker", 1))
    assert is_chief(in_cluster({"chief": 1, "worker": 1}, "chief", 0))
    assert not is_chief(in_cluster({"chief": 1, "worker": 1}, "worker", 0))
    assert worker_dir(tmp_path, in_cluster({"worker": 3}, "worker", 0)) == tmp_path
    assert worker_dir(tmp_path, in_cluster({"worker": 3}, "worker", 2)) == tmp_path / "workertemp_2"
    assert spans_workers(in_cluster({"worker": 2}, "worker", 1))
    assert not spans_workers(in_cluster({"worker": 1}, "worker", 0))


@pytest.mark.parametrize(
    ("tf_config", "complaint"),
    [
        (None, "needs TF_CONFIG"),
        ("{not json", "not valid JSON"),
        ('{"cluster": {"ps": ["h:1"]}, "task": {"type": "ps", "index": 0}}', "'worker' list"),
        ('{"cluster": {"worker": ["h:1"]}, "task": {"type": "chief", "index": 0}}', "'type'"),
        ('{"cluster": {"worker": ["h:1", "h:2"]}, "task": {"type": "worker", "index": 2}}', "2"),
    ],
)
def test_multi_worker_without_a_valid_tf_config_fails_clearly(tf_config, complaint):
    environ = {} if tf_config is None else {"TF_CONFIG": tf_config}
    with pytest.raises(DistributeConfigError, match=complaint) as failure:
        build_strategy("multi_worker", environ)
    assert isinstance(failure.value, ValueError) and "\n" not in str(failure.value)


def test_a_valid_tf_config_is_read_and_unknown_strategies_are_refused():
    config = {"cluster": {"worker": ["h:1", "h:2"]}, "task": {"type": "worker", "index": 1}}
    assert read_tf_config({"TF_CONFIG": json.dumps(config)}) == config
    with pytest.raises(ValueError, match="strategy must be one of"):
        TrainerConfig(strategy="parameter_server")


def test_the_train_script_says_what_is_wrong_with_tf_config(tmp_path):
    environ = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "train.py"),
            "trainer.strategy=multi_worker",
            f"hydra.run.dir={tmp_path / 'run'}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environ,
    )
    assert result.returncode != 0
    assert "trainer.strategy=multi_worker needs TF_CONFIG" in result.stderr.splitlines()[-1]


def write_corpus(directory: Path, count: int, offset: int) -> Path:
    """A manifest of `count` chirps of 0.5-1.5 s with two-word transcripts."""
    rows = []
    for i in range(offset, offset + count):
        seconds = 0.5 + (i * 0.37) % 1.0
        path = write_tone(directory / f"u{i:03d}.wav", seconds=seconds)
        text = f"{WORDS[i % len(WORDS)]} {WORDS[(i // len(WORDS)) % len(WORDS)]}"
        rows.append(Utterance(str(path), seconds, text).to_json())
    manifest = directory / f"{offset}.jsonl"
    manifest.write_text("\n".join(rows) + "\n")
    return manifest


def free_ports(count: int) -> list[int]:
    """Ports free right now on 127.0.0.1 (the OS picks them)."""
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """Every array in a Keras `.weights.h5` file, by its path in the file."""
    arrays = {}

    def keep(name: str, item) -> None:
        if isinstance(item, h5py.Dataset):
            arrays[name] = item[()]

    with h5py.File(path, "r") as weights:
        weights.visititems(keep)
    return arrays


# trainer.strategy=mirrored on a CPU split into two devices: the code path of two GPUs.
TWO_CPU_REPLICAS = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from speech_lstm.config import to_object
from speech_lstm.training import loop
from tests.conftest import compose
loop.build_strategy = lambda name: tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
loop.train(to_object(compose("train", sys.argv[1:])))
"""


def run_two_workers(tmp_path: Path, overrides: list[str]) -> None:
    """Runs scripts/train.py as workers 0 and 1 of a CPU cluster on 127.0.0.1; fails on a hang."""
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    workers = []
    for index in range(2):
        task = {"type": "worker", "index": index}
        env = {
            **os.environ,
            "TF_CONFIG": json.dumps({"cluster": cluster, "task": task}),
            "CUDA_VISIBLE_DEVICES": "",
        }
        command = [
            sys.executable,
            str(ROOT / "scripts" / "train.py"),
            *overrides,
            "trainer.strategy=multi_worker",
            f"paths.cache_dir={tmp_path / f'cache_{index}'}",  # feature stores are not shared
            f"hydra.run.dir={tmp_path / f'hydra_{index}'}",
        ]
        log = (tmp_path / f"worker_{index}.log").open("w")
        workers.append((subprocess.Popen(command, env=env, stdout=log, stderr=log), log))
    deadline = time.monotonic() + 600  # a hang guard, with room for a loaded machine
    try:
        for process, _ in workers:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for process, log in workers:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
    for index, (process, _) in enumerate(workers):
        output = (tmp_path / f"worker_{index}.log").read_text()
        assert process.returncode == 0, f"worker {index}:\n{output[-4000:]}"


@pytest.mark.slow
def test_two_workers_train_as_one_and_only_the_chief_writes_the_run_dir(tmp_path):
    corpus = tmp_path / "corpus"
    # 19 utterances in 2 length buckets of batch 8: batches of 8, 2, 8 and 1, so one global
    # batch leaves worker 1 an empty share.
    overrides = [
        f"paths.root_dir={tmp_path}",
        f"data.train_manifest={write_corpus(corpus, 19, 0)}",
        f"data.dev_manifest={write_corpus(corpus, 6, 100)}",
        "data.lm_text=null",
        "lm_order=0",
        "model.num_layers=1",
        "model.units=8",
        "trainer.epochs=2",
        "trainer.batch_size=8",
        "trainer.num_buckets=2",
        "trainer.num_workers=1",
        "trainer.verbose=0",
    ]
    run_dir = tmp_path / "run"
    run_two_workers(tmp_path, [*overrides, f"paths.output_dir={run_dir}"])  # one shared run dir

    worker_1 = run_dir / "workertemp_1"
    assert (run_dir / "model" / "model.keras").is_file()
    assert (run_dir / "config.yaml").is_file() and (run_dir / "tensorboard").is_dir()
    assert sorted(p.name for p in worker_1.iterdir()) == ["checkpoints", "metrics.json"]
    chief_metrics = json.loads((run_dir / "metrics.json").read_text())
    worker_metrics = json.loads((worker_1 / "metrics.json").read_text())
    assert len(chief_metrics) == 2
    for key in ("loss", "val_loss", "val_wer", "val_cer"):
        assert [row[key] for row in chief_metrics] == [row[key] for row in worker_metrics]
    chief_weights = read_weights(run_dir / "checkpoints" / "best.weights.h5")
    worker_weights = read_weights(worker_1 / "checkpoints" / "best.weights.h5")
    assert chief_weights.keys() == worker_weights.keys() and chief_weights
    for name, array in chief_weights.items():
        np.testing.assert_array_equal(array, worker_weights[name], err_msg=name)

    # Two replicas in one process (as on two GPUs) split the batches as the two workers do.
    mirrored = tmp_path / "mirrored"
    cache = f"paths.cache_dir={tmp_path / 'cache_0'}"
    result = subprocess.run(
        [sys.executable, "-c", TWO_CPU_REPLICAS, *overrides, cache, f"paths.output_dir={mirrored}"],
        cwd=ROOT,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    mirrored_metrics = json.loads((mirrored / "metrics.json").read_text())
    losses = [row["loss"] for row in chief_metrics]
    np.testing.assert_allclose([row["loss"] for row in mirrored_metrics], losses, rtol=1e-4)

    # batch_size is global: one replica on the same batches learns (nearly) the same.
    from speech_lstm.config import to_object
    from speech_lstm.training import train
    from tests.conftest import compose

    alone = tmp_path / "alone"
    train(to_object(compose("train", [*overrides, cache, f"paths.output_dir={alone}"])))
    alone_metrics = json.loads((alone / "metrics.json").read_text())
    np.testing.assert_allclose([row["loss"] for row in alone_metrics], losses, rtol=0.02)
