"""Runs a job as a Hydra app over the configs shipped inside the package.

The primary config directory is `speech_lstm/conf` (the checkout's `conf/` links to it), found
from the installed package, so the command works from any folder without the checkout.
Hydra's own flags all work: `--cfg job` prints the composed config, `-m` sweeps, `--info`,
`--config-dir DIR` puts DIR's configs in front (your own `decoder/x.yaml`, `experiment/y.yaml`
or a whole `transcribe.yaml`), and `hydra.searchpath=[file:///abs/dir]` adds more folders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from speech_lstm.cli.registry import HydraJob, load_target
from speech_lstm.interrupts import StopsHeld, stop_behind

CONFIG_DIR = Path(__file__).resolve().parents[1] / "conf"
"""The shipped configs: `<job>.yaml` and the config groups (`decoder/`, `model/`, ...)."""


def run_hydra_job(job: HydraJob, argv: list[str], prog: str) -> int:
    """Composes `job.config_name` with `argv` (overrides and Hydra flags) and runs the job.

    Returns 0 after a successful run; a job's non-zero status, and Hydra's own errors (a bad
    override), leave through `SystemExit` as from a plain Hydra script.
    """
    # Hydra and OmegaConf run with stops held (a stop midway breaks OmegaConf); the job not.
    with StopsHeld() as stops:
        import hydra

        from speech_lstm.config import register_configs, to_object

        register_configs()
        function = load_target(job.target)

        @hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name=job.config_name)
        def app(cfg) -> None:
            config = to_object(cfg)
            stops.release()
            try:
                status = function(config)
            except Exception as error:
                stop = stop_behind(error)
                if stop is None:
                    raise
                raise stop from None  # the stop's one line, not the error it left behind
            finally:
                stops.hold()  # a sweep composes its next job after this one
            if status:
                raise SystemExit(status)

        saved = sys.argv
        sys.argv = [prog, *with_job_name(argv, job.config_name)]
        try:
            app()
        finally:
            sys.argv = saved
    return 0


def with_job_name(argv: list[str], name: str) -> list[str]:
    """`argv` with the override `hydra.job.name=<name>`, which names the run's log file
    (`<name>.log`) as a script's file name would; a user's own override of it still wins.

    It goes right before the first override, since Hydra's parser (argparse) takes the
    overrides as one run of arguments: `--config-dir DIR a=b` must stay `--config-dir DIR
    hydra.job.name=... a=b`, and with no override at all it goes first.
    """
    first = next((i for i, arg in enumerate(argv) if "=" in arg and not arg.startswith("-")), 0)
    return [*argv[:first], f"hydra.job.name={name}", *argv[first:]]
