"""Scoring known pairs, joining predictions, the written reports and the tolerance gate."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import jiwer
import pytest

from speech_lstm.data.manifest import Utterance, write_manifest
from speech_lstm.evaluation import (
    ErrorCounts,
    NormalizerConfig,
    read_predictions,
    run_evaluation,
    score,
    score_utterances,
    write_report,
)
from speech_lstm.evaluation.config import EvaluateConfig
from tests.evaluation_fixtures import evaluate, write_case

ROOT = Path(__file__).resolve().parents[1]


# ---- scoring known pairs --------------------------------------------------------------------


def test_known_counts():
    counts = score(
        ["the cat sat", "on the mat", "it was", "hello"],
        ["the cat sit", "on mat", "it was late", "hello"],
    )
    assert (counts.substitutions, counts.deletions, counts.insertions) == (1, 1, 1)
    assert counts.hits == 7 and counts.n_words == 9 and counts.n_utterances == 4
    assert counts.wer == pytest.approx(3 / 9)
    assert counts.ser == pytest.approx(3 / 4) and counts.n_sentence_errors == 3
    assert counts.mer == pytest.approx(3 / 10)
    assert counts.wil == pytest.approx(1 - 7 * 7 / (9 * 9))


def test_rates_agree_with_jiwer_on_nonempty_references():
    references = ["a b c d", "the quick brown fox", "one two", "x y z"]
    hypotheses = ["a x c d e", "quick brown fox jumps", "", "x y z"]
    counts = score(references, hypotheses)
    expected = jiwer.process_words(references, hypotheses)
    assert counts.wer == pytest.approx(expected.wer)
    assert counts.mer == pytest.approx(expected.mer)
    assert counts.wil == pytest.approx(expected.wil)
    assert counts.cer == pytest.approx(jiwer.process_characters(references, hypotheses).cer)


def test_per_utterance_counts_and_alignment():
    first, second = score_utterances(
        ["the cat sat on the mat", "go"], ["oh the bat sat the mat", ""]
    )
    assert (first.words.substitutions, first.words.deletions, first.words.insertions) == (1, 1, 1)
    assert first.n_words == 6 and first.wer == pytest.approx(3 / 6)
    assert [(s.op, s.ref, s.hyp) for s in first.alignment] == [
        ("insert", None, "oh"),
        ("equal", "the", "the"),
        ("substitute", "cat", "bat"),
        ("equal", "sat", "sat"),
        ("delete", "on", None),
        ("equal", "the", "the"),
        ("equal", "mat", "mat"),
    ]
    assert second.words.deletions == 1 and second.wer == 1.0
    assert [(s.op, s.ref, s.hyp) for s in second.alignment] == [("delete", "go", None)]


def test_character_error_rate():
    counts = score(["abcd"], ["abxd"])
    assert counts.cer == pytest.approx(1 / 4)
    assert counts.char_substitutions == 1


def test_empty_references_count_insertions_without_division_by_zero():
    assert score([""], [""]).wer == 0.0
    counts = score(["", "a b"], ["x y", "a b"])
    assert counts.insertions == 2 and counts.n_words == 2 and counts.wer == pytest.approx(1.0)
    assert score([""], ["x"]).wer == 1.0
    only_empty = score_utterances([""], ["x y"])[0]
    assert only_empty.wer == 1.0 and [s.op for s in only_empty.alignment] == ["insert", "insert"]
    assert score(["", ""], ["", ""]).mer == 0.0 and score([""], ["a"]).wil == 1.0


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="one hypothesis per reference"):
        score(["a"], [])


# ---- run_evaluation: joining predictions and writing reports --------------------------------


def test_run_evaluation_on_predictions(tmp_path):
    manifest = tmp_path / "test.jsonl"
    write_manifest(
        manifest,
        [
            Utterance(str(tmp_path / "a.wav"), 1.0, "Hello world"),
            Utterance(str(tmp_path / "b.wav"), 1.0, "good morning"),
        ],
    )
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(
        json.dumps({"audio_filepath": str(tmp_path / "a.wav"), "text": "hello word"})
        + "\n"
        + json.dumps({"audio_filepath": str(tmp_path / "b.wav"), "text": None, "error": "x"})
        + "\n"
    )
    report = evaluate(manifest, predictions, tmp_path / "eval")
    assert report["substitutions"] == 1 and report["deletions"] == 2
    assert report["wer"] == pytest.approx(3 / 4)
    saved = json.loads((tmp_path / "eval" / "report.json").read_text())
    for key in (
        "wer",
        "cer",
        "substitutions",
        "deletions",
        "insertions",
        "n_utterances",
        "n_words",
    ):
        assert key in saved
    for key in ("ser", "mer", "wil", "hits", "wer_ci", "normalizer", "config", "by_duration"):
        assert key in saved
    assert saved["failed_predictions"] == [str(tmp_path / "b.wav")]
    assert "| 2 | 4 |" in (tmp_path / "eval" / "report.md").read_text()
    for name in ("report.md", "report.html", "per_utterance.jsonl"):
        assert (tmp_path / "eval" / name).is_file()


def test_missing_predictions_are_deletions_and_unknown_ones_are_ignored(tmp_path, caplog):
    manifest, predictions = write_case(
        tmp_path,
        {"a": "one two three", "b": "four five", "c": "six"},
        {"a": "one two three", "c": "six", "stray": "nobody said this"},
    )
    with caplog.at_level(logging.WARNING):
        report = evaluate(manifest, predictions, tmp_path / "eval")
    assert (report["deletions"], report["insertions"], report["n_words"]) == (2, 0, 6)
    assert report["wer"] == pytest.approx(2 / 6)
    warnings = caplog.text
    assert "no prediction" in warnings and str(tmp_path / "b.wav") in warnings
    assert "match no manifest utterance" in warnings and str(tmp_path / "stray.wav") in warnings
    saved = json.loads(Path(report["report_json"]).read_text())
    assert saved["missing_predictions"] == [str(tmp_path / "b.wav")]
    assert saved["unknown_predictions"] == [str(tmp_path / "stray.wav")]
    assert (
        "Missing predictions (1, scored as full deletions)" in Path(report["report_md"]).read_text()
    )


def test_join_on_id_when_both_sides_have_one(tmp_path):
    manifest = tmp_path / "test.jsonl"
    rows = [
        {"id": "u1", "audio_filepath": "x/1.wav", "duration": 1.0, "text": "yes"},
        {"id": "u2", "audio_filepath": "x/2.wav", "duration": 1.0, "text": "no"},
    ]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(
        json.dumps({"id": "u2", "text": "no"}) + "\n" + json.dumps({"id": "u1", "text": "yes"})
    )
    report = evaluate(manifest, predictions, tmp_path / "eval")
    assert report["wer"] == 0.0
    saved = json.loads(Path(report["report_json"]).read_text())
    assert saved["join_key"] == "id" and set(saved["utterance_errors"]) == {"u1", "u2"}


def test_csv_predictions_and_relative_paths(tmp_path):
    manifest, _ = write_case(tmp_path, {"a": "red green", "b": "blue"}, {})
    predictions = tmp_path / "pred.csv"
    predictions.write_text('audio_filepath,text\na.wav,"Red, green!"\nb.wav,blue\n')
    report = evaluate(manifest, predictions, tmp_path / "eval")
    assert report["wer"] == 0.0 and report["n_utterances"] == 2
    assert read_predictions(predictions)[str(Path("b.wav").resolve())] == "blue"


def test_report_files_hold_breakdowns_alignments_and_per_utterance_rows(tmp_path):
    manifest, predictions = write_case(
        tmp_path,
        {"a": "the cat sat", "b": "on the mat", "c": "a long sentence about seven dogs"},
        {"a": "the cat sit", "b": "on mat", "c": "a long sentence about 7 dogs and"},
        speakers={"a": "ann", "b": "bob", "c": "bob"},
        durations={"a": 1.0, "b": 3.0, "c": 12.0},
    )
    report = evaluate(
        manifest, predictions, tmp_path / "eval", normalizer=NormalizerConfig(spell_numbers=True)
    )
    assert (report["substitutions"], report["deletions"], report["insertions"]) == (1, 1, 1)
    saved = json.loads(Path(report["report_json"]).read_text())
    speakers = {g["name"]: g for g in saved["by_speaker"]}
    assert speakers["ann"]["wer"] == pytest.approx(1 / 3) and speakers["bob"]["n_words"] == 9
    assert [g["name"] for g in saved["by_duration"]] == ["0-2 s", "2-5 s", "10-20 s"]
    assert saved["frequent_errors"]["substitutions"] == [{"ref": "sat", "hyp": "sit", "count": 1}]
    assert saved["frequent_errors"]["deletions"] == [{"word": "the", "count": 1}]
    assert saved["normalizer"]["spell_numbers"] is True
    assert "numbers spelt out" in saved["normalizer"]["description"]
    lo, hi = saved["wer_ci"]["low"], saved["wer_ci"]["high"]
    assert lo <= saved["wer"] <= hi
    rows = [json.loads(x) for x in Path(report["per_utterance"]).read_text().splitlines()]
    assert [r["errors"] for r in rows] == [1, 1, 1]
    assert rows[0]["alignment"][2] == {"op": "substitute", "ref": "sat", "hyp": "sit"}
    markdown = Path(report["report_md"]).read_text()
    assert "| | Snt | Wrd | Corr | Sub | Del | Ins | Err | S.Err |" in markdown
    assert "| count | 3 | 12 | 10 | 1 | 1 | 1 | 3 | 3 |" in markdown
    assert "## WER by speaker" in markdown and "## 3 worst utterances" in markdown
    assert "REF: the cat SAT" in markdown and "HYP: the cat SIT" in markdown


def test_run_evaluation_needs_exactly_one_source(tmp_path):
    with pytest.raises(ValueError, match="exactly one"):
        run_evaluation(EvaluateConfig("m.jsonl", str(tmp_path)))


def test_empty_manifest_is_an_error(tmp_path):
    manifest, predictions = write_case(tmp_path, {}, {"a": "x"})
    with pytest.raises(ValueError, match="no utterances"):
        evaluate(manifest, predictions, tmp_path / "eval")


def test_bad_settings_fail_early():
    with pytest.raises(ValueError, match="tolerance"):
        EvaluateConfig("m", "o", predictions="p", tolerance=-0.1)
    with pytest.raises(ValueError, match="confidence"):
        EvaluateConfig("m", "o", predictions="p", confidence=1.5)


def test_write_report_accepts_bare_counts(tmp_path):
    counts = score(["a b"], ["a c"])
    paths = write_report(counts, tmp_path, {"manifest": "m.jsonl"})
    saved = json.loads(paths["json"].read_text())
    assert saved["wer"] == 0.5 and saved["manifest"] == "m.jsonl"
    assert isinstance(counts, ErrorCounts) and paths["html"].is_file()


# ---- the script and its tolerance gate ------------------------------------------------------


def run_evaluate_script(tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "evaluate.py"),
            f"hydra.run.dir={tmp_path / 'hydra'}",
            "bootstrap_samples=100",
            *overrides,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


@pytest.fixture
def gate_case(tmp_path) -> list[str]:
    """Overrides for a case with WER 1/6: one deletion in six reference words."""
    manifest, predictions = write_case(
        tmp_path,
        {"a": "one two three four five", "b": "six"},
        {"a": "one two three four", "b": "six"},
    )
    return [f"manifest={manifest}", f"predictions={predictions}", f"output_dir={tmp_path / 'e'}"]


def test_tolerance_gate_exits_3_when_wer_is_above(tmp_path, gate_case):
    done = run_evaluate_script(tmp_path, *gate_case, "tolerance=0.15")
    assert done.returncode == 3, done.stderr
    assert "WER 16.67% exceeds tolerance 15.00%" in done.stderr
    report = json.loads((tmp_path / "e" / "report.json").read_text())
    assert report["passed"] is False and report["tolerance"] == 0.15
    assert "**FAIL**" in (tmp_path / "e" / "report.md").read_text()


def test_tolerance_gate_exits_0_when_wer_is_within(tmp_path, gate_case):
    done = run_evaluate_script(tmp_path, *gate_case, "tolerance=0.2", "normalizer=numbers")
    assert done.returncode == 0, done.stderr
    assert "WER 16.67%" in done.stdout
    assert json.loads((tmp_path / "e" / "report.json").read_text())["passed"] is True
