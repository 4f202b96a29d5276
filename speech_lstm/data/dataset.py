"""tf.data input pipelines over a feature store: CTC-feasible examples, length buckets, padding."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from speech_lstm.ctc import ctc_min_steps, output_length
from speech_lstm.data.augment.config import AugmentConfig
from speech_lstm.data.augment.specaugment import spec_augment
from speech_lstm.data.feature_store import FeatureStore
from speech_lstm.data.manifest import Utterance
from speech_lstm.text import Vocabulary, normalize_text

log = logging.getLogger(__name__)


@dataclass
class LabelledSplit:
    """The usable utterances of a manifest, with their labels, ready for batching."""

    store: FeatureStore
    indices: np.ndarray
    labels: list[np.ndarray]
    texts: list[str]
    durations: np.ndarray

    def __len__(self) -> int:
        return len(self.indices)

    @property
    def audio_seconds(self) -> float:
        """Total audio duration of the usable utterances."""
        return float(self.durations.sum())


def label_split(
    utterances: list[Utterance],
    store: FeatureStore,
    vocabulary: Vocabulary,
    subsampling: int,
    max_duration: float | None = None,
) -> LabelledSplit:
    """Keeps the utterances that can be trained on and says how many it dropped and why.

    Dropped: audio that failed to load, transcripts that normalise to nothing, durations over
    `max_duration`, and utterances whose model steps are fewer than CTC needs for their
    transcript. A transcript that is empty in the manifest itself is kept: a clip with nothing
    said in it, whose target is all blanks.
    """
    reasons = {"unreadable": 0, "empty transcript": 0, "too long": 0, "too short for CTC": 0}
    kept, labels, texts = [], [], []
    for index, utterance in enumerate(utterances):
        text = normalize_text(utterance.text, vocabulary.characters)
        label = np.asarray(vocabulary.encode(text), dtype=np.int32)
        frames = store.num_frames(index)
        if frames == 0:
            reasons["unreadable"] += 1
        elif not len(label) and utterance.text.strip():
            reasons["empty transcript"] += 1
        elif max_duration and utterance.duration > max_duration:
            reasons["too long"] += 1
        elif output_length(frames, subsampling) < ctc_min_steps(label):
            reasons["too short for CTC"] += 1
        else:
            kept.append(index)
            labels.append(label)
            texts.append(text)
    dropped = {reason: count for reason, count in reasons.items() if count}
    if dropped:
        log.warning(
            "Dropped %d of %d utterances: %s", sum(dropped.values()), len(utterances), dropped
        )
    durations = np.asarray([utterances[i].duration for i in kept], dtype=np.float64)
    return LabelledSplit(store, np.asarray(kept, dtype=np.int64), labels, texts, durations)


def make_dataset(
    split: LabelledSplit,
    batch_size: int,
    subsampling: int,
    shuffle: bool,
    seed: int = 0,
    num_buckets: int = 8,
    augment: AugmentConfig | None = None,
    epoch: int | tf.Tensor = 0,
) -> tf.data.Dataset:
    """One pass of batches ({features, feature_lengths}, {labels, label_lengths}) bucketed by
    length.

    Features are zero-padded to a multiple of `subsampling` and then to the longest in the
    batch; lengths carry the true frame and label counts so padding never reaches the loss.
    Without `shuffle`, order is by length within buckets but deterministic. `augment`
    (training only) applies SpecAugment masks to each utterance before batching. The shuffled
    order and the masks are a function of (`seed`, `epoch`) alone, so that a resumed run sees
    the same batches as one never interrupted (see `make_training_stream`).
    """
    feature_dim = split.store.frames.shape[1]

    def load(position: np.int64):
        index = split.indices[position]
        features = split.store.features(index)
        extra = -len(features) % subsampling
        padded = np.pad(features, ((0, extra), (0, 0))) if extra else features
        return padded, np.int32(len(features)), split.labels[position]

    def load_tensors(position):
        features, length, labels = tf.numpy_function(
            load, [position], (tf.float32, tf.int32, tf.int32), stateful=False
        )
        features.set_shape((None, feature_dim))
        length.set_shape(())
        labels.set_shape((None,))
        return features, length, labels

    epoch_seed = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch, tf.int64)])
    positions = tf.range(len(split), dtype=tf.int64)
    if shuffle:
        positions = tf.random.experimental.stateless_shuffle(positions, seed=epoch_seed)
    dataset = tf.data.Dataset.from_tensor_slices(positions)
    if augment is not None and augment.spec_augment:
        n_mfcc = feature_dim if split.store.n_mfcc is None else split.store.n_mfcc

        def load_and_augment(position):
            features, length, labels = load_tensors(position)
            example_seed = tf.random.experimental.stateless_fold_in(epoch_seed, position)
            return spec_augment(features, length, augment, n_mfcc, example_seed), length, labels

        dataset = dataset.map(
            load_and_augment, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True
        )
    else:
        dataset = dataset.map(load_tensors, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    boundaries = _bucket_boundaries(split, num_buckets)
    num_batches = count_batches(split, boundaries, batch_size)
    dataset = dataset.bucket_by_sequence_length(
        element_length_func=_frame_count,
        bucket_boundaries=boundaries,
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
        drop_remainder=False,
    )
    dataset = dataset.map(_as_inputs_and_targets)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(num_batches))
    return dataset.prefetch(tf.data.AUTOTUNE)


def make_training_stream(
    split: LabelledSplit,
    batch_size: int,
    subsampling: int,
    first_epoch: int,
    epochs: int,
    seed: int = 0,
    num_buckets: int = 8,
    augment: AugmentConfig | None = None,
) -> tuple[tf.data.Dataset, int]:
    """The shuffled training batches of epochs `first_epoch` to `epochs - 1`, back to back.

    Returns the stream and its batches per epoch (for `fit(steps_per_epoch=...)`). A run that
    resumes at epoch k builds the stream from k and gets exactly the batches an uninterrupted
    run gets from epoch k on.
    """

    def one_epoch(epoch):
        return make_dataset(
            split, batch_size, subsampling, True, seed, num_buckets, augment, epoch=epoch
        )

    boundaries = _bucket_boundaries(split, num_buckets)
    steps_per_epoch = count_batches(split, boundaries, batch_size)
    stream = tf.data.Dataset.range(first_epoch, epochs).flat_map(one_epoch)
    return stream.prefetch(tf.data.AUTOTUNE), steps_per_epoch


def count_batches(split: LabelledSplit, boundaries: list[int], batch_size: int) -> int:
    """Batches one pass yields when bucket i holds lengths in [boundaries[i-1], boundaries[i])."""
    lengths = np.asarray([split.store.num_frames(i) for i in split.indices])
    buckets = np.searchsorted(np.asarray(boundaries), lengths, side="right")
    return int(sum(-(-count // batch_size) for count in np.bincount(buckets)))


def _frame_count(features, length, labels):
    return length


def _bucket_boundaries(split: LabelledSplit, num_buckets: int) -> list[int]:
    lengths = np.asarray([split.store.num_frames(i) for i in split.indices])
    if len(lengths) == 0:
        return [1]
    quantiles = np.quantile(lengths, np.linspace(0, 1, num_buckets + 1)[1:-1])
    return sorted({int(q) + 1 for q in quantiles}) or [int(lengths.max()) + 1]


def _as_inputs_and_targets(features, feature_lengths, labels):
    inputs = {"features": features, "feature_lengths": feature_lengths}
    targets = {"labels": labels, "label_lengths": tf.reduce_sum(tf.cast(labels > 0, tf.int32), 1)}
    return inputs, targets
