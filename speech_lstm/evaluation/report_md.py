"""report.md: an sclite-like summary, the breakdowns, and the worst utterances aligned."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from speech_lstm.evaluation.breakdowns import FrequentErrors, GroupScore
from speech_lstm.evaluation.report import Evaluation
from speech_lstm.evaluation.scoring import EQUAL, AlignedWord, UtteranceScore

_OP_LETTER = {"substitute": "S", "delete": "D", "insert": "I", EQUAL: " "}


def render_markdown(evaluation: Evaluation) -> str:
    """The whole report.md text."""
    sections = [
        ["# Evaluation report", "", *context_lines(evaluation)],
        summary_table(evaluation),
        metrics_table(evaluation),
        _group_section("WER by speaker", "Speaker", evaluation.by_speaker),
        _group_section("WER by duration", "Duration", evaluation.by_duration),
        _frequent_section(evaluation),
        _worst_section(evaluation.worst),
    ]
    text = "\n".join(line for section in sections if section for line in [*section, ""])
    return re.sub(r"\n{3,}", "\n\n", text)


def context_lines(evaluation: Evaluation) -> list[str]:
    """Bullet points saying what was scored, how, and whether the gate passed."""
    lines = [
        f"- {label}: `{text}`" if code else f"- {label}: {text}"
        for label, text, code in context_items(evaluation.context)
    ]
    verdict = gate_verdict(evaluation)
    if verdict:
        lines.append(f"- Gate: {verdict[0]}: **{verdict[1]}**")
    return lines


def context_items(context: dict) -> list[tuple[str, str, bool]]:
    """(label, text, is_code) for what was scored and how, and for unmatched predictions."""
    items = [
        (label, str(context[key]), True)
        for key, label in (
            ("manifest", "Manifest"),
            ("predictions", "Predictions"),
            ("model_dir", "Model"),
            ("decoder", "Decoder"),
            ("join_key", "Joined on"),
        )
        if context.get(key) is not None
    ]
    if context.get("ensemble"):
        members = ", ".join(member["model_dir"] for member in context["ensemble"])
        after_model = 1 + next(i for i, item in enumerate(items) if item[0] == "Model")
        items.insert(after_model, ("Averaged with", members, True))
    if "normalizer" in context:
        items.append(("Normaliser", context["normalizer"]["description"], False))
    notes = (
        ("missing_predictions", "Missing predictions", "scored as full deletions"),
        ("failed_predictions", "Failed transcriptions", "scored as empty hypotheses"),
        ("unknown_predictions", "Predictions for unknown utterances", "ignored"),
        ("duplicate_predictions", "Duplicate predictions", "the last one kept"),
    )
    items += [
        (f"{label} ({len(context[key])}, {effect})", _names(context[key]), False)
        for key, label, effect in notes
        if context.get(key)
    ]
    return items


def gate_verdict(evaluation: Evaluation) -> tuple[str, str] | None:
    """("WER x vs tolerance y", "PASS"/"FAIL"), or None without a tolerance."""
    if evaluation.tolerance is None:
        return None
    text = f"WER {evaluation.counts.wer:.2%} vs tolerance {evaluation.tolerance:.2%}"
    return text, "PASS" if evaluation.passed else "FAIL"


def _names(keys: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def summary_table(evaluation: Evaluation) -> list[str]:
    """The sclite-style system summary: counts, then percentages of words / sentences."""
    c = evaluation.counts
    word_counts = [c.hits, c.substitutions, c.deletions, c.insertions, c.errors]
    counts = [c.n_utterances, c.n_words, *word_counts, c.n_sentence_errors]
    shares = [_share(x, c.n_words) for x in word_counts]
    shares.append(_share(c.n_sentence_errors, c.n_utterances))
    return [
        "## Summary",
        "",
        "| | Snt | Wrd | Corr | Sub | Del | Ins | Err | S.Err |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        "| count | " + " | ".join(str(x) for x in counts) + " |",
        "| % | | | " + " | ".join(shares) + " |",
    ]


def metrics_table(evaluation: Evaluation) -> list[str]:
    """WER with its confidence interval, and the other rates."""
    c = evaluation.counts
    interval = evaluation.wer_interval
    wer = f"{c.wer:.2%}"
    if interval:
        wer += (
            f" ({interval.confidence:.0%} CI {interval.low:.2%} to {interval.high:.2%}, "
            f"{interval.samples} resamples, seed {interval.seed})"
        )
    rows = [
        ("WER", wer),
        ("CER", f"{c.cer:.2%} ({c.n_characters} characters)"),
        ("SER", f"{c.ser:.2%}"),
        ("MER", f"{c.mer:.2%}"),
        ("WIL", f"{c.wil:.2%}"),
    ]
    return ["| Metric | Value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)]


def _group_section(title: str, label: str, groups: Sequence[GroupScore]) -> list[str]:
    return [f"## {title}", "", *group_table(label, groups)] if groups else []


def group_table(label: str, groups: Sequence[GroupScore]) -> list[str]:
    """A pipe table of word counts and WER, one row per group."""
    rows = [
        (g.name, g.n_utterances, g.words.reference_length, g.words.substitutions)
        + (g.words.deletions, g.words.insertions, g.words.errors, f"{g.wer:.2%}")
        for g in groups
    ]
    return pipe_table([label, "Snt", "Wrd", "Sub", "Del", "Ins", "Err", "WER"], rows)


def _frequent_section(evaluation: Evaluation) -> list[str]:
    lines = ["## Most frequent errors", ""]
    for title, table in frequent_tables(evaluation.frequent):
        lines += [f"### {title}", "", *(table or ["None."]), ""]
    return lines


def frequent_tables(frequent: FrequentErrors) -> list[tuple[str, list[str]]]:
    """(title, pipe table) for substitutions, deletions and insertions; empty when none."""
    tables = (
        ("Substitutions", ["Count", "Reference", "Hypothesis"],
         [(n, r, h) for r, h, n in frequent.substitutions]),
        ("Deletions", ["Count", "Word"], [(n, w) for w, n in frequent.deletions]),
        ("Insertions", ["Count", "Word"], [(n, w) for w, n in frequent.insertions]),
    )  # fmt: skip
    return [(title, pipe_table(columns, rows) if rows else []) for title, columns, rows in tables]


def pipe_table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    right: Sequence[bool] | None = None,
) -> list[str]:
    """A Markdown pipe table.

    Args:
        columns: header cells.
        rows: body cells, converted with `str`; pipes are escaped.
        right: per column, whether it is right-aligned; by default the Count column and
            the columns holding only numbers are.
    """
    rows = [[str(value) for value in row] for row in rows]
    if right is None:
        right = [
            column == "Count" or (bool(rows) and all(_numeric(row[i]) for row in rows))
            for i, column in enumerate(columns)
        ]
    return [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---:" if r else "---" for r in right) + "|",
        *("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows),
    ]


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?\d[\d.]*%?", text))


def _worst_section(worst: Sequence[UtteranceScore]) -> list[str]:
    if not worst:
        return []
    lines = [f"## {len(worst)} worst utterances", ""]
    for rank, u in enumerate(worst, start=1):
        lines += [
            f"{rank}. `{u.key}`: {u.errors} errors in {u.n_words} words, WER {u.wer:.2%} "
            f"(S {u.words.substitutions}, D {u.words.deletions}, I {u.words.insertions})",
            "",
            "   ```",
            *(f"   {line}" for line in alignment_text(u.alignment)),
            "   ```",
            "",
        ]
    return lines


def alignment_text(alignment: Sequence[AlignedWord]) -> list[str]:
    """sclite-style REF/HYP lines: errors upper-cased, gaps as stars, S/D/I marked below."""
    refs, hyps, ops = ["REF:"], ["HYP:"], ["    "]
    for step in alignment:
        ref, hyp = step.ref or "", step.hyp or ""
        if step.op != EQUAL:
            ref, hyp = ref.upper(), hyp.upper()
        width = max(len(ref), len(hyp), 1)
        refs.append((ref or "*" * width).ljust(width))
        hyps.append((hyp or "*" * width).ljust(width))
        ops.append(_OP_LETTER[step.op].ljust(width))
    return [" ".join(refs).rstrip(), " ".join(hyps).rstrip(), " ".join(ops).rstrip()]


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
