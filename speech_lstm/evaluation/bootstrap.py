"""How sure we are: bootstrap confidence intervals for corpus WER, single and paired.

Utterances, not words, are resampled (with replacement), because errors within an utterance
are not independent. Each resample's WER is its summed errors over its summed reference words.
Seeded, so a report is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass

import numpy as np

_INDICES_PER_CHUNK = 4_000_000  # resampled indices held at once (32 MB), whatever the corpus


@dataclass(frozen=True)
class Interval:
    """A percentile bootstrap interval for corpus WER."""

    low: float
    high: float
    confidence: float
    samples: int
    seed: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PairedResult:
    """Paired bootstrap of WER(b) - WER(a) over the same resampled utterances.

    Attributes:
        delta: WER(b) - WER(a) on all common utterances (negative: b is better).
        low, high: percentile interval of the delta at `confidence`.
        p_value: two-sided, twice the smaller share of resamples on either side of zero.
        b_better: share of resamples in which b has the lower WER.
        significant: whether the interval excludes zero.
    """

    n_utterances: int
    wer_a: float
    wer_b: float
    delta: float
    low: float
    high: float
    p_value: float
    b_better: float
    confidence: float
    samples: int
    seed: int

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0

    def to_dict(self) -> dict:
        return {**asdict(self), "significant": self.significant}


def bootstrap_interval(
    errors: Sequence[int],
    words: Sequence[int],
    samples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> Interval:
    """Percentile bootstrap interval for corpus WER = sum(errors) / sum(words).

    Args:
        errors: word errors (S + D + I) of each utterance.
        words: reference words of each utterance, same length as `errors`.
        samples: number of resamples.
        seed: seed of the resampling generator.
        confidence: coverage of the interval, in (0, 1).

    Raises:
        ValueError: on empty or mismatched inputs, or bad `samples`/`confidence`.
    """
    e, w = _arrays(errors, words, samples, confidence)
    rates = np.concatenate([_rates(e, w, idx) for idx in _resamples(len(e), samples, seed)])
    low, high = _percentiles(rates, confidence)
    return Interval(low, high, confidence, samples, seed)


def paired_bootstrap(
    errors_a: Sequence[int],
    errors_b: Sequence[int],
    words: Sequence[int],
    samples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    words_b: Sequence[int] | None = None,
) -> PairedResult:
    """Tests whether system b's WER differs from system a's on the same utterances.

    Args:
        errors_a, errors_b: word errors of each common utterance, in the same order.
        words: reference words of each utterance (system a's count).
        words_b: system b's reference word counts, when its normaliser counted differently.
        samples, seed, confidence: as in `bootstrap_interval`.
    """
    ea, wa = _arrays(errors_a, words, samples, confidence)
    eb, wb = _arrays(errors_b, words if words_b is None else words_b, samples, confidence)
    if len(ea) != len(eb):
        raise ValueError(f"Need the same utterances. Received: {len(ea)} and {len(eb)}")
    deltas = np.concatenate(
        [_rates(eb, wb, idx) - _rates(ea, wa, idx) for idx in _resamples(len(ea), samples, seed)]
    )
    low, high = _percentiles(deltas, confidence)
    wer_a, wer_b = _ratio(ea.sum(), wa.sum()), _ratio(eb.sum(), wb.sum())
    p_value = min(1.0, 2 * min(np.mean(deltas <= 0), np.mean(deltas >= 0)))
    return PairedResult(
        len(ea),
        wer_a,
        wer_b,
        wer_b - wer_a,
        low,
        high,
        float(p_value),
        float(np.mean(deltas < 0)),
        confidence,
        samples,
        seed,
    )


def _arrays(errors, words, samples: int, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    e, w = np.asarray(errors, dtype=np.int64), np.asarray(words, dtype=np.int64)
    if e.ndim != 1 or e.shape != w.shape or len(e) == 0:
        raise ValueError(
            "Need one error count and one word count per utterance, at least one. "
            f"Received: {e.shape} errors, {w.shape} words"
        )
    if samples < 1 or not 0 < confidence < 1:
        raise ValueError(
            f"Need samples >= 1 and 0 < confidence < 1. Received: {samples}, {confidence}"
        )
    return e, w


def _resamples(n: int, samples: int, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    chunk = max(1, _INDICES_PER_CHUNK // n)
    for start in range(0, samples, chunk):
        yield rng.integers(0, n, size=(min(chunk, samples - start), n))


def _rates(errors: np.ndarray, words: np.ndarray, indices: np.ndarray) -> np.ndarray:
    e, w = errors[indices].sum(axis=1), words[indices].sum(axis=1)
    return np.where(w > 0, e / np.maximum(w, 1), (e > 0).astype(float))


def _ratio(errors: int, words: int) -> float:
    if words == 0:
        return 0.0 if errors == 0 else 1.0
    return float(errors / words)


def _percentiles(values: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)
