"""Bootstrap intervals and paired tests, and the per-group breakdowns, on known data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from speech_lstm.evaluation import score_utterances
from speech_lstm.evaluation.bootstrap import bootstrap_interval, paired_bootstrap
from speech_lstm.evaluation.breakdowns import (
    by_duration,
    by_speaker,
    duration_labels,
    frequent_errors,
    worst_utterances,
)


def synthetic_errors(n: int, seed: int, rate: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Per-utterance reference word counts and binomial error counts at `rate`."""
    rng = np.random.default_rng(seed)
    words = rng.integers(3, 15, size=n)
    return rng.binomial(words, rate), words


def test_interval_contains_the_point_estimate():
    errors, words = synthetic_errors(200, seed=1)
    interval = bootstrap_interval(errors, words, samples=500, seed=0)
    wer = errors.sum() / words.sum()
    assert interval.low < wer < interval.high
    assert interval.confidence == 0.95 and interval.samples == 500


def test_interval_narrows_with_more_data():
    small = bootstrap_interval(*synthetic_errors(50, seed=2), samples=500, seed=0)
    large = bootstrap_interval(*synthetic_errors(2000, seed=2), samples=500, seed=0)
    assert large.high - large.low < (small.high - small.low) / 3


def test_interval_is_reproducible_by_seed():
    errors, words = synthetic_errors(100, seed=3)
    first = bootstrap_interval(errors, words, samples=300, seed=7)
    assert first == bootstrap_interval(errors, words, samples=300, seed=7)
    assert first != bootstrap_interval(errors, words, samples=300, seed=8)


def test_interval_handles_zero_word_resamples_and_bad_input():
    interval = bootstrap_interval([0, 1], [0, 0], samples=50)
    assert 0.0 <= interval.low <= interval.high <= 1.0
    with pytest.raises(ValueError, match="at least one"):
        bootstrap_interval([], [])
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_interval([1], [2], confidence=1.0)


def test_paired_bootstrap_separates_a_real_difference_from_none():
    errors_a, words = synthetic_errors(300, seed=4, rate=0.3)
    errors_b = np.minimum(errors_a, np.random.default_rng(5).binomial(words, 0.15))
    better = paired_bootstrap(errors_a, errors_b, words, samples=500)
    assert better.delta < 0 and better.high < 0 and better.significant
    assert better.p_value < 0.05 and better.b_better > 0.95
    same = paired_bootstrap(errors_a, errors_a, words, samples=500)
    assert same.delta == 0 and not same.significant and same.p_value == 1.0


def scored_with_metadata():
    scored = score_utterances(
        ["a b c", "d e", "f g h i", "j"],
        ["a x c", "d e", "f h i", "j k l"],
    )
    metadata = [("u1", "ann", 1.0), ("u2", "ann", 3.0), ("u3", "bob", 3.5), ("u4", None, 25.0)]
    return [replace(s, key=k, speaker=spk, duration=d) for s, (k, spk, d) in zip(scored, metadata)]


def test_breakdowns_by_speaker_and_duration():
    scored = scored_with_metadata()
    speakers = {g.name: g for g in by_speaker(scored)}
    assert set(speakers) == {"ann", "bob", "(no speaker)"}
    assert speakers["ann"].wer == pytest.approx(1 / 5) and speakers["ann"].n_utterances == 2
    assert speakers["(no speaker)"].wer == pytest.approx(2.0)
    buckets = by_duration(scored, [2, 5, 10, 20])
    assert [(b.name, b.n_utterances) for b in buckets] == [("0-2 s", 1), ("2-5 s", 2), ("20+ s", 1)]
    assert by_speaker([replace(s, speaker=None) for s in scored]) == []
    with pytest.raises(ValueError, match="increasing"):
        duration_labels([5, 2])


def test_frequent_errors_and_worst_utterances():
    scored = scored_with_metadata()
    frequent = frequent_errors(scored, top_k=5)
    assert frequent.substitutions == [("b", "x", 1)]
    assert frequent.deletions == [("g", 1)]
    assert frequent.insertions == [("k", 1), ("l", 1)]
    assert [u.key for u in worst_utterances(scored, 2)] == ["u4", "u1"]
    assert len(worst_utterances(scored, 20)) == 3
