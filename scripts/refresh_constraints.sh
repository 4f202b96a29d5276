#!/usr/bin/env bash
# Rewrites constraints.txt with the exact version of every package that `.[dev,gpu]` resolves to
# on the package index now (pip's dry-run report: nothing is downloaded or installed, a minute or
# two). Run it after changing pyproject.toml's dependencies or to move to newer releases, then
# scripts/setup.sh to install them, the tests, and the benchmarks whose figures should follow.
# Usage: scripts/refresh_constraints.sh   (resolves for this machine's platform and Python)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${VENV:-.venv}/bin/python"
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
"$PY" -m pip install -q --dry-run --ignore-installed --report "$report" ".[dev,gpu]"
"$PY" - "$report" > constraints.txt <<'PYTHON'
import json
import platform
import sys

from packaging.utils import canonicalize_name

report = json.load(open(sys.argv[1], encoding="utf-8"))
pins = {
    canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
    for item in report["install"]
}
print("# Exact versions of every package of `.[dev,gpu]`: scripts/setup.sh installs with them")
print("# (pip install -c constraints.txt), so CI and the benchmarks run what was measured.")
print("# Rewritten by scripts/refresh_constraints.sh; resolved for", end=" ")
print(f"Python {platform.python_version()}, {sys.platform} {platform.machine()}.")
for name in sorted(set(pins) - {"speech-lstm", "pip", "wheel"}):
    print(f"{name}=={pins[name]}")
PYTHON
echo "refresh_constraints: wrote constraints.txt ($(grep -c '==' constraints.txt) packages)"
