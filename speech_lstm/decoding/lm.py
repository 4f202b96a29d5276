"""Word n-gram language models: built from text, stored as ARPA, scored with back-off.

The model is interpolated absolute discounting: every n-gram seen in training keeps its
count minus a discount, and the freed mass goes to the next lower order. Written as ARPA, it
can also be read by KenLM and other standard tools.
"""

from __future__ import annotations

import gzip
import json
import lzma
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from speech_lstm.atomic import write_text

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
_LOG10_FLOOR = -99.0


@dataclass
class NgramLM:
    """Back-off n-gram model: log10 probabilities and back-off weights keyed by word tuples."""

    order: int
    logprobs: dict[tuple[str, ...], float] = field(default_factory=dict)
    backoffs: dict[tuple[str, ...], float] = field(default_factory=dict)

    @property
    def words(self) -> set[str]:
        """The vocabulary (unigrams other than sentence markers and <unk>)."""
        return {g[0] for g in self.logprobs if len(g) == 1 and g[0] not in (BOS, EOS, UNK)}

    def log10_prob(self, word: str, history: tuple[str, ...]) -> float:
        """log10 P(word | history), backing off to shorter histories; unknown words get <unk>."""
        if (word,) not in self.logprobs:
            word = UNK
        history = history[-(self.order - 1) :] if self.order > 1 else ()
        backoff = 0.0
        while True:
            gram = (*history, word)
            if gram in self.logprobs:
                return backoff + self.logprobs[gram]
            if not history:
                return backoff + _LOG10_FLOOR
            backoff += self.backoffs.get(history, 0.0)
            history = history[1:]

    def save_arpa(self, path: str | Path) -> None:
        """Writes the model in the ARPA text format."""
        by_order: dict[int, list[tuple[str, ...]]] = defaultdict(list)
        for gram in self.logprobs:
            by_order[len(gram)].append(gram)
        lines = ["", "\\data\\"]
        lines += [f"ngram {n}={len(by_order[n])}" for n in range(1, self.order + 1)]
        for n in range(1, self.order + 1):
            lines += ["", f"\\{n}-grams:"]
            for gram in sorted(by_order[n]):
                row = f"{self.logprobs[gram]:.6f}\t{' '.join(gram)}"
                if n < self.order and gram in self.backoffs:
                    row += f"\t{self.backoffs[gram]:.6f}"
                lines.append(row)
        lines += ["", "\\end\\", ""]
        write_text(path, "\n".join(lines))

    @classmethod
    def load_arpa(cls, path: str | Path) -> NgramLM:
        """Reads an ARPA file (ours or any standard tool's), plain or compressed (`.gz`, `.xz`)."""
        model = cls(order=0)
        section = 0
        for raw in read_text_file(path).splitlines():
            line = raw.strip()
            if not line or line.startswith("ngram ") or line in ("\\data\\", "\\end\\"):
                continue
            if line.startswith("\\") and line.endswith("-grams:"):
                section = int(line[1:].split("-")[0])
                model.order = max(model.order, section)
                continue
            parts = line.split()
            gram = tuple(parts[1 : 1 + section])
            model.logprobs[gram] = float(parts[0])
            if len(parts) > 1 + section:
                model.backoffs[gram] = float(parts[1 + section])
        if not model.order:
            raise ValueError(f"No n-grams found in {path}. Received: an empty or non-ARPA file")
        return model


def build_ngram_lm(sentences: Iterable[str], order: int = 3, discount: float = 0.7) -> NgramLM:
    """Estimates an interpolated absolute-discounting n-gram model from normalised sentences.

    Args:
        sentences: one sentence per item, words separated by spaces.
        order: longest n-gram (1 to 5).
        discount: count subtracted from every seen n-gram, in (0, 1).
    """
    if not 1 <= order <= 5 or not 0 < discount < 1:
        raise ValueError(
            f"Need 1 <= order <= 5 and 0 < discount < 1. Received: {order}, {discount}"
        )
    counts: list[Counter] = [Counter() for _ in range(order + 1)]
    for sentence in sentences:
        tokens = [BOS] * (order - 1) + sentence.split() + [EOS]
        for n in range(1, order + 1):
            for i in range(order - n, len(tokens) - n + 1):
                counts[n][tuple(tokens[i : i + n])] += 1
    if not counts[1]:
        raise ValueError("Cannot build a language model from no text. Received: 0 words")
    model = NgramLM(order)
    total = sum(counts[1].values()) + 1
    for gram, count in counts[1].items():
        model.logprobs[gram] = math.log10(count / total)
    model.logprobs[(UNK,)] = math.log10(1 / total)
    model.logprobs[(BOS,)] = _LOG10_FLOOR
    for n in range(2, order + 1):
        _add_order(model, counts[n], discount)
    return model


def _add_order(model: NgramLM, grams: Counter, discount: float) -> None:
    """Adds order-n probabilities interpolated with the orders already in `model`."""
    totals: Counter = Counter()
    types: Counter = Counter()
    for gram, count in grams.items():
        totals[gram[:-1]] += count
        types[gram[:-1]] += 1
    new = {}
    for gram, count in grams.items():
        context = gram[:-1]
        gamma = discount * types[context] / totals[context]
        lower = 10 ** model.log10_prob(gram[-1], gram[1:-1])
        new[gram] = math.log10((count - discount) / totals[context] + gamma * lower)
    model.logprobs.update(new)
    for context, total in totals.items():
        model.backoffs[context] = math.log10(discount * types[context] / total)


@dataclass
class BuildLmConfig:
    """`scripts/build_lm.py`: an n-gram LM from a text file or a manifest's transcripts.

    Attributes:
        input: a text file (one sentence per line) or a JSONL manifest (its `text` fields).
        output: the ARPA file to write.
        order: longest n-gram.
        discount: absolute discount of every seen n-gram.
        characters: text is normalised to these characters (the model's vocabulary).
    """

    input: str = "???"
    output: str = "???"
    order: int = 3
    discount: float = 0.7
    characters: str = " abcdefghijklmnopqrstuvwxyz'"


def read_lm_text(path: str | Path, characters: str) -> list[str]:
    """Normalised, non-empty sentences of a text file or a JSONL manifest (by extension).

    Raises:
        FileNotFoundError: when `path` does not exist.
    """
    from speech_lstm.text import normalize_text

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"LM text not found: {path}")
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix.lower() in (".jsonl", ".json"):
        lines = [str(json.loads(line).get("text") or "") for line in lines if line.strip()]
    sentences = (normalize_text(line, characters) for line in lines)
    return [s for s in sentences if s]


def build_lm_file(config: BuildLmConfig) -> NgramLM:
    """Builds the LM `config` describes, writes it as ARPA, and returns it."""
    model = build_ngram_lm(
        read_lm_text(config.input, config.characters), config.order, config.discount
    )
    Path(config.output).parent.mkdir(parents=True, exist_ok=True)
    model.save_arpa(config.output)
    return model


COMPRESSED_OPENERS = {".gz": gzip.open, ".xz": lzma.open}


def read_text_file(path: str | Path) -> str:
    """The UTF-8 text of `path`, decompressed when its name ends in `.gz` or `.xz`."""
    path = Path(path)
    opener = COMPRESSED_OPENERS.get(path.suffix)
    if opener is None:
        return path.read_text(encoding="utf-8")
    with opener(path, "rt", encoding="utf-8") as text:
        return text.read()
