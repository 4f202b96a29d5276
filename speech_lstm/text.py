"""Text normalisation and the character vocabulary shared by data prep, training and scoring."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from speech_lstm.atomic import write_text

DEFAULT_CHARACTERS = " abcdefghijklmnopqrstuvwxyz'"
BLANK_INDEX = 0
_WHITESPACE = re.compile(r"\s+")


def normalize_text(text: str, characters: str = DEFAULT_CHARACTERS) -> str:
    """Lower-cases `text`, turns characters outside `characters` into spaces, collapses spaces.

    The same function prepares references for training and for scoring, so a hypothesis and
    its reference are always compared in one convention.

    Args:
        text: raw transcript.
        characters: the characters to keep (after lower-casing); space is always kept.

    Returns:
        The normalised transcript, possibly empty.
    """
    allowed = set(characters) | {" "}
    lowered = text.lower().replace("\u2019", "'")
    kept = "".join(ch if ch in allowed else " " for ch in lowered)
    return _WHITESPACE.sub(" ", kept).strip()


def read_sentences(path: str | Path) -> list[str]:
    """Normalised sentences of a text file, one per line; lines starting with # are comments
    and empty lines are skipped."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    sentences = (normalize_text(line) for line in lines if not line.startswith("#"))
    return [sentence for sentence in sentences if sentence]


@dataclass(frozen=True)
class Vocabulary:
    """Characters the model emits. Index 0 is the CTC blank; character i is label i + 1."""

    characters: str = DEFAULT_CHARACTERS

    def __post_init__(self) -> None:
        if len(set(self.characters)) != len(self.characters):
            raise ValueError(f"Vocabulary characters must be unique. Received: {self.characters!r}")
        if " " not in self.characters:
            raise ValueError(
                f"Vocabulary must contain the space character. Received: {self.characters!r}"
            )

    @property
    def size(self) -> int:
        """Number of model outputs: the characters plus the blank."""
        return len(self.characters) + 1

    def encode(self, text: str) -> list[int]:
        """Maps normalised text to label ids (1..size-1).

        Raises:
            ValueError: when `text` has a character outside the vocabulary.
        """
        index = {ch: i + 1 for i, ch in enumerate(self.characters)}
        try:
            return [index[ch] for ch in text]
        except KeyError as error:
            raise ValueError(
                f"Character {error.args[0]!r} is not in the vocabulary; normalise the text "
                f"first. Received: {text!r}"
            ) from None

    def decode(self, label_ids: list[int]) -> str:
        """Maps label ids back to text, ignoring blanks; the inverse of `encode`."""
        return "".join(self.characters[i - 1] for i in label_ids if i != BLANK_INDEX)

    def save(self, path: str | Path) -> None:
        """Writes the vocabulary as JSON."""
        payload = {"blank_index": BLANK_INDEX, "characters": list(self.characters)}
        write_text(path, json.dumps(payload, indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        """Reads a vocabulary written by `save`."""
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        if payload.get("blank_index") != BLANK_INDEX:
            raise ValueError(
                f"Only blank_index={BLANK_INDEX} is supported. "
                f"Received: {payload.get('blank_index')}"
            )
        return cls("".join(payload["characters"]))
