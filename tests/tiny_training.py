"""A tiny BiLSTM-CTC trained in seconds through the real pipeline (feature store, tf.data
batches, CTC loss), for tests that need a model which has really learnt something."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from speech_lstm.data.dataset import LabelledSplit, label_split, make_dataset
from speech_lstm.data.feature_store import build_feature_store
from speech_lstm.data.manifest import Utterance
from speech_lstm.decoding import greedy_decode
from speech_lstm.features import MfccConfig
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import CtcTrainingModel, build_acoustic_model
from speech_lstm.synthetic.engines import SpeechRequest, synthesize
from speech_lstm.text import Vocabulary

SUBSAMPLING = 2


def speak(sentences: list[str], folder: Path, voice: str = "espeak-ng:en-us") -> list[Utterance]:
    """Each sentence spoken by espeak-ng into `folder`, as manifest rows."""
    utterances = []
    for index, text in enumerate(sentences):
        request = SpeechRequest(text, voice, 170, 50, folder / f"{index}.wav")
        utterances.append(Utterance(str(request.path), synthesize(request, 16000), text))
    return utterances


def labelled(utterances: list[Utterance], cache_dir: Path) -> LabelledSplit:
    """The utterances' features and labels, ready for `train_tiny`."""
    store = build_feature_store(utterances, MfccConfig(), cache_dir, num_workers=1)
    return label_split(utterances, store, Vocabulary(), SUBSAMPLING)


def train_tiny(
    split: LabelledSplit, steps: int, shuffle_labels: bool = False
) -> tuple[keras.Model, float]:
    """A fresh 1 x 48 BiLSTM trained for `steps` full-batch steps; (model, mean loss).

    With `shuffle_labels`, every step pairs the batch's features with its labels in a new
    random order, as a pipeline that batches features and labels apart would.
    """
    keras.utils.set_random_seed(0)
    config = ModelConfig(num_layers=1, units=48, dropout=0.0, subsampling=SUBSAMPLING)
    acoustic = build_acoustic_model(split.store.frames.shape[1], Vocabulary().size, config)
    model = CtcTrainingModel(acoustic, SUBSAMPLING)
    model.compile(optimizer=keras.optimizers.Adam(1e-2, clipnorm=5.0))
    batches = make_dataset(split, len(split), SUBSAMPLING, shuffle=True, num_buckets=1)
    if shuffle_labels:
        batches = batches.map(_shuffle_targets)
    history = model.fit(batches.repeat(), epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return acoustic, history.history["loss"][0]


def _shuffle_targets(inputs: dict, targets: dict) -> tuple[dict, dict]:
    order = tf.random.shuffle(tf.range(tf.shape(targets["labels"])[0]))
    return inputs, {name: tf.gather(value, order) for name, value in targets.items()}


def transcribe_features(acoustic: keras.Model, features: np.ndarray) -> str:
    """Greedy text of one utterance's (frames, dims) features."""
    padded = np.pad(features, ((0, -len(features) % SUBSAMPLING), (0, 0)))
    logits = keras.ops.convert_to_numpy(acoustic(padded[None], training=False))
    [ids] = greedy_decode(logits, np.asarray([logits.shape[1]]))
    return Vocabulary().decode(ids)
