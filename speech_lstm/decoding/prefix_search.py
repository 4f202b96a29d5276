"""The LM prefix beam search compiled with numba: `CompiledBeamSearch`.

It searches exactly as `beam.LexiconBeamSearch` (the readable Python version, kept as the
reference that tests compare against): the same candidates per step (characters above
`prune_log_prob`), the same scores in the same float64 operations, the same stable ranking,
so the same transcripts. What changes is the bookkeeping: a prefix is a node of a tree of
prefixes (parent, character) instead of a string; the lexicon is a trie of word prefixes and
the LM is `lm_arrays.ArrayLM`, both looked up by integer ids. `_search` keeps the tree in
parallel arrays: `parent` and `label` (a node's prefix is its parent's plus that label), `start`
(the word-boundary node its current word starts after: the root or a space node), `lex` (trie
node of its partial word, -1 once outside the lexicon) and, for word-boundary nodes, `score`
(LM score of the words so far) and `history` (ids of the last order-1 of them). The compiled
code releases the GIL, so several utterances decode at once in threads, alongside the network.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from speech_lstm.decoding.alignment import log_softmax
from speech_lstm.decoding.lm_arrays import NO_WORD, ArrayLM, log10_prob_ids

_LN10 = math.log(10)
_NEG_INF = -np.inf


class CompiledBeamSearch:
    """Decodes one utterance's logits into text with an n-gram LM (see `LexiconBeamSearch`
    for what the options mean; the results are the same)."""

    def __init__(
        self,
        characters: str,
        lm: ArrayLM,
        alpha: float,
        beta: float,
        beam_width: int = 16,
        lexicon_constrained: bool = True,
        prune_log_prob: float = -10.0,
        unk_penalty: float | None = None,
    ):
        if unk_penalty is not None and unk_penalty < 0:
            raise ValueError(f"unk_penalty must be >= 0 or None. Received: {unk_penalty}")
        self.characters = characters
        self.space = characters.index(" ") + 1 if " " in characters else -1
        unk_penalty = unk_penalty if lexicon_constrained else None
        self.settings = (
            alpha * _LN10,
            beta,
            int(beam_width),
            float(prune_log_prob),
            bool(lexicon_constrained),
            unk_penalty is not None,
            float(unk_penalty or 0.0),
            self.space,
            lm.eos_id,
        )
        self.trie = lexicon_trie(lm, characters)
        self.tables = lm.tables()

    def decode(self, logits: np.ndarray) -> str:
        """Best transcript for logits of shape (steps, vocab_size); padding already removed."""
        log_probs = np.ascontiguousarray(log_softmax(logits))
        labels = _search(log_probs, self.settings, self.trie, self.tables)
        return "".join(self.characters[i - 1] for i in labels).strip()


def lexicon_trie(lm: ArrayLM, characters: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The lexicon's spellings as a trie over label ids (character index + 1).

    Returns:
        (keys, children, word_of_node, labels): node n's child by label c is
        children[i] where keys[i] == n * labels + c (keys sorted); word_of_node[n] is the
        LM id of the word spelled by node n, or `NO_WORD`. Node 0 is the empty prefix.
        A word with characters outside `characters` cannot be spelled: only its prefix up
        to the first such character is in the trie (as a prefix, not a word).
    """
    labels = len(characters) + 1
    index = {c: i + 1 for i, c in enumerate(characters)}
    edges: dict[int, int] = {}
    word_of_node = [NO_WORD]
    for word in lm.lexicon:
        node = 0
        for char in word:
            if char not in index:  # its prefixes so far stay spellable, the word does not
                node = -1
                break
            key = node * labels + index[char]
            if key not in edges:
                edges[key] = len(word_of_node)
                word_of_node.append(NO_WORD)
            node = edges[key]
        if node > 0:
            word_of_node[node] = lm.word_id(word)
    keys = np.array(sorted(edges), dtype=np.int64)
    children = np.array([edges[k] for k in keys.tolist()], dtype=np.int64)
    return keys, children, np.array(word_of_node, dtype=np.int64), labels


@njit(cache=True, nogil=True)
def _logsumexp(a, b):
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    if a > b:
        return a + math.log1p(math.exp(b - a))
    return b + math.log1p(math.exp(a - b))


@njit(cache=True, nogil=True)
def _trie_child(trie, node, label):
    keys, children, _, labels = trie
    if node < 0:
        return -1
    key = node * labels + label
    found = np.searchsorted(keys, key)
    if found < len(keys) and keys[found] == key:
        return children[found]
    return -1


@njit(cache=True, nogil=True)
def _grow(array, size):
    if size <= len(array):
        return array
    bigger = np.empty((max(size, 2 * len(array)),) + array.shape[1:], dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


@njit(cache=True, nogil=True)
def _search(log_probs, settings, trie, tables):
    alpha_ln10, beta, width, prune, constrained, unk_on, unk_penalty, space, eos_id = settings
    order = tables[0]
    depth = max(order - 1, 1)
    word_of_node = trie[2]
    labels = trie[3]
    capacity = 1024
    parent = np.full(capacity, -1, np.int64)
    label = np.full(capacity, -1, np.int64)
    start = np.zeros(capacity, np.int64)
    lex = np.zeros(capacity, np.int64)
    score = np.zeros(capacity)
    history = np.full((capacity, depth), NO_WORD, np.int64)
    history_length = np.zeros(capacity, np.int64)
    slot = np.full(capacity, -1, np.int64)
    count = 1
    table_bits = 12
    table = np.full(1 << table_bits, -1, np.int64)  # (parent, label) -> child, open addressing

    beam_nodes = np.zeros(1, np.int64)
    beam_blank = np.zeros(1)
    beam_char = np.full(1, _NEG_INF)
    steps, vocab = log_probs.shape
    candidates = np.empty(vocab, np.int64)
    most = width * (vocab + 1) + 1  # each beam: itself and one child per character
    cand_nodes = np.empty(most, np.int64)
    cand_blank = np.empty(most)
    cand_char = np.empty(most)
    for t in range(steps):
        row = log_probs[t]
        kept = 0
        for k in range(vocab):
            if row[k] > prune:
                candidates[kept] = k
                kept += 1
        used = 0
        for i in range(len(beam_nodes)):
            node = beam_nodes[i]
            blank_score = beam_blank[i]
            char_score = beam_char[i]
            total = _logsumexp(blank_score, char_score)
            last = label[node]
            for j in range(kept):
                k = candidates[j]
                p = row[k]
                target = -1
                target_slot = 1
                value = 0.0
                extra = -1
                extra_value = 0.0
                if k == 0:
                    target, target_slot, value = node, 0, total + p
                elif k == space and (last == -1 or last == space):
                    target, value = node, total + p
                elif k == last:
                    target, value = node, char_score + p
                    if unk_on or not constrained or _trie_child(trie, lex[node], k) >= 0:
                        extra, extra_value = -2, blank_score + p
                elif k == space:
                    word = word_of_node[lex[node]] if lex[node] >= 0 else NO_WORD
                    unknown = constrained and word == NO_WORD
                    if not unknown or unk_on:
                        extra, extra_value = -2, total + p
                elif unk_on or not constrained or _trie_child(trie, lex[node], k) >= 0:
                    extra, extra_value = -2, total + p
                for add in range(2):
                    if add == 0:
                        if target < 0:
                            continue
                        into, into_slot, amount = target, target_slot, value
                    else:
                        if extra == -1:
                            continue
                        # The child prefix (node + k): found, or created with its state.
                        key = node * labels + k
                        mask = len(table) - 1
                        h = (key * 0x5851F42D4C957F2D) & mask
                        child = -1
                        while table[h] >= 0:
                            candidate = table[h]
                            if parent[candidate] == node and label[candidate] == k:
                                child = candidate
                                break
                            h = (h + 1) & mask
                        if child < 0:
                            child = count
                            count += 1
                            if count > len(parent):
                                size = 2 * len(parent)
                                parent = _grow(parent, size)
                                label = _grow(label, size)
                                start = _grow(start, size)
                                lex = _grow(lex, size)
                                score = _grow(score, size)
                                history = _grow(history, size)
                                history_length = _grow(history_length, size)
                                old_slots = len(slot)
                                slot = _grow(slot, size)
                                slot[old_slots:] = -1
                            parent[child] = node
                            label[child] = k
                            if k == space:
                                _close_word(
                                    node,
                                    child,
                                    start,
                                    lex,
                                    score,
                                    history,
                                    history_length,
                                    word_of_node,
                                    constrained,
                                    unk_penalty,
                                    alpha_ln10,
                                    beta,
                                    tables,
                                )
                            else:
                                start[child] = start[node]
                                lex[child] = _trie_child(trie, lex[node], k)
                            table[h] = child
                            if 2 * count > len(table):
                                table = _rehash(table, parent, label, count, labels)
                        into, into_slot, amount = child, 1, extra_value
                    s = slot[into]
                    if s < 0:
                        s = used
                        used += 1
                        slot[into] = s
                        cand_nodes[s] = into
                        cand_blank[s] = _NEG_INF
                        cand_char[s] = _NEG_INF
                    if into_slot == 0:
                        cand_blank[s] = _logsumexp(cand_blank[s], amount)
                    else:
                        cand_char[s] = _logsumexp(cand_char[s], amount)
        ranking = np.empty(used)
        for s in range(used):
            node = cand_nodes[s]
            base = score[start[node]]
            if unk_on and lex[node] < 0:
                base -= unk_penalty
            ranking[s] = -(_logsumexp(cand_blank[s], cand_char[s]) + base)
            slot[node] = -1
        order_ = np.argsort(ranking, kind="mergesort")[:width]
        beam_nodes = cand_nodes[order_].copy()
        beam_blank = cand_blank[order_].copy()
        beam_char = cand_char[order_].copy()
    return _best(
        beam_nodes,
        beam_blank,
        beam_char,
        parent,
        label,
        start,
        lex,
        score,
        history,
        history_length,
        word_of_node,
        settings,
        tables,
    )


@njit(cache=True, nogil=True)
def _rehash(table, parent, label, count, labels):
    bigger = np.full(2 * len(table), -1, np.int64)
    mask = len(bigger) - 1
    for node in range(1, count):
        h = ((parent[node] * labels + label[node]) * 0x5851F42D4C957F2D) & mask
        while bigger[h] >= 0:
            h = (h + 1) & mask
        bigger[h] = node
    return bigger


@njit(cache=True, nogil=True)
def _word_gain(
    node,
    start,
    lex,
    score,
    history,
    history_length,
    word_of_node,
    constrained,
    unk_penalty,
    alpha_ln10,
    beta,
    tables,
):
    """LM score after closing the word `node` ends with, and that word's id."""
    word = word_of_node[lex[node]] if lex[node] >= 0 else NO_WORD
    first = start[node]
    gain = alpha_ln10 * log10_prob_ids(word, history[first], history_length[first], tables) + beta
    if constrained and word == NO_WORD:
        gain -= unk_penalty
    return score[first] + gain, word


@njit(cache=True, nogil=True)
def _close_word(
    node,
    child,
    start,
    lex,
    score,
    history,
    history_length,
    word_of_node,
    constrained,
    unk_penalty,
    alpha_ln10,
    beta,
    tables,
):
    """State of the word-boundary node `child` (= `node` + space)."""
    closed, word = _word_gain(
        node,
        start,
        lex,
        score,
        history,
        history_length,
        word_of_node,
        constrained,
        unk_penalty,
        alpha_ln10,
        beta,
        tables,
    )
    first = start[node]
    depth = history.shape[1]
    length = history_length[first]
    if length < depth:
        history[child, :length] = history[first, :length]
        history[child, length] = word
        history_length[child] = length + 1
    else:
        history[child, : depth - 1] = history[first, 1:]
        history[child, depth - 1] = word
        history_length[child] = depth
    score[child] = closed
    start[child] = child
    lex[child] = 0


@njit(cache=True, nogil=True)
def _best(
    beam_nodes,
    beam_blank,
    beam_char,
    parent,
    label,
    start,
    lex,
    score,
    history,
    history_length,
    word_of_node,
    settings,
    tables,
):
    """The labels of the best beam once every word is closed and </s> scored."""
    alpha_ln10, beta, width, prune, constrained, unk_on, unk_penalty, space, eos_id = settings
    depth = history.shape[1]
    best, best_score = -1, _NEG_INF
    words = np.empty(depth + 1, np.int64)
    for i in range(len(beam_nodes)):
        node = beam_nodes[i]
        first = start[node]
        if first != node:  # an open word: close it, if the lexicon allows
            word = word_of_node[lex[node]] if lex[node] >= 0 else NO_WORD
            if constrained and word == NO_WORD and not unk_on:
                continue
            closed, word = _word_gain(
                node,
                start,
                lex,
                score,
                history,
                history_length,
                word_of_node,
                constrained,
                unk_penalty,
                alpha_ln10,
                beta,
                tables,
            )
            length = history_length[first]
            words[:length] = history[first, :length]
            words[length] = word
            length += 1
        else:
            closed = score[node]
            length = history_length[node]
            words[:length] = history[node, :length]
        end = alpha_ln10 * log10_prob_ids(eos_id, words, length, tables)
        total = _logsumexp(beam_blank[i], beam_char[i]) + closed + end
        if total > best_score:
            best, best_score = node, total
    length = 0
    node = best
    while node > 0:
        length += 1
        node = parent[node]
    spelled = np.empty(length, np.int64)
    while best > 0:
        length -= 1
        spelled[length] = label[best]
        best = parent[best]
    return spelled
