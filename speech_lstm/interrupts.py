"""SIGTERM and Ctrl-C stop a job cleanly: one line on stderr and a non-zero exit status.

Both raise KeyboardInterrupt where the program is, so `finally` blocks and the atomic
writers (`speech_lstm.atomic`) remove their temporaries on the way out; what finished stays,
and the same command resumes from it. While Hydra composes the config, `StopsHeld` keeps a
stop for later: OmegaConf does not survive an exception midway (it leaves a node half-set and
fails with an AttributeError, which Hydra prints as a config error instead of the stop).
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType, TracebackType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(KeyboardInterrupt):
    """The job was asked to stop (SIGTERM or Ctrl-C)."""


def stop_cleanly_on_signals() -> None:
    """Turns SIGTERM into `Stopped` and prints a stop as one line instead of a traceback.

    The exit status stays Python's for an interrupt: 130 (killed by SIGINT) in a shell.
    """
    signal.signal(signal.SIGTERM, _raise_stopped)
    previous = sys.excepthook

    def one_line(kind: type[BaseException], error: BaseException, trace: TracebackType | None):
        if issubclass(kind, KeyboardInterrupt):
            why = error.args[0] if isinstance(error, Stopped) and error.args else "Ctrl-C"
            sys.stderr.write(
                f"Stopped by {why}: finished work is kept; run the same command again to resume.\n"
            )
            return
        previous(kind, error, trace)

    sys.excepthook = one_line


def stop_behind(error: BaseException) -> KeyboardInterrupt | None:
    """The stop that `error` was raised in the wake of, if any: code stopped midway can fail
    with an error of its own (Python wraps an exception in a class body's `__set_name__` into
    a RuntimeError, a library's cleanup trips over its half-done state), which should still
    end the job as the stop it is."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)


class StopsHeld:
    """Holds SIGTERM and Ctrl-C while code that an exception would leave broken runs.

    `hold()` records a stop instead of acting on it; `release()` puts the job's handlers
    back and delivers a recorded stop at once, so it is raised there (or ends the process, as
    a signal with no handler would). Only the main thread can set handlers: elsewhere both do
    nothing. Leaving a `with StopsHeld():` block releases.
    """

    def __init__(self) -> None:
        self._handlers: dict[int, object] = {}
        self._pending: list[int] = []

    def hold(self) -> None:
        """From now on a stop is recorded, not acted on."""
        if self._handlers or threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            self._handlers[signum] = signal.signal(signum, self._record)

    def release(self) -> None:
        """Puts the handlers back, then delivers the first stop recorded while held."""
        handlers, self._handlers = self._handlers, {}
        for signum, handler in handlers.items():
            # None: a handler set outside Python, which cannot be put back; the default goes
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if self._pending:
            signum = self._pending[0]
            self._pending.clear()
            signal.raise_signal(signum)

    def _record(self, signum: int, frame: FrameType | None) -> None:
        self._pending.append(signum)

    def __enter__(self) -> StopsHeld:
        self.hold()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
