# Sourced by the FSDD recipe scripts: [FSDD_DIR] [speaker ...] arguments and shared settings.
# Sets FSDD (default ../shared/data/fsdd), SPEAKERS (default all four), PY, OUT (FSDD_OUT,
# default outputs/fsdd) and DATA (FSDD_DATA, default data/fsdd: the manifests, one folder per
# held-out speaker); the working directory becomes the repository root.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FSDD="${1:-../shared/data/fsdd}"
shift || true
SPEAKERS=("$@")
[ ${#SPEAKERS[@]} -gt 0 ] || SPEAKERS=(george jackson nicolas yweweler)
PY="${VENV:-.venv}/bin/python"
OUT="${FSDD_OUT:-outputs/fsdd}"
DATA="${FSDD_DATA:-data/fsdd}"
