"""The Whisper-style English normaliser (`normalizer=english`): one known answer per rule."""

from __future__ import annotations

import pytest

from speech_lstm.evaluation.english import normalize_english
from speech_lstm.evaluation.normalization import NormalizerConfig, TextNormalizer
from tests.evaluation_fixtures import evaluate, write_case


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lower-case
        ("Hello World", "hello world"),
        # annotations in brackets, parentheses, angle brackets and braces
        ("yes [laughs] no (inaudible) maybe <noise> so {breath} ok", "yes no maybe so okay"),
        # filler words, wherever they stand and however punctuated
        ("Um, I think, uh... hmm, mhm yes", "i think yes"),
        # punctuation and symbols removed; apostrophes and decimal points inside words kept
        ('"Well," she said -- it\'s 2.5% off; #1!', "well she said it's 2.5 off 1"),
        # curly apostrophes straightened, a space before an apostrophe closed
        ("it\u2019s the dog 's bone", "it's the dog's bone"),
        # accents dropped
        ("Café naïve résumé", "cafe naive resume"),
        # contractions expanded
        (
            "I'm sure we'll see they've won't can't didn't you'd",
            "i am sure we will see they have will not can not did not you would",
        ),
        # standard spellings
        (
            "OK, gonna wanna alright Mr. Dr. Mrs.",
            "okay going to want to all right mister doctor missus",
        ),
        # British spellings made American, inflections too
        ("the colours of the centre organised", "the colors of the center organized"),
        (
            "favourite theatres, travelling, realisation, grey",
            "favorite theaters traveling realization gray",
        ),
        # spelled-out numbers become digits
        ("twenty-one guns", "21 guns"),
        ("one hundred and five", "105"),
        ("two thousand twenty four", "2024"),
        ("one million two hundred thousand", "1200000"),
        ("three point one four", "3.14"),
        ("the twenty second floor, fifth row, first", "the 22nd floor 5th row 1st"),
        ("one two three", "1 2 3"),
        # digits stay digits; thousands separators go
        ("1,000 and 42", "1000 and 42"),
        # words that are not numbers on their own stay words
        ("wait a second, a hundred times, a million", "wait a second a hundred times a million"),
        # whitespace collapsed
        ("  spaced \t out \n text ", "spaced out text"),
    ],
)
def test_each_rule(text, expected):
    assert normalize_english(text) == expected


def test_reference_and_hypothesis_meet_in_one_form():
    reference = "Mr. Brown's colour TV cost twenty-one pounds (approx.)"
    hypothesis = "mister brown's color tv cost 21 pounds"
    assert normalize_english(reference) == normalize_english(hypothesis)


def test_the_english_normaliser_is_an_evaluation_option_off_by_default(tmp_path):
    assert not NormalizerConfig().english
    normalizer = TextNormalizer(NormalizerConfig(name="english", english=True))
    assert normalizer("Um, it's TWENTY colours.") == "it's 20 colors"
    assert normalizer.describe().startswith("english: Whisper-style")
    extra = TextNormalizer(NormalizerConfig(english=True, replacements={"tv": "television"}))
    assert extra("The TV") == "the television"
    manifest, predictions = write_case(
        tmp_path, {"a": "Twenty-one colours, uh, please."}, {"a": "21 colors please"}
    )
    assert evaluate(manifest, predictions, tmp_path / "plain")["wer"] > 0
    english = NormalizerConfig(name="english", english=True)
    assert evaluate(manifest, predictions, tmp_path / "en", normalizer=english)["wer"] == 0
