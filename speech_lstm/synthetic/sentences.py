"""Deterministic, seeded generator of natural English sentences for synthetic speech corpora.

Sentences come from templates (statements, questions, negations, imperatives, relative
clauses, ...) filled with words sampled Zipf-like from `lexicon`, so frequent words recur and
rare words stay rare, as in real text. Output is lowercase words of a-z and apostrophes joined
by single spaces, ready to be spoken by a TTS engine and used as a transcript. The same seed
always gives the same sentences, on any machine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from speech_lstm.synthetic.morphology import (
    article,
    gerund,
    number_words,
    participle,
    past,
    plural,
    third_person,
)
from speech_lstm.synthetic.phrases import (
    PRONOUNS,
    WEATHER,
    PhraseBuilder,
    form_of_be,
    join_words,
    present_form,
)


def distinct_words(sentences: Iterable[str]) -> set[str]:
    """The vocabulary of a corpus: every distinct space-separated word in `sentences`."""
    return {word for sentence in sentences for word in sentence.split()}


class SentenceGenerator(PhraseBuilder):
    """Generates an endless, reproducible stream of varied English sentences.

    Why: training and evaluation transcripts must be rebuildable bit for bit from a seed, and
    realistic word frequencies make the acoustic model see common words often.
    """

    def __init__(self, seed: int, zipf_exponent: float = 1.0) -> None:
        """`seed` fixes the sequence; word of rank r in a list gets weight 1 / r**zipf_exponent."""
        super().__init__(seed, zipf_exponent)
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

    # Templates, one sentence shape each.

    def _past_action(self) -> str:
        """the old farmer carried three heavy boxes to the station"""
        verb, obj = self._transitive()
        return join_words(
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
        obj = join_words(
            subject.possessive, self._adjective(0.2), plural(noun) if self._chance(0.4) else noun
        )
        return join_words(
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
            aux = join_words(form_of_be(subject.agreement), "going to")
        elif subject in PRONOUNS and self._chance(0.3):
            return join_words(subject.text + "'ll", verb, obj, self._future_time(0.7))
        else:
            aux = join_words("will", self._adverb(0.3))
        return join_words(subject.text, aux, verb, obj, self._future_time(0.7))

    def _habit(self) -> str:
        """my sister usually watches the news in the evening"""
        subject = self._subject()
        verb, obj = self._transitive()
        return join_words(
            subject.text,
            self._adverb(0.4),
            present_form(verb, subject.agreement),
            obj,
            self._habit_time(0.6),
        )

    def _negation(self) -> str:
        """the children didn't find any apples in the garden"""
        subject = self._subject()
        verb, obj = self._transitive()
        if self._chance(0.25):
            obj = join_words("any", self._adjective(), plural(self._word("thing")))
        does = "doesn't" if subject.agreement == "sg" else "don't"
        aux = self._pick(f"didn't|did not|{does}|{does}|won't|can't|couldn't|will not")
        return join_words(subject.text, aux, verb, obj, self._place_phrase(0.3))

    def _progressive(self) -> str:
        """the boys are playing near the river / she was reading a book when the phone rang"""
        subject = self._subject()
        if self._chance(0.5):
            return join_words(
                subject.text,
                form_of_be(subject.agreement),
                gerund(self._word("intransitive")),
                self._place_phrase(0.8),
            )
        verb, obj = self._transitive()
        return join_words(
            subject.text,
            form_of_be(subject.agreement, True),
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
            return join_words("please", verb, obj, self._place_phrase(0.6))
        if r < 0.55:
            noun = self._word("thing")
            return join_words("don't", self._word("physical"), "your", self._adjective(), noun)
        if r < 0.75:
            return join_words("let's", verb, obj, self._future_time(0.4))
        return join_words(verb, obj, self._pick("before|after|when"), self._clause(False))

    def _relative_clause(self) -> str:
        """the woman who bought the house is a doctor / the cake that anna baked was sweet"""
        verb, obj = self._transitive()
        if self._chance(0.5):
            many = self._chance(0.3)
            head = join_words("the", self._adjective(0.2), self._word("person"))
            if many:
                head = join_words(*head.split()[:-1], plural(head.split()[-1]))
            agreement = "pl" if many else "sg"
            if self._chance(0.5):
                rest = join_words(
                    form_of_be(agreement, self._chance(0.5)),
                    self._pick("very|really|"),
                    self._word("adjective"),
                )
            else:
                rest = join_words(
                    present_form(self._word("intransitive"), agreement), self._place_phrase()
                )
            return join_words(head, self._pick("who|that"), past(verb), obj, rest)
        noun = self._word("thing")
        many = self._chance(0.3)
        return join_words(
            "the",
            plural(noun) if many else noun,
            self._pick("that|which|"),
            self._subject().text,
            past(self._word("physical")),
            form_of_be("pl" if many else "sg", True),
            self._word("adjective"),
        )

    def _possessive(self) -> str:
        """maria's brother works at the bank / the old man's garden is beautiful"""
        owner = self._name() if self._chance(0.7) else join_words("the", self._word("person"))
        if self._chance(0.5):
            return join_words(
                owner + "'s",
                self._word("person"),
                third_person(self._word("intransitive")),
                self._place_phrase(),
            )
        return join_words(
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
            return join_words(self._pick("why|when|where|how"), "did", subject.text, verb, obj)
        if r < 0.55:
            return join_words(
                "how many", plural(self._word("thing")), "did", subject.text, self._word("physical")
            )
        if r < 0.7:
            return join_words(
                "where", self._pick("is|was"), "the", self._adjective(0.3), self._word("place")
            )
        if r < 0.85:
            return join_words("who", past(verb), obj, self._past_time(0.3))
        does = "does" if subject.agreement == "sg" else "do"
        return join_words("what", does, subject.text, self._word("physical"), self._habit_time())

    def _perfect(self) -> str:
        """i have never seen such a beautiful garden"""
        subject = self._subject()
        have = "has" if subject.agreement == "sg" else "have"
        if self._chance(0.3):
            adjective = self._word("adjective")
            return join_words(
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
            return join_words(have, subject.text, "ever", participle(verb), obj)
        return join_words(
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
            reason = join_words(
                "the weather was", self._pick("very|too|"), self._rng.choice(WEATHER)
            )
        else:
            reason = self._clause(True)
        return join_words(self._clause(True), conjunction, reason)

    def _but(self) -> str:
        """he wanted to buy a car but he didn't have enough money"""
        subject = self._subject()
        verb, obj = self._transitive()
        want = self._pick("wanted to|tried to|hoped to|planned to")
        if self._chance(0.5):
            rest = join_words(subject.pronoun, "didn't have enough", self._word("mass"))
        else:
            rest = self._clause(True)
        return join_words(subject.text, want, verb, obj, "but", rest)

    def _there_is(self) -> str:
        """there are twelve chairs in the kitchen"""
        place = self._place_phrase()
        noun, adjective = self._word("thing"), self._adjective()
        r = self._rng.random()
        if r < 0.4:
            return join_words(
                "there",
                self._pick("are|were"),
                number_words(self._number()),
                adjective,
                plural(noun),
                place,
            )
        if r < 0.7:
            return join_words(
                "there", self._pick("is|was"), article(adjective or noun), adjective, noun, place
            )
        if r < 0.85:
            return join_words("is there", article(adjective or noun), adjective, noun, place)
        return join_words("there", self._pick("isn't|wasn't"), "any", self._word("mass"), place)

    def _yes_no_question(self) -> str:
        """does your brother like cats / will you visit rome next year"""
        subject = self._subject()
        verb, obj = self._transitive()
        r = self._rng.random()
        if r < 0.35:
            does = "does" if subject.agreement == "sg" else "do"
            return join_words(does, subject.text, verb, obj)
        if r < 0.55:
            return join_words("will", subject.text, verb, obj, self._future_time(0.6))
        if r < 0.75:
            return join_words(self._pick("can|could"), "you", verb, obj, self._place_phrase(0.3))
        be = {"i": "am", "sg": "is", "pl": "are"}[subject.agreement]
        return join_words(be, subject.text, self._pick("very|really|"), self._word("adjective"))

    def _passive(self) -> str:
        """the letter was written by john yesterday"""
        many = self._chance(0.3)
        noun = self._word("thing")
        head = join_words("the", self._adjective(0.3), plural(noun) if many else noun)
        agent = self._name() if self._chance(0.5) else join_words("the", self._word("person"))
        return join_words(
            head,
            form_of_be("pl" if many else "sg", True),
            participle(self._word("physical")),
            "by",
            agent,
            self._past_time(0.4),
        )

    def _gerund_phrase(self) -> str:
        """she enjoys swimming in the lake / cleaning the kitchen is boring"""
        if self._chance(0.3):
            verb, obj = self._transitive()
            return join_words(gerund(verb), obj, self._pick("is|was"), self._word("adjective"))
        subject = self._subject()
        verb = self._pick("enjoy|love|hate|like|stop|start|prefer|miss|avoid")
        head = past(verb) if self._chance(0.5) else present_form(verb, subject.agreement)
        return join_words(
            subject.text, head, gerund(self._word("intransitive")), self._place_phrase(0.6)
        )

    def _reported(self) -> str:
        """i think the old bridge is dangerous / maria said that her brother lost the keys"""
        if self._chance(0.5):
            lead = self._pick("i think|i believe|we hope|everyone knows|i'm sure")
            return join_words(lead, self._pick("that|"), self._clause(False))
        lead = join_words(self._subject().text, self._pick("said|told me|explained|heard"))
        return join_words(lead, self._pick("that|"), self._clause(True))

    def _two_actions(self) -> str:
        """the farmer fed the cows and cleaned the barn"""
        first, first_obj = self._transitive()
        second, second_obj = self._transitive()
        return join_words(
            self._subject().text, past(first), first_obj, "and", past(second), second_obj
        )

    def _modal(self) -> str:
        """you should bring a warm coat / we could meet at the station"""
        subject = self._subject()
        modal = self._pick("can|could|should|must|might|may|would")
        if self._chance(0.3):
            return join_words(subject.text, modal, self._word("intransitive"), self._place_phrase())
        verb, obj = self._transitive()
        return join_words(subject.text, modal, verb, obj, self._future_time(0.3))

    def _description(self) -> str:
        """the roof of the old station was red / it's very cold in berlin today"""
        if self._chance(0.3):
            return join_words(
                self._pick("it's|it was|it is"),
                self._pick("very|too|"),
                self._rng.choice(WEATHER),
                "in",
                self._place_name(),
                self._pick("today|this week|"),
            )
        noun = self._word(self._pick("thing|abstract|mass"))
        return join_words(
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
