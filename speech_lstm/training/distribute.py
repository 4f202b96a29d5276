"""tf.distribute strategies for training: one device, all local GPUs, or several hosts.

`trainer.strategy` picks one: `default` (TensorFlow's default strategy: one device),
`mirrored` (`tf.distribute.MirroredStrategy`: every local GPU, or the CPU) or `multi_worker`
(`tf.distribute.MultiWorkerMirroredStrategy`, one process per host, configured by the
`TF_CONFIG` environment variable). Under `multi_worker` the chief (task `chief`, or worker 0
when the cluster has no `chief`) writes the run directory; every other worker writes what
Keras needs (checkpoints, backups) to a directory of its own below it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import tensorflow as tf

from speech_lstm.model.network import CtcTrainingModel
from speech_lstm.training.config import STRATEGIES


class DistributeConfigError(ValueError):
    """A strategy that cannot be built as configured (e.g. a missing or invalid TF_CONFIG)."""


def build_strategy(name: str, environ: Mapping[str, str] | None = None) -> tf.distribute.Strategy:
    """Builds the tf.distribute strategy `trainer.strategy` names.

    Call it before any other TensorFlow operation of the process: `MultiWorkerMirroredStrategy`
    must configure the runtime's collective ops first.

    Args:
        name: `default`, `mirrored` or `multi_worker`.
        environ: where `TF_CONFIG` is read, for `multi_worker`; defaults to `os.environ`.

    Returns:
        The strategy; build, compile and fit the model under its `scope()`.

    Raises:
        DistributeConfigError: for an unknown name, or `multi_worker` without a valid
            `TF_CONFIG` (see `read_tf_config`).
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi_worker":
        read_tf_config(os.environ if environ is None else environ)
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise DistributeConfigError(f"trainer.strategy must be one of {STRATEGIES}. Received: {name!r}")


def read_tf_config(environ: Mapping[str, str]) -> dict:
    """Reads and checks `TF_CONFIG`: a cluster of `worker` (and optionally `chief`) addresses
    and this process's task in it.

    Example for two hosts, the second one's setting (the first one has `"index": 0`):
    `{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker",
    "index": 1}}`.

    Returns:
        The parsed TF_CONFIG.

    Raises:
        DistributeConfigError: with one sentence saying what is wrong and what is expected.
    """
    expected = (
        'set TF_CONFIG on every host to e.g. {"cluster": {"worker": ["host1:12345", '
        '"host2:12345"]}, "task": {"type": "worker", "index": 0}} with that host\'s index'
    )
    text = environ.get("TF_CONFIG", "").strip()
    if not text:
        raise DistributeConfigError(f"trainer.strategy=multi_worker needs TF_CONFIG: {expected}.")
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise DistributeConfigError(
            f"TF_CONFIG is not valid JSON ({error}): {expected}. Received: {text!r}"
        ) from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise DistributeConfigError(
            f"TF_CONFIG needs a 'cluster' and a 'task' object: {expected}. Received: {text!r}"
        )
    workers = cluster.get("worker")
    if not isinstance(workers, list) or not workers:
        raise DistributeConfigError(
            f"TF_CONFIG's cluster needs a non-empty 'worker' list: {expected}. Received: {text!r}"
        )
    task_type, index = task.get("type"), task.get("index")
    addresses = cluster.get(task_type) if isinstance(task_type, str) else None
    if not isinstance(addresses, list) or not isinstance(index, int) or index < 0:
        raise DistributeConfigError(
            f"TF_CONFIG's task needs a 'type' listed in the cluster and an 'index' >= 0: "
            f"{expected}. Received: {text!r}"
        )
    if index >= len(addresses):
        raise DistributeConfigError(
            f"TF_CONFIG's task index {index} is beyond the {len(addresses)} '{task_type}' "
            f"addresses of the cluster: {expected}. Received: {text!r}"
        )
    return config


def task_of(strategy: tf.distribute.Strategy) -> tuple[str | None, int]:
    """This process's (task type, task index) in a multi-worker cluster; (None, 0) otherwise."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return None, 0
    return resolver.task_type, int(resolver.task_id or 0)


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes the run directory: always, except on a multi-worker
    cluster's non-chief workers (the chief is task `chief`, or worker 0 without one)."""
    task_type, index = task_of(strategy)
    if task_type is None or task_type == "chief":
        return True
    has_chief = "chief" in strategy.cluster_resolver.cluster_spec().as_dict()
    return task_type == "worker" and index == 0 and not has_chief


def spans_workers(strategy: tf.distribute.Strategy) -> bool:
    """Whether the strategy's replicas live in more than one process (a multi-worker cluster
    of two or more tasks)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return False
    jobs = resolver.cluster_spec().as_dict()
    return sum(len(jobs.get(job, [])) for job in ("chief", "worker")) > 1


def worker_dir(run_dir: str | Path, strategy: tf.distribute.Strategy) -> Path:
    """Where this process writes its checkpoints, backups and metrics.

    Returns:
        `run_dir` for the chief; `run_dir/workertemp_<index>` for any other worker, so that
        workers sharing a filesystem never write the chief's files.
    """
    if is_chief(strategy):
        return Path(run_dir)
    return Path(run_dir) / f"workertemp_{task_of(strategy)[1]}"


def mean_over_replicas(strategy: tf.distribute.Strategy, values: np.ndarray) -> np.ndarray:
    """The mean of `values` over all replicas (every worker gets the same numbers).

    Called outside `strategy.run` by every worker at the same point (e.g. at each epoch end),
    it makes per-worker results such as dev scores agree bit for bit, so that decisions taken
    on them (best checkpoint, early stopping) are the same everywhere.
    """
    if strategy.num_replicas_in_sync == 1:
        return values
    local = tf.constant(values, dtype=tf.float64)
    per_replica = strategy.experimental_distribute_values_from_function(lambda _: local)
    return strategy.reduce(tf.distribute.ReduceOp.MEAN, per_replica, axis=None).numpy()


def shard_by_data(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """Sets tf.data auto-sharding to DATA for a multi-worker run.

    The training pipeline starts from utterance positions into a memory-mapped feature cache,
    not from files tf.data could hand out per worker, so every worker runs the whole pipeline
    (same seed, so the same global batches) and keeps its own share of each global batch.
    Strategies with a single worker ignore the option.
    """
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


class DistributedCtcModel(CtcTrainingModel):
    """`CtcTrainingModel` as tf.distribute strategies need it; the same with one replica.

    With several replicas, the loss is reduced as Keras reduces its built-in losses: each
    replica takes the mean over its share of the global batch and, since gradients are summed
    over replicas, divides it by their number. A replica whose share of a small last batch is
    empty runs neither the model nor the CTC loss (CTC and some GPU kernels fail on empty
    batches) and contributes 0. It also works around two Keras 3 problems with multi-replica
    training (see `train_step` and `_maybe_symbolic_build`).
    """

    def call(self, inputs, training=False):
        if _replicas() == 1:
            return super().call(inputs, training)
        features = inputs["features"]

        def nothing():
            steps = tf.shape(features)[1] // self.subsampling
            return tf.zeros([0, steps, self.acoustic_model.output_shape[-1]], tf.float32)

        return tf.cond(
            tf.shape(features)[0] > 0,
            lambda: super(DistributedCtcModel, self).call(inputs, training),
            nothing,
        )

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if _replicas() == 1:
            return super().compute_loss(x, y, y_pred, sample_weight, training)

        def mean_loss():
            return super(DistributedCtcModel, self).compute_loss(
                x, y, y_pred, sample_weight, training
            )

        loss = tf.cond(tf.shape(y_pred)[0] > 0, mean_loss, lambda: tf.zeros([], tf.float32))
        return loss / _replicas()

    def train_step(self, data):
        logs = super().train_step(data)
        if spans_workers(self.distribute_strategy):
            # Keras averages the workers' logs with `reduce(..., axis=0)`, which needs an axis
            # to reduce (tensorflow/tensorflow#72388): give the scalars one.
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras's TensorFlow trainer first averages a batch over the replicas to build the model
        # symbolically, which fails for dict inputs (keras-team/keras#20329) and for replica
        # shares of different sizes. The model is built in __init__; the optimizer needs no data.
        with self.distribute_strategy.scope():
            if not self.optimizer.built:
                self.optimizer.build(self.trainable_variables)


def _replicas() -> int:
    """Replicas of the strategy in use where this is called (traced)."""
    return tf.distribute.get_strategy().num_replicas_in_sync
