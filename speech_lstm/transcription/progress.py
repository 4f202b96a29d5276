"""A one-line progress display: files done, files/s, real-time factor and ETA."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Redraws one status line on a terminal; prints a line every `log_interval` s otherwise.

    Args:
        total: inputs to transcribe.
        enabled: False shows nothing.
        stream: where to write (stderr by default, so stdout stays clean).
        log_interval: seconds between lines when `stream` is not a terminal.
    """

    def __init__(
        self,
        total: int,
        enabled: bool = True,
        stream: TextIO | None = None,
        log_interval: float = 30.0,
    ):
        self.total = total
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = 0.2 if self.interactive else log_interval
        self.files = 0
        self.audio_seconds = 0.0
        self.started = time.perf_counter()
        self._shown = 0.0

    def update(self, files: int, audio_seconds: float) -> None:
        """Counts `files` more finished inputs holding `audio_seconds` of audio."""
        self.files += files
        self.audio_seconds += audio_seconds
        now = time.perf_counter()
        if self.enabled and (now - self._shown >= self.interval or self.files == self.total):
            self._shown = now
            self._draw(now - self.started)

    def line(self, elapsed: float) -> str:
        """The status text after `elapsed` seconds."""
        rate = self.files / elapsed if elapsed > 0 else 0.0
        rtf = elapsed / self.audio_seconds if self.audio_seconds else 0.0
        eta = (self.total - self.files) / rate if rate else 0.0
        percent = 100 * self.files / self.total if self.total else 100.0
        return (
            f"{self.files}/{self.total} files ({percent:.0f}%), {rate:.1f} files/s, "
            f"RTF {rtf:.4f}, ETA {_clock(eta)}"
        )

    def close(self) -> None:
        """Ends the status line."""
        if self.enabled and self.interactive:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, elapsed: float) -> None:
        text = self.line(elapsed)
        self.stream.write(f"\r{text}   " if self.interactive else text + "\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
