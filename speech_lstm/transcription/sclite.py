"""NIST sclite's text formats: `trn` (one utterance a line) and `ctm` (one timed word a line).

trn: the words, then the utterance id in parentheses: `hello world (utt_01)`.
ctm: `<file> <channel> <start> <duration> <word> [<confidence>]`, times in seconds from the
start of the recording (a segment's offset included), so that the words of several segments
of one long file line up on that file's time axis.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

CTM_CHANNEL = "1"
_UNSAFE = re.compile(r"[\s()]+")


def utterance_id(
    audio_filepath: str, offset: float | None = None, row: Mapping | None = None
) -> str:
    """The id an utterance goes by in trn files: its manifest row's `id` when it has one,
    else the file's name without extension, followed by `-<offset in ms>` for a segment.
    Whitespace and parentheses (which sclite cannot read in an id) become `_`."""
    if row is not None and row.get("id") not in (None, ""):
        return _safe(str(row["id"]))
    name = Path(str(audio_filepath)).stem
    if offset is not None:
        name = f"{name}-{round(float(offset) * 1000):07d}"
    return _safe(name)


def recording_id(audio_filepath: str) -> str:
    """The id of the recording in ctm files: the file's name without extension."""
    return _safe(Path(str(audio_filepath)).stem)


def trn_line(text: str | None, utterance: str) -> str:
    """One trn line: the words on one line, then `(utterance)`; no text gives `(utterance)`."""
    words = " ".join((text or "").split())
    return f"{words} ({utterance})" if words else f"({utterance})"


def ctm_lines(recording: str, words: Sequence, channel: str = CTM_CHANNEL) -> list[str]:
    """One ctm line per timed word (objects with `word`, `start`, `end`, and `confidence`,
    which may be None: the column is then left out)."""
    lines = []
    for word in words:
        fields = [recording, channel, f"{word.start:.3f}", f"{word.end - word.start:.3f}"]
        fields.append(word.word)
        if getattr(word, "confidence", None) is not None:
            fields.append(f"{word.confidence:.4f}")
        lines.append(" ".join(fields))
    return lines


def _safe(name: str) -> str:
    return _UNSAFE.sub("_", name.strip()) or "_"
