"""Worker processes for CPU-bound audio work (features, format conversion)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_limits = None  # the worker's thread limit, kept for the worker's lifetime


def audio_process_pool(num_workers: int) -> ProcessPoolExecutor:
    """A pool of `num_workers` spawned processes whose numeric libraries use one thread each.

    The workers themselves are the parallelism: left at their defaults, OpenBLAS and OpenMP in
    every worker start a thread per core, and on the 2-core reference machine two feature
    workers then ran 3-3.6x slower than with one thread each (36-43 s vs 11.5-11.8 s for 6,300
    utterances; benchmarks/feature_store_build.py).
    Spawned, not forked: the parent may already run TensorFlow's threads. The workers leave
    SIGINT and SIGTERM to the parent, and end when the parent dies (see `_start_worker`).
    """
    return ProcessPoolExecutor(
        max_workers=max(1, num_workers),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(),),
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


def _start_worker(parent: int) -> None:
    """Every pool worker's initializer; `parent` is the id of the process that made the pool."""
    _leave_signals_to_the_parent()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _use_one_thread()


def _leave_signals_to_the_parent() -> None:
    """Ctrl-C in a terminal, or a service manager's SIGTERM, reaches every process of the job:
    the parent alone handles it (it cancels the queued work, lets the running items end and
    stops cleanly, see speech_lstm.interrupts). A worker that raised KeyboardInterrupt or
    died of SIGTERM would break the pool, with tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


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


def _exit_with_parent(parent: int) -> None:
    """Ends this worker within a second of its parent's death (it is then adopted by another
    process), or at once when the parent died while the worker started up. A parent killed
    outright (SIGKILL, the OOM killer) cannot shut its pool down: without this, the workers
    waited for work forever, one orphan per worker per kill. A write in progress leaves only
    its temporary name (see speech_lstm.atomic)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
