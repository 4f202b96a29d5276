"""scripts/setup.sh: the Debian packages it installs as root, or names for sudo otherwise."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.setup_fixtures import TOOLS

PACKAGES = [
    "espeak-ng",
    "flite",
    "festival",
    "festvox-kallpc16k",
    "festvox-kdlpc16k",
    "festvox-us-slt-hts",
    "wordnet-base",
    "fortunes",
    "chromium",
    "chromium-driver",
]


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
    assert f"sudo apt-get install -y {' '.join(PACKAGES)}\n" in result.stderr


def run_setup(tmp_path: Path, installed: list[str], uid: int, **env: str):
    """Runs setup.sh with fake `id`, `dpkg-query` and `apt-get` and a ready virtualenv.

    Returns the finished process and the `apt-get` command lines it ran.
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        if tool not in ("id", "python3"):  # faked below
            (bin_dir / tool).symlink_to(shutil.which(tool))
    python = Path(sys.executable).resolve()  # the interpreter itself, not a shim or a venv link
    (bin_dir / "python3").symlink_to(python)
    apt_log = tmp_path / "apt-get.log"
    fakes = {
        "id": f"echo {uid}",
        "dpkg-query": (
            'for arg in "$@"; do\n'
            f'  case " {" ".join(installed)} " in\n'
            '    *" $arg "*) echo "$arg install ok installed";;\n'
            "    -*) ;;\n"
            '    *) echo "$arg deinstall ok config-files";;\n'  # removed, configuration kept
            "  esac\n"
            "done"
        ),
        "apt-get": f'echo "$*" >> {apt_log}',
    }
    for name, body in fakes.items():
        (bin_dir / name).write_text(f"#!{shutil.which('bash')}\n{body}\n")
        (bin_dir / name).chmod(0o755)
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(python)
    inputs = (ROOT / "pyproject.toml").read_bytes() + (ROOT / "constraints.txt").read_bytes()
    (venv / ".setup-stamp").write_text(hashlib.sha256(inputs).hexdigest() + " dev\n")
    result = subprocess.run(
        [shutil.which("bash"), str(ROOT / "scripts" / "setup.sh")],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path), "VENV": str(venv), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, apt_log.read_text().splitlines() if apt_log.exists() else []


def test_with_everything_installed_it_is_silent_and_runs_no_apt(tmp_path):
    result, apt = run_setup(tmp_path, PACKAGES, uid=0)
    assert (result.returncode, result.stdout, result.stderr, apt) == (0, "", "", [])


def test_as_root_it_installs_only_the_missing_packages(tmp_path):
    result, apt = run_setup(tmp_path, PACKAGES[:-2], uid=0)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "setup: installing Debian packages: chromium chromium-driver\n"
    assert apt == ["install -y -q chromium chromium-driver"]


def test_without_root_it_names_the_missing_and_extra_packages_for_sudo(tmp_path):
    extra = {"SETUP_EXTRA_DEBIAN_PACKAGES": "festvox-rablpc16k"}
    result, apt = run_setup(tmp_path, PACKAGES[:3], uid=1000, **extra)
    assert (result.returncode, apt) == (1, [])
    missing = [*PACKAGES[3:], "festvox-rablpc16k"]
    assert f"setup: install them with:  sudo apt-get install -y {' '.join(missing)}\n" in (
        result.stderr
    )
