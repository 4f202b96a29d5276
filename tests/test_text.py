import pytest

from speech_lstm.text import BLANK_INDEX, Vocabulary, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hello, World!", "hello world"),
        ("  It\u2019s   fine. ", "it's fine"),
        ("A-B\tC\n", "a b c"),
        ("!!!", ""),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_vocabulary_round_trip(tmp_path):
    vocabulary = Vocabulary()
    ids = vocabulary.encode("it's a test")
    assert BLANK_INDEX not in ids
    assert min(ids) == 1 and max(ids) < vocabulary.size
    assert vocabulary.decode(ids) == "it's a test"
    vocabulary.save(tmp_path / "vocab.json")
    assert Vocabulary.load(tmp_path / "vocab.json") == vocabulary


def test_vocabulary_rejects_unknown_characters():
    with pytest.raises(ValueError, match="not in the vocabulary"):
        Vocabulary().encode("héllo")


def test_vocabulary_needs_unique_characters_and_space():
    with pytest.raises(ValueError, match="unique"):
        Vocabulary(" aa")
    with pytest.raises(ValueError, match="space"):
        Vocabulary("ab")
