"""Predictions in NeMo's convention: the reference in `text`, the hypothesis in `pred_text`.
Scoring such a file must score `pred_text`, never the reference against itself."""

from __future__ import annotations

import json

import pytest

from speech_lstm.data.manifest import Utterance, write_manifest
from speech_lstm.evaluation.predictions import load_predictions
from tests.evaluation_fixtures import evaluate


def write_jsonl(path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


def test_a_nemo_predictions_file_scores_pred_text(tmp_path):
    manifest = tmp_path / "test.jsonl"
    write_manifest(
        manifest,
        [
            Utterance(str(tmp_path / "a.wav"), 1.0, "hello world"),
            Utterance(str(tmp_path / "b.wav"), 1.0, "good morning"),
        ],
    )
    predictions = tmp_path / "nemo.jsonl"
    write_jsonl(
        predictions,
        [
            {
                "audio_filepath": str(tmp_path / "a.wav"),
                "text": "hello world",
                "pred_text": "hello word",
            },
            {
                "audio_filepath": str(tmp_path / "b.wav"),
                "text": "good morning",
                "pred_text": "good morning",
            },
        ],
    )
    assert [p.text for p in load_predictions(predictions)] == ["hello word", "good morning"]
    report = evaluate(manifest, predictions, tmp_path / "eval")
    assert report["wer"] == pytest.approx(1 / 4)


def test_a_row_without_the_file_s_hypothesis_field_is_refused(tmp_path):
    predictions = tmp_path / "mixed.jsonl"
    write_jsonl(
        predictions,
        [
            {"audio_filepath": "a.wav", "text": "ref a", "pred_text": "hyp a"},
            {"audio_filepath": "b.wav", "text": "ref b"},
        ],
    )
    with pytest.raises(ValueError, match=r"mixed.jsonl:2: no hypothesis.*pred_text"):
        load_predictions(predictions)
    neither = tmp_path / "neither.jsonl"
    write_jsonl(neither, [{"audio_filepath": "a.wav", "hypothesis": "hyp"}])
    with pytest.raises(ValueError, match="neither.jsonl:1: no hypothesis"):
        load_predictions(neither)
    failed = tmp_path / "failed.jsonl"
    write_jsonl(failed, [{"audio_filepath": "a.wav", "error": "unreadable"}])
    assert load_predictions(failed)[0].text == ""
