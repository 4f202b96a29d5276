"""Files other tools read and write: a manifest transcribed NeMo-style (its rows + `pred_text`),
manifest segments (`offset`, `duration`) of one long recording, and sclite's trn and ctm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speech_lstm.transcription import run_transcription
from speech_lstm.transcription.config import TranscribeConfig
from tests.evaluation_fixtures import evaluate
from tests.transcription_fixtures import loudness_model, save, write_bursts

# write_bursts: noise bursts at 0.5-0.9 s, 1.5-1.9 s and 2.5-2.9 s; the stub hears each as "a".
SEGMENTS = [(0.3, 0.8), (1.3, 0.8), (2.3, 0.8)]


@pytest.fixture(scope="module")
def stub_dir(tmp_path_factory):
    return save(loudness_model(), tmp_path_factory.mktemp("stub"))


@pytest.fixture
def manifest(tmp_path):
    """Three segments of one recording (relative path), two bad segments, a whole file."""
    write_bursts(tmp_path / "audio" / "talk.wav")
    write_bursts(tmp_path / "audio" / "two.wav", count=2)
    rows = [
        {"audio_filepath": "audio/talk.wav", "offset": o, "duration": d, "text": "a", "id": i}
        for i, (o, d) in zip(("s1", "s2", "s3"), SEGMENTS)
    ]
    rows += [
        {"audio_filepath": "audio/talk.wav", "offset": 9.0, "duration": 1.0, "text": "a"},
        {"audio_filepath": "audio/talk.wav", "offset": -1.0, "duration": 1.0, "text": "a"},
        {"audio_filepath": "audio/two.wav", "duration": 2.5, "text": "a a", "lang": "en"},
    ]
    path = tmp_path / "data" / "test.jsonl"
    path.parent.mkdir()
    (tmp_path / "data" / "audio").symlink_to(tmp_path / "audio")
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def transcribe(stub_dir, source, output, **overrides) -> dict:
    config = TranscribeConfig(str(stub_dir), str(source), str(output), progress=False, **overrides)
    return run_transcription(config)


def read_jsonl(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_manifest_is_written_back_with_pred_text_and_its_segments(stub_dir, manifest, tmp_path):
    out = tmp_path / "out" / "pred.jsonl"
    summary = transcribe(stub_dir, manifest, out, timestamps=True, batch_size=2)
    assert summary == {"done": 4, "failed": 2, "skipped": 0}
    rows = {(r["audio_filepath"], r.get("offset")): r for r in read_jsonl(out)}
    talk, two = str(manifest.parent / "audio/talk.wav"), str(manifest.parent / "audio/two.wav")
    for index, (offset, duration) in enumerate(SEGMENTS):
        row = rows[(talk, offset)]
        assert row["pred_text"] == "a" and row["text"] == "a" and row["id"] == f"s{index + 1}"
        assert row["duration"] == duration  # the manifest's own fields, unchanged
        (word,) = row["words"]  # word times count from the start of the file
        assert offset + 0.1 < word["start"] < offset + 0.4
    assert rows[(two, None)]["pred_text"] == "a a" and rows[(two, None)]["lang"] == "en"
    beyond, negative = rows[(talk, 9.0)], rows[(talk, -1.0)]
    assert beyond["pred_text"] is None and "starts after the end" in beyond["error"]
    assert "offset must be a number >= 0" in negative["error"]
    # The output is a predictions file as it is: pred_text is scored against the references.
    report = evaluate(manifest, out, tmp_path / "eval")
    assert report["wer"] == pytest.approx(2 / 7)  # the two failed segments: deletions only
    references = Path(report["reference_trn"]).read_text().splitlines()
    hypotheses = Path(report["hypothesis_trn"]).read_text().splitlines()
    assert references[:3] == ["a (s1)", "a (s2)", "a (s3)"] and references[5] == "a a (two)"
    assert hypotheses[0] == "a (s1)" and hypotheses[3] == "(talk-0009000)"
    assert transcribe(stub_dir, manifest, out, resume=True) == {
        "done": 0,
        "failed": 0,
        "skipped": 6,
    }


def test_hypothesis_field_null_keeps_the_plain_layout(stub_dir, manifest, tmp_path):
    out = tmp_path / "plain.jsonl"
    transcribe(stub_dir, manifest, out, hypothesis_field=None)
    rows = read_jsonl(out)
    assert all("pred_text" not in row and "id" not in row for row in rows)
    segment = next(row for row in rows if row.get("offset") == 1.3)
    assert segment["text"] == "a" and segment["duration"] == pytest.approx(0.8)
    renamed = tmp_path / "renamed.jsonl"
    transcribe(stub_dir, manifest, renamed, hypothesis_field="hypothesis")
    assert {row["hypothesis"] for row in read_jsonl(renamed)} == {"a", "a a", None}


def test_a_segment_longer_than_a_chunk_is_stitched_on_the_file_s_clock(stub_dir, tmp_path):
    write_bursts(tmp_path / "long.wav", count=3)
    manifest = tmp_path / "m.jsonl"
    row = {"audio_filepath": "long.wav", "offset": 1.2, "duration": 2.0, "text": "a a"}
    manifest.write_text(json.dumps(row) + "\n")
    out = tmp_path / "p.jsonl"
    transcribe(
        stub_dir, manifest, out, chunk_seconds=1.0, chunk_search_seconds=0.3, timestamps=True
    )
    (result,) = read_jsonl(tmp_path / "p.jsonl")
    assert result["pred_text"] == "a a"
    starts = [word["start"] for word in result["words"]]  # bursts at 1.5 s and 2.5 s
    assert 1.4 < starts[0] < 1.7 and 2.4 < starts[1] < 2.7


def test_trn_and_ctm_outputs(stub_dir, manifest, tmp_path):
    trn = tmp_path / "hyp.trn"
    summary = transcribe(stub_dir, manifest, trn)
    assert summary["failed"] == 2
    lines = trn.read_text().splitlines()
    parsed = {}
    for line in lines:
        text, _, utterance = line.rpartition("(")
        parsed[utterance.rstrip(")")] = text.strip()
    assert parsed["s1"] == parsed["s2"] == parsed["s3"] == "a" and parsed["two"] == "a a"
    assert parsed["talk-0009000"] == "" and "talk--001000" in parsed  # failed: no words
    assert len(read_jsonl(tmp_path / "hyp.trn.jsonl")) == 6  # the index, for resuming
    assert transcribe(stub_dir, manifest, trn, resume=True)["skipped"] == 6
    assert len(trn.read_text().splitlines()) == 6

    ctm = tmp_path / "hyp.ctm"
    transcribe(stub_dir, manifest, ctm)
    words = [line.split() for line in ctm.read_text().splitlines()]
    assert len(words) == 3 + 2
    talk = sorted(float(w[2]) for w in words if w[0] == "talk")
    for (offset, _), start in zip(SEGMENTS, talk):  # times on the recording's clock
        assert offset + 0.1 < start < offset + 0.4
    assert {w[0] for w in words} == {"talk", "two"}
    for _, channel, _, duration, word, confidence in words:
        assert channel == "1" and word == "a" and float(duration) > 0
        assert 0 < float(confidence) <= 1
