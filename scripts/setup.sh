#!/usr/bin/env bash
# Makes this checkout ready to run: Debian packages (as root), a virtualenv, the Python packages.
# Safe to re-run: each step is skipped when already done (then it takes about a second).
# Usage: scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
# The Debian packages every shipped feature and its tests need, as package:command. dpkg-query
# says which are installed; where there is no dpkg-query, the command found on PATH stands in
# (festival's voices count as there with festival's text2wave).
DEBIAN_PACKAGES=(
  espeak-ng:espeak-ng flite:flite                      # text-to-speech engines
  festival:text2wave festvox-kallpc16k:text2wave       # festival and its English voices
  festvox-kdlpc16k:text2wave festvox-us-slt-hts:text2wave
  wordnet-base: fortunes:                              # real English prose for the word LM
  chromium:chromium chromium-driver:chromedriver       # headless browser of the report test
)
# More packages for a recipe, checked with dpkg-query, e.g. a festival voice:
#   SETUP_EXTRA_DEBIAN_PACKAGES="festvox-rablpc16k" scripts/setup.sh
read -r -a EXTRA_PACKAGES <<< "${SETUP_EXTRA_DEBIAN_PACKAGES:-}"
for package in "${EXTRA_PACKAGES[@]}"; do
  [[ " ${DEBIAN_PACKAGES[*]%%:*} " == *" $package "* ]] || DEBIAN_PACKAGES+=("$package:")
done

have_dpkg=false installed=" "
if command -v dpkg-query >/dev/null 2>&1; then
  have_dpkg=true
  while read -r name want _ state; do
    if [ "$want $state" = "install installed" ]; then installed+="$name "; fi
  done < <(dpkg-query -W -f='${Package} ${Status}\n' "${DEBIAN_PACKAGES[@]%%:*}" 2>/dev/null || true)
fi
missing=()
for entry in "${DEBIAN_PACKAGES[@]}"; do
  package="${entry%%:*}" command="${entry#*:}"
  if $have_dpkg; then
    [[ "$installed" == *" $package "* ]] || missing+=("$package")
  elif [ -z "$command" ] || ! command -v "$command" >/dev/null 2>&1; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
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

# The Python packages: pyproject.toml's, at the exact versions of constraints.txt (what the
# benchmarks were measured with; scripts/refresh_constraints.sh rewrites it). A GPU machine adds
# the CUDA libraries with SETUP_PIP_EXTRAS=dev,gpu.
EXTRAS="${SETUP_PIP_EXTRAS:-dev}"
stamp="$VENV/.setup-stamp"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1) $EXTRAS"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Python packages into $VENV (first time: a few minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  # tensorflow-cpu (what older set-ups installed) and tensorflow write the same files: remove
  # both, so that exactly one distribution owns tensorflow/ after the install.
  if "$VENV/bin/python" -m pip show -q tensorflow-cpu >/dev/null 2>&1; then
    "$VENV/bin/python" -m pip uninstall -q -y tensorflow-cpu tensorflow
  fi
  "$VENV/bin/python" -m pip install -q -c constraints.txt -e ".[$EXTRAS]"
  # librosa compiles parts of itself with numba on first import and caches the result: do it
  # once now, not in the first parallel jobs (speech_lstm/librosa_loader.py says why).
  echo "setup: compiling librosa's numba functions (once, about 25 s)"
  "$VENV/bin/python" -c "from speech_lstm.librosa_loader import load_librosa; load_librosa()"
  echo "$want" > "$stamp"
fi
