"""SIGTERM and Ctrl-C stop a job cleanly: one line on stderr and a non-zero exit status.

Both raise KeyboardInterrupt where the program is, so `finally` blocks and the atomic
writers (`speech_lstm.atomic`) remove their temporaries on the way out; what finished stays,
and the same command resumes from it.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType, TracebackType


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


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signal.Signals(signum).name)
