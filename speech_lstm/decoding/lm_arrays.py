"""The word n-gram LM as flat arrays: integer word ids, sorted n-gram keys, float64 scores.

Parsing a 40 MB ARPA file in Python takes seconds. `load_lm` does it once and keeps the
result beside the ARPA file as `<name>.npz` (numpy arrays, no pickles) holding the ARPA's
SHA-256: later loads read the arrays in milliseconds, and an ARPA file that changed since is
parsed again. Scores are those of `NgramLM.log10_prob` bit for bit (the same float64 values,
added in the same order), so a decoder gives the same results with either form.

Layout (`ArrayLM`): word ids index `words`; rows of every order are concatenated, order n
starting at `offsets[n]`. A unigram's row is its word id. An n-gram's key is (its first n-1
words' row within order n-1) * V + its last word's id, and each order's keys are sorted, so
a lookup is one binary search per order. A context the ARPA lacks (possible in pruned models)
gets a row with a NaN log-probability: usable as a context, never as an n-gram. The lookup
functions are compiled with numba (`nogil`), for the beam search in `fast_beam`.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

from speech_lstm.atomic import atomic_file
from speech_lstm.decoding.lm import _LOG10_FLOOR, BOS, EOS, UNK, NgramLM

log = logging.getLogger(__name__)
FORMAT_VERSION = 1
NO_WORD = -1  # id of a word the LM does not know: it matches no n-gram


@dataclass
class ArrayLM:
    """A back-off n-gram LM in flat arrays (layout in the module docstring).

    Attributes:
        order: longest n-gram.
        words: every word of the LM, indexed by id.
        offsets: (order + 2,) first row of each order (index 0 unused); the last is the total.
        keys: (rows,) int64 keys; a unigram's key is its word id.
        logprobs: (rows,) float64 log10 probabilities, NaN where the n-gram is absent.
        backoffs: (rows,) float64 back-off weights, 0.0 where absent.
    """

    order: int
    words: list[str]
    offsets: np.ndarray
    keys: np.ndarray
    logprobs: np.ndarray
    backoffs: np.ndarray

    def __post_init__(self) -> None:
        self.ids = {word: i for i, word in enumerate(self.words)}
        self.unk_id = self.ids.get(UNK, NO_WORD)
        self.eos_id = self.ids.get(EOS, NO_WORD)

    @property
    def lexicon(self) -> list[str]:
        """The words a decoder may spell (as `NgramLM.words`), in id order."""
        present = ~np.isnan(self.logprobs[: len(self.words)])
        return [w for w, p in zip(self.words, present) if p and w not in (BOS, EOS, UNK)]

    def word_id(self, word: str) -> int:
        """The id of `word`, or `NO_WORD` when the LM does not know it."""
        return self.ids.get(word, NO_WORD)

    def log10_prob(self, word: str, history: tuple[str, ...]) -> float:
        """log10 P(word | history), exactly as `NgramLM.log10_prob` computes it."""
        ids = np.array([self.word_id(w) for w in history], dtype=np.int64)
        return log10_prob_ids(self.word_id(word), ids, len(ids), self.tables())

    def tables(self) -> tuple:
        """What the compiled lookups take: (order, unk id, vocabulary size, offsets, keys,
        logprobs, backoffs)."""
        size = len(self.words)
        return (
            self.order,
            self.unk_id,
            size,
            self.offsets,
            self.keys,
            self.logprobs,
            self.backoffs,
        )

    def save(self, path: str | Path, arpa_sha256: str = "") -> None:
        """Writes one uncompressed .npz, atomically (see `speech_lstm.atomic`): a killed or
        failed write leaves no half an array file, and no temporary behind."""
        with atomic_file(path, "wb") as file:
            np.savez(
                file,
                format_version=np.array(FORMAT_VERSION),
                arpa_sha256=np.array(arpa_sha256),
                order=np.array(self.order),
                words=np.array(self.words, dtype=str),
                offsets=self.offsets,
                keys=self.keys,
                logprobs=self.logprobs,
                backoffs=self.backoffs,
            )

    @classmethod
    def load(cls, path: str | Path) -> tuple[ArrayLM, str]:
        """Reads a file written by `save`; returns the LM and its ARPA source's SHA-256.

        Raises:
            ValueError: a file of another format version.
        """
        with np.load(path, allow_pickle=False) as data:
            version = int(data["format_version"])
            if version != FORMAT_VERSION:
                raise ValueError(
                    f"{path} holds LM arrays of format {version}; this version reads "
                    f"{FORMAT_VERSION}. Delete it to rebuild it. Received: format {version}"
                )
            lm = cls(
                int(data["order"]),
                data["words"].tolist(),
                data["offsets"],
                data["keys"],
                data["logprobs"],
                data["backoffs"],
            )
            return lm, str(data["arpa_sha256"])

    @classmethod
    def from_ngram_lm(cls, model: NgramLM) -> ArrayLM:
        """The same model in arrays, with the same float64 scores."""
        grams = list(model.logprobs) + [g for g in model.backoffs if g not in model.logprobs]
        words = sorted({w for gram in grams for w in gram})
        ids = {w: i for i, w in enumerate(words)}
        size = len(words)
        by_order: list[set] = [set() for _ in range(model.order + 1)]
        for gram in grams:
            for n in range(2, len(gram) + 1):  # every context of a gram needs a row
                by_order[n].add(gram[:n])
        rows = {(w,): ids[w] for w in words}
        ordered_all: list[tuple[str, ...]] = [(w,) for w in words]
        keys = [np.arange(size, dtype=np.int64)]
        offsets = [0, 0]
        for n in range(2, model.order + 1):
            order_grams = list(by_order[n])
            count = len(order_grams)
            contexts = np.fromiter((rows[g[:-1]] for g in order_grams), np.int64, count)
            last = np.fromiter((ids[g[-1]] for g in order_grams), np.int64, count)
            if count and contexts.max() >= 2**62 // size:
                raise ValueError(f"LM too large for 64-bit n-gram keys. Received: {size} words")
            order_keys = contexts * size + last
            sort = np.argsort(order_keys, kind="stable")
            keys.append(order_keys[sort])
            offsets.append(len(ordered_all))
            order_grams = [order_grams[i] for i in sort]
            ordered_all += order_grams
            if n < model.order:
                rows = {g: r for r, g in enumerate(order_grams)}
        offsets.append(len(ordered_all))
        return cls(
            model.order,
            words,
            np.array(offsets, dtype=np.int64),
            np.concatenate(keys),
            np.array([model.logprobs.get(g, math.nan) for g in ordered_all], dtype=np.float64),
            np.array([model.backoffs.get(g, 0.0) for g in ordered_all], dtype=np.float64),
        )


def load_lm(arpa_path: str | Path) -> ArrayLM:
    """The LM of an ARPA file, through its array cache `<arpa_path>.npz`.

    The cache is used when it records the ARPA file's SHA-256; otherwise the ARPA file is
    parsed and the cache (re)written beside it. Where that folder is read-only, the parsed
    LM is used without a cache (and a warning says each load will parse again).

    Raises:
        FileNotFoundError: when `arpa_path` does not exist.
    """
    arpa_path = Path(arpa_path)
    if not arpa_path.is_file():
        raise FileNotFoundError(f"Language model not found: {arpa_path}")
    digest = file_sha256(arpa_path)
    cache = cache_path(arpa_path)
    if cache.is_file():
        try:
            lm, source = ArrayLM.load(cache)
            if source == digest:
                return lm
        except (ValueError, OSError, KeyError) as error:
            log.warning("Rebuilding the unreadable LM cache %s: %s", cache, error)
    lm = ArrayLM.from_ngram_lm(NgramLM.load_arpa(arpa_path))
    try:
        lm.save(cache, digest)
    except OSError as error:
        log.warning(
            "Cannot write the LM cache %s (%s): the ARPA file is parsed on every load", cache, error
        )
    return lm


def write_lm_cache(arpa_path: str | Path) -> Path:
    """Builds `<arpa_path>.npz` now (training does, so that transcription never parses)."""
    load_lm(arpa_path)
    return cache_path(arpa_path)


def cache_path(arpa_path: str | Path) -> Path:
    """Where the array form of an ARPA file lives: beside it, `<name>.npz`."""
    arpa_path = Path(arpa_path)
    return arpa_path.with_name(arpa_path.name + ".npz")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


@njit(cache=True, nogil=True)
def gram_row(words, start, stop, word, size, offsets, keys):
    """Row of the n-gram words[start:stop] + (word,) (ids), or -1 when the LM has none."""
    if word < 0:
        return -1
    n = stop - start + 1
    if n == 1:
        return word
    if words[start] < 0:
        return -1
    row = words[start]  # within order 1
    for k in range(2, n + 1):
        following = words[start + k - 1] if k < n else word
        if following < 0:
            return -1
        key = row * size + following
        first, last = offsets[k], offsets[k + 1]
        found = first + np.searchsorted(keys[first:last], key)
        if found == last or keys[found] != key:
            return -1
        row = found - first
    return offsets[n] + row


@njit(cache=True, nogil=True)
def log10_prob_ids(word, history, length, tables):
    """`NgramLM.log10_prob` on ids: `history[:length]` oldest first, `NO_WORD` for words the LM
    does not know (they match no n-gram, as unknown words in a history do there)."""
    order, unk_id, size, offsets, keys, logprobs, backoffs = tables
    if word < 0 or math.isnan(logprobs[word]):
        word = unk_id
    start = max(0, length - (order - 1)) if order > 1 else length
    backoff = 0.0
    while True:
        row = gram_row(history, start, length, word, size, offsets, keys)
        if row >= 0 and not math.isnan(logprobs[row]):
            return backoff + logprobs[row]
        if start == length:
            return backoff + _LOG10_FLOOR
        context = gram_row(history, start, length - 1, history[length - 1], size, offsets, keys)
        if context >= 0:
            backoff += backoffs[context]
        start += 1
