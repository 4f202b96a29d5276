"""Models and audio for transcription tests: an untrained BiLSTM and a known-answer stub.

The stub is a real Keras model whose single dense layer reads the first MFCC (loudness, not
normalised) of each step: loud steps emit "a", quiet steps a space. Noise bursts separated by
near-silence therefore
transcribe to "a a a", with each "a" where its burst is: known answers for timestamps,
chunking and export without training anything.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import soundfile

from speech_lstm.features import MfccConfig
from speech_lstm.inference.model_dir import TrainedModel, save_model_dir
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import build_acoustic_model
from speech_lstm.text import Vocabulary

RATE = 16000


def untrained_model() -> TrainedModel:
    """A tiny real BiLSTM-CTC model with random weights."""
    features, config, vocabulary = MfccConfig(), ModelConfig(1, 8, 0.0, 3), Vocabulary()
    acoustic = build_acoustic_model(features.feature_dim, vocabulary.size, config)
    return TrainedModel(acoustic, vocabulary, features, config, {"note": "untrained"})


def loudness_model() -> TrainedModel:
    """The known-answer stub: "a" on loud steps, space on quiet ones, blank in between."""
    # The first MFCC is about -470 in the near-silence and -30 in a burst: threshold -250.
    return first_mfcc_stub(MfccConfig(normalize=False), "loudness", scale=0.05, offset=12.5)


def speaker_loudness_model() -> TrainedModel:
    """A known-answer stub normalised per speaker: "a" on steps louder than the speaker's
    mean loudness, space on quieter ones; whether a file of near-silence comes out empty
    ("" with its speaker's statistics) or full of "a"s (its own) shows which were used."""
    # The normalised first MFCC: 0 is the speaker's mean.
    features = MfccConfig(normalize_scope="speaker")
    return first_mfcc_stub(features, "speaker_loudness", scale=5.0, offset=0.0)


def first_mfcc_stub(features: MfccConfig, name: str, scale: float, offset: float) -> TrainedModel:
    """A real Keras model whose logits read only the first MFCC of each step: "a" gets
    `scale * c0 + offset`, space the negative, blank 0."""
    config, vocabulary = ModelConfig(1, 8, 0.0, 3), Vocabulary()
    width = features.feature_dim * config.subsampling
    inputs = keras.Input(shape=(None, features.feature_dim), name="features")
    stacked = keras.layers.Reshape((-1, width), name="stack_frames")(inputs)
    dense = keras.layers.Dense(vocabulary.size, name="logits")
    logits = dense(stacked)
    kernel = np.zeros((width, vocabulary.size), dtype=np.float32)
    bias = np.zeros(vocabulary.size, dtype=np.float32)
    a, space = vocabulary.encode("a")[0], vocabulary.encode(" ")[0]
    kernel[0, a], bias[a] = scale, offset
    kernel[0, space], bias[space] = -scale, -offset
    dense.set_weights([kernel, bias])
    model = keras.Model(inputs, logits, name=name)
    return TrainedModel(model, vocabulary, features, config, {"note": "known-answer stub"})


def write_near_silence(path: Path, seconds: float = 2.0, rate: int = RATE) -> Path:
    """Noise at the level of the gaps in `bursts`."""
    rng = np.random.default_rng(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    noise = 1e-4 * rng.standard_normal(int(seconds * rate))
    soundfile.write(path, noise.astype(np.float32), rate)
    return path


def save(trained: TrainedModel, directory: Path) -> Path:
    """Writes `trained` as a model directory."""
    return save_model_dir(directory, trained)


def bursts(
    count: int = 3, burst: float = 0.4, gap: float = 0.6, lead: float = 0.5, rate: int = RATE
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """`count` noise bursts between near-silences, and each burst's (start, end) in seconds."""
    rng = np.random.default_rng(0)
    pieces, spans, now = [np.zeros(int(lead * rate))], [], lead
    length = int(burst * rate)
    for _ in range(count):
        pieces.append(0.3 * rng.standard_normal(length))
        spans.append((now, now + burst))
        pieces.append(np.zeros(int(gap * rate)))
        now += burst + gap
    wave = np.concatenate(pieces) + 1e-4 * rng.standard_normal(sum(len(p) for p in pieces))
    return wave.astype(np.float32), spans


def write_bursts(path: Path, rate: int = RATE, channels: int = 1, **kwargs) -> Path:
    """Writes `bursts(**kwargs)` to `path` (format from the suffix)."""
    wave, _ = bursts(rate=rate, **kwargs)
    data = np.stack([wave] * channels, axis=1) if channels > 1 else wave
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, data, rate)
    return path
