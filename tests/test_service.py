"""The transcription service over real HTTP: a real server (uvicorn on 127.0.0.1) serving the
session's trained BiLSTM, one server for the module; the script entry point with an API key."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from speech_lstm.service.batcher import Batcher
from speech_lstm.service.config import ServeConfig
from speech_lstm.service.engine import TranscriptionEngine
from tests.conftest import ROOT, write_tone
from tests.service_fixtures import free_port, post_audio, running_server

LIMITS = {"max_upload_bytes": 200_000, "max_audio_seconds": 4.0}


@pytest.fixture(scope="module")
def server(trained_bilstm):
    config = ServeConfig(
        model_dir=str(trained_bilstm.model_dir),
        batch_window_ms=50,
        max_batch=8,
        queue_size=4,
        **LIMITS,
    )
    with running_server(config) as running:
        yield running


@pytest.fixture(scope="module")
def expected(trained_bilstm):
    """What batch transcription writes for the first two utterances (JSONL rows)."""
    from speech_lstm.transcription import Transcriber

    transcriber = Transcriber.load(trained_bilstm.model_dir, timestamps=True)
    paths = [Path(p) for p in trained_bilstm.audio_paths[:2]]
    rows = [result.to_dict() for result in transcriber.transcribe([str(p) for p in paths])]
    for row, path in zip(rows, paths):
        row["audio_filepath"] = path.name
    return list(zip(paths, rows))


def test_transcribe_answers_the_batch_jsonl_row(server, expected):
    path, row = expected[0]
    timed = post_audio(server.url + "/v1/transcribe", path, {"timestamps": "true"})
    assert timed.status_code == 200, timed.text
    assert timed.json() == row
    assert row["text"] and row["words"]
    plain = post_audio(server.url + "/v1/transcribe", path)
    assert plain.json() == {key: row[key] for key in ("audio_filepath", "text", "duration")}
    texts = {
        fmt: post_audio(server.url + "/v1/transcribe", path, {"format": fmt}).text
        for fmt in ("txt", "srt", "vtt")
    }
    assert texts["txt"] == row["text"] + "\n"
    assert texts["srt"].startswith("1\n00:00:00,") and row["text"] in texts["srt"]
    assert texts["vtt"].startswith("WEBVTT\n\n00:00:00.")
    beam = post_audio(server.url + "/v1/transcribe", path, {"decoder": "beam"})
    assert beam.status_code == 200 and set(beam.json()) == {"audio_filepath", "text", "duration"}


def test_openai_client_works_unchanged(server, expected):
    openai = pytest.importorskip("openai")
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="not-checked", max_retries=0)
    assert [model.id for model in client.models.list()] == ["speech-lstm"]
    path, row = expected[1]
    with path.open("rb") as audio:
        assert (
            client.audio.transcriptions.create(model="speech-lstm", file=audio).text == row["text"]
        )
    with path.open("rb") as audio:
        verbose = client.audio.transcriptions.create(
            model="speech-lstm",
            file=audio,
            response_format="verbose_json",
            timestamp_granularities=["word", "segment"],
        )
    assert verbose.text == row["text"] and verbose.duration == row["duration"]
    assert [(w.word, w.start, w.end) for w in verbose.words] == [
        (w["word"], w["start"], w["end"]) for w in row["words"]
    ]
    assert " ".join(s.text for s in verbose.segments) == row["text"]
    with path.open("rb") as audio:
        srt = client.audio.transcriptions.create(
            model="speech-lstm", file=audio, response_format="srt"
        )
    assert srt.startswith("1\n00:00:00,")
    forms = {
        fmt: post_audio(server.url + "/v1/audio/transcriptions", path, {"response_format": fmt})
        for fmt in ("json", "text", "vtt")
    }
    assert forms["json"].json() == {"text": row["text"]}
    assert forms["text"].text == row["text"] + "\n"
    assert forms["vtt"].headers["content-type"].startswith("text/vtt")
    with (
        pytest.raises(openai.NotFoundError, match="serves model 'speech-lstm'"),
        path.open("rb") as audio,
    ):
        client.audio.transcriptions.create(model="whisper-1", file=audio)


def test_health_and_models(server):
    health = server.health()
    assert health["status"] == "ok" and health["model"] == "speech-lstm"
    assert health["decoders"] == ["greedy", "beam"]  # no lm.arpa in this model directory
    assert health["queue"]["queue_size"] == 4 and health["rss_bytes"] > 10_000_000
    models = httpx.get(server.url + "/v1/models").json()
    assert models["object"] == "list" and models["data"][0]["id"] == "speech-lstm"
    assert "<title>speech-lstm transcription</title>" in httpx.get(server.url + "/").text


def bad_requests(tmp_path: Path, good: Path) -> list[tuple[str, dict, int, str]]:
    """(endpoint, httpx.post arguments, expected status, expected error code)."""
    text_file = tmp_path / "notes.wav"
    text_file.write_text("these are not samples\n" * 20)
    long = write_tone(tmp_path / "long.wav", seconds=5.0)
    large = write_tone(tmp_path / "large.wav", seconds=3.9, channels=2)  # 250 kB, 3.9 s
    audio = good.read_bytes()

    def upload(name, data, **fields):
        return {"files": {"file": (name, data)}, "data": fields}

    transcribe, openai = "/v1/transcribe", "/v1/audio/transcriptions"
    return [
        (transcribe, upload("notes.wav", text_file.read_bytes()), 400, "not_audio"),
        (transcribe, upload("empty.wav", b""), 400, "empty_file"),
        (transcribe, upload("long.wav", long.read_bytes()), 413, "audio_too_long"),
        (transcribe, upload("large.wav", large.read_bytes()), 413, "upload_too_large"),
        (transcribe, upload("a.wav", audio, decodr="beam"), 400, "unknown_option"),
        (transcribe, upload("a.wav", audio, decoder="beam_lm"), 400, "unknown_decoder"),
        (transcribe, upload("a.wav", audio, format="docx"), 400, "unknown_format"),
        (transcribe, upload("a.wav", audio, timestamps="maybe"), 400, "invalid_timestamps"),
        (transcribe, {"content": audio}, 400, "not_multipart"),
        (transcribe, {"files": {"other": ("a.txt", b"x")}}, 400, "unknown_option"),
        (transcribe, {"data": {"decoder": "greedy"}, "files": {}}, 400, "not_multipart"),
        (openai, upload("a.wav", audio, response_format="xml"), 400, "unknown_response_format"),
        (openai, upload("a.wav", audio, language="fr"), 400, "unsupported_language"),
        (openai, upload("a.wav", audio, stream="true"), 400, "unsupported_stream"),
    ]


def test_bad_input_gets_a_4xx_json_error_naming_it_and_the_server_goes_on(
    server, expected, tmp_path
):
    good = expected[0][0]
    for endpoint, arguments, status, code in bad_requests(tmp_path, good):
        response = httpx.post(server.url + endpoint, timeout=60, **arguments)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), (
            endpoint,
            code,
            response.text,
        )
        assert response.json()["error"]["message"]
    missing = httpx.get(server.url + "/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    health = server.health()
    assert health["queue"]["waiting"] == 0  # every refused request gave its place back
    assert post_audio(server.url + "/v1/transcribe", good).status_code == 200


def test_concurrent_requests_share_one_forward_pass(server, expected):
    path = expected[0][0]
    before = server.health()["batching"]
    with ThreadPoolExecutor(4) as pool, server.batcher.model_lock:
        first = pool.submit(post_audio, server.url + "/v1/transcribe", path)
        server.wait_for(lambda h: h["queue"]["running"] == 1)  # the model is busy with it
        rest = [pool.submit(post_audio, server.url + "/v1/transcribe", path) for _ in range(3)]
        server.wait_for(lambda h: h["queue"]["queued"] == 3)  # read, checked, in the queue
    responses = [first.result(), *(future.result() for future in rest)]
    assert [r.status_code for r in responses] == [200] * 4
    assert [r.headers["X-Batch-Size"] for r in responses] == ["1", "3", "3", "3"]
    assert len({r.json()["text"] for r in responses}) == 1
    after = server.health()["batching"]
    assert after["batches"] - before["batches"] == 2
    assert after["batch_sizes"]["3"] == before["batch_sizes"].get("3", 0) + 1


def test_a_full_queue_answers_503_with_retry_after_not_a_hang(server, expected):
    path = expected[0][0]
    count = 16  # queue_size 4 + max_batch 8 at most are admitted while the model is busy
    rejected_before = server.health()["batching"]["rejected_queue_full"]

    def accounted(health):
        rejected = health["batching"]["rejected_queue_full"] - rejected_before
        return rejected + health["queue"]["waiting"] + health["queue"]["running"] == count

    with ThreadPoolExecutor(count) as pool, server.batcher.model_lock:
        futures = [
            pool.submit(post_audio, server.url + "/v1/transcribe", path) for _ in range(count)
        ]
        health = server.wait_for(accounted)
        rejected = health["batching"]["rejected_queue_full"] - rejected_before
        wait_until(lambda: sum(f.done() for f in futures) == rejected)
        refused = [f.result() for f in futures if f.done()]  # answered while the model is busy
    # how many the open batch took before it closed depends on arrival times; the bounds not
    assert health["queue"]["waiting"] <= 4 and health["queue"]["running"] <= 8
    assert rejected >= count - 4 - 8
    for response in refused:
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "queue_full"
        assert int(response.headers["Retry-After"]) >= 1
    admitted = [f.result() for f in futures if f.result() not in refused]
    assert [r.status_code for r in admitted] == [200] * (count - rejected)
    assert server.health()["queue"] == {**health["queue"], "waiting": 0, "queued": 0, "running": 0}


def test_a_batch_fills_to_max_batch_past_a_smaller_queue(trained_bilstm):
    """Requests the open batch has taken leave the waiting room, so admission goes on while the
    batch fills: six arrive one by one into a batch of six behind a waiting room of two."""
    engine = TranscriptionEngine.load(ServeConfig(model_dir=str(trained_bilstm.model_dir)))
    path = trained_bilstm.audio_paths[0]
    upload = engine.read_upload(Path(path).name, Path(path).read_bytes())

    async def six_requests_one_by_one() -> list[int]:
        batcher = Batcher(engine, batch_window_ms=600_000, max_batch=6, queue_size=2)
        await batcher.start()
        requests = []
        for _ in range(6):
            batcher.admit()
            requests.append(asyncio.create_task(batcher.transcribe(upload, "greedy", False)))
            while batcher.running < len(requests):  # until the open batch has taken it
                await asyncio.sleep(0.001)
        sizes = [size for _, size in await asyncio.gather(*requests)]
        await batcher.stop()
        return sizes

    assert asyncio.run(asyncio.wait_for(six_requests_one_by_one(), 120)) == [6] * 6


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_serve_script_binds_localhost_and_requires_the_api_key(trained_bilstm, tmp_path):
    port = free_port()
    environment = {**os.environ, "SPEECH_LSTM_API_KEY": "s3cret"}
    command = [
        sys.executable,
        str(ROOT / "scripts" / "serve.py"),
        f"model_dir={trained_bilstm.model_dir}",
        f"port={port}",
        f"hydra.run.dir={tmp_path / 'run'}",
    ]
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        health = wait_until_up(url, process)
        assert health["auth_required"] is True
        assert httpx.get(url + "/v1/models").status_code == 401
        wrong = httpx.get(url + "/v1/models", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
        assert wrong.json()["error"]["code"] == "invalid_api_key"
        right = {"Authorization": "Bearer s3cret"}
        assert httpx.get(url + "/v1/models", headers=right).status_code == 200
        path = Path(trained_bilstm.audio_paths[0])
        assert post_audio(url + "/v1/transcribe", path).status_code == 401
        assert post_audio(url + "/v1/transcribe", path, headers=right).status_code == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=60)[0]
    assert f"Uvicorn running on http://127.0.0.1:{port}" in output, output[-3000:]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve.py exited: {process.communicate()[0][-3000:]}")
        try:
            return httpx.get(url + "/health", timeout=5).json()
        except httpx.TransportError:
            time.sleep(0.25)
    raise AssertionError("serve.py did not answer /health in time")
