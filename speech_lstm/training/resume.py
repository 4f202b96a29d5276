"""What a training run resumed after a kill needs beyond Keras' `BackupAndRestore`, so that it
ends exactly where an uninterrupted run ends: the epoch to start the data from, the random
state of dropout, and the state of best-checkpoint selection and early stopping."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import keras
import numpy as np

from speech_lstm.atomic import atomic_file

log = logging.getLogger(__name__)

# Written by keras.callbacks.BackupAndRestore next to its weights.
BACKUP_METADATA = "training_metadata.json"
SEED_STATE = "seed_generator_state"


def resumed_epoch(backup_dir: Path) -> int:
    """Epochs completed according to a `BackupAndRestore` folder (0 when there is none)."""
    path = Path(backup_dir) / BACKUP_METADATA
    if not path.is_file():
        return 0
    return int(json.loads(path.read_text(encoding="utf-8"))["epoch"])


def completed_history(metrics_path: Path, epochs_done: int) -> list[dict]:
    """The rows of `metrics.json` of the epochs a resumed run will not repeat."""
    if not epochs_done or not Path(metrics_path).is_file():
        return []
    rows = json.loads(Path(metrics_path).read_text(encoding="utf-8"))
    return [row for row in rows if row["epoch"] <= epochs_done]


def best_so_far(history: list[dict], monitor: str) -> float | None:
    """The lowest `monitor` value of `history`, or None when there is none."""
    values = [row[monitor] for row in history if monitor in row]
    return min(values) if values else None


class RandomStateBackup(keras.callbacks.Callback):
    """Saves and restores the state of the model's random seed generators (dropout masks).

    Keras' weight files leave these states out, so without this a resumed run draws the
    dropout masks of step 0 again. One file per completed epoch, written before
    `BackupAndRestore` records that epoch (so it must come before it among the callbacks);
    on resume the file of the epoch the backup holds is loaded.
    """

    def __init__(self, backup_dir: Path):
        super().__init__()
        self.backup_dir = Path(backup_dir)

    def _path(self, epoch: int) -> Path:
        return self.backup_dir / f"random_state_epoch{epoch}.npz"

    def _seed_states(self) -> dict[str, keras.Variable]:
        return {v.path: v for v in self.model.variables if v.path.endswith(SEED_STATE)}

    def on_train_begin(self, logs=None):
        epoch = resumed_epoch(self.backup_dir)
        if not epoch:
            return
        path = self._path(epoch)
        if not path.is_file():
            log.warning("No random state saved for epoch %d in %s: dropout differs", epoch, path)
            return
        with np.load(path) as saved:
            for name, variable in self._seed_states().items():
                if name in saved:
                    variable.assign(saved[name])

    def on_epoch_end(self, epoch, logs=None):
        self.backup_dir.mkdir(parents=True, exist_ok=True)
        states = {name: keras.ops.convert_to_numpy(v) for name, v in self._seed_states().items()}
        with atomic_file(self._path(epoch + 1), "wb") as out:
            np.savez(out, **states)
        self._path(epoch - 1).unlink(missing_ok=True)


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """`EarlyStopping` that, on resume, first replays the monitored values of the epochs
    already done, so that its patience counts as in an uninterrupted run."""

    def __init__(self, history: list[dict], **kwargs):
        super().__init__(**kwargs)
        self.replayed = history

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        for row in self.replayed:
            value = row.get(self.monitor, math.nan)
            super().on_epoch_end(row["epoch"] - 1, {self.monitor: value})
