"""Training robustness: resume after SIGKILL, the NaN guard, precision settings."""

import json
import math
import signal
import subprocess
import time
import zipfile

import h5py
import keras
import numpy as np
import pytest

from speech_lstm.training.callbacks import NanGuard
from speech_lstm.training.config import TrainerConfig
from tests.conftest import ROOT, require_espeak
from tests.training_fixtures import train_command


def test_nan_guard_stops_at_the_first_bad_loss():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    guard = NanGuard()
    guard.set_model(model)
    guard.on_epoch_begin(1)
    guard.on_train_batch_end(0, {"loss": 3.0})
    assert guard.where is None and not getattr(model, "stop_training", False)
    guard.on_train_batch_end(4, {"loss": math.nan})
    guard.on_train_batch_end(5, {"loss": math.inf})
    assert guard.where == "epoch 2, batch 5" and model.stop_training


def test_precision_is_validated():
    assert TrainerConfig(precision="mixed_bfloat16").precision == "mixed_bfloat16"
    with pytest.raises(ValueError, match="precision"):
        TrainerConfig(precision="float8")


RESUMABLE = [
    "trainer.deterministic=true",
    "trainer.epochs=4",
    "trainer.batch_size=4",
    "model.dropout=0.2",
    "augment=specaugment",
    "augment.noise_copies=1",
    "trainer.early_stopping_patience=3",
]
TIMING_FIELDS = ("throughput_audio_s_per_s", "epoch_seconds")


def train_to_the_end(corpus_root, run_dir) -> subprocess.CompletedProcess:
    """Runs (or resumes) the resumable tiny training in `run_dir` until it ends."""
    done = subprocess.run(
        train_command(corpus_root, run_dir, *RESUMABLE),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.slow
def test_a_run_killed_mid_epoch_and_resumed_ends_as_an_uninterrupted_one(
    tmp_path, tiny_corpus_root
):
    """SIGKILL during the second epoch, then a rerun: the weights of every checkpoint, the
    exported model and every metric equal those of a run never interrupted. Dropout,
    SpecAugment, noisy copies, shuffling, Adam's moments and the learning-rate schedule all
    take part. Two runs with the same seed ending bit for bit equal is also the test of
    `trainer.deterministic`."""
    train_to_the_end(tiny_corpus_root, tmp_path / "whole")

    backup = tmp_path / "killed" / "backup" / "training_metadata.json"
    first = subprocess.Popen(
        train_command(tiny_corpus_root, tmp_path / "killed", *RESUMABLE),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600  # a hang guard, with room for a loaded machine
        while not backup.is_file() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert backup.is_file(), "the first run never wrote a backup"
        time.sleep(1.0)  # into the second epoch
    finally:  # killed here, or left behind by a failed wait
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    done_before = json.loads(backup.read_text())["epoch"]
    assert done_before < 4 and not (tmp_path / "killed" / "model").exists()

    second = train_to_the_end(tiny_corpus_root, tmp_path / "killed")
    # Hydra's job logging writes the training log to stdout: "[time][logger][INFO] - epoch 2/4: ..."
    logged = [line.partition("] - ")[2] for line in second.stdout.splitlines()]
    epochs_run_again = [message for message in logged if message.startswith("epoch ")]
    assert epochs_run_again[0].startswith(f"epoch {done_before + 1}/4")

    def metrics(run: str) -> list[dict]:
        rows = json.loads((tmp_path / run / "metrics.json").read_text())
        return [{k: v for k, v in row.items() if k not in TIMING_FIELDS} for row in rows]

    assert [row["epoch"] for row in metrics("whole")] == [1, 2, 3, 4]
    assert metrics("killed") == metrics("whole")
    for run in ("whole", "killed"):  # the exported model's weights, out of its .keras zip
        with zipfile.ZipFile(tmp_path / run / "model" / "model.keras") as archive:
            archive.extract("model.weights.h5", tmp_path / run / "exported")
    for weights_file in ("checkpoints/best.weights.h5", "exported/model.weights.h5"):
        expected = _checkpoint_arrays(tmp_path / "whole" / weights_file)
        resumed = _checkpoint_arrays(tmp_path / "killed" / weights_file)
        assert len(expected) > 4
        assert all(np.array_equal(a, b) for a, b in zip(expected, resumed, strict=True))
    exported = [
        json.loads((tmp_path / run / "model" / "training.json").read_text())
        for run in ("whole", "killed")
    ]
    for key in ("epochs_run", "best_epoch", "best_dev_wer"):
        assert exported[0][key] == exported[1][key], key


@pytest.mark.slow
def test_early_stopping_on_dev_wer_and_dev_examples_in_tensorboard(tmp_path):
    require_espeak()
    from speech_lstm.config import to_object
    from speech_lstm.synthetic.corpus import generate_corpus
    from speech_lstm.training import train
    from tests.conftest import compose

    cfg = to_object(
        compose(
            "train",
            [
                f"paths.root_dir={tmp_path}",
                f"paths.output_dir={tmp_path / 'run'}",
                "debug=tiny",
                "model.units=8",
                "trainer.epochs=5",
                "trainer.learning_rate=1e-12",  # nothing is learnt, so dev WER never improves
                "trainer.early_stopping_patience=1",
                "trainer.verbose=0",
                "trainer.num_workers=1",
            ],
        )
    )
    generate_corpus(cfg.data.synthetic, cfg.data.corpus_dir)
    model_dir = train(cfg)
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert len(metrics) == 2, "patience 1: the second epoch without improvement stops training"
    assert (model_dir / "model.keras").is_file()
    assert list((tmp_path / "run" / "tensorboard" / "dev_text").glob("events.out.tfevents.*"))


def test_a_missing_lm_text_fails_before_training(tmp_path):
    from speech_lstm.config import to_object
    from speech_lstm.training import train
    from tests.conftest import compose

    cfg = to_object(
        compose(
            "train",
            [f"paths.root_dir={tmp_path}", f"paths.output_dir={tmp_path / 'run'}", "debug=tiny"],
        )
    )
    with pytest.raises(FileNotFoundError, match="data.lm_text=.*does not exist"):
        train(cfg)
    assert not (tmp_path / "run" / "metrics.json").exists()


@pytest.mark.parametrize(
    "experiment", sorted(p.stem for p in (ROOT / "conf" / "experiment").glob("*.yaml"))
)
def test_every_experiment_composes_into_a_valid_training_config(experiment, tmp_path):
    from speech_lstm.config import TrainConfig, to_object
    from tests.conftest import compose

    overrides = [f"experiment={experiment}", f"paths.output_dir={tmp_path}"]
    config = to_object(compose("train", overrides))
    assert isinstance(config, TrainConfig)
    assert config.trainer.epochs >= 1 and config.augment.speed_factors


def _checkpoint_arrays(path) -> list:
    """Every array stored in a Keras weights file, in file order."""
    arrays = []
    with h5py.File(path) as checkpoint:
        checkpoint.visititems(
            lambda _, item: arrays.append(item[()]) if isinstance(item, h5py.Dataset) else None
        )
    return arrays


def test_the_time_budget_schedule_warms_up_by_steps_then_decays_by_the_clock():
    from speech_lstm.training.time_budget import FINAL_FRACTION, TimeBudget

    budget = TimeBudget(100.0, peak_learning_rate=1e-3, warmup_steps=10)
    assert budget.learning_rate(0.0) == pytest.approx(1e-4)
    budget.step = 5
    assert budget.learning_rate(3.0) == pytest.approx(5.5e-4)
    budget.step = 10  # warm-up ends at 20 s: the cosine runs over the 80 s left
    assert budget.learning_rate(20.0) == pytest.approx(1e-3)
    assert budget.learning_rate(60.0) == pytest.approx(1e-3 * (FINAL_FRACTION + 1) / 2)
    assert budget.learning_rate(100.0) == pytest.approx(1e-3 * FINAL_FRACTION)
    assert budget.learning_rate(500.0) == pytest.approx(1e-3 * FINAL_FRACTION)
    resumed = TimeBudget(100.0, 1e-3, warmup_steps=10, spent_seconds=40.0, steps_done=30)
    assert resumed.learning_rate(40.0) == pytest.approx(1e-3)  # the resumed decay starts anew
    with pytest.raises(ValueError, match="time_limit_minutes"):
        TrainerConfig(time_limit_minutes=0)


@pytest.mark.slow
def test_a_time_budget_stops_training_and_exports_the_best_epoch(tmp_path, tiny_corpus_root):
    from speech_lstm.config import to_object
    from speech_lstm.training import train
    from tests.conftest import compose

    cfg = to_object(
        compose(
            "train",
            [
                f"paths.root_dir={tiny_corpus_root}",
                f"paths.output_dir={tmp_path / 'run'}",
                "debug=tiny",
                "model.units=8",
                "trainer.epochs=1000",
                "trainer.time_limit_minutes=0.15",
                "trainer.verbose=0",
                "trainer.num_workers=1",
                "lm_order=0",
            ],
        )
    )
    model_dir = train(cfg)
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert 1 <= len(metrics) < 1000, "the budget, not the epochs, ended the run"
    assert metrics[-1]["learning_rate"] < 0.2 * cfg.trainer.learning_rate, "decayed by the end"
    assert metrics[0]["learning_rate"] > metrics[-1]["learning_rate"]
    assert (model_dir / "model.keras").is_file()
