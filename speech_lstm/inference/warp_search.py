"""Test-time warp search: each segment is read at several vocal-tract-length warps and the
one the model is most confident about is decoded.

The model hears some readings of a voice unlike its training voices better than others.
Training already adds warped copies (`augment.vtlp_warps`); at transcription the same warp
(`features.warp_spectrum`) is applied to the input at each factor of a list, the network runs
once per factor, and each segment keeps the logits with the highest best-path confidence: the
mean, over its steps, of the log-posterior of each step's most likely label. The warp chosen
varies from utterance to utterance even within one voice: this works less like measuring a
speaker's vocal tract than like picking the best of several readings
(docs/lab-notes/2026-12-03-warp-search.md).
No transcript is needed, so it works on any input; it costs one forward pass (and one mel and
cepstral transform of the shared STFT, `features.compute_mfccs`) per factor.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from speech_lstm.decoding.alignment import log_softmax

UNWARPED = 1.0
WARP_LIMITS = (0.7, 1.3)


def search_warps(warps: Sequence[float]) -> tuple[float, ...]:
    """The factors a search tries: 1.0 (the input as it is) first, then the others in order,
    without repeats; () when `warps` is empty (no search).

    Raises:
        ValueError: a factor outside `WARP_LIMITS`, where the warp stops being a voice.
    """
    low, high = WARP_LIMITS
    if any(not low <= float(w) <= high for w in warps):
        raise ValueError(
            f"warp_search factors must lie in [{low}, {high}] (1.0 is the input as it is). "
            f"Received: {list(warps)}"
        )
    if not warps:
        return ()
    others = dict.fromkeys(float(w) for w in warps if float(w) != UNWARPED)
    return (UNWARPED, *others)


def best_path_confidence(logits: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(batch,) mean log-posterior of the best label at each valid step: near 0 when the
    model is sure of every step, lower the more it hesitates. Steps past a row's length are
    padding and ignored."""
    best = log_softmax(logits).max(axis=-1)
    valid = np.arange(best.shape[1])[None, :] < np.asarray(lengths)[:, None]
    steps = np.maximum(valid.sum(axis=1), 1)
    return (best * valid).sum(axis=1) / steps


def most_confident(
    candidates: Sequence[tuple[np.ndarray, np.ndarray, list[np.ndarray]]],
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    """Row by row, the candidate whose logits are most confident (the first on a tie).

    Args:
        candidates: per warp, the (logits, lengths, members) of the same batch read at that
            warp; warps leave the number of frames unchanged, so every shape matches.

    Returns:
        The chosen logits, lengths, members (each row from its chosen candidate) and, per
        row, the index of the candidate chosen.
    """
    scores = np.stack([best_path_confidence(logits, lengths) for logits, lengths, _ in candidates])
    chosen = scores.argmax(axis=0)
    rows = np.arange(len(chosen))

    def pick(arrays: Sequence[np.ndarray]) -> np.ndarray:
        return np.stack(arrays)[chosen, rows]

    logits = pick([logits for logits, _, _ in candidates])
    lengths = candidates[0][1]
    members = [
        pick([members[m] for _, _, members in candidates]) for m in range(len(candidates[0][2]))
    ]
    return logits, lengths, members, chosen
