"""Sentences that speak every one of the most frequent English words, each in a grammatical
frame fitting its role, so the acoustic model hears everyday English, not only the lexicon.

The words and their roles are in `everyday_words.py` (from wordfreq and WordNet); closed-class
words have hand-written frames in `everyday_frames.py`. Every word appears at least once in
`EverydaySentences.sentences()`; the same seed gives the same sentences.
"""

from __future__ import annotations

import re

from speech_lstm.synthetic.everyday_frames import CLOSED_FRAMES
from speech_lstm.synthetic.everyday_words import WORD_ROLES
from speech_lstm.synthetic.morphology import past
from speech_lstm.synthetic.phrases import PhraseBuilder, form_of_be, join_words

# Role codes: n noun, p plural noun, a adjective, v base verb, d past tense, h past
# participle, g -ing form, s third person singular, r adverb before the verb, e adverb at the
# end, x adverb of degree (before an adjective), m name, c closed-class word with its own
# frame. Verb roles end in t (takes an object)
# or i (takes none).
ROLES = (
    *("n", "p", "a", "vt", "vi", "dt", "di", "ht", "hi", "gt", "gi", "st", "si", "r", "e"),
    *("x", "m"),
)
_SLOT = re.compile(r"\{(\w+)\}")


def everyday_words(count: int | None = None) -> dict[str, str]:
    """The `count` (default all) most frequent words, in frequency order, -> role code."""
    pairs = [item.split(":") for item in WORD_ROLES.split()]
    return dict(pairs[:count] if count else pairs)


class EverydaySentences(PhraseBuilder):
    """Builds sentences that together contain every everyday word at least once.

    Nouns share a sentence with an adjective and a verb where both are left, so most
    sentences carry two or three of the words; fillers come from the sentence generator's
    lexicon.
    """

    def __init__(self, seed: int, count: int | None = None) -> None:
        super().__init__(seed)
        roles = everyday_words(count)
        self._queues: dict[str, list[str]] = {role: [] for role in (*ROLES, "c")}
        for word, role in roles.items():
            self._queues[role].append(word)
        for queue in self._queues.values():
            self._rng.shuffle(queue)

    def sentences(self) -> list[str]:
        """All sentences, shuffled: each word of the list is in at least one of them."""
        out = []
        while any(self._queues.values()):
            role = self._rng.choice([r for r, q in self._queues.items() if q])
            out.append(" ".join(self._sentence(role).split()))
        return out

    def _take(self, role: str) -> str:
        queue = self._queues[role]
        return queue.pop() if queue else ""

    def _noun(self) -> str:
        """An adjective (maybe) and a noun, everyday words first: the national office."""
        return join_words(self._take("a"), self._take("n") or self._word("thing"))

    def _sentence(self, role: str) -> str:
        word = self._take(role)
        subject = self._subject()
        if role == "c":
            return _SLOT.sub(lambda m: self._fill(m.group(1)), CLOSED_FRAMES[word])
        if role in ("n", "a"):
            noun = word if role == "n" else join_words(word, self._take("n") or self._word("thing"))
            if role == "n":
                noun = join_words(self._take("a"), noun)
            lead = self._pick(
                "talked about|asked about|read about|thought about|forgot about|wrote about"
                "|learned about|told us about"
            )
            more = self._take("n")
            more = join_words("and the", self._take("a"), more) if more else self._past_time(0.3)
            return join_words(subject.text, lead, "the", noun, more)
        if role == "p":
            det = self._pick("some|many|a few|no|two|several")
            adjective = self._take("a")
            if adjective.endswith("est"):  # the biggest, not some biggest
                det = "the"
            return join_words("there were", det, adjective, word, self._where())
        if role == "m":
            lead = self._pick("talked about|heard about|read about|asked about")
            other = self._take("m")
            return join_words(subject.text, lead, word, "and" if other else "", other)
        transitive = role.endswith("t")
        if transitive:
            obj = join_words("the", self._noun())
        else:
            obj = self._where(0.8) or self._pick("again|for a while|at last|as well")
        if role[0] == "v":
            modal = self._pick("will|can|should|might|would|could|must")
            return join_words(subject.text, modal, word, obj)
        if role[0] == "d":
            return join_words(subject.text, word, obj, self._past_time(0.5))
        if role[0] == "h":
            return join_words(
                subject.text, "has" if subject.agreement == "sg" else "have", word, obj
            )
        if role[0] == "g":
            return join_words(subject.text, form_of_be(subject.agreement), word, obj)
        if role[0] == "s":
            return join_words(self._name(), word, obj, self._habit_time(0.6))
        if role == "x":
            be = form_of_be(subject.agreement, self._chance(0.5))
            return join_words(subject.text, be, word, self._word("adjective"))
        if role == "r":
            verb, filler = self._transitive()
            return join_words(subject.text, word, past(verb), filler)
        return join_words(self._clause(True), word)

    def _where(self, p: float = 1.0) -> str:
        """Where someone or something is: in the kitchen, near paris."""
        if not self._chance(p):
            return ""
        where = self._pick("in|near|behind|outside|inside|at")
        if where in ("in", "near") and self._chance(0.3):
            return join_words(where, self._place_name())
        return join_words(where, "the", self._adjective(0.2), self._word("place"))

    def _fill(self, slot: str) -> str:
        fillers = {
            "clause": lambda: self._clause(True),
            "np": lambda: self._noun_phrase("thing"),
            "person": self._person_object,
            "place": self._place_phrase,
            "name": self._name,
            "adj": lambda: self._word("adjective"),
        }
        return fillers[slot]()
