"""The scoring normaliser: identical to data prep by default, and each option on known cases."""

from __future__ import annotations

import pytest

from speech_lstm.config import to_object
from speech_lstm.evaluation import NormalizerConfig, TextNormalizer, score
from speech_lstm.evaluation.number_words import integer_to_words, ordinal_to_words, spell_numbers
from speech_lstm.text import normalize_text
from tests.conftest import CONF_DIR, compose

SAMPLES = [
    "Hello, World!",
    "  It\u2019s   a\ttest.\n",
    "Room 42 -- on the 3rd floor?",
    "ÉCOLE: naïve café",
    "don't STOP; believe...",
    "",
    "   ",
    "a-b_c/d",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_default_normalizer_is_the_data_prep_normalizer(text):
    assert TextNormalizer()(text) == normalize_text(text)
    assert TextNormalizer(NormalizerConfig())(text) == normalize_text(text)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (42, "forty two"),
        (100, "one hundred"),
        (105, "one hundred five"),
        (2024, "two thousand twenty four"),
        (1_000_001, "one million one"),
        (12_345, "twelve thousand three hundred forty five"),
    ],
)
def test_integers_are_spelt(value, words):
    assert integer_to_words(value) == words


def test_ordinals_decimals_and_digits_inside_words():
    assert [ordinal_to_words(n) for n in (1, 2, 3, 12, 21, 40)] == [
        "first",
        "second",
        "third",
        "twelfth",
        "twenty first",
        "fortieth",
    ]
    assert spell_numbers("the 3rd of 1,500 at 2.5x") == (
        "the third of one thousand five hundred at two point five x"
    )
    assert spell_numbers("mp3 and 007") == "mp three and zero zero seven"
    with pytest.raises(ValueError, match="non-negative"):
        integer_to_words(-1)


def test_number_spelling_is_applied_to_both_sides():
    normalize = TextNormalizer(NormalizerConfig(spell_numbers=True))
    assert normalize("Gate 7, please.") == "gate seven please"
    reference, hypothesis = normalize("I have 42 cats"), normalize("i have forty two cats")
    assert score([reference], [hypothesis]).wer == 0.0
    plain = TextNormalizer()
    assert score([plain("I have 42 cats")], [plain("i have forty two cats")]).wer > 0


def test_replacements_match_whole_words_longest_first():
    config = NormalizerConfig(
        replacements={
            "OK": "okay",
            "dr.": "doctor",
            "new york": "NYC",
            "new": "fresh",
            "%": "percent",
        }
    )
    normalize = TextNormalizer(config)
    assert normalize("Dr. Smith said OK in New York") == "doctor smith said okay in nyc"
    assert normalize("a new token, not bookkeeping") == "a fresh token not bookkeeping"
    assert normalize("50% off") == "percent off"
    with pytest.raises(ValueError, match="non-empty"):
        NormalizerConfig(replacements={" ": "x"})


def test_each_step_can_be_switched_off():
    keep_case = TextNormalizer(NormalizerConfig(lowercase=False))
    assert keep_case("Hello, World!") == "Hello World"
    keep_punctuation = TextNormalizer(NormalizerConfig(remove_punctuation=False))
    assert keep_punctuation("Hello,   World!") == "hello, world!"
    keep_spaces = TextNormalizer(NormalizerConfig(collapse_whitespace=False))
    assert keep_spaces("a,  b") == "a   b"
    described = TextNormalizer(NormalizerConfig(name="raw", lowercase=False)).describe()
    assert described.startswith("raw: case kept")


def test_every_normalizer_option_composes():
    names = sorted(path.stem for path in (CONF_DIR / "normalizer").glob("*.yaml"))
    assert {"default", "numbers"} <= set(names)
    for name in names:
        cfg = compose(
            "evaluate", ["manifest=m", "output_dir=o", "predictions=p", f"normalizer={name}"]
        )
        config = to_object(cfg)
        assert config.normalizer.name == name
        TextNormalizer(config.normalizer)("Check 1, 2, 3!")
    default = to_object(compose("evaluate", ["manifest=m", "output_dir=o", "predictions=p"]))
    assert default.normalizer == NormalizerConfig()
    with pytest.raises(Exception, match="no_such_key"):
        compose("evaluate", ["manifest=m", "output_dir=o", "normalizer.no_such_key=1"])
