"""Exports a model directory: python scripts/export.py model_dir=DIR.

Writes DIR/export/saved_model (SavedModel), model_float32.tflite and model_int8.tflite
(dynamic-range quantised), which transcribe.py runs with backend=saved_model|tflite|tflite_int8,
and waveform_saved_model, waveform_float32.tflite: waveform in, features computed in the graph.
"""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="export")
def main(cfg) -> None:
    from speech_lstm.inference.export import export_model

    for name, path in export_model(to_object(cfg)).items():
        print(f"{name}: {path}")


if __name__ == "__main__":
    main()
