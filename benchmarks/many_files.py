"""Memory and time to list a folder of many tiny audio files as transcription inputs.

Writes N copies of a 0.01 s WAV into a temporary folder, then times `resolve_inputs` on it
and reads its peak Python allocation (tracemalloc) and the process's peak RSS.
Usage: python benchmarks/many_files.py [--files 100000]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    import numpy as np

    from speech_lstm.audio import write_wav
    from speech_lstm.transcription.inputs import resolve_inputs

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="many_files_"))
    try:
        write_wav(folder / "one.wav", np.zeros(160, dtype=np.float32), 16000)
        tiny = (folder / "one.wav").read_bytes()
        (folder / "one.wav").unlink()
        for index in range(args.files):
            (folder / f"{index:06d}.wav").write_bytes(tiny)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        began = time.perf_counter()
        found = resolve_inputs(folder)
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            f"{len(found)} files listed in {seconds:.2f} s; peak Python allocation "
            f"{peak / 2**20:.1f} MiB ({peak / len(found):.0f} B per file); peak RSS "
            f"{rss_before / 1024:.0f} -> {rss_after / 1024:.0f} MiB"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
