import pytest

from speech_lstm.decoding.lm import EOS, UNK, NgramLM, build_ngram_lm

SENTENCES = ["the cat sat", "the dog sat", "a cat ran", "the cat ran away"]


@pytest.mark.parametrize("order", [1, 2, 3])
def test_distributions_sum_to_one(order):
    lm = build_ngram_lm(SENTENCES, order=order)
    for history in [(), ("the",), ("<s>", "the"), ("cat",), ("unseen",)]:
        total = sum(10 ** lm.log10_prob(w, history) for w in [*lm.words, EOS, UNK])
        assert total == pytest.approx(1.0, abs=1e-6)


def test_context_matters_and_unknown_words_back_off():
    lm = build_ngram_lm(SENTENCES, order=3)
    assert lm.log10_prob("sat", ("the", "cat")) > lm.log10_prob("sat", ("a", "cat"))
    assert lm.log10_prob("zebra", ("the",)) == lm.log10_prob(UNK, ("the",))
    assert lm.words == {"the", "cat", "sat", "dog", "a", "ran", "away"}


def test_arpa_round_trip(tmp_path):
    lm = build_ngram_lm(SENTENCES, order=3)
    lm.save_arpa(tmp_path / "lm.arpa")
    text = (tmp_path / "lm.arpa").read_text()
    assert "\\data\\" in text and "\\3-grams:" in text and text.rstrip().endswith("\\end\\")
    loaded = NgramLM.load_arpa(tmp_path / "lm.arpa")
    assert loaded.order == 3
    for history in [("the", "cat"), ("dog",), ()]:
        assert loaded.log10_prob("sat", history) == pytest.approx(
            lm.log10_prob("sat", history), abs=1e-5
        )


def test_bad_arguments():
    with pytest.raises(ValueError, match="no text"):
        build_ngram_lm([])
    with pytest.raises(ValueError, match="order"):
        build_ngram_lm(SENTENCES, order=9)


def test_lm_text_from_a_text_file_or_a_manifest(tmp_path):
    from speech_lstm.decoding.lm import read_lm_text

    text = tmp_path / "corpus.txt"
    text.write_text("The Cat, sat!\n\n  the dog sat  \n")
    assert read_lm_text(text, " abcdefghijklmnopqrstuvwxyz'") == ["the cat sat", "the dog sat"]
    manifest = tmp_path / "train.jsonl"
    manifest.write_text('{"audio_filepath": "a.wav", "duration": 1, "text": "A cat ran"}\n')
    assert read_lm_text(manifest, " abcdefghijklmnopqrstuvwxyz'") == ["a cat ran"]
    with pytest.raises(FileNotFoundError, match="LM text not found"):
        read_lm_text(tmp_path / "none.txt", "abc ")


def test_build_lm_script(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    (tmp_path / "corpus.txt").write_text("\n".join(SENTENCES))
    command = [
        sys.executable,
        str(ROOT / "scripts" / "build_lm.py"),
        f"input={tmp_path / 'corpus.txt'}",
        f"output={tmp_path / 'lm' / 'lm.arpa'}",
        "order=2",
        f"hydra.run.dir={tmp_path / 'run'}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "2-gram LM of 7 words" in done.stdout
    assert NgramLM.load_arpa(tmp_path / "lm" / "lm.arpa").order == 2


@pytest.mark.parametrize("suffix", [".xz", ".gz"])
def test_a_compressed_arpa_file_reads_as_the_plain_one(tmp_path, suffix):
    import gzip
    import lzma

    from speech_lstm.inference.model_dir import find_lm_file

    build_ngram_lm(SENTENCES, order=3).save_arpa(tmp_path / "lm.arpa")
    plain = NgramLM.load_arpa(tmp_path / "lm.arpa")
    packed = tmp_path / "model" / f"lm.arpa{suffix}"
    packed.parent.mkdir()
    compress = {".xz": lzma.compress, ".gz": gzip.compress}[suffix]
    packed.write_bytes(compress((tmp_path / "lm.arpa").read_bytes()))
    assert NgramLM.load_arpa(packed).logprobs == plain.logprobs
    assert find_lm_file(packed.parent) == packed, "a model directory's compressed LM is found"
    (packed.parent / "lm.arpa").write_bytes((tmp_path / "lm.arpa").read_bytes())
    assert find_lm_file(packed.parent).name == "lm.arpa", "the plain file wins"
