"""`Decoder`: logits to text with the decoder a `DecoderConfig` names (greedy, beam, beam_lm)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from speech_lstm.decoding.beam import beam_decode
from speech_lstm.decoding.greedy import greedy_decode
from speech_lstm.decoding.lm import NgramLM
from speech_lstm.text import Vocabulary

if TYPE_CHECKING:
    from speech_lstm.decoding.lm_arrays import ArrayLM

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
    """Turns batches of logits into text with the decoder a `DecoderConfig` names.

    `beam_lm` runs the compiled prefix search (`prefix_search.CompiledBeamSearch`, the same
    results as `beam.LexiconBeamSearch`) in `workers` threads, one utterance each: it
    releases the GIL, so with `submit` a batch decodes while the network computes the next.
    """

    def __init__(
        self,
        config: DecoderConfig,
        vocabulary: Vocabulary,
        lm: ArrayLM | NgramLM | None = None,
        workers: int = 2,
    ):
        if config.type == "beam_lm" and lm is None:
            raise ValueError(
                "decoder.type=beam_lm needs a language model: set decoder.lm_path or put lm.arpa "
                "in the model directory. Received: no LM"
            )
        if workers < 1:
            raise ValueError(f"workers must be >= 1. Received: {workers}")
        self.config = config
        self.vocabulary = vocabulary
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self.search = None
        if config.type == "beam_lm":
            from speech_lstm.decoding.lm_arrays import ArrayLM
            from speech_lstm.decoding.prefix_search import CompiledBeamSearch

            if isinstance(lm, NgramLM):
                lm = ArrayLM.from_ngram_lm(lm)
            self.search = CompiledBeamSearch(
                vocabulary.characters,
                lm,
                config.alpha,
                config.beta,
                config.beam_width,
                config.lexicon_constrained,
                unk_penalty=config.unk_penalty,
            )

    def __call__(self, logits: np.ndarray, lengths: np.ndarray) -> list[str]:
        """Texts for logits (batch, steps, vocab) with valid step counts `lengths`."""
        return self.submit(logits, lengths).result()

    def submit(self, logits: np.ndarray, lengths: np.ndarray) -> PendingTexts:
        """Starts decoding a batch; `.result()` waits for its texts. Only `beam_lm` runs in
        the background; the other decoders are done when this returns."""
        if self.search is None:
            return PendingTexts(texts=self._decode_now(logits, lengths))
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="beam_lm")
        rows = [np.array(row[: int(n)]) for row, n in zip(logits, lengths)]
        return PendingTexts(futures=[self._pool.submit(self.search.decode, r) for r in rows])

    def _decode_now(self, logits: np.ndarray, lengths: np.ndarray) -> list[str]:
        if self.config.type == "beam":
            sequences = beam_decode(logits, lengths, self.config.beam_width)
        else:
            sequences = greedy_decode(logits, lengths)
        # Stray spaces at the ends or doubled between words carry no information.
        return [" ".join(self.vocabulary.decode(ids).split()) for ids in sequences]


@dataclass
class PendingTexts:
    """A batch being decoded: texts already known, or one future per utterance."""

    texts: list[str] | None = None
    futures: list[Future] | None = None

    def result(self) -> list[str]:
        """The batch's texts, in batch order (waits for the workers)."""
        if self.texts is None:
            self.texts = [future.result() for future in self.futures or []]
        return self.texts
