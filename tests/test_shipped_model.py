"""The model shipped in `models/`: small, safe to load, described by its card, and the README's
quick start transcribes speech with it as written, with no training first."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from speech_lstm.evaluation.scoring import score
from speech_lstm.inference.model_dir import load_model_dir
from tests.conftest import ROOT, require_espeak

SHIPPED = ROOT / "models" / "en-synthetic-bilstm"
MAX_WER = 0.5  # measured: see the card's espeak-ng row; room for one voice and three sentences
# Everyday sentences, none of them a sentence of the training corpus.
SENTENCES = [
    "please call me back in the morning",
    "the weather was cold and the river was high",
    "she wrote a short letter to her brother",
]


def test_the_shipped_model_is_small_loads_without_code_and_has_a_card():
    trained = load_model_dir(SHIPPED)
    assert (SHIPPED / "model.keras").stat().st_size <= 20_000_000
    assert trained.lm_path is not None and trained.lm_path.name == "lm.arpa.xz"
    assert trained.lm_path.stat().st_size <= 10_000_000
    card = (SHIPPED / "MODEL_CARD.md").read_text(encoding="utf-8")
    commit = trained.metadata["environment"]["source"]["commit"]
    assert commit in card
    for needed in (
        "festival (whole family held out)",
        "## Word error rate on everyday English",
        "## Known limits",
        "never on recordings",
    ):
        assert needed in card, needed


def quick_start_command() -> list[str]:
    """The README's quick-start transcription command, as a list of arguments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [line] = re.findall(
        r"^\.venv/bin/speech-lstm transcribe model_dir=models/\S+ .*$", readme, re.M
    )
    arguments = line.split("#", 1)[0].split()
    installed = ROOT / ".venv" / "bin" / "speech-lstm"
    if not installed.is_file():  # a venv made some other way: the same job through its script
        return [sys.executable, str(ROOT / "scripts" / "transcribe.py"), *arguments[2:]]
    return [str(installed), *arguments[1:]]


@pytest.mark.slow
def test_the_readme_quick_start_transcribes_with_the_shipped_model(tmp_path):
    """A held-out espeak-ng voice (an accent and a variant never in training) speaks sentences
    the model never heard into `recording.wav`; the README's command, run as written in that
    folder, transcribes them with the LM."""
    require_espeak()
    from speech_lstm.synthetic.engines import SpeechRequest, synthesize

    text = " ".join(SENTENCES)
    voice = "espeak-ng:en-gb-x-gbcwmd+m6"
    synthesize(SpeechRequest(text, voice, 170, 50, tmp_path / "recording.wav"), 16000)
    (tmp_path / "models").symlink_to(ROOT / "models")
    done = subprocess.run(
        [*quick_start_command(), f"hydra.run.dir={tmp_path / 'run'}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [row] = [json.loads(line) for line in (tmp_path / "recording.jsonl").read_text().splitlines()]
    assert score([text], [row["text"]]).wer <= MAX_WER, row["text"]
