"""Where the errors are: WER per speaker and per duration bucket, frequent confusions, worst."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from speech_lstm.evaluation.scoring import (
    DELETE,
    INSERT,
    SUBSTITUTE,
    EditCounts,
    UtteranceScore,
    error_rate,
)

NO_SPEAKER = "(no speaker)"


@dataclass(frozen=True)
class GroupScore:
    """Word counts summed over one group of utterances (a speaker, a duration bucket)."""

    name: str
    n_utterances: int
    words: EditCounts

    @property
    def wer(self) -> float:
        return error_rate(self.words.errors, self.words.reference_length)

    def to_dict(self) -> dict:
        """The figures as plain JSON values."""
        return {
            "name": self.name,
            "n_utterances": self.n_utterances,
            "n_words": self.words.reference_length,
            "hits": self.words.hits,
            "substitutions": self.words.substitutions,
            "deletions": self.words.deletions,
            "insertions": self.words.insertions,
            "errors": self.words.errors,
            "wer": self.wer,
        }


@dataclass(frozen=True)
class FrequentErrors:
    """The most frequent substitution pairs, deleted words and inserted words, with counts."""

    substitutions: list[tuple[str, str, int]]
    deletions: list[tuple[str, int]]
    insertions: list[tuple[str, int]]

    def to_dict(self) -> dict:
        """Lists of small records, most frequent first."""
        return {
            "substitutions": [{"ref": r, "hyp": h, "count": n} for r, h, n in self.substitutions],
            "deletions": [{"word": w, "count": n} for w, n in self.deletions],
            "insertions": [{"word": w, "count": n} for w, n in self.insertions],
        }


def group_by(
    utterances: Sequence[UtteranceScore], name_of: Callable[[UtteranceScore], str]
) -> dict[str, GroupScore]:
    """Sums word counts per group name, in order of first appearance."""
    sizes: Counter[str] = Counter()
    counts: dict[str, EditCounts] = {}
    for utterance in utterances:
        name = name_of(utterance)
        sizes[name] += 1
        counts[name] = counts.get(name, EditCounts()) + utterance.words
    return {name: GroupScore(name, sizes[name], counts[name]) for name in counts}


def by_speaker(utterances: Sequence[UtteranceScore]) -> list[GroupScore]:
    """WER per speaker, worst first; empty when no utterance names a speaker."""
    if all(u.speaker is None for u in utterances):
        return []
    groups = group_by(utterances, lambda u: NO_SPEAKER if u.speaker is None else u.speaker)
    return sorted(groups.values(), key=lambda g: (-g.wer, g.name))


def by_duration(utterances: Sequence[UtteranceScore], edges: Sequence[float]) -> list[GroupScore]:
    """WER per duration bucket, shortest first; buckets without utterances are left out.

    Args:
        utterances: scored utterances with `duration` in seconds.
        edges: increasing bucket boundaries in seconds, e.g. [2, 5, 10] gives the buckets
            "0-2 s", "2-5 s", "5-10 s" and "10+ s".
    """
    labels = duration_labels(edges)
    groups = group_by(utterances, lambda u: labels[_bucket_index(u.duration, edges)])
    return [groups[label] for label in labels if label in groups]


def duration_labels(edges: Sequence[float]) -> list[str]:
    """Names of the buckets that `edges` define, plus a last one for unknown durations."""
    if list(edges) != sorted(set(edges)) or any(edge <= 0 for edge in edges):
        raise ValueError(
            f"Duration bucket edges must be positive and increasing. Received: {list(edges)}"
        )
    bounds = [0.0, *edges]
    labels = [f"{_seconds(a)}-{_seconds(b)} s" for a, b in zip(bounds, bounds[1:])]
    return [*labels, f"{_seconds(bounds[-1])}+ s", "unknown"]


def _bucket_index(duration: float | None, edges: Sequence[float]) -> int:
    if duration is None:
        return len(edges) + 1
    return sum(1 for edge in edges if duration >= edge)


def _seconds(value: float) -> str:
    return f"{value:g}"


def frequent_errors(utterances: Sequence[UtteranceScore], top_k: int) -> FrequentErrors:
    """Counts word confusions over all alignments and keeps the `top_k` most frequent of each."""
    substitutions: Counter[tuple[str, str]] = Counter()
    deletions: Counter[str] = Counter()
    insertions: Counter[str] = Counter()
    for utterance in utterances:
        for step in utterance.alignment:
            if step.op == SUBSTITUTE:
                substitutions[(step.ref, step.hyp)] += 1
            elif step.op == DELETE:
                deletions[step.ref] += 1
            elif step.op == INSERT:
                insertions[step.hyp] += 1
    return FrequentErrors(
        [(r, h, n) for (r, h), n in _most_common(substitutions, top_k)],
        _most_common(deletions, top_k),
        _most_common(insertions, top_k),
    )


def _most_common(counter: Counter, top_k: int) -> list:
    """Most frequent first; ties in alphabetical order so reports are reproducible."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:top_k]


def worst_utterances(utterances: Sequence[UtteranceScore], n: int) -> list[UtteranceScore]:
    """The `n` utterances with the most word errors (then the highest WER), error-free excluded."""
    with_errors = [u for u in utterances if u.errors]
    return sorted(with_errors, key=lambda u: (-u.errors, -u.wer, u.key))[:n]
