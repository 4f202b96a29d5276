"""What `make demo` prints at the end: its wall time and the test WER of both decoders.

Usage: python -m recipes.demo.summarize DEMO_DIR SECONDS
Reads DEMO_DIR/eval/report.json (beam search + LM) and DEMO_DIR/eval_greedy/report.json.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from recipes.summary import load_json, percent


def demo_summary(demo_dir: Path, seconds: int) -> str:
    """The closing lines of the demo, for a run of `seconds` that wrote into `demo_dir`."""
    lm = load_json(demo_dir / "eval" / "report.json")
    greedy = load_json(demo_dir / "eval_greedy" / "report.json")
    return "\n".join(
        [
            f"Demo finished in {seconds // 60} min {seconds % 60} s.",
            f"Test split, {lm['n_utterances']} utterances spoken by voices never seen in training:",
            f"  beam search + trigram LM: WER {percent(lm['wer'])}  CER {percent(lm['cer'])}",
            f"  greedy decoding:          WER {percent(greedy['wer'])}  "
            f"CER {percent(greedy['cer'])}",
            f"Report: {demo_dir}/eval/report.md",
        ]
    )


def main(argv: Sequence[str]) -> None:
    """Prints the summary of the demo run in `argv[0]` that took `argv[1]` seconds."""
    if len(argv) != 2:
        raise SystemExit(__doc__)
    print("\n" + demo_summary(Path(argv[0]), int(argv[1])))


if __name__ == "__main__":
    main(sys.argv[1:])
