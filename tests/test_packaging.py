"""Packaging: each install gets exactly one TensorFlow distribution, every third-party package
the code imports is declared, constraints.txt pins them, and training.json records versions.

The TensorFlow check reads the project's metadata as pip builds it (`pip install --dry-run
--report` of the checkout without its dependencies): offline with the virtualenv's own
setuptools where it is recent enough, else pip fetches setuptools from the index to build it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import subprocess
import sys

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

TENSORFLOWS = {"tensorflow", "tensorflow-cpu"}
PLATFORMS = {  # sys_platform, platform_system
    "linux": ("linux", "Linux"),
    "macos": ("darwin", "Darwin"),
    "windows": ("win32", "Windows"),
}
# An import package provided by another distribution than the declared one, here.
SAME_IMPORT = {"tensorflow-cpu": "tensorflow"}


def setuptools_is_recent() -> bool:
    try:
        return Version(importlib.metadata.version("setuptools")) >= Version("77")
    except importlib.metadata.PackageNotFoundError:
        return False


@pytest.fixture(scope="module")
def requirements() -> list[Requirement]:
    """The project's `Requires-Dist`, from pip's dry-run report of the checkout."""
    offline = ["--no-index", "--no-build-isolation"] if setuptools_is_recent() else []
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
    command += ["--no-deps", "--quiet", "--report", "-", *offline, f"{ROOT}[gpu]"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    (item,) = json.loads(done.stdout)["install"]
    return [Requirement(line) for line in item["metadata"]["requires_dist"]]


def installed_requirements(
    requirements: list[Requirement], platform: str, extras: tuple[str, ...]
) -> list[Requirement]:
    """The requirements pip installs on `platform` with `extras` (Python 3.11)."""
    sys_platform, system = PLATFORMS[platform]
    environment = {"sys_platform": sys_platform, "platform_system": system}
    environment |= {"python_version": "3.11", "python_full_version": "3.11.7"}
    return [
        r
        for r in requirements
        if r.marker is None
        or any(r.marker.evaluate({**environment, "extra": extra}) for extra in ("", *extras))
    ]


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_each_install_has_exactly_one_tensorflow(requirements, platform):
    for extras, cuda in (((), False), (("gpu",), True), (("dev", "litert"), False)):
        wanted = installed_requirements(requirements, platform, extras)
        tensorflows = [r for r in wanted if canonicalize_name(r.name) in TENSORFLOWS]
        assert {r.name for r in tensorflows} == {"tensorflow"}, (platform, extras, tensorflows)
        assert any("and-cuda" in r.extras for r in tensorflows) == cuda, (extras, tensorflows)


def third_party_imports() -> dict[str, str]:
    """Top-level modules imported anywhere in speech_lstm/ outside the standard library:
    {module: a file importing it}."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "speech_lstm").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("speech_lstm", "__future__"):
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared(requirements):
    declared = {canonicalize_name(r.name) for r in requirements}
    distributions = importlib.metadata.packages_distributions()
    imports = third_party_imports()
    assert {"numpy", "tensorflow", "scipy"} <= set(imports)  # the scan sees the imports
    undeclared = []
    for module, where in sorted(imports.items()):
        providers = {canonicalize_name(d) for d in distributions.get(module, [])}
        providers |= {SAME_IMPORT[p] for p in providers if p in SAME_IMPORT}
        if not providers & declared:
            undeclared.append(f"{module} (imported by {where}; installed from {providers})")
    assert not undeclared, "not declared in pyproject.toml: " + ", ".join(undeclared)


def test_constraints_pin_every_declared_package(requirements):
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = {}
    for line in lines:
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line
            pins[canonicalize_name(requirement.name)] = spec.version
    for requirement in installed_requirements(requirements, "linux", ("dev", "gpu", "litert")):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"constraints.txt does not pin {name}"
        assert requirement.specifier.contains(pins[name]), (requirement, pins[name])
    assert "tensorflow-cpu" not in pins and any(name.startswith("nvidia-") for name in pins)


@pytest.mark.slow
def test_training_json_records_the_package_versions(trained_bilstm):
    from speech_lstm.inference.model_dir import load_model_dir

    environment = load_model_dir(trained_bilstm.model_dir, with_lm=False).metadata["environment"]
    packages = environment["packages"]
    assert packages["keras"] == importlib.metadata.version("keras")
    assert packages["numpy"] == importlib.metadata.version("numpy")
    import tensorflow as tf

    assert packages["tensorflow"] == tf.__version__
    assert all(packages[name] for name in ("librosa", "jiwer", "scipy", "speech-lstm"))
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True)
    if head.returncode == 0:  # a git checkout: the commit it was trained from
        assert environment["source"]["commit"] == head.stdout.decode().strip()


def test_constraint_differences_name_what_differs(tmp_path):
    from speech_lstm.training.environment import constraint_differences, source_commit

    numpy = importlib.metadata.version("numpy")
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(
        f"# pins\nnumpy=={numpy}\nkeras==0.0.1  # older\nnot-installed-anywhere==1.0\n"
    )
    installed = importlib.metadata.version("keras")
    assert constraint_differences(constraints) == [f"keras: 0.0.1 pinned, {installed} installed"]
    constraints.write_text("numpy=\n")
    with pytest.raises(ValueError, match="not a requirement"):
        constraint_differences(constraints)
    assert source_commit(tmp_path) is None
