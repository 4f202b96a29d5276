"""The festival engine of the synthetic corpus, and the set-up that installs it."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from speech_lstm.data.manifest import read_manifest
from speech_lstm.synthetic import engines
from speech_lstm.synthetic.config import SplitConfig, SyntheticConfig
from speech_lstm.synthetic.corpus import generate_corpus
from speech_lstm.synthetic.engines import SpeechRequest, require_engines, synthesize
from tests.conftest import ROOT, assert_spoken_files
from tests.setup_fixtures import TOOLS

VOICES = ["kal_diphone", "cmu_us_slt_arctic_hts"]  # one diphone voice, one HTS voice


def require_festival_voices(voices: list[str]) -> None:
    if shutil.which("text2wave") is None:
        pytest.skip(
            "festival is not installed: run `bash scripts/setup.sh` (as root it installs "
            "festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)"
        )
    missing = set(voices) - set(engines.installed_festival_voices())
    if missing:
        pytest.skip(
            f"festival voices {sorted(missing)} are not installed: run `bash scripts/setup.sh`"
        )


def test_festival_voices_speak_real_audio(tmp_path):
    require_festival_voices(VOICES)
    config = SyntheticConfig(splits={"test": SplitConfig(2, festival_voices=VOICES)})
    utterances = read_manifest(generate_corpus(config, tmp_path)["test"])
    assert [u.speaker for u in utterances] == [f"festival:{v}" for v in VOICES]
    assert_spoken_files(utterances)  # slt speaks at 32 kHz: resampled


@pytest.mark.parametrize("voice", VOICES)
def test_festival_speaking_rate_follows_the_request(tmp_path, voice):
    require_festival_voices([voice])
    text = "the old farmer carried three heavy boxes to the market"
    durations = {
        rate: synthesize(
            SpeechRequest(text, f"festival:{voice}", rate, 50, tmp_path / f"{rate}.wav"), 16000
        )
        for rate in (120, 220)
    }
    assert durations[120] > 1.4 * durations[220]


def test_missing_festival_names_the_debian_packages(monkeypatch):
    voices = ["espeak-ng:en-us+m1", "festival:kal_diphone", "festival:cmu_us_slt_arctic_hts"]
    monkeypatch.setattr(engines.shutil, "which", lambda c: None if c == "text2wave" else "/x")
    with pytest.raises(RuntimeError) as error:
        require_engines(voices)
    assert "apt-get install -y festival festvox-kallpc16k festvox-us-slt-hts" in str(error.value)

    monkeypatch.setattr(engines.shutil, "which", lambda command: f"/usr/bin/{command}")
    monkeypatch.setattr(engines, "installed_festival_voices", lambda: ["kal_diphone"])
    assert engines.missing_debian_packages(voices) == ["festvox-us-slt-hts"]
    with pytest.raises(RuntimeError, match="apt-cache search festvox"):
        require_engines(["festival:no_such_voice"])


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is not installed")
@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="dpkg-query is not installed")
def test_setup_without_root_names_the_extra_packages(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in (*TOOLS, "dpkg-query"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    command = [shutil.which("bash"), str(ROOT / "scripts" / "setup.sh")]
    if os.geteuid() == 0:
        command = [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups"]
        command += [shutil.which("bash"), str(ROOT / "scripts" / "setup.sh")]
    result = subprocess.run(
        command,
        env={
            "PATH": str(bin_dir),
            "HOME": str(tmp_path),
            "SETUP_EXTRA_DEBIAN_PACKAGES": "speech-lstm-no-such-package",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    # dpkg-query finds what is installed here; the unknown extra package is always missing.
    assert re.search(
        r"sudo apt-get install -y [\w .+-]*speech-lstm-no-such-package$", result.stderr, re.M
    )


def test_recipe_script_is_valid_bash():
    script = Path(ROOT / "recipes" / "synthetic_large" / "run.sh")
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)
    assert os.access(script, os.X_OK)
