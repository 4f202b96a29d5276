"""Reading predictions (JSONL or CSV) and joining them with a manifest's utterances.

Rows join on an `id` field when both the manifest and the predictions carry one on every row,
otherwise on the audio path, resolved (and a segment's `offset`, so that several segments of
one file stay apart): a relative prediction path is taken against the current directory (what
`scripts/transcribe.py` writes for files) and, failing that, against the manifest's folder (a
manifest row copied as it is, NeMo-style) and the predictions file's.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from speech_lstm.data.manifest import Utterance, iter_jsonl_lines

ID_FIELD = "id"
PATH_FIELD = "audio_filepath"
# The hypothesis: NeMo's `pred_text` when a file has it (its `text` is then the reference),
# otherwise our own `text`.
HYPOTHESIS_FIELDS = ("pred_text", "text")


@dataclass(frozen=True)
class Prediction:
    """One prediction row; `error` is set when transcription failed (its text is then empty)."""

    text: str
    audio_filepath: str | None = None
    id: str | None = None
    duration: float | None = None
    error: str | None = None
    offset: float | None = None


@dataclass
class JoinedPredictions:
    """Hypotheses in manifest order, and what did not match.

    Attributes:
        key_field: "id" or "audio_filepath", what the rows were joined on.
        keys: each utterance's join key, in manifest order.
        hypotheses: raw hypothesis per utterance; "" where missing or failed.
        missing: keys of utterances without a prediction (scored as full deletions).
        failed: keys whose prediction carries an `error` (scored with an empty hypothesis).
        unknown: keys of predictions that match no utterance (ignored).
        duplicates: keys predicted more than once (the last row wins).
    """

    key_field: str
    keys: list[str]
    hypotheses: list[str]
    missing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def load_predictions(path: str | Path) -> list[Prediction]:
    """Reads a predictions file: JSON Lines, or CSV/TSV (by suffix) with a header row.

    Each row needs `audio_filepath` or `id`, and the hypothesis (null or absent when `error`
    is set): `pred_text` in a file where any row has it (NeMo's convention, whose `text` is the
    reference), otherwise `text`.

    Raises:
        FileNotFoundError: when `path` does not exist.
        ValueError: on a malformed row, or a row without the file's hypothesis field, naming
            the file and line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Predictions file not found: {path}")
    rows = _csv_rows(path) if path.suffix.lower() in (".csv", ".tsv") else _jsonl_rows(path)
    hypothesis = hypothesis_field([row for _, row in rows])
    return [_prediction(row, f"{path}:{number}", hypothesis) for number, row in rows]


def hypothesis_field(rows: Sequence[object]) -> str:
    """`pred_text` when any row has it, else `text`: the field holding the hypothesis."""
    has = {
        name for row in rows if isinstance(row, dict) for name in HYPOTHESIS_FIELDS if name in row
    }
    return HYPOTHESIS_FIELDS[0] if HYPOTHESIS_FIELDS[0] in has else HYPOTHESIS_FIELDS[1]


def read_predictions(path: str | Path) -> dict[str, str]:
    """Reads predictions into {resolved audio path: text}; failed rows count as empty text."""
    return {
        str(Path(p.audio_filepath).expanduser().resolve()): p.text
        for p in load_predictions(path)
        if p.audio_filepath is not None
    }


def join_predictions(
    utterances: Sequence[Utterance],
    manifest_ids: Sequence[str | None],
    predictions: Sequence[Prediction],
    predictions_dir: str | Path = ".",
    manifest_dir: str | Path | None = None,
) -> JoinedPredictions:
    """Matches predictions to utterances by id (when both sides have ids) or by audio path
    (with a segment's offset).

    Args:
        utterances: the manifest, read with `read_manifest` (absolute audio paths).
        manifest_ids: each manifest row's `id`, or None; same length as `utterances`.
        predictions: rows from `load_predictions`.
        predictions_dir: folder that relative prediction paths may be relative to.
        manifest_dir: another such folder: the manifest's.
    """
    by_id = bool(predictions) and all(manifest_ids) and all(p.id for p in predictions)
    if by_id:
        keys = [str(i) for i in manifest_ids]
    else:
        keys = [_segment_key(str(Path(u.audio_filepath).resolve()), u.offset) for u in utterances]
    known = set(keys)
    found: dict[str, Prediction] = {}
    joined = JoinedPredictions(ID_FIELD if by_id else PATH_FIELD, keys, [])
    folders = [predictions_dir] if manifest_dir is None else [manifest_dir, predictions_dir]
    for prediction in predictions:
        key = str(prediction.id) if by_id else _path_key(prediction, known, folders)
        if key not in known:
            joined.unknown.append(key)
            continue
        if key in found:
            joined.duplicates.append(key)
        found[key] = prediction
    for key in keys:
        prediction = found.get(key)
        joined.hypotheses.append(prediction.text if prediction else "")
        if prediction is None:
            joined.missing.append(key)
        elif prediction.error:
            joined.failed.append(key)
    return joined


def manifest_ids(path: str | Path) -> list[str | None]:
    """Each manifest row's optional `id` field, in the order `read_manifest` returns rows."""
    ids = []
    with Path(path).open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                value = json.loads(line).get(ID_FIELD)
                ids.append(None if value is None else str(value))
    return ids


def _segment_key(path: str, offset: float | None) -> str:
    """A resolved path, with `@offset` for a segment of the file."""
    return path if offset is None else f"{path}@{offset:g}"


def _path_key(prediction: Prediction, known: set[str], folders: Sequence[str | Path]) -> str:
    if prediction.audio_filepath is None:
        return f"{ID_FIELD}:{prediction.id}"
    path = Path(prediction.audio_filepath).expanduser()
    key = _segment_key(str(path.resolve()), prediction.offset)
    if path.is_absolute():
        return key
    for folder in folders:
        if key in known:
            break
        beside = _segment_key(str((Path(folder) / path).resolve()), prediction.offset)
        key = beside if beside in known else key
    return key


def _jsonl_rows(path: Path) -> list[tuple[int, dict]]:
    rows = []
    for number, line in iter_jsonl_lines(path):
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{path}:{number}: not valid JSON ({error.msg}). Received: {line[:200]!r}"
            ) from None
    return rows


def _csv_rows(path: Path) -> list[tuple[int, dict]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        return [(number, dict(row)) for number, row in enumerate(reader, start=2)]


def _prediction(row: object, where: str, hypothesis: str = "text") -> Prediction:
    if not isinstance(row, dict) or not (row.get(PATH_FIELD) or row.get(ID_FIELD)):
        keys = sorted(row) if isinstance(row, dict) else row
        raise ValueError(f"{where}: a prediction needs audio_filepath or id. Received: {keys}")
    if hypothesis not in row and not row.get("error"):
        raise ValueError(
            f"{where}: no hypothesis: this file's hypotheses are in `{hypothesis}` (`pred_text` "
            "when any row has it, as NeMo writes, else `text`), and this row has neither it "
            f"nor an error. Received: {sorted(row)}"
        )
    duration, offset = row.get("duration"), row.get("offset")
    return Prediction(
        text=str(row.get(hypothesis) or ""),
        audio_filepath=str(row[PATH_FIELD]) if row.get(PATH_FIELD) else None,
        id=str(row[ID_FIELD]) if row.get(ID_FIELD) not in (None, "") else None,
        duration=float(duration) if duration not in (None, "") else None,
        error=str(row["error"]) if row.get("error") else None,
        offset=_number(offset, "offset", where),
    )


def _number(value: object, name: str, where: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {name} must be a number. Received: {value!r}") from None
