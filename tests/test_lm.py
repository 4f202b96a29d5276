import pytest

from speech_lstm.lm import EOS, UNK, NgramLM, build_ngram_lm

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
