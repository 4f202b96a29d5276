"""A WAV header that lies about its length: the header is believed (fewer samples) or the
samples present are read (more), always with a warning naming the file and both counts;
data lint lists such files; legitimate chunks after the samples are no lie."""

from __future__ import annotations

import json
import logging
import struct

import numpy as np
import pytest
import soundfile

from speech_lstm.audio import AudioError, audio_duration, load_audio, wav_length_mismatch
from speech_lstm.data.lint import LintConfig, lint_manifest
from speech_lstm.inference.chunking import ChunkingConfig, stream_file_chunks
from tests.conftest import write_tone

RATE = 16000


def with_data_size(path, samples: int):
    """Rewrites the data chunk's size field of a 16-bit mono WAV to claim `samples`."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, data.find(b"data") + 4, 2 * samples)
    path.write_bytes(bytes(data))
    return path


def test_a_header_claiming_fewer_samples_is_believed_with_a_warning(tmp_path, caplog):
    lying = with_data_size(write_tone(tmp_path / "fewer.wav", seconds=1.0), 1000)
    with caplog.at_level(logging.WARNING, logger="speech_lstm.audio"):
        assert load_audio(lying, RATE).shape == (1000,)
        assert audio_duration(lying) == pytest.approx(1000 / RATE)
    assert caplog.records and all(str(lying) in r.getMessage() for r in caplog.records)
    assert "claims 1000 samples but 30000 more bytes (about 15000 samples)" in caplog.text


def test_a_header_claiming_more_samples_gives_those_there_with_a_warning(tmp_path, caplog):
    lying = with_data_size(write_tone(tmp_path / "more.wav", seconds=1.0), 500_000_000)
    with caplog.at_level(logging.WARNING, logger="speech_lstm.audio"):
        assert load_audio(lying, RATE).shape == (RATE,)
    assert "claims 500000000 samples but the file holds only 16000" in caplog.text


def test_a_header_claiming_no_samples_is_refused_naming_the_lie(tmp_path):
    lying = with_data_size(write_tone(tmp_path / "never_updated.wav", seconds=0.5), 0)
    with pytest.raises(AudioError, match="no samples.*claims 0 samples but 16000 more bytes"):
        load_audio(lying, RATE)


def test_chunks_after_the_samples_are_not_a_lie(tmp_path, caplog):
    path = tmp_path / "tagged.wav"
    soundfile.write(path, np.zeros(1001, dtype=np.int16), RATE, subtype="PCM_16")
    odd_chunk = b"LIST" + struct.pack("<I", 5) + b"INFOx" + b"\0"  # padded to even
    path.write_bytes(path.read_bytes() + odd_chunk)
    assert wav_length_mismatch(path) is None
    with caplog.at_level(logging.WARNING, logger="speech_lstm.audio"):
        assert load_audio(path, RATE).shape == (1001,)
    assert not caplog.records
    path.write_bytes(path.read_bytes() + b"\x01\x02garbage")  # not a chunk: a lie
    assert "1001 samples but" in wav_length_mismatch(path)
    assert wav_length_mismatch(write_tone(tmp_path / "clean.wav", 0.2)) is None
    flac = tmp_path / "a.flac"
    soundfile.write(flac, np.zeros(100), RATE)
    assert wav_length_mismatch(flac) is None  # not a WAV: not checked


def test_lint_lists_a_lying_header_as_a_warning(tmp_path):
    fine = write_tone(tmp_path / "fine.wav", seconds=0.5)
    lying = with_data_size(write_tone(tmp_path / "lying.wav", seconds=0.5), 4000)
    manifest = tmp_path / "m.jsonl"
    rows = [{"audio_filepath": str(p), "duration": 0.5, "text": "a b"} for p in (fine, lying)]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    check = lint_manifest(LintConfig(manifest=str(manifest))).checks["WAV header length mismatch"]
    assert check.severity == "warning" and check.count == 1
    assert "lying.wav" in str(check.examples)


def test_a_file_streamed_in_chunks_warns_too(tmp_path, caplog):
    lying = with_data_size(write_tone(tmp_path / "streamed.wav", seconds=1.0), 1000)
    with caplog.at_level(logging.WARNING, logger="speech_lstm.inference.chunking"):
        chunks = list(stream_file_chunks(lying, RATE, ChunkingConfig()))
    assert sum(len(chunk.waveform) for chunk in chunks) == 1000
    assert "claims 1000 samples" in caplog.text
