"""A local HTTP server on 127.0.0.1 serving archives built in a test (downloads, and the
download job of benchmarks/fault_injection.py), and an FSDD-shaped zip to serve."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from speech_lstm.prep.download import find_source


class ArchiveServer:
    """Serves `files` {name: bytes} with HTTP Range support; can break off one response.

    Attributes:
        requests: (path, Range header or None) of every GET, in order.
        cut_next_after: when set, the next response promises the whole body but sends only
            this many bytes and closes the connection (a dropped download).
        honour_range: false makes the server ignore Range and always answer 200.
        bytes_per_second: when set, bodies are sent in pieces at about this rate (a slow
            link, so that a job killed at a random moment is often killed mid-transfer).
    """

    def __init__(self, bytes_per_second: int | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.bytes_per_second = bytes_per_second
        self.requests: list[tuple[str, str | None]] = []
        self.cut_next_after: int | None = None
        self.honour_range = True
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.handle(self)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        name = request.path.lstrip("/")
        range_header = request.headers.get("Range")
        self.requests.append((name, range_header))
        if name not in self.files:
            request.send_error(404)
            return
        body, start, status = self.files[name], 0, 200
        if range_header and self.honour_range:
            start = int(range_header.removeprefix("bytes=").split("-")[0])
            if start >= len(body):
                request.send_error(416)
                return
            status = 206
        request.send_response(status)
        request.send_header("Content-Length", str(len(body) - start))
        if status == 206:
            request.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        request.end_headers()
        payload = body[start:]
        if self.cut_next_after is not None:
            payload, self.cut_next_after = payload[: self.cut_next_after], None
            request.close_connection = True
        if self.bytes_per_second is None:
            request.wfile.write(payload)
            return
        piece = max(1, self.bytes_per_second // 20)
        try:
            for start in range(0, len(payload), piece):
                request.wfile.write(payload[start : start + piece])
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):  # the client was killed: fine
            pass

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def fsdd_zip(recordings: Path) -> tuple[str, bytes]:
    """A zip laid out like GitHub's archive of the FSDD repository at the pinned commit."""
    source = find_source("fsdd", None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for wav in sorted(recordings.glob("*.wav")):
            zipped.write(wav, f"{source.extracted}/recordings/{wav.name}")
        zipped.writestr(f"{source.extracted}/README.md", "digits")
    return source.file_name, buffer.getvalue()
