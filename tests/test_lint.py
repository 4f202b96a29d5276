"""Data lint on a manifest seeded with every defect it looks for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from speech_lstm.config import to_object
from speech_lstm.data.lint import AudioFacts, LintConfig, ctc_steps, lint_manifest
from speech_lstm.data.manifest import read_manifest
from speech_lstm.features import MfccConfig
from tests.conftest import compose
from tests.fixtures_corpora import REPO_ROOT, write_audio

EXPECTED_ERRORS = {
    "malformed row": [2],
    "unreadable audio": [3, 4],
    "empty audio": [5],
    "empty transcript": [7],
    "characters outside vocabulary": [8],
    "duplicate audio file": [9],
    "too short for CTC": [10],
}
EXPECTED_WARNINGS = {
    "silent audio": [6],
    "duration outlier": [11],
    "duration mismatch": [12],
    "mixed sample rates": [13],
    "mixed channel counts": [14],
}


def seeded_manifest(root: Path) -> Path:
    """Fourteen rows: line 1 is clean, every other line carries one defect (see EXPECTED_*)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "garbage.wav").write_bytes(b"RIFF but not really a wave file")
    soundfile.write(root / "empty.wav", np.zeros(0, dtype=np.float32), 16000)
    audio = {
        "a.wav": {"seconds": 1.0},
        "silent.wav": {"seconds": 0.8, "amplitude": 0.0},
        "b.wav": {"seconds": 1.2},
        "c.wav": {"seconds": 0.9},
        "short.wav": {"seconds": 0.1},
        "long.wav": {"seconds": 10.0},
        "d.wav": {"seconds": 1.1},
        "e8k.wav": {"seconds": 1.3, "sample_rate": 8000},
        "stereo.wav": {"seconds": 0.7, "channels": 2},
    }
    for name, options in audio.items():
        write_audio(root / name, **options)

    def row(name: str, text: str, duration: float | None = None) -> str:
        seconds = audio.get(name, {}).get("seconds", 0.0) if duration is None else duration
        return json.dumps({"audio_filepath": name, "duration": seconds, "text": text})

    lines = [
        row("a.wav", "hello world"),
        '{"audio_filepath": "a.wav", "duration": ',
        row("garbage.wav", "garbage", 1.0),
        row("missing.wav", "missing", 1.0),
        row("empty.wav", "empty"),
        row("silent.wav", "silence"),
        row("b.wav", ""),
        row("c.wav", "Hello!"),
        row("a.wav", "hello world"),
        row("short.wav", "this transcript is far too long for a tenth of a second"),
        row("long.wav", "a long one"),
        row("d.wav", "listed wrong", 5.0),
        row("e8k.wav", "eight kilohertz"),
        row("stereo.wav", "two channels"),
    ]
    manifest = root / "seeded.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def flagged_lines(report, check: str) -> list[int]:
    return [
        int(example.split(":")[0].removeprefix("line "))
        for example in report.checks[check].examples
    ]


def test_every_defect_is_found_with_its_severity(tmp_path):
    manifest = seeded_manifest(tmp_path / "corpus")
    report = lint_manifest(LintConfig(manifest=str(manifest), max_examples=10))
    for check, lines in {**EXPECTED_ERRORS, **EXPECTED_WARNINGS}.items():
        assert flagged_lines(report, check) == lines, check
        assert report.checks[check].count == len(lines)
    assert all(report.checks[c].severity == "error" for c in EXPECTED_ERRORS)
    assert all(report.checks[c].severity == "warning" for c in EXPECTED_WARNINGS)
    assert report.has_errors and report.total == 14
    assert report.error_lines == {line for lines in EXPECTED_ERRORS.values() for line in lines}
    assert report.sample_rates == {16000: 9, 8000: 1} and report.channels == {1: 9, 2: 1}
    table = report.table()
    assert "too short for CTC" in table and "8000 Hz x1" in table and "8 with errors" in table


def test_duration_bounds_add_outliers(tmp_path):
    manifest = seeded_manifest(tmp_path / "corpus")
    config = LintConfig(manifest=str(manifest), min_duration=0.5, max_duration=5.0)
    assert flagged_lines(lint_manifest(config), "duration outlier") == [10, 11]


def test_cleaned_manifest_has_no_errors(tmp_path):
    manifest = seeded_manifest(tmp_path / "corpus")
    cleaned = tmp_path / "corpus" / "cleaned.jsonl"
    report = lint_manifest(LintConfig(manifest=str(manifest), output=str(cleaned)))
    names = [Path(u.audio_filepath).name for u in read_manifest(cleaned)]
    assert names == ["a.wav", "silent.wav", "long.wav", "d.wav", "e8k.wav", "stereo.wav"]
    assert len(report.clean) == 6
    again = lint_manifest(LintConfig(manifest=str(cleaned)))
    assert not again.has_errors and again.checks["silent audio"].count == 1


def test_ctc_steps_follow_hop_and_subsampling():
    features = MfccConfig()  # 16 kHz, 10 ms hop: 1600 samples -> 11 frames
    assert ctc_steps(AudioFacts(frames=1600, sample_rate=16000), features, 3) == 4
    assert ctc_steps(AudioFacts(frames=800, sample_rate=8000), features, 3) == 4
    assert ctc_steps(AudioFacts(frames=1600, sample_rate=16000), features, 1) == 11


def test_lint_config_composes_with_model_and_features_groups():
    cfg = compose("lint_data", ["manifest=m.jsonl", "model=small", "features.hop_length_ms=20"])
    config = to_object(cfg)
    assert isinstance(config, LintConfig)
    assert config.model.subsampling == 3 and config.features.hop_length == 320


def run_lint_script(*overrides: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(REPO_ROOT / "scripts" / "lint_data.py"), *overrides]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_lint_script_exit_status(tmp_path):
    manifest = seeded_manifest(tmp_path / "corpus")
    cleaned = tmp_path / "cleaned.jsonl"
    run_dir = f"hydra.run.dir={tmp_path / 'run'}"
    result = run_lint_script(f"manifest={manifest}", f"output={cleaned}", run_dir)
    assert result.returncode == 1, result.stderr
    assert "characters outside vocabulary" in result.stdout
    assert "wrote 6 rows without errors" in result.stdout
    result = run_lint_script(f"manifest={cleaned}", run_dir)
    assert result.returncode == 0, result.stderr


def test_segments_of_one_file_are_checked_as_segments(tmp_path):
    """NeMo-style rows pointing into one long file: distinct segments are not duplicates,
    a segment past the file's end is an error, lengths and CTC steps are the segment's."""
    write_audio(tmp_path / "long.wav", seconds=6.0)

    def segment(offset: float, duration: float, text: str = "a few words") -> str:
        return json.dumps(
            {"audio_filepath": "long.wav", "offset": offset, "duration": duration, "text": text}
        )

    lines = [
        segment(0.0, 2.0),
        segment(2.0, 2.0),
        segment(4.0, 2.0),
        segment(7.0, 1.0),  # starts after the end of the 6 s file
        segment(5.0, 2.0),  # ends 1 s after it
        segment(2.0, 2.0),  # line 2 again
        segment(0.0, 0.1, "this transcript is far too long for a tenth of a second"),
    ]
    manifest = tmp_path / "segments.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cleaned = tmp_path / "cleaned.jsonl"
    report = lint_manifest(LintConfig(manifest=str(manifest), output=str(cleaned)))
    assert flagged_lines(report, "segment outside its file") == [4, 5]
    assert flagged_lines(report, "duplicate audio file") == [6]
    assert flagged_lines(report, "too short for CTC") == [7]
    assert report.checks["unreadable audio"].count == 0
    assert report.checks["duration mismatch"].count == 0
    assert report.error_lines == {4, 5, 6, 7}
    assert report.hours == pytest.approx((4 * 2.0 + 0.1) / 3600, rel=1e-3)  # readable rows
    kept = [(u.offset, u.duration) for u in read_manifest(cleaned)]
    assert kept == [(0.0, 2.0), (2.0, 2.0), (4.0, 2.0)]
