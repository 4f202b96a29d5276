"""Raw training-step speed of the BiLSTM-CTC model (model steps per second), no input pipeline.

Usage: python benchmarks/lstm_step.py [--units 256] [--layers 3] [--steps 100] [--batch 32]
       [--precision float32|mixed_bfloat16]
Fixed-shape random batches; compares precisions or sizes on this machine's cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speech_lstm.config import ModelConfig  # noqa: E402
from speech_lstm.model import CtcTrainingModel, build_acoustic_model  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--steps", type=int, default=100, help="model steps per utterance")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    keras.mixed_precision.set_dtype_policy(args.precision)
    config = ModelConfig(num_layers=args.layers, units=args.units, dropout=0.0)
    model = CtcTrainingModel(build_acoustic_model(39, 29, config), config.subsampling)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    rng = np.random.default_rng(0)
    frames = args.steps * config.subsampling
    inputs = {
        "features": rng.normal(size=(args.batch, frames, 39)).astype("float32"),
        "feature_lengths": np.full(args.batch, frames, "int32"),
    }
    labels = rng.integers(1, 29, size=(args.batch, args.steps // 3)).astype("int32")
    targets = {"labels": labels, "label_lengths": np.full(args.batch, labels.shape[1], "int32")}
    model.train_on_batch(inputs, targets)  # trace
    started = time.perf_counter()
    for _ in range(args.repeats):
        model.train_on_batch(inputs, targets)
    seconds = (time.perf_counter() - started) / args.repeats
    rate = args.batch * args.steps / seconds
    print(
        f"{args.layers}x{args.units} {args.precision} batch {args.batch} x {args.steps} steps: "
        f"{seconds:.3f} s/step, {rate:.0f} model steps/s, {rate * 0.03:.0f} audio s/s"
    )


if __name__ == "__main__":
    main()
