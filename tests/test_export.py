"""Exports of a trained model compute the Keras model's logits and transcripts.

The model is the session's briefly trained BiLSTM (`trained_bilstm`, tests/trained_model.py),
exported by scripts/export.py as a user would and run on the 32 utterances it was trained on,
through `speech_lstm.inference`'s forward functions and through `Transcriber.load(backend=...)`.

Tolerances, from the largest |logit - Keras logit| measured over the valid steps of those
utterances (the trained logits span about -12 to +13):
- saved_model: 0 measured (the same TensorFlow kernels); 1e-5 allowed.
- tflite (float32): 4e-6 measured (TFLite's own LSTM arithmetic, float32 rounding); 1e-4.
- tflite_int8: 0.07 measured (int8 weights, float activations); 0.2 allowed, about 3x, for
  the run-to-run spread of the trained weights. A greedy decision moves only where two
  logits are closer than that: the transcripts are compared too, at the issue's bar (WER
  within half a point of Keras's; with 46 reference words, any word changed fails it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from speech_lstm.audio import load_audio
from speech_lstm.decoding import DecoderConfig
from speech_lstm.decoding.alignment import log_softmax
from speech_lstm.decoding.decoder import Decoder
from speech_lstm.evaluation import score
from speech_lstm.features import compute_mfcc
from speech_lstm.inference.backends import (
    LiteRtInterpreter,
    TfliteForward,
    WaveformExport,
    saved_model_forward,
)
from speech_lstm.inference.config import export_paths
from speech_lstm.inference.logits import LogitComputer
from speech_lstm.inference.model_dir import TrainedModel, load_model_dir
from speech_lstm.transcription import Transcriber
from tests.conftest import run_script
from tests.trained_model import TrainedBilstm
from tests.transcription_fixtures import loudness_model, save, untrained_model

EXPORTED = ("saved_model", "tflite", "tflite_int8")
WAVEFORM_EXPORTS = ("waveform_saved_model", "waveform_tflite")
LOGIT_TOLERANCE = {"saved_model": 1e-5, "tflite": 1e-4, "tflite_int8": 0.2}
# The waveform exports' features differ from librosa's by rounding (3.5e-5 measured on these
# utterances; 1e-3 allowed), which the model carries into its logits (1.5e-5 measured; 1e-3).
WAVEFORM_LOGIT_TOLERANCE = 1e-3
WAVEFORM_FILES = 12  # of the 32 utterances, which keeps the test to seconds
TFLITE_BATCH_SIZE = 3  # batches of 4 are split into 3 + 1, the 1 padded with masked rows
BATCH_SIZE = 4


@pytest.fixture(scope="module")
def exported(trained_bilstm: TrainedBilstm, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the trained model directory, exported by scripts/export.py into its export/."""
    model_dir = tmp_path_factory.mktemp("exported") / "model"
    shutil.copytree(trained_bilstm.model_dir, model_dir)
    done = run_script(
        "export.py",
        f"model_dir={model_dir}",
        f"tflite_batch_size={TFLITE_BATCH_SIZE}",
        f"hydra.run.dir={model_dir.parent / 'hydra'}",
    )
    assert done.returncode == 0, done.stderr
    return model_dir


def features_of(trained: TrainedModel, paths: list[str]) -> list[np.ndarray]:
    """The model's (frames, dims) features of each audio file, as transcription computes them."""
    rate = trained.features.sample_rate
    return [compute_mfcc(load_audio(path, rate), rate, trained.features) for path in paths]


def valid_logits(computer: LogitComputer, features: list[np.ndarray]) -> list[np.ndarray]:
    """Each input's (steps, vocab) logits without padding, in input order, run in batches of
    `BATCH_SIZE` inputs of similar length as the transcriber runs them."""
    out: list[np.ndarray] = [np.empty(0)] * len(features)
    for positions, logits, lengths in computer.in_length_order(features, BATCH_SIZE):
        for row, (position, length) in enumerate(zip(positions, lengths)):
            out[position] = logits[row, : int(length)]
    return out


def transcripts(transcriber: Transcriber, paths: list[str]) -> list[str]:
    """Greedy transcripts of `paths`, none failing."""
    results = transcriber.transcribe(paths, batch_size=BATCH_SIZE)
    assert all(r.error is None for r in results), [r.error for r in results]
    return [r.text for r in results]


@pytest.mark.slow
def test_the_trained_model_is_confident_and_transcribes(trained_bilstm: TrainedBilstm):
    trained = load_model_dir(trained_bilstm.model_dir, with_lm=False)
    untrained = untrained_model()
    features = features_of(trained, trained_bilstm.audio_paths)
    cer, peaky = {}, {}
    for name, model in (("trained", trained), ("untrained", untrained)):
        computer = LogitComputer(model.acoustic_model, model.model_config.subsampling)
        steps = np.concatenate(valid_logits(computer, features))
        peaky[name] = float(np.mean(np.exp(log_softmax(steps)).max(axis=-1) > 0.9))
        texts = transcripts(Transcriber(model), trained_bilstm.audio_paths)
        cer[name] = score(trained_bilstm.texts, texts).cer
    # Measured: CER 0.5% against 239% (random characters), and 81% of the trained model's
    # steps are over 0.9 sure of one character (mostly blank) against none of the untrained's.
    assert cer["trained"] < 0.1 < 0.9 < cer["untrained"], cer
    assert peaky["trained"] > 0.6 and peaky["untrained"] < 0.05, peaky


@pytest.mark.slow
def test_export_script_writes_every_backend(exported: Path):
    paths = export_paths(exported)
    assert all(paths[name].exists() for name in (*EXPORTED, *WAVEFORM_EXPORTS))
    # Dynamic-range quantisation stores the weights as int8: 68 KB against 182 KB measured.
    assert paths["tflite_int8"].stat().st_size < 0.5 * paths["tflite"].stat().st_size


@pytest.mark.slow
def test_exports_compute_the_keras_logits(exported: Path, trained_bilstm: TrainedBilstm):
    trained = load_model_dir(exported, with_lm=False)
    subsampling = trained.model_config.subsampling
    features = features_of(trained, trained_bilstm.audio_paths)
    expected = valid_logits(LogitComputer(trained.acoustic_model, subsampling), features)
    paths = export_paths(exported)
    for name in EXPORTED:
        forward = (
            saved_model_forward(paths[name])
            if name == "saved_model"
            else TfliteForward(paths[name])
        )
        logits = valid_logits(LogitComputer(None, subsampling, forward=forward), features)
        for position, (got, want) in enumerate(zip(logits, expected)):
            np.testing.assert_allclose(
                got, want, rtol=0, atol=LOGIT_TOLERANCE[name], err_msg=f"{name}, input {position}"
            )


@pytest.mark.slow
def test_backends_transcribe_as_keras_does(exported: Path, trained_bilstm: TrainedBilstm):
    paths, references = trained_bilstm.audio_paths, trained_bilstm.texts
    texts = {
        backend: transcripts(Transcriber.load(exported, backend=backend), paths)
        for backend in ("keras", *EXPORTED)
    }
    wers = {backend: score(references, hypotheses).wer for backend, hypotheses in texts.items()}
    assert wers["keras"] < 0.1, wers  # measured 2.2%: one word wrong in 46
    assert texts["saved_model"] == texts["keras"]
    assert texts["tflite"] == texts["keras"]
    assert abs(wers["tflite_int8"] - wers["keras"]) <= 0.005, wers


@pytest.mark.slow
def test_waveform_exports_transcribe_as_the_python_path(
    exported: Path, trained_bilstm: TrainedBilstm
):
    """The waveform exports compute the Python path's features, logits and greedy transcripts
    (librosa features, Keras model, `Transcriber`), on LiteRT and on tf.lite.Interpreter."""
    audio_paths = trained_bilstm.audio_paths[:WAVEFORM_FILES]
    trained = load_model_dir(exported, with_lm=False)
    features = features_of(trained, audio_paths)
    subsampling = trained.model_config.subsampling
    expected = valid_logits(LogitComputer(trained.acoustic_model, subsampling), features)
    python_texts = transcripts(Transcriber(trained), audio_paths)
    rate = trained.features.sample_rate
    waveforms = [load_audio(path, rate) for path in audio_paths]
    decoder = Decoder(DecoderConfig("greedy"), trained.vocabulary)
    paths = export_paths(exported)
    saved_model = WaveformExport(paths["waveform_saved_model"])
    for position, (waveform, want) in enumerate(zip(waveforms, features)):
        got = saved_model.features(waveform)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-3, err_msg=f"input {position}")
    for name in WAVEFORM_EXPORTS:
        export = WaveformExport(paths[name])
        logits = [export(waveform) for waveform in waveforms]
        for position, (got, want) in enumerate(zip(logits, expected)):
            np.testing.assert_allclose(
                got, want, rtol=0, atol=WAVEFORM_LOGIT_TOLERANCE, err_msg=f"{name}, {position}"
            )
        texts = [decoder(row[None], np.asarray([len(row)]))[0] for row in logits]
        assert texts == python_texts, name
    litert = WaveformExport(paths["waveform_tflite"])
    fallback = WaveformExport(paths["waveform_tflite"], litert=False)
    if LiteRtInterpreter is not None:
        assert isinstance(litert.interpreter, LiteRtInterpreter)
    assert not isinstance(fallback.interpreter, LiteRtInterpreter or ())
    np.testing.assert_allclose(litert(waveforms[0]), fallback(waveforms[0]), rtol=0, atol=1e-5)


def test_missing_export_is_explained(tmp_path):
    directory = save(loudness_model(), tmp_path / "model")
    with pytest.raises(FileNotFoundError, match="scripts/export.py"):
        Transcriber.load(directory, backend="tflite")
    with pytest.raises(ValueError, match="backend must be one of"):
        Transcriber.load(directory, backend="onnx")
