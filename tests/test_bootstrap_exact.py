"""The bootstrap against exact enumeration of every resample, on five utterances.

With n utterances, a bootstrap resample is an index tuple drawn uniformly from the n**n
possible ones. For n = 5 all 3125 tuples are enumerated here, each resample's WER computed
as an exact fraction (summed errors over summed reference words), which gives the exact
distribution that `bootstrap.py` samples. Its estimates then have a Monte-Carlo error we can
state:

- a share of resamples (a p-value's tail, `b_better`) is a binomial mean, within
  `SIGMAS` standard errors sqrt(s (1 - s) / B) of the exact share s;
- a percentile interval end x at level q has an empirical CDF value within 1/B of q, and the
  Dvoretzky-Kiefer-Wolfowitz inequality bounds the empirical CDF's distance to the exact
  CDF F, at every point at once, by eps = sqrt(ln(2 / delta) / (2 B)) with probability
  1 - delta; so F(x-) <= q + eps + 1/B and F(x) >= q - eps - 1/B.

The seeds are fixed, so the outcome is deterministic; the bounds say why the figures agree.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter
from fractions import Fraction

import pytest

from speech_lstm.evaluation.bootstrap import bootstrap_interval, paired_bootstrap

SAMPLES = 100_000
SIGMAS = 4.0
DKW_DELTA = 1e-4

# errors_a, errors_b, words (system a's), words_b, exact two-sided p-value.
PAIRS = {
    # b clearly better: no resample has b worse or equal, so p = 0.
    "obvious": ((3, 2, 4, 3, 5), (0, 0, 1, 0, 0), (5, 4, 6, 5, 7), (5, 4, 6, 5, 7), Fraction(0)),
    # Borderline, significant: P(delta >= 0) = 71/3125 = 0.02272 < 0.025.
    "borderline_significant": (
        (1, 2, 4, 3, 0),
        (0, 0, 1, 1, 1),
        (2, 4, 8, 6, 2),
        (2, 4, 8, 6, 2),
        Fraction(142, 3125),
    ),
    # Borderline, not significant: P(delta >= 0) = 91/3125 = 0.02912, and the exact 97.5%
    # quantile of the delta is 0 itself.
    "borderline_not_significant": (
        (2, 3, 1, 0, 3),
        (0, 1, 0, 1, 1),
        (2, 8, 3, 3, 8),
        (2, 8, 3, 3, 8),
        Fraction(182, 3125),
    ),
    # Ties: b counts twice the words (another normaliser) and makes twice the errors on the
    # first four utterances, so the delta is exactly 0 unless the fifth is drawn:
    # P(delta = 0) = (4/5)**5. Ties count on both sides: p = 2 (4/5)**5 = 0.65536.
    "ties_and_words_b": (
        (1, 1, 1, 1, 2),
        (2, 2, 2, 2, 0),
        (4,) * 5,
        (8,) * 5,
        Fraction(2048, 3125),
    ),
}


@functools.cache
def exact_distribution(
    errors_a: tuple[int, ...],
    errors_b: tuple[int, ...] | None,
    words_a: tuple[int, ...],
    words_b: tuple[int, ...],
) -> dict[Fraction, Fraction]:
    """Probability of each value of WER(b) - WER(a) (or WER(a) alone when `errors_b` is None)
    over all n**n equally likely resamples of the n utterances (cached)."""
    n = len(errors_a)
    counts: Counter = Counter()
    for indices in itertools.product(range(n), repeat=n):
        value = -Fraction(sum(errors_a[i] for i in indices), sum(words_a[i] for i in indices))
        if errors_b is None:
            value = -value
        else:
            value += Fraction(sum(errors_b[i] for i in indices), sum(words_b[i] for i in indices))
        counts[value] += 1
    return {value: Fraction(count, n**n) for value, count in counts.items()}


def probability(distribution: dict[Fraction, Fraction], predicate) -> float:
    """Exact probability of the values for which `predicate` holds."""
    return float(sum(p for value, p in distribution.items() if predicate(value)))


def exact_quantile(distribution: dict[Fraction, Fraction], level: float) -> float:
    """The smallest value whose exact CDF reaches `level`."""
    total = Fraction(0)
    for value in sorted(distribution):
        total += distribution[value]
        if total >= level:
            return float(value)
    return float(max(distribution))


def share_tolerance(share: float) -> float:
    """`SIGMAS` standard errors of a share estimated from `SAMPLES` resamples."""
    return SIGMAS * math.sqrt(share * (1 - share) / SAMPLES)


def assert_percentile(distribution: dict[Fraction, Fraction], estimate: float, level: float):
    """`estimate` is a sample quantile at `level` of the exact distribution (DKW bound)."""
    eps = math.sqrt(math.log(2 / DKW_DELTA) / (2 * SAMPLES)) + 1 / SAMPLES
    # A small slack for float rounding of fractions such as 1/3 in the bootstrap's sums.
    below = probability(distribution, lambda v: v < estimate - 1e-12)
    at_or_below = probability(distribution, lambda v: v <= estimate + 1e-12)
    assert below <= level + eps and at_or_below >= level - eps, (estimate, below, at_or_below)


def test_exact_enumeration_sums_to_one_and_matches_the_known_tie_probability():
    errors_a, errors_b, words, words_b, _ = PAIRS["ties_and_words_b"]
    distribution = exact_distribution(errors_a, errors_b, words, words_b)
    assert sum(distribution.values()) == 1
    assert distribution[Fraction(0)] == Fraction(4, 5) ** 5


@pytest.mark.parametrize("name", PAIRS)
def test_paired_p_value_matches_exact_enumeration(name):
    errors_a, errors_b, words, words_b, exact_p = PAIRS[name]
    distribution = exact_distribution(errors_a, errors_b, words, words_b)
    at_most_zero = probability(distribution, lambda v: v <= 0)
    at_least_zero = probability(distribution, lambda v: v >= 0)
    assert min(1.0, 2 * min(at_most_zero, at_least_zero)) == pytest.approx(float(exact_p))

    result = paired_bootstrap(errors_a, errors_b, words, SAMPLES, seed=0, words_b=words_b)
    # p = 2 min(two shares), each within its own tolerance: twice the larger tolerance.
    tolerance = 2 * max(share_tolerance(at_most_zero), share_tolerance(at_least_zero))
    assert abs(result.p_value - float(exact_p)) <= tolerance, (result.p_value, float(exact_p))
    b_better = probability(distribution, lambda v: v < 0)
    assert abs(result.b_better - b_better) <= share_tolerance(b_better)


@pytest.mark.parametrize("name", PAIRS)
def test_paired_interval_and_verdict_match_exact_enumeration(name):
    errors_a, errors_b, words, words_b, exact_p = PAIRS[name]
    distribution = exact_distribution(errors_a, errors_b, words, words_b)
    result = paired_bootstrap(errors_a, errors_b, words, SAMPLES, seed=0, words_b=words_b)
    assert_percentile(distribution, result.low, 0.025)
    assert_percentile(distribution, result.high, 0.975)
    exact_low, exact_high = exact_quantile(distribution, 0.025), exact_quantile(distribution, 0.975)
    assert result.significant == (exact_low > 0 or exact_high < 0) == (exact_p < 0.05)
    wer_a = sum(errors_a) / sum(words)
    wer_b = sum(errors_b) / sum(words_b)
    assert result.delta == pytest.approx(wer_b - wer_a)


@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95])
def test_single_interval_matches_exact_percentiles(confidence):
    errors, words = (0, 1, 3, 2, 1), (3, 5, 6, 2, 4)
    distribution = exact_distribution(errors, None, words, words)
    interval = bootstrap_interval(errors, words, SAMPLES, seed=1, confidence=confidence)
    tail = (1 - confidence) / 2
    assert_percentile(distribution, interval.low, tail)
    assert_percentile(distribution, interval.high, 1 - tail)
