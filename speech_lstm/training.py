"""Training: manifests -> cached features -> bucketed batches -> BiLSTM-CTC -> model directory."""

from __future__ import annotations

import datetime
import json
import logging
import shutil
import time
from dataclasses import asdict, replace
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from omegaconf import OmegaConf

from speech_lstm.config import ModelConfig, TrainConfig
from speech_lstm.data.dataset import LabelledSplit, label_split, make_training_stream
from speech_lstm.data.feature_store import ORIGINAL, AudioVariant, build_feature_store
from speech_lstm.data.manifest import Utterance, read_manifest
from speech_lstm.decoding import greedy_decode
from speech_lstm.distribute import (
    DistributedCtcModel,
    build_strategy,
    is_chief,
    mean_over_replicas,
    shard_by_data,
    worker_dir,
)
from speech_lstm.evaluation import score
from speech_lstm.inference import LogitComputer
from speech_lstm.lm import NgramLM, build_ngram_lm
from speech_lstm.model import build_acoustic_model
from speech_lstm.model_dir import (
    TrainedModel,
    differing_fields,
    load_model_dir,
    reading_differences,
    save_model_dir,
)
from speech_lstm.resume import (
    RandomStateBackup,
    ResumableEarlyStopping,
    best_so_far,
    completed_history,
    resumed_epoch,
)
from speech_lstm.text import BLANK_INDEX, Vocabulary, normalize_text

log = logging.getLogger(__name__)


def load_labelled_split(
    manifests: list[str],
    config: TrainConfig,
    vocabulary: Vocabulary,
    variants: tuple[AudioVariant, ...] = ORIGINAL,
) -> LabelledSplit:
    """Reads manifests, builds (or reuses) their feature store and keeps the usable utterances.

    With several `variants`, every utterance appears once per variant (see
    `build_feature_store`).
    """
    utterances = [u for manifest in manifests for u in read_manifest(manifest)]
    store = build_feature_store(
        utterances, config.features, config.paths.cache_dir, config.trainer.num_workers, variants
    )
    if config.features.normalizes_per_speaker:
        store.normalize_by_group(speaker_groups(utterances, len(variants)))
    copies = [replace(u, duration=u.duration / v.speed) for v in variants for u in utterances]
    return label_split(
        copies, store, vocabulary, config.model.subsampling, config.data.max_duration
    )


def speaker_groups(utterances: list[Utterance], num_variants: int) -> list[tuple[str, int]]:
    """The normalisation group of each store entry: its speaker (or, unlabelled, its own
    file) within its audio variant, as a sped-up copy of a speaker is another voice."""
    return [
        (u.speaker or u.audio_filepath, variant)
        for variant in range(num_variants)
        for u in utterances
    ]


def training_variants(config: TrainConfig) -> tuple[AudioVariant, ...]:
    """The training copies `augment` asks for: one per speed, plus the noisy and reverberant
    copies."""
    augment = config.augment
    speeds = tuple(AudioVariant(speed=speed) for speed in augment.speed_factors)
    snr_db = tuple(augment.noise_snr_db)
    noisy = tuple(AudioVariant(snr_db=snr_db, copy=k) for k in range(augment.noise_copies))
    rt60_s, drr_db = tuple(augment.reverb_rt60_s), tuple(augment.reverb_drr_db)
    reverberant = tuple(
        AudioVariant(rt60_s=rt60_s, drr_db=drr_db, copy=k) for k in range(augment.reverb_copies)
    )
    return speeds + noisy + reverberant


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
        batch_loss = keras.ops.ctc_loss(padded, logits, label_lengths, lengths, BLANK_INDEX)
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
    """Scores dev after each epoch, adds `val_*` to the logs, writes `metrics.json`, prints ETA.

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
        self.metrics_path.write_text(json.dumps(self.history, indent=2) + "\n")
        self._print(epoch, dev)
        self._log_examples(epoch, dev["examples"])

    def _row(self, epoch: int, logs: dict, train_time: float, epoch_time: float) -> dict:
        seen_hours = (epoch + 1) * self.train_seconds / 3600
        return {
            "epoch": epoch + 1,
            **{key: float(value) for key, value in logs.items()},
            "audio_hours_seen": round(seen_hours, 4),
            "throughput_audio_s_per_s": round(self.train_seconds / train_time, 2),
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

    def _print(self, epoch: int, dev: dict) -> None:
        row = self.history[-1]
        mean_epoch = np.mean([r["epoch_seconds"] for r in self.history])
        eta = datetime.timedelta(seconds=int(mean_epoch * (self.params["epochs"] - epoch - 1)))
        print(
            f"epoch {epoch + 1}/{self.params['epochs']}: loss {row['loss']:.3f}, "
            f"dev loss {dev['loss']:.3f}, dev WER {dev['wer']:.2%}, dev CER {dev['cer']:.2%}, "
            f"{row['throughput_audio_s_per_s']:.0f} audio s/s, ETA {eta}",
            flush=True,
        )
        for example in dev["examples"][:2]:
            print(f"    ref: {example['reference']}\n    hyp: {example['hypothesis']}", flush=True)


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


def make_optimizer(config: TrainConfig, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """Adam with linear warm-up, cosine decay over the whole run, and gradient-norm clipping."""
    trainer = config.trainer
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


def make_callbacks(
    config: TrainConfig,
    run_dir: Path,
    dev: LabelledSplit,
    train_seconds: float,
    chief: bool = True,
) -> list[keras.callbacks.Callback]:
    """Dev scoring first, then best-by-dev-WER checkpointing, backups, TensorBoard and guards.

    Everything is written below `run_dir`: the run directory on the chief, a directory of its
    own on any other worker (see `speech_lstm.distribute.worker_dir`), which gets no TensorBoard
    logs. A run resumed from `run_dir/backup` carries on checkpoint selection and early stopping
    from the epochs already done.
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
    return callbacks


def train(config: TrainConfig) -> Path:
    """Trains a model as `config` says and exports the best epoch (by dev WER).

    Under `trainer.strategy=multi_worker` every worker calls this with the same config; only
    the chief writes the run directory and exports the model.

    Returns:
        The self-contained model directory, `<paths.output_dir>/model`; on a multi-worker
        cluster's other workers, their own directory of checkpoints (see
        `speech_lstm.distribute.worker_dir`).

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
        (run_dir / "config.yaml").write_text(OmegaConf.to_yaml(OmegaConf.structured(config)))
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
    print(
        f"train: {len(train_split)} utterances, {train_split.audio_seconds / 3600:.2f} h; "
        f"dev: {len(dev_split)} utterances; run dir: {out_dir}; "
        f"{strategy.num_replicas_in_sync} replica(s)",
        flush=True,
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
    callbacks = make_callbacks(config, out_dir, dev_split, train_split.audio_seconds, chief)
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
    print(f"initial weights: {config.trainer.init_from}", flush=True)


def _weight_shape(model: ModelConfig) -> dict:
    """The model settings that decide the weights' shapes (dropout has no weights)."""
    return {name: value for name, value in asdict(model).items() if name != "dropout"}


def _report_divergence(where: str, run_dir: Path, best: Path) -> None:
    """Explains a NaN/Inf loss; the backup is dropped so a rerun does not resume from it."""
    shutil.rmtree(run_dir / "backup", ignore_errors=True)
    advice = "lower trainer.learning_rate or trainer.clipnorm, or check the data with lint_data.py"
    if not best.is_file():
        raise RuntimeError(f"The loss became NaN/Inf at {where}, before any good epoch: {advice}")
    print(
        f"WARNING: the loss became NaN/Inf at {where}; training stopped. Exporting the last good "
        f"checkpoint ({best}). To go further, {advice}.",
        flush=True,
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
    }
    lm = build_lm(config, vocabulary) if config.lm_order else None
    if lm is not None:
        metadata["lm"] = {"order": lm.order, "words": len(lm.words), "text": config.data.lm_text}
    trained = TrainedModel(acoustic, vocabulary, config.features, config.model, metadata, lm)
    model_dir = save_model_dir(run_dir / "model", trained)
    print(f"model directory: {model_dir} (best dev WER {metadata['best_dev_wer']:.2%})", flush=True)
    return model_dir
