"""The jobs of the `speech-lstm` command, in the order `speech-lstm --help` lists them.

A Hydra job is a subcommand, the name of its primary config (`conf/<config>.yaml`, shipped
in `speech_lstm/conf`), a one-line summary and the function that runs it, named as
"module:function" so that nothing heavy is imported until the job runs. The function takes
the composed config's dataclass and returns an exit status (None: 0). Adding a job is one
line here, once its schema is registered in `speech_lstm.config.SCHEMAS` (see `serve`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HydraJob:
    """A subcommand composed by Hydra from `conf/<config_name>.yaml` and command-line overrides.

    Attributes:
        name: the subcommand, e.g. `prepare-data`.
        config_name: the primary config, e.g. `prepare_data`.
        summary: one line for `speech-lstm --help`.
        target: "module:function" called with the config object; returns an exit status.
    """

    name: str
    config_name: str
    summary: str
    target: str


@dataclass(frozen=True)
class ArgparseJob:
    """A subcommand with its own argparse parser: `target` is "module:main", called with argv."""

    name: str
    summary: str
    target: str


Job = HydraJob | ArgparseJob

JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        HydraJob(
            "make-synthetic",
            "make_synthetic",
            "generate a TTS corpus (default: the embedded English corpus)",
            "speech_lstm.cli.jobs:make_synthetic",
        ),
        HydraJob(
            "download",
            "download",
            "download a public corpus (checksummed, resumable)",
            "speech_lstm.cli.jobs:download",
        ),
        HydraJob(
            "prepare-data",
            "prepare_data",
            "import a corpus (LibriSpeech, Common Voice, ...) into a JSONL manifest",
            "speech_lstm.cli.jobs:prepare_data",
        ),
        HydraJob(
            "lint-data",
            "lint_data",
            "check a manifest for data problems and write a cleaned copy",
            "speech_lstm.cli.jobs:lint_data",
        ),
        HydraJob(
            "train",
            "train",
            "train a BiLSTM-CTC model (generates a missing embedded corpus first)",
            "speech_lstm.cli.jobs:train",
        ),
        HydraJob(
            "transcribe",
            "transcribe",
            "transcribe audio files, folders, globs or manifests",
            "speech_lstm.cli.jobs:transcribe",
        ),
        HydraJob(
            "evaluate",
            "evaluate",
            "score a model or a predictions file on a manifest (WER, CER, reports)",
            "speech_lstm.cli.jobs:evaluate",
        ),
        ArgparseJob(
            "compare",
            "compare evaluation reports with paired bootstrap tests",
            "speech_lstm.cli.compare:main",
        ),
        HydraJob(
            "build-lm",
            "build_lm",
            "build a word n-gram LM (ARPA) from text or a manifest",
            "speech_lstm.cli.jobs:build_lm",
        ),
        HydraJob(
            "tune-decoder",
            "tune_decoder",
            "tune beam_lm's LM weight and word bonus on a dev manifest",
            "speech_lstm.cli.jobs:tune_decoder",
        ),
        HydraJob(
            "export",
            "export",
            "export a model directory to SavedModel and TFLite",
            "speech_lstm.cli.jobs:export",
        ),
        HydraJob(
            "pseudo-label",
            "pseudo_label",
            "keep a model's confident transcriptions as a training manifest",
            "speech_lstm.cli.jobs:pseudo_label",
        ),
        HydraJob(
            "serve",
            "serve",
            "serve a model over HTTP: JSON and OpenAI-compatible API, a web page",
            "speech_lstm.service.server:serve",
        ),
    )
}
"""Subcommand -> job."""


def load_target(target: str):
    """The function a "module:function" target names (imported now, not before)."""
    from importlib import import_module

    module, _, function = target.partition(":")
    return getattr(import_module(module), function)
