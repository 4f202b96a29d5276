"""The Python API takes one input as readily as many: a bare path is one file, never a
sequence of one-character paths."""

from __future__ import annotations

import pytest
import soundfile

from speech_lstm.transcription import Transcriber
from tests.transcription_fixtures import loudness_model, write_bursts


@pytest.fixture(scope="module")
def transcriber():
    return Transcriber(loudness_model(), num_workers=1)


def test_one_path_or_waveform_gives_one_result(transcriber, tmp_path):
    path = write_bursts(tmp_path / "three.wav", count=3)
    waveform, _ = soundfile.read(path, dtype="float32")
    for single in (str(path), path, waveform):
        result = transcriber.transcribe(single)
        assert result.text == "a a a" and result.error is None
    [listed] = transcriber.transcribe([str(path)])
    assert listed.text == "a a a"


def test_a_bare_path_to_the_batch_api_is_refused_with_the_fix(transcriber, tmp_path):
    path = write_bursts(tmp_path / "one.wav", count=1)
    with pytest.raises(TypeError, match="wrap it in a list"):
        next(transcriber.transcribe_batches(str(path)))


def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    """The README's Python example, run as written against a real model directory (the
    known-answer stub) and files in the folder it names."""
    import re

    from tests.conftest import ROOT
    from tests.transcription_fixtures import save

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```python\n(.*?)```", readme, re.S)
    monkeypatch.chdir(tmp_path)
    save(loudness_model(), tmp_path / "outputs" / "demo" / "train" / "model")
    write_bursts(tmp_path / "recording.wav", count=2)
    write_bursts(tmp_path / "a.wav", count=1)
    soundfile.write(tmp_path / "b.flac", soundfile.read(tmp_path / "a.wav")[0], 16000)
    (tmp_path / "broken.wav").write_bytes(b"not audio")
    printed = []
    monkeypatch.setattr("builtins.print", lambda *args: printed.append(" ".join(map(str, args))))
    exec(compile(example, "README.md", "exec"), {})
    assert printed[0] == "a a"
    assert printed[1:3] == ["a.wav a", "b.flac a"]
    assert printed[3].startswith("broken.wav error: ")
