"""Every choice of N training speakers among the FSDD speakers other than the held-out one.

Usage: python -m recipes.fsdd_speaker_count.choices FSDD_DIR HELD_OUT N
Prints the choices on one line, each as comma-joined names ("george,jackson nicolas,...");
exits with a message when N is not between 1 and the number of other speakers.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from pathlib import Path


def fsdd_speakers(source: Path) -> list[str]:
    """The speakers of a FSDD tree, from its `recordings/<digit>_<speaker>_<take>.wav` names."""
    return sorted({wav.stem.split("_")[1] for wav in (source / "recordings").glob("*.wav")})


def speaker_choices(speakers: Sequence[str], held_out: str, count: int) -> list[tuple[str, ...]]:
    """Every choice of `count` of `speakers` other than `held_out`, in sorted order.

    Raises:
        ValueError: when `count` is not between 1 and the number of other speakers.
    """
    others = sorted(speaker for speaker in speakers if speaker != held_out)
    if not 1 <= count <= len(others):
        raise ValueError(
            f"FSDD_SPEAKER_COUNTS: {count} is not between 1 and {len(others)} "
            f"(speakers: {sorted(speakers)})"
        )
    return list(itertools.combinations(others, count))


def main(argv: Sequence[str]) -> None:
    """Prints the choices for FSDD_DIR, HELD_OUT and N given in `argv`."""
    if len(argv) != 3:
        raise SystemExit(__doc__)
    source, held_out, count = Path(argv[0]), argv[1], int(argv[2])
    try:
        choices = speaker_choices(fsdd_speakers(source), held_out, count)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    print(" ".join(",".join(choice) for choice in choices))


if __name__ == "__main__":
    main(sys.argv[1:])
