"""The configurable text normaliser applied alike to references and hypotheses before scoring.

Its default (`conf/normalizer/default.yaml`) is exactly `speech_lstm.text.normalize_text`, the
function data prep uses, so scores are computed in the convention the model was trained on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from speech_lstm.evaluation.english import normalize_english
from speech_lstm.evaluation.number_words import spell_numbers
from speech_lstm.text import DEFAULT_CHARACTERS, normalize_text

_WHITESPACE = re.compile(r"\s+")


@dataclass
class NormalizerConfig:
    """How text is normalised before scoring; one file per choice in `conf/normalizer/`.

    Steps run in this order: lower-casing, replacements, number spelling, punctuation removal,
    whitespace collapse. With `english`, the Whisper-style English normaliser
    (`speech_lstm.evaluation.english.normalize_english`) runs instead, followed by the
    replacements.

    Attributes:
        name: label written into the reports, e.g. "default".
        english: normalise as published English WERs do (Whisper-style: annotations,
            fillers, contractions, British spellings, numbers as digits; see
            docs/evaluation.md); the other steps then do not run, except `replacements`.
        lowercase: lower-case everything (replacement keys are lower-cased too).
        replacements: `{from: to}` pairs, e.g. `{"ok": "okay", "dr.": "doctor"}`. A key matches
            only as a whole word or phrase (not inside a longer word); longer keys win.
        spell_numbers: spell digits as words ("42" -> "forty two", "3rd" -> "third").
        remove_punctuation: turn every character outside `characters` into a space (a curly
            apostrophe first becomes a straight one).
        characters: the characters kept by punctuation removal; space is always kept. The
            default is the model vocabulary used by data prep.
        collapse_whitespace: squeeze runs of whitespace into one space and strip the ends.
    """

    name: str = "default"
    english: bool = False
    lowercase: bool = True
    replacements: dict[str, str] = field(default_factory=dict)
    spell_numbers: bool = False
    remove_punctuation: bool = True
    characters: str = DEFAULT_CHARACTERS
    collapse_whitespace: bool = True

    def __post_init__(self) -> None:
        empty = [key for key in self.replacements if not str(key).strip()]
        if empty:
            raise ValueError(
                f"Replacement keys must be non-empty words. Received: {self.replacements}"
            )


class TextNormalizer:
    """Callable that normalises one transcript according to a `NormalizerConfig`.

    Example:
        >>> normalize = TextNormalizer(NormalizerConfig(spell_numbers=True))
        >>> normalize("Room 7, please!")
        'room seven please'
    """

    def __init__(self, config: NormalizerConfig | None = None):
        self.config = config or NormalizerConfig()
        self._replacements = _lookup(self.config.replacements, self.config.lowercase)
        self._pattern = _replacement_pattern(list(self._replacements))

    def __call__(self, text: str) -> str:
        """Returns the normalised form of `text` (possibly empty)."""
        config = self.config
        if config.english:
            text = normalize_english(text)
            if self._pattern is not None:
                text = self._pattern.sub(lambda m: _padded(self._replacements[m.group()], m), text)
            return _WHITESPACE.sub(" ", text).strip()
        if config.lowercase:
            text = text.lower()
        if self._pattern is not None:
            text = self._pattern.sub(lambda m: _padded(self._replacements[m.group()], m), text)
        if config.spell_numbers:
            text = spell_numbers(text)
        if config.lowercase and config.remove_punctuation and config.collapse_whitespace:
            return normalize_text(text, config.characters)
        if config.remove_punctuation:
            text = _keep_only(text, config.characters, config.lowercase)
        if config.collapse_whitespace:
            text = _WHITESPACE.sub(" ", text).strip()
        return text

    def describe(self) -> str:
        """One line saying what this normaliser does, for the reports."""
        config = self.config
        if config.english:
            return (
                f"{config.name}: Whisper-style English normaliser, "
                f"{len(config.replacements)} replacements"
            )
        steps = [
            "lower-cased" if config.lowercase else "case kept",
            f"{len(config.replacements)} replacements",
            "numbers spelt out" if config.spell_numbers else "numbers not spelt",
            f"characters outside {config.characters!r} removed"
            if config.remove_punctuation
            else "punctuation kept",
            "whitespace collapsed" if config.collapse_whitespace else "whitespace kept",
        ]
        return f"{config.name}: " + ", ".join(steps)


def _lookup(replacements: dict[str, str], lowercase: bool) -> dict[str, str]:
    return {(k.lower() if lowercase else k): str(v) for k, v in replacements.items()}


def _replacement_pattern(keys: list[str]) -> re.Pattern | None:
    """Longest key first; a key edge that is a word character must sit on a word boundary."""
    if not keys:
        return None
    alternatives = [
        ("" if _symbol(key[0]) else r"(?<![\w'])")
        + re.escape(key)
        + ("" if _symbol(key[-1]) else r"(?![\w'])")
        for key in sorted(keys, key=len, reverse=True)
    ]
    return re.compile("|".join(alternatives))


def _symbol(character: str) -> bool:
    return not (character.isalnum() or character in "_'")


def _padded(replacement: str, match: re.Match) -> str:
    """The replacement, with a space on each side where it would otherwise join a word."""
    text = match.string
    before = text[match.start() - 1] if match.start() else " "
    after = text[match.end()] if match.end() < len(text) else " "
    return (" " if before.isalnum() else "") + replacement + (" " if after.isalnum() else "")


def _keep_only(text: str, characters: str, lowercase: bool) -> str:
    allowed = set(characters) | {" "}
    if not lowercase:
        allowed |= {ch.upper() for ch in characters}
    text = text.replace("\u2019", "'")
    return "".join(ch if ch in allowed else " " for ch in text)
