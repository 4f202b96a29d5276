"""Unsupervised adaptation: pseudo-labels from confident transcriptions, and fine-tuning from a
trained model directory (`trainer.init_from`)."""

import json
import subprocess

import numpy as np
import pytest

from speech_lstm.adaptation.pseudo_labels import PseudoLabelConfig, select_pseudo_labels
from speech_lstm.config import TrainConfig
from speech_lstm.data.manifest import Utterance, read_manifest
from speech_lstm.features import MfccConfig
from speech_lstm.inference.model_dir import TrainedModel, save_model_dir
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import build_acoustic_model
from speech_lstm.text import Vocabulary
from speech_lstm.training.config import TrainerConfig
from speech_lstm.training.loop import load_initial_weights
from tests.conftest import run_script, write_tone
from tests.training_fixtures import train_command


def _row(path, text, *confidences, **extra):
    words = [
        {"word": w, "start": 0.0, "end": 0.1, "confidence": c}
        for w, c in zip(text.split(), confidences, strict=True)
    ]
    return {"audio_filepath": str(path), "text": text, "duration": 0.5, "words": words, **extra}


def test_only_transcriptions_whose_every_word_is_confident_are_kept(tmp_path):
    sources = {
        str(tmp_path / "a.wav"): Utterance(str(tmp_path / "a.wav"), 0.5, "one two", "ann"),
        str(tmp_path / "b.wav"): Utterance(str(tmp_path / "b.wav"), 0.5, "three", "ann"),
        str(tmp_path / "c.wav"): Utterance(str(tmp_path / "c.wav"), 0.5, "", "ann"),
    }
    rows = [
        _row(tmp_path / "a.wav", "one two", 0.97, 0.95),  # kept, matches its reference
        _row(tmp_path / "b.wav", "eight", 0.99),  # kept, but the reference says three
        _row(tmp_path / "c.wav", "four", 0.92),  # kept; no reference to check it against
        _row(tmp_path / "d.wav", "five six", 0.99, 0.6),  # one unsure word drops the row
        _row(tmp_path / "e.wav", ""),  # nothing recognised
        {"audio_filepath": str(tmp_path / "f.wav"), "error": "DecodeError: not audio"},
    ]
    kept, summary = select_pseudo_labels(rows, 0.9, sources)
    assert [(u.text, u.speaker) for u in kept] == [
        ("one two", "ann"),
        ("eight", "ann"),
        ("four", "ann"),
    ]
    assert (summary.rows, summary.kept, summary.below_threshold) == (6, 3, 1)
    assert (summary.empty, summary.failed) == (1, 1)
    assert (summary.checked, summary.correct) == (2, 1)
    assert "1 of 2 (50.0%)" in summary.text()
    assert (summary.reference_words, summary.word_errors) == (3, 1)  # "three" read "eight"
    assert "their WER against them: 33.3%" in summary.text()

    relabelled, _ = select_pseudo_labels(rows, 0.5, sources, speaker="bob")
    assert len(relabelled) == 4 and {u.speaker for u in relabelled} == {"bob"}


def test_mean_confidence_keeps_a_row_that_one_doubtful_word_would_drop(tmp_path):
    rows = [
        _row(tmp_path / "a.wav", "five six", 0.99, 0.6),  # mean 0.795, least 0.6
        _row(tmp_path / "b.wav", "seven nine", 0.8, 0.7),  # mean 0.75, least 0.7
    ]
    by_least, _ = select_pseudo_labels(rows, 0.75)
    by_mean, summary = select_pseudo_labels(rows, 0.76, confidence="mean")
    assert by_least == [] and [u.text for u in by_mean] == ["five six"]
    assert summary.below_threshold == 1
    with pytest.raises(ValueError, match="confidence must be one of"):
        PseudoLabelConfig(confidence="median")


def test_agree_with_keeps_only_labels_the_other_transcriptions_share(tmp_path):
    a, b, c, d = (str(tmp_path / f"{name}.wav") for name in "abcd")
    rows = [
        _row(a, "one two", 0.99, 0.98),
        _row(b, "eight", 0.99),  # the other transcription heard "three"
        _row(c, "four", 0.99),  # missing from the other transcriptions (failed there)
        _row(d, "Five", 0.95),  # agrees once normalised
        _row(tmp_path / "e.wav", "six", 0.3),  # below the threshold before any comparison
    ]
    unadapted = {a: "one two", b: "three", d: "five", str(tmp_path / "e.wav"): "six"}
    kept, summary = select_pseudo_labels(rows, 0.9, agree_with=[unadapted])
    assert [u.text for u in kept] == ["one two", "Five"]
    assert (summary.disagreed, summary.below_threshold, summary.kept) == (2, 1, 2)
    assert "2 not agreed by agree_with" in summary.text()
    another = {a: "one two", d: "nine"}
    kept, summary = select_pseudo_labels(rows, 0.9, agree_with=[unadapted, another])
    assert [u.text for u in kept] == ["one two"] and summary.disagreed == 3


def test_rows_without_word_confidences_are_refused():
    with pytest.raises(ValueError, match="timestamps=true"):
        select_pseudo_labels([{"audio_filepath": "a.wav", "text": "one", "duration": 1.0}], 0.9)
    with pytest.raises(ValueError, match="min_confidence"):
        PseudoLabelConfig(min_confidence=1.5)


def test_pseudo_label_script_writes_a_manifest_of_real_files(tmp_path):
    audio = [write_tone(tmp_path / "audio" / f"{name}.wav", 0.5) for name in "ab"]
    manifest = tmp_path / "input.jsonl"
    manifest.write_text(
        "".join(
            json.dumps({"audio_filepath": str(p), "duration": 0.5, "text": "one", "speaker": "x"})
            + "\n"
            for p in audio
        )
    )
    predictions = tmp_path / "predictions.jsonl"
    rows = [_row(audio[0], "one", 0.95), _row(audio[1], "two", 0.4)]
    cut_short = json.dumps(_row(audio[1], "three", 0.99))[:30]  # an interrupted transcription
    predictions.write_text("".join(json.dumps(row) + "\n" for row in rows) + cut_short + "\n")
    done = run_script(
        "pseudo_label.py",
        f"predictions={predictions}",
        f"manifest={manifest}",
        f"output={tmp_path / 'pseudo.jsonl'}",
        f"hydra.run.dir={tmp_path / 'run'}",
    )
    assert done.returncode == 0, done.stderr
    assert "kept 1 of 3" in done.stdout and "1 of 1 (100.0%)" in done.stdout
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert (summary["kept"], summary["below_threshold"], summary["failed"]) == (1, 1, 1)
    assert summary["correct"] == 1
    kept = read_manifest(tmp_path / "pseudo.jsonl")
    assert [(u.audio_filepath, u.text, u.speaker) for u in kept] == [(str(audio[0]), "one", "x")]

    other = tmp_path / "other.jsonl"  # another model heard "two"; a failed row and a cut line
    other.write_text(
        json.dumps({"audio_filepath": str(audio[0]), "text": "two"})
        + "\n"
        + json.dumps({"audio_filepath": str(audio[1]), "error": "DecodeError"})
        + '\n{"audio_filepath\n'
    )
    done = run_script(
        "pseudo_label.py",
        f"predictions={predictions}",
        f"output={tmp_path / 'agreed.jsonl'}",
        f"agree_with=[{other}]",
        f"hydra.run.dir={tmp_path / 'run_agree'}",
    )
    assert done.returncode == 0, done.stderr
    assert "kept 0 of 3" in done.stdout and "1 not agreed by agree_with" in done.stdout
    assert read_manifest(tmp_path / "agreed.jsonl") == []


def _saved_model(tmp_path, features: MfccConfig, model: ModelConfig, characters: str):
    vocabulary = Vocabulary(characters)
    acoustic = build_acoustic_model(features.feature_dim, vocabulary.size, model)
    trained = TrainedModel(acoustic, vocabulary, features, model, {})
    return save_model_dir(tmp_path / "source", trained), acoustic


def test_init_from_copies_the_weights_and_refuses_a_different_model(tmp_path):
    features, model = MfccConfig(), ModelConfig(1, 8, 0.0, 3)
    source_dir, source = _saved_model(tmp_path, features, model, Vocabulary().characters)
    config = TrainConfig(
        features=features,
        model=ModelConfig(1, 8, 0.3, 3),  # dropout has no weights: it may differ
        trainer=TrainerConfig(init_from=str(source_dir)),
    )
    vocabulary = Vocabulary()
    fresh = build_acoustic_model(features.feature_dim, vocabulary.size, config.model)
    assert not np.array_equal(fresh.get_weights()[0], source.get_weights()[0])
    load_initial_weights(fresh, config, vocabulary)
    assert all(
        np.array_equal(a, b) for a, b in zip(fresh.get_weights(), source.get_weights(), strict=True)
    )

    config.model, config.features = ModelConfig(1, 16, 0.0, 3), MfccConfig(n_mfcc=20)
    other = build_acoustic_model(config.features.feature_dim, vocabulary.size, config.model)
    with pytest.raises(ValueError) as refused:
        load_initial_weights(other, config, Vocabulary(" abc"))
    message = str(refused.value)
    assert "model.units: 8 there, 16 here" in message
    assert "features.n_mfcc: 13 there, 20 here" in message
    assert "data.characters" in message


@pytest.mark.slow
def test_pseudo_labelled_fine_tuning_runs_through_the_scripts(tmp_path, tiny_corpus_root):
    """Train, transcribe unlabelled audio, keep confident labels, fine-tune from the model."""
    first = subprocess.run(
        # deterministic: the same base model, hence the same pseudo-labels, on every run
        train_command(tiny_corpus_root, tmp_path / "base", "trainer.deterministic=true"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    model_dir = tmp_path / "base" / "model"
    dev = next(tiny_corpus_root.glob("data/**/dev.jsonl"))
    transcribed = run_script(
        "transcribe.py",
        f"model_dir={model_dir}",
        f"input={dev}",
        f"output={tmp_path / 'pred.jsonl'}",
        "timestamps=true",
        "progress=false",
        f"hydra.run.dir={tmp_path / 'transcribe'}",
    )
    assert transcribed.returncode == 0, transcribed.stderr
    labelled = run_script(
        "pseudo_label.py",
        f"predictions={tmp_path / 'pred.jsonl'}",
        f"manifest={dev}",
        f"output={tmp_path / 'pseudo.jsonl'}",
        "min_confidence=0.0",  # three epochs of a tiny model: keep whatever it heard
        f"hydra.run.dir={tmp_path / 'label'}",
    )
    assert labelled.returncode == 0, labelled.stderr
    pseudo = read_manifest(tmp_path / "pseudo.jsonl")
    assert pseudo, labelled.stdout
    tuned = subprocess.run(
        train_command(
            tiny_corpus_root,
            tmp_path / "tuned",
            f"trainer.init_from={model_dir}",
            f"data.extra_train_manifests=[{tmp_path / 'pseudo.jsonl'}]",
            "trainer.epochs=1",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert tuned.returncode == 0, tuned.stderr
    assert f"initial weights: {model_dir}" in tuned.stdout
    train = read_manifest(next(tiny_corpus_root.glob("data/**/train.jsonl")))
    assert f"train: {len(train) + len(pseudo)}" in tuned.stdout
    metadata = json.loads((tmp_path / "tuned" / "model" / "training.json").read_text())
    assert metadata["init_from"] == str(model_dir)
