"""`speech-lstm <job> [overrides]`: the dispatcher of the console command.

`speech-lstm --help` lists the jobs; `speech-lstm <job> --help` explains one job's settings
(see `speech_lstm.cli.help`); anything else is handed to the job: Hydra's overrides and flags,
or the job's own arguments for `compare`.
"""

from __future__ import annotations

import difflib
import os
import sys

from speech_lstm.cli.registry import JOBS, ArgparseJob, load_target
from speech_lstm.interrupts import StopsHeld, stop_cleanly_on_signals

HELP_FLAGS = ("-h", "--help")


def overview() -> str:
    """`speech-lstm --help`: usage and one line per job."""
    width = max(len(name) for name in JOBS)
    lines = [
        "usage: speech-lstm <command> [key=value ...] [group=option ...]",
        "",
        "Speech recognition with bidirectional LSTMs and CTC: train, transcribe, evaluate.",
        "Each command is a Hydra app over the configs shipped with the package; add your",
        "own config folders with --config-dir DIR or hydra.searchpath=[file:///DIR].",
        "",
        "commands:",
        *(f"  {name:<{width}}  {job.summary}" for name, job in JOBS.items()),
        "",
        "`speech-lstm <command> --help` explains a command's settings.",
    ]
    return "\n".join(lines)


def run_job(name: str, argv: list[str] | None = None, prog: str | None = None) -> int:
    """Runs job `name` with `argv` (default: this process's arguments); its exit status.

    `scripts/<job>.py` call this too, so the checkout's scripts and the installed command run
    the same code.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    stop_cleanly_on_signals()
    job = JOBS[name]
    prog = prog or f"speech-lstm {name}"
    if isinstance(job, ArgparseJob):
        return load_target(job.target)(argv, prog) or 0
    if any(flag in argv for flag in HELP_FLAGS):
        from speech_lstm.cli.help import job_help

        with StopsHeld():  # the help composes the config with Hydra, which a stop would break
            text = job_help(job, argv, prog)
        print(text)
        return 0
    from speech_lstm.cli.app import run_hydra_job

    return run_hydra_job(job, argv, prog)


def main(argv: list[str] | None = None) -> None:
    """The `speech-lstm` console command."""
    try:
        _dispatch(sys.argv[1:] if argv is None else list(argv))
    except BrokenPipeError:  # the reader went away (`speech-lstm --help | head`): no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None


def _dispatch(argv: list[str]) -> None:
    """Runs the subcommand `argv` names, or prints the overview; exits with its status."""
    if not argv or argv[0] in HELP_FLAGS:
        print(overview())
        raise SystemExit(0 if argv else 2)
    if argv[0] == "--version":
        from importlib.metadata import version

        print(f"speech-lstm {version('speech-lstm')}")
        raise SystemExit(0)
    name, rest = argv[0], argv[1:]
    if name not in JOBS:
        close = difflib.get_close_matches(name, JOBS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        print(f"speech-lstm: unknown command {name!r}{hint}\n\n{overview()}", file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(run_job(name, rest))
