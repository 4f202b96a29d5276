"""English word forms for the sentence generator: plurals, verb forms, articles, numbers."""

from __future__ import annotations

from speech_lstm.synthetic import lexicon as lx

_VOWELS = "aeiou"


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ONES = _split(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    " sixteen seventeen eighteen nineteen"
)
_TENS = _split("twenty thirty forty fifty sixty seventy eighty ninety")
# Multi-syllable verbs with a stressed last syllable double the final consonant: preferring.
_DOUBLE_FINAL = frozenset(_split("admit begin forget prefer refer regret control"))


def number_words(n: int) -> str:
    """Spells 1..99 as words, e.g. 42 -> "forty two", the way a transcript says it."""
    if not 1 <= n <= 99:
        raise ValueError(f"Expected 1 <= n <= 99. Received: {n}")
    if n < 20:
        return _ONES[n - 1]
    tens, ones = divmod(n, 10)
    return _TENS[tens - 2] + (" " + _ONES[ones - 1] if ones else "")


def article(word: str) -> str:
    """Chooses "a" or "an" by the sound that starts `word`: an apple, a useful, an hour."""
    if word.startswith(("hour", "honest", "honor", "heir")):
        return "an"
    if word.startswith(("uni", "use", "usu", "uti", "eu", "one")):
        return "a"
    return "an" if word[0] in _VOWELS else "a"


def plural(noun: str) -> str:
    """Plural of a noun: table first, then box -> boxes, city -> cities, dog -> dogs."""
    if noun in lx.IRREGULAR_PLURALS:
        return lx.IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in _VOWELS:
        return noun[:-1] + "ies"
    return noun + "s"


def _doubles_final(verb: str) -> bool:
    """Whether the last consonant doubles before -ed/-ing: stop -> stopped, prefer."""
    if verb in _DOUBLE_FINAL:
        return True
    vowel_groups = sum(
        1 for i, c in enumerate(verb) if c in _VOWELS and (i == 0 or verb[i - 1] not in _VOWELS)
    )
    return (
        vowel_groups == 1
        and len(verb) >= 3
        and verb[-1] not in _VOWELS + "wxy"
        and verb[-2] in _VOWELS
        and verb[-3] not in _VOWELS
    )


def _regular_ed(verb: str) -> str:
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2] not in _VOWELS:
        return verb[:-1] + "ied"
    if _doubles_final(verb):
        return verb + verb[-1] + "ed"
    return verb + "ed"


def past(verb: str) -> str:
    """Simple past: table first (went), then rules (carried, stopped, baked, played)."""
    return lx.IRREGULAR_VERBS[verb][0] if verb in lx.IRREGULAR_VERBS else _regular_ed(verb)


def participle(verb: str) -> str:
    """Past participle: table first (written), else the regular -ed form."""
    return lx.IRREGULAR_VERBS[verb][1] if verb in lx.IRREGULAR_VERBS else _regular_ed(verb)


def third_person(verb: str) -> str:
    """Third person singular present: watches, tries, goes, has, makes."""
    if verb == "have":
        return "has"
    if verb.endswith(("s", "x", "z", "ch", "sh", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in _VOWELS:
        return verb[:-1] + "ies"
    return verb + "s"


def gerund(verb: str) -> str:
    """The -ing form: running, making, seeing, tying, playing."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and verb != "be":
        return verb[:-1] + "ing"
    if _doubles_final(verb):
        return verb + verb[-1] + "ing"
    return verb + "ing"
