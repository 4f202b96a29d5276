import json

import numpy as np
import pytest
import soundfile

from speech_lstm.config import ModelConfig, TranscribeConfig
from speech_lstm.features import MfccConfig
from speech_lstm.model import build_acoustic_model
from speech_lstm.model_dir import TrainedModel, load_model_dir, save_model_dir
from speech_lstm.text import Vocabulary
from speech_lstm.transcription import Transcriber, resolve_inputs, run_transcription
from tests.conftest import write_tone


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A real (untrained) model directory: transcription mechanics do not need a good model."""
    features, config, vocabulary = MfccConfig(), ModelConfig(1, 8, 0.0, 3), Vocabulary()
    acoustic = build_acoustic_model(features.feature_dim, vocabulary.size, config)
    trained = TrainedModel(acoustic, vocabulary, features, config, {"note": "untrained"})
    return save_model_dir(tmp_path_factory.mktemp("model"), trained)


def test_model_dir_round_trip(model_dir):
    loaded = load_model_dir(model_dir)
    assert loaded.vocabulary == Vocabulary() and loaded.model_config.units == 8
    x = np.random.default_rng(0).normal(size=(2, 30, 39)).astype("float32")
    assert loaded.acoustic_model(x).shape == (2, 10, 29)


def test_not_a_model_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a model directory"):
        load_model_dir(tmp_path)


def test_resolve_inputs(tmp_path):
    a = write_tone(tmp_path / "in" / "a.wav")
    b = write_tone(tmp_path / "in" / "deep" / "b.wav")
    (tmp_path / "in" / "notes.txt").write_text("x")
    assert resolve_inputs(tmp_path / "in") == [str(a), str(b)]
    assert resolve_inputs(str(tmp_path / "in" / "**" / "*.wav")) == [str(a), str(b)]
    assert resolve_inputs(a) == [str(a)]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"audio_filepath": "in/a.wav", "duration": 1, "text": "x"}))
    assert resolve_inputs(manifest) == [str(a.resolve())]
    with pytest.raises(FileNotFoundError, match="No audio found"):
        resolve_inputs(tmp_path / "nothing*.wav")


def test_bad_files_yield_error_rows_and_the_batch_goes_on(model_dir, tmp_path):
    good = [write_tone(tmp_path / f"g{i}.wav", seconds=0.3 + 0.2 * i) for i in range(5)]
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF garbage")
    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros(0, dtype=np.float32), 16000)
    missing = tmp_path / "missing.wav"
    inputs = [good[0], corrupt, good[1], empty, good[2], missing, good[3], good[4]]
    results = Transcriber.load(model_dir).transcribe(inputs, batch_size=3)
    assert [r.audio_filepath for r in results] == [str(p) for p in inputs]
    failed = {r.audio_filepath for r in results if r.error}
    assert failed == {str(corrupt), str(empty), str(missing)}
    assert all(isinstance(r.text, str) and r.duration > 0 for r in results if not r.error)


def test_run_transcription_writes_jsonl_and_counts_failures(model_dir, tmp_path):
    write_tone(tmp_path / "in" / "a.wav")
    (tmp_path / "in" / "b.wav").write_bytes(b"broken")
    out = tmp_path / "out" / "t.jsonl"
    config = TranscribeConfig(str(model_dir), str(tmp_path / "in"), str(out))
    assert run_transcription(config) == {"done": 1, "failed": 1}
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows[0].keys() == {"audio_filepath", "text", "duration"}
    assert "error" in rows[1] and rows[1]["text"] is None


def test_waveform_inputs(model_dir):
    wave = np.sin(np.linspace(0, 2000, 16000)).astype("float32")
    (result,) = Transcriber.load(model_dir).transcribe([wave])
    assert result.error is None and result.duration == 1.0
