"""Digits spelt out as English words, so that "7" in a hypothesis matches "seven" in a reference.

American style without "and": 105 -> "one hundred five", 2024 -> "two thousand twenty four"
(years are not read as "twenty twenty four"). Decimals read digit by digit after "point";
ordinals such as "3rd" become "third"; numbers with leading zeros ("007") are read digit by digit.
"""

from __future__ import annotations

import re

# fmt: off
_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
UNIT_WORDS = _ONES  # "zero" to "nineteen", by value
TENS_WORDS = _TENS  # "twenty" to "ninety" at their value / 10 ("" below twenty)
_SCALES = ("", "thousand", "million", "billion", "trillion")
_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:st|nd|rd|th)?", re.IGNORECASE)


def integer_to_words(value: int) -> str:
    """Spells a non-negative integer: 42 -> "forty two", 1_000_001 -> "one million one".

    Values of a thousand trillion or more are read digit by digit.

    Raises:
        ValueError: for a negative value.
    """
    if value < 0:
        raise ValueError(f"Only non-negative integers can be spelt. Received: {value}")
    if value == 0:
        return "zero"
    if value >= 1000 ** len(_SCALES):
        return _digit_by_digit(str(value))
    words = []
    for scale in reversed(range(len(_SCALES))):
        group, value = divmod(value, 1000**scale)
        if group:
            words.append(_below_thousand(group))
            if scale:
                words.append(_SCALES[scale])
    return " ".join(words)


def ordinal_to_words(value: int) -> str:
    """Spells an ordinal: 1 -> "first", 22 -> "twenty second", 40 -> "fortieth"."""
    *head, last = integer_to_words(value).split()
    if last in _IRREGULAR_ORDINALS:
        last = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return " ".join([*head, last])


def spell_numbers(text: str) -> str:
    """Replaces every run of digits in `text` by words, keeping the words around it apart.

    Example:
        >>> spell_numbers("room 42, floor 3rd, 1,500 mp3 files at 2.5x")
        'room forty two, floor third, one thousand five hundred mp three files at two point five x'
    """
    return _NUMBER.sub(_spell_match, text)


def _spell_match(match: re.Match) -> str:
    words = _spell_token(match.group())
    before = match.string[match.start() - 1] if match.start() else " "
    after = match.string[match.end()] if match.end() < len(match.string) else " "
    prefix = " " if before.isalnum() else ""
    suffix = " " if after.isalnum() else ""
    return prefix + words + suffix


def _spell_token(token: str) -> str:
    suffix = token[-2:].lower()
    if suffix in ("st", "nd", "rd", "th"):
        return ordinal_to_words(int(token[:-2].replace(",", "")))
    whole, _, fraction = token.replace(",", "").partition(".")
    words = _digit_by_digit(whole) if len(whole) > 1 and whole[0] == "0" else None
    words = words or integer_to_words(int(whole))
    if fraction:
        words += " point " + _digit_by_digit(fraction)
    return words


def _below_thousand(value: int) -> str:
    hundreds, rest = divmod(value, 100)
    words = [_ONES[hundreds], "hundred"] if hundreds else []
    if rest >= 20:
        words.append(_TENS[rest // 10])
        if rest % 10:
            words.append(_ONES[rest % 10])
    elif rest:
        words.append(_ONES[rest])
    return " ".join(words)


def _digit_by_digit(digits: str) -> str:
    return " ".join(_ONES[int(d)] for d in digits)
