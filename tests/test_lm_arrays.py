import itertools
import os

import numpy as np
import pytest

from speech_lstm.decoding.lm import BOS, EOS, UNK, NgramLM, build_ngram_lm
from speech_lstm.decoding.lm_arrays import ArrayLM, cache_path, load_lm

SENTENCES = ["the cat sat", "the dog sat", "a cat ran", "the cat ran away", "a dog"]


def every_query(words: list[str], longest: int):
    """(word, history) pairs over `words` plus markers and an unknown word."""
    tokens = [*words, BOS, EOS, UNK, "zebra"]
    for length in range(longest + 1):
        for history in itertools.product(tokens, repeat=length):
            for word in tokens:
                yield word, history


@pytest.mark.parametrize("order", [1, 2, 3])
def test_arrays_score_exactly_as_the_ngram_model(order):
    lm = build_ngram_lm(SENTENCES, order=order)
    arrays = ArrayLM.from_ngram_lm(lm)
    assert sorted(arrays.lexicon) == sorted(lm.words)
    # Histories longer than order - 1, unknown words in them, and markers included.
    for word, history in every_query(sorted(lm.words)[:4], min(order, 2)):
        assert arrays.log10_prob(word, history) == lm.log10_prob(word, history), (word, history)


def test_arrays_of_an_arpa_file_with_missing_contexts(tmp_path):
    # Pruned models may keep "a b c" without "a b" or "b c": the missing contexts back off.
    arpa = tmp_path / "pruned.arpa"
    arpa.write_text(
        "\\data\\\nngram 1=5\nngram 2=1\nngram 3=1\n\n\\1-grams:\n-1.0\t</s>\n-99\t<s>\t-0.5\n"
        "-0.7\ta\t-0.2\n-0.8\tb\t-0.3\n-0.9\tc\n\n\\2-grams:\n-0.4\t<s> a\t-0.1\n\n"
        "\\3-grams:\n-0.05\ta b c\n\n\\end\\\n"
    )
    parsed = NgramLM.load_arpa(arpa)
    arrays = load_lm(arpa)
    for word, history in every_query(["a", "b", "c"], 3):
        assert arrays.log10_prob(word, history) == parsed.log10_prob(word, history), (word, history)


def test_load_lm_writes_a_cache_and_rebuilds_it_when_the_arpa_changes(tmp_path):
    arpa = tmp_path / "lm.arpa"
    build_ngram_lm(SENTENCES, order=3).save_arpa(arpa)
    first = load_lm(arpa)
    cache = cache_path(arpa)
    assert cache.name == "lm.arpa.npz" and cache.is_file()
    written = cache.stat().st_mtime_ns
    again = load_lm(arpa)
    assert cache.stat().st_mtime_ns == written  # read, not rebuilt
    assert np.array_equal(again.logprobs, first.logprobs, equal_nan=True)
    # Same size and time stamp, other content: the SHA-256 notices.
    changed = build_ngram_lm(["the cat sat"] * 3 + ["a dog ran away"], order=3)
    changed.save_arpa(arpa)
    os.utime(arpa, ns=(written, written))
    reloaded = load_lm(arpa)
    parsed = NgramLM.load_arpa(arpa)
    assert sorted(reloaded.lexicon) == sorted(parsed.words)
    assert reloaded.log10_prob("ran", ("dog",)) == parsed.log10_prob("ran", ("dog",))
    # A damaged cache is rebuilt, not trusted.
    cache.write_bytes(b"not an npz")
    assert load_lm(arpa).log10_prob("dog", ("a",)) == parsed.log10_prob("dog", ("a",))
    assert ArrayLM.load(cache)[0].order == 3


def test_load_lm_of_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="Language model not found"):
        load_lm(tmp_path / "none.arpa")
