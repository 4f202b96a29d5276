"""scripts/setup.sh: what a user without root sees when the TTS engines are missing."""

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT
from tests.setup_fixtures import TOOLS


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is not installed")
def test_without_root_missing_engines_print_the_install_command(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    command = [shutil.which("bash"), str(ROOT / "scripts" / "setup.sh")]
    if os.geteuid() == 0:
        command = [
            shutil.which("setpriv"),
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            *command,
        ]
    result = subprocess.run(
        command,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "sudo apt-get install -y espeak-ng flite" in result.stderr
