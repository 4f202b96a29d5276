#!/usr/bin/env bash
# Training-step speed of the model on a GPU, through Keras' JAX and PyTorch back ends, with and
# without the padding mask (see lstm_step.py). Needs a GPU build of jax and/or torch and the
# project's Python dependencies importable; TensorFlow is not needed.
#   bash benchmarks/gpu_lstm_step.sh [python]
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${1:-python3}
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
"$PY" -m pip list 2>/dev/null | grep -E "^(jax|jaxlib|torch|keras|numpy) "
step() {
    local out rc
    out=$(timeout 90 "$PY" benchmarks/lstm_step.py --repeats 10 "$@" 2>&1); rc=$?
    grep -E "steps/s|Error" <<<"$out" | tail -3
    if [ "$rc" -ne 0 ]; then echo "exit $rc: $KERAS_BACKEND $*"; fi
}
for backend in jax torch; do
    "$PY" -c "import $backend" 2>/dev/null || { echo "$backend: not installed, skipped"; continue; }
    export KERAS_BACKEND=$backend
    for mask in "" --no-mask; do
        step --layers 2 --units 128 --batch 32 $mask           # conf/experiment/fsdd.yaml's size
        step --layers 3 --units 192 --batch 64 $mask           # the demo's size
        step --layers 3 --units 256 --batch 128 $mask
    done
    for mask in "" --no-mask; do
        step --layers 3 --units 256 --batch 128 --precision mixed_bfloat16 $mask
    done
done
