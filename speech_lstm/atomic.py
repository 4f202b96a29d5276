"""Atomic, checked writes: a file or folder appears complete under its name, or not at all.

Every writer goes through a temporary name in the target's own folder (so the final rename
stays on one filesystem and is atomic), flushes it to disk, then renames it into place. A
write that fails (a full disk, a file-size limit, a read-only folder) removes the temporary
and raises `WriteError`, one line naming the path, so a killed or failed job never leaves a
half-written file that a later run could take as complete.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

TEMPORARY_MARK = ".tmp-"  # in every temporary name: `.name.tmp-<pid>`


class WriteError(OSError):
    """A write that failed and left nothing behind; the message names the path and cause."""


def temporary_name(path: Path) -> Path:
    """The temporary sibling of `path` that this process writes before renaming it."""
    return path.with_name(f".{path.name}{TEMPORARY_MARK}{os.getpid()}")


def _failure(path: Path, error: OSError) -> WriteError:
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        reason += " (free some space, then rerun: finished work is kept)"
    return WriteError(error.errno or 0, f"Cannot write {path}: {reason}")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_file(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Opens a temporary sibling of `path` for writing; renames it to `path` on success.

    Args:
        path: the final file; its folder is created when missing.
        mode: "w" (text) or "wb" (bytes).
        encoding: text encoding, for text mode only.

    Raises:
        WriteError: on any OSError while writing (ENOSPC, EFBIG, EACCES...), after removing
            the temporary; `path` keeps its previous content, if it had one.
    """
    path = Path(path)
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_file writes with mode 'w' or 'wb'. Received: {mode!r}")
    partial = temporary_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, mode, encoding=encoding if mode == "w" else None) as out:  # noqa: PTH123
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except OSError as error:
        _remove(partial)
        if isinstance(error, WriteError) or _names_another_file(error, partial):
            raise
        raise _failure(path, error) from None
    except BaseException:
        _remove(partial)
        raise


def _names_another_file(error: OSError, partial: Path) -> bool:
    """Whether `error` came from some other file (an input read while writing), which keeps
    its own message."""
    return error.filename is not None and Path(error.filename).parent != partial.parent


def write_text(path: str | Path, text: str) -> None:
    """Writes `text` (UTF-8) to `path` atomically; see `atomic_file`."""
    with atomic_file(path, "w") as out:
        out.write(text)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Writes `data` to `path` atomically; see `atomic_file`."""
    with atomic_file(path, "wb") as out:
        out.write(data)


@contextlib.contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yields an empty temporary folder next to `path`; on success it replaces `path` whole.

    An existing `path` is swapped out and deleted only after the new folder is in place, so
    a reader sees the old folder or the new one, never a mix or a half-written one.

    Raises:
        WriteError: on any OSError while filling or moving the folder, after removing the
            temporary folder.
    """
    path = Path(path)
    partial = temporary_name(path)
    _remove(partial)
    try:
        partial.mkdir(parents=True)
        yield partial
        _sync_files(partial)
        if path.exists():
            retired = path.with_name(f".{path.name}.old-{os.getpid()}")
            _remove(retired)
            os.replace(path, retired)
            os.replace(partial, path)
            _remove(retired)
        else:
            os.replace(partial, path)
    except OSError as error:
        _remove(partial)
        if isinstance(error, WriteError):
            raise
        raise _failure(path, error) from None
    except BaseException:
        _remove(partial)
        raise


def _sync_files(folder: Path) -> None:
    for item in folder.rglob("*"):
        if item.is_file():
            with open(item, "rb") as handle:  # noqa: PTH123
                os.fsync(handle.fileno())


def leftover_temporaries(folder: str | Path) -> list[Path]:
    """Temporary files or folders under `folder` (of a killed or failed write)."""
    return sorted(p for p in Path(folder).rglob(f"*{TEMPORARY_MARK}*"))


def remove_dead_temporaries(folder: str | Path) -> int:
    """Deletes the temporaries in `folder` (and below) left by writers that no longer run (a
    SIGKILLed job), so that a rerun leaves the folder as an uninterrupted run would; the
    temporaries of running processes are kept. Liveness is checked on this machine only: do
    not run two jobs on different hosts into the same folder. Returns how many were deleted."""
    removed = 0
    for path in sorted(Path(folder).rglob(f".*{TEMPORARY_MARK}*"), reverse=True):
        pid = path.name.rsplit(TEMPORARY_MARK, 1)[1]
        if pid.isdigit() and path.exists() and not _process_exists(int(pid)):
            _remove(path)
            removed += 1
    return removed


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
