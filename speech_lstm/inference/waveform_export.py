"""Exports that take a waveform: the MFCC front end (`features_graph.MfccGraph`) and the
acoustic model in one graph, so that a server or phone runs the model without librosa.

- `waveform_saved_model/`: a SavedModel with `serve` (waveform -> logits) and `features`
  (waveform -> the model's features, for checking a deployment against `compute_mfcc`);
- `waveform_float32.tflite`: `serve` for TFLite / LiteRT.

Input: one recording, a (samples,) float32 mono waveform in [-1, 1] at the model's sample rate
(16 kHz for the shipped configs), at least one sample. Output: (steps, vocab) logits, steps =
ceil(frames / subsampling), frames = 1 + samples // hop; blank is index 0, the characters are
the model directory's `vocabulary.json`, and greedy decoding takes the argmax per step,
merges repeats and drops blanks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from speech_lstm.atomic import atomic_directory
from speech_lstm.inference.features_graph import MfccGraph
from speech_lstm.inference.model_dir import TrainedModel
from speech_lstm.inference.tflite_graph import constant_graph_function

WAVEFORM_SIGNATURE = [tf.TensorSpec((None,), tf.float32, name="waveform")]


def waveform_function(
    trained: TrainedModel, forward: Callable[[tf.Tensor], tf.Tensor]
) -> tf.types.experimental.GenericFunction:
    """A `tf.function` from a (samples,) waveform to (steps, vocab) logits, where `forward`
    maps (1, frames, dims) features (frames a multiple of the subsampling) to logits."""
    front_end = MfccGraph(trained.features)
    subsampling = trained.model_config.subsampling

    @tf.function(input_signature=WAVEFORM_SIGNATURE)
    def serve(waveform):
        features = front_end(waveform)
        extra = tf.math.floormod(-tf.shape(features)[0], subsampling)
        padded = tf.pad(features, [[0, extra], [0, 0]])  # zero frames, as pad_for_subsampling
        return forward(padded[None])[0]

    return serve


def write_waveform_saved_model(trained: TrainedModel, path: Path) -> None:
    """A SavedModel with `serve` (waveform -> logits) and `features` (waveform -> features)."""
    acoustic = trained.acoustic_model
    module = tf.Module()
    module.model = acoustic
    module.serve = waveform_function(trained, lambda x: acoustic(x, training=False))
    module.features = tf.function(MfccGraph(trained.features), input_signature=WAVEFORM_SIGNATURE)
    with atomic_directory(path) as partial:
        tf.saved_model.save(module, str(partial))


def convert_waveform_to_tflite(trained: TrainedModel) -> bytes:
    """TFLite flatbuffer of `serve`: the front end, then the acoustic model rebuilt from its
    weights as constants (`tflite_graph`, batch size 1)."""
    forward = constant_graph_function(trained.acoustic_model, batch_size=1)
    serve = waveform_function(trained, forward)
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [serve.get_concrete_function()], trained.acoustic_model
    )
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    return converter.convert()


def check_waveform(waveform: np.ndarray) -> np.ndarray:
    """`waveform` as the exports take it: float32, shape (samples,), samples >= 1."""
    waveform = np.asarray(waveform, dtype=np.float32)
    if waveform.ndim != 1 or waveform.size == 0:
        raise ValueError(
            "A waveform export takes one mono recording of shape (samples,), samples >= 1. "
            f"Received: shape {waveform.shape}"
        )
    return waveform
