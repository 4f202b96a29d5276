import json

import pytest

from speech_lstm.config import EvaluateConfig
from speech_lstm.data.manifest import Utterance, write_manifest
from speech_lstm.evaluation import run_evaluation, score


def test_known_counts():
    counts = score(
        ["the cat sat", "on the mat", "it was", "hello"],
        ["the cat sit", "on mat", "it was late", "hello"],
    )
    assert (counts.substitutions, counts.deletions, counts.insertions) == (1, 1, 1)
    assert counts.hits == 7 and counts.n_words == 9 and counts.n_utterances == 4
    assert counts.wer == pytest.approx(3 / 9)


def test_character_error_rate():
    counts = score(["abcd"], ["abxd"])
    assert counts.cer == pytest.approx(1 / 4)
    assert counts.char_substitutions == 1


def test_empty_references_count_insertions_without_division_by_zero():
    assert score([""], [""]).wer == 0.0
    counts = score(["", "a b"], ["x y", "a b"])
    assert counts.insertions == 2 and counts.n_words == 2 and counts.wer == pytest.approx(1.0)
    assert score([""], ["x"]).wer == 1.0


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError, match="one hypothesis per reference"):
        score(["a"], [])


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
    config = EvaluateConfig(str(manifest), str(tmp_path / "eval"), predictions=str(predictions))
    report = run_evaluation(config)
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
    assert "| 2 | 4 |" in (tmp_path / "eval" / "report.md").read_text()


def test_run_evaluation_needs_exactly_one_source(tmp_path):
    with pytest.raises(ValueError, match="exactly one"):
        run_evaluation(EvaluateConfig("m.jsonl", str(tmp_path)))
