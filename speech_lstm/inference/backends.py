"""The back ends that compute a model directory's logits: the Keras model (the default), an
exported SavedModel, and a TFLite model (float32 or int8); the same logits from each. And
`WaveformExport`, which runs a waveform export (features computed in its graph).

TFLite models run on LiteRT (`ai-edge-litert`, the `litert` extra) when it is installed, else
on TensorFlow's own `tf.lite.Interpreter`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from speech_lstm.inference.config import BACKENDS, export_paths
from speech_lstm.inference.logits import LogitComputer
from speech_lstm.inference.model_dir import TrainedModel, ensemble_differences, load_model_dir
from speech_lstm.inference.waveform_export import check_waveform

try:  # LiteRT, TFLite's runtime outside TensorFlow (the `litert` extra)
    from ai_edge_litert.interpreter import Interpreter as LiteRtInterpreter
except ImportError:
    LiteRtInterpreter = None


def backend_logits(trained: TrainedModel, model_dir: str | Path, backend: str) -> LogitComputer:
    """The logit computer for `backend`, reading exports from `<model_dir>/export/`."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}. Received: {backend!r}")
    subsampling = trained.model_config.subsampling
    if backend == "keras":
        return LogitComputer(trained.acoustic_model, subsampling)
    path = export_paths(model_dir)[backend]
    if not path.exists():
        raise FileNotFoundError(
            f"No {backend} export in {model_dir}: run scripts/export.py model_dir={model_dir}. "
            f"Received: missing {path}"
        )
    forward = saved_model_forward(path) if backend == "saved_model" else TfliteForward(path)
    return LogitComputer(None, subsampling, forward=forward)


def member_logits(primary: TrainedModel, member_dir: str | Path, backend: str) -> LogitComputer:
    """The logit computer of an ensemble member, once it is known to match `primary`."""
    member = load_model_dir(member_dir, with_lm=False)
    differences = ensemble_differences(member, primary)
    if differences:
        raise ValueError(
            f"Ensemble member {member_dir} cannot be averaged with model_dir: "
            + "; ".join(differences)
            + ". Only models trained with the same features, frame rate and characters"
            " can be averaged."
        )
    return backend_logits(member, member_dir, backend)


def saved_model_forward(path: str | Path) -> Callable[[np.ndarray], np.ndarray]:
    """Forward function of a SavedModel written by `speech_lstm.inference.export` (its
    `serve` endpoint)."""
    loaded = tf.saved_model.load(str(path))
    return lambda batch: loaded.serve(tf.constant(batch)).numpy()


class TfliteForward:
    """Forward function of a TFLite model written by `speech_lstm.inference.export`.

    The TFLite graph has a fixed batch size (its recurrent loop needs one) and a free number
    of frames: batches are split into, or padded with all-zero (masked) rows up to, that size.
    """

    def __init__(self, path: str | Path, num_threads: int = 2):
        if not Path(path).is_file():
            raise FileNotFoundError(
                f"TFLite model not found: {path}. Run scripts/export.py model_dir=DIR first."
            )
        self._interpreter = tflite_interpreter(path, num_threads)
        details = self._interpreter.get_input_details()[0]
        self._input = details["index"]
        self._rows = int(details["shape_signature"][0])
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._shape: tuple[int, ...] | None = None

    def __call__(self, batch: np.ndarray) -> np.ndarray:
        rows = self._rows if self._rows > 0 else len(batch)
        outputs = []
        for start in range(0, len(batch), rows):
            part = batch[start : start + rows]
            filled = np.zeros((rows, *part.shape[1:]), dtype=np.float32)
            filled[: len(part)] = part
            outputs.append(self._invoke(filled)[: len(part)])
        return np.concatenate(outputs)

    def _invoke(self, batch: np.ndarray) -> np.ndarray:
        if batch.shape != self._shape:
            self._interpreter.resize_tensor_input(self._input, batch.shape, strict=True)
            self._interpreter.allocate_tensors()
            self._shape = batch.shape
        self._interpreter.set_tensor(self._input, batch)
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output).copy()


def tflite_interpreter(path: str | Path, num_threads: int = 2, litert: bool = True):
    """An interpreter for the TFLite model at `path`: LiteRT's when it is installed and
    `litert`, else `tf.lite.Interpreter` (deprecated in favour of LiteRT; same interface)."""
    interpreter = LiteRtInterpreter if litert and LiteRtInterpreter else tf.lite.Interpreter
    return interpreter(model_path=str(path), num_threads=num_threads)


class WaveformExport:
    """Runs a waveform export of `speech_lstm.inference.export`: a `waveform_saved_model/`
    directory or a `.tflite` file, from a (samples,) float32 waveform at the model's sample
    rate to (steps, vocab) logits. `litert=False` runs TFLite on `tf.lite.Interpreter` even
    where LiteRT is installed."""

    def __init__(self, path: str | Path, num_threads: int = 2, litert: bool = True):
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(
                f"No waveform export at {path}: run scripts/export.py model_dir=DIR first."
            )
        self._saved_model = tf.saved_model.load(str(path)) if path.is_dir() else None
        self.interpreter = None if path.is_dir() else tflite_interpreter(path, num_threads, litert)

    def __call__(self, waveform: np.ndarray) -> np.ndarray:
        waveform = check_waveform(waveform)
        if self._saved_model is not None:
            return self._saved_model.serve(tf.constant(waveform)).numpy()
        interpreter = self.interpreter
        inputs = interpreter.get_input_details()[0]["index"]
        interpreter.resize_tensor_input(inputs, waveform.shape, strict=True)
        interpreter.allocate_tensors()
        interpreter.set_tensor(inputs, waveform)
        interpreter.invoke()
        return interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).copy()

    def features(self, waveform: np.ndarray) -> np.ndarray:
        """The (frames, dims) features the SavedModel computes (SavedModel exports only)."""
        if self._saved_model is None:
            raise ValueError("Only a waveform SavedModel exports its features. Received: TFLite")
        return self._saved_model.features(tf.constant(check_waveform(waveform))).numpy()
