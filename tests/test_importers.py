"""Importers: each corpus layout built tiny in tmp_path (FSDD also on the real files)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import soundfile

from speech_lstm.config import to_object
from speech_lstm.data.manifest import read_manifest
from speech_lstm.prep.importers import (
    IMPORTERS,
    CommonVoiceConfig,
    DeepSpeechConfig,
    FsddConfig,
    JsonlConfig,
    KaldiConfig,
    LibriSpeechConfig,
    LJSpeechConfig,
    PrepareDataConfig,
    SourceUtterance,
    normalize_transcripts,
    prepare_data,
)
from tests.conftest import CONF_DIR, compose
from tests.fixtures_corpora import (
    REPO_ROOT,
    can_write_mp3,
    make_common_voice,
    make_deepspeech,
    make_fsdd,
    make_jsonl,
    make_kaldi,
    make_librispeech,
    make_ljspeech,
    require_fsdd,
)


def run_import(dataset, source: Path, output: Path, **options):
    config = PrepareDataConfig(dataset=dataset, source=str(source), output=str(output), **options)
    report = prepare_data(config)
    return report, read_manifest(output)


def test_normalisation_report_counts_changes_removed_characters_and_empties():
    utterances = [
        SourceUtterance("a", Path("a.wav"), "Café, OK!"),
        SourceUtterance("b", Path("b.wav"), "  Just   Case  "),
        SourceUtterance("c", Path("c.wav"), "1984 ?"),
        SourceUtterance("d", Path("d.wav"), "don\u2019t"),
    ]
    kept, report = normalize_transcripts(utterances, " abcdefghijklmnopqrstuvwxyz'")
    assert [u.text for u in kept] == ["caf ok", "just case", "don't"]
    assert report.total == 4 and report.changed == 3  # case and spacing alone do not count
    assert report.removed_characters == Counter(
        {"é": 1, ",": 1, "!": 1, "1": 1, "9": 1, "8": 1, "4": 1, "?": 1}
    )
    assert report.emptied == ["c"]
    assert "1 empty after normalisation" in report.summary()


def test_librispeech(tmp_path):
    expected = make_librispeech(tmp_path / "corpus")
    output = tmp_path / "corpus" / "dev.jsonl"
    dataset = LibriSpeechConfig(split="LibriSpeech/dev-clean")
    report, utterances = run_import(dataset, tmp_path / "corpus", output)
    got = {Path(u.audio_filepath).stem: (u.text, u.speaker) for u in utterances}
    assert got == expected
    assert report.written == 4 and report.speakers == 2
    first = json.loads(output.read_text().splitlines()[0])
    assert not Path(first["audio_filepath"]).is_absolute()  # below the manifest: relative
    for u in utterances:
        assert u.duration == pytest.approx(soundfile.info(u.audio_filepath).duration, abs=1e-3)


def test_librispeech_without_transcripts_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="No \\*.trans.txt"):
        run_import(LibriSpeechConfig(), tmp_path / "empty", tmp_path / "x.jsonl")


def test_common_voice_mp3_converted_in_parallel(tmp_path):
    if not can_write_mp3():
        pytest.skip("this libsndfile cannot write MP3 (needs >= 1.1), so no MP3 fixture")
    source = make_common_voice(tmp_path / "cv")
    output = tmp_path / "out" / "dev.jsonl"
    dataset = CommonVoiceConfig(split="dev")
    report, utterances = run_import(dataset, source, output, convert=True, num_workers=2)
    assert [u.text for u in utterances] == ["hello there", "quoted she said done"]
    assert [u.speaker for u in utterances] == ["client_a", "client_b"]
    assert report.normalization.emptied == ["common_voice_en_3"]
    assert list(report.bad_audio) == ["common_voice_en_4"]
    assert report.bad_audio["common_voice_en_4"].startswith("missing")
    assert report.converted == 2  # the emptied transcript's clip is not converted
    for u in utterances:
        info = soundfile.info(u.audio_filepath)
        assert Path(u.audio_filepath).parent == output.parent / "wavs"
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        assert u.duration == pytest.approx(0.6, abs=0.06)  # MP3 encoder padding aside


def test_common_voice_reads_mp3_directly_and_checks_split(tmp_path):
    if not can_write_mp3():
        pytest.skip("this libsndfile cannot write MP3 (needs >= 1.1), so no MP3 fixture")
    source = make_common_voice(tmp_path / "cv")
    _, utterances = run_import(CommonVoiceConfig(split="train"), source, tmp_path / "t.jsonl")
    assert len(utterances) == 1 and utterances[0].audio_filepath.endswith(".mp3")
    with pytest.raises(ValueError, match="split must be one of"):
        run_import(CommonVoiceConfig(split="other"), source, tmp_path / "o.jsonl")


def test_ljspeech_prefers_the_normalised_column(tmp_path):
    source = make_ljspeech(tmp_path / "LJSpeech-1.1")
    _, utterances = run_import(LJSpeechConfig(), source, tmp_path / "lj.jsonl")
    assert [u.text for u in utterances] == [
        "printing in eighteen sixty nine was new",
        "doctor smith",
        "only raw text",
    ]
    assert {u.speaker for u in utterances} == {"LJ"}
    raw = LJSpeechConfig(use_normalized_text=False)
    _, utterances = run_import(raw, source, tmp_path / "raw.jsonl")
    assert utterances[1].text == "dr smith"


def test_conversion_in_this_process_writes_16k_wav(tmp_path):
    source = make_ljspeech(tmp_path / "LJSpeech-1.1")
    output = tmp_path / "out" / "lj.jsonl"
    report, utterances = run_import(LJSpeechConfig(), source, output, convert=True, num_workers=1)
    assert report.converted == 3
    assert sorted(p.name for p in (output.parent / "wavs").iterdir()) == [
        "LJ001-0001.wav",
        "LJ001-0002.wav",
        "LJ001-0003.wav",
    ]
    info = soundfile.info(utterances[0].audio_filepath)
    assert (info.samplerate, info.subtype) == (16000, "PCM_16")
    assert utterances[0].duration == pytest.approx(0.5, abs=1e-3)


def test_deepspeech_csv(tmp_path):
    csv_path = make_deepspeech(tmp_path / "ds")
    _, utterances = run_import(DeepSpeechConfig(), csv_path, tmp_path / "ds.jsonl")
    assert [u.text for u in utterances] == ["first one", "second with a comma"]
    assert [u.duration for u in utterances] == pytest.approx([0.5, 0.7])
    assert all(u.speaker is None for u in utterances)


def test_kaldi_data_dir(tmp_path):
    data = make_kaldi(tmp_path)
    dataset = KaldiConfig(audio_root=str(tmp_path))
    report, utterances = run_import(dataset, data, tmp_path / "kaldi.jsonl")
    assert [(u.text, u.speaker) for u in utterances] == [
        ("hello world", "spk1"),
        ("good bye now", "spk2"),
    ]
    assert report.written == 2


def test_kaldi_rejects_commands_and_segments(tmp_path):
    data = make_kaldi(tmp_path)
    (data / "wav.scp").write_text("spk1-u1 sox wav/u1.wav -t wav - |\n")
    with pytest.raises(ValueError, match="only plain file paths"):
        run_import(KaldiConfig(audio_root=str(tmp_path)), data, tmp_path / "k.jsonl")
    (data / "segments").write_text("seg1 spk1-u1 0.0 0.2\n")
    with pytest.raises(ValueError, match="segments"):
        run_import(KaldiConfig(audio_root=str(tmp_path)), data, tmp_path / "k.jsonl")


def test_jsonl_is_revalidated_and_renormalised(tmp_path):
    source = make_jsonl(tmp_path / "old")
    (tmp_path / "old" / "old.jsonl").open("a").write(
        json.dumps({"audio_filepath": "gone.wav", "duration": 1, "text": "x"}) + "\n"
    )
    report, utterances = run_import(JsonlConfig(), source, tmp_path / "new" / "m.jsonl")
    assert [(u.text, u.speaker) for u in utterances] == [("hello world", "s1"), ("ok", None)]
    assert utterances[0].duration == pytest.approx(0.5)  # measured, not the listed 9.0
    assert [reason.split(":")[0] for reason in report.bad_audio.values()] == ["missing"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"audio_filepath": "a.wav"}\n')
    with pytest.raises(ValueError, match="missing keys"):
        run_import(JsonlConfig(), bad, tmp_path / "b.jsonl")


def test_existing_output_is_skipped_unless_overwrite(tmp_path):
    source = make_fsdd(tmp_path / "fsdd")
    output = tmp_path / "m.jsonl"
    output.write_text("keep me\n")
    report, _ = run_import(FsddConfig(), source, tmp_path / "first.jsonl")
    report = prepare_data(PrepareDataConfig(FsddConfig(), str(source), str(output)))
    assert report.skipped and output.read_text() == "keep me\n"
    prepare_data(PrepareDataConfig(FsddConfig(), str(source), str(output), overwrite=True))
    assert len(read_manifest(output)) == 8


def test_fsdd_layout_splits_and_unknown_speaker(tmp_path):
    source = make_fsdd(tmp_path / "fsdd")
    _, train = run_import(FsddConfig(split="train"), source, tmp_path / "train.jsonl")
    assert {Path(u.audio_filepath).stem.split("_")[2] for u in train} == {"5", "49"}
    assert {u.text for u in train} == {"zero", "seven"}
    held = FsddConfig(split="test", held_out_speaker="bob")
    _, test = run_import(held, source / "recordings", tmp_path / "held.jsonl")
    assert {u.speaker for u in test} == {"bob"} and len(test) == 8
    with pytest.raises(ValueError, match="held_out_speaker must be one of"):
        run_import(FsddConfig(held_out_speaker="carol"), source, tmp_path / "x.jsonl")


def test_fsdd_real_files_dataset_split(tmp_path):
    fsdd = require_fsdd()
    _, train = run_import(FsddConfig(split="train"), fsdd, tmp_path / "train.jsonl")
    _, test = run_import(FsddConfig(split="test"), fsdd, tmp_path / "test.jsonl")
    takes = lambda utterances: {int(Path(u.audio_filepath).stem.split("_")[2]) for u in utterances}  # noqa: E731
    assert takes(test) == set(range(5)) and min(takes(train)) == 5
    assert not {u.audio_filepath for u in train} & {u.audio_filepath for u in test}
    speakers = {u.speaker for u in train}
    assert speakers == {u.speaker for u in test} and len(speakers) >= 2
    assert len(test) == 5 * 10 * len(speakers) and len(train) == 45 * 10 * len(speakers)
    _, dev = run_import(FsddConfig(split="dev", dev_takes=5), fsdd, tmp_path / "dev.jsonl")
    _, rest = run_import(FsddConfig(split="train", dev_takes=5), fsdd, tmp_path / "rest.jsonl")
    assert takes(dev) == set(range(5, 10)) and min(takes(rest)) == 10
    assert len(dev) == 5 * 10 * len(speakers) and len(rest) == len(train) - len(dev)
    sample = test[0]
    assert sample.text == "zero"
    info = soundfile.info(sample.audio_filepath)
    assert info.samplerate == 8000 and sample.duration == pytest.approx(info.duration, abs=1e-3)


def test_fsdd_real_files_speaker_held_out(tmp_path):
    fsdd = require_fsdd()
    held = sorted(p.name.split("_")[1] for p in (fsdd / "recordings").glob("*.wav"))[0]
    train_cfg = FsddConfig(split="train", held_out_speaker=held)
    _, train = run_import(train_cfg, fsdd, tmp_path / "train.jsonl")
    _, test = run_import(
        FsddConfig(split="test", held_out_speaker=held), fsdd, tmp_path / "t.jsonl"
    )
    assert {u.speaker for u in test} == {held} and len(test) == 500
    assert held not in {u.speaker for u in train}
    assert len(train) + len(test) == len(list((fsdd / "recordings").glob("*.wav")))
    with_dev = FsddConfig(split="dev", held_out_speaker=held, dev_takes=5)
    _, dev = run_import(with_dev, fsdd, tmp_path / "dev.jsonl")
    with_dev.split = "train"
    _, smaller_train = run_import(with_dev, fsdd, tmp_path / "train_nodev.jsonl")
    assert len(dev) == 5 * 10 * 3 and len(smaller_train) == len(train) - len(dev)
    assert not {u.audio_filepath for u in dev} & {u.audio_filepath for u in smaller_train}
    assert held not in {u.speaker for u in dev}
    with pytest.raises(ValueError, match="split=dev needs dev_takes"):
        run_import(FsddConfig(split="dev", held_out_speaker=held), fsdd, tmp_path / "bad.jsonl")

    halves = []
    for first, last in ([0, 24], [25, 49]):
        half = FsddConfig(split="test", held_out_speaker=held, test_takes=[first, last])
        _, utterances = run_import(half, fsdd, tmp_path / f"test_{first}.jsonl")
        takes = {int(Path(u.audio_filepath).stem.split("_")[2]) for u in utterances}
        assert takes == set(range(first, last + 1)) and len(utterances) == 250
        halves.append({u.audio_filepath for u in utterances})
    assert halves[0] | halves[1] == {u.audio_filepath for u in test}
    assert not halves[0] & halves[1]


def test_fsdd_train_speakers_restrict_train_and_dev_only(tmp_path):
    source = make_fsdd(tmp_path / "fsdd", speakers=("anna", "bob", "carl"))
    only_anna = {"held_out_speaker": "carl", "dev_takes": 1, "train_speakers": ["anna"]}
    for split, expected in (("train", {"anna"}), ("dev", {"anna"}), ("test", {"carl"})):
        config = FsddConfig(split=split, **only_anna)
        _, utterances = run_import(config, source, tmp_path / f"{split}.jsonl")
        assert {u.speaker for u in utterances} == expected, split
    take_based = FsddConfig(split="test", train_speakers=["bob"])
    _, test = run_import(take_based, source, tmp_path / "take_test.jsonl")
    assert {u.speaker for u in test} == {"anna", "bob", "carl"}
    _, train = run_import(FsddConfig(train_speakers=["bob"]), source, tmp_path / "t.jsonl")
    assert {u.speaker for u in train} == {"bob"} and len(train) == 2 * 2
    with pytest.raises(ValueError, match=r"speakers of the dataset .* Received: \['dora'\]"):
        run_import(FsddConfig(train_speakers=["anna", "dora"]), source, tmp_path / "x.jsonl")
    with pytest.raises(ValueError, match="not the held-out one"):
        FsddConfig(held_out_speaker="anna", train_speakers=["anna", "bob"])
    with pytest.raises(ValueError, match="at least one speaker"):
        FsddConfig(train_speakers=[])


def test_fsdd_test_takes_are_validated():
    with pytest.raises(ValueError, match="test_takes needs held_out_speaker"):
        FsddConfig(split="test", test_takes=[0, 24])
    with pytest.raises(ValueError, match=r"test_takes must be \[first, last\]"):
        FsddConfig(split="test", held_out_speaker="jackson", test_takes=[30, 10])


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_every_dataset_config_composes_to_its_schema(name):
    cfg = compose("prepare_data", [f"dataset={name}", "source=s", "output=o.jsonl"])
    config = to_object(cfg)
    assert isinstance(config.dataset, IMPORTERS[name].config_class)
    assert config.dataset.name == name
    assert (CONF_DIR / "dataset" / f"{name}.yaml").is_file()


def test_misspelt_dataset_option_fails_at_composition():
    with pytest.raises(Exception, match="splt"):
        compose("prepare_data", ["dataset=fsdd", "dataset.splt=test", "source=s", "output=o"])


def test_prepare_data_script(tmp_path):
    source = make_fsdd(tmp_path / "fsdd")
    output = tmp_path / "out" / "test.jsonl"
    command = [
        sys.executable,
        str(REPO_ROOT / "scripts" / "prepare_data.py"),
        "dataset=fsdd",
        "dataset.split=test",
        f"source={source}",
        f"output={output}",
        f"hydra.run.dir={tmp_path / 'run'}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (
        "fsdd (split=test, held_out_speaker=None, dev_takes=0, test_takes=None, "
        "train_speakers=None): 8 utterances" in result.stdout
    )
    assert len(read_manifest(output)) == 8
