"""Deterministic, seeded generator of natural English sentences for synthetic speech corpora.

Sentences come from templates (statements, questions, negations, imperatives, relative
clauses, ...) filled with words sampled Zipf-like from `lexicon`, so frequent words recur and
rare words stay rare, as in real text. Output is lowercase words of a-z and apostrophes joined
by single spaces, ready to be spoken by a TTS engine and used as a transcript. The same seed
always gives the same sentences, on any machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import NamedTuple

from speech_lstm.synthetic import lexicon as lx

_VOWELS = "aeiou"


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ONES = _split(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
    " sixteen seventeen eighteen nineteen"
)
_TENS = _split("twenty thirty forty fifty sixty seventy eighty ninety")
_DAYS = _split("monday tuesday wednesday thursday friday saturday sunday")
_MONTHS = _split(
    "january february march april may june july august september october november december"
)
_SEASONS = _split("spring summer autumn winter")
_PERIODS = _split("week month year weekend") + _SEASONS + _DAYS
_WEATHER = _split("cold hot warm sunny rainy windy foggy snowy cloudy stormy humid chilly icy")
# Multi-syllable verbs with a stressed last syllable double the final consonant: preferring.
_DOUBLE_FINAL = frozenset(_split("admit begin forget prefer refer regret control"))
_FEMALE = frozenset(
    _split("woman girl mother sister aunt grandmother daughter wife queen princess lady")
)
_MALE = frozenset(
    _split("man boy father brother uncle grandfather son husband king prince gentleman fisherman")
)
# People not named by a relation take no possessive: "the man", not "her man".
_GENERIC_PEOPLE = frozenset(_split("man woman person lady gentleman stranger adult"))
_PREPOSITIONS = _split("to in at near behind outside from into across around inside beside")
_WORD_LISTS = {
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


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def distinct_words(sentences: Iterable[str]) -> set[str]:
    """The vocabulary of a corpus: every distinct space-separated word in `sentences`."""
    return {word for sentence in sentences for word in sentence.split()}


class _Subject(NamedTuple):
    text: str
    agreement: str  # "i", "sg" (third person singular) or "pl" (also "you")
    possessive: str  # matching determiner: her keys
    pronoun: str  # matching pronoun to refer back: ... but she


_PRONOUNS = (
    _Subject("i", "i", "my", "i"),
    _Subject("you", "pl", "your", "you"),
    _Subject("he", "sg", "his", "he"),
    _Subject("she", "sg", "her", "she"),
    _Subject("we", "pl", "our", "we"),
    _Subject("they", "pl", "their", "they"),
)


def _present(verb: str, agreement: str) -> str:
    return third_person(verb) if agreement == "sg" else verb


def _be(agreement: str, past_tense: bool = False) -> str:
    if past_tense:
        return "were" if agreement == "pl" else "was"
    return {"i": "am", "sg": "is", "pl": "are"}[agreement]


class SentenceGenerator:
    """Generates an endless, reproducible stream of varied English sentences.

    Why: training and evaluation transcripts must be rebuildable bit for bit from a seed, and
    realistic word frequencies make the acoustic model see common words often.
    """

    def __init__(self, seed: int, zipf_exponent: float = 1.0) -> None:
        """`seed` fixes the sequence; word of rank r in a list gets weight 1 / r**zipf_exponent."""
        self._rng = random.Random(seed)
        self._cum_weights = {
            kind: list(accumulate(1.0 / r**zipf_exponent for r in range(1, len(words) + 1)))
            for kind, words in _WORD_LISTS.items()
        }
        self._templates: tuple[Callable[[], str], ...] = (
            self._past_action,
            self._embedded_question,
            self._future,
            self._habit,
            self._negation,
            self._progressive,
            self._imperative,
            self._relative_clause,
            self._possessive,
            self._wh_question,
            self._perfect,
            self._because,
            self._but,
            self._there_is,
            self._yes_no_question,
            self._passive,
            self._gerund_phrase,
            self._reported,
            self._two_actions,
            self._modal,
            self._description,
        )

    def sentence(self) -> str:
        """Returns the next sentence: 4 to 16 lowercase words, no punctuation."""
        while True:
            words = self._rng.choice(self._templates)().split()
            if 4 <= len(words) <= 16:
                return " ".join(words)

    def sentences(self, count: int) -> list[str]:
        """Returns the next `count` sentences."""
        return [self.sentence() for _ in range(count)]

    # Word and phrase pickers.

    def _word(self, kind: str) -> str:
        return self._rng.choices(_WORD_LISTS[kind], cum_weights=self._cum_weights[kind])[0]

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
        return _join("the" if kind == "river" else "", self._word(kind))

    def _noun_phrase(self, kind: str, plural_form: bool | None = None) -> str:
        """A determiner, maybe an adjective, and a noun: the old farmer, three heavy boxes."""
        noun = self._word(kind)
        adjective = self._adjective()
        if kind == "mass":
            return _join(self._pick("the|the|some||more|enough"), adjective, noun)
        if plural_form is None:
            plural_form = self._chance(0.35)
        if plural_form:
            det = self._pick("the|the|some|these|those|my|your|our|their|many|a few|NUM|NUM")
            if det == "NUM":
                det = number_words(self._number())
            return _join(det, adjective, plural(noun))
        if kind == "person" and noun in _GENERIC_PEOPLE:
            det = self._pick("the|the|a|this|that")
        else:
            det = self._pick("the|the|the|a|a|this|that|my|your|his|her|our|their|POSS")
        if det == "a":
            det = article(adjective or noun)
        elif det == "POSS":
            det = self._name() + "'s"
        return _join(det, adjective, noun)

    def _subject(self) -> _Subject:
        r = self._rng.random()
        if r < 0.3:
            return self._rng.choice(_PRONOUNS)
        if r < 0.55:
            female = self._chance(0.5)
            possessive, pronoun = ("her", "she") if female else ("his", "he")
            return _Subject(self._name(female), "sg", possessive, pronoun)
        if self._chance(0.3):
            return _Subject(self._noun_phrase("person", True), "pl", "their", "they")
        phrase = self._noun_phrase("person", False)
        noun = phrase.split()[-1]
        female = noun in _FEMALE or (noun not in _MALE and self._chance(0.5))
        possessive, pronoun = ("her", "she") if female else ("his", "he")
        return _Subject(phrase, "sg", possessive, pronoun)

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
            return _join(self._pick("in|to|from|near"), self._place_name())
        return _join(
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
            return _join(number_words(self._number()), self._pick("days|weeks|years"), "ago")
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
            return _join("in", number_words(self._number()), self._pick("days|weeks|hours"))
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
            head = past(verb) if past_tense else _present(verb, subject.agreement)
            return _join(subject.text, head, obj)
        if r < 0.7:
            verb = self._word("intransitive")
            head = past(verb) if past_tense else _present(verb, subject.agreement)
            return _join(subject.text, head, self._place_phrase(0.6))
        be = _be(subject.agreement, past_tense)
        return _join(subject.text, be, self._pick("very|too|so||"), self._word("adjective"))

    # Templates, one sentence shape each.

    def _past_action(self) -> str:
        """the old farmer carried three heavy boxes to the station"""
        verb, obj = self._transitive()
        return _join(
            self._subject().text,
            self._adverb(),
            past(verb),
            obj,
            self._place_phrase(0.5),
            self._past_time(0.3),
        )

    def _embedded_question(self) -> str:
        """did you see where maria left her keys"""
        lead = self._pick("did you see|do you know|can you tell me|i wonder|nobody knows|we asked")
        subject = self._subject()
        noun = self._word("thing")
        obj = _join(
            subject.possessive, self._adjective(0.2), plural(noun) if self._chance(0.4) else noun
        )
        return _join(
            lead,
            self._pick("where|when|why|how"),
            subject.text,
            past(self._word("physical")),
            obj,
        )

    def _future(self) -> str:
        """we will probably visit berlin next summer"""
        subject = self._subject()
        if self._chance(0.4):
            verb = self._pick("visit|see|explore|leave|fly to|move to")
            obj = self._place_name()
        else:
            verb, obj = self._transitive()
        if self._chance(0.3):
            aux = _join(_be(subject.agreement), "going to")
        elif subject in _PRONOUNS and self._chance(0.3):
            return _join(subject.text + "'ll", verb, obj, self._future_time(0.7))
        else:
            aux = _join("will", self._adverb(0.3))
        return _join(subject.text, aux, verb, obj, self._future_time(0.7))

    def _habit(self) -> str:
        """my sister usually watches the news in the evening"""
        subject = self._subject()
        verb, obj = self._transitive()
        return _join(
            subject.text,
            self._adverb(0.4),
            _present(verb, subject.agreement),
            obj,
            self._habit_time(0.6),
        )

    def _negation(self) -> str:
        """the children didn't find any apples in the garden"""
        subject = self._subject()
        verb, obj = self._transitive()
        if self._chance(0.25):
            obj = _join("any", self._adjective(), plural(self._word("thing")))
        does = "doesn't" if subject.agreement == "sg" else "don't"
        aux = self._pick(f"didn't|did not|{does}|{does}|won't|can't|couldn't|will not")
        return _join(subject.text, aux, verb, obj, self._place_phrase(0.3))

    def _progressive(self) -> str:
        """the boys are playing near the river / she was reading a book when the phone rang"""
        subject = self._subject()
        if self._chance(0.5):
            return _join(
                subject.text,
                _be(subject.agreement),
                gerund(self._word("intransitive")),
                self._place_phrase(0.8),
            )
        verb, obj = self._transitive()
        return _join(
            subject.text,
            _be(subject.agreement, True),
            gerund(verb),
            obj,
            "when",
            self._clause(True),
        )

    def _imperative(self) -> str:
        """please put the red book on the table / don't forget your umbrella"""
        verb, obj = self._transitive()
        r = self._rng.random()
        if r < 0.3:
            return _join("please", verb, obj, self._place_phrase(0.6))
        if r < 0.55:
            noun = self._word("thing")
            return _join("don't", self._word("physical"), "your", self._adjective(), noun)
        if r < 0.75:
            return _join("let's", verb, obj, self._future_time(0.4))
        return _join(verb, obj, self._pick("before|after|when"), self._clause(False))

    def _relative_clause(self) -> str:
        """the woman who bought the house is a doctor / the cake that anna baked was sweet"""
        verb, obj = self._transitive()
        if self._chance(0.5):
            many = self._chance(0.3)
            head = _join("the", self._adjective(0.2), self._word("person"))
            if many:
                head = _join(*head.split()[:-1], plural(head.split()[-1]))
            agreement = "pl" if many else "sg"
            if self._chance(0.5):
                rest = _join(
                    _be(agreement, self._chance(0.5)),
                    self._pick("very|really|"),
                    self._word("adjective"),
                )
            else:
                rest = _join(_present(self._word("intransitive"), agreement), self._place_phrase())
            return _join(head, self._pick("who|that"), past(verb), obj, rest)
        noun = self._word("thing")
        many = self._chance(0.3)
        return _join(
            "the",
            plural(noun) if many else noun,
            self._pick("that|which|"),
            self._subject().text,
            past(self._word("physical")),
            _be("pl" if many else "sg", True),
            self._word("adjective"),
        )

    def _possessive(self) -> str:
        """maria's brother works at the bank / the old man's garden is beautiful"""
        owner = self._name() if self._chance(0.7) else _join("the", self._word("person"))
        if self._chance(0.5):
            return _join(
                owner + "'s",
                self._word("person"),
                third_person(self._word("intransitive")),
                self._place_phrase(),
            )
        return _join(
            owner + "'s",
            self._word(self._pick("thing|place")),
            self._pick("is|was"),
            self._pick("very|quite||"),
            self._word("adjective"),
        )

    def _wh_question(self) -> str:
        """why did the teacher close the window / how many apples did you buy"""
        subject = self._subject()
        verb, obj = self._transitive()
        r = self._rng.random()
        if r < 0.35:
            return _join(self._pick("why|when|where|how"), "did", subject.text, verb, obj)
        if r < 0.55:
            return _join(
                "how many", plural(self._word("thing")), "did", subject.text, self._word("physical")
            )
        if r < 0.7:
            return _join(
                "where", self._pick("is|was"), "the", self._adjective(0.3), self._word("place")
            )
        if r < 0.85:
            return _join("who", past(verb), obj, self._past_time(0.3))
        does = "does" if subject.agreement == "sg" else "do"
        return _join("what", does, subject.text, self._word("physical"), self._habit_time())

    def _perfect(self) -> str:
        """i have never seen such a beautiful garden"""
        subject = self._subject()
        have = "has" if subject.agreement == "sg" else "have"
        if self._chance(0.3):
            adjective = self._word("adjective")
            return _join(
                subject.text,
                have,
                "never",
                participle(self._pick("see|visit")),
                "such",
                article(adjective),
                adjective,
                self._word("place"),
            )
        verb, obj = self._transitive()
        if self._chance(0.3):
            return _join(have, subject.text, "ever", participle(verb), obj)
        return _join(
            subject.text,
            have,
            self._pick("already|just|recently|never|finally|"),
            participle(verb),
            obj,
        )

    def _because(self) -> str:
        """we stayed at home because the weather was bad"""
        conjunction = self._pick("because|because|after|before|when|although")
        if self._chance(0.2):
            reason = _join("the weather was", self._pick("very|too|"), self._rng.choice(_WEATHER))
        else:
            reason = self._clause(True)
        return _join(self._clause(True), conjunction, reason)

    def _but(self) -> str:
        """he wanted to buy a car but he didn't have enough money"""
        subject = self._subject()
        verb, obj = self._transitive()
        want = self._pick("wanted to|tried to|hoped to|planned to")
        if self._chance(0.5):
            rest = _join(subject.pronoun, "didn't have enough", self._word("mass"))
        else:
            rest = self._clause(True)
        return _join(subject.text, want, verb, obj, "but", rest)

    def _there_is(self) -> str:
        """there are twelve chairs in the kitchen"""
        place = self._place_phrase()
        noun, adjective = self._word("thing"), self._adjective()
        r = self._rng.random()
        if r < 0.4:
            return _join(
                "there",
                self._pick("are|were"),
                number_words(self._number()),
                adjective,
                plural(noun),
                place,
            )
        if r < 0.7:
            return _join(
                "there", self._pick("is|was"), article(adjective or noun), adjective, noun, place
            )
        if r < 0.85:
            return _join("is there", article(adjective or noun), adjective, noun, place)
        return _join("there", self._pick("isn't|wasn't"), "any", self._word("mass"), place)

    def _yes_no_question(self) -> str:
        """does your brother like cats / will you visit rome next year"""
        subject = self._subject()
        verb, obj = self._transitive()
        r = self._rng.random()
        if r < 0.35:
            does = "does" if subject.agreement == "sg" else "do"
            return _join(does, subject.text, verb, obj)
        if r < 0.55:
            return _join("will", subject.text, verb, obj, self._future_time(0.6))
        if r < 0.75:
            return _join(self._pick("can|could"), "you", verb, obj, self._place_phrase(0.3))
        be = {"i": "am", "sg": "is", "pl": "are"}[subject.agreement]
        return _join(be, subject.text, self._pick("very|really|"), self._word("adjective"))

    def _passive(self) -> str:
        """the letter was written by john yesterday"""
        many = self._chance(0.3)
        noun = self._word("thing")
        head = _join("the", self._adjective(0.3), plural(noun) if many else noun)
        agent = self._name() if self._chance(0.5) else _join("the", self._word("person"))
        return _join(
            head,
            _be("pl" if many else "sg", True),
            participle(self._word("physical")),
            "by",
            agent,
            self._past_time(0.4),
        )

    def _gerund_phrase(self) -> str:
        """she enjoys swimming in the lake / cleaning the kitchen is boring"""
        if self._chance(0.3):
            verb, obj = self._transitive()
            return _join(gerund(verb), obj, self._pick("is|was"), self._word("adjective"))
        subject = self._subject()
        verb = self._pick("enjoy|love|hate|like|stop|start|prefer|miss|avoid")
        head = past(verb) if self._chance(0.5) else _present(verb, subject.agreement)
        return _join(
            subject.text, head, gerund(self._word("intransitive")), self._place_phrase(0.6)
        )

    def _reported(self) -> str:
        """i think the old bridge is dangerous / maria said that her brother lost the keys"""
        if self._chance(0.5):
            lead = self._pick("i think|i believe|we hope|everyone knows|i'm sure")
            return _join(lead, self._pick("that|"), self._clause(False))
        lead = _join(self._subject().text, self._pick("said|told me|explained|heard"))
        return _join(lead, self._pick("that|"), self._clause(True))

    def _two_actions(self) -> str:
        """the farmer fed the cows and cleaned the barn"""
        first, first_obj = self._transitive()
        second, second_obj = self._transitive()
        return _join(self._subject().text, past(first), first_obj, "and", past(second), second_obj)

    def _modal(self) -> str:
        """you should bring a warm coat / we could meet at the station"""
        subject = self._subject()
        modal = self._pick("can|could|should|must|might|may|would")
        if self._chance(0.3):
            return _join(subject.text, modal, self._word("intransitive"), self._place_phrase())
        verb, obj = self._transitive()
        return _join(subject.text, modal, verb, obj, self._future_time(0.3))

    def _description(self) -> str:
        """the roof of the old station was red / it's very cold in berlin today"""
        if self._chance(0.3):
            return _join(
                self._pick("it's|it was|it is"),
                self._pick("very|too|"),
                self._rng.choice(_WEATHER),
                "in",
                self._place_name(),
                self._pick("today|this week|"),
            )
        noun = self._word(self._pick("thing|abstract|mass"))
        return _join(
            "the",
            noun,
            self._pick("of|in|near"),
            "the",
            self._adjective(0.3),
            self._word("place"),
            self._pick("is|was"),
            self._pick("very|quite|really|"),
            self._word("adjective"),
        )
