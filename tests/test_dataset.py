import multiprocessing

import numpy as np
import pytest

from speech_lstm.ctc import ctc_min_steps
from speech_lstm.data.augment.variants import AudioVariant
from speech_lstm.data.dataset import label_split, make_dataset
from speech_lstm.data.feature_store import build_feature_store, store_key
from speech_lstm.data.manifest import Utterance
from speech_lstm.features import FeatureStatistics, MfccConfig
from speech_lstm.text import Vocabulary
from speech_lstm.training.splits import speaker_groups
from tests.conftest import write_tone


@pytest.fixture
def corpus(tmp_path):
    utterances = []
    for i, seconds in enumerate([0.5, 1.5, 0.7, 1.2, 0.9, 2.0, 0.6, 1.0]):
        path = write_tone(tmp_path / f"u{i}.wav", seconds=seconds)
        utterances.append(Utterance(str(path), seconds, f"word {'abcdefgh'[i]}"))
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"not audio at all")
    utterances.append(Utterance(str(corrupt), 1.0, "broken"))
    long_text = "a much longer transcript than fits in so little audio"
    utterances.append(Utterance(utterances[0].audio_filepath, 0.5, long_text))
    utterances.append(Utterance(utterances[1].audio_filepath, 1.5, "!!!"))
    return utterances


def test_ctc_min_steps_counts_repeats():
    assert ctc_min_steps(np.array([1, 2, 3])) == 3
    assert ctc_min_steps(np.array([1, 1, 2, 2, 2])) == 8
    assert ctc_min_steps(np.array([], dtype=np.int32)) == 0


def test_feature_store_caches_and_invalidates(corpus, tmp_path):
    config = MfccConfig()
    store = build_feature_store(corpus, config, tmp_path / "cache", num_workers=1)
    assert len(store) == len(corpus) and store.num_frames(8) == 0
    assert str(corpus[8].audio_filepath) in store.failed
    assert store.features(1).shape == (1 + int(1.5 * 16000) // 160, config.feature_dim)
    again = build_feature_store(corpus, config, tmp_path / "cache", num_workers=1)
    assert again.directory == store.directory
    changed = build_feature_store(corpus, MfccConfig(n_mfcc=20), tmp_path / "cache", num_workers=1)
    assert changed.directory != store.directory and changed.features(0).shape[1] == 60


def test_speaker_scope_stores_raw_features_normalised_per_group(corpus, tmp_path):
    config = MfccConfig(normalize_scope="speaker")
    utterances = [
        Utterance(u.audio_filepath, u.duration, u.text, speaker="s" if i < 4 else None)
        for i, u in enumerate(corpus[:8])
    ]
    assert store_key(utterances, config, (AudioVariant(),)) != store_key(
        utterances, MfccConfig(), (AudioVariant(),)
    )
    store = build_feature_store(utterances, config, tmp_path / "cache", num_workers=1)
    raw = [store.features(i) for i in range(len(store))]
    assert abs(np.concatenate(raw).mean()) > 1.0  # unnormalised MFCCs
    store.normalize_by_group(speaker_groups(utterances, 1))
    pooled = np.concatenate([store.features(i) for i in range(4)])
    np.testing.assert_allclose(pooled.mean(axis=0), 0.0, atol=1e-3)
    np.testing.assert_allclose(pooled.std(axis=0), 1.0, atol=1e-2)
    assert abs(store.features(0).mean(axis=0)).max() > 0.01  # one file's own mean stays
    alone = store.features(5)  # no speaker: its own statistics, per-utterance CMVN
    np.testing.assert_allclose(alone.mean(axis=0), 0.0, atol=1e-3)
    with pytest.raises(ValueError, match="one group per entry"):
        store.normalize_by_group(["s"])


def test_speaker_groups_separate_audio_variants():
    utterances = [Utterance("a.wav", 1.0, "x", "s"), Utterance("b.wav", 1.0, "y")]
    assert speaker_groups(utterances, 2) == [("s", 0), ("b.wav", 0), ("s", 1), ("b.wav", 1)]


def test_feature_statistics_match_numpy_and_leave_empty_input_alone():
    rng = np.random.default_rng(0)
    parts = [rng.normal(3.0, 2.0, size=(n, 4)) for n in (5, 9, 2)]
    statistics = FeatureStatistics(4)
    for part in parts:
        statistics.add(part)
    joined = np.concatenate(parts)
    expected = (joined - joined.mean(axis=0)) / (joined.std(axis=0) + 1e-5)
    np.testing.assert_allclose(statistics.normalize(joined), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(FeatureStatistics(4).normalize(parts[0]), parts[0].astype("f4"))


def test_label_split_drops_unusable_utterances(corpus, tmp_path):
    store = build_feature_store(corpus, MfccConfig(), tmp_path / "cache", num_workers=1)
    split = label_split(corpus, store, Vocabulary(), subsampling=3, max_duration=1.8)
    # dropped: corrupt audio, CTC-infeasible long text, empty transcript, the 2.0 s utterance
    assert sorted(split.indices.tolist()) == [0, 1, 2, 3, 4, 6, 7]
    assert split.texts[0] == "word a"


def test_batches_are_bucketed_padded_and_carry_true_lengths(corpus, tmp_path):
    store = build_feature_store(corpus, MfccConfig(), tmp_path / "cache", num_workers=1)
    split = label_split(corpus, store, Vocabulary(), subsampling=3)
    dataset = make_dataset(split, batch_size=2, subsampling=3, shuffle=True, num_buckets=4)
    seen = []
    batches = list(dataset)
    assert len(batches) == int(dataset.cardinality())
    for inputs, targets in batches:
        features = inputs["features"].numpy()
        lengths = inputs["feature_lengths"].numpy()
        assert features.shape[1] % 3 == 0 and features.shape[1] - lengths.max() < 3
        for row, length in enumerate(lengths):
            assert not features[row, length:].any()
        labels, label_lengths = targets["labels"].numpy(), targets["label_lengths"].numpy()
        assert all((labels[r, : label_lengths[r]] > 0).all() for r in range(len(labels)))
        seen += lengths.tolist()
        spread = lengths.max() - lengths.min()
        assert spread <= max(store.num_frames(i) for i in split.indices) // 2
    assert sorted(seen) == sorted(store.num_frames(i) for i in split.indices)


def test_every_batch_row_keeps_its_own_features_and_labels(corpus, tmp_path):
    """Each utterance has a frame count of its own, so a row's length names the utterance:
    its features and its label row must both be that utterance's."""
    store = build_feature_store(corpus, MfccConfig(), tmp_path / "cache", num_workers=1)
    vocabulary = Vocabulary()
    split = label_split(corpus, store, vocabulary, subsampling=3)
    by_length = {store.num_frames(i): p for p, i in enumerate(split.indices)}
    assert len(by_length) == len(split), "the fixture needs distinct lengths"
    dataset = make_dataset(split, batch_size=3, subsampling=3, shuffle=True, num_buckets=2)
    rows = 0
    for inputs, targets in dataset:
        features, lengths = inputs["features"].numpy(), inputs["feature_lengths"].numpy()
        labels, label_lengths = targets["labels"].numpy(), targets["label_lengths"].numpy()
        for row, length in enumerate(lengths):
            position = by_length[int(length)]
            own = split.store.features(split.indices[position])
            np.testing.assert_array_equal(features[row, :length], own)
            text = vocabulary.decode(labels[row, : label_lengths[row]].tolist())
            assert text == split.texts[position]
            rows += 1
    assert rows == len(split)


def test_spec_augment_changes_training_inputs_only(corpus, tmp_path):
    from speech_lstm.data.augment.config import AugmentConfig

    store = build_feature_store(corpus, MfccConfig(), tmp_path / "cache", num_workers=1)
    split = label_split(corpus, store, Vocabulary(), subsampling=3)
    augment = AugmentConfig(spec_augment=True, time_mask_max_fraction=0.3)

    def first_batch_by_length(augment_config):
        batches = make_dataset(split, 8, 3, shuffle=False, num_buckets=1, augment=augment_config)
        inputs, _ = next(iter(batches))
        return inputs["features"].numpy(), inputs["feature_lengths"].numpy()

    plain, lengths = first_batch_by_length(None)
    augmented, same_lengths = first_batch_by_length(augment)
    np.testing.assert_array_equal(lengths, same_lengths)
    assert not np.array_equal(plain, augmented)
    changed = plain != augmented
    assert np.allclose(augmented[changed], 1e-3)
    for row, length in enumerate(lengths):
        assert not augmented[row, length:].any(), "padding must stay zero"
    again, _ = first_batch_by_length(None)
    np.testing.assert_array_equal(plain, again)


def test_speed_and_noise_copies_are_cached_deterministic_variants(corpus, tmp_path):

    clean = corpus[:3]
    variants = (AudioVariant(), AudioVariant(speed=1.1), AudioVariant(snr_db=(10.0, 10.0)))
    store = build_feature_store(
        clean, MfccConfig(), tmp_path / "a", num_workers=1, variants=variants
    )
    assert len(store) == 9
    for i in range(3):
        original, faster, noisy = (store.num_frames(k * 3 + i) for k in range(3))
        assert faster == pytest.approx(original / 1.1, abs=2)
        assert noisy == original
        assert not np.allclose(store.features(i), store.features(6 + i))
    again = build_feature_store(
        clean, MfccConfig(), tmp_path / "b", num_workers=1, variants=variants
    )
    np.testing.assert_array_equal(store.features(7), again.features(7))


def test_training_variants_follow_the_augment_config():
    from speech_lstm.config import TrainConfig
    from speech_lstm.data.augment.config import AugmentConfig
    from speech_lstm.training.splits import training_variants

    config = TrainConfig(augment=AugmentConfig(speed_factors=[0.9, 1.0], noise_copies=2))
    variants = training_variants(config)
    assert [v.speed for v in variants] == [0.9, 1.0, 1.0, 1.0]
    assert [v.copy for v in variants if v.snr_db] == [0, 1]
    with pytest.raises(ValueError, match="noise_snr_db"):
        AugmentConfig(noise_snr_db=[20.0, 5.0])


def _build_after(barrier, corpus, cache_dir) -> None:
    barrier.wait(timeout=60)
    build_feature_store(corpus, MfccConfig(), cache_dir, num_workers=1)


def test_processes_building_the_same_store_at_once_both_succeed(corpus, tmp_path):
    # As the workers of a multi-worker run sharing a filesystem do.
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    cache_dir = tmp_path / "shared_cache"
    workers = [
        context.Process(target=_build_after, args=(barrier, corpus, cache_dir)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    store = build_feature_store(corpus, MfccConfig(), cache_dir, num_workers=1)
    assert [p.name for p in cache_dir.iterdir()] == [store.directory.name]
    alone = build_feature_store(corpus, MfccConfig(), tmp_path / "alone", num_workers=1)
    assert all(np.array_equal(store.features(i), alone.features(i)) for i in range(len(corpus)))


def test_speed_perturbation_scales_length_and_pitch_together():
    from speech_lstm.data.augment.variants import change_speed

    rate = 16000
    tone = np.sin(2 * np.pi * 1000.0 * np.arange(rate) / rate).astype(np.float32)
    faster = change_speed(tone, rate, 1.1)
    assert len(faster) == pytest.approx(rate / 1.1, abs=2)
    spectrum = np.abs(np.fft.rfft(faster * np.hanning(len(faster))))
    peak_hz = np.argmax(spectrum) * rate / len(faster)
    assert peak_hz == pytest.approx(1100.0, abs=3)
    assert np.sqrt(np.mean(faster**2)) == pytest.approx(np.sqrt(0.5), rel=0.02)
