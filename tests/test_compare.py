"""scripts/compare.py and speech_lstm.evaluation.compare on reports with known figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from speech_lstm.evaluation.compare import compare_reports, comparison_markdown
from tests.evaluation_fixtures import evaluate, write_case

ROOT = Path(__file__).resolve().parents[1]
REFERENCES = {f"u{i:02d}": f"w{i} alpha beta gamma delta" for i in range(40)}


def report_dropping_last_word(tmp_path: Path, name: str, dropped: set[str]) -> Path:
    """Evaluates a system that drops the last word of the `dropped` utterances."""
    hypotheses = {
        key: text.rsplit(" ", 1)[0] if key in dropped else text for key, text in REFERENCES.items()
    }
    manifest, predictions = write_case(
        tmp_path / "data", REFERENCES, hypotheses, predictions_name=f"{name}.jsonl"
    )
    return Path(evaluate(manifest, predictions, tmp_path / name)["report_json"])


@pytest.fixture
def reports(tmp_path) -> dict[str, Path]:
    every = set(REFERENCES)
    few = {f"u{i:02d}" for i in range(4)}
    return {
        "baseline": report_dropping_last_word(tmp_path, "baseline", every),
        "better": report_dropping_last_word(tmp_path, "better", few),
        "same": report_dropping_last_word(tmp_path, "same", every),
    }


def test_compare_two_known_reports(reports):
    comparison = compare_reports(
        [reports["baseline"], reports["better"], reports["same"]], samples=500
    )
    better, same = comparison.tests
    assert better.n_utterances == 40 and better.wer_a == pytest.approx(0.2)
    assert better.wer_b == pytest.approx(0.02) and better.delta == pytest.approx(-0.18)
    assert better.significant and better.high < 0
    assert same.delta == 0 and not same.significant
    markdown = comparison_markdown(comparison)
    assert "| Figure | baseline | better | Δ better | same | Δ same |" in markdown
    assert "| WER | 20.00% | 2.00% | -18.00 pp | 20.00% | +0.00 pp |" in markdown
    assert "| Del | 40 | 4 | -36 | 40 | +0 |" in markdown
    assert "better has lower WER than baseline (-18.00 pp on 40 common utterances): " in markdown
    assert "significant at 95%" in markdown and "not significant at 95%" in markdown


def test_compare_uses_per_utterance_file_and_warns_on_partial_overlap(reports, tmp_path):
    stripped = json.loads(reports["better"].read_text())
    del stripped["utterance_errors"]
    reports["better"].write_text(json.dumps(stripped))
    subset = tmp_path / "subset" / "report.json"
    subset.parent.mkdir()
    partial = json.loads(reports["same"].read_text())
    partial["utterance_errors"] = dict(list(partial["utterance_errors"].items())[:10])
    subset.write_text(json.dumps(partial))
    comparison = compare_reports([reports["baseline"], reports["better"], subset], samples=200)
    assert comparison.tests[0].n_utterances == 40
    assert comparison.tests[1].n_utterances == 10
    assert any("share 10 utterances" in w for w in comparison.warnings)


def test_compare_script_prints_markdown_and_writes_html(reports, tmp_path):
    page = tmp_path / "comparison.html"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "compare.py"),
            str(reports["baseline"]),
            str(reports["better"]),
            "--html",
            str(page),
            "--samples",
            "300",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Comparison of 2 evaluation reports")
    assert "| WER | 20.00% | 2.00% | -18.00 pp |" in done.stdout
    html = page.read_text()
    assert "<table>" in html and "significant at 95%" in html and "http" not in html


def test_compare_needs_two_reports_with_per_utterance_errors(reports, tmp_path):
    with pytest.raises(ValueError, match="at least two"):
        compare_reports([reports["baseline"]])
    bare = tmp_path / "bare" / "report.json"
    bare.parent.mkdir()
    bare.write_text(json.dumps({"wer": 0.1}))
    with pytest.raises(ValueError, match="no per-utterance errors"):
        compare_reports([reports["baseline"], bare])
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "compare.py"), str(reports["baseline"])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "at least two" in done.stderr


def test_the_same_test_set_in_two_checkouts_compares_by_path_inside_it(tmp_path, monkeypatch):
    """Absolute audio paths differ between checkouts; paths inside the manifest's folder match."""
    every = set(REFERENCES)
    first = report_dropping_last_word(tmp_path / "checkout_a", "baseline", every)
    second = report_dropping_last_word(tmp_path / "checkout_b", "better", set())
    comparison = compare_reports([first, second], samples=200)
    assert comparison.tests[0].n_utterances == 40 and comparison.tests[0].significant
    assert not comparison.warnings
    # a manifest given relative to the working directory, as the recipes do
    monkeypatch.chdir(tmp_path / "checkout_b")
    manifest, predictions = Path("data/test.jsonl"), Path("data/better.jsonl")
    relative = Path(evaluate(manifest, predictions, tmp_path / "relative")["report_json"])
    assert json.loads(relative.read_text())["manifest"] == "data/test.jsonl"
    assert compare_reports([relative, second], samples=200).tests[0].n_utterances == 40
    # the same file names with other references are another test set: no test
    other_texts = {key: f"{text} epsilon" for key, text in REFERENCES.items()}
    manifest, predictions = write_case(tmp_path / "checkout_c" / "data", other_texts, other_texts)
    third = Path(evaluate(manifest, predictions, tmp_path / "checkout_c" / "eval")["report_json"])
    comparison = compare_reports([first, third], samples=200)
    assert comparison.tests == [None]
    assert any("references differ" in warning for warning in comparison.warnings)
