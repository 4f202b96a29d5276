"""`speech-lstm compare`: evaluation reports side by side with deltas and paired bootstrap tests.

    speech-lstm compare outputs/eval_a/report.json outputs/eval_b/report.json [...]
        [--html comparison.html] [--samples 1000] [--seed 0] [--confidence 0.95]

The first report is the baseline. Markdown goes to stdout; --html also writes a page.
A plain argparse command (not Hydra): its input is a list of files.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    """The command line: report files (the first is the baseline) and the bootstrap settings."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("reports", nargs="+", type=Path, help="report.json files; first = baseline")
    parser.add_argument("--html", type=Path, help="also write the comparison as an HTML page")
    parser.add_argument("--samples", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--confidence", type=float, default=0.95, help="interval coverage")
    args = parser.parse_args(argv)
    if len(args.reports) < 2:
        parser.error("give at least two report.json files")
    return args


def main(argv: list[str] | None = None, prog: str | None = None) -> int | None:
    """Prints the comparison as Markdown (and writes the HTML page with --html)."""
    from speech_lstm.evaluation.compare import (
        compare_reports,
        comparison_html,
        comparison_markdown,
    )

    args = parse_args(argv, prog)
    comparison = compare_reports(args.reports, args.samples, args.seed, args.confidence)
    print(comparison_markdown(comparison), end="")
    if args.html:
        from speech_lstm.atomic import write_text

        write_text(args.html, comparison_html(comparison))
    return None
