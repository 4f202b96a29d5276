"""Generate -> train -> reload in a fresh process -> transcribe -> evaluate, through the scripts."""

import json
from pathlib import Path

import jiwer
import pytest

from tests.conftest import compose, require_espeak, run_script


@pytest.mark.slow
def test_pipeline_end_to_end(tmp_path):
    require_espeak()
    common = [f"paths.root_dir={tmp_path}", "debug=tiny"]
    generated = run_script("make_synthetic.py", *common, f"hydra.run.dir={tmp_path}/gen")
    assert generated.returncode == 0, generated.stderr
    corpus = tmp_path / "data" / "synthetic_tiny"
    assert (corpus / "test.jsonl").is_file()

    run_dir = tmp_path / "run"
    trained = run_script(
        "train.py", *common, f"hydra.run.dir={run_dir}", "trainer.epochs=2", "model.units=16"
    )
    assert trained.returncode == 0, trained.stderr
    model_dir = run_dir / "model"
    for name in ("model.keras", "vocabulary.json", "features.json", "model.json"):
        assert (model_dir / name).is_file()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert len(metrics) == 2
    for key in ("loss", "val_wer", "val_cer", "audio_hours_seen", "throughput_audio_s_per_s"):
        assert key in metrics[-1]
    assert metrics[-1]["audio_hours_seen"] > metrics[0]["audio_hours_seen"] > 0
    assert (run_dir / "config.yaml").is_file() and (run_dir / "tensorboard").is_dir()

    predictions = tmp_path / "pred.jsonl"
    transcribed = run_script(
        "transcribe.py",
        f"model_dir={model_dir}",
        f"input={corpus / 'test.jsonl'}",
        f"output={predictions}",
        f"hydra.run.dir={tmp_path}/transcribe",
    )
    assert transcribed.returncode == 0, transcribed.stderr
    rows = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert len(rows) == 16
    # A manifest comes back NeMo-style: its rows, the hypothesis in `pred_text`.
    assert all(isinstance(row["pred_text"], str) and row["duration"] > 0 for row in rows)

    evaluated = run_script(
        "evaluate.py",
        f"predictions={predictions}",
        f"manifest={corpus / 'test.jsonl'}",
        f"output_dir={tmp_path / 'eval'}",
        f"hydra.run.dir={tmp_path}/evaluate",
    )
    assert evaluated.returncode == 0, evaluated.stderr
    report = json.loads((tmp_path / "eval" / "report.json").read_text())
    assert report["n_utterances"] == 16
    # The report's figures, recomputed independently from the two files with jiwer.
    references = {
        str((corpus / row["audio_filepath"]).resolve()): row["text"]
        for row in map(json.loads, (corpus / "test.jsonl").read_text().splitlines())
    }
    pairs = [
        (references[str(Path(row["audio_filepath"]).resolve())], row["pred_text"]) for row in rows
    ]
    expected = jiwer.process_characters([r for r, _ in pairs], [h for _, h in pairs])
    assert report["cer"] == pytest.approx(expected.cer, abs=1e-9)
    assert metrics[-1]["loss"] < metrics[0]["loss"], "two epochs did not lower the loss"


def test_overrides_compose_and_unknown_keys_fail():
    cfg = compose("train", ["model.num_layers=2", "model.units=64", "trainer.epochs=1"])
    assert (cfg.model.num_layers, cfg.model.units, cfg.trainer.epochs) == (2, 64, 1)
    with pytest.raises(Exception, match="no_such_key"):
        compose("train", ["model.no_such_key=1"])


@pytest.mark.parametrize(
    ("group", "options"),
    [("model", ["bilstm", "small"]), ("decoder", ["greedy", "beam"]), ("debug", ["tiny"])],
)
def test_every_config_group_option_composes(group, options):
    from speech_lstm.config import to_object

    for option in options:
        name = "transcribe" if group == "decoder" else "train"
        overrides = [f"{group}={option}"]
        if name == "transcribe":
            overrides += ["model_dir=m", "input=i", "output=o"]
        else:
            overrides += ["paths.output_dir=out"]
        to_object(compose(name, overrides))
