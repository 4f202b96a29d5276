"""Tiny model variants trained in seconds through the real pipeline (feature store, tf.data
batches, CTC loss with the weight decay), saved as model directories, for the variant and
streaming tests. One training per variant and test module (module-scoped fixtures)."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from speech_lstm.audio import load_audio
from speech_lstm.data.dataset import LabelledSplit, label_split, make_dataset
from speech_lstm.data.feature_store import build_feature_store
from speech_lstm.features import MfccConfig, compute_mfcc
from speech_lstm.inference.backends import TfliteForward, WaveformExport, saved_model_forward
from speech_lstm.inference.config import ExportConfig, export_paths
from speech_lstm.inference.export import export_model
from speech_lstm.inference.logits import LogitComputer
from speech_lstm.inference.model_dir import TrainedModel, load_model_dir, save_model_dir
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import CtcTrainingModel, build_acoustic_model
from speech_lstm.text import Vocabulary
from speech_lstm.transcription import Transcriber
from tests.tiny_training import speak

SENTENCES = ["red fish", "a blue cat", "seven owls", "quiet jazz", "the big dog", "warm milk"]
STEPS = 40  # full-batch steps: enough for peaky logits and mostly right transcripts
# |logit - Keras logit| allowed for each export, as in tests/test_export.py except int8: its
# weight rounding moves the attention variant's logits by up to 0.28 (measured), 0.6 allowed.
LOGIT_TOLERANCE = {"saved_model": 1e-5, "tflite": 1e-4, "tflite_int8": 0.6}
WAVEFORM_LOGIT_TOLERANCE = 1e-3
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


def export_variant(model_dir: Path, waveform: bool) -> dict[str, Path]:
    """The exports of `model_dir` (SavedModel, TFLite float32 and int8, and with `waveform`
    the waveform ones), written into its export/ as scripts/export.py writes them."""
    config = ExportConfig(
        model_dir=str(model_dir), waveform=waveform, tflite_batch_size=TFLITE_BATCH_SIZE
    )
    return export_model(config)


def check_exports(model_dir: Path, paths: list[str]) -> None:
    """Each export of `model_dir` computes the Keras model's logits on `paths` within
    `LOGIT_TOLERANCE`, and the float32 TFLite back end transcribes as Keras does."""
    trained = load_model_dir(model_dir, with_lm=False)
    subsampling = trained.model_config.subsampling
    features = features_of(trained, paths)
    expected = valid_logits(LogitComputer(trained.acoustic_model, subsampling), features)
    exports = export_paths(model_dir)
    forwards = {
        "saved_model": saved_model_forward(exports["saved_model"]),
        "tflite": TfliteForward(exports["tflite"]),
        "tflite_int8": TfliteForward(exports["tflite_int8"]),
    }
    for name, forward in forwards.items():
        got = valid_logits(LogitComputer(None, subsampling, forward=forward), features)
        for position, (row, want) in enumerate(zip(got, expected)):
            np.testing.assert_allclose(
                row, want, rtol=0, atol=LOGIT_TOLERANCE[name], err_msg=f"{name}, input {position}"
            )
    if exports["waveform_tflite"].exists():
        waveform = WaveformExport(exports["waveform_tflite"])
        rate = trained.features.sample_rate
        for path, want in zip(paths, expected):
            got = waveform(load_audio(path, rate))
            np.testing.assert_allclose(
                got, want, rtol=0, atol=WAVEFORM_LOGIT_TOLERANCE, err_msg=path
            )
    keras_texts = [r.text for r in Transcriber(trained).transcribe(paths)]
    tflite = Transcriber.load(model_dir, backend="tflite")
    assert [r.text for r in tflite.transcribe(paths)] == keras_texts


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
