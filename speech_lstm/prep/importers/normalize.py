"""Transcript normalisation for import, with a report of everything it changed."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace

from speech_lstm.prep.importers.base import SourceUtterance
from speech_lstm.text import normalize_text

log = logging.getLogger(__name__)


@dataclass
class NormalizationReport:
    """What `normalize_transcripts` did to a corpus's transcripts.

    Attributes:
        total: transcripts read.
        changed: transcripts whose normalised form differs from the original other than by
            lower-casing and whitespace (lower-casing alone is the expected case for most
            corpora and is not counted).
        removed_characters: characters dropped (turned into spaces), with their counts.
        emptied: keys of utterances whose transcript became empty; they are dropped.
        examples: up to a few (original, normalised) pairs of changed transcripts.
    """

    total: int = 0
    changed: int = 0
    removed_characters: Counter = field(default_factory=Counter)
    emptied: list[str] = field(default_factory=list)
    examples: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """A few readable lines for the console."""
        lines = [
            f"transcripts: {self.total} read, {self.changed} changed beyond case and spacing, "
            f"{len(self.emptied)} empty after normalisation (dropped)"
        ]
        if self.removed_characters:
            removed = ", ".join(
                f"{char!r} x{count}" for char, count in self.removed_characters.most_common(20)
            )
            lines.append(f"  characters removed: {removed}")
        lines += [f"  e.g. {before!r} -> {after!r}" for before, after in self.examples]
        return "\n".join(lines)


def normalize_transcripts(
    utterances: list[SourceUtterance], characters: str, max_examples: int = 3
) -> tuple[list[SourceUtterance], NormalizationReport]:
    """Normalises every transcript to the vocabulary with `speech_lstm.text.normalize_text`.

    Args:
        utterances: transcripts as the corpus writes them.
        characters: the model's vocabulary (space always kept).
        max_examples: changed transcripts quoted in the report.

    Returns:
        The utterances with normalised, non-empty text (empty ones are dropped with a
        warning), and the report.
    """
    report = NormalizationReport(total=len(utterances))
    kept_by_char: dict[str, bool] = {}
    normalised = []
    for utterance in utterances:
        text = normalize_text(utterance.text, characters)
        if text != " ".join(utterance.text.lower().split()):
            report.changed += 1
            if len(report.examples) < max_examples:
                report.examples.append((utterance.text, text))
        for char in utterance.text.lower():
            if char not in kept_by_char:
                kept_by_char[char] = char.isspace() or bool(normalize_text(char, characters))
            if not kept_by_char[char]:
                report.removed_characters[char] += 1
        if text:
            normalised.append(replace(utterance, text=text))
        else:
            report.emptied.append(utterance.key)
    if report.emptied:
        log.warning(
            "Dropped %d utterances whose transcript is empty after normalisation, e.g. %s",
            len(report.emptied),
            report.emptied[:3],
        )
    return normalised, report
