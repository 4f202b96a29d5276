"""Evaluation reports side by side, and a paired bootstrap test of each against the first.

The test resamples the utterances the two reports share (matched by key), so it measures the
difference between systems on the same audio rather than between two noisy corpus figures.
An audio path under the report's manifest folder counts relative to it, so two checkouts or
machines evaluating the same test set compare (their absolute paths differ).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from speech_lstm.evaluation.bootstrap import PairedResult, paired_bootstrap
from speech_lstm.evaluation.report import PER_UTTERANCE
from speech_lstm.evaluation.report_html import STYLE, html_table
from speech_lstm.evaluation.report_md import pipe_table

RATES = (("wer", "WER"), ("cer", "CER"), ("ser", "SER"), ("mer", "MER"), ("wil", "WIL"))
COUNTS = (
    ("n_utterances", "Snt"),
    ("n_words", "Wrd"),
    ("hits", "Corr"),
    ("substitutions", "Sub"),
    ("deletions", "Del"),
    ("insertions", "Ins"),
    ("errors", "Err"),
)


@dataclass
class LoadedReport:
    """A report.json with a short label and its per-utterance [errors, reference words]."""

    label: str
    path: Path
    figures: dict
    utterance_errors: dict[str, tuple[int, int]]


@dataclass
class Comparison:
    """Reports (the first is the baseline) and one paired test per other report."""

    reports: list[LoadedReport]
    tests: list[PairedResult | None]
    warnings: list[str] = field(default_factory=list)


def load_report(path: str | Path, label: str | None = None) -> LoadedReport:
    """Reads a report.json written by `scripts/evaluate.py`.

    Per-utterance errors come from its `utterance_errors`, or else from the
    per_utterance.jsonl beside it.

    Raises:
        ValueError: when neither holds per-utterance errors.
    """
    path = Path(path)
    figures = json.loads(path.read_text(encoding="utf-8"))
    errors = figures.get("utterance_errors")
    if not errors:
        beside = path.parent / figures.get("per_utterance_file", PER_UTTERANCE)
        errors = _per_utterance_errors(beside)
    if not errors:
        raise ValueError(
            f"{path} has no per-utterance errors; re-run scripts/evaluate.py to write them. "
            f"Received keys: {sorted(figures)[:12]}"
        )
    root = Path(figures["manifest"]).parent if figures.get("manifest") else None
    pairs = {_relative_key(key, root): (int(e), int(w)) for key, (e, w) in errors.items()}
    return LoadedReport(label or path.parent.name or str(path), path, figures, pairs)


def _relative_key(key: str, root: Path | None) -> str:
    """`key` relative to the manifest's folder when it is a path inside it (a manifest given
    as a relative path matches the last place its folder appears in the key)."""
    if root is None or not Path(key).is_absolute():
        return key
    parts, folder = Path(key).parts, Path(root).parts
    for start in range(len(parts) - len(folder) - 1, -1, -1):
        if parts[start : start + len(folder)] == folder:
            return "/".join(parts[start + len(folder) :])
    return key


def _per_utterance_errors(path: Path) -> dict[str, list[int]]:
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return {row["key"]: [row["errors"], row["n_words"]] for row in rows}


def compare_reports(
    paths: Sequence[str | Path], samples: int = 1000, seed: int = 0, confidence: float = 0.95
) -> Comparison:
    """Loads the reports and tests each one after the first against the first.

    Raises:
        ValueError: with fewer than two reports.
    """
    if len(paths) < 2:
        raise ValueError(f"Need at least two reports to compare. Received: {list(paths)}")
    reports = [load_report(p, label) for p, label in zip(paths, _labels(paths))]
    baseline = reports[0]
    comparison = Comparison(reports, [])
    for other in reports[1:]:
        common = [key for key in baseline.utterance_errors if key in other.utterance_errors]
        comparison.warnings += _warnings(baseline, other, len(common))
        if _references_differ(baseline, other, common):
            comparison.warnings.append(
                f"{other.label} and {baseline.label} name the same utterances but their "
                "references differ in length: not the same test set, no test."
            )
            common = []
        comparison.tests.append(
            paired_bootstrap(
                [baseline.utterance_errors[k][0] for k in common],
                [other.utterance_errors[k][0] for k in common],
                [baseline.utterance_errors[k][1] for k in common],
                samples,
                seed,
                confidence,
                words_b=[other.utterance_errors[k][1] for k in common],
            )
            if common
            else None
        )
    return comparison


def _references_differ(a: LoadedReport, b: LoadedReport, keys: list[str]) -> bool:
    """Whether any shared key has references of different word counts in the two reports."""
    return any(a.utterance_errors[k][1] != b.utterance_errors[k][1] for k in keys)


def _labels(paths: Sequence[str | Path]) -> list[str]:
    """Each report's folder name, or its whole path where folder names repeat."""
    names = [Path(p).parent.name or str(p) for p in paths]
    return names if len(set(names)) == len(names) else [str(p) for p in paths]


def _warnings(baseline: LoadedReport, other: LoadedReport, n_common: int) -> list[str]:
    warnings = []
    if n_common == 0:
        warnings.append(f"{other.label} shares no utterance with {baseline.label}: no test.")
    elif n_common < max(len(baseline.utterance_errors), len(other.utterance_errors)):
        warnings.append(
            f"{other.label} and {baseline.label} share {n_common} utterances of "
            f"{len(baseline.utterance_errors)} and {len(other.utterance_errors)}; "
            "the test uses the shared ones only."
        )
    normalizer_a = baseline.figures.get("normalizer") or {}
    normalizer_b = other.figures.get("normalizer") or {}
    if normalizer_a != normalizer_b:
        warnings.append(
            f"Different normalisers: {baseline.label} used {normalizer_a.get('name')}, "
            f"{other.label} used {normalizer_b.get('name')}; see each report for details."
        )
    return warnings


def figures_table(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """Columns and rows of the side-by-side table: each figure, each report, each delta."""
    reports = comparison.reports
    columns = ["Figure", reports[0].label]
    for report in reports[1:]:
        columns += [report.label, f"Δ {report.label}"]
    rows = [_figure_row(label, key, reports, rate=True) for key, label in RATES]
    rows.insert(1, _interval_row(reports))
    rows += [_figure_row(label, key, reports, rate=False) for key, label in COUNTS]
    return columns, rows


def _figure_row(label: str, key: str, reports: list[LoadedReport], rate: bool) -> list[str]:
    base = reports[0].figures.get(key)
    row = [label, _value(base, rate)]
    for report in reports[1:]:
        value = report.figures.get(key)
        row += [_value(value, rate), _delta(base, value, rate)]
    return row


def _interval_row(reports: list[LoadedReport]) -> list[str]:
    def text(report: LoadedReport) -> str:
        ci = report.figures.get("wer_ci")
        return f"{ci['low']:.2%} to {ci['high']:.2%}" if ci else "-"

    row = ["WER CI", text(reports[0])]
    for report in reports[1:]:
        row += [text(report), ""]
    return row


def _value(value: float | int | None, rate: bool) -> str:
    if value is None:
        return "-"
    return f"{value:.2%}" if rate else str(value)


def _delta(base: float | int | None, value: float | int | None, rate: bool) -> str:
    if base is None or value is None:
        return "-"
    return f"{100 * (value - base):+.2f} pp" if rate else f"{value - base:+d}"


def tests_table(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """Columns and rows of the paired bootstrap results, one row per report after the first."""
    columns = [
        "Report",
        "vs",
        "Common Snt",
        "WER base",
        "WER",
        "Δ WER",
        "CI of Δ",
        "p",
        "Better in",
        "Significant",
    ]
    rows = []
    for report, test in zip(comparison.reports[1:], comparison.tests):
        base = comparison.reports[0].label
        if test is None:
            rows.append([report.label, base, "0", *["-"] * 7])
            continue
        rows.append(
            [
                report.label,
                base,
                str(test.n_utterances),
                f"{test.wer_a:.2%}",
                f"{test.wer_b:.2%}",
                f"{100 * test.delta:+.2f} pp",
                f"{100 * test.low:+.2f} to {100 * test.high:+.2f} pp",
                f"{test.p_value:.3f}" if test.p_value >= 0.001 else "< 0.001",
                f"{test.b_better:.1%}",
                "yes" if test.significant else "no",
            ]
        )
    return columns, rows


def verdicts(comparison: Comparison) -> list[str]:
    """One sentence per test saying which system is better and whether that is significant."""
    lines = []
    base = comparison.reports[0].label
    for report, test in zip(comparison.reports[1:], comparison.tests):
        if test is None:
            continue
        if test.delta == 0:
            relation = f"the same WER as {base}"
        else:
            relation = f"{'lower' if test.delta < 0 else 'higher'} WER than {base}"
        level = f"{test.confidence:.0%}"
        verdict = "significant" if test.significant else "not significant"
        lines.append(
            f"{report.label} has {relation} "
            f"({100 * test.delta:+.2f} pp on {test.n_utterances} common utterances): "
            f"{verdict} at {level}."
        )
    return lines


def comparison_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown (what scripts/compare.py prints)."""
    test = next((t for t in comparison.tests if t is not None), None)
    method = (
        f"{test.confidence:.0%} paired bootstrap, {test.samples} resamples, seed {test.seed}"
        if test
        else "paired bootstrap"
    )
    lines = [
        f"# Comparison of {len(comparison.reports)} evaluation reports",
        "",
        *(f"- `{r.label}`: `{r.path}`" for r in comparison.reports),
        "",
        f"Baseline: `{comparison.reports[0].label}`. Δ is each report minus the baseline "
        "(rates in percentage points).",
        "",
        *_markdown_table(*figures_table(comparison)),
        "",
        f"## Is the WER difference significant? ({method})",
        "",
        *_markdown_table(*tests_table(comparison)),
        "",
        *(f"- {line}" for line in verdicts(comparison)),
        *(f"- Warning: {w}" for w in comparison.warnings),
    ]
    return "\n".join(lines) + "\n"


def comparison_html(comparison: Comparison) -> str:
    """The comparison as one self-contained HTML page."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in verdicts(comparison))
    items += "".join(f"<li>Warning: {html.escape(w)}</li>" for w in comparison.warnings)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<link rel="icon" href="data:,">\n<title>Comparison of evaluation reports</title>\n'
        f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
        "<h1>Comparison of evaluation reports</h1>\n"
        f"<p>Baseline: <code>{html.escape(comparison.reports[0].label)}</code>. "
        "Δ is each report minus the baseline (rates in percentage points).</p>\n"
        f"{html_table(*figures_table(comparison))}\n"
        "<h2>Paired bootstrap test</h2>\n"
        f"{html_table(*tests_table(comparison))}\n<ul>{items}</ul>\n</body>\n</html>\n"
    )


def _markdown_table(columns: list[str], rows: list[list[str]]) -> list[str]:
    return pipe_table(columns, rows, right=[i > 0 for i in range(len(columns))])
