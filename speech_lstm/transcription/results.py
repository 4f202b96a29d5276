"""The typed result of transcribing one input, and the output row it becomes."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from speech_lstm.decoding.alignment import WordTiming

# Where a manifest input's hypothesis goes by default: beside the row's own fields, as NeMo
# writes it, so the output is a predictions file that evaluation reads as it is.
MANIFEST_HYPOTHESIS_FIELD = "pred_text"


@dataclass
class TranscriptionResult:
    """One input's outcome.

    Attributes:
        audio_filepath: the input path as given (or `<array N>` for an in-memory waveform).
        text: the transcript; None when the input failed.
        duration: audio length in seconds (of the segment, for a segment); None when the
            input failed.
        error: why the input failed; None on success.
        words: timed, scored words when timestamps were requested; else None. Times count
            from the start of the file, a segment's offset included.
        offset: for a segment of a file (an `AudioSpan` input), where it starts in seconds;
            None for a whole file.
        warps: with a warp search, the factor each of the input's segments was decoded at,
            in order (one per chunk of a long file); None without a search.
    """

    audio_filepath: str
    text: str | None
    duration: float | None
    error: str | None = None
    words: list[WordTiming] | None = None
    offset: float | None = None
    warps: list[float] | None = None

    @property
    def ok(self) -> bool:
        """Whether the input was transcribed."""
        return self.error is None

    def to_dict(
        self,
        manifest_row: Mapping | None = None,
        hypothesis_field: str = MANIFEST_HYPOTHESIS_FIELD,
    ) -> dict:
        """The output row.

        Without `manifest_row`: `audio_filepath`, `text`, `duration`, `offset` for a segment,
        `words` only with timestamps, `warps` only with a warp search, `error` only for
        failures. With the manifest row the input came from: that row's fields, its
        `audio_filepath` as read (a relative path resolved against the manifest's folder, so
        the row stays valid wherever it is written), the hypothesis in `hypothesis_field`
        (null for a failure), then `words`, `warps` and `error` as above.
        """
        if manifest_row is not None:
            row: dict = {**manifest_row, "audio_filepath": self.audio_filepath}
            row[hypothesis_field] = self.text
        else:
            row = {"audio_filepath": self.audio_filepath, "text": self.text}
            if self.offset is not None:
                row["offset"] = self.offset
            row["duration"] = self.duration
        if self.words is not None:
            row["words"] = [word.to_dict() for word in self.words]
        if self.warps is not None:
            row["warps"] = self.warps
        if self.error is not None:
            row["error"] = self.error
        return row

    def to_json(self) -> str:
        """One JSONL row (the layout without a manifest row)."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


def resume_key(audio_filepath: object, offset: object = None) -> str:
    """The name of an output row for resuming: its path, and `@offset` for a segment."""
    if offset is None or offset == "":
        return str(audio_filepath)
    try:
        return f"{audio_filepath}@{float(offset):g}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"{audio_filepath}@{offset}"
