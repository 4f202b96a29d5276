import numpy as np
import pytest

from speech_lstm.audio import load_audio
from speech_lstm.data.manifest import read_manifest
from speech_lstm.synthetic.config import SplitConfig, SyntheticConfig, check_disjoint_voices
from speech_lstm.synthetic.corpus import ESPEAK_VARIANT_ROOT, generate_corpus
from speech_lstm.synthetic.espeak_variants import (
    DATA_FOLDER,
    MAX_RANDOM_VARIANTS,
    is_random_variant,
    random_variant_names,
    random_variant_text,
    write_variant_root,
)
from tests.conftest import require_espeak


def test_random_variants_are_named_and_drawn_deterministically():
    names = random_variant_names(3)
    assert names == ["rand000", "rand001", "rand002"]
    assert is_random_variant("en-us+rand002") and not is_random_variant("en-us+m3")
    assert random_variant_text("rand001") == random_variant_text("rand001")
    assert random_variant_text("rand001") != random_variant_text("rand002")
    assert random_variant_text("rand001").startswith("language variant\nname rand001\n")
    with pytest.raises(ValueError, match="at most"):
        random_variant_names(MAX_RANDOM_VARIANTS + 1)


def test_two_splits_cannot_share_random_variants():
    splits = {
        "train": SplitConfig(1, ["en-us"], ["m1"], espeak_random_variants=2),
        "test": SplitConfig(1, ["en-us"], ["m6"], espeak_random_variants=1),
    }
    with pytest.raises(ValueError, match=r"en-us\+rand000"):
        check_disjoint_voices(splits)


def test_random_variant_count_changes_the_fingerprint_and_zero_keeps_it():
    def config(count: int) -> SyntheticConfig:
        return SyntheticConfig(
            splits={"train": SplitConfig(4, ["en-us"], ["m1"], espeak_random_variants=count)}
        )

    assert (
        config(0).fingerprint()
        == SyntheticConfig(splits={"train": SplitConfig(4, ["en-us"], ["m1"])}).fingerprint()
    )
    assert len({config(0).fingerprint(), config(1).fingerprint(), config(2).fingerprint()}) == 3


def test_variant_root_links_the_system_data_without_named_variants(tmp_path):
    system = tmp_path / "system"
    (system / "voices" / "!v").mkdir(parents=True)
    (system / "voices" / "!v" / "m3").write_text("name m3\n")
    (system / "voices" / "mb").mkdir()
    (system / "phontab").write_text("phonemes")
    root = write_variant_root(tmp_path / "root", ["rand000"], system_dir=system)
    data = root / DATA_FOLDER
    assert (data / "phontab").read_text() == "phonemes"
    assert sorted(p.name for p in (data / "voices" / "!v").iterdir()) == ["rand000"]
    assert not (data / "voices" / "mb").exists()
    write_variant_root(tmp_path / "root", ["rand000"], system_dir=system)  # rebuild is fine


def test_random_variants_speak_in_their_own_voice(tmp_path):
    require_espeak()
    config = SyntheticConfig(
        word_list=["seven"],
        rate_wpm=[160, 160],
        pitch=[50, 50],
        splits={"train": SplitConfig(3, ["en-us"], ["m1"], espeak_random_variants=2)},
    )
    utterances = read_manifest(generate_corpus(config, tmp_path)["train"])
    assert [u.speaker for u in utterances] == [
        "espeak-ng:en-us+m1",
        "espeak-ng:en-us+rand000",
        "espeak-ng:en-us+rand001",
    ]
    assert (tmp_path / ESPEAK_VARIANT_ROOT / DATA_FOLDER / "voices" / "!v" / "rand001").is_file()
    spectra = [_mean_spectrum(u.audio_filepath) for u in utterances]
    # Same word, rate and pitch: only the variant differs, and each one sounds different.
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        assert np.abs(spectra[a] - spectra[b]).mean() > 0.05


def _mean_spectrum(path: str) -> np.ndarray:
    waveform = load_audio(path, 16000)
    magnitude = np.abs(np.fft.rfft(waveform[: len(waveform) // 512 * 512].reshape(-1, 512)))
    spectrum = np.log(magnitude.mean(axis=0) + 1e-6)
    return spectrum - spectrum.mean()
