"""report.html: the report as one self-contained page (inline CSS, charts as data URIs).

The page fetches nothing: no scripts, fonts or images from elsewhere, so it can be mailed,
archived as a CI artefact, or opened offline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from speech_lstm.evaluation import plots
from speech_lstm.evaluation.breakdowns import GroupScore
from speech_lstm.evaluation.report import Evaluation
from speech_lstm.evaluation.report_md import (
    context_items,
    frequent_tables,
    gate_verdict,
    group_table,
    metrics_table,
    summary_table,
)
from speech_lstm.evaluation.scoring import AlignedWord, UtteranceScore

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
h1, h2, h3 { font-weight: 600; }
table { border-collapse: collapse; margin: 0.5em 0 1.2em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1em 0; }
figure img { max-width: 100%; }
.pass { color: #1a7f37; } .fail { color: #c62828; }
.alignment { display: flex; flex-wrap: wrap; gap: 0.25em; font-family: monospace; }
.w { display: inline-flex; flex-direction: column; padding: 0 0.2em; border-radius: 3px; }
.w.substitute { background: #fbe3b0; } .w.delete { background: #f6c4c4; }
.w.insert { background: #cdebc9; } .w .hyp { color: #555; }
.legend .w { display: inline; } ol li { margin-bottom: 0.6em; }
""".strip()


def render_html(evaluation: Evaluation) -> str:
    """The whole report.html text."""
    body = [
        "<h1>Evaluation report</h1>",
        _context(evaluation),
        "<h2>Summary</h2>",
        _markdown_table(summary_table(evaluation)[2:]),
        _markdown_table(metrics_table(evaluation)),
        _charts(evaluation),
        _groups("WER by speaker", "Speaker", evaluation.by_speaker),
        _groups("WER by duration", "Duration", evaluation.by_duration),
        _frequent(evaluation),
        _worst(evaluation.worst),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n<title>Evaluation report</title>\n'
        f"<style>\n{STYLE}\n</style>\n</head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body>\n</html>\n"
    )


def _context(evaluation: Evaluation) -> str:
    items = [
        f"<li>{html.escape(label)}: "
        + (f"<code>{html.escape(text)}</code>" if code else html.escape(text))
        + "</li>"
        for label, text, code in context_items(evaluation.context)
    ]
    verdict = gate_verdict(evaluation)
    if verdict:
        css = "pass" if evaluation.passed else "fail"
        items.append(f'<li>Gate: {html.escape(verdict[0])}: <b class="{css}">{verdict[1]}</b></li>')
    return "<ul>" + "".join(items) + "</ul>"


def _markdown_table(lines: Sequence[str]) -> str:
    """Turns one of report_md's pipe tables into HTML, so both reports show the same figures."""
    header, align, *rows = lines
    right = [cell.endswith(":") for cell in _split_row(align)]
    return html_table(_split_row(header), [_split_row(row) for row in rows], right)


def _split_row(row: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", row.strip()[1:-1])
    return [cell.strip().replace("\\|", "|") for cell in cells]


def html_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    right: Sequence[bool] | None = None,
) -> str:
    """An HTML table.

    Args:
        columns: header cells.
        rows: body cells, converted with `str` and escaped.
        right: per column, whether it is right-aligned; by default every column but the first.
    """
    right = right if right is not None else [i > 0 for i in range(len(columns))]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(value, r) for value, r in zip(row, right)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object, right: bool) -> str:
    css = ' class="n"' if right else ""
    return f"<td{css}>{html.escape(str(value))}</td>"


def _charts(evaluation: Evaluation) -> str:
    charts = [("error-types", plots.error_types_chart(evaluation.counts), "Error types")]
    if evaluation.by_speaker:
        uri = plots.wer_by_group_chart(evaluation.by_speaker, "WER by speaker", "Speaker")
        charts.append(("wer-by-speaker", uri, "WER by speaker"))
    if evaluation.by_duration:
        uri = plots.wer_by_group_chart(evaluation.by_duration, "WER by duration", "Duration")
        charts.append(("wer-by-duration", uri, "WER by duration bucket"))
    figures = [
        f'<figure class="plot" id="{name}"><img src="{uri}" alt="{html.escape(alt)}"></figure>'
        for name, uri, alt in charts
    ]
    return "<h2>Charts</h2>\n" + "\n".join(figures)


def _groups(title: str, label: str, groups: Sequence[GroupScore]) -> str:
    if not groups:
        return ""
    return f"<h2>{html.escape(title)}</h2>" + _markdown_table(group_table(label, groups))


def _frequent(evaluation: Evaluation) -> str:
    parts = ["<h2>Most frequent errors</h2>"]
    for title, table in frequent_tables(evaluation.frequent):
        parts.append(f"<h3>{title}</h3>" + (_markdown_table(table) if table else "<p>None.</p>"))
    return "\n".join(parts)


def _worst(worst: Sequence[UtteranceScore]) -> str:
    if not worst:
        return ""
    items = [
        f"<li><code>{html.escape(u.key)}</code>: {u.errors} errors in {u.n_words} words, "
        f"WER {u.wer:.2%} (S {u.words.substitutions}, D {u.words.deletions}, "
        f'I {u.words.insertions})<div class="alignment">{_alignment(u.alignment)}</div></li>'
        for u in worst
    ]
    legend = (
        '<p class="legend">Reference above, hypothesis below: '
        '<span class="w substitute">substitution</span> '
        '<span class="w delete">deletion</span> <span class="w insert">insertion</span>; '
        "* marks a gap.</p>"
    )
    return f"<h2>{len(worst)} worst utterances</h2>{legend}<ol>" + "".join(items) + "</ol>"


def _alignment(alignment: Sequence[AlignedWord]) -> str:
    """Each word as a small column: reference on top, hypothesis below, coloured by edit."""
    return "".join(
        f'<span class="w {step.op}" title="{step.op}">'
        f'<span class="ref">{html.escape(step.ref or "*")}</span>'
        f'<span class="hyp">{html.escape(step.hyp or "*")}</span></span>'
        for step in alignment
    )
