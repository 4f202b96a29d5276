import numpy as np
import pytest

from speech_lstm.evaluation import score
from speech_lstm.inference.backends import TfliteForward, saved_model_forward
from speech_lstm.inference.config import ExportConfig
from speech_lstm.inference.export import export_model
from speech_lstm.inference.logits import LogitComputer
from speech_lstm.transcription import Transcriber
from tests.transcription_fixtures import bursts, loudness_model, save, untrained_model


@pytest.fixture(scope="module")
def bilstm_export(tmp_path_factory):
    """An untrained BiLSTM model directory and its exports (batch 3 in the TFLite graph)."""
    directory = save(untrained_model(), tmp_path_factory.mktemp("bilstm"))
    return directory, export_model(ExportConfig(str(directory), tflite_batch_size=3))


def test_exports_compute_the_keras_logits(bilstm_export):
    directory, paths = bilstm_export
    assert set(paths) == {"saved_model", "tflite", "tflite_int8"}
    trained = Transcriber.load(directory).trained
    keras_forward = LogitComputer(trained.acoustic_model, 3)
    rng = np.random.default_rng(0)
    # Five utterances of different lengths: split over two TFLite calls, padding masked.
    features = [rng.normal(size=(n, 39)).astype("float32") for n in (30, 61, 45, 9, 72)]
    expected, lengths = keras_forward(features)
    for name, tolerance in (("saved_model", 1e-5), ("tflite", 1e-4), ("tflite_int8", 0.1)):
        forward = (
            saved_model_forward(paths[name])
            if name == "saved_model"
            else TfliteForward(paths[name])
        )
        logits, _ = LogitComputer(None, 3, forward=forward)(features)
        for row, length in enumerate(lengths):
            np.testing.assert_allclose(
                logits[row, :length], expected[row, :length], atol=tolerance, err_msg=name
            )


def test_tflite_wer_is_within_half_a_point_of_keras(tmp_path):
    directory = save(loudness_model(), tmp_path / "model")
    export_model(ExportConfig(str(directory), saved_model=False, tflite_batch_size=4))
    inputs, references = [], []
    for count in range(1, 7):
        inputs.append(bursts(count=count, gap=0.5 + 0.1 * count)[0])
        references.append(" ".join(["a"] * count))
    wers = {}
    for backend in ("keras", "tflite", "tflite_int8"):
        results = Transcriber.load(directory, backend=backend).transcribe(inputs, batch_size=4)
        wers[backend] = score(references, [r.text for r in results]).wer
    assert wers["keras"] == 0.0
    assert abs(wers["tflite"] - wers["keras"]) <= 0.005
    assert abs(wers["tflite_int8"] - wers["keras"]) <= 0.005


def test_missing_export_is_explained(tmp_path):
    directory = save(loudness_model(), tmp_path / "model")
    with pytest.raises(FileNotFoundError, match="scripts/export.py"):
        Transcriber.load(directory, backend="tflite")
    with pytest.raises(ValueError, match="backend must be one of"):
        Transcriber.load(directory, backend="onnx")
