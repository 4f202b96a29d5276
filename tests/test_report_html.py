"""report.html: self-contained, and rendered by headless Chromium with its charts and no errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import chromium_driver
from tests.evaluation_fixtures import evaluate, write_case


@pytest.fixture
def report_html(tmp_path) -> Path:
    manifest, predictions = write_case(
        tmp_path / "data",
        {"a": "the cat sat", "b": "on the mat", "c": "a dog ran far away", "d": "hello <b>&"},
        {"a": "the cat sit", "b": "on mat", "c": "a dog ran far far away", "d": "hello"},
        speakers={"a": "ann", "b": "bob", "c": "bob", "d": "cy"},
        durations={"a": 1.0, "b": 3.0, "c": 7.5, "d": 12.0},
    )
    return Path(evaluate(manifest, predictions, tmp_path / "eval")["report_html"])


def test_report_html_is_self_contained(report_html):
    page = report_html.read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)
    assert "<script" not in page and "@import" not in page and "url(" not in page
    charts = re.findall(
        r'<figure class="plot" id="([\w-]+)"><img src="data:image/svg\+xml;base64,', page
    )
    assert charts == ["error-types", "wer-by-speaker", "wer-by-duration"]
    for text in ("Snt", "S.Err", "WER by speaker", "Most frequent errors", "worst utterances"):
        assert text in page


def test_report_renders_in_headless_chromium(report_html, tmp_path):
    with chromium_driver(tmp_path / "chromium-profile") as browser:
        browser.get(report_html.resolve().as_uri())
        assert browser.title == "Evaluation report"
        state = browser.execute_script(
            "return Array.from(document.querySelectorAll('figure.plot img')).map("
            "img => [img.closest('figure').id, img.complete, img.naturalWidth, img.naturalHeight])"
        )
        screenshot = tmp_path / "report.png"
        assert browser.save_screenshot(str(screenshot))
        console = browser.get_log("browser")
    assert [s[0] for s in state] == ["error-types", "wer-by-speaker", "wer-by-duration"]
    assert all(complete and width > 100 and height > 50 for _, complete, width, height in state)
    severe = [entry for entry in console if entry["level"] == "SEVERE"]
    assert severe == [], severe
    assert screenshot.stat().st_size > 10_000
