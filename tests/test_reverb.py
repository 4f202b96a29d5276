"""Room reverberation augmentation: the synthetic RIR, the reverberant copies, the cache key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

import numpy as np
import pytest

from speech_lstm.data.augment.reverb import add_reverb, room_impulse_response
from speech_lstm.data.augment.variants import AudioVariant
from speech_lstm.data.feature_store import build_feature_store, store_key
from speech_lstm.data.manifest import Utterance, write_manifest
from speech_lstm.features import MfccConfig
from tests.conftest import write_tone

SAMPLE_RATE = 16000


def schroeder_rt60(rir: np.ndarray, sample_rate: int) -> float:
    """RT60 from the Schroeder energy decay curve: a line through its -5 to -35 dB part (T30)."""
    energy = rir.astype(np.float64) ** 2
    decay_db = 10 * np.log10(np.cumsum(energy[::-1])[::-1] / energy.sum())
    fitted = (decay_db <= -5) & (decay_db >= -35)
    t = np.arange(len(rir))[fitted] / sample_rate
    slope, _ = np.polyfit(t, decay_db[fitted], 1)
    return -60.0 / slope


@pytest.mark.parametrize("rt60_s", [0.2, 0.5, 0.8, 1.5])
@pytest.mark.parametrize("seed", [0, 1])
def test_rir_energy_decays_at_the_requested_rt60(rt60_s, seed):
    rir = room_impulse_response(rt60_s, 0.0, SAMPLE_RATE, np.random.default_rng(seed))
    assert len(rir) == round(rt60_s * SAMPLE_RATE) + 1
    assert schroeder_rt60(rir, SAMPLE_RATE) == pytest.approx(rt60_s, rel=0.05)


@pytest.mark.parametrize("drr_db", [-5.0, 0.0, 10.0])
def test_rir_direct_to_reverberant_ratio(drr_db):
    rir = room_impulse_response(0.4, drr_db, SAMPLE_RATE, np.random.default_rng(3))
    assert rir[0] == 1.0
    measured = 10 * np.log10(rir[0] ** 2 / np.sum(rir[1:].astype(np.float64) ** 2))
    assert measured == pytest.approx(drr_db, abs=0.01)
    with pytest.raises(ValueError, match="rt60_s"):
        room_impulse_response(0.0, drr_db, SAMPLE_RATE, np.random.default_rng(3))


def test_add_reverb_keeps_length_and_level_and_is_deterministic():
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    dry = (0.3 * np.sin(2 * np.pi * 440 * t) * (t < 0.5)).astype(np.float32)

    def reverb(seed):
        return add_reverb(dry, SAMPLE_RATE, (0.6, 0.6), (0.0, 0.0), np.random.default_rng(seed))

    wet = reverb(7)
    assert wet.dtype == np.float32 and wet.shape == dry.shape
    assert np.sqrt(np.mean(wet**2)) == pytest.approx(np.sqrt(np.mean(dry**2)), rel=1e-4)
    assert np.abs(wet[int(0.6 * SAMPLE_RATE) :]).max() > 0.01, "the tail rings after the tone"
    np.testing.assert_array_equal(wet, reverb(7))
    assert not np.array_equal(wet, reverb(8))


def test_reverb_of_an_impulse_decays_at_the_drawn_rt60():
    click = np.zeros(SAMPLE_RATE, dtype=np.float32)
    click[0] = 1.0
    wet = add_reverb(click, SAMPLE_RATE, (0.5, 0.5), (3.0, 3.0), np.random.default_rng(0))
    assert schroeder_rt60(wet, SAMPLE_RATE) == pytest.approx(0.5, rel=0.05)


def test_reverb_copies_are_cached_deterministic_variants(tmp_path):
    clean = [
        Utterance(str(write_tone(tmp_path / f"u{i}.wav", seconds=s)), s, "word")
        for i, s in enumerate([0.8, 1.2])
    ]
    reverb = (0.3, 0.9)
    variants = (AudioVariant(), AudioVariant(rt60_s=reverb), AudioVariant(rt60_s=reverb, copy=1))
    store = build_feature_store(
        clean, MfccConfig(), tmp_path / "a", num_workers=1, variants=variants
    )
    assert len(store) == 6
    for i in range(2):
        original, first, second = (store.features(k * 2 + i) for k in range(3))
        assert first.shape == original.shape == second.shape
        assert not np.allclose(original, first)
        assert not np.allclose(first, second), "copies draw their rooms independently"
    again = build_feature_store(
        clean, MfccConfig(), tmp_path / "b", num_workers=1, variants=variants
    )
    for index in range(6):
        np.testing.assert_array_equal(store.features(index), again.features(index))


def test_the_store_key_follows_the_reverb_settings(tmp_path):
    utterances = [Utterance(str(write_tone(tmp_path / "u.wav")), 1.0, "word")]
    config = MfccConfig()

    def key(*variants):
        return store_key(utterances, config, (AudioVariant(), *variants))

    keys = {
        key(),
        key(AudioVariant(rt60_s=(0.2, 0.8))),
        key(AudioVariant(rt60_s=(0.2, 0.9))),
        key(AudioVariant(rt60_s=(0.2, 0.8), drr_db=(0.0, 5.0))),
        key(AudioVariant(rt60_s=(0.2, 0.8)), AudioVariant(rt60_s=(0.2, 0.8), copy=1)),
        key(AudioVariant(snr_db=(5.0, 25.0))),
    }
    assert len(keys) == 6
    assert key(AudioVariant(rt60_s=(0.2, 0.8))) == key(AudioVariant(rt60_s=(0.2, 0.8)))

    # Without reverb (and with per-utterance CMVN) the key is the one computed before reverb
    # and `normalize_scope` existed: caches stay valid.
    def key_before_reverb(variants):
        old_fields = [{"speed": v.speed, "snr_db": v.snr_db, "copy": v.copy} for v in variants]
        front_end = {k: v for k, v in asdict(config).items() if k != "normalize_scope"}
        digest = hashlib.sha256(
            json.dumps({**front_end, "variants": old_fields}, sort_keys=True).encode()
        )
        size = (tmp_path / "u.wav").stat().st_size
        digest.update(f"{utterances[0].audio_filepath}\t1.0\t{size}\n".encode())
        return digest.hexdigest()[:20]

    noisy = (AudioVariant(), AudioVariant(snr_db=(5.0, 25.0)))
    assert store_key(utterances, config, noisy) == key_before_reverb(noisy)
    # Speed copies are made with another resampler since then: their old stores are not reused.
    faster = (AudioVariant(), AudioVariant(speed=1.1))
    assert store_key(utterances, config, faster) != key_before_reverb(faster)


def test_reverb_changes_training_features_only(tmp_path):
    from speech_lstm.config import PathsConfig, TrainConfig
    from speech_lstm.data.augment.config import AugmentConfig
    from speech_lstm.text import Vocabulary
    from speech_lstm.training.config import TrainerConfig
    from speech_lstm.training.splits import load_labelled_split, training_variants

    for split in ("train", "dev"):
        write_manifest(
            tmp_path / f"{split}.jsonl",
            [
                Utterance(str(write_tone(tmp_path / f"{split}{i}.wav", seconds=s)), s, "a word")
                for i, s in enumerate([0.9, 1.3])
            ],
        )

    def splits(augment):
        config = TrainConfig(
            paths=PathsConfig(cache_dir=str(tmp_path / "cache")),
            trainer=TrainerConfig(num_workers=1),
            augment=augment,
        )
        vocabulary = Vocabulary(config.data.characters)
        manifest = str(tmp_path / "{}.jsonl")
        train = load_labelled_split(
            [manifest.format("train")], config, vocabulary, training_variants(config)
        )
        dev = load_labelled_split([manifest.format("dev")], config, vocabulary)
        return train, dev

    plain_train, plain_dev = splits(AugmentConfig())
    train, dev = splits(AugmentConfig(reverb_copies=1))
    assert len(plain_train) == 2 and len(train) == 4
    assert train.store.directory != plain_train.store.directory
    for i in range(2):
        np.testing.assert_array_equal(train.store.features(i), plain_train.store.features(i))
        assert not np.allclose(train.store.features(2 + i), plain_train.store.features(i))
    assert dev.store.directory == plain_dev.store.directory, "dev never gets variants"
    assert train.audio_seconds == pytest.approx(2 * plain_train.audio_seconds)


def test_reverb_settings_compose_and_validate(tmp_path):
    from speech_lstm.config import to_object
    from speech_lstm.data.augment.config import AugmentConfig
    from speech_lstm.training.splits import training_variants
    from tests.conftest import compose

    for group in ("none", "specaugment"):
        cfg = to_object(compose("train", [f"augment={group}", f"paths.output_dir={tmp_path}"]))
        assert cfg.augment.reverb_copies == 0
        assert all(v.rt60_s is None for v in training_variants(cfg))
    overrides = [
        f"paths.output_dir={tmp_path}",
        "augment.reverb_copies=2",
        "augment.reverb_rt60_s=[0.3,0.6]",
        "augment.noise_copies=1",
    ]
    variants = training_variants(to_object(compose("train", overrides)))
    reverberant = [v for v in variants if v.rt60_s is not None]
    assert [(v.rt60_s, v.drr_db, v.copy) for v in reverberant] == [
        ((0.3, 0.6), (0.0, 10.0), 0),
        ((0.3, 0.6), (0.0, 10.0), 1),
    ]
    assert all(v.snr_db is None for v in reverberant)
    for bad in (
        {"reverb_copies": -1},
        {"reverb_rt60_s": [0.8, 0.2]},
        {"reverb_rt60_s": [0.0, 0.5]},
        {"reverb_drr_db": [10.0]},
    ):
        with pytest.raises(ValueError, match="reverb_rt60_s"):
            AugmentConfig(**bad)
