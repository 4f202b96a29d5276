"""Training throughput (audio seconds per wall second) of our input pipeline vs a plain baseline.

Both feed the same default model for the same number of steps on the same utterances:
  ours:     cached MFCCs (feature store), length-bucketed batches, padding to the batch.
  baseline: as the Keras CTC example does: features computed from audio on the fly every
            epoch, every batch padded to the corpus maximum length, no bucketing.
Usage: python benchmarks/training_throughput.py [--manifest M] [--utterances N] [--epochs E]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speech_lstm.audio import load_audio  # noqa: E402
from speech_lstm.data.dataset import label_split, make_dataset  # noqa: E402
from speech_lstm.data.feature_store import build_feature_store  # noqa: E402
from speech_lstm.data.manifest import read_manifest  # noqa: E402
from speech_lstm.features import MfccConfig, compute_mfcc  # noqa: E402
from speech_lstm.model.config import ModelConfig  # noqa: E402
from speech_lstm.model.network import CtcTrainingModel, build_acoustic_model  # noqa: E402
from speech_lstm.text import Vocabulary, normalize_text  # noqa: E402


def baseline_dataset(utterances, features: MfccConfig, vocabulary: Vocabulary, batch_size, sub):
    """Features from audio every epoch; every batch padded to the longest utterance overall."""
    max_frames = max(
        1 + int(u.duration * features.sample_rate) // features.hop_length for u in utterances
    )
    max_frames += -max_frames % sub + sub
    max_label = max(len(normalize_text(u.text)) for u in utterances)

    def generate():
        for u in utterances:
            mfcc = compute_mfcc(
                load_audio(u.audio_filepath, features.sample_rate), features.sample_rate, features
            )
            yield (
                mfcc,
                np.int32(len(mfcc)),
                np.asarray(vocabulary.encode(normalize_text(u.text)), np.int32),
            )

    spec = (
        tf.TensorSpec((None, features.feature_dim), tf.float32),
        tf.TensorSpec((), tf.int32),
        tf.TensorSpec((None,), tf.int32),
    )
    dataset = tf.data.Dataset.from_generator(generate, output_signature=spec)
    dataset = dataset.padded_batch(batch_size, padded_shapes=((max_frames, None), (), (max_label,)))
    return dataset.map(
        lambda f, n, y: (
            {"features": f, "feature_lengths": n},
            {"labels": y, "label_lengths": tf.reduce_sum(tf.cast(y > 0, tf.int32), 1)},
        )
    )


def measure(
    dataset, audio_seconds: float, model_config: ModelConfig, features: MfccConfig, epochs: int
) -> float:
    keras.utils.set_random_seed(0)
    acoustic = build_acoustic_model(features.feature_dim, Vocabulary().size, model_config)
    model = CtcTrainingModel(acoustic, model_config.subsampling)
    model.compile(optimizer=keras.optimizers.Adam(1e-3, clipnorm=5.0))
    model.fit(dataset.take(2), epochs=1, verbose=0)  # trace and warm up
    started = time.perf_counter()
    model.fit(dataset, epochs=epochs, verbose=0)
    return epochs * audio_seconds / (time.perf_counter() - started)


def pipeline_only(dataset, audio_seconds: float) -> float:
    """Audio seconds per second the input pipeline delivers with no model attached."""
    for _ in dataset:  # first pass fills tf.data's caches and traces the map functions
        pass
    started = time.perf_counter()
    for _ in dataset:
        pass
    return audio_seconds / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", default="data/synthetic/train.jsonl")
    parser.add_argument("--utterances", type=int, default=640)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    utterances = read_manifest(args.manifest)[: args.utterances]
    features, model_config, vocabulary = MfccConfig(), ModelConfig(), Vocabulary()
    store = build_feature_store(utterances, features, "data/cache")
    split = label_split(utterances, store, vocabulary, model_config.subsampling)
    audio_seconds = split.audio_seconds
    ours = make_dataset(split, args.batch_size, model_config.subsampling, shuffle=True)
    kept = [utterances[i] for i in split.indices]
    baseline = baseline_dataset(
        kept, features, vocabulary, args.batch_size, model_config.subsampling
    )
    pipeline_rate = pipeline_only(ours, audio_seconds)
    ours_rate = measure(ours, audio_seconds, model_config, features, args.epochs)
    baseline_rate = measure(baseline, audio_seconds, model_config, features, args.epochs)
    print(f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores")
    print(f"utterances: {len(kept)} ({audio_seconds / 60:.1f} min audio), epochs: {args.epochs}")
    print(f"pipeline alone (no model): {pipeline_rate:.0f} audio s/s")
    print(f"ours:     {ours_rate:.1f} audio s/s")
    print(f"baseline: {baseline_rate:.1f} audio s/s")
    print(f"speed-up: {ours_rate / baseline_rate:.2f}x")


if __name__ == "__main__":
    main()
