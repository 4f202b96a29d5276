"""Manifest segments (NeMo's `offset` and `duration`): only that part of a file is read, in
training's feature store, transcription and evaluation; a bad segment fails its row alone."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile

from speech_lstm.audio import AudioError, AudioSpan, load_audio, load_span
from speech_lstm.data.augment.variants import ORIGINAL
from speech_lstm.data.feature_store import _features_or_error, store_key
from speech_lstm.data.manifest import Utterance, read_manifest, write_manifest
from speech_lstm.features import MfccConfig, compute_mfcc
from speech_lstm.inference.chunking import ChunkingConfig, stream_file_chunks

RATE = 16000


@pytest.fixture
def ramp_wav(tmp_path):
    """Three seconds whose sample k is k / 2**16, so a read shows exactly which samples."""
    path = tmp_path / "ramp.wav"
    soundfile.write(path, (np.arange(3 * RATE) / 2**16).astype(np.float32), RATE, "FLOAT")
    return path


def test_a_segment_reads_only_its_samples(ramp_wav):
    part = load_audio(ramp_wav, RATE, offset=1.25, duration=0.5)
    assert len(part) == 8000
    assert part[0] * 2**16 == pytest.approx(20000) and part[-1] * 2**16 == pytest.approx(27999)
    tail = load_span(AudioSpan(str(ramp_wav), 2.5), RATE)  # no duration: to the end
    assert len(tail) == 8000 and tail[0] * 2**16 == pytest.approx(40000)
    assert len(load_audio(ramp_wav, RATE, offset=2.5, duration=0.53)) == 8000  # rounding slack


@pytest.mark.parametrize(
    ("offset", "duration", "message"),
    [
        (5.0, 1.0, "starts after the end"),
        (3.0, None, "starts after the end"),
        (-0.5, 1.0, "offset must be a number >= 0"),
        (float("nan"), 1.0, "offset must be a number >= 0"),
        (1.0, 0.0, "duration must be a number > 0"),
        (2.5, 1.0, "ends after the end"),
    ],
)
def test_a_bad_segment_is_a_clear_audio_error(ramp_wav, offset, duration, message):
    with pytest.raises(AudioError, match=message):
        load_audio(ramp_wav, RATE, offset=offset, duration=duration)


def test_a_long_segment_streams_in_chunks_timed_from_the_file_start(ramp_wav):
    config = ChunkingConfig(max_seconds=0.6, search_seconds=0.1, block_seconds=0.25)
    chunks = list(stream_file_chunks(AudioSpan(str(ramp_wav), 1.0, 1.5), RATE, config))
    assert len(chunks) == 3 and chunks[0].offset == pytest.approx(1.0)
    joined = np.concatenate([c.waveform for c in chunks])
    assert len(joined) == 24000 and joined[0] * 2**16 == pytest.approx(16000)
    assert chunks[1].offset == pytest.approx(1.0 + len(chunks[0].waveform) / RATE)
    with pytest.raises(AudioError, match="starts after the end"):
        list(stream_file_chunks(AudioSpan(str(ramp_wav), 9.0, 1.0), RATE, config))


def test_manifest_rows_with_offsets_are_segments(tmp_path, ramp_wav):
    manifest = tmp_path / "m.jsonl"
    rows = [
        {"audio_filepath": "ramp.wav", "duration": 1.0, "offset": 0.5, "text": "a"},
        {"audio_filepath": "ramp.wav", "duration": 1.0, "offset": 1.5, "text": "b"},
        {"audio_filepath": "ramp.wav", "duration": 3.0, "text": "whole"},
    ]
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows))
    first, second, whole = read_manifest(manifest)
    assert first.source == AudioSpan(str(ramp_wav), 0.5, 1.0) and whole.source == str(ramp_wav)
    assert first.label != second.label and whole.label == str(ramp_wav)
    write_manifest(tmp_path / "copy.jsonl", [first, whole])
    assert read_manifest(tmp_path / "copy.jsonl") == [first, whole]
    assert "offset" not in json.loads(whole.to_json())
    manifest.write_text(json.dumps({**rows[0], "offset": "soon"}) + "\n")
    with pytest.raises(ValueError, match="m.jsonl:1: offset must be a number"):
        read_manifest(manifest)


def test_the_feature_store_keys_and_reads_each_segment(ramp_wav):
    # The store's per-entry reader (what its worker processes run), called here directly:
    # a store build spawns processes, tens of seconds on the shared CI machine.
    config = MfccConfig()
    whole = Utterance(str(ramp_wav), 3.0, "x")
    first = Utterance(str(ramp_wav), 1.0, "x", offset=0.0)
    second = Utterance(str(ramp_wav), 1.0, "x", offset=1.0)
    bad = Utterance(str(ramp_wav), 1.0, "x", offset=7.0)
    assert len({store_key([u], config, ORIGINAL) for u in (whole, first, second)}) == 3
    expected = compute_mfcc(load_audio(ramp_wav, RATE, 1.0, 1.0), RATE, config)
    features = _features_or_error(second.source, config, ORIGINAL[0])
    np.testing.assert_allclose(features, expected, rtol=1e-5, atol=1e-5)
    assert len(_features_or_error(first.source, config, ORIGINAL[0])) == len(expected)
    assert "starts after the end" in _features_or_error(bad.source, config, ORIGINAL[0])
