"""The generalisation recipe's summary: WER per TTS family of the unseen test voices, greedy
and with the LM, and the time of each step.

Usage: python -m recipes.synthetic_large.summarize OUT TOTAL_SECONDS
Reads OUT/eval_greedy/report.json; OUT/eval_beam_lm/report.json and the test-time warp
search's OUT/eval_greedy_search/report.json and OUT/eval_beam_lm_search/report.json when
there; the same four of the everyday-English split, OUT/eval_everyday_*, when scored; and
OUT/{generate,train,evaluate}_seconds. Writes OUT/summary.md and prints it, with
whether the targets are met: on the held-out festival family greedy WER <= 20% and LM WER
<= 10%.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from recipes.summary import (
    load_json,
    markdown_row,
    percent,
    pooled_wer,
    read_seconds,
    write_summary,
)

TARGET_WER = 0.20  # greedy, on the held-out family
TARGET_LM_WER = 0.10  # LM beam search, on the held-out family
HELD_OUT_FAMILY = "festival"  # no voice of it in training (conf/data/synthetic_large.yaml)
TEST = "eval"  # OUT/eval_<decoder>[_search]: the test split, generated sentences
EVERYDAY = "eval_everyday"  # the same for test_everyday, the held-out prose
EVERYDAY_SPLIT = (
    "`test_everyday`: everyday English written for this project "
    "(`speech_lstm/synthetic/heldout_prose.txt`, in no LM text), read by the test split's voices"
)
STEPS = ("generate", "train", "evaluate")


def by_family(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The report's `by_speaker` rows grouped by TTS family (`"flite:awb"` -> `"flite"`)."""
    families: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for speaker in report["by_speaker"]:
        families[speaker["name"].split(":", 1)[0]].append(speaker)
    return dict(families)


def family_wers(report: dict[str, Any] | None) -> dict[str, tuple[int, float]]:
    """Utterances and pooled WER per family, and `all` for the whole split ({} for None)."""
    if report is None:
        return {}
    wers = {
        family: (sum(s["n_utterances"] for s in speakers), pooled_wer(speakers))
        for family, speakers in by_family(report).items()
    }
    return wers | {"all": (report["n_utterances"], report["wer"])}


def family_table(
    greedy: dict[str, Any],
    beam_lm: dict[str, Any] | None = None,
    searched: tuple[dict[str, Any] | None, dict[str, Any] | None] = (None, None),
) -> str:
    """The table of utterances and WER per family (greedy, and with the LM when scored; both
    again with warp search when `searched`, the (greedy, LM) reports with it, holds one),
    then all of the test split."""
    columns = {"WER greedy": greedy, "WER LM": beam_lm}
    if any(searched):
        columns |= {"greedy, warp search": searched[0], "LM, warp search": searched[1]}
    lines = [
        "| test voices (never in training) | utterances | " + " | ".join(columns) + " |",
        "|---|---:|" + "---:|" * len(columns),
    ]
    wers = [family_wers(report) for report in columns.values()]
    for family in [*sorted(by_family(greedy)), "all"]:
        name = family + (" (whole family held out)" if family == HELD_OUT_FAMILY else "")
        cells = [percent(w[family][1]) if family in w else "-" for w in wers]
        if family == "all":
            cells = [f"**{cell}**" for cell in cells]
            cells[0] += f" (CER {percent(greedy['cer'])})"
        lines.append(markdown_row([name, str(wers[0][family][0]), *cells]))
    return "\n".join(lines)


def timing_line(out: Path, total_seconds: int) -> str:
    """The minutes of each step (`-` for one that did not run this time) and of the run."""
    minutes = []
    for step in STEPS:
        seconds = read_seconds(out / f"{step}_seconds")
        minutes.append("-" if seconds is None else f"{seconds / 60:.1f} min")
    generation, training, evaluation = minutes
    return (
        f"Time: generation {generation}, training {training}, evaluation {evaluation}; "
        f"this run {total_seconds / 60:.1f} min in all."
    )


def summary(out: Path, total_seconds: int) -> str:
    """The family tables (test, and test_everyday when scored) and the timing line of the run
    in `out`."""
    parts = [family_table(*load_reports(out), load_search_reports(out))]
    if everyday := everyday_table(out):
        parts.append(f"Everyday English ({EVERYDAY_SPLIT}):\n\n{everyday}")
    return "\n\n".join([*parts, timing_line(out, total_seconds)])


def everyday_table(out: Path) -> str | None:
    """The family table of test_everyday, None when its greedy evaluation did not run."""
    if not (out / f"{EVERYDAY}_greedy" / "report.json").is_file():
        return None
    return family_table(*load_reports(out, EVERYDAY), load_search_reports(out, EVERYDAY))


def load_reports(out: Path, prefix: str = TEST) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The greedy report of a split (`prefix`: TEST or EVERYDAY), and the LM one when the run
    scored it."""
    lm_path = out / f"{prefix}_beam_lm" / "report.json"
    greedy = load_json(out / f"{prefix}_greedy" / "report.json")
    return greedy, load_json(lm_path) if lm_path.is_file() else None


def load_search_reports(
    out: Path, prefix: str = TEST
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The (greedy, LM) reports of the evaluations with warp search, None where not run."""
    paths = [
        out / f"{prefix}_{decoder}_search" / "report.json" for decoder in ("greedy", "beam_lm")
    ]
    greedy, beam_lm = (load_json(path) if path.is_file() else None for path in paths)
    return greedy, beam_lm


def search_factors(reports: Sequence[dict[str, Any] | None]) -> list[float]:
    """The warp factors the first of `reports` that was evaluated with a warp search used (its
    recorded `warp_search`, as run.sh passed it); [] when none was."""
    for report in reports:
        if report is not None and (factors := report.get("config", {}).get("warp_search")):
            return [float(factor) for factor in factors]
    return []


def warp_search_setting(factors: Sequence[float]) -> str:
    """`factors` as the command line takes them: `warp_search=[0.8,0.9,1.1,1.2]`."""
    return "warp_search=[" + ",".join(f"{factor:g}" for factor in factors) + "]"


def target_line(greedy_wer: float, lm_wer: float | None = None) -> str:
    """Whether the held-out family's WERs meet the recipe's targets."""
    verdicts = [
        f"greedy <= {TARGET_WER:.0%}: " + ("met" if greedy_wer <= TARGET_WER else "not met")
    ]
    if lm_wer is not None:
        verdicts.append(
            f"LM <= {TARGET_LM_WER:.0%}: " + ("met" if lm_wer <= TARGET_LM_WER else "not met")
        )
    return f"Targets on the held-out {HELD_OUT_FAMILY} family: " + "; ".join(verdicts) + "."


def main(argv: Sequence[str]) -> None:
    """Writes `OUT/summary.md` and prints it with the target's verdict."""
    if len(argv) != 2:
        raise SystemExit(__doc__)
    out = Path(argv[0])
    print()
    write_summary(out / "summary.md", summary(out, int(argv[1])))
    greedy, beam_lm = load_reports(out)
    held_out = family_wers(greedy).get(HELD_OUT_FAMILY)
    if held_out is None:
        print(f"No {HELD_OUT_FAMILY} voice in the test split: no target to check.")
        return
    lm = family_wers(beam_lm).get(HELD_OUT_FAMILY)
    print(target_line(held_out[1], lm[1] if lm else None))
    search_reports = load_search_reports(out)
    searched_greedy, searched_lm = (
        family_wers(report).get(HELD_OUT_FAMILY) for report in search_reports
    )
    if searched_greedy:
        verdict = target_line(searched_greedy[1], searched_lm[1] if searched_lm else None)
        print(f"With {warp_search_setting(search_factors(search_reports))}: {verdict}")
    print(f"Report: {out}/eval_greedy/report.md")


if __name__ == "__main__":
    main(sys.argv[1:])
