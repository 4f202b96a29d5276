"""Tests for the seeded sentence generator and its lexicon."""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from speech_lstm.synthetic import lexicon
from speech_lstm.synthetic.morphology import (
    article,
    gerund,
    number_words,
    participle,
    past,
    plural,
    third_person,
)
from speech_lstm.synthetic.sentences import SentenceGenerator, distinct_words

ALLOWED = re.compile(r"[a-z']+( [a-z']+)*")


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return SentenceGenerator(0).sentences(5000)


def test_same_seed_gives_same_sentences():
    assert SentenceGenerator(7).sentences(300) == SentenceGenerator(7).sentences(300)


def test_same_seed_gives_same_sentences_in_a_fresh_process_with_other_hash_seed():
    code = (
        "from speech_lstm.synthetic.sentences import SentenceGenerator as G; "
        "print(G(3).sentences(50))"
    )
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": path}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert output.strip() == str(SentenceGenerator(3).sentences(50))


def test_different_seeds_differ():
    first, second = SentenceGenerator(1).sentences(50), SentenceGenerator(2).sentences(50)
    assert sum(a != b for a, b in zip(first, second)) > 45


def test_sentence_and_sentences_share_one_stream():
    generator = SentenceGenerator(5)
    assert [generator.sentence(), *generator.sentences(3)] == SentenceGenerator(5).sentences(4)


def test_only_allowed_characters(corpus):
    bad = [sentence for sentence in corpus if not ALLOWED.fullmatch(sentence)]
    assert not bad, bad[:5]


def test_rich_vocabulary(corpus):
    assert len(distinct_words(corpus)) >= 2000


def test_distinct_words():
    assert distinct_words(["the cat sat", "the dog"]) == {"the", "cat", "sat", "dog"}


def test_length_range(corpus):
    lengths = [len(sentence.split()) for sentence in corpus]
    assert min(lengths) >= 4 and max(lengths) <= 16
    assert 6 <= sum(lengths) / len(lengths) <= 11


def test_many_sentence_shapes(corpus):
    assert len(set(corpus)) > 4900
    starts = Counter(sentence.split()[0] for sentence in corpus)
    for word in ("did", "does", "will", "there", "the", "please", "don't", "how", "why"):
        assert starts[word] > 0, word


def test_a_an_agreement(corpus):
    for sentence in corpus:
        words = sentence.split()
        for det, word in zip(words, words[1:]):
            if det == "an":
                assert word[0] in "aeiou" or word.startswith(("hour", "honest")), sentence
                assert not word.startswith(("uni", "use", "usu", "eu")), sentence
            elif det == "a":
                vowel_sound = word[0] in "aeio" and not word.startswith(("one", "eu"))
                u_vowel = word[0] == "u" and not word.startswith(("uni", "use", "usu", "uti"))
                assert not (vowel_sound or u_vowel), sentence


def check_pairs(inflect, pairs: str) -> None:
    words = pairs.split()
    for word, expected in zip(words[::2], words[1::2]):
        assert inflect(word) == expected, word


def test_article():
    check_pairs(article, "apple an box a hour an honey a useful a umbrella an university a")
    check_pairs(article, "unusual an european a old an one a")


def test_inflection_rules():
    check_pairs(plural, "box boxes city cities knife knives dog dogs child children day days")
    check_pairs(past, "carry carried stop stopped go went bake baked play played")
    check_pairs(past, "prefer preferred visit visited")
    check_pairs(participle, "write written take taken open opened")
    check_pairs(third_person, "watch watches try tries go goes make makes fix fixes play plays")
    check_pairs(gerund, "run running make making see seeing tie tying begin beginning")
    check_pairs(gerund, "play playing visit visiting")


def test_number_words():
    assert number_words(1) == "one"
    assert number_words(13) == "thirteen"
    assert number_words(40) == "forty"
    assert number_words(99) == "ninety nine"
    with pytest.raises(ValueError):
        number_words(100)


def test_irregular_verbs_are_used_and_not_regularized(corpus):
    words = distinct_words(corpus)
    irregular_pasts = {past for past, _ in lexicon.IRREGULAR_VERBS.values()}
    assert len(words & irregular_pasts) >= 30
    assert {"went", "took", "bought", "written"} & words
    real_words = set(lexicon.NOUNS + lexicon.VERBS + lexicon.ADJECTIVES + lexicon.FIRST_NAMES)
    for base, forms in lexicon.IRREGULAR_VERBS.items():
        naive = {base + "ed", base + "d", base + base[-1] + "ed"} - set(forms) - real_words
        assert not naive & words, (base, naive & words)


def test_zipf_sampling_favors_early_words():
    counts: Counter[str] = Counter()
    for sentence in SentenceGenerator(0, zipf_exponent=1.2).sentences(3000):
        counts.update(sentence.split())
    nouns = lexicon.THING_NOUNS
    assert counts[nouns[0]] > 5 * max(1, counts[nouns[-1]])


def test_lexicon_lists_are_clean_and_large():
    minimum = {
        "NOUNS": 700,
        "VERBS": 350,
        "ADJECTIVES": 300,
        "ADVERBS": 80,
        "FIRST_NAMES": 150,
        "PLACE_NAMES": 100,
    }
    for name, size in minimum.items():
        words = getattr(lexicon, name)
        assert isinstance(words, tuple) and len(words) >= size, name
        assert len(set(words)) == len(words), name
        assert all(re.fullmatch(r"[a-z']+", word) for word in words), name
    assert set(lexicon.IRREGULAR_VERBS) <= set(lexicon.VERBS)
    assert set(lexicon.IRREGULAR_PLURALS) <= set(lexicon.NOUNS)
