"""Compares evaluation reports: figures side by side with deltas, and paired bootstrap tests.

    python scripts/compare.py outputs/eval_a/report.json outputs/eval_b/report.json [...]
        [--html comparison.html] [--samples 1000] [--seed 0] [--confidence 0.95]

The first report is the baseline. Markdown goes to stdout; --html also writes a page.
A plain argparse script (not Hydra): its input is a list of files.
"""

import argparse
from pathlib import Path

import _bootstrap  # noqa: F401  (puts the checkout on sys.path)

from speech_lstm.evaluation.compare import compare_reports, comparison_html, comparison_markdown


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path, help="report.json files; first = baseline")
    parser.add_argument("--html", type=Path, help="also write the comparison as an HTML page")
    parser.add_argument("--samples", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    parser.add_argument("--confidence", type=float, default=0.95, help="interval coverage")
    args = parser.parse_args(argv)
    if len(args.reports) < 2:
        parser.error("give at least two report.json files")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    comparison = compare_reports(args.reports, args.samples, args.seed, args.confidence)
    print(comparison_markdown(comparison), end="")
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(comparison_html(comparison), encoding="utf-8")


if __name__ == "__main__":
    main()
