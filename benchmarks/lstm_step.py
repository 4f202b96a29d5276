"""Raw training-step speed of the BiLSTM-CTC model (model steps per second), no input pipeline.

Usage: python benchmarks/lstm_step.py [--units 256] [--layers 3] [--steps 100] [--batch 32]
       [--precision float32|mixed_bfloat16] [--no-mask]
Fixed-shape random batches; compares precisions or sizes on this machine's cores or GPU. Runs on
any Keras back end (`KERAS_BACKEND=jax` or `torch` too: the model and loss are Keras-only) and
says whether the LSTMs ran the back end's fused kernels (cuDNN on a GPU) or the generic loop.
`--no-mask` drops the padding mask: Keras' JAX and PyTorch back ends refuse cuDNN for masked
LSTMs, so this measures what the mask costs there (TensorFlow's cuDNN path takes right-padded
masks).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speech_lstm.features import MfccConfig  # noqa: E402
from speech_lstm.model.config import ModelConfig  # noqa: E402
from speech_lstm.model.network import CtcTrainingModel, build_acoustic_model  # noqa: E402

# The back-end functions Keras' LSTM layers try first (fused kernels, cuDNN on a GPU).
LSTM_KERNELS = ("bidirectional_lstm", "lstm")


@contextlib.contextmanager
def counting_fused_lstm_calls() -> Iterator[Counter]:
    """`count_fused_lstm_calls` for the duration of a `with` block; the back end's own LSTM
    functions are restored at its end."""
    import keras.src.backend as keras_backend

    originals = {name: getattr(keras_backend, name) for name in LSTM_KERNELS}
    try:
        yield count_fused_lstm_calls()
    finally:
        for name, function in originals.items():
            setattr(keras_backend, name, function)


def count_fused_lstm_calls() -> Counter:
    """Counts which LSTM kernels the back end ran: fused (cuDNN on a GPU) or the generic loop.

    Keras' Bidirectional layer first tries `keras.src.backend.bidirectional_lstm` (both
    directions in one fused call, unmasked input only), then each LSTM tries
    `keras.src.backend.lstm`, and either falls back on NotImplementedError. Wrapping those two
    functions is the only way to see which ran.
    """
    import keras.src.backend as keras_backend

    calls: Counter = Counter()

    def counted(name: str, fused):
        def call(*args, **kwargs):
            try:
                result = fused(*args, **kwargs)
            except NotImplementedError:
                calls[f"{name} refused"] += 1
                raise
            calls[f"{name} fused"] += 1
            return result

        return call

    for name in LSTM_KERNELS:
        setattr(keras_backend, name, counted(name, getattr(keras_backend, name)))
    return calls


def without_masking(model: keras.Model) -> keras.Model:
    """The same layers (and weights) as the chain `model`, minus its Masking layer."""
    x = inputs = keras.Input(shape=model.input_shape[1:], name="features")
    for layer in model.layers[1:]:
        if not isinstance(layer, keras.layers.Masking):
            x = layer(x)
    return keras.Model(inputs, x, name=f"{model.name}_unmasked")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--steps", type=int, default=100, help="model steps per utterance")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-mask", action="store_true", help="drop the padding mask")
    args = parser.parse_args()
    keras.mixed_precision.set_dtype_policy(args.precision)
    lstm_calls = count_fused_lstm_calls()
    config = ModelConfig(num_layers=args.layers, units=args.units, dropout=0.0)
    features = MfccConfig()  # the default front end: 39 values per 10-ms frame
    acoustic_model = build_acoustic_model(features.feature_dim, 29, config)
    if args.no_mask:
        acoustic_model = without_masking(acoustic_model)
    model = CtcTrainingModel(acoustic_model, config.subsampling)
    model.compile(optimizer=keras.optimizers.Adam(1e-3))
    rng = np.random.default_rng(0)
    frames = args.steps * config.subsampling
    inputs = {
        "features": rng.normal(size=(args.batch, frames, features.feature_dim)).astype("float32"),
        "feature_lengths": np.full(args.batch, frames, "int32"),
    }
    labels = rng.integers(1, 29, size=(args.batch, args.steps // 3)).astype("int32")
    targets = {"labels": labels, "label_lengths": np.full(args.batch, labels.shape[1], "int32")}
    model.train_on_batch(inputs, targets)  # trace
    started = time.perf_counter()
    for _ in range(args.repeats):
        loss = model.train_on_batch(inputs, targets)
    float(np.asarray(loss))  # waits for asynchronous back ends
    seconds = (time.perf_counter() - started) / args.repeats
    rate = args.batch * args.steps / seconds
    audio_seconds_per_step = features.hop_length_ms / 1000 * config.subsampling
    mask = "no mask" if args.no_mask else "masked"
    lstm_path = ", ".join(f"{n} {kind}" for kind, n in sorted(lstm_calls.items())) or "none"
    print(
        f"{keras.backend.backend()} {args.layers}x{args.units} {args.precision} {mask} "
        f"batch {args.batch} x {args.steps} steps: {seconds:.3f} s/step, {rate:.0f} model steps/s, "
        f"{rate * audio_seconds_per_step:.0f} audio s/s; LSTM calls: {lstm_path}",
        flush=True,
    )


if __name__ == "__main__":
    main()
