import json
import logging
import re
from collections import Counter

import pytest
import soundfile

from speech_lstm.config import to_object
from speech_lstm.data.manifest import read_manifest
from speech_lstm.synthetic.config import SplitConfig, SyntheticConfig, check_disjoint_voices
from speech_lstm.synthetic.corpus import generate_corpus, plan_split
from speech_lstm.synthetic.engines import SpeechRequest, synthesize
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


def test_test_splits_may_share_voices_but_not_with_train_or_dev():
    splits = {
        "train": SplitConfig(1, ["en-us"], ["m1"]),
        "dev": SplitConfig(1, ["en-us"], ["m5"]),
        "test": SplitConfig(1, ["en-gb"], ["m6"]),
        "test_everyday": SplitConfig(1, ["en-gb"], ["m6"]),
    }
    check_disjoint_voices(splits)
    for leaked in ("m1", "m5"):
        splits["test_everyday"] = SplitConfig(1, ["en-us"], [leaked])
        with pytest.raises(ValueError, match=f"en-us\\+{leaked}.*only test splits"):
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


def _mtimes(directory) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in sorted(directory.glob("*.wav"))}


def test_a_changed_or_added_split_keeps_the_audio_of_the_splits_before_it(tmp_path, caplog):
    require_espeak()
    config = tiny_config()
    generate_corpus(config, tmp_path)
    train_audio, test_audio = _mtimes(tmp_path / "train"), _mtimes(tmp_path / "test")
    config.splits["test_more"] = SplitConfig(1, ["en-gb-x-gbcwmd"], ["m7"])
    with caplog.at_level(logging.INFO, logger="speech_lstm"):
        generate_corpus(config, tmp_path)
    assert "train, test: settings unchanged, audio kept; test_more: generated anew" in caplog.text
    assert _mtimes(tmp_path / "train") == train_audio and _mtimes(tmp_path / "test") == test_audio
    assert len(read_manifest(tmp_path / "test_more.jsonl")) == 1
    config.splits["test"] = SplitConfig(3, ["en-gb-x-gbcwmd"], ["m6"])
    generate_corpus(config, tmp_path)
    assert _mtimes(tmp_path / "train") == train_audio
    assert len(_mtimes(tmp_path / "test")) == 3
    assert _mtimes(tmp_path / "test").keys() & test_audio.keys()
    assert all(_mtimes(tmp_path / "test")[name] != test_audio[name] for name in test_audio)


def test_a_corpus_stamped_before_split_hashes_keeps_its_splits_when_one_is_added(tmp_path):
    require_espeak()
    generate_corpus(tiny_config(), tmp_path)
    stamp = json.loads((tmp_path / "corpus.json").read_text())
    del stamp["split_fingerprints"]
    (tmp_path / "corpus.json").write_text(json.dumps(stamp))
    train_audio = _mtimes(tmp_path / "train")
    config = tiny_config()
    config.splits["test_more"] = SplitConfig(1, ["en-gb-x-gbcwmd"], ["m7"])
    generate_corpus(config, tmp_path)
    assert _mtimes(tmp_path / "train") == train_audio
    assert json.loads((tmp_path / "corpus.json").read_text())["complete"] is True


def test_only_splits_leaves_other_stale_splits_for_a_full_run_to_remake(tmp_path):
    require_espeak()
    config = tiny_config()
    generate_corpus(config, tmp_path)
    train_audio = _mtimes(tmp_path / "train")
    config.splits["train"] = SplitConfig(5, ["en-us", "en-gb"], ["m1", "f1"])  # changed
    config.only_splits = ["test"]
    generate_corpus(config, tmp_path)  # test follows train's new sentences; train is untouched
    assert _mtimes(tmp_path / "train") == train_audio
    test_audio = _mtimes(tmp_path / "test")
    stamp = json.loads((tmp_path / "corpus.json").read_text())
    assert list(stamp["split_fingerprints"]) == ["test"] and "fingerprint" not in stamp
    config.only_splits = []
    generate_corpus(config, tmp_path)
    assert len(_mtimes(tmp_path / "train")) == 5 and _mtimes(tmp_path / "test") == test_audio
    assert json.loads((tmp_path / "corpus.json").read_text())["complete"] is True


def test_only_splits_speaks_those_splits_as_a_full_corpus_would(tmp_path):
    require_espeak()
    config = tiny_config()  # dev reads the prose after test, so it skips test's sentences
    config.splits["test"] = SplitConfig(2, ["en-gb-x-gbcwmd"], ["m6"], sentences_file=PROSE)
    config.splits["dev"] = SplitConfig(2, ["en-us-nyc"], ["m5"], sentences_file=PROSE)
    full = generate_corpus(config, tmp_path / "full")
    config.only_splits = ["dev"]
    only = generate_corpus(config, tmp_path / "only")
    assert list(only) == ["dev"]
    dev_texts = [u.text for u in read_manifest(only["dev"])]
    assert dev_texts == [u.text for u in read_manifest(full["dev"])]
    assert dev_texts == config.splits["dev"].given_sentences()[2:4]
    assert not (tmp_path / "only" / "train").exists()
    assert not (tmp_path / "only" / "test.jsonl").exists()
    assert json.loads((tmp_path / "only" / "corpus.json").read_text())["complete"] is False
    with pytest.raises(ValueError, match="only_splits names splits the corpus does not have"):
        SyntheticConfig(splits=config.splits, only_splits=["tset"])


PROSE = "heldout_prose"


def test_default_corpus_config_meets_the_voice_contract():
    cfg = compose("train", []).data.synthetic
    splits = {name: SplitConfig(**split) for name, split in cfg.splits.items()}
    check_disjoint_voices(splits)
    train_accents = set(splits["train"].espeak_accents)
    all_accents = train_accents | set(splits["test"].espeak_accents)
    variants = {v for split in splits.values() for v in split.espeak_variants}
    assert len(all_accents) >= 6 and len(variants) >= 10
    assert set(splits["test"].espeak_accents) - train_accents, "test must hold out an accent"


def test_festival_voices_count_in_the_disjointness_check():
    splits = {
        "train": SplitConfig(
            1, ["en-us"], ["m1"], festival_voices=["kal_diphone"], festival_share=0.2
        ),
        "test": SplitConfig(1, festival_voices=["ked_diphone", "kal_diphone"]),
    }
    with pytest.raises(ValueError, match="festival:kal_diphone"):
        check_disjoint_voices(splits)
    splits["test"] = SplitConfig(1, festival_voices=["ked_diphone"])
    check_disjoint_voices(splits)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"festival_voices": ["kal_diphone"]}, "festival_share > 0"),
        ({"festival_share": 0.1}, "needs festival_voices"),
        (
            {
                "flite_voices": ["slt"],
                "flite_share": 0.6,
                "festival_voices": ["kal_diphone"],
                "festival_share": 0.4,
            },
            "espeak-ng voices would never speak",
        ),
        ({"festival_voices": ["kal_diphone) (quit"], "festival_share": 0.1}, "voice names"),
    ],
)
def test_split_config_rejects_shares_that_cannot_work(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        SplitConfig(10, ["en-us"], ["m1"], **kwargs)


def test_each_family_speaks_its_share(tmp_path):
    config = SyntheticConfig(word_list=["yes", "no"])
    three = SplitConfig(2000, ["en-us"], ["m1", "f1"], ["awb"], 0.2, ["kal_diphone"], 0.3)
    two = SplitConfig(
        2000,
        flite_voices=["awb"],
        flite_share=0.1,
        festival_voices=["kal_diphone"],
        festival_share=0.3,
    )
    for split, expected in [(three, (0.5, 0.2, 0.3)), (two, (0.0, 0.25, 0.75))]:
        voices = Counter(
            r.voice.split(":")[0] for r in plan_split("x", split, config, tmp_path, set())
        )
        shares = tuple(voices[family] / 2000 for family in ("espeak-ng", "flite", "festival"))
        assert shares == pytest.approx(expected, abs=0.04)


def test_corpora_made_before_festival_keep_their_fingerprint():
    # Computed by the generator before it knew festival: the corpus on disk is reused.
    config = SyntheticConfig(
        splits={
            "train": SplitConfig(4, ["en-us", "en-gb"], ["m1", "f1"], ["slt"], 0.25),
            "test": SplitConfig(2, ["en-gb-x-gbcwmd"], ["m6"]),
        }
    )
    assert config.fingerprint() == "775afb1f36ab5866"
    config.splits["test"].festival_voices = ["kal_diphone"]
    assert config.fingerprint() != "775afb1f36ab5866"


# Mean seconds per utterance, measured on samples of conf/data/synthetic_large.yaml's voices
# (200, 94 and 96 utterances); the default corpus's train split averages 2.47 s. piper and
# Kokoro: the flagship's sixth-stage training split (1,208 and 801 utterances), less their
# mean edge silence of 0.5 s.
MEAN_SECONDS = {"espeak-ng": 2.43, "flite": 2.51, "festival": 2.59, "piper": 2.14, "kokoro": 3.19}


def test_large_corpus_config_holds_out_a_whole_tts_family():
    cfg = compose("train", ["experiment=synthetic_large"])
    splits = {name: SplitConfig(**split) for name, split in cfg.data.synthetic.splits.items()}
    check_disjoint_voices(splits)
    families = {name: {v.split(":")[0] for v in s.voices()} for name, s in splits.items()}
    assert families["train"] == {"espeak-ng", "flite", "piper", "kokoro"}
    assert "festival" in families["test"] and "festival" not in families["dev"]
    everyday = splits["test_everyday"]  # the prose, read by the test split's unseen voices
    assert (
        everyday.sentences_file == "heldout_prose" and everyday.voices() == splits["test"].voices()
    )
    train = splits["train"]
    shares = {"espeak-ng": 1 - sum(train.shares().values()), **train.shares()}
    hours = train.num_utterances * sum(MEAN_SECONDS[f] * s for f, s in shares.items()) / 3600
    assert hours >= 10.0
    assert cfg.augment.speed_factors != [1.0] and cfg.augment.spec_augment


def test_the_adaptation_corpus_speaks_only_unseen_test_voices_and_other_sentences(tmp_path):
    """data=synthetic_large_adapt: the test split's festival and flite voices, none of training,
    reading sentences of the same generator that the test split does not hold."""
    common = ["experiment=synthetic_large", "paths.output_dir=out"]
    large = to_object(compose("train", common)).data.synthetic
    adapt = to_object(compose("train", [*common, "data=synthetic_large_adapt"])).data.synthetic
    [adapt_split] = adapt.splits.values()
    voices = set(adapt_split.voices())
    assert voices and voices <= set(large.splits["test"].voices())
    assert not voices & set(large.splits["train"].voices())
    test = plan_split("test", large.splits["test"], large, tmp_path, set())
    unlabelled = plan_split("adapt", adapt_split, adapt, tmp_path, set())
    assert len(unlabelled) == 900
    assert not {r.text for r in test} & {r.text for r in unlabelled}


def accented_config(**overrides) -> SyntheticConfig:
    settings = {
        "word_list": ["two", "three"],
        "respellings": {"el": {"two": "τού", "three": "θρι"}},
        "splits": {"train": SplitConfig(2, ["el", "en-us"], ["m1"])},
    }
    return SyntheticConfig(**{**settings, **overrides})


def test_foreign_accent_reads_the_respelling_and_keeps_the_word(tmp_path):
    require_espeak()
    config = accented_config(rate_wpm=[160, 160], pitch=[50, 50])
    train = read_manifest(generate_corpus(config, tmp_path)["train"])
    greek = next(u for u in train if u.speaker == "espeak-ng:el+m1")
    english = next(u for u in train if u.speaker == "espeak-ng:en-us+m1")
    assert {greek.text, english.text} <= {"two", "three"}

    def spoken(text: str, voice: str):
        path = tmp_path / "direct" / f"{voice}-{text}.wav"
        synthesize(SpeechRequest(text, f"espeak-ng:{voice}", 160, 50, path), 16000)
        return soundfile.read(path)[0]

    respelt = {"two": "τού", "three": "θρι"}[greek.text]
    assert (soundfile.read(greek.audio_filepath)[0] == spoken(respelt, "el+m1")).all()
    assert len(spoken(greek.text, "el+m1")) != len(spoken(respelt, "el+m1"))
    assert (soundfile.read(english.audio_filepath)[0] == spoken(english.text, "en-us+m1")).all()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"respellings": {}}, "non-English espeak-ng accent 'el'"),
        ({"word_list": []}, "Give `word_list`"),
        ({"respellings": {"el": {"two": "τού"}}}, "respellings.el does not spell ['three']"),
    ],
)
def test_foreign_accent_without_a_full_respelling_is_rejected(overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        accented_config(**overrides)


def test_accented_digits_config_spells_every_digit_in_every_accent():
    overrides = ["data=synthetic_digits_accented", "paths.output_dir=out"]
    data = to_object(compose("make_synthetic", overrides)).data
    synthetic = data.synthetic
    foreign = set(synthetic.splits["train"].espeak_accents)
    assert len(foreign) >= 10 and foreign == set(synthetic.respellings)
    for accent, table in synthetic.respellings.items():
        assert set(table) == set(synthetic.word_list), accent
    check_disjoint_voices(synthetic.splits)


def test_an_engine_that_times_out_is_tried_again_then_named(tmp_path):
    """A TTS call that overruns its limit (a starved or stopped engine) is retried with the
    next limit; when every try overruns, the error names the voice and the text."""
    require_espeak()
    request = SpeechRequest("one two three", "espeak-ng:en-us", 160, 50, tmp_path / "a.wav")
    assert synthesize(request, 16000, timeouts_s=(1e-4, 60.0)) > 0.5
    assert soundfile.info(request.path).samplerate == 16000
    late = SpeechRequest("one two three", "espeak-ng:en-us", 160, 50, tmp_path / "b.wav")
    with pytest.raises(RuntimeError, match=r"espeak-ng:en-us on 'one two three' timed out 2 times"):
        synthesize(late, 16000, timeouts_s=(1e-4, 1e-4))
    assert not late.path.exists()


def write_sentences(path, lines: list[str]):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_split_speaks_its_sentences_file_in_order_skipping_earlier_splits(tmp_path):
    text = write_sentences(
        tmp_path / "prose.txt",
        ["# a comment", "It's Tuesday, again!", "", "The cat sat.", "Dogs bark.", "Owls hoot."],
    )
    split = SplitConfig(2, ["en-gb-x-gbcwmd"], ["m6", "f4"], sentences_file=text)
    config = SyntheticConfig(splits={"test": split})
    requests = plan_split("test", split, config, tmp_path, taken={"the cat sat"})
    assert [r.text for r in requests] == ["it's tuesday again", "dogs bark"]
    assert [r.voice for r in requests] == [
        "espeak-ng:en-gb-x-gbcwmd+m6",
        "espeak-ng:en-gb-x-gbcwmd+f4",
    ]
    taken_by_others = {"it's tuesday again", "dogs bark", "owls hoot"}
    with pytest.raises(ValueError, match="fewer than num_utterances=2 of its sentences"):
        plan_split("test", split, config, tmp_path, taken=taken_by_others)


@pytest.mark.parametrize(
    ("sentences_file", "message"),
    [("no_such_text", "one of \\['heldout_prose'\\]"), ("short", "holds 1 sentences, fewer")],
)
def test_a_sentences_file_must_exist_and_be_long_enough(tmp_path, sentences_file, message):
    if sentences_file == "short":
        sentences_file = write_sentences(tmp_path / "short.txt", ["only one"])
    with pytest.raises(ValueError, match=message):
        SplitConfig(2, ["en-us"], ["m1"], sentences_file=sentences_file)


def test_the_fingerprint_follows_the_sentences_not_the_file_name(tmp_path):
    def fingerprint(path) -> str:
        split = SplitConfig(1, ["en-us"], ["m1"], sentences_file=path)
        return SyntheticConfig(splits={"test": split}).fingerprint()

    first = write_sentences(tmp_path / "a.txt", ["Dogs bark."])
    same = write_sentences(tmp_path / "b.txt", ["# the same sentence", "dogs bark"])
    other = write_sentences(tmp_path / "c.txt", ["Owls hoot."])
    assert fingerprint(first) == fingerprint(same) != fingerprint(other)
    generated = SyntheticConfig(splits={"test": SplitConfig(1, ["en-us"], ["m1"])})
    assert generated.fingerprint() != fingerprint(first)


def test_the_default_corpus_speaks_the_heldout_prose_in_an_everyday_test_split(tmp_path):
    data = to_object(compose("make_synthetic", [f"paths.output_dir={tmp_path}"])).data.synthetic
    everyday = data.splits["test_everyday"]
    prose = everyday.given_sentences()
    assert everyday.num_utterances == len(prose) == 245
    requests = plan_split("test_everyday", everyday, data, tmp_path, set())
    assert [r.text for r in requests] == prose
    assert not set(everyday.voices()) & set(data.splits["train"].voices())
