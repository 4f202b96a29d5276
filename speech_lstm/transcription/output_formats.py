"""Writers for transcription results: JSONL, CSV, sclite trn/ctm, and one TXT/SRT/VTT file
per input.

Every writer appends and flushes as results arrive, so a crash loses only the rows not yet
flushed, and can tell which inputs an earlier run already finished (`resume=true`). A row cut
short by a crash is removed before appending. The per-file formats mirror the input tree
below the output folder and keep an index, `transcripts.jsonl`, holding every row (failures
included); that index is what resuming reads. The trn and ctm writers keep the same index
beside their file (`hyp.trn` -> `hyp.trn.jsonl`).
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from speech_lstm.atomic import write_text
from speech_lstm.transcription.results import MANIFEST_HYPOTHESIS_FIELD, resume_key
from speech_lstm.transcription.sclite import ctm_lines, recording_id, trn_line, utterance_id

if TYPE_CHECKING:
    from speech_lstm.transcription.results import TranscriptionResult

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv", "txt", "srt", "vtt", "trn", "ctm")
PER_FILE_FORMATS = ("txt", "srt", "vtt")
SCLITE_FORMATS = ("trn", "ctm")
TIMED_FORMATS = ("srt", "vtt", "ctm")  # formats that need word times
INDEX_FILE = "transcripts.jsonl"
CSV_COLUMNS = ("audio_filepath", "text", "duration", "error", "words", "offset", "warps")
_SUFFIX_FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".trn": "trn", ".ctm": "ctm"}


def choose_format(output: str | Path, fmt: str | None = None) -> str:
    """The output format: `fmt` when given, else from the extension of `output`.

    Raises:
        ValueError: for an unknown format, or an output whose extension names none.
    """
    if fmt:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}. Received: {fmt!r}")
        return fmt
    suffix = Path(output).suffix.lower()
    if suffix in _SUFFIX_FORMATS:
        return _SUFFIX_FORMATS[suffix]
    raise ValueError(
        "Cannot tell the output format from the output path: use a .jsonl, .csv, .trn or .ctm "
        f"file, or a folder with format=txt|srt|vtt. Received: output={str(output)!r}"
    )


class ResultWriter(Protocol):
    """What `run_transcription` needs from a writer."""

    def finished_inputs(self) -> set[str]:
        """Inputs that already have a row (read before writing when resuming)."""

    def write(self, result: TranscriptionResult, row: dict | None = None) -> None:
        """Adds one result; `row` is the manifest row it came from, if any."""

    def flush(self) -> None:
        """Makes everything written so far durable."""

    def close(self) -> None:
        """Flushes and releases the file."""


def open_writer(
    output: str | Path,
    fmt: str,
    resume: bool,
    input_root: str | Path | None = None,
    hypothesis_field: str | None = MANIFEST_HYPOTHESIS_FIELD,
) -> ResultWriter:
    """A writer for `fmt` at `output`; `resume` keeps and appends to existing results.

    `hypothesis_field` (JSONL only): where a manifest row's hypothesis goes, beside the row's
    own fields; None writes our own layout for manifest rows too.
    """
    if fmt == "jsonl":
        return JsonlWriter(Path(output), resume, hypothesis_field)
    if fmt == "csv":
        return CsvWriter(Path(output), resume)
    if fmt in SCLITE_FORMATS:
        return ScliteWriter(Path(output), fmt, resume)
    if fmt in PER_FILE_FORMATS:
        return PerFileWriter(Path(output), fmt, resume, input_root)
    raise ValueError(f"format must be one of {FORMATS}. Received: {fmt!r}")


def drop_partial_row(path: Path) -> None:
    """Truncates `path` after its last newline: a row cut short by a crash is removed."""
    if not path.is_file():
        return
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end != len(data):
        log.warning("Removing an incomplete last row from %s", path)
        with path.open("r+b") as handle:
            handle.truncate(end)


# File names need not be UTF-8 (Python holds their odd bytes as lone surrogates). JSON Lines
# writes those as \udcXX escapes, which read back as the same name; the plain-text formats
# (CSV, trn, ctm) write the name's own bytes, as the file system has them.
JSON_ERRORS = "backslashreplace"
TEXT_ERRORS = "surrogateescape"


def _jsonl_inputs(path: Path) -> set[str]:
    done = set()
    with path.open(encoding="utf-8", errors=JSON_ERRORS) as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                done.add(resume_key(row["audio_filepath"], row.get("offset")))
    return done


class JsonlWriter:
    """One JSON object per line: `audio_filepath`, `text`, `duration`, and `words`/`error`;
    for a manifest row, the row's fields and the hypothesis in `hypothesis_field`."""

    def __init__(
        self, path: Path, resume: bool, hypothesis_field: str | None = MANIFEST_HYPOTHESIS_FIELD
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume:
            drop_partial_row(path)
        self._done = _jsonl_inputs(path) if resume and path.is_file() else set()
        self._file = path.open("a" if resume else "w", encoding="utf-8", errors=JSON_ERRORS)
        self.hypothesis_field = hypothesis_field

    def finished_inputs(self) -> set[str]:
        return set(self._done)

    def write(self, result: TranscriptionResult, row: dict | None = None) -> None:
        if row is not None and self.hypothesis_field:
            data = result.to_dict(row, self.hypothesis_field)
        else:
            data = result.to_dict()
        self._file.write(json.dumps(data, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class CsvWriter:
    """A header and one row per input; `words` is a JSON list (empty unless timestamps),
    `warps` too (empty unless warp search)."""

    def __init__(self, path: Path, resume: bool):
        path.parent.mkdir(parents=True, exist_ok=True)
        if resume:
            drop_partial_row(path)
        existing = resume and path.is_file() and path.stat().st_size > 0
        self._done, self.columns = self._read_inputs(path) if existing else (set(), CSV_COLUMNS)
        self._file = path.open(
            "a" if resume else "w", encoding="utf-8", errors=TEXT_ERRORS, newline=""
        )
        # Appends keep the columns of the file being resumed (one written before `offset`).
        self._csv = csv.DictWriter(self._file, fieldnames=self.columns, extrasaction="ignore")
        if not existing:
            self._csv.writeheader()

    @staticmethod
    def _read_inputs(path: Path) -> tuple[set[str], tuple[str, ...]]:
        with path.open(encoding="utf-8", errors=TEXT_ERRORS, newline="") as handle:
            reader = csv.DictReader(handle)
            done = {resume_key(row["audio_filepath"], row.get("offset")) for row in reader}
            return done, tuple(reader.fieldnames or CSV_COLUMNS)

    def finished_inputs(self) -> set[str]:
        return set(self._done)

    def write(self, result: TranscriptionResult, row: dict | None = None) -> None:
        data = result.to_dict()
        words = data.get("words")
        data["words"] = json.dumps(words, ensure_ascii=False) if words is not None else ""
        data["warps"] = json.dumps(data["warps"]) if data.get("warps") is not None else ""
        self._csv.writerow({key: _csv_value(key, data.get(key)) for key in self.columns})

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _csv_value(key: str, value: object) -> object:
    """A cell: None empty, a text on one line; a path exactly as it is (csv quotes it), so
    that a resumed run knows the input."""
    if value is None:
        return ""
    if isinstance(value, str) and key != "audio_filepath":
        return " ".join(value.split())
    return value


class PerFileWriter:
    """One `.txt`, `.srt` or `.vtt` per input, mirroring the input tree under `folder`."""

    def __init__(self, folder: Path, fmt: str, resume: bool, input_root: str | Path | None):
        if folder.suffix.lower() in (".jsonl", ".json", ".csv", ".txt", ".srt", ".vtt"):
            raise ValueError(
                f"format={fmt} writes one file per input: give a folder as output. "
                f"Received: output={str(folder)!r}"
            )
        self.folder = folder
        self.fmt = fmt
        self.input_root = Path(input_root) if input_root else None
        self._index = JsonlWriter(folder / INDEX_FILE, resume)

    def finished_inputs(self) -> set[str]:
        return self._index.finished_inputs()

    def target(self, audio_filepath: str, offset: float | None = None) -> Path:
        """Where the file for one input goes: its path below the input root, new suffix; a
        segment's name ends in its offset in milliseconds (`talk-0012500.srt`)."""
        path = Path(audio_filepath)
        try:
            relative = path.resolve().relative_to(self.input_root.resolve())
        except (AttributeError, ValueError):
            relative = Path(path.name)
        if offset is not None:
            relative = relative.with_name(utterance_id(str(relative), offset) + relative.suffix)
        return self.folder / relative.with_suffix("." + self.fmt)

    def write(self, result: TranscriptionResult, row: dict | None = None) -> None:
        if result.error is None:
            target = self.target(result.audio_filepath, result.offset)
            target.parent.mkdir(parents=True, exist_ok=True)
            write_text(target, render_text(result, self.fmt))
        self._index.write(result)

    def flush(self) -> None:
        self._index.flush()

    def close(self) -> None:
        self._index.close()


class ScliteWriter:
    """sclite's `trn` (every input a line; a failed one with no words, as evaluation scores
    it) or `ctm` (every timed word a line), with a JSONL index of every row beside it."""

    def __init__(self, path: Path, fmt: str, resume: bool):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        self._index = JsonlWriter(path.with_name(path.name + ".jsonl"), resume, None)
        if resume:
            drop_partial_row(path)
        self._file = path.open("a" if resume else "w", encoding="utf-8", errors=TEXT_ERRORS)

    def finished_inputs(self) -> set[str]:
        return self._index.finished_inputs()

    def write(self, result: TranscriptionResult, row: dict | None = None) -> None:
        if self.fmt == "trn":
            name = utterance_id(result.audio_filepath, result.offset, row)
            lines = [trn_line(result.text, name)]
        else:
            lines = ctm_lines(recording_id(result.audio_filepath), result.words or [])
        self._file.writelines(line + "\n" for line in lines)
        self._index.write(result)

    def flush(self) -> None:
        self._file.flush()
        self._index.flush()

    def close(self) -> None:
        self._file.close()
        self._index.close()


def render_text(result: TranscriptionResult, fmt: str) -> str:
    """The content of one per-input file: plain text, SRT or WebVTT."""
    if fmt == "txt":
        return (result.text or "") + "\n"
    cues = subtitle_cues(result.words or [])
    if fmt == "srt":
        blocks = [
            f"{i}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{text}\n"
            for i, (start, end, text) in enumerate(cues, start=1)
        ]
        return "\n".join(blocks)
    blocks = [f"{_clock(start, '.')} --> {_clock(end, '.')}\n{text}\n" for start, end, text in cues]
    return "\n".join(["WEBVTT\n", *blocks])


def subtitle_cues(
    words: Sequence, max_chars: int = 42, max_seconds: float = 6.0, max_gap: float = 1.0
) -> list[tuple[float, float, str]]:
    """Groups timed words into (start, end, text) cues of readable length.

    A cue closes before a word that would make it longer than `max_chars` characters or
    `max_seconds`, or that follows a pause longer than `max_gap` seconds.
    """
    cues: list[tuple[float, float, str]] = []
    current: list = []
    for word in words:
        if current and _starts_new_cue(current, word, max_chars, max_seconds, max_gap):
            cues.append(_cue(current))
            current = []
        current.append(word)
    if current:
        cues.append(_cue(current))
    return cues


def _starts_new_cue(current: list, word, max_chars: int, max_seconds: float, gap: float) -> bool:
    text_length = sum(len(w.word) + 1 for w in current) + len(word.word)
    return (
        text_length > max_chars
        or word.end - current[0].start > max_seconds
        or word.start - current[-1].end > gap
    )


def _cue(words: list) -> tuple[float, float, str]:
    return words[0].start, words[-1].end, " ".join(w.word for w in words)


def _clock(seconds: float, separator: str) -> str:
    """HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (WebVTT)."""
    millis = int(round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"
