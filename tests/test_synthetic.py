import json

import pytest
import soundfile

from speech_lstm.data.manifest import read_manifest
from speech_lstm.data.synthetic import (
    SplitConfig,
    SyntheticConfig,
    check_disjoint_voices,
    generate_corpus,
)
from tests.conftest import compose, require_espeak


def tiny_config(seed: int = 0) -> SyntheticConfig:
    return SyntheticConfig(
        seed=seed,
        splits={
            "train": SplitConfig(4, ["en-us", "en-gb"], ["m1", "f1"]),
            "test": SplitConfig(2, ["en-gb-x-gbcwmd"], ["m6"]),
        },
    )


def test_overlapping_voices_are_rejected():
    splits = {
        "train": SplitConfig(1, ["en-us"], ["m1", "m2"]),
        "test": SplitConfig(1, ["en-us"], ["m2"]),
    }
    with pytest.raises(ValueError, match="espeak-ng:en-us\\+m2"):
        check_disjoint_voices(splits)


def test_generates_real_audio_and_reuses_it(tmp_path):
    require_espeak()
    manifests = generate_corpus(tiny_config(), tmp_path)
    train = read_manifest(manifests["train"])
    test = read_manifest(manifests["test"])
    assert len(train) == 4 and len(test) == 2
    assert {u.speaker for u in test}.isdisjoint({u.speaker for u in train})
    info = soundfile.info(train[0].audio_filepath)
    assert info.samplerate == 16000 and info.channels == 1
    assert train[0].duration == pytest.approx(info.duration, abs=1e-3) and info.duration > 0.5
    assert not {u.text for u in train} & {u.text for u in test}
    mtime = (tmp_path / "train.jsonl").stat().st_mtime_ns
    generate_corpus(tiny_config(), tmp_path)
    assert (tmp_path / "train.jsonl").stat().st_mtime_ns == mtime
    generate_corpus(tiny_config(seed=1), tmp_path)
    assert read_manifest(manifests["train"])[0].text != train[0].text
    assert json.loads((tmp_path / "corpus.json").read_text())["complete"] is True


def test_default_corpus_config_meets_the_voice_contract():
    cfg = compose("train", []).data.synthetic
    splits = {name: SplitConfig(**split) for name, split in cfg.splits.items()}
    check_disjoint_voices(splits)
    train_accents = set(splits["train"].espeak_accents)
    all_accents = train_accents | set(splits["test"].espeak_accents)
    variants = {v for split in splits.values() for v in split.espeak_variants}
    assert len(all_accents) >= 6 and len(variants) >= 10
    assert set(splits["test"].espeak_accents) - train_accents, "test must hold out an accent"
