"""The `speech-lstm` command: one subcommand per job, each a Hydra app over the shipped configs.

Modules: `registry` (the jobs: subcommand, config, one-line summary, the function it runs),
`jobs` (those functions: what each job does with its composed config), `app` (runs a job
through Hydra with the configs inside the package), `help` (a job's `--help`, from the config
comments and the schemas' docstrings) and `main` (the dispatcher). `scripts/<job>.py` call
`run_job` too, so both ways run the same code. Importing this package loads neither
TensorFlow nor Hydra: `speech-lstm --help` answers at once.
"""

from speech_lstm.cli.main import main, run_job

__all__ = ["main", "run_job"]
