"""Shared fixtures: tiny real audio written to disk, the repo's conf/ composed for tests."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

# tests.must_run fails the run when a test of tests/must_run.txt skipped;
# tests.trained_model trains a small BiLSTM once per session for the export tests;
# tests.training_fixtures generates the tiny synthetic corpus once per session.
pytest_plugins = ["tests.must_run", "tests.trained_model", "tests.training_fixtures"]

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = ROOT / "conf"
FSDD_DIR = (ROOT / ".." / "shared" / "data" / "fsdd").resolve()
sys.path.insert(0, str(ROOT))


def pytest_configure(config: pytest.Config) -> None:
    """Tests send Ctrl-C (SIGINT) to the jobs they start, as a terminal does to a foreground
    job. A test run started in the background (`make test &` in a script) inherits an ignored
    SIGINT, which its jobs would inherit in turn and rightly keep: give them a terminal's."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def write_tone(path: Path, seconds: float = 1.0, sample_rate: int = 16000, channels: int = 1):
    """Writes a real WAV file holding a chirp (something with spectral change to featurise)."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    wave = 0.3 * np.sin(2 * np.pi * (200 + 300 * t) * t).astype(np.float32)
    data = np.stack([wave] * channels, axis=1) if channels > 1 else wave
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, data, sample_rate)
    return path


@pytest.fixture
def tone_wav(tmp_path: Path) -> Path:
    return write_tone(tmp_path / "tone.wav")


def require_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip(
            "espeak-ng is not installed: run scripts/setup.sh as root or apt-get install espeak-ng"
        )


def compose(config_name: str, overrides: list[str]):
    """Composes a config from the real conf/ directory, as the scripts do."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from speech_lstm.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return hydra_compose(config_name=config_name, overrides=overrides)


def run_script(name: str, *overrides: str) -> subprocess.CompletedProcess:
    """Runs `scripts/<name>` in a fresh Python process, as a user would."""
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *overrides],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assert_spoken_files(utterances) -> None:
    """Each utterance's file is a 16 kHz mono WAV of more than 0.5 s whose length the manifest
    records: what a TTS engine's output is resampled and written as."""
    for utterance in utterances:
        info = soundfile.info(utterance.audio_filepath)
        assert info.samplerate == 16000 and info.channels == 1
        assert utterance.duration == pytest.approx(info.duration, abs=1e-3)
        assert info.duration > 0.5
