"""Clips with nothing said: generated as the corpus says, and a model trained on them (with
empty transcripts) writes nothing on silence, noise and tones it has never heard."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile

from speech_lstm.data.manifest import Utterance
from speech_lstm.evaluation import score
from speech_lstm.features import MfccConfig, compute_mfcc
from speech_lstm.synthetic.config import SplitConfig, SyntheticConfig
from speech_lstm.synthetic.corpus import generate_corpus
from speech_lstm.synthetic.nonspeech import NONSPEECH_KINDS, nonspeech_waveform
from tests.conftest import require_espeak
from tests.tiny_training import labelled, speak, train_tiny, transcribe_features

RATE = 16000


def rms_dbfs(wave: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(wave.astype(np.float64) ** 2)))


def test_clips_have_their_kind_s_level_and_spectrum_and_follow_their_seed():
    for kind in NONSPEECH_KINDS:
        first, again = (nonspeech_waveform(kind, 1.0, RATE, seed=3) for _ in range(2))
        assert len(first) == RATE and np.array_equal(first, again)
    assert not np.array_equal(*(nonspeech_waveform("tone", 1.0, RATE, s) for s in (1, 2)))
    for seed in range(6):
        assert -70.5 < rms_dbfs(nonspeech_waveform("white_noise", 1.0, RATE, seed)) < -14.5
        silence = nonspeech_waveform("silence", 1.0, RATE, seed)
        assert not silence.any() or -90.5 < rms_dbfs(silence) < -69.5
    power = np.abs(np.fft.rfft(nonspeech_waveform("pink_noise", 4.0, RATE, seed=0))) ** 2
    hz = np.fft.rfftfreq(4 * RATE, 1 / RATE)
    low, high = power[(hz > 100) & (hz < 200)].mean(), power[(hz > 3200) & (hz < 6400)].mean()
    assert 10 < low / high < 60  # 1/f: 32 times the frequency, about 1/32 of the power
    with pytest.raises(ValueError, match="kind"):
        nonspeech_waveform("music", 1.0, RATE, 0)


def test_the_corpus_adds_nonspeech_clips_and_edge_silence(tmp_path):
    require_espeak()

    def corpus(name: str, **split_settings) -> list[dict]:
        split = SplitConfig(4, ["en-us"], ["m1"], **split_settings)
        config = SyntheticConfig(splits={"train": split}, num_workers=1)
        manifest = generate_corpus(config, tmp_path / name)["train"]
        return [json.loads(line) for line in manifest.read_text().splitlines()]

    plain = corpus("plain")
    padded = corpus("padded", nonspeech_share=1.0, edge_silence_s=0.5)
    speech, clips = padded[:4], padded[4:]
    assert [row["text"] for row in speech] == [row["text"] for row in plain]
    for with_silence, without in zip(speech, plain):
        assert without["duration"] <= with_silence["duration"] <= without["duration"] + 1.0
    assert sum(a["duration"] for a in speech) > sum(b["duration"] for b in plain) + 0.2
    assert [row["text"] for row in clips] == [""] * 4
    assert sorted(row["speaker"] for row in clips) == sorted(
        f"nonspeech:{k}" for k in NONSPEECH_KINDS
    )
    assert all(0.5 <= row["duration"] <= 5.0 for row in clips)
    assert SyntheticConfig(splits={"t": SplitConfig(4, ["en-us"], ["m1"])}).fingerprint() == (
        SyntheticConfig(
            splits={"t": SplitConfig(4, ["en-us"], ["m1"], nonspeech_share=0.0)}
        ).fingerprint()
    )


SENTENCES = ["red fish", "a blue cat", "seven owls", "quiet jazz", "the big dog", "warm milk"]


def unheard_clips() -> dict[str, np.ndarray]:
    """Silence, white and pink noise at several levels and a steady tone, 5 s each."""
    rng = np.random.default_rng(1234)
    white = rng.standard_normal(5 * RATE)
    spectrum = np.fft.rfft(rng.standard_normal(5 * RATE))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    pink = np.fft.irfft(spectrum, n=5 * RATE)
    clips = {"5 s of digital silence": np.zeros(5 * RATE)}
    for db in (-60, -40, -25):
        clips[f"white noise at {db} dBFS"] = white * 10 ** (db / 20) / white.std()
        clips[f"pink noise at {db} dBFS"] = pink * 10 ** (db / 20) / pink.std()
    t = np.arange(5 * RATE) / RATE
    clips["a 440 Hz tone at -12 dBFS"] = 0.35 * np.sin(2 * np.pi * 440 * t)
    clips["a 1,250 Hz tone at -30 dBFS"] = 0.045 * np.sin(2 * np.pi * 1250 * t)
    return {name: wave.astype(np.float32) for name, wave in clips.items()}


def test_a_model_trained_with_nonspeech_clips_writes_nothing_on_unheard_ones(tmp_path):
    """Measured: the same model trained on the six sentences alone writes "zh" on digital
    silence, "k" on white and "hh" on pink noise; with eight clips of nothing it writes
    nothing on any of these, while still transcribing its sentences."""
    require_espeak()
    utterances = speak(SENTENCES, tmp_path / "speech")
    for index in range(8):
        kind = NONSPEECH_KINDS[index % len(NONSPEECH_KINDS)]
        path = tmp_path / "nonspeech" / f"{index}.wav"
        path.parent.mkdir(exist_ok=True)
        wave = nonspeech_waveform(kind, 1.0 + index * 0.4, RATE, seed=index)
        soundfile.write(path, wave, RATE, subtype="PCM_16")
        utterances.append(Utterance(str(path), soundfile.info(str(path)).duration, ""))
    split = labelled(utterances, tmp_path / "cache")
    assert len(split) == 14, "clips with an empty transcript are kept for training"
    acoustic, _ = train_tiny(split, steps=150)

    written = {
        name: transcribe_features(acoustic, compute_mfcc(wave, RATE, MfccConfig()))
        for name, wave in unheard_clips().items()
    }
    assert written == {name: "" for name in written}
    speech = [transcribe_features(acoustic, split.store.features(i)) for i in split.indices[:6]]
    assert score(SENTENCES, speech).cer <= 0.05, speech
