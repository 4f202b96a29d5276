"""librosa, imported so that processes starting together cannot corrupt numba's cache.

Some of librosa's modules compile functions with numba as they are imported and cache the
machine code next to librosa's sources: for each `guvectorize` function, two files written
one after the other. Processes compiling at the same time (on a fresh install: the test
workers, a job's worker processes, several jobs) can leave a pair written by two different
processes, and the next call of that function crashes the interpreter with a segmentation
fault (numba issue 10128; `librosa.yin` crashed a CI run this way). So the first load in each
process holds a lock that all of the user's processes share: one compiles and writes the
cache, the others read it afterwards.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType

# The modules of librosa 0.11 that compile cached `guvectorize` functions when imported.
COMPILED_MODULES = ("librosa.util.utils", "librosa.core.audio", "librosa.core.pitch")


@cache
def load_librosa() -> ModuleType:
    """The librosa module, its compiled modules imported under the cache lock (once a
    process: about 2.5 s with the cache written, 25 s of compilation without)."""
    with numba_cache_lock():
        for name in COMPILED_MODULES:
            importlib.import_module(name)
    import librosa

    return librosa


@contextmanager
def numba_cache_lock(directory: Path | None = None) -> Iterator[None]:
    """Holds an exclusive lock on a file of this user's in `directory` (the temporary
    directory by default). Without file locks (Windows) or a writable directory it holds
    nothing: loading librosa must not fail for want of a lock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    path = (directory or Path(tempfile.gettempdir())) / f"speech-lstm-numba-{os.getuid()}.lock"
    try:
        handle = open(path, "a")  # noqa: SIM115 (held across the yield)
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
