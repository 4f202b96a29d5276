# Sourced by the FSDD recipes (recipes/fsdd, fsdd_adapt, fsdd_speaker_count): their
# [FSDD_DIR] [speaker ...] arguments and shared settings.
# Sets FSDD (default ../shared/data/fsdd), SPEAKERS (default all four), PY, OUT (FSDD_OUT,
# default outputs/fsdd) and DATA (FSDD_DATA, default data/fsdd: the manifests, one folder per
# held-out speaker); the working directory becomes the repository root. Defines the helpers
# the scripts share to name ensemble members and to resume an interrupted run.
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
FSDD="${1:-../shared/data/fsdd}"
shift || true
SPEAKERS=("$@")
[ ${#SPEAKERS[@]} -gt 0 ] || SPEAKERS=(george jackson nicolas yweweler)
PY="${VENV:-.venv}/bin/python"
OUT="${FSDD_OUT:-outputs/fsdd}"
DATA="${FSDD_DATA:-data/fsdd}"

# The run folder of ensemble member $1 (1-based): train, train_2, train_3 ...
member_run() { if [ "$1" -eq 1 ]; then echo train; else echo "train_$1"; fi; }

# Exits with what to do when $FSDD holds no recordings/ folder.
require_fsdd() {
  [ -d "$FSDD/recordings" ] && return 0
  echo "FSDD not found at $FSDD (expected $FSDD/recordings/*.wav)." >&2
  echo "Download it with: $PY scripts/download.py dataset=fsdd dest=data/" >&2
  exit 1
}

# True, and says so, when the file $1 that marks a finished step exists (an earlier run's).
finished() {
  [ -e "$1" ] || return 1
  echo "Kept from an earlier run: $1" >&2
}

# Refuses the folder $1 when an earlier run made it with other settings than $2, so that a
# re-run never mixes results of two settings; else stamps it with $2.
claim_settings() {
  local stamp="$1/settings.txt"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$2" ]; then
    echo "$1 was made with other settings:" >&2
    echo "  then: $(cat "$stamp")" >&2
    echo "  now:  $2" >&2
    echo "Delete it to start over, or set another FSDD_OUT." >&2
    exit 1
  fi
  mkdir -p "$1"
  echo "$2" > "$stamp"
}
