"""Ensembles: several model directories' log-posteriors averaged at transcription."""

import json

import numpy as np
import pytest

from speech_lstm.decoding.alignment import log_softmax
from speech_lstm.evaluation import run_evaluation
from speech_lstm.evaluation.config import EvaluateConfig
from speech_lstm.features import MfccConfig
from speech_lstm.inference.logits import AveragedLogits, LogitComputer
from speech_lstm.inference.model_dir import TrainedModel
from speech_lstm.model.config import ModelConfig
from speech_lstm.model.network import build_acoustic_model
from speech_lstm.text import Vocabulary
from speech_lstm.transcription import Transcriber, run_transcription
from speech_lstm.transcription.config import TranscribeConfig
from tests.transcription_fixtures import first_mfcc_stub, loudness_model, save, write_bursts


def tiny_model(seed: int, features: MfccConfig | None = None, units: int = 8) -> TrainedModel:
    """A real BiLSTM-CTC model with seeded random weights."""
    import keras

    keras.utils.set_random_seed(seed)
    features, config, vocabulary = (
        features or MfccConfig(),
        ModelConfig(1, units, 0.0, 3),
        Vocabulary(),
    )
    acoustic = build_acoustic_model(features.feature_dim, vocabulary.size, config)
    return TrainedModel(acoustic, vocabulary, features, config, {"seed": seed})


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    """Two models of different shapes and weights that read the same features."""
    root = tmp_path_factory.mktemp("ensemble")
    return save(tiny_model(1), root / "a"), save(tiny_model(2, units=12), root / "b")


def test_the_average_is_the_mean_of_the_members_log_posteriors(members):
    first, second = (Transcriber.load(m).logits for m in members)
    rng = np.random.default_rng(0)
    features = [rng.standard_normal((n, 39)).astype("float32") for n in (30, 51)]
    averaged, lengths = AveragedLogits([first, second])(features)
    (a, a_lengths), (b, _) = first(features), second(features)
    np.testing.assert_array_equal(lengths, a_lengths)
    np.testing.assert_allclose(averaged, (log_softmax(a) + log_softmax(b)) / 2, atol=1e-5)
    assert not np.allclose(log_softmax(a), log_softmax(b), atol=1e-3)  # really two models
    with pytest.raises(ValueError, match="at least one model"):
        AveragedLogits([])
    assert isinstance(AveragedLogits([first]), LogitComputer)


def test_a_model_averaged_with_itself_transcribes_as_alone(members, tmp_path):
    audio = [write_bursts(tmp_path / f"{i}.wav", count=1 + i) for i in range(3)]
    alone = Transcriber.load(members[0], timestamps=True).transcribe(audio)
    doubled = Transcriber.load(members[0], ensemble=[members[0]], timestamps=True)
    assert [r.text for r in doubled.transcribe(audio)] == [r.text for r in alone]


def test_members_that_read_other_features_are_refused_by_name(members, tmp_path):
    other = save(tiny_model(3, MfccConfig(n_mfcc=20)), tmp_path / "other")
    with pytest.raises(ValueError) as refused:
        Transcriber.load(members[0], ensemble=[members[1], other])
    assert f"Ensemble member {other}" in str(refused.value)
    assert "features.n_mfcc: 20 there, 13 here" in str(refused.value)


def test_transcribe_and_evaluate_take_an_ensemble(members, tmp_path):
    audio = [write_bursts(tmp_path / "in" / f"{i}.wav", count=1 + i) for i in range(2)]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        "".join(
            json.dumps({"audio_filepath": str(a), "duration": 1.0, "text": "a"}) + "\n"
            for a in audio
        )
    )
    out = tmp_path / "out.jsonl"
    summary = run_transcription(
        TranscribeConfig(
            model_dir=str(members[0]),
            input=str(manifest),
            output=str(out),
            progress=False,
            ensemble=[str(members[1])],
        )
    )
    assert summary["done"] == 2
    expected = Transcriber.load(members[0], ensemble=[members[1]]).transcribe(audio)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["pred_text"] for r in rows] == [
        r.text for r in expected
    ]  # NeMo: hypothesis beside the reference
    report_dir = tmp_path / "report"
    run_evaluation(
        EvaluateConfig(
            manifest=str(manifest),
            output_dir=str(report_dir),
            model_dir=str(members[0]),
            ensemble=[str(members[1])],
            bootstrap_samples=0,
        )
    )
    report = json.loads((report_dir / "report.json").read_text())
    assert report["ensemble"][0]["model_dir"] == str(members[1].resolve())
    assert f"Averaged with: `{members[1].resolve()}`" in (report_dir / "report.md").read_text()
    with pytest.raises(ValueError, match="ensemble= averages models with model_dir="):
        run_evaluation(
            EvaluateConfig(
                manifest=str(manifest),
                output_dir=str(report_dir),
                predictions=str(out),
                ensemble=[str(members[1])],
            )
        )


def test_an_ensembles_word_confidence_is_the_mean_of_its_members(tmp_path):
    """Two known-answer stubs that agree on the words but not on how sure they are: the
    ensemble keeps the first one's word times and averages the members' own confidences
    (reading confidence off the averaged posteriors would blur it where spikes differ)."""
    sharp = save(loudness_model(), tmp_path / "sharp")
    soft_model = first_mfcc_stub(MfccConfig(normalize=False), "soft", scale=0.004, offset=1.0)
    soft = save(soft_model, tmp_path / "soft")
    audio = write_bursts(tmp_path / "bursts.wav")
    alone = [Transcriber.load(m, timestamps=True).transcribe([audio])[0] for m in (sharp, soft)]
    both = Transcriber.load(sharp, ensemble=[soft], timestamps=True).transcribe([audio])[0]
    assert both.text == alone[0].text == alone[1].text == "a a a"
    assert [(w.start, w.end) for w in both.words] == [(w.start, w.end) for w in alone[0].words]
    for k, word in enumerate(both.words):
        confidences = [result.words[k].confidence for result in alone]
        assert confidences[0] - confidences[1] > 0.05  # the members really differ
        assert word.confidence == pytest.approx(np.mean(confidences), abs=1e-4)
