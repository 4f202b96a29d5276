"""The FSDD recipe's settings (8-kHz telephone band, speaker-level CMVN) on real recordings:
a short training through the scripts, then an evaluation on a speaker never trained on."""

import json

import pytest
import soundfile

from tests.conftest import run_script
from tests.fixtures_corpora import require_fsdd

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def write_manifest(path, recordings, takes):
    rows = []
    for wav in recordings:
        digit, speaker, take = wav.stem.split("_")
        if int(take) in takes:
            duration = soundfile.info(str(wav)).duration
            row = {"audio_filepath": str(wav), "duration": duration, "text": DIGITS[int(digit)]}
            rows.append({**row, "speaker": speaker})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return len(rows)


@pytest.mark.slow
def test_fsdd_experiment_trains_and_scores_a_held_out_speaker(tmp_path):
    fsdd = require_fsdd()
    recordings = sorted((fsdd / "recordings").glob("*.wav"))
    speakers = sorted({wav.stem.split("_")[1] for wav in recordings})
    held_out, trained_on = speakers[0], speakers[1:3]
    corpus = tmp_path / "corpus"
    known = [wav for wav in recordings if wav.stem.split("_")[1] in trained_on]
    write_manifest(corpus / "train.jsonl", known, range(5, 10))
    write_manifest(corpus / "dev.jsonl", known, range(2))
    unseen = [wav for wav in recordings if wav.stem.split("_")[1] == held_out]
    assert write_manifest(corpus / "test.jsonl", unseen, range(3)) == 30

    run_dir = tmp_path / "run"
    trained = run_script(
        "train.py",
        "experiment=fsdd",
        f"paths.root_dir={tmp_path}",
        f"data.corpus_dir={corpus}",
        f"hydra.run.dir={run_dir}",
        "trainer.epochs=1",
        "model.units=16",
        "augment.speed_factors=[1.0]",
        "augment.noise_copies=0",
        "trainer.verbose=0",
    )
    assert trained.returncode == 0, trained.stderr
    features = json.loads((run_dir / "model" / "features.json").read_text())
    assert features["normalize_scope"] == "speaker" and features["sample_rate"] == 8000

    evaluated = run_script(
        "evaluate.py",
        f"model_dir={run_dir / 'model'}",
        "decoder=beam_lm",
        f"manifest={corpus / 'test.jsonl'}",
        f"output_dir={tmp_path / 'eval'}",
        f"hydra.run.dir={tmp_path / 'evaluate'}",
    )
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads((tmp_path / "eval" / "report.json").read_text())
    assert report["n_utterances"] == 30 and report["wer"] >= 0.0  # one epoch: not a WER test
    predictions = (tmp_path / "eval" / "predictions.jsonl").read_text().splitlines()
    assert len(predictions) == 30 and not any("error" in json.loads(p) for p in predictions)
