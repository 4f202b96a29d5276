"""Hostile model directories (another version, a missing or corrupt file, a Lambda layer)
are refused with the reason and without running code; a folder of hostile audio transcribes
with one row per input and an error row where the audio is unusable."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import pytest
import soundfile

from speech_lstm.inference.model_dir import WEIGHTS_FILE, TrainedModel, load_model_dir
from speech_lstm.transcription import Transcriber, resolve_inputs, run_transcription
from speech_lstm.transcription.config import TranscribeConfig
from tests.conftest import write_tone
from tests.transcription_fixtures import loudness_model, save, untrained_model

RATE = 16000


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    return save(untrained_model(), tmp_path_factory.mktemp("model") / "model")


def _copy(model_dir, target):
    target.mkdir()
    for item in model_dir.iterdir():
        (target / item.name).write_bytes(item.read_bytes())
    return target


@pytest.mark.parametrize(
    ("name", "spoil", "message"),
    [
        ("features.json", lambda p: _add_key(p, "added_in_v9", 1), "added_in_v9"),
        ("model.json", lambda p: _add_key(p, "layers_v2", [1]), "layers_v2"),
        ("vocabulary.json", lambda p: _add_key(p, "blank_index", 5), "blank_index"),
        ("features.json", lambda p: p.write_text("{trunc"), "JSONDecodeError"),
        (WEIGHTS_FILE, lambda p: p.write_bytes(p.read_bytes()[:500]), WEIGHTS_FILE),
        (WEIGHTS_FILE, lambda p: p.unlink(), "missing"),
    ],
)
def test_a_spoilt_model_directory_is_refused_naming_the_file(
    saved_model, tmp_path, name, spoil, message
):
    model_dir = _copy(saved_model, tmp_path / "model")
    spoil(model_dir / name)
    with pytest.raises((ValueError, FileNotFoundError)) as caught:
        load_model_dir(model_dir)
    assert name in str(caught.value) and message in str(caught.value)


def _add_key(path, key, value):
    payload = json.loads(path.read_text())
    payload[key] = value
    path.write_text(json.dumps(payload))


def test_a_lambda_layer_is_refused_without_running_its_code(tmp_path):
    marker = tmp_path / "ran"
    leave_a_mark = eval(f"lambda x: (open({str(marker)!r}, 'w').close(), x)[1]")  # noqa: S307
    base = untrained_model()
    inputs = keras.Input(shape=(None, base.features.feature_dim))
    outputs = base.acoustic_model(keras.layers.Lambda(leave_a_mark)(inputs))
    hostile = TrainedModel(
        keras.Model(inputs, outputs), base.vocabulary, base.features, base.model_config, {}
    )
    model_dir = save(hostile, tmp_path / "model")
    assert marker.exists()  # building the model ran it once: the code does run when called
    marker.unlink()
    with pytest.raises(ValueError, match=r"Refused to load .*model\.keras.*Lambda"):
        load_model_dir(model_dir)
    assert not marker.exists()


def test_a_folder_of_hostile_audio_gets_one_row_each(tmp_path):
    folder = tmp_path / "in"
    nan = np.full(RATE, 0.1, dtype=np.float32)
    nan[10] = np.nan
    folder.mkdir()
    soundfile.write(folder / "nan.wav", nan, RATE, subtype="FLOAT")
    write_tone(folder / "short.wav", seconds=0.01)
    soundfile.write(folder / "wide.wav", 0.1 * np.ones((96_000, 32), np.float32), 96_000)
    write_tone(folder / "long.wav", seconds=45.0)  # chunked: longer than max_seconds
    (folder / "sub").mkdir()
    os.symlink(folder, folder / "sub" / "loop")
    model_dir = save(loudness_model(), tmp_path / "model")
    paths = resolve_inputs(folder)
    results = Transcriber.load(model_dir).transcribe(paths, batch_size=2)
    by_name = {os.path.basename(r.audio_filepath): r for r in results}
    assert sorted(by_name) == ["long.wav", "nan.wav", "short.wav", "wide.wav"]
    assert "NaN or infinite" in by_name["nan.wav"].error
    assert all(r.error is None for n, r in by_name.items() if n != "nan.wav")
    assert by_name["long.wav"].duration == pytest.approx(45.0, abs=0.01)
    out = tmp_path / "out.jsonl"
    summary = run_transcription(TranscribeConfig(str(model_dir), str(folder), str(out)))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 4 and summary["failed"] == 1


def test_a_non_utf8_file_name_gets_its_row(tmp_path):
    folder = tmp_path / "in"
    write_tone(folder / "plain.wav", seconds=0.5)
    soundfile.write(os.fsencode(folder) + b"/caf\xe9.wav", np.zeros(8000, np.float32), RATE)
    out = tmp_path / "out.jsonl"
    model_dir = save(loudness_model(), tmp_path / "model")
    run_transcription(TranscribeConfig(str(model_dir), str(folder), str(out)))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row.get("error") for row in rows] == [None, None]
    # The JSON escape of the odd byte reads back as the file's own name.
    names = {os.path.basename(os.fsencode(row["audio_filepath"])) for row in rows}
    assert names == {b"plain.wav", b"caf\xe9.wav"}
