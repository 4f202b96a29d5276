"""Exports a model directory's acoustic model as a SavedModel and as TFLite models.

Written into `<model_dir>/export/` by default, which is where `Transcriber.load` looks for
them with `backend=saved_model`, `tflite` or `tflite_int8`:

- `saved_model/`: a TensorFlow SavedModel whose `serve` endpoint maps padded features
  (batch, frames, dims) to logits, any batch size and length;
- `model_float32.tflite`: the same arithmetic for the TFLite interpreter, with a fixed
  batch size (`tflite_batch_size`) and any number of frames;
- `model_int8.tflite`: dynamic-range quantised (int8 weights, float activations);
- `waveform_saved_model/`, `waveform_float32.tflite`: one waveform in, logits out, the
  features computed inside the graph (`speech_lstm.inference.waveform_export`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import keras
import tensorflow as tf

from speech_lstm.atomic import atomic_directory, write_bytes
from speech_lstm.inference.config import ExportConfig, export_paths
from speech_lstm.inference.model_dir import load_model_dir
from speech_lstm.inference.tflite_graph import constant_graph_function
from speech_lstm.inference.waveform_export import (
    convert_waveform_to_tflite,
    write_waveform_saved_model,
)

log = logging.getLogger(__name__)


def export_model(config: ExportConfig) -> dict[str, Path]:
    """Writes the exported models and returns their paths (only those written)."""
    trained = load_model_dir(config.model_dir, with_lm=False)
    model = trained.acoustic_model
    paths = export_paths(config.model_dir, config.output_dir)
    paths["saved_model"].parent.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if config.saved_model:
        write_saved_model(model, paths["saved_model"])
        written["saved_model"] = paths["saved_model"]
    if config.tflite:
        for name, quantize in (("tflite", False), ("tflite_int8", True)):
            write_bytes(paths[name], convert_to_tflite(model, config.tflite_batch_size, quantize))
            written[name] = paths[name]
    if config.waveform and trained.features.normalizes_per_speaker:
        log.warning(
            "Not writing the waveform exports: the model's features are normalised per "
            "speaker, which a graph that sees one recording cannot do."
        )
    elif config.waveform:
        if config.saved_model:
            write_waveform_saved_model(trained, paths["waveform_saved_model"])
            written["waveform_saved_model"] = paths["waveform_saved_model"]
        if config.tflite:
            write_bytes(paths["waveform_tflite"], convert_waveform_to_tflite(trained))
            written["waveform_tflite"] = paths["waveform_tflite"]
    for name, path in written.items():
        log.info("Wrote %s: %s", name, path)
    return written


def write_saved_model(model: keras.Model, path: Path) -> None:
    """A SavedModel whose `serve` maps (batch, frames, dims) features to logits, any shape;
    written whole or not at all (a killed export leaves the previous one)."""
    module = tf.Module()
    module.model = model
    module.serve = _serving_function(model)
    with atomic_directory(path) as partial:
        tf.saved_model.save(module, str(partial))


def _serving_function(acoustic_model: keras.Model) -> tf.types.experimental.GenericFunction:
    """The model as one traced function over (None, None, dims) features."""
    feature_dim = acoustic_model.input_shape[-1]
    signature = [tf.TensorSpec((None, None, feature_dim), tf.float32, name="features")]

    @tf.function(input_signature=signature)
    def serve(features):
        return acoustic_model(features, training=False)

    return serve


def convert_to_tflite(model: keras.Model, batch_size: int, quantize: bool) -> bytes:
    """TFLite flatbuffer of the acoustic model for batches of exactly `batch_size` rows.

    TFLite cannot run Keras's recurrent loop (it reads resource variables inside a `while`),
    so the model is rebuilt from its weights as constants by
    `speech_lstm.inference.tflite_graph`, with a static batch size that TFLite's tensor lists
    need; the number of frames stays free.
    `quantize` applies dynamic-range quantisation (int8 weights, float activations).
    """
    function = constant_graph_function(model, batch_size)
    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [function.get_concrete_function()], model
    )
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    return converter.convert()
