"""Streaming: the causal front end computed piece by piece equals the offline features; a
unidirectional model with look-ahead, trained briefly, transcribes a stream cut into pieces
of random sizes to exactly its offline greedy transcription, with partial texts on the way;
it exports (its waveform export included) and serves the WebSocket `/v1/stream`."""

from __future__ import annotations

import numpy as np
import pytest
from starlette.testclient import TestClient

from speech_lstm.audio import load_audio
from speech_lstm.evaluation import score
from speech_lstm.features import MfccConfig, compute_mfcc
from speech_lstm.inference.model_dir import load_model_dir
from speech_lstm.inference.streaming import (
    StreamingFeatures,
    StreamingNetwork,
    StreamingTranscriber,
    check_streamable,
)
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import build_acoustic_model, pad_for_subsampling
from speech_lstm.service.app import create_app
from speech_lstm.service.config import ServeConfig
from speech_lstm.service.engine import TranscriptionEngine
from speech_lstm.transcription import Transcriber
from tests.conftest import require_espeak
from tests.transcription_fixtures import save, untrained_model
from tests.variant_training import check_exports, export_variant, spoken, train_variant

CAUSAL = MfccConfig(normalize_scope="running")
STREAMING_MODEL = ModelConfig(
    num_layers=1,
    units=32,
    dropout=0.0,
    subsampling=2,
    bidirectional=False,
    lookahead_frames=2,
    l2=1e-5,
)
# Measured after 40 steps: 21% CER on its training sentences (the BiLSTM variants: 0%).
TRAINED_CER = 0.5
RATE = 16000


def random_pieces(samples: np.ndarray, rng: np.random.Generator, largest: int) -> list:
    """`samples` cut at random places into pieces of 0 to `largest` samples."""
    cuts = []
    position = 0
    while position < len(samples):
        size = int(rng.integers(0, largest + 1))
        cuts.append(samples[position : position + size])
        position += size
    return cuts


@pytest.fixture(scope="module")
def spoken_rows(tmp_path_factory):
    require_espeak()
    return spoken(tmp_path_factory.mktemp("streaming_audio"))


@pytest.mark.parametrize("samples", [200, 1100, 2400, None], ids=["1", "7", "16", "whole"])
def test_features_piece_by_piece_equal_the_offline_features(spoken_rows, samples):
    """Any cut, and utterances shorter than the delta window (frames: 1, 7, 16, all)."""
    waveform = load_audio(spoken_rows[1].audio_filepath, RATE)[:samples]
    offline = compute_mfcc(waveform, RATE, CAUSAL)
    rng = np.random.default_rng(len(waveform))
    for largest in (1, 170, 5000):
        stream = StreamingFeatures(CAUSAL)
        frames = [stream.accept(piece) for piece in random_pieces(waveform, rng, largest)]
        streamed = np.concatenate([*frames, stream.finish()])
        assert streamed.shape == offline.shape
        np.testing.assert_allclose(streamed, offline, rtol=0, atol=1e-4)
        if samples is None and largest == 170:
            # Frames become final while audio arrives: all but the last ones, whose analysis
            # window (2 frames) or delta window (4 frames) reaches past the last sample.
            assert sum(len(f) for f in frames) == len(offline) - 6


def test_network_piece_by_piece_equals_the_offline_logits():
    """Untrained weights: the carried states and the look-ahead queue reproduce the model."""
    config = ModelConfig(
        num_layers=2, units=8, subsampling=3, bidirectional=False, lookahead_frames=3,
        cell="gru", projection_units=8,
    )  # fmt: skip
    model = build_acoustic_model(CAUSAL.feature_dim, 29, config)
    features = np.random.default_rng(0).standard_normal((100, CAUSAL.feature_dim))
    features = features.astype(np.float32)
    offline = model(pad_for_subsampling(features, 3)[None]).numpy()[0]
    network = StreamingNetwork(model, config)
    rng = np.random.default_rng(1)
    pieces = random_pieces(features, rng, 7)
    streamed = np.concatenate([*(network.accept(p) for p in pieces), network.finish()])
    np.testing.assert_allclose(streamed, offline, rtol=0, atol=1e-5)


def test_what_cannot_stream_is_named():
    with pytest.raises(ValueError) as refused:
        check_streamable(MfccConfig(), ModelConfig(attention_heads=2))
    for setting in ("model.bidirectional=true", "model.attention_heads=2", "normalize_scope"):
        assert setting in str(refused.value)
    with pytest.raises(ValueError, match="normalize_scope=running"):
        StreamingFeatures(MfccConfig())
    stream = StreamingFeatures(CAUSAL)
    with pytest.raises(ValueError, match="Expected float samples"):
        stream.accept(np.zeros(10, dtype=np.int16))
    with pytest.raises(ValueError, match="NaN or infinite"):
        stream.accept(np.asarray([0.0, np.nan]))
    assert stream.finish().shape == (0, CAUSAL.feature_dim)  # nothing came
    with pytest.raises(ValueError, match="already finished"):
        stream.finish()


@pytest.fixture(scope="module")
def streaming_dir(spoken_rows, tmp_path_factory):
    """The streaming variant, trained briefly on the spoken sentences and exported."""
    root = tmp_path_factory.mktemp("streaming")
    model_dir = train_variant(spoken_rows, CAUSAL, STREAMING_MODEL, root / "model")
    export_variant(model_dir, waveform=True)
    return model_dir


def test_streamed_text_is_the_offline_transcription(streaming_dir, spoken_rows):
    trained = load_model_dir(streaming_dir)
    assert trained.model_config == STREAMING_MODEL and trained.features.is_causal
    paths = [row.audio_filepath for row in spoken_rows]
    offline = [r.text for r in Transcriber(trained).transcribe(paths)]
    cer = score([row.text for row in spoken_rows], offline).cer
    assert cer < TRAINED_CER, f"CER {cer:.2%}: the model has not learnt enough to test with"
    stream = StreamingTranscriber(trained)
    rng = np.random.default_rng(7)
    for path, expected in zip(paths, offline):
        stream.reset()
        partials = [stream.accept(p) for p in random_pieces(load_audio(path, RATE), rng, 3000)]
        final = stream.finish()
        assert final == expected, path
        # Greedy partial texts only grow: each is the start of the final text.
        assert all(final.startswith(partial.rstrip()) for partial in partials), partials
        assert any(partials), "no partial text before the end of the audio"


def test_streaming_variant_exports_compute_the_keras_logits(streaming_dir, spoken_rows):
    check_exports(streaming_dir, [row.audio_filepath for row in spoken_rows])


def test_websocket_streams_partial_and_final_text(streaming_dir, spoken_rows, tmp_path):
    """Two streams one after the other (the second reuses the first's transcriber), each
    with its own random cuts of the PCM16 bytes, odd sizes splitting samples."""
    path = spoken_rows[2].audio_filepath
    [offline] = [r.text for r in Transcriber.load(streaming_dir).transcribe([path])]
    pcm = np.round(load_audio(path, RATE) * 32768).astype("<i2").tobytes()
    app = create_app(TranscriptionEngine.load(ServeConfig(model_dir=str(streaming_dir))))
    rng = np.random.default_rng(3)
    with TestClient(app) as client:
        for _ in range(2):
            replies = []
            with client.websocket_connect("/v1/stream") as socket:
                start = 0
                while start < len(pcm):
                    size = int(rng.integers(1, 9000))
                    socket.send_bytes(pcm[start : start + size])
                    replies.append(socket.receive_json())
                    start += size
                socket.send_text("end")
                final = socket.receive_json()
            assert {reply["type"] for reply in replies} == {"partial"}
            seconds = round(len(pcm) / 2 / RATE, 3)
            assert final == {"type": "final", "text": offline, "seconds": seconds}
            assert offline.startswith(replies[-1]["text"].rstrip())


def test_websocket_refuses_a_model_that_cannot_stream(tmp_path):
    model_dir = save(untrained_model(), tmp_path / "bilstm")
    app = create_app(TranscriptionEngine.load(ServeConfig(model_dir=str(model_dir))))
    with TestClient(app) as client, client.websocket_connect("/v1/stream") as socket:
        reply = socket.receive_json()
    assert reply["type"] == "error" and reply["error"]["code"] == "not_streamable"
    assert "model.bidirectional=true" in reply["error"]["message"]


def test_websocket_refuses_other_messages_and_too_much_audio(streaming_dir):
    config = ServeConfig(model_dir=str(streaming_dir), max_audio_seconds=0.5)
    app = create_app(TranscriptionEngine.load(config))
    second = np.zeros(RATE, dtype="<i2").tobytes()
    with TestClient(app) as client:
        with client.websocket_connect("/v1/stream") as socket:
            socket.send_text("hello")
            reply = socket.receive_json()
        assert reply["error"]["code"] == "unexpected_message" and "'hello'" in str(reply)
        with client.websocket_connect("/v1/stream") as socket:
            socket.send_bytes(second[: RATE // 2])  # 0.25 s: accepted
            assert socket.receive_json()["type"] == "partial"
            socket.send_bytes(second[: RATE // 2 + 2])  # past 0.5 s
            reply = socket.receive_json()
        assert reply["error"]["code"] == "audio_too_long"
        assert "max_audio_seconds=0.5" in reply["error"]["message"]
