"""The `speech-lstm` command: its job list, each job's --help, users' own config folders, and a
training that generates its missing embedded corpus first."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from speech_lstm.cli import main
from speech_lstm.cli.registry import JOBS, HydraJob
from tests.conftest import ROOT, compose, require_espeak

SCRIPTS = {path.stem.replace("_", "-") for path in (ROOT / "scripts").glob("[!_]*.py")}


def run_main(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code, capsys.readouterr().out


def test_every_script_is_a_subcommand_listed_with_one_line(capsys):
    assert set(JOBS) == SCRIPTS
    status, out = run_main(["--help"], capsys)
    assert status == 0
    listed = {line.split()[0] for line in out.split("commands:\n")[1].split("\n\n")[0].splitlines()}
    assert listed == SCRIPTS


def test_an_unknown_subcommand_is_refused_with_a_suggestion(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["transcibe"])
    assert exit_info.value.code == 2
    assert "did you mean transcribe?" in capsys.readouterr().err


def test_transcribe_help_explains_its_settings_and_only_its_own_groups(capsys):
    status, out = run_main(["transcribe", "decoder=beam_lm", "--help"], capsys)
    assert status == 0
    # Explanations from the schema docstring and the YAML comments, defaults after overrides.
    assert "model_dir=???" in out and "a model directory written by training." in out
    assert "timestamps=false" in out and "add words: [{word, start, end, confidence}]" in out
    assert "decoder=beam_lm  (choose one of:)" in out
    assert "greedy" in out and "Best-path CTC decoding." in out
    assert "decoder.alpha=0.8" in out and "LM weight" in out
    words = " ".join(out.split())
    assert "(after speech-lstm export)" in words and "scripts/export.py" not in words
    # Not the Hydra dump of every stage's groups.
    for other_stage in ("augment=", "trainer=", "normalizer=", "dataset=", "== Config =="):
        assert other_stage not in out


@pytest.mark.parametrize("name", sorted(JOBS))
def test_every_subcommand_has_a_help(name, capsys):
    status, out = run_main([name, "--help"], capsys)
    assert status == 0
    assert out.startswith(f"usage: speech-lstm {name}")
    if isinstance(JOBS[name], HydraJob):
        assert "settings (key=value" in out and "--config-dir DIR" in out


def test_a_users_config_folder_adds_options_on_the_search_path(tmp_path, capsys):
    (tmp_path / "decoder").mkdir()
    (tmp_path / "decoder" / "narrow.yaml").write_text(
        "# A narrow beam for quick checks.\ntype: beam\nbeam_width: 7\n"
    )
    status, out = run_main(["transcribe", "--config-dir", str(tmp_path), "--help"], capsys)
    assert status == 0 and "narrow" in out and "A narrow beam for quick checks." in out
    composed = subprocess.run(
        [sys.executable, "-m", "speech_lstm.cli", "transcribe", "model_dir=m", "input=a.wav"]
        + [f"hydra.searchpath=[file://{tmp_path}]", "output=o.jsonl", "decoder=narrow"]
        + ["--cfg", "job"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert composed.returncode == 0, composed.stderr[-2000:]
    assert "type: beam\n  beam_width: 7" in composed.stdout


def test_a_training_generates_its_missing_tiny_corpus_first(tmp_path):
    """`train debug=tiny` in a fresh folder: the train job generates the corpus and its LM text
    before training starts. (Training then stops at once, on an LM text file the generator
    does not write: its first check, so that the test costs the generation only.)"""
    require_espeak()
    from speech_lstm.cli import jobs
    from speech_lstm.config import to_object
    from speech_lstm.data.manifest import read_manifest

    splits = "data.synthetic.splits"
    overrides = [
        f"paths.root_dir={tmp_path}",
        f"paths.output_dir={tmp_path / 'run'}",
        "debug=tiny",
        f"{splits}.train.num_utterances=4",
        f"{splits}.dev.num_utterances=2",
        f"{splits}.test.num_utterances=2",
        f"{splits}.test_everyday.num_utterances=1",
        "data.synthetic.lm_sentences=20",
    ]
    corpus = tmp_path / "data" / "synthetic_tiny"
    config = to_object(compose("train", overrides))
    assert jobs.missing_corpus_files(config) == [
        str(corpus / name) for name in ("train.jsonl", "dev.jsonl", "lm_text.txt")
    ]
    stopping = to_object(compose("train", [*overrides, f"data.lm_text={tmp_path}/none.txt"]))
    with pytest.raises(FileNotFoundError, match="none.txt does not exist"):
        jobs.train(stopping)
    assert jobs.missing_corpus_files(config) == []
    assert len(read_manifest(corpus / "train.jsonl")) == 4
    assert (corpus / "lm_text.txt").read_text().count("\n") == 20
    written = (corpus / "train.jsonl").stat().st_mtime_ns
    jobs.generate_missing_corpus(config)
    assert (corpus / "train.jsonl").stat().st_mtime_ns == written


def test_only_the_files_the_generator_writes_make_it_run(tmp_path):
    """A missing manifest of the user's own, or a multi-worker run, generates nothing."""
    from speech_lstm.cli import jobs
    from speech_lstm.config import to_object

    base = [f"paths.root_dir={tmp_path}", f"paths.output_dir={tmp_path}", "debug=tiny"]
    own = to_object(compose("train", [*base, f"data.train_manifest={tmp_path}/mine.jsonl"]))
    corpus = tmp_path / "data" / "synthetic_tiny"
    assert jobs.missing_corpus_files(own) == [
        str(corpus / "dev.jsonl"),
        str(corpus / "lm_text.txt"),
    ]
    workers = to_object(compose("train", [*base, "trainer.strategy=multi_worker"]))
    jobs.generate_missing_corpus(workers)
    assert not (tmp_path / "data").exists()


def test_a_corpus_that_is_not_generated_is_left_to_training_to_report(tmp_path):
    from speech_lstm.cli import jobs
    from speech_lstm.config import to_object

    overrides = [f"paths.root_dir={tmp_path}", f"paths.output_dir={tmp_path}", "data=fsdd"]
    assert jobs.missing_corpus_files(to_object(compose("train", overrides))) == []


def test_a_reader_that_goes_away_gets_no_traceback():
    """`speech-lstm --help | head`: the pipe closes before the overview is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "speech_lstm.cli", "--help"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdout.close()
    errors = process.stderr.read()
    process.wait(timeout=60)
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors


def test_jobs_import_tensorflow_without_what_keras_needs_not_which_stays_importable():
    code = (
        "import sys\n"
        "from speech_lstm.cli.startup import import_tensorflow\n"
        "import_tensorflow()\n"
        "assert 'keras' in sys.modules and 'tensorflow' in sys.modules\n"
        "assert 'sklearn' not in sys.modules, 'Keras imported scikit-learn'\n"
        "assert 'matplotlib' not in sys.modules, 'Keras imported matplotlib'\n"
        "import sklearn.base\n"
        "import librosa.feature\n"
        "from matplotlib.figure import Figure\n"
        "Figure()\n"
        "print(sklearn.__version__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()
