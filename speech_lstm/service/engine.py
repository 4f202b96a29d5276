"""`TranscriptionEngine`: one loaded model, a transcriber per decoder type, audio checks.

The model is loaded once; every decoder type shares its network and logit computer, so a
request naming another decoder costs only that decoder's search. Uploaded audio is read here,
in a temporary folder removed at once, and checked against the service's limits before it
reaches the queue.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.audio import AudioError, load_audio
from speech_lstm.decoding.decoder import DECODER_TYPES, DecoderConfig
from speech_lstm.inference.chunking import ChunkingConfig
from speech_lstm.service.config import ServeConfig
from speech_lstm.transcription.results import TranscriptionResult
from speech_lstm.transcription.transcriber import Transcriber


class RequestError(Exception):
    """A request the service refuses: an HTTP status and a message naming the problem.

    Attributes:
        status: the HTTP status (4xx, or 503 when the queue is full).
        code: a short machine-readable reason, e.g. "not_audio", "audio_too_long".
        message: what is wrong and how to fix it.
        param: the request field at fault, when there is one.
        headers: extra response headers (Retry-After for 503).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.headers = headers or {}


@dataclass(frozen=True)
class Upload:
    """Audio that passed the checks, ready for the model.

    Attributes:
        name: the uploaded file's name (the result's `audio_filepath`).
        waveform: mono float32 samples at the model's sample rate.
        seconds: its duration.
    """

    name: str
    waveform: np.ndarray
    seconds: float


class TranscriptionEngine:
    """A model directory loaded for serving.

    Args:
        transcriber: the loaded default transcriber; its network is shared by the others.
        config: the service settings (default decoder, limits, chunking, workers).
    """

    def __init__(self, transcriber: Transcriber, config: ServeConfig):
        self.config = config
        self.trained = transcriber.trained
        self.default_decoder = transcriber.decoder.type
        self.sample_rate = self.trained.features.sample_rate
        self._transcribers = {(self.default_decoder, transcriber.timestamps): transcriber}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, config: ServeConfig) -> TranscriptionEngine:
        """Loads `config.model_dir` with `config.decoder` as the default decoder."""
        transcriber = Transcriber.load(
            config.model_dir,
            config.decoder,
            backend=config.backend,
            **_transcriber_options(config),
        )
        return cls(transcriber, config)

    @property
    def decoders(self) -> tuple[str, ...]:
        """The decoder types a request may name: beam_lm only with a language model."""
        has_lm = self.trained.lm is not None or self.trained.lm_path is not None
        return tuple(name for name in DECODER_TYPES if name != "beam_lm" or has_lm)

    def check_decoder(self, name: str | None) -> str:
        """The decoder type to use for a request's `decoder` field (None: the default).

        Raises:
            RequestError: 400 for a type this model cannot run.
        """
        if name is None or name == "":
            return self.default_decoder
        if name not in self.decoders:
            raise RequestError(
                400,
                "unknown_decoder",
                f"decoder must be one of {list(self.decoders)}. Received: {name!r}",
                "decoder",
            )
        return name

    def read_upload(self, name: str, data: bytes) -> Upload:
        """Reads uploaded bytes as audio, in a temporary folder removed before returning.

        Raises:
            RequestError: 400 for an empty upload or one that is not readable audio, 413 for
                audio longer than `max_audio_seconds`.
        """
        if not data:
            raise RequestError(400, "empty_file", "The uploaded file is empty.", "file")
        with tempfile.TemporaryDirectory(prefix="speech-lstm-upload-") as folder:
            path = Path(folder) / ("upload" + _safe_suffix(name))
            path.write_bytes(data)
            self._header_seconds(path, name)
            try:
                waveform = load_audio(path, self.sample_rate)
            except AudioError:
                raise _not_audio(name) from None
        return Upload(name, waveform, round(len(waveform) / self.sample_rate, 3))

    def _header_seconds(self, path: Path, name: str) -> float:
        """The duration from the file header, refused before decoding when over the limit."""
        try:
            info = soundfile.info(str(path))
        except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError):
            raise _not_audio(name) from None
        if info.frames <= 0:
            raise RequestError(400, "empty_audio", f"{name!r} holds no audio samples.", "file")
        limit = self.config.max_audio_seconds
        if info.duration > limit:
            raise RequestError(
                413,
                "audio_too_long",
                f"Audio longer than the limit of {limit:g} s (max_audio_seconds). "
                f"Received: {info.duration:.1f} s",
                "file",
            )
        return float(info.duration)

    def transcribe(
        self, uploads: list[Upload], decoder: str, timestamps: bool = True
    ) -> list[TranscriptionResult]:
        """Transcribes checked uploads together in one batch, each result named after its
        upload; with `timestamps`, carrying word times and confidences."""
        transcriber = self._transcriber(decoder, timestamps)
        waveforms = [upload.waveform for upload in uploads]
        results = transcriber.transcribe(waveforms, batch_size=max(len(waveforms), 1))
        return [
            replace(result, audio_filepath=upload.name)
            for upload, result in zip(uploads, results, strict=True)
        ]

    def _transcriber(self, decoder: str, timestamps: bool) -> Transcriber:
        """The transcriber for one decoder type, with or without word timings, built on
        first use over the shared model (the configured decoder's settings for its type)."""
        with self._lock:
            if (decoder, timestamps) not in self._transcribers:
                default = next(iter(self._transcribers.values()))
                settings = default.decoder if decoder == default.decoder.type else None
                self._transcribers[decoder, timestamps] = Transcriber(
                    self.trained,
                    settings or DecoderConfig(type=decoder),
                    logits=default.logits,
                    **_transcriber_options(self.config, timestamps),
                )
            return self._transcribers[decoder, timestamps]


def _transcriber_options(config: ServeConfig, timestamps: bool = True) -> dict:
    return {
        "num_workers": config.num_workers,
        "chunking": ChunkingConfig(config.chunk_seconds),
        "timestamps": timestamps,
        "warp_search": config.warp_search,
    }


def _safe_suffix(name: str) -> str:
    """The upload's extension when it is a plain one (soundfile reads by content anyway)."""
    suffix = Path(name).suffix.lower()
    return suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""


def _not_audio(name: str) -> RequestError:
    return RequestError(
        400,
        "not_audio",
        f"{name!r} is not audio this service can read: send WAV, FLAC, OGG/Opus or MP3.",
        "file",
    )
