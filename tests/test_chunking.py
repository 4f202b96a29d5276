import numpy as np
import pytest
import soundfile

from speech_lstm.inference.chunking import (
    ChunkingConfig,
    cut_chunks,
    quietest_cut,
    split_waveform,
    stream_file_chunks,
)
from speech_lstm.transcription import Transcriber
from tests.transcription_fixtures import RATE, bursts, loudness_model


def test_quietest_cut_finds_the_silence():
    wave = np.ones(RATE, dtype=np.float32)
    wave[6000:6400] = 0.0
    assert 6000 <= quietest_cut(wave, 4000, 9000, RATE) < 6400


def test_chunks_cover_every_sample_once_and_respect_the_limit():
    wave, _ = bursts(count=6)
    config = ChunkingConfig(max_seconds=1.5, search_seconds=0.9)
    blocks = np.array_split(wave, 7)  # arbitrary block boundaries
    chunks = list(cut_chunks(blocks, RATE, config))
    assert len(chunks) > 3
    assert np.array_equal(np.concatenate([c.waveform for c in chunks]), wave)
    assert all(len(c.waveform) <= 1.5 * RATE for c in chunks)
    offsets = [c.offset for c in chunks]
    sizes = np.cumsum([0] + [len(c.waveform) / RATE for c in chunks[:-1]])
    assert offsets == pytest.approx(sizes)
    # Cuts land in the near-silence between bursts, never inside one.
    _, spans = bursts(count=6)
    for offset in offsets[1:]:
        assert not any(start < offset < end for start, end in spans)


def test_short_input_is_not_split():
    wave, _ = bursts(count=1)
    assert len(split_waveform(wave, RATE, ChunkingConfig(max_seconds=20))) == 1
    assert len(split_waveform(wave, RATE, ChunkingConfig(max_seconds=0))) == 1


def test_streamed_file_chunks_resample_without_seams(tmp_path):
    wave, _ = bursts(count=4, rate=8000)
    path = tmp_path / "long.flac"
    soundfile.write(path, np.stack([wave, wave], axis=1), 8000)
    config = ChunkingConfig(max_seconds=1.5, search_seconds=0.9, block_seconds=0.7)
    chunks = list(stream_file_chunks(path, RATE, config))
    total = sum(len(c.waveform) for c in chunks)
    assert abs(total - 2 * len(wave)) <= 2
    assert all(len(c.waveform) <= 1.5 * RATE for c in chunks)


def test_bad_chunking_settings():
    with pytest.raises(ValueError, match="search_seconds"):
        ChunkingConfig(max_seconds=5, search_seconds=5)


@pytest.mark.parametrize("max_seconds", [1.2, 1.5])
def test_chunked_long_audio_matches_unchunked(tmp_path, max_seconds):
    path = tmp_path / "long.wav"
    wave, spans = bursts(count=5)
    soundfile.write(path, wave, RATE)
    whole = Transcriber(loudness_model(), chunking=ChunkingConfig(0), timestamps=True)
    chunked = Transcriber(
        loudness_model(), chunking=ChunkingConfig(max_seconds, 0.6), timestamps=True
    )
    (expected,) = whole.transcribe([path])
    (from_file,) = chunked.transcribe([path])
    (from_array,) = chunked.transcribe([wave])
    assert expected.text == "a a a a a"
    assert from_file.text == from_array.text == expected.text
    assert from_file.duration == pytest.approx(expected.duration, abs=1e-3)
    for word, reference in zip(from_file.words, expected.words):
        assert word.start == pytest.approx(reference.start, abs=0.04)
        assert word.end == pytest.approx(reference.end, abs=0.04)
