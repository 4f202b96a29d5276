"""Worker processes for CPU-bound audio work (features, format conversion)."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_limits = None  # the worker's thread limit, kept for the worker's lifetime


def audio_process_pool(num_workers: int) -> ProcessPoolExecutor:
    """A pool of `num_workers` spawned processes whose numeric libraries use one thread each.

    The workers themselves are the parallelism: left at their defaults, OpenBLAS and OpenMP in
    every worker start a thread per core, and on the 2-core reference machine two feature
    workers then ran 3-3.6x slower than with one thread each (36-43 s vs 11.5-11.8 s for 6,300
    utterances; benchmarks/feature_store_build.py).
    Spawned, not forked: the parent may already run TensorFlow's threads.
    """
    return ProcessPoolExecutor(
        max_workers=max(1, num_workers),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_use_one_thread,
    )


def audio_executor(num_workers: int) -> Executor:
    """`audio_process_pool(num_workers)`, or for 0 or 1 worker one thread of this process.

    A single spawned worker computes nothing faster than this process would, and starting it
    costs seconds of CPU (it re-imports the main module, numpy, scipy and librosa) on every
    feature store a small run builds, as convert_all does for its conversions.
    """
    if num_workers <= 1:
        return ThreadPoolExecutor(max_workers=1)
    return audio_process_pool(num_workers)


def _use_one_thread() -> None:
    # Libraries that load later read these...
    for variable in _THREAD_VARIABLES:
        os.environ[variable] = "1"
    # ...but a spawned worker first re-imports the parent's main module, which has usually
    # loaded numpy's BLAS already (environment variables alone measured no faster): reset it.
    global _limits
    import numpy  # noqa: F401  (loads BLAS, so that the limit below reaches it)
    from threadpoolctl import threadpool_limits

    _limits = threadpool_limits(limits=1)
