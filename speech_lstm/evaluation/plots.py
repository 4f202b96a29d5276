"""The report's charts, drawn with matplotlib and returned as self-contained SVG data URIs.

matplotlib is imported here only, when a report is written, so that importing the package
(which training does) stays light. Figures are built without pyplot: no global state, no GUI.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from speech_lstm.evaluation.breakdowns import GroupScore
from speech_lstm.evaluation.scoring import ErrorCounts

_BAR = "#4878a8"
_ERROR_COLOURS = ("#e0a030", "#d05050", "#50a050")


def wer_by_group_chart(groups: Sequence[GroupScore], title: str, axis_label: str) -> str:
    """Horizontal bars of WER per group, labelled with the group's utterance count."""
    figure, axes = _figure(height=max(1.8, 0.35 * len(groups) + 1.0))
    names = [g.name for g in groups][::-1]
    rates = [100 * g.wer for g in groups][::-1]
    bars = axes.barh(names, rates, color=_BAR)
    labels = [f"{r:.1f}% ({g.n_utterances} utt)" for r, g in zip(rates, groups[::-1])]
    axes.bar_label(bars, labels=labels, padding=3, fontsize=8)
    axes.set_xlabel("WER (%)")
    axes.set_ylabel(axis_label)
    axes.set_xlim(0, max([*rates, 1.0]) * 1.35)
    axes.set_title(title)
    return _svg_data_uri(figure)


def error_types_chart(counts: ErrorCounts) -> str:
    """Bars of substitutions, deletions and insertions, each with its share of reference words."""
    figure, axes = _figure(height=2.4)
    kinds = ["Substitutions", "Deletions", "Insertions"]
    values = [counts.substitutions, counts.deletions, counts.insertions]
    bars = axes.bar(kinds, values, color=_ERROR_COLOURS)
    shares = [
        f"{v} ({100 * v / counts.n_words:.1f}%)" if counts.n_words else str(v) for v in values
    ]
    axes.bar_label(bars, labels=shares, padding=2, fontsize=8)
    axes.set_ylim(0, max([*values, 1]) * 1.25)
    axes.set_ylabel("Words")
    axes.set_title("Error types")
    return _svg_data_uri(figure)


def _figure(height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, height), layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _svg_data_uri(figure) -> str:
    """SVG with text as paths (no fonts needed) and no date: the same data gives the same file."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "speech-lstm"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
