"""An English text normaliser in the style of Whisper's, for comparing with published WERs.

Published English WERs (Whisper's paper and the leaderboards that followed it) are computed
after a normaliser that forgives differences of style rather than recognition: case,
punctuation, annotations, hesitations, contractions, British and American spellings, and
numbers written as words or digits. This module does those things in that spirit; it is
written from the published description, not from Whisper's code, and its word lists are our
own, so scores are comparable in kind, not to the last decimal. `docs/evaluation.md` lists
exactly what each step does.
"""

from __future__ import annotations

import re
import unicodedata

from speech_lstm.evaluation.number_words import TENS_WORDS, UNIT_WORDS

# "er", "ah" and "eh" are left: they are words too often ("ah" as a reply, "eh" a question).
FILLER_WORDS = frozenset(
    ["uh", "uhh", "uhm", "um", "umm", "hm", "hmm", "hmmm", "mm", "mmm", "mhm", "erm"]
)

# Whole words only, after lower-casing; contractions become their full forms.
CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "shan't": "shall not",
    "ain't": "is not",
    "let's": "let us",
    "y'all": "you all",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "kinda": "kind of",
    "sorta": "sort of",
    "ok": "okay",
    "o.k.": "okay",
    "alright": "all right",
    "mr": "mister",
    "mrs": "missus",
    "ms": "miss",
    "dr": "doctor",
}
# Endings of any other contraction: "didn't" -> "did not", "we're" -> "we are".
_SUFFIX_CONTRACTIONS = (
    ("n't", " not"),
    ("'re", " are"),
    ("'ll", " will"),
    ("'ve", " have"),
    ("'m", " am"),
    ("'d", " would"),
)

# British spelling -> American, each with the inflections listed beside it.
_OUR_WORDS = "colour favour honour labour neighbour behaviour humour flavour harbour rumour vapour"
_ISE_STEMS = (
    "organ real recogn apolog critic emphas minim maxim modern normal special summar "
    "memor categor character util author capital civil standard"
)
_RE_WORDS = "centre metre theatre litre fibre calibre spectre sombre"
_SINGLE_SPELLINGS = {
    "grey": "gray",
    "greys": "grays",
    "programme": "program",
    "programmes": "programs",
    "catalogue": "catalog",
    "catalogues": "catalogs",
    "dialogue": "dialog",
    "cheque": "check",
    "cheques": "checks",
    "tyre": "tire",
    "tyres": "tires",
    "aluminium": "aluminum",
    "jewellery": "jewelry",
    "plough": "plow",
    "ageing": "aging",
    "judgement": "judgment",
    "manoeuvre": "maneuver",
    "sceptical": "skeptical",
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "pyjamas": "pajamas",
    "moustache": "mustache",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "paralyse": "paralyze",
    "travelled": "traveled",
    "travelling": "traveling",
    "traveller": "traveler",
    "cancelled": "canceled",
    "cancelling": "canceling",
    "labelled": "labeled",
    "labelling": "labeling",
    "modelling": "modeling",
    "modelled": "modeled",
    "fulfil": "fulfill",
    "enrol": "enroll",
    "skilful": "skillful",
}


def _british_to_american() -> dict[str, str]:
    spellings = dict(_SINGLE_SPELLINGS)
    for word in _OUR_WORDS.split():
        for ending in ("", "s", "ed", "ing", "ite", "ites", "able", "ful"):
            spellings[word + ending] = word[:-3] + "or" + ending
    for stem in _ISE_STEMS.split():
        for ending in ("e", "es", "ed", "ing", "ation", "ations"):
            spellings[stem + "is" + ending] = stem + "iz" + ending
    for word in _RE_WORDS.split():
        for ending in ("", "s"):
            spellings[word + ending] = word[:-2] + "er" + ending
    return spellings


SPELLINGS = _british_to_american()

_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|<[^>]*>|\{[^}]*\}")
_SPACE_BEFORE_APOSTROPHE = re.compile(r"\s+'(?=[a-z])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_KEPT = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")  # words, contractions, decimals ("2.5")
_WORD = re.compile(r"[a-z0-9']+(?:\.[a-z0-9]+)*\.?")

_UNITS = {word: value for value, word in enumerate(UNIT_WORDS)}
_TENS_VALUES = {word: 10 * value for value, word in enumerate(TENS_WORDS) if word}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_ORDINALS = {
    "first": "one",
    "second": "two",
    "third": "three",
    "fifth": "five",
    "eighth": "eight",
    "ninth": "nine",
    "twelfth": "twelve",
}


def normalize_english(text: str) -> str:
    """Normalises English text for scoring, in the style of Whisper's English normaliser.

    Steps, in order: lower-case; drop annotations in brackets, parentheses, angle brackets
    or braces; straighten curly apostrophes and join "don 't" to "don't"; drop accents;
    drop thousands separators ("1,000" -> "1000") and hyphens; expand contractions and
    standard spellings (`CONTRACTIONS`, then the endings n't, 're, 'll, 've, 'm, 'd);
    British to American spellings (`SPELLINGS`); remove punctuation and symbols (keeping
    apostrophes and decimal points inside words); drop filler words (`FILLER_WORDS`);
    spelled-out numbers to digits ("twenty one" -> "21", "third" -> "3rd",
    "two point five" -> "2.5"); collapse whitespace.

    Example:
        >>> normalize_english("Um, I've got [LAUGHS] twenty-one colours!")
        'i have got 21 colors'
    """
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = _BRACKETED.sub(" ", text)
    text = _SPACE_BEFORE_APOSTROPHE.sub("'", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _THOUSANDS.sub("", text).replace("-", " ")
    words = [_standard(word) for word in _WORD.findall(text)]
    words = " ".join(words).split()
    words = [w for w in " ".join(_KEPT.findall(" ".join(words))).split() if w not in FILLER_WORDS]
    return " ".join(numbers_to_digits(words))


def _standard(word: str) -> str:
    """One word's contraction expanded and its British spelling made American."""
    if word in CONTRACTIONS:
        return CONTRACTIONS[word]
    bare = word.rstrip(".")
    if bare in CONTRACTIONS:
        return CONTRACTIONS[bare]
    for ending, full in _SUFFIX_CONTRACTIONS:
        if bare.endswith(ending) and len(bare) > len(ending):
            return bare[: -len(ending)] + full
    return SPELLINGS.get(bare, bare)


def numbers_to_digits(words: list[str]) -> list[str]:
    """Runs of English number words as one number in digits: "one hundred and five" -> "105",
    "twenty first" -> "21st", "three point one four" -> "3.14". A run ends where the next word
    cannot continue it, so "one two" stays two numbers ("1 2")."""
    out: list[str] = []
    index = 0
    while index < len(words):
        end, number = _parse_number(words, index)
        if end == index:
            out.append(words[index])
            index += 1
        else:
            out.append(number)
            index = end
    return out


def _parse_number(words: list[str], start: int) -> tuple[int, str]:
    """(index after the number, its digits) of the number words from `start`; (start, "")
    when none starts there."""
    total, group, index, last, suffix = 0, 0, start, None, ""
    while index < len(words):
        word, ordinal = _cardinal(words[index], last)
        kind = _kind(word)
        if kind is None or not _may_follow(last, kind, group, _UNITS.get(word, 0)):
            if _and_continues(words, index, last):
                index += 1
                continue
            break
        if kind == "unit":
            group += _UNITS[word]
        elif kind == "ten":
            group += _TENS_VALUES[word]
        elif kind == "hundred":
            group = max(group, 1) * 100
        else:
            total += max(group, 1) * _SCALES[word]
            group = 0
        last = "zero" if word == "zero" else kind
        index += 1
        if ordinal:
            suffix = _ordinal_suffix(total + group)
            break
    if index == start:
        return start, ""
    digits = str(total + group) + suffix
    if not suffix and index + 1 < len(words) and words[index] == "point":
        decimals = []
        for word in words[index + 1 :]:
            if _UNITS.get(word, 10) > 9:
                break
            decimals.append(str(_UNITS[word]))
        if decimals:
            return index + 1 + len(decimals), f"{digits}.{''.join(decimals)}"
    return index, digits


def _and_continues(words: list[str], index: int, last: str | None) -> bool:
    """Whether an "and" at `index` sits inside a number: "one hundred and five"."""
    if words[index] != "and" or last not in ("hundred", "scale") or index + 1 >= len(words):
        return False
    return _kind(_cardinal(words[index + 1], last)[0]) in ("unit", "ten")


def _cardinal(word: str, last: str | None) -> tuple[str, bool]:
    """The cardinal an ordinal word names ("third" -> ("three", True)), else (word, False).
    "second" counts only inside a number ("twenty second"), not alone ("a second")."""
    if word in _ORDINALS and not (word == "second" and last is None):
        return _ORDINALS[word], True
    if word.endswith("ieth") and word[:-4] + "y" in _TENS_VALUES:
        return word[:-4] + "y", True
    stem = word[:-2]
    if word.endswith("th") and (stem in _UNITS or stem in _SCALES or stem == "hundred"):
        return stem, True
    return word, False


def _kind(word: str) -> str | None:
    if word in _UNITS:
        return "unit"
    if word in _TENS_VALUES:
        return "ten"
    if word == "hundred":
        return "hundred"
    return "scale" if word in _SCALES else None


def _may_follow(last: str | None, kind: str, group: int, value: int) -> bool:
    """Whether a word of `kind` (a unit's `value`) continues a number whose previous word
    was of kind `last`, `group` being the value below a thousand so far."""
    if last is None:
        return kind in ("unit", "ten")  # "hundred" or "thousand" alone stay words
    if last == "zero":
        return False
    if kind == "unit":
        after_ten = last == "ten" and 0 < value < 10
        return after_ten or (last in ("hundred", "scale") and group % 100 == 0)
    if kind == "ten":
        return last in ("hundred", "scale") and group % 100 == 0
    if kind == "hundred":
        return last in ("unit", "ten") and group < 100
    return last in ("unit", "ten", "hundred")


def _ordinal_suffix(value: int) -> str:
    if value % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
