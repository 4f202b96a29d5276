"""`ExportConfig` (`conf/export.yaml`) and where exported back ends live; no TensorFlow here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BACKENDS = ("keras", "saved_model", "tflite", "tflite_int8")
EXPORT_DIR = "export"
SAVED_MODEL_DIR = "saved_model"
TFLITE_FILES = {"tflite": "model_float32.tflite", "tflite_int8": "model_int8.tflite"}
# The exports that take a waveform and compute the features in their graph.
WAVEFORM_FILES = {
    "waveform_saved_model": "waveform_saved_model",
    "waveform_tflite": "waveform_float32.tflite",
}


@dataclass
class ExportConfig:
    """`scripts/export.py`: which model directory, and where the exported models go.

    Attributes:
        model_dir: a model directory written by training.
        output_dir: where to write; null means `<model_dir>/export`.
        saved_model: write the SavedModel.
        tflite: write the float32 and int8 TFLite models.
        waveform: also write the exports that take a 16 kHz waveform and compute the features
            in their graph (as a SavedModel when `saved_model`, as float32 TFLite when
            `tflite`); skipped, with a warning, for models normalised per speaker.
        tflite_batch_size: rows per TFLite call (fixed in the TFLite graph; smaller batches
            are padded, larger ones split).
    """

    model_dir: str = "???"
    output_dir: str | None = None
    saved_model: bool = True
    tflite: bool = True
    waveform: bool = True
    tflite_batch_size: int = 8

    def __post_init__(self) -> None:
        if self.tflite_batch_size < 1:
            raise ValueError(f"tflite_batch_size must be >= 1. Received: {self.tflite_batch_size}")


def export_paths(model_dir: str | Path, output_dir: str | Path | None = None) -> dict[str, Path]:
    """Where each export lives: keys `saved_model`, `tflite`, `tflite_int8` (the back ends of
    transcription) and `waveform_saved_model`, `waveform_tflite`."""
    root = Path(output_dir) if output_dir else Path(model_dir) / EXPORT_DIR
    paths = {name: root / file for name, file in {**TFLITE_FILES, **WAVEFORM_FILES}.items()}
    return {"saved_model": root / SAVED_MODEL_DIR, **paths}
