"""A real transcription server for tests: uvicorn on 127.0.0.1, a free port, in a thread.

The server runs in the test process (TensorFlow is imported once for the session), serves
real HTTP on a socket bound here, and hands back its base URL and its app (whose batcher's
`model_lock` a test may hold to keep the model busy). Audio helpers write real files.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from speech_lstm.service.app import create_app
from speech_lstm.service.config import ServeConfig
from speech_lstm.service.engine import TranscriptionEngine


@dataclass
class RunningServer:
    """A started server: where to reach it and what it runs."""

    url: str
    app: object
    config: ServeConfig

    @property
    def batcher(self):
        return self.app.state.batcher

    def health(self) -> dict:
        return httpx.get(self.url + "/health", timeout=30).json()

    def wait_for(self, condition, timeout: float = 60.0) -> dict:
        """Polls /health until `condition(health)` holds; fails the test after `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.health()
            if condition(health):
                return health
            time.sleep(0.05)
        raise AssertionError(f"/health never reached the expected state: {health}")


@contextmanager
def running_server(config: ServeConfig) -> Iterator[RunningServer]:
    """Loads `config.model_dir` and serves it until the block ends."""
    import uvicorn

    app = create_app(TranscriptionEngine.load(config), config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield RunningServer(f"http://127.0.0.1:{port}", app, config)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server started in another process)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post_audio(url: str, path: Path, data: dict | None = None, **kwargs) -> httpx.Response:
    """POSTs `path` as the multipart `file` field with form `data`."""
    with path.open("rb") as audio:
        files = {"file": (path.name, audio, "audio/wav")}
        return httpx.post(url, files=files, data=data or {}, timeout=120, **kwargs)
