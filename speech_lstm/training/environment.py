"""What a model was trained with: the versions of the packages that shape its numbers and the
source commit, recorded in the model directory's `training.json`; and how the installed
versions differ from `constraints.txt`, for benchmarks that state what they ran on."""

from __future__ import annotations

import importlib.metadata
import subprocess
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

# Distributions whose versions change features, training or scoring; `tensorflow` is found
# under whichever distribution provides it.
RECORDED_PACKAGES = (
    "speech-lstm",
    "tensorflow",
    "keras",
    "numpy",
    "scipy",
    "librosa",
    "soundfile",
    "soxr",
    "jiwer",
    "hydra-core",
)
TENSORFLOW_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu")


def installed_version(name: str) -> str | None:
    """The installed version of distribution `name` (for "tensorflow": of whichever of
    `TENSORFLOW_DISTRIBUTIONS` is installed), or None when it is not installed."""
    for candidate in TENSORFLOW_DISTRIBUTIONS if name == "tensorflow" else (name,):
        try:
            return importlib.metadata.version(candidate)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def source_commit(directory: str | Path | None = None) -> dict | None:
    """`{"commit": sha, "dirty": bool}` of the git checkout holding `directory` (by default
    this package's source), or None when it is not in a git checkout or git is missing."""
    where = Path(directory) if directory else Path(__file__).resolve().parent

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(where), *args], capture_output=True, text=True, timeout=20
        )
        if done.returncode:
            raise RuntimeError(done.stderr.strip())
        return done.stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, RuntimeError, subprocess.TimeoutExpired):
        return None
    return {"commit": commit, "dirty": dirty}


def package_versions() -> dict:
    """`{"packages": {name: version or None}, "source": source_commit()}`: what
    `training.json` records under `environment`."""
    return {
        "packages": {name: installed_version(name) for name in RECORDED_PACKAGES},
        "source": source_commit(),
    }


def constraint_differences(constraints: str | Path) -> list[str]:
    """`name: X pinned, Y installed` for each package of a constraints file (`name==version`
    lines) whose installed version differs; a package not installed is not a difference."""
    differences = []
    for line in Path(constraints).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            requirement = Requirement(line)
        except InvalidRequirement as error:
            raise ValueError(f"{constraints}: not a requirement. Received: {line!r}") from error
        pinned = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        name = canonicalize_name(requirement.name)
        installed = installed_version(name)
        if pinned and installed is not None and installed != pinned[0]:
            differences.append(f"{name}: {pinned[0]} pinned, {installed} installed")
    return differences
