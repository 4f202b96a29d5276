#!/usr/bin/env bash
# Makes this checkout ready to run: Debian packages (as root), a virtualenv, the Python packages.
# Safe to re-run: each step is skipped when already done. Usage: scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
DEBIAN_PACKAGES=(espeak-ng flite)   # each also names the command it installs
# More packages for a recipe, checked with dpkg-query, e.g. festival and its voices:
#   SETUP_EXTRA_DEBIAN_PACKAGES="festival festvox-kdlpc16k" scripts/setup.sh
read -r -a EXTRA_PACKAGES <<< "${SETUP_EXTRA_DEBIAN_PACKAGES:-}"
missing=()
for package in "${DEBIAN_PACKAGES[@]}"; do
  command -v "$package" >/dev/null 2>&1 || missing+=("$package")
done
for package in "${EXTRA_PACKAGES[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null)" = "install ok installed" ] \
    || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
  else
    echo "setup: missing text-to-speech engines: ${missing[*]}" >&2
    echo "setup: install them with:  sudo apt-get install -y ${missing[*]}" >&2
    echo "setup: then run this command again." >&2
    exit 1
  fi
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "setup: Python >= 3.10 is needed; found: $("$PYTHON" --version 2>&1)." >&2
  echo "setup: install it (e.g. sudo apt-get install -y python3 python3-venv) or set PYTHON=." >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating virtualenv $VENV"
  if ! "$PYTHON" -m venv "$VENV"; then
    echo "setup: could not create a virtualenv; install it with: sudo apt-get install -y python3-venv" >&2
    exit 1
  fi
fi

stamp="$VENV/.setup-stamp"
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into $VENV (first time: a few minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
fi
