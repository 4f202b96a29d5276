"""Time to build a training feature store (MFCCs of every utterance at three speeds).

Compares the project's worker pool (`speech_lstm.parallel.audio_process_pool`: one
BLAS/OpenMP thread per worker) with a plain spawned `ProcessPoolExecutor` whose workers keep
the numeric libraries' default thread counts. Each build starts from an empty cache; the
pools alternate so that neither profits from a warmer page cache.
Usage: python benchmarks/feature_store_build.py [--manifest M] [--utterances N] [--workers 2]
       [--repeats 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import speech_lstm.data.feature_store as feature_store  # noqa: E402
from speech_lstm.data.manifest import read_manifest  # noqa: E402
from speech_lstm.features import MfccConfig  # noqa: E402
from speech_lstm.parallel import audio_process_pool  # noqa: E402

SPEEDS = (0.9, 1.0, 1.1)


def plain_process_pool(num_workers: int) -> ProcessPoolExecutor:
    """The baseline: spawned workers with the libraries' default thread counts."""
    return ProcessPoolExecutor(num_workers, mp_context=multiprocessing.get_context("spawn"))


def build_seconds(utterances, workers: int, pool_factory) -> float:
    """Wall time of one cold build of the three-speed store through `pool_factory`."""
    variants = tuple(feature_store.AudioVariant(speed=s) for s in SPEEDS)
    feature_store.audio_process_pool = pool_factory
    cache = Path(tempfile.mkdtemp(prefix="feature_store_bench_"))
    try:
        started = time.perf_counter()
        feature_store.build_feature_store(utterances, MfccConfig(), cache, workers, variants)
        return time.perf_counter() - started
    finally:
        feature_store.audio_process_pool = audio_process_pool
        shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", default="data/synthetic/train.jsonl")
    parser.add_argument("--utterances", type=int, default=2100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    if not Path(args.manifest).is_file():
        sys.exit(f"No manifest at {args.manifest}: run `make demo` (or make_synthetic.py) first.")
    utterances = read_manifest(args.manifest)[: args.utterances]
    entries = len(utterances) * len(SPEEDS)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
        f"{len(utterances)} utterances x {len(SPEEDS)} speeds = {entries} entries, "
        f"{args.workers} workers"
    )
    timings: dict[str, list[float]] = {"one thread per worker": [], "library defaults": []}
    for _ in range(args.repeats):
        timings["library defaults"].append(
            build_seconds(utterances, args.workers, plain_process_pool)
        )
        timings["one thread per worker"].append(
            build_seconds(utterances, args.workers, audio_process_pool)
        )
    for name, seconds in timings.items():
        best = min(seconds)
        print(
            f"{name:>22}: best {best:6.1f} s ({entries / best:6.0f} entries/s); "
            f"all {', '.join(f'{s:.1f}' for s in seconds)}"
        )


if __name__ == "__main__":
    main()
