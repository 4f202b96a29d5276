"""`ServeConfig`: the schema of `conf/serve.yaml`; no web framework or TensorFlow here."""

from __future__ import annotations

from dataclasses import dataclass, field

from speech_lstm.decoding.decoder import DecoderConfig
from speech_lstm.inference.warp_search import search_warps


@dataclass
class ServeConfig:
    """`scripts/serve.py`: an HTTP transcription service for one model directory.

    Attributes:
        model_dir: a model directory written by training.
        host: the address to listen on; 127.0.0.1 keeps the service on this machine.
        port: the TCP port; 0 takes any free one (uvicorn logs which).
        model_name: the model's id in `/v1/models` and the OpenAI-compatible `model` field.
        decoder: the default decoder; a request may name another type (greedy, beam, and
            beam_lm where the model directory has an LM).
        backend: keras, or an export of scripts/export.py: saved_model, tflite, tflite_int8.
        max_upload_bytes: larger request bodies are refused (413).
        max_audio_seconds: longer audio is refused (413).
        chunk_seconds: audio longer than this is transcribed in chunks cut at quiet points.
        batch_window_ms: how long the first waiting request waits for others to share its
            forward pass.
        max_batch: requests per forward pass at most.
        queue_size: requests waiting for the model at most; more are refused with 503 and
            Retry-After.
        num_workers: threads computing features within a batch.
        low_confidence: the web page marks words with a confidence below this.
        warp_search: vocal-tract warp factors every request's audio is also read at, the
            reading the model is surest of decoded (see TranscribeConfig); each costs one
            more forward pass. A WebSocket stream reads its audio as it is.
        api_key: when set, /v1/* requires `Authorization: Bearer <api_key>`; pass it as
            `api_key=${oc.env:SPEECH_LSTM_API_KEY}` to keep it off the command line.
    """

    model_dir: str = "???"
    host: str = "127.0.0.1"
    port: int = 8000
    model_name: str = "speech-lstm"
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    backend: str = "keras"
    max_upload_bytes: int = 25_000_000
    max_audio_seconds: float = 120.0
    chunk_seconds: float = 20.0
    batch_window_ms: float = 20.0
    max_batch: int = 16
    queue_size: int = 64
    num_workers: int = 2
    low_confidence: float = 0.5
    warp_search: list[float] = field(default_factory=list)
    api_key: str | None = None

    def __post_init__(self) -> None:
        search_warps(self.warp_search)
        if not 0 <= self.port <= 65535:
            raise ValueError(
                f"port must be in [0, 65535] (0: any free port). Received: {self.port}"
            )
        positive = {
            "max_upload_bytes": self.max_upload_bytes,
            "max_audio_seconds": self.max_audio_seconds,
            "max_batch": self.max_batch,
            "queue_size": self.queue_size,
            "num_workers": self.num_workers,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ValueError(f"{name} must be > 0. Received: {value}")
        if self.batch_window_ms < 0:
            raise ValueError(f"batch_window_ms must be >= 0. Received: {self.batch_window_ms}")
        if self.api_key == "":
            raise ValueError(
                "api_key is empty: set a secret, or null for no key. Received: api_key=''"
            )
