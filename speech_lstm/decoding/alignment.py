"""Word timestamps and confidences from a CTC alignment of the decoded text to the logits.

Whatever decoder produced the text, its characters are aligned to the model steps by a Viterbi
pass over the usual CTC topology (blank, c1, blank, c2, ..., blank). A word starts at the first
step of its first character and ends one step after the last step of its last character. Its
confidence is the lowest posterior among its characters (each character's best step), so one
doubtful letter makes the whole word doubtful: that is what flags misrecognised words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from speech_lstm.text import BLANK_INDEX, Vocabulary


@dataclass(frozen=True)
class WordTiming:
    """One recognised word: times in seconds from the start of the input, confidence in [0, 1]."""

    word: str
    start: float
    end: float
    confidence: float

    def to_dict(self) -> dict:
        """The JSON form used by the output writers."""
        return asdict(self)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Log-probabilities over the last axis, computed stably in float64."""
    logits = np.asarray(logits, dtype=np.float64)
    return logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)


def ctc_viterbi_alignment(log_probs: np.ndarray, labels: list[int]) -> np.ndarray | None:
    """Best CTC path that spells `labels`.

    Args:
        log_probs: (steps, vocab_size) log-probabilities; blank at index 0.
        labels: label ids to align (no blanks).

    Returns:
        int array (steps,) holding, per step, the position in `labels` emitted there or -1 for
        a blank; None when `labels` cannot fit into the steps.
    """
    steps = log_probs.shape[0]
    extended = np.full(2 * len(labels) + 1, BLANK_INDEX, dtype=np.int64)
    extended[1::2] = labels
    states = len(extended)
    if steps == 0:
        return None if labels else np.zeros(0, dtype=np.int64)
    skip = np.zeros(states, dtype=bool)
    skip[2:] = (extended[2:] != BLANK_INDEX) & (extended[2:] != extended[:-2])
    score = np.full(states, -np.inf)
    score[:2] = log_probs[0, extended[:2]]
    back = np.zeros((steps, states), dtype=np.int8)
    for t in range(1, steps):
        stay, one, two = score, np.full(states, -np.inf), np.full(states, -np.inf)
        one[1:] = score[:-1]
        two[2:] = np.where(skip[2:], score[:-2], -np.inf)
        choices = np.stack([stay, one, two])
        back[t] = choices.argmax(axis=0)
        score = choices.max(axis=0) + log_probs[t, extended]
    final = states - 1 if states == 1 or score[-1] >= score[-2] else states - 2
    if not np.isfinite(score[final]):
        return None
    path = np.empty(steps, dtype=np.int64)
    for t in range(steps - 1, -1, -1):
        path[t] = final
        final -= int(back[t, final])
    return np.where(path % 2 == 1, path // 2, -1)


def word_timings(
    logits: np.ndarray,
    text: str,
    vocabulary: Vocabulary,
    step_seconds: float,
    duration: float | None = None,
    offset: float = 0.0,
) -> list[WordTiming]:
    """Timed, scored words of `text`, aligned to one utterance's logits.

    Args:
        logits: (steps, vocab_size) model outputs of the utterance, padding removed.
        text: the decoded transcript (characters of `vocabulary`).
        vocabulary: maps characters to label ids.
        step_seconds: duration of one model step (feature hop times subsampling).
        duration: audio length in seconds; times are clipped to it.
        offset: seconds added to every time (the position of a chunk in its file).

    Returns:
        One `WordTiming` per word of `text`, in order, with non-decreasing,
        non-overlapping times.
    """
    if not text.strip():
        return []
    probs_log = log_softmax(logits)
    labels = vocabulary.encode(text)
    path = ctc_viterbi_alignment(probs_log, labels)
    if path is None:
        return _spread_evenly(text, len(logits) * step_seconds, duration, offset)
    first, last, best = _character_spans(probs_log, labels, path)
    limit = duration if duration is not None else len(logits) * step_seconds
    words = []
    for begin, end in _word_spans(text):
        start = min(float(first[begin]) * step_seconds, limit)
        stop = min(float(last[end - 1] + 1) * step_seconds, limit)
        confidence = float(best[begin:end].min())
        words.append(
            WordTiming(
                text[begin:end],
                round(offset + start, 3),
                round(offset + max(stop, start), 3),
                round(confidence, 4),
            )
        )
    return words


def _character_spans(
    log_probs: np.ndarray, labels: list[int], path: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First step, last step and best posterior of each character on the aligned path."""
    count = len(labels)
    first = np.full(count, len(path), dtype=np.int64)
    last = np.zeros(count, dtype=np.int64)
    best = np.zeros(count)
    steps = np.flatnonzero(path >= 0)
    positions = path[steps]
    np.minimum.at(first, positions, steps)
    np.maximum.at(last, positions, steps)
    posteriors = np.exp(log_probs[steps, np.asarray(labels)[positions]])
    np.maximum.at(best, positions, posteriors)
    return first, last, best


def _word_spans(text: str) -> list[tuple[int, int]]:
    """(begin, end) character offsets of the space-separated words of `text`."""
    spans, begin = [], None
    for i, char in enumerate(text + " "):
        if char != " " and begin is None:
            begin = i
        elif char == " " and begin is not None:
            spans.append((begin, i))
            begin = None
    return spans


def _spread_evenly(
    text: str, length: float, duration: float | None, offset: float
) -> list[WordTiming]:
    """Fallback when no alignment exists: words share the audio evenly, with confidence 0."""
    words = text.split()
    total = duration if duration is not None else length
    width = total / len(words)
    return [
        WordTiming(w, round(offset + i * width, 3), round(offset + (i + 1) * width, 3), 0.0)
        for i, w in enumerate(words)
    ]
