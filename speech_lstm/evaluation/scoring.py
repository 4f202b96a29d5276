"""Word and character error counts with jiwer: per utterance, with alignments, and corpus-wide.

Corpus figures are sums over utterances, never averages of per-utterance rates, so a long
utterance weighs as much as its words. Empty references are scored here rather than by jiwer:
their hypothesis words are insertions, and rates over zero reference words are 0 when nothing
was inserted and 1 otherwise, never a division by zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import jiwer

EQUAL, SUBSTITUTE, DELETE, INSERT = "equal", "substitute", "delete", "insert"


@dataclass(frozen=True)
class AlignedWord:
    """One step of a word alignment: `op` is equal/substitute/delete/insert (jiwer's names)."""

    op: str
    ref: str | None
    hyp: str | None


@dataclass(frozen=True)
class EditCounts:
    """Hits and edits of one alignment, of words or of characters."""

    hits: int = 0
    substitutions: int = 0
    deletions: int = 0
    insertions: int = 0

    @property
    def errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def reference_length(self) -> int:
        return self.hits + self.substitutions + self.deletions

    def __add__(self, other: EditCounts) -> EditCounts:
        return EditCounts(
            self.hits + other.hits,
            self.substitutions + other.substitutions,
            self.deletions + other.deletions,
            self.insertions + other.insertions,
        )


@dataclass(frozen=True)
class UtteranceScore:
    """One utterance's normalised texts, word and character counts, and word alignment.

    `key` is what predictions were joined on (an `id`, or the resolved audio path).
    """

    reference: str
    hypothesis: str
    words: EditCounts
    characters: EditCounts
    alignment: tuple[AlignedWord, ...] = ()
    key: str = ""
    audio_filepath: str | None = None
    duration: float | None = None
    speaker: str | None = None

    @property
    def n_words(self) -> int:
        return self.words.reference_length

    @property
    def errors(self) -> int:
        return self.words.errors

    @property
    def wer(self) -> float:
        return error_rate(self.words.errors, self.words.reference_length)

    @property
    def cer(self) -> float:
        return error_rate(self.characters.errors, self.characters.reference_length)


@dataclass
class ErrorCounts:
    """Corpus-level scores of hypotheses against references (already normalised).

    Attributes:
        wer: word error rate, (S + D + I) / N.
        cer: character error rate, the same over characters (spaces included).
        ser: sentence error rate, the share of utterances with at least one word error.
        mer: match error rate, (S + D + I) / (H + S + D + I).
        wil: word information lost, 1 - H^2 / (N * hypothesis words).
        n_words: N, reference words (H + S + D).
    """

    wer: float
    cer: float
    ser: float
    mer: float
    wil: float
    hits: int
    substitutions: int
    deletions: int
    insertions: int
    errors: int
    n_utterances: int
    n_words: int
    n_sentence_errors: int
    n_characters: int
    char_substitutions: int
    char_deletions: int
    char_insertions: int


def score_utterances(references: Sequence[str], hypotheses: Sequence[str]) -> list[UtteranceScore]:
    """Aligns each hypothesis with its reference, by words and by characters.

    Args:
        references: normalised reference transcripts; empty ones are allowed.
        hypotheses: normalised hypotheses, one per reference; empty ones are allowed.

    Returns:
        One `UtteranceScore` per pair, in input order (metadata fields left empty).

    Raises:
        ValueError: when the two lists differ in length.
    """
    if len(references) != len(hypotheses):
        raise ValueError(
            f"Need one hypothesis per reference. Received: {len(references)} references, "
            f"{len(hypotheses)} hypotheses"
        )
    words = _align(jiwer.process_words, references, hypotheses, _words, with_alignment=True)
    chars = _align(jiwer.process_characters, references, hypotheses, _characters)
    return [
        UtteranceScore(ref, hyp, word_counts, char_counts, alignment)
        for ref, hyp, (word_counts, alignment), (char_counts, _) in zip(
            references, hypotheses, words, chars
        )
    ]


def corpus_counts(utterances: Sequence[UtteranceScore]) -> ErrorCounts:
    """Sums per-utterance counts into corpus figures (WER, CER, SER, MER, WIL)."""
    words = sum((u.words for u in utterances), EditCounts())
    chars = sum((u.characters for u in utterances), EditCounts())
    sentence_errors = sum(1 for u in utterances if u.errors)
    return ErrorCounts(
        wer=error_rate(words.errors, words.reference_length),
        cer=error_rate(chars.errors, chars.reference_length),
        ser=sentence_errors / len(utterances) if utterances else 0.0,
        mer=error_rate(words.errors, words.reference_length + words.insertions),
        wil=_word_information_lost(words),
        hits=words.hits,
        substitutions=words.substitutions,
        deletions=words.deletions,
        insertions=words.insertions,
        errors=words.errors,
        n_utterances=len(utterances),
        n_words=words.reference_length,
        n_sentence_errors=sentence_errors,
        n_characters=chars.reference_length,
        char_substitutions=chars.substitutions,
        char_deletions=chars.deletions,
        char_insertions=chars.insertions,
    )


def score(references: Sequence[str], hypotheses: Sequence[str]) -> ErrorCounts:
    """Corpus scores of normalised pairs; see `score_utterances` for the arguments."""
    return corpus_counts(score_utterances(references, hypotheses))


def error_rate(errors: int, total: int) -> float:
    """`errors / total`, with 0 errors over 0 counting as 0.0 and any errors over 0 as 1.0."""
    if total == 0:
        return 0.0 if errors == 0 else 1.0
    return errors / total


def _word_information_lost(words: EditCounts) -> float:
    hypothesis_length = words.hits + words.substitutions + words.insertions
    if words.reference_length == 0 and hypothesis_length == 0:
        return 0.0
    if words.reference_length == 0 or hypothesis_length == 0:
        return 1.0
    return 1.0 - words.hits**2 / (words.reference_length * hypothesis_length)


def _words(text: str) -> list[str]:
    return text.split()


def _characters(text: str) -> list[str]:
    return list(text.strip())


def _align(
    process, references, hypotheses, tokenize, with_alignment: bool = False
) -> list[tuple[EditCounts, tuple[AlignedWord, ...]]]:
    """Runs jiwer on the pairs with a non-empty reference; scores the others as insertions."""
    scored = [i for i, ref in enumerate(references) if tokenize(ref)]
    results = [_insertions_only(tokenize(hyp), with_alignment) for hyp in hypotheses]
    if scored:
        output = process([references[i] for i in scored], [hypotheses[i] for i in scored])
        for i, chunks, ref, hyp in zip(
            scored, output.alignments, output.references, output.hypotheses
        ):
            alignment = _aligned_words(chunks, ref, hyp) if with_alignment else ()
            results[i] = (_chunk_counts(chunks), alignment)
    return results


def _insertions_only(tokens: list[str], with_alignment: bool) -> tuple[EditCounts, tuple]:
    alignment = tuple(AlignedWord(INSERT, None, t) for t in tokens) if with_alignment else ()
    return EditCounts(insertions=len(tokens)), alignment


def _chunk_counts(chunks) -> EditCounts:
    totals = {EQUAL: 0, SUBSTITUTE: 0, DELETE: 0, INSERT: 0}
    for chunk in chunks:
        if chunk.type == INSERT:
            totals[INSERT] += chunk.hyp_end_idx - chunk.hyp_start_idx
        else:
            totals[chunk.type] += chunk.ref_end_idx - chunk.ref_start_idx
    return EditCounts(totals[EQUAL], totals[SUBSTITUTE], totals[DELETE], totals[INSERT])


def _aligned_words(chunks, ref: list[str], hyp: list[str]) -> tuple[AlignedWord, ...]:
    steps = []
    for chunk in chunks:
        refs = ref[chunk.ref_start_idx : chunk.ref_end_idx]
        hyps = hyp[chunk.hyp_start_idx : chunk.hyp_end_idx]
        if chunk.type == INSERT:
            steps += [AlignedWord(INSERT, None, h) for h in hyps]
        elif chunk.type == DELETE:
            steps += [AlignedWord(DELETE, r, None) for r in refs]
        else:
            steps += [AlignedWord(chunk.type, r, h) for r, h in zip(refs, hyps)]
    return tuple(steps)
