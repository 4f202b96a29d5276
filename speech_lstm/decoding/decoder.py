"""`Decoder`: logits to text with the decoder a `DecoderConfig` names (greedy, beam, beam_lm)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from speech_lstm.decoding.beam import LexiconBeamSearch, LmWeights, beam_decode
from speech_lstm.decoding.greedy import greedy_decode
from speech_lstm.decoding.lm import NgramLM
from speech_lstm.decoding.lm_arrays import ArrayLM
from speech_lstm.text import Vocabulary

DECODER_TYPES = ("greedy", "beam", "beam_lm")


@dataclass
class DecoderConfig:
    """How logits become text.

    Attributes:
        type: "greedy" (best path), "beam" (CTC beam search, no language model) or "beam_lm"
            (prefix beam search with a word n-gram LM).
        beam_width: hypotheses kept per step by the beam decoders.
        alpha: LM weight of "beam_lm".
        beta: word insertion bonus of "beam_lm".
        lm_path: ARPA file for "beam_lm"; null means `lm.arpa` in the model directory.
        lexicon_constrained: "beam_lm" only spells words the LM knows, unless `unk_penalty`
            is set.
        unk_penalty: with `lexicon_constrained`, a spelling the LM does not know may still be
            output as an unknown word, scored with the LM's <unk> probability minus this
            penalty (natural-log units, like the acoustic score); null keeps the vocabulary
            closed. Tune it on dev with scripts/tune_decoder.py.
    """

    type: str = "greedy"
    beam_width: int = 16
    alpha: float = 0.8
    beta: float = 1.5
    lm_path: str | None = None
    lexicon_constrained: bool = True
    unk_penalty: float | None = None

    def __post_init__(self) -> None:
        if self.type not in DECODER_TYPES:
            raise ValueError(
                f"decoder type must be one of {DECODER_TYPES}. Received: {self.type!r}"
            )
        if self.beam_width < 1:
            raise ValueError(f"beam_width must be >= 1. Received: {self.beam_width}")
        if self.unk_penalty is not None and self.unk_penalty < 0:
            raise ValueError(f"unk_penalty must be >= 0 or null. Received: {self.unk_penalty}")


class Decoder:
    """Turns batches of logits into text with the decoder a `DecoderConfig` names."""

    def __init__(
        self,
        config: DecoderConfig,
        vocabulary: Vocabulary,
        lm: ArrayLM | NgramLM | None = None,
    ):
        if config.type == "beam_lm" and lm is None:
            raise ValueError(
                "decoder.type=beam_lm needs a language model: set decoder.lm_path or put lm.arpa "
                "in the model directory. Received: no LM"
            )
        if isinstance(lm, NgramLM):
            lm = ArrayLM.from_ngram_lm(lm)
        self.config = config
        self.vocabulary = vocabulary
        self.search = (
            LexiconBeamSearch(
                vocabulary.characters,
                lm,
                LmWeights(config.alpha, config.beta),
                config.beam_width,
                config.lexicon_constrained,
                unk_penalty=config.unk_penalty,
            )
            if config.type == "beam_lm"
            else None
        )

    def __call__(self, logits: np.ndarray, lengths: np.ndarray) -> list[str]:
        """Texts for logits (batch, steps, vocab) with valid step counts `lengths`."""
        if self.search is not None:
            return [self.search.decode(row[: int(n)]) for row, n in zip(logits, lengths)]
        if self.config.type == "beam":
            sequences = beam_decode(logits, lengths, self.config.beam_width)
        else:
            sequences = greedy_decode(logits, lengths)
        # Stray spaces at the ends or doubled between words carry no information.
        return [" ".join(self.vocabulary.decode(ids).split()) for ids in sequences]
