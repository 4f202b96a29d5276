"""What `make demo` prints at the end: its wall time and the test WER of both decoders.

Usage: python -m recipes.demo.summarize DEMO_DIR SECONDS
Reads DEMO_DIR/eval/report.json (beam search + LM) and DEMO_DIR/eval_greedy/report.json, and
DEMO_DIR/eval_everyday_{beam_lm,greedy}/report.json (the everyday-English split) when there.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from recipes.summary import load_json, percent


def demo_summary(demo_dir: Path, seconds: int) -> str:
    """The closing lines of the demo, for a run of `seconds` that wrote into `demo_dir`: the
    test split, and the everyday-English split where it was evaluated."""
    lines = [f"Demo finished in {seconds // 60} min {seconds % 60} s."]
    lines += _split_lines(
        "Test split, {n} utterances spoken by voices never seen in training:",
        demo_dir / "eval",
        demo_dir / "eval_greedy",
    )
    everyday = demo_dir / "eval_everyday_beam_lm"
    if (everyday / "report.json").is_file():
        lines += _split_lines(
            "Everyday English (held-out prose in no LM text), {n} utterances, unseen voices:",
            everyday,
            demo_dir / "eval_everyday_greedy",
        )
    return "\n".join([*lines, f"Report: {demo_dir}/eval/report.md"])


def _split_lines(title: str, lm_dir: Path, greedy_dir: Path) -> list[str]:
    lm = load_json(lm_dir / "report.json")
    greedy = load_json(greedy_dir / "report.json")
    return [
        title.format(n=lm["n_utterances"]),
        f"  beam search + trigram LM: WER {percent(lm['wer'])}  CER {percent(lm['cer'])}",
        f"  greedy decoding:          WER {percent(greedy['wer'])}  CER {percent(greedy['cer'])}",
    ]


def main(argv: Sequence[str]) -> None:
    """Prints the summary of the demo run in `argv[0]` that took `argv[1]` seconds."""
    if len(argv) != 2:
        raise SystemExit(__doc__)
    print("\n" + demo_summary(Path(argv[0]), int(argv[1])))


if __name__ == "__main__":
    main(sys.argv[1:])
