"""The phrases sentence templates are built from: subjects, objects, places and times, with
words drawn Zipf-like from `lexicon` by a seeded random generator."""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import accumulate
from typing import NamedTuple

from speech_lstm.synthetic import lexicon as lx
from speech_lstm.synthetic.morphology import (
    article,
    number_words,
    past,
    plural,
    third_person,
)


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_DAYS = _split("monday tuesday wednesday thursday friday saturday sunday")
_MONTHS = _split(
    "january february march april may june july august september october november december"
)
_SEASONS = _split("spring summer autumn winter")
_PERIODS = _split("week month year weekend") + _SEASONS + _DAYS
WEATHER = _split("cold hot warm sunny rainy windy foggy snowy cloudy stormy humid chilly icy")
_FEMALE = frozenset(
    _split("woman girl mother sister aunt grandmother daughter wife queen princess lady")
)
_MALE = frozenset(
    _split("man boy father brother uncle grandfather son husband king prince gentleman fisherman")
)
# People not named by a relation take no possessive: "the man", not "her man".
_GENERIC_PEOPLE = frozenset(_split("man woman person lady gentleman stranger adult"))
_PREPOSITIONS = _split("to in at near behind outside from into across around inside beside")
WORD_LISTS = {
    "person": lx.PERSON_NOUNS,
    "place": lx.PLACE_NOUNS,
    "thing": lx.THING_NOUNS,
    "abstract": lx.ABSTRACT_NOUNS,
    "mass": lx.MASS_NOUNS,
    "physical": lx.PHYSICAL_VERBS,
    "mental": lx.MENTAL_VERBS,
    "social": lx.SOCIAL_VERBS,
    "intransitive": lx.INTRANSITIVE_VERBS,
    "adjective": lx.ADJECTIVES,
    "adverb": lx.ADVERBS,
    "female": lx.FEMALE_NAMES,
    "male": lx.MALE_NAMES,
    "city": lx.CITIES,
    "country": lx.COUNTRIES,
    "river": lx.RIVERS,
}


def join_words(*parts: str) -> str:
    return " ".join(part for part in parts if part)


class Subject(NamedTuple):
    text: str
    agreement: str  # "i", "sg" (third person singular) or "pl" (also "you")
    possessive: str  # matching determiner: her keys
    pronoun: str  # matching pronoun to refer back: ... but she


PRONOUNS = (
    Subject("i", "i", "my", "i"),
    Subject("you", "pl", "your", "you"),
    Subject("he", "sg", "his", "he"),
    Subject("she", "sg", "her", "she"),
    Subject("we", "pl", "our", "we"),
    Subject("they", "pl", "their", "they"),
)


def present_form(verb: str, agreement: str) -> str:
    return third_person(verb) if agreement == "sg" else verb


def form_of_be(agreement: str, past_tense: bool = False) -> str:
    if past_tense:
        return "were" if agreement == "pl" else "was"
    return {"i": "am", "sg": "is", "pl": "are"}[agreement]


class PhraseBuilder:
    """Draws words and phrases from one seeded random generator; `SentenceGenerator` puts
    them into sentence templates.

    Args:
        seed: fixes the sequence of draws.
        zipf_exponent: the word of rank r in a list gets weight 1 / r**zipf_exponent.
    """

    def __init__(self, seed: int, zipf_exponent: float = 1.0) -> None:
        self._rng = random.Random(seed)
        self._cum_weights = {
            kind: list(accumulate(1.0 / r**zipf_exponent for r in range(1, len(words) + 1)))
            for kind, words in WORD_LISTS.items()
        }

    # Word and phrase pickers.

    def _word(self, kind: str) -> str:
        return self._rng.choices(WORD_LISTS[kind], cum_weights=self._cum_weights[kind])[0]

    def _chance(self, p: float) -> bool:
        return self._rng.random() < p

    def _pick(self, options: str) -> str:
        """One of the "|"-separated `options`; repeat an option to make it likelier."""
        return self._rng.choice(options.split("|"))

    def _maybe(self, p: float, make: Callable[[], str]) -> str:
        return make() if self._chance(p) else ""

    def _adjective(self, p: float = 0.35) -> str:
        return self._maybe(p, lambda: self._word("adjective"))

    def _adverb(self, p: float = 0.25) -> str:
        return self._maybe(p, lambda: self._word("adverb"))

    def _number(self) -> int:
        """A count of at least two, usually small: three boxes, forty seven chairs."""
        return self._rng.randint(2, 12) if self._chance(0.75) else self._rng.randint(13, 99)

    def _name(self, female: bool | None = None) -> str:
        if female is None:
            female = self._chance(0.5)
        return self._word("female" if female else "male")

    def _place_name(self) -> str:
        kind = self._pick("city|city|city|country|country|river")
        return join_words("the" if kind == "river" else "", self._word(kind))

    def _noun_phrase(self, kind: str, plural_form: bool | None = None) -> str:
        """A determiner, maybe an adjective, and a noun: the old farmer, three heavy boxes."""
        noun = self._word(kind)
        adjective = self._adjective()
        if kind == "mass":
            return join_words(self._pick("the|the|some||more|enough"), adjective, noun)
        if plural_form is None:
            plural_form = self._chance(0.35)
        if plural_form:
            det = self._pick("the|the|some|these|those|my|your|our|their|many|a few|NUM|NUM")
            if det == "NUM":
                det = number_words(self._number())
            return join_words(det, adjective, plural(noun))
        if kind == "person" and noun in _GENERIC_PEOPLE:
            det = self._pick("the|the|a|this|that")
        else:
            det = self._pick("the|the|the|a|a|this|that|my|your|his|her|our|their|POSS")
        if det == "a":
            det = article(adjective or noun)
        elif det == "POSS":
            det = self._name() + "'s"
        return join_words(det, adjective, noun)

    def _subject(self) -> Subject:
        r = self._rng.random()
        if r < 0.3:
            return self._rng.choice(PRONOUNS)
        if r < 0.55:
            female = self._chance(0.5)
            possessive, pronoun = ("her", "she") if female else ("his", "he")
            return Subject(self._name(female), "sg", possessive, pronoun)
        if self._chance(0.3):
            return Subject(self._noun_phrase("person", True), "pl", "their", "they")
        phrase = self._noun_phrase("person", False)
        noun = phrase.split()[-1]
        female = noun in _FEMALE or (noun not in _MALE and self._chance(0.5))
        possessive, pronoun = ("her", "she") if female else ("his", "he")
        return Subject(phrase, "sg", possessive, pronoun)

    def _person_object(self) -> str:
        r = self._rng.random()
        if r < 0.25:
            return self._pick("me|you|him|her|us|them")
        if r < 0.5:
            return self._name()
        return self._noun_phrase("person")

    def _transitive(self) -> tuple[str, str]:
        """A transitive verb with a fitting object: (carry, three heavy boxes)."""
        kind = self._pick("physical|physical|mental|social")
        verb = self._word(kind)
        if kind == "physical":
            return verb, self._noun_phrase("thing" if self._chance(0.85) else "mass")
        if kind == "mental":
            return verb, self._noun_phrase("abstract")
        return verb, self._person_object()

    def _place_phrase(self, p: float = 1.0) -> str:
        """A prepositional phrase of place: to the station, in berlin."""
        if not self._chance(p):
            return ""
        if self._chance(0.25):
            return join_words(self._pick("in|to|from|near"), self._place_name())
        return join_words(
            self._rng.choice(_PREPOSITIONS), "the", self._adjective(0.2), self._word("place")
        )

    def _past_time(self, p: float = 1.0) -> str:
        if not self._chance(p):
            return ""
        r = self._rng.random()
        if r < 0.3:
            return self._pick("yesterday|last night|this morning|earlier today")
        if r < 0.55:
            return "last " + self._rng.choice(_PERIODS)
        if r < 0.8:
            return join_words(number_words(self._number()), self._pick("days|weeks|years"), "ago")
        if self._chance(0.5):
            return "on " + self._rng.choice(_DAYS)
        return "in " + self._rng.choice(_MONTHS)

    def _future_time(self, p: float = 1.0) -> str:
        if not self._chance(p):
            return ""
        r = self._rng.random()
        if r < 0.3:
            return self._pick("tomorrow|tonight|soon|later|this weekend")
        if r < 0.65:
            return "next " + self._rng.choice(_PERIODS)
        if r < 0.85:
            return join_words("in", number_words(self._number()), self._pick("days|weeks|hours"))
        return "on " + self._rng.choice(_DAYS)

    def _habit_time(self, p: float = 1.0) -> str:
        if not self._chance(p):
            return ""
        r = self._rng.random()
        if r < 0.4:
            return "every " + self._rng.choice(_PERIODS + ("day", "morning", "evening"))
        if r < 0.7:
            return self._pick(
                "in the morning|in the evening|at night|after work|twice a week|once a month"
            )
        return "on " + self._rng.choice(_DAYS) + "s"

    def _clause(self, past_tense: bool) -> str:
        """A short independent clause: she missed the bus, the children were tired."""
        subject = self._subject()
        r = self._rng.random()
        if r < 0.35:
            verb, obj = self._transitive()
            head = past(verb) if past_tense else present_form(verb, subject.agreement)
            return join_words(subject.text, head, obj)
        if r < 0.7:
            verb = self._word("intransitive")
            head = past(verb) if past_tense else present_form(verb, subject.agreement)
            return join_words(subject.text, head, self._place_phrase(0.6))
        be = form_of_be(subject.agreement, past_tense)
        return join_words(subject.text, be, self._pick("very|too|so||"), self._word("adjective"))
