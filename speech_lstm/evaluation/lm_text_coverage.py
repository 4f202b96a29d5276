"""How well a word LM covers a text: out-of-vocabulary rate and perplexity.

Used on a held-out sample of everyday English (`synthetic.HELDOUT_PROSE`) to check that the LM
built from the corpus's LM text knows the words people say, and how well it predicts them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from speech_lstm.decoding.lm import BOS, EOS, NgramLM


@dataclass(frozen=True)
class LmCoverage:
    """OOV rate over running words, perplexity over every word and sentence end."""

    words: int
    oov_words: tuple[str, ...]
    perplexity: float

    @property
    def oov_rate(self) -> float:
        return len(self.oov_words) / self.words if self.words else 0.0


def lm_coverage(lm: NgramLM, sentences: Iterable[str]) -> LmCoverage:
    """OOV words and perplexity of `lm` on normalised `sentences`.

    Perplexity counts every word and each sentence end; an unknown word is scored as <unk>,
    as the decoder would.
    """
    vocabulary = lm.words
    words, oov, log10_sum, events = 0, [], 0.0, 0
    for sentence in sentences:
        tokens = sentence.split()
        history = (BOS,) * (lm.order - 1)
        for token in [*tokens, EOS]:
            log10_sum += lm.log10_prob(token, history)
            history = (*history, token)
            events += 1
        words += len(tokens)
        oov += [t for t in tokens if t not in vocabulary]
    perplexity = 10 ** (-log10_sum / events) if events else math.nan
    return LmCoverage(words, tuple(oov), perplexity)
