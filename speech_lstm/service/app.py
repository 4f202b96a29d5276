"""`create_app`: the FastAPI application of the transcription service.

Routes: `/` (the web page), `GET /health`, `GET /v1/models`, `POST /v1/transcribe` (the
JSONL row of batch transcription), `POST /v1/audio/transcriptions` (the OpenAI-compatible
form) and the WebSocket `/v1/stream` (live transcription with a streaming model: binary
PCM16 frames in, JSON partial and final texts out; see `_stream`). Every HTTP refusal is a
JSON body `{"error": {"message", "type", "code", "param"}}` with a 4xx status (503 with
Retry-After when the queue is full); an unexpected failure answers 500 for that request only.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import numpy as np
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException

from speech_lstm.service.batcher import Batcher
from speech_lstm.service.config import ServeConfig
from speech_lstm.service.engine import RequestError, TranscriptionEngine, Upload
from speech_lstm.service.forms import Form, read_form
from speech_lstm.service.responses import (
    OPENAI_FORMATS,
    TEXT_TYPES,
    TRANSCRIBE_FORMATS,
    openai_body,
    transcribe_body,
)

log = logging.getLogger(__name__)

TRANSCRIBE_FIELDS = frozenset({"file", "decoder", "timestamps", "format"})
OPENAI_FIELDS = frozenset(
    {
        "file",
        "model",
        "response_format",
        "language",
        "prompt",
        "temperature",
        "timestamp_granularities[]",
        "timestamp_granularities",
        "stream",
        "decoder",
    }
)
ENGLISH = ("en", "english")


def create_app(engine: TranscriptionEngine, config: ServeConfig | None = None) -> FastAPI:
    """The service for a loaded model.

    Args:
        engine: the loaded model (`TranscriptionEngine.load(config)`).
        config: limits, batching and the API key; by default the engine's own settings.
    """
    config = config or engine.config
    batcher = Batcher(engine, config.batch_window_ms, config.max_batch, config.queue_size)
    started = time.time()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await batcher.start()
        yield
        await batcher.stop()

    app = FastAPI(
        title="speech-lstm", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.batcher = batcher
    app.state.engine = engine
    _add_error_handlers(app)
    page = resources.files("speech_lstm.service").joinpath("page.html").read_text("utf-8")

    @app.get("/", response_class=HTMLResponse)
    async def index() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/health")
    async def health() -> dict:
        return {
            "status": "ok",
            "model": config.model_name,
            "decoders": list(engine.decoders),
            "default_decoder": engine.default_decoder,
            "sample_rate": engine.sample_rate,
            "auth_required": config.api_key is not None,
            "limits": {
                "max_upload_bytes": config.max_upload_bytes,
                "max_audio_seconds": config.max_audio_seconds,
            },
            "low_confidence": config.low_confidence,
            "queue": {
                "waiting": batcher.waiting,
                "queued": batcher.queued,
                "running": batcher.running,
                "queue_size": config.queue_size,
                "max_batch": config.max_batch,
                "batch_window_ms": config.batch_window_ms,
            },
            "batching": batcher.stats.to_dict(),
            "rss_bytes": resident_bytes(),
            "uptime_seconds": round(time.time() - started, 1),
        }

    @app.get("/v1/models")
    async def models(request: Request) -> dict:
        _authorize(request, config.api_key)
        created = int(Path(config.model_dir, "model.keras").stat().st_mtime)
        model = {"id": config.model_name, "object": "model", "created": created}
        return {"object": "list", "data": [{**model, "owned_by": "speech-lstm"}]}

    @app.post("/v1/transcribe")
    async def transcribe(request: Request) -> Response:
        def options(form: Form) -> tuple[str, bool]:
            return form.choice("format", TRANSCRIBE_FORMATS, "json"), form.flag("timestamps")

        upload, decoder, (fmt, timestamps) = await admitted(request, TRANSCRIBE_FIELDS, options)
        timed = timestamps or fmt in ("srt", "vtt")
        result, batch_size = await _transcribed(batcher, upload, decoder, timed)
        return _respond(transcribe_body(result, fmt, timestamps), fmt, batch_size)

    @app.post("/v1/audio/transcriptions")
    async def openai_transcriptions(request: Request) -> Response:
        def options(form: Form) -> tuple[str, list[str]]:
            return _openai_options(form, config.model_name)

        upload, decoder, (fmt, granularities) = await admitted(request, OPENAI_FIELDS, options)
        timed = fmt in ("srt", "vtt", "verbose_json")
        result, batch_size = await _transcribed(batcher, upload, decoder, timed)
        return _respond(openai_body(result, fmt, granularities), fmt, batch_size)

    idle_streams: list = []  # transcribers of finished streams, traced, reused in turn

    @app.websocket("/v1/stream")
    async def stream(websocket: WebSocket) -> None:
        await _stream(websocket, engine, config, idle_streams)

    async def admitted(request: Request, allowed: frozenset[str], options: Callable):
        """Authorises, takes a place in the queue, reads and checks the request; the place
        is given back when anything about the request is refused."""
        _authorize(request, config.api_key)
        batcher.admit()
        try:
            form = await read_form(request, allowed, config.max_upload_bytes)
            decoder = engine.check_decoder(form.value("decoder"))
            parsed = options(form)
            upload = await asyncio.to_thread(engine.read_upload, form.filename, form.data)
        except BaseException:
            batcher.release()
            raise
        return upload, decoder, parsed

    return app


async def _transcribed(batcher: Batcher, upload: Upload, decoder: str, timestamps: bool):
    """The admitted upload's result and batch size; a failed input is a 422."""
    result, batch_size = await batcher.transcribe(upload, decoder, timestamps)
    if not result.ok:
        raise RequestError(422, "transcription_failed", f"Cannot transcribe: {result.error}")
    return result, batch_size


async def _stream(
    websocket: WebSocket, engine: TranscriptionEngine, config: ServeConfig, idle: list
) -> None:
    """One live transcription over a WebSocket.

    The client sends binary frames of mono 16-bit little-endian PCM at the model's sample rate
    (`/health` says it), split anywhere, and then the text message `end`. After each binary
    frame the server answers `{"type": "partial", "text": ...}`; after `end`,
    `{"type": "final", "text": ..., "seconds": ...}`, and closes. A refusal (no API key, a
    model that cannot stream, too much audio, another text message) is
    `{"type": "error", "error": {"code", "message"}}`, then the socket closes with 1008.
    A transcriber's first piece traces its network (seconds), so transcribers of ended
    streams wait in `idle` for the next connection.
    """
    from speech_lstm.inference.streaming import StreamingTranscriber

    await websocket.accept()
    try:
        _authorize(websocket, config.api_key)
        if idle:
            transcriber = idle.pop()
        else:
            transcriber = await asyncio.to_thread(StreamingTranscriber, engine.trained)
    except (RequestError, ValueError) as error:
        code = error.code if isinstance(error, RequestError) else "not_streamable"
        await _refuse_stream(websocket, code, str(error))
        return
    await _stream_session(websocket, transcriber, engine.sample_rate, config)
    transcriber.reset()  # not reached on an error: that transcriber is dropped
    idle.append(transcriber)


async def _stream_session(websocket: WebSocket, transcriber, rate: int, config: ServeConfig):
    """The frames of one connection through `transcriber` (see `_stream`)."""
    limit = int(config.max_audio_seconds * rate)
    odd_byte = b""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("bytes") is not None:
                data = odd_byte + message["bytes"]
                usable = len(data) - len(data) % 2
                odd_byte = data[usable:]
                if transcriber.samples + usable // 2 > limit:
                    limit_text = f"max_audio_seconds={config.max_audio_seconds}"
                    await _refuse_stream(websocket, "audio_too_long", f"Over {limit_text}.")
                    return
                samples = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768
                text = await asyncio.to_thread(transcriber.accept, samples)
                await websocket.send_json({"type": "partial", "text": text})
            elif message.get("text") == "end":
                text = await asyncio.to_thread(transcriber.finish)
                seconds = round(transcriber.samples / rate, 3)
                await websocket.send_json({"type": "final", "text": text, "seconds": seconds})
                await websocket.close()
                return
            else:
                received = str(message.get("text"))[:40]
                note = f"Send binary PCM16 frames, then the text 'end'. Received: {received!r}"
                await _refuse_stream(websocket, "unexpected_message", note)
                return
    except WebSocketDisconnect:
        return


async def _refuse_stream(websocket: WebSocket, code: str, message: str) -> None:
    await websocket.send_json({"type": "error", "error": {"code": code, "message": message}})
    await websocket.close(code=1008)


def _respond(body: dict | str, fmt: str, batch_size: int) -> Response:
    headers = {"X-Batch-Size": str(batch_size)}
    if isinstance(body, dict):
        return JSONResponse(body, headers=headers)
    return PlainTextResponse(body, media_type=TEXT_TYPES[fmt], headers=headers)


def _authorize(request: Request | WebSocket, api_key: str | None) -> None:
    """Checks `Authorization: Bearer <api_key>` when the service has a key."""
    if api_key is None:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), api_key):
        raise RequestError(
            401,
            "invalid_api_key",
            "Missing or wrong API key: send `Authorization: Bearer <key>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _openai_options(form: Form, model_name: str) -> tuple[str, list[str]]:
    """The response format and timestamp granularities; refuses what this model cannot
    honour: another model, another language, streaming. `prompt` and `temperature` are
    accepted and have no effect (decoding is deterministic)."""
    model = form.value("model")
    if model not in (None, "", model_name):
        message = f"This server serves model {model_name!r} (see /v1/models). Received: {model!r}"
        raise RequestError(404, "model_not_found", message, "model")
    language = form.value("language")
    if language not in (None, "") and language.lower() not in ENGLISH:
        message = f"This model transcribes English only (language=en). Received: {language!r}"
        raise RequestError(400, "unsupported_language", message, "language")
    if form.flag("stream"):
        raise RequestError(400, "unsupported_stream", "stream=true is not supported.", "stream")
    fields = form.fields
    granularities = fields.get("timestamp_granularities[]", []) + fields.get(
        "timestamp_granularities", []
    )
    for granularity in granularities:
        if granularity not in ("word", "segment"):
            message = f"timestamp_granularities takes word, segment. Received: {granularity!r}"
            param = "timestamp_granularities"
            raise RequestError(400, "unknown_timestamp_granularity", message, param)
    return form.choice("response_format", OPENAI_FORMATS, "json"), granularities


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestError)
    async def refused(request: Request, error: RequestError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, error.param, error.headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        code = "not_found" if error.status_code == 404 else "http_error"
        return error_response(error.status_code, code, str(error.detail), None, error.headers)

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> JSONResponse:
        log.exception("Request %s %s failed", request.method, request.url.path)
        message = f"Internal error ({type(error).__name__}); the server goes on."
        return error_response(500, "internal_error", message, None, None)


def error_response(
    status: int, code: str, message: str, param: str | None, headers: dict | None
) -> JSONResponse:
    """The one error shape of every endpoint (the OpenAI API's, so its clients read it)."""
    kind = "invalid_request_error" if status < 500 else "server_error"
    body = {"error": {"message": message, "type": kind, "code": code, "param": param}}
    return JSONResponse(body, status_code=status, headers=headers)


def resident_bytes() -> int:
    """This process's resident memory now (Linux /proc), else its peak from getrusage."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
