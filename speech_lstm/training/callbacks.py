"""Callbacks of a training run: dev scores each epoch, the NaN guard, checkpoints and logs."""

from __future__ import annotations

import datetime
import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import numpy as np
import tensorflow as tf

from speech_lstm.atomic import write_text
from speech_lstm.data.dataset import LabelledSplit
from speech_lstm.decoding.greedy import greedy_decode
from speech_lstm.evaluation.scoring import score
from speech_lstm.inference.logits import LogitComputer
from speech_lstm.model.network import ctc_loss
from speech_lstm.text import Vocabulary
from speech_lstm.training.distribute import mean_over_replicas
from speech_lstm.training.resume import (
    RandomStateBackup,
    ResumableEarlyStopping,
    best_so_far,
    completed_history,
    resumed_epoch,
)
from speech_lstm.training.time_budget import TimeBudget

if TYPE_CHECKING:
    from speech_lstm.config import TrainConfig

log = logging.getLogger(__name__)


def dev_scores(
    computer: LogitComputer, split: LabelledSplit, vocabulary: Vocabulary, batch_size: int
) -> dict:
    """Dev CTC loss, greedy WER and CER, and a few decoded examples."""
    features = [split.store.features(i) for i in split.indices]
    hypotheses = [""] * len(features)
    losses = np.zeros(len(features))
    for positions, logits, lengths in computer.in_length_order(features, batch_size):
        labels = [split.labels[p] for p in positions]
        padded = keras.utils.pad_sequences(labels, padding="post", value=0)
        label_lengths = np.asarray([len(x) for x in labels], dtype=np.int32)
        batch_loss = ctc_loss(padded, logits, label_lengths, lengths)
        losses[positions] = keras.ops.convert_to_numpy(batch_loss)
        for position, ids in zip(positions, greedy_decode(logits, lengths)):
            hypotheses[position] = vocabulary.decode(ids)
    counts = score(split.texts, hypotheses)
    examples = [{"reference": r, "hypothesis": h} for r, h in zip(split.texts[:3], hypotheses[:3])]
    return {
        "loss": float(losses.mean()),
        "wer": counts.wer,
        "cer": counts.cer,
        "examples": examples,
    }


class EpochReport(keras.callbacks.Callback):
    """Scores dev after each epoch, adds `val_*` to the logs, writes `metrics.json`, logs the ETA.

    It must come first among the callbacks so that checkpointing and early stopping see
    `val_wer`. Under a multi-worker strategy every worker scores dev and the scores are averaged
    over the workers, so that all of them see the same `val_*` and take the same decisions.
    With `tensorboard`, a few decoded dev utterances go to `<run_dir>/tensorboard/dev_text`.
    """

    def __init__(
        self,
        dev: LabelledSplit,
        train_seconds: float,
        config: TrainConfig,
        run_dir: Path,
        tensorboard: bool = True,
    ):
        super().__init__()
        self.dev = dev
        self.train_seconds = train_seconds
        self.config = config
        self.metrics_path = run_dir / "metrics.json"
        self.vocabulary = Vocabulary(config.data.characters)
        self.history: list[dict] = []
        self.epoch_started = 0.0
        self.computer: LogitComputer | None = None
        self.text_writer = (
            tf.summary.create_file_writer(str(run_dir / "tensorboard" / "dev_text"))
            if tensorboard
            else None
        )

    def on_epoch_begin(self, epoch, logs=None):
        if epoch and not self.history and self.metrics_path.is_file():
            # Resumed by BackupAndRestore: keep the rows of the epochs already done.
            rows = json.loads(self.metrics_path.read_text())
            self.history = [row for row in rows if row["epoch"] <= epoch]
        self.epoch_started = time.perf_counter()
        self.steps_this_epoch = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps_this_epoch += 1

    def on_epoch_end(self, epoch, logs=None):
        train_time = time.perf_counter() - self.epoch_started
        if self.computer is None:  # traced once, reused every epoch
            self.computer = LogitComputer(self.model.acoustic_model, self.config.model.subsampling)
        dev = dev_scores(
            self.computer, self.dev, self.vocabulary, self.config.trainer.dev_batch_size
        )
        scores = np.asarray([dev["loss"], dev["wer"], dev["cer"]])
        dev["loss"], dev["wer"], dev["cer"] = (
            float(x) for x in mean_over_replicas(self.model.distribute_strategy, scores)
        )
        logs.update({"val_loss": dev["loss"], "val_wer": dev["wer"], "val_cer": dev["cer"]})
        logs["learning_rate"] = float(
            keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)
        )
        self.history.append(
            self._row(epoch, logs, train_time, time.perf_counter() - self.epoch_started)
        )
        write_text(self.metrics_path, json.dumps(self.history, indent=2) + "\n")
        self._log(epoch, dev)
        self._log_examples(epoch, dev["examples"])

    def _row(self, epoch: int, logs: dict, train_time: float, epoch_time: float) -> dict:
        # An epoch cut short (a time budget, the NaN guard) saw only part of the audio.
        part = min(self.steps_this_epoch / (self.params.get("steps") or 1), 1.0) or 1.0
        seen_before = self.history[-1]["audio_hours_seen"] if self.history else 0.0
        seen_hours = seen_before + part * self.train_seconds / 3600
        return {
            "epoch": epoch + 1,
            **{key: float(value) for key, value in logs.items()},
            "audio_hours_seen": round(seen_hours, 4),
            "throughput_audio_s_per_s": round(part * self.train_seconds / train_time, 2),
            "epoch_seconds": round(epoch_time, 2),
        }

    def _log_examples(self, epoch: int, examples: list[dict]) -> None:
        """A few decoded dev utterances as TensorBoard text, to read progress by eye."""
        if self.text_writer is None:
            return
        table = "| reference | hypothesis |\n|---|---|\n" + "".join(
            f"| {e['reference']} | {e['hypothesis']} |\n" for e in examples
        )
        with self.text_writer.as_default():
            tf.summary.text("dev_examples", table, step=epoch + 1)
        self.text_writer.flush()

    def _log(self, epoch: int, dev: dict) -> None:
        row = self.history[-1]
        mean_epoch = np.mean([r["epoch_seconds"] for r in self.history])
        eta = datetime.timedelta(seconds=int(mean_epoch * (self.params["epochs"] - epoch - 1)))
        log.info(
            "epoch %d/%d: loss %.3f, dev loss %.3f, dev WER %.2f%%, dev CER %.2f%%, "
            "%.0f audio s/s, ETA %s",
            epoch + 1,
            self.params["epochs"],
            row["loss"],
            dev["loss"],
            100 * dev["wer"],
            100 * dev["cer"],
            row["throughput_audio_s_per_s"],
            eta,
        )
        for example in dev["examples"][:2]:
            log.info("    ref: %s", example["reference"])
            log.info("    hyp: %s", example["hypothesis"])


class NanGuard(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite loss and remembers where it happened."""

    def __init__(self):
        super().__init__()
        self.where: str | None = None

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss) and self.where is None:
            self.where = f"epoch {self._epoch + 1}, batch {batch + 1}"
            self.model.stop_training = True

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch


def make_callbacks(
    config: TrainConfig,
    run_dir: Path,
    dev: LabelledSplit,
    train_seconds: float,
    steps_per_epoch: int,
    chief: bool = True,
) -> list[keras.callbacks.Callback]:
    """Dev scoring first, then best-by-dev-WER checkpointing, backups, TensorBoard and guards.

    Everything is written below `run_dir`: the run directory on the chief, a directory of its
    own on any other worker (see `speech_lstm.training.distribute.worker_dir`), which gets no
    TensorBoard logs. A run resumed from `run_dir/backup` carries on checkpoint selection,
    early stopping and the time budget from the epochs already done.
    """
    history = completed_history(run_dir / "metrics.json", resumed_epoch(run_dir / "backup"))
    callbacks = [
        EpochReport(dev, train_seconds, config, run_dir, tensorboard=chief),
        keras.callbacks.ModelCheckpoint(
            run_dir / "checkpoints" / "best.weights.h5",
            monitor="val_wer",
            mode="min",
            save_best_only=True,
            save_weights_only=True,
            initial_value_threshold=best_so_far(history, "val_wer"),
        ),
        RandomStateBackup(run_dir / "backup"),
        keras.callbacks.BackupAndRestore(str(run_dir / "backup")),
        *(
            [keras.callbacks.TensorBoard(str(run_dir / "tensorboard"), write_graph=False)]
            if chief
            else []
        ),
        NanGuard(),
    ]
    if config.trainer.early_stopping_patience:
        callbacks.append(
            ResumableEarlyStopping(
                history,
                monitor="val_wer",
                mode="min",
                patience=config.trainer.early_stopping_patience,
            )
        )
    if config.trainer.time_limit_minutes:
        callbacks.insert(0, _time_budget(config, history, steps_per_epoch))
    return callbacks


def _time_budget(config: TrainConfig, history: list[dict], steps_per_epoch: int) -> TimeBudget:
    """The budget of `trainer.time_limit_minutes`, less what the epochs already done took."""
    trainer = config.trainer
    return TimeBudget(
        trainer.time_limit_minutes * 60,
        trainer.learning_rate,
        warmup_steps=int(trainer.warmup_epochs * steps_per_epoch),
        spent_seconds=sum(row["epoch_seconds"] for row in history),
        steps_done=len(history) * steps_per_epoch,
    )
