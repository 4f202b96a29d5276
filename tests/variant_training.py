"""Tiny model variants trained in seconds through the real pipeline (feature store, tf.data
batches, CTC loss with the weight decay), saved as model directories, for the variant and
streaming tests. One training per variant and test module (module-scoped fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

from speech_lstm.audio import load_audio
from speech_lstm.data.dataset import LabelledSplit, label_split, make_dataset
from speech_lstm.data.feature_store import build_feature_store
from speech_lstm.features import MfccConfig, compute_mfcc
from speech_lstm.inference.config import ExportConfig
from speech_lstm.inference.export import export_model
from speech_lstm.inference.logits import LogitComputer
from speech_lstm.inference.model_dir import TrainedModel, save_model_dir
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import CtcTrainingModel, build_acoustic_model
from speech_lstm.text import Vocabulary
from tests.tiny_training import speak

SENTENCES = ["red fish", "a blue cat", "seven owls", "quiet jazz", "the big dog", "warm milk"]
STEPS = 60  # full-batch steps: the BiLSTM of tests/test_learning.py is at 5% CER by then
TFLITE_BATCH_SIZE = 2


def spoken(root: Path) -> list:
    """The six sentences spoken by espeak-ng into `root`, as manifest rows."""
    return speak(SENTENCES, root)


def train_variant(
    utterances: list, features: MfccConfig, model: ModelConfig, directory: Path
) -> Path:
    """A fresh model of shape `model` trained for `STEPS` steps on `utterances`, saved as the
    model directory `directory` (weights, vocabulary, features, model.json)."""
    split = _labelled(utterances, features, model.subsampling, directory.parent / "cache")
    keras.utils.set_random_seed(0)
    acoustic = build_acoustic_model(features.feature_dim, Vocabulary().size, model)
    trainer = CtcTrainingModel(acoustic, model.subsampling)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2, clipnorm=5.0))
    batches = make_dataset(split, len(split), model.subsampling, shuffle=True, num_buckets=1)
    trainer.fit(batches.repeat(), epochs=1, steps_per_epoch=STEPS, verbose=0, shuffle=False)
    trained = TrainedModel(acoustic, Vocabulary(), features, model, {"steps": STEPS})
    return save_model_dir(directory, trained)


def _labelled(
    utterances: list, features: MfccConfig, subsampling: int, cache: Path
) -> LabelledSplit:
    store = build_feature_store(utterances, features, cache, num_workers=1)
    return label_split(utterances, store, Vocabulary(), subsampling)


def export_variant(model_dir: Path) -> dict[str, Path]:
    """Every export of `model_dir` (SavedModel, TFLite float32 and int8, waveform ones),
    written into its export/ as scripts/export.py writes them."""
    return export_model(ExportConfig(model_dir=str(model_dir), tflite_batch_size=TFLITE_BATCH_SIZE))


def features_of(trained: TrainedModel, paths: list[str]) -> list[np.ndarray]:
    """The model's (frames, dims) features of each audio file, as transcription computes them."""
    rate = trained.features.sample_rate
    return [compute_mfcc(load_audio(path, rate), rate, trained.features) for path in paths]


def valid_logits(computer: LogitComputer, features: list[np.ndarray]) -> list[np.ndarray]:
    """Each input's (steps, vocab) logits without padding, in batches of TFLITE_BATCH_SIZE."""
    out = []
    for start in range(0, len(features), TFLITE_BATCH_SIZE):
        logits, lengths = computer(features[start : start + TFLITE_BATCH_SIZE])
        out += [row[: int(length)] for row, length in zip(logits, lengths)]
    return out


def settings_of(model_dir: Path) -> dict:
    """The model.json of a model directory."""
    return json.loads((model_dir / "model.json").read_text())
