"""CTC prefix beam search: without a language model (`beam_decode`, TensorFlow's decoder), and
with a word n-gram language model and an optional lexicon (`LexiconBeamSearch`: the readable
reference; decoding runs `prefix_search.CompiledBeamSearch`, which gives the same results).

With the LM, scores follow the usual shallow-fusion form:
log P_ctc + alpha * ln P_lm + beta * words. With `lexicon_constrained`, only spellings that
are (prefixes of) words of the language model survive, which turns near-miss spellings into
real words. With an `unk_penalty` as well, a spelling outside the lexicon survives too, as
an unknown word: it is scored with the LM's <unk> probability and pays the penalty once, from
the step it leaves the lexicon's prefixes, so a word the LM does not know can still be output
instead of being forced into a wrong known word.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from speech_lstm.decoding.alignment import log_softmax
from speech_lstm.decoding.lm import EOS, NgramLM
from speech_lstm.text import BLANK_INDEX

if TYPE_CHECKING:
    from speech_lstm.decoding.lm_arrays import ArrayLM

_NEG_INF = -math.inf
_LN10 = math.log(10)


def beam_decode(logits: np.ndarray, lengths: np.ndarray, beam_width: int) -> list[list[int]]:
    """CTC prefix beam search without a language model; the best labelling of each sample.

    TensorFlow's decoder (reached through `keras.ops.ctc_decode`) is a prefix search: each
    beam is a label prefix holding the summed probability of all its paths that end in a blank
    and that end in its last label, so alignments collapsing to the same text are merged and a
    repeated label needs a blank in between.

    Args:
        logits: (batch, steps, vocab_size) scores; blank at index 0.
        lengths: (batch,) valid steps of each sample.
        beam_width: prefixes kept per step.

    Returns:
        One list of label ids per sample.
    """
    import keras

    decoded, _ = keras.ops.ctc_decode(
        logits.astype(np.float32),
        np.asarray(lengths, dtype=np.int32),
        strategy="beam_search",
        beam_width=beam_width,
        top_paths=1,
        mask_index=BLANK_INDEX,
    )
    best = keras.ops.convert_to_numpy(decoded[0])
    return [[int(i) for i in row if i > 0] for row in best]


@dataclass(frozen=True)
class LmWeights:
    """Shallow-fusion weights: `alpha` scales the LM log-probability, `beta` rewards words."""

    alpha: float = 0.8
    beta: float = 1.5


def _logsumexp(a: float, b: float) -> float:
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    high, low = (a, b) if a > b else (b, a)
    return high + math.log1p(math.exp(low - high))


class LexiconBeamSearch:
    """Decodes one utterance's logits into text with an n-gram LM."""

    def __init__(
        self,
        characters: str,
        lm: NgramLM | ArrayLM,
        weights: LmWeights,
        beam_width: int = 16,
        lexicon_constrained: bool = True,
        prune_log_prob: float = -10.0,
        unk_penalty: float | None = None,
    ):
        if unk_penalty is not None and unk_penalty < 0:
            raise ValueError(f"unk_penalty must be >= 0 or None. Received: {unk_penalty}")
        self.characters = characters
        self.lm = lm
        self.weights = weights
        self.beam_width = beam_width
        self.prune_log_prob = prune_log_prob
        self.unk_penalty = unk_penalty if lexicon_constrained else None
        words = lm.words if isinstance(lm, NgramLM) else set(lm.lexicon)
        self.prefixes = (
            {w[:i] for w in words for i in range(len(w) + 1)} if lexicon_constrained else None
        )
        self.words = words if lexicon_constrained else None

    def decode(self, logits: np.ndarray) -> str:
        """Best transcript for logits of shape (steps, vocab_size); padding already removed."""
        log_probs = log_softmax(logits)
        beams: dict[str, list[float]] = {"": [0.0, _NEG_INF]}
        self._lm_cache: dict[str, tuple[float, tuple[str, ...]]] = {"": (0.0, ())}
        for row in log_probs:
            beams = self._step(beams, row)
        return self._finish(beams)

    def _step(self, beams: dict[str, list[float]], row: np.ndarray) -> dict[str, list[float]]:
        candidates = np.flatnonzero(row > self.prune_log_prob)
        following: dict[str, list[float]] = {}
        for prefix, (blank_score, char_score) in beams.items():
            total = _logsumexp(blank_score, char_score)
            for index in candidates:
                p = float(row[index])
                if index == BLANK_INDEX:
                    self._add(following, prefix, 0, total + p)
                    continue
                char = self.characters[index - 1]
                self._extend(following, prefix, char, p, blank_score, char_score)
        ranked = sorted(following, key=lambda pre: self._score(pre, following[pre]), reverse=True)
        return {prefix: following[prefix] for prefix in ranked[: self.beam_width]}

    def _extend(
        self, following, prefix: str, char: str, p: float, blank_score: float, char_score: float
    ) -> None:
        """Adds `prefix` followed by `char` at this step to `following`."""
        total = _logsumexp(blank_score, char_score)
        last = prefix[-1] if prefix else ""
        if char == " " and last in ("", " "):
            self._add(following, prefix, 1, total + p)
        elif char == last:
            # Without a blank in between, a repeated character collapses into the same prefix.
            self._add(following, prefix, 1, char_score + p)
            if char == " " or self._allowed(prefix, char):
                self._add(following, prefix + char, 1, blank_score + p)
        elif char == " ":
            if self._complete_word(prefix):
                self._add(following, prefix + char, 1, total + p)
        elif self._allowed(prefix, char):
            self._add(following, prefix + char, 1, total + p)

    def _allowed(self, prefix: str, char: str) -> bool:
        return self.unk_penalty is not None or self._in_lexicon(_partial_word(prefix) + char)

    def _in_lexicon(self, partial_word: str) -> bool:
        """Whether `partial_word` is (a prefix of) a word of the lexicon, or any is allowed."""
        return self.prefixes is None or partial_word in self.prefixes

    @staticmethod
    def _add(following: dict[str, list[float]], prefix: str, slot: int, value: float) -> None:
        scores = following.setdefault(prefix, [_NEG_INF, _NEG_INF])
        scores[slot] = _logsumexp(scores[slot], value)

    def _complete_word(self, prefix: str) -> bool:
        """Scores the word `prefix` ends with; False when the lexicon forbids it."""
        word = _partial_word(prefix)
        unknown = self.words is not None and word not in self.words
        if unknown and self.unk_penalty is None:
            return False
        if prefix + " " not in self._lm_cache:
            base, history = self._lm_cache[prefix[: len(prefix) - len(word)]]
            gain = (
                self.weights.alpha * _LN10 * self.lm.log10_prob(word, history) + self.weights.beta
            )
            if unknown:
                gain -= self.unk_penalty
            self._lm_cache[prefix + " "] = (base + gain, (*history, word))
        return True

    def _score(self, prefix: str, scores: list[float]) -> float:
        word = _partial_word(prefix)
        base = self._lm_cache[prefix[: len(prefix) - len(word)]][0]
        if self.unk_penalty is not None and not self._in_lexicon(word):
            base -= self.unk_penalty  # an unknown word pays from its first unknown letter
        return _logsumexp(*scores) + base

    def _finish(self, beams: dict[str, list[float]]) -> str:
        best, best_score = "", _NEG_INF
        for prefix, scores in beams.items():
            if _partial_word(prefix) and not self._complete_word(prefix):
                continue
            closed = prefix if prefix.endswith(" ") or not prefix else prefix + " "
            lm_score, history = self._lm_cache[closed]
            end = self.weights.alpha * _LN10 * self.lm.log10_prob(EOS, history)
            score = _logsumexp(*scores) + lm_score + end
            if score > best_score:
                best, best_score = prefix.strip(), score
        return best


def _partial_word(prefix: str) -> str:
    return prefix[prefix.rfind(" ") + 1 :]
