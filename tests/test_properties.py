"""Property-based tests (hypothesis): the manifest reader, the text normaliser and the
transcription output writers, on arbitrary text, paths and numbers."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speech_lstm.data.manifest import (
    MAX_DURATION_S,
    Utterance,
    parse_manifest_line,
    read_manifest,
    write_manifest,
)
from speech_lstm.text import DEFAULT_CHARACTERS, normalize_text
from speech_lstm.transcription.output_formats import CsvWriter, JsonlWriter
from speech_lstm.transcription.results import TranscriptionResult

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Text a JSON file can hold: any code point but lone surrogates.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
FILE_NAME = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1, max_size=20
).filter(lambda name: name not in (".", "..") and not name.startswith("~"))


@FAST
@given(
    rows=st.lists(
        st.tuples(
            FILE_NAME,
            st.floats(0, MAX_DURATION_S, allow_nan=False),
            TEXT,
            st.none() | TEXT,
        ),
        max_size=5,
    )
)
def test_a_written_manifest_reads_back_the_same(rows):
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder).resolve()
        utterances = [Utterance(str(base / name), d, text, s) for name, d, text, s in rows]
        write_manifest(base / "m.jsonl", utterances)
        assert read_manifest(base / "m.jsonl") == utterances


@FAST
@given(line=TEXT | st.builds(json.dumps, st.dictionaries(TEXT, st.none() | TEXT | st.floats())))
def test_any_line_is_a_row_or_a_value_error_naming_it(line):
    try:
        utterance = parse_manifest_line(line, Path("/base"), "m.jsonl:7")
    except ValueError as error:
        assert str(error).startswith("m.jsonl:7: ")
    else:
        assert 0 <= utterance.duration <= MAX_DURATION_S
        assert isinstance(utterance.text, str) and Path(utterance.audio_filepath).is_absolute()


@FAST
@given(text=TEXT, characters=st.sampled_from([DEFAULT_CHARACTERS, " abc", " 0123456789"]))
def test_normalising_is_idempotent_and_keeps_only_the_alphabet(text, characters):
    once = normalize_text(text, characters)
    assert normalize_text(once, characters) == once
    assert set(once) <= set(characters) | {" "}
    assert once == once.strip() and "  " not in once


RESULTS = st.lists(
    st.builds(
        TranscriptionResult,
        audio_filepath=TEXT.filter(bool),
        text=st.none() | TEXT,
        duration=st.none() | st.floats(0, 1e5, allow_nan=False),
        error=st.none() | TEXT,
    ),
    max_size=5,
    unique_by=lambda r: r.audio_filepath,
)


@FAST
@given(results=RESULTS)
def test_jsonl_rows_read_back_and_resume_knows_every_input(results):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.jsonl"
        writer = JsonlWriter(path, resume=False)
        for result in results:
            writer.write(result)
        writer.close()
        lines = path.read_text(encoding="utf-8").split("\n")[:-1]  # not splitlines: U+0085
        rows = [json.loads(line) for line in lines]
        assert rows == [r.to_dict() for r in results]
        resumed = JsonlWriter(path, resume=True)
        resumed.close()
        assert resumed.finished_inputs() == {r.audio_filepath for r in results}


@FAST
@given(results=RESULTS)
def test_csv_resume_knows_every_input(results):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.csv"
        writer = CsvWriter(path, resume=False)
        for result in results:
            writer.write(result)
        writer.close()
        resumed = CsvWriter(path, resume=True)
        resumed.close()
        assert resumed.finished_inputs() == {r.audio_filepath for r in results}
