import numpy as np
import pytest
import soundfile

from speech_lstm.audio import AudioError, load_audio
from speech_lstm.features import MfccConfig, compute_mfcc, normalize_by_speaker, num_frames
from tests.conftest import write_tone


def test_shapes_and_determinism(tone_wav):
    config = MfccConfig()
    waveform = load_audio(tone_wav, config.sample_rate)
    first = compute_mfcc(waveform, config.sample_rate, config)
    second = compute_mfcc(waveform.copy(), config.sample_rate, config)
    assert first.shape == (num_frames(len(waveform), config), 39)
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first.mean(axis=0), 0.0, atol=1e-4)


@pytest.mark.parametrize(("deltas", "dim"), [(0, 20), (1, 40), (2, 60)])
def test_feature_dim_follows_config(tone_wav, deltas, dim):
    config = MfccConfig(n_mfcc=20, deltas=deltas, normalize=False)
    features = compute_mfcc(load_audio(tone_wav, 16000), 16000, config)
    assert features.shape[1] == dim == config.feature_dim


def test_speaker_scope_leaves_normalisation_to_the_speakers_statistics(tmp_path):
    quiet = load_audio(write_tone(tmp_path / "q.wav", seconds=1.0), 16000) * 0.1
    loud = quiet * 30
    config = MfccConfig(normalize_scope="speaker")
    raw = [compute_mfcc(w, 16000, config) for w in (quiet, loud)]
    np.testing.assert_array_equal(raw[0], compute_mfcc(quiet, 16000, MfccConfig(normalize=False)))
    together = normalize_by_speaker(raw, ["s", "s"])
    apart = normalize_by_speaker(raw, ["s", "t"])
    # Pooled, the level difference survives in the first coefficient; apart, it is removed.
    assert together[1][:, 0].mean() - together[0][:, 0].mean() > 1.0
    np.testing.assert_allclose(apart[0].mean(axis=0), 0.0, atol=1e-4)
    with pytest.raises(ValueError, match="normalize_scope"):
        MfccConfig(normalize_scope="corpus")


def test_resampling_and_downmix(tmp_path):
    path = write_tone(tmp_path / "stereo8k.wav", seconds=1.0, sample_rate=8000, channels=2)
    waveform = load_audio(path, 16000)
    assert waveform.ndim == 1 and abs(len(waveform) - 16000) <= 2


def test_config_round_trip(tmp_path):
    config = MfccConfig(n_mfcc=20)
    config.save(tmp_path / "f.json")
    assert MfccConfig.load(tmp_path / "f.json") == config


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="deltas"):
        MfccConfig(deltas=3)
    with pytest.raises(ValueError, match="empty waveform"):
        compute_mfcc(np.zeros(0, dtype=np.float32), 16000, MfccConfig())
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF....WAVEjunk")
    with pytest.raises(AudioError, match="Cannot read"):
        load_audio(corrupt, 16000)
    empty = tmp_path / "empty.wav"
    soundfile.write(empty, np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match="no samples"):
        load_audio(empty, 16000)
    with pytest.raises(AudioError, match="not found"):
        load_audio(tmp_path / "missing.wav", 16000)
