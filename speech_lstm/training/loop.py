"""`train`: manifests -> cached features -> bucketed batches -> BiLSTM-CTC -> model directory."""

from __future__ import annotations

import datetime
import logging
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import numpy as np
import tensorflow as tf
from omegaconf import OmegaConf

from speech_lstm.atomic import write_text
from speech_lstm.data.dataset import make_training_stream
from speech_lstm.data.manifest import read_manifest
from speech_lstm.decoding.lm import NgramLM, build_ngram_lm
from speech_lstm.inference.model_dir import (
    TrainedModel,
    differing_fields,
    load_model_dir,
    reading_differences,
    save_model_dir,
)
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import build_acoustic_model
from speech_lstm.text import Vocabulary, normalize_text
from speech_lstm.training.callbacks import EpochReport, NanGuard, make_callbacks
from speech_lstm.training.distribute import (
    DistributedCtcModel,
    build_strategy,
    is_chief,
    shard_by_data,
    worker_dir,
)
from speech_lstm.training.environment import package_versions
from speech_lstm.training.resume import resumed_epoch
from speech_lstm.training.splits import load_labelled_split, training_variants

if TYPE_CHECKING:
    from speech_lstm.config import TrainConfig

log = logging.getLogger(__name__)


def make_optimizer(config: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """Adam with linear warm-up, cosine decay over the whole run, and gradient-norm clipping.

    Under `trainer.time_limit_minutes` the rate is a plain value that `TimeBudget` sets before
    every step (the schedule runs on the clock).
    """
    trainer = config.trainer
    if trainer.time_limit_minutes:
        return keras.optimizers.Adam(trainer.learning_rate, clipnorm=trainer.clipnorm or None)
    total_steps = max(1, trainer.epochs * steps_per_epoch)
    warmup = min(int(trainer.warmup_epochs * steps_per_epoch), total_steps - 1)
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=trainer.learning_rate / 10 if warmup else trainer.learning_rate,
        decay_steps=total_steps - warmup,
        alpha=0.02,
        warmup_target=trainer.learning_rate if warmup else None,
        warmup_steps=warmup,
    )
    return keras.optimizers.Adam(schedule, clipnorm=trainer.clipnorm or None)


def train(config: TrainConfig) -> Path:
    """Trains a model as `config` says and exports the best epoch (by dev WER).

    Under `trainer.strategy=multi_worker` every worker calls this with the same config; only
    the chief writes the run directory and exports the model.

    Returns:
        The self-contained model directory, `<paths.output_dir>/model`; on a multi-worker
        cluster's other workers, their own directory of checkpoints (see
        `speech_lstm.training.distribute.worker_dir`).

    Raises:
        DistributeConfigError: a `ValueError`, for `multi_worker` without a valid TF_CONFIG.
    """
    # Before any other TensorFlow operation: a multi-worker strategy configures the runtime.
    strategy = build_strategy(config.trainer.strategy)
    previous_policy = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy(config.trainer.precision)
    try:
        return _train(config, strategy)
    finally:
        keras.mixed_precision.set_dtype_policy(previous_policy)


def check_inputs(config: TrainConfig) -> None:
    """Fails before any training when a file the run needs at its end is missing."""
    if config.lm_order and config.data.lm_text and not Path(config.data.lm_text).is_file():
        raise FileNotFoundError(
            f"data.lm_text={config.data.lm_text} does not exist: regenerate the corpus with "
            "scripts/make_synthetic.py, or set data.lm_text=null (LM from the train "
            "transcripts only) or lm_order=0 (no LM)"
        )


def _train(config: TrainConfig, strategy: tf.distribute.Strategy) -> Path:
    check_inputs(config)
    run_dir = Path(config.paths.output_dir)
    chief = is_chief(strategy)
    out_dir = worker_dir(run_dir, strategy)
    (out_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
    if chief:
        write_text(run_dir / "config.yaml", OmegaConf.to_yaml(OmegaConf.structured(config)))
    keras.utils.set_random_seed(config.trainer.seed)
    if config.trainer.deterministic:
        tf.config.experimental.enable_op_determinism()
    vocabulary = Vocabulary(config.data.characters)
    train_manifests = [config.data.train_manifest, *config.data.extra_train_manifests]
    train_split = load_labelled_split(
        train_manifests, config, vocabulary, training_variants(config)
    )
    dev_split = load_labelled_split([config.data.dev_manifest], config, vocabulary)
    if not len(train_split) or not len(dev_split):
        raise ValueError(
            f"No usable utterances: train {len(train_split)}, dev {len(dev_split)}. "
            "Check the manifests and the warnings above."
        )
    log.info(
        "train: %d utterances, %.2f h; dev: %d utterances; run dir: %s; %d replica(s)",
        len(train_split),
        train_split.audio_seconds / 3600,
        len(dev_split),
        out_dir,
        strategy.num_replicas_in_sync,
    )
    dataset, steps = make_training_stream(
        train_split,
        config.trainer.batch_size,
        config.model.subsampling,
        first_epoch=resumed_epoch(out_dir / "backup"),
        epochs=config.trainer.epochs,
        seed=config.trainer.seed,
        num_buckets=config.trainer.num_buckets,
        augment=config.augment,
    )
    with strategy.scope():
        acoustic = build_acoustic_model(config.features.feature_dim, vocabulary.size, config.model)
        if config.trainer.init_from:
            load_initial_weights(acoustic, config, vocabulary)
        trainer_model = DistributedCtcModel(acoustic, config.model.subsampling)
        trainer_model.compile(optimizer=make_optimizer(config, steps))
    callbacks = make_callbacks(
        config, out_dir, dev_split, train_split.audio_seconds, steps, chief=chief
    )
    trainer_model.fit(
        shard_by_data(dataset),
        epochs=config.trainer.epochs,
        steps_per_epoch=steps,
        callbacks=callbacks,
        verbose=config.trainer.verbose,
        shuffle=False,  # the stream shuffles each epoch itself
    )
    nan_guard = next(c for c in callbacks if isinstance(c, NanGuard))
    best = out_dir / "checkpoints" / "best.weights.h5"
    if nan_guard.where is not None:
        _report_divergence(nan_guard.where, out_dir, best)
    if not chief:
        return out_dir
    trainer_model.load_weights(best)
    report = next(c for c in callbacks if isinstance(c, EpochReport))
    every_epoch = {"val_wer": [row["val_wer"] for row in report.history]}
    return export(run_dir, acoustic, vocabulary, config, every_epoch)


def load_initial_weights(
    acoustic: keras.Model, config: TrainConfig, vocabulary: Vocabulary
) -> None:
    """Copies the weights of the model directory `trainer.init_from` into `acoustic`.

    Fine-tuning only makes sense from a model that reads the same features and emits the same
    characters, so any difference is refused, named, before training starts.

    Raises:
        ValueError: the directory's model shape, vocabulary or front end differs from the run's.
    """
    source = load_model_dir(config.trainer.init_from, with_lm=False)
    differences = reading_differences(source, config.features, vocabulary.characters)
    differences += differing_fields(
        _weight_shape(source.model_config), _weight_shape(config.model), "model"
    )
    if differences:
        raise ValueError(
            f"trainer.init_from={config.trainer.init_from} does not match this run: "
            + "; ".join(differences)
            + ". Set these as the model directory has them (see its features.json, model.json "
            "and vocabulary.json)."
        )
    acoustic.set_weights(source.acoustic_model.get_weights())
    log.info("initial weights: %s", config.trainer.init_from)


# Settings of how a model trains, not of its weights: fine-tuning may change them.
TRAINING_ONLY_SETTINGS = ("dropout", "recurrent_dropout", "l2")


def _weight_shape(model: ModelConfig) -> dict:
    """The model settings that decide the weights' shapes."""
    return {
        name: value for name, value in asdict(model).items() if name not in TRAINING_ONLY_SETTINGS
    }


def _report_divergence(where: str, run_dir: Path, best: Path) -> None:
    """Explains a NaN/Inf loss; the backup is dropped so a rerun does not resume from it."""
    shutil.rmtree(run_dir / "backup", ignore_errors=True)
    advice = "lower trainer.learning_rate or trainer.clipnorm, or check the data with lint_data.py"
    if not best.is_file():
        raise RuntimeError(f"The loss became NaN/Inf at {where}, before any good epoch: {advice}")
    log.warning(
        "The loss became NaN/Inf at %s; training stopped. Exporting the last good checkpoint "
        "(%s). To go further, %s.",
        where,
        best,
        advice,
    )


def build_lm(config: TrainConfig, vocabulary: Vocabulary) -> NgramLM:
    """Word n-gram LM from the training transcripts plus `data.lm_text`, if given."""
    utterances = read_manifest(config.data.train_manifest)
    texts = [normalize_text(u.text, vocabulary.characters) for u in utterances]
    if config.data.lm_text:
        with open(config.data.lm_text, encoding="utf-8") as lines:
            texts += [normalize_text(line, vocabulary.characters) for line in lines]
    return build_ngram_lm([text for text in texts if text], order=config.lm_order)


def export(
    run_dir: Path, acoustic: keras.Model, vocabulary: Vocabulary, config: TrainConfig, history: dict
) -> Path:
    """Writes the model directory with a summary of how it was trained."""
    dev_wer = history.get("val_wer", [])
    metadata = {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "epochs_run": len(dev_wer),
        "best_epoch": int(np.argmin(dev_wer)) + 1 if dev_wer else None,
        "best_dev_wer": float(min(dev_wer)) if dev_wer else None,
        "train_manifest": config.data.train_manifest,
        "dev_manifest": config.data.dev_manifest,
        "init_from": config.trainer.init_from,
        "model": asdict(config.model),
        "environment": package_versions(),
    }
    lm = build_lm(config, vocabulary) if config.lm_order else None
    if lm is not None:
        metadata["lm"] = {"order": lm.order, "words": len(lm.words), "text": config.data.lm_text}
    trained = TrainedModel(acoustic, vocabulary, config.features, config.model, metadata, lm)
    model_dir = save_model_dir(run_dir / "model", trained)
    log.info("model directory: %s (best dev WER %.2f%%)", model_dir, 100 * metadata["best_dev_wer"])
    return model_dir
