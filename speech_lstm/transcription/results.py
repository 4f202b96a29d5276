"""The typed result of transcribing one input."""

from __future__ import annotations

import json
from dataclasses import dataclass

from speech_lstm.decoding.alignment import WordTiming


@dataclass
class TranscriptionResult:
    """One input's outcome.

    Attributes:
        audio_filepath: the input path as given (or `<array N>` for an in-memory waveform).
        text: the transcript; None when the input failed.
        duration: audio length in seconds; None when the input failed.
        error: why the input failed; None on success.
        words: timed, scored words when timestamps were requested; else None.
    """

    audio_filepath: str
    text: str | None
    duration: float | None
    error: str | None = None
    words: list[WordTiming] | None = None

    @property
    def ok(self) -> bool:
        """Whether the input was transcribed."""
        return self.error is None

    def to_dict(self) -> dict:
        """The output row: `words` only with timestamps, `error` only for failures."""
        row: dict = {"audio_filepath": self.audio_filepath, "text": self.text}
        row["duration"] = self.duration
        if self.words is not None:
            row["words"] = [word.to_dict() for word in self.words]
        if self.error is not None:
            row["error"] = self.error
        return row

    def to_json(self) -> str:
        """One JSONL row."""
        return json.dumps(self.to_dict(), ensure_ascii=False)
