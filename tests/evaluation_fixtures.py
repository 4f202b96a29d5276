"""Evaluation cases for tests: a manifest and predictions written from dicts, and a fast
`run_evaluation` over them (shared by the evaluation, comparison and HTML report tests)."""

from __future__ import annotations

import json
from pathlib import Path

from speech_lstm.data.manifest import Utterance, write_manifest
from speech_lstm.evaluation import run_evaluation
from speech_lstm.evaluation.config import EvaluateConfig


def write_case(
    folder: Path,
    references: dict[str, str],
    hypotheses: dict[str, str],
    speakers: dict[str, str] | None = None,
    durations: dict[str, float] | None = None,
    predictions_name: str = "pred.jsonl",
) -> tuple[Path, Path]:
    """Writes a manifest and a predictions file keyed by made-up wav names; returns both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "test.jsonl"
    write_manifest(
        manifest,
        [
            Utterance(
                str(folder / f"{name}.wav"),
                (durations or {}).get(name, 1.0),
                text,
                (speakers or {}).get(name),
            )
            for name, text in references.items()
        ],
    )
    predictions = folder / predictions_name
    rows = [
        {"audio_filepath": str(folder / f"{name}.wav"), "text": text, "duration": 1.0}
        for name, text in hypotheses.items()
    ]
    predictions.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return manifest, predictions


def evaluate(manifest: Path, predictions: Path, output_dir: Path, **settings) -> dict:
    """run_evaluation in predictions mode, with a small bootstrap to stay fast."""
    settings.setdefault("bootstrap_samples", 200)
    return run_evaluation(
        EvaluateConfig(str(manifest), str(output_dir), predictions=str(predictions), **settings)
    )
