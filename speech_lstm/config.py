"""Config assembly: the schema of each Hydra entry point, composed of the stages' own schemas.

Each stage keeps its schema beside its code (`ModelConfig` in `speech_lstm.model.config`,
`MfccConfig` in `speech_lstm.features`, `TrainerConfig` in `speech_lstm.training.config`, ...).
This module only composes them into `TrainConfig` and registers every entry point's schema with
Hydra's ConfigStore, so a misspelt key fails at composition. No stage imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from speech_lstm.adaptation.pseudo_labels import PseudoLabelConfig
from speech_lstm.data.augment.config import AugmentConfig
from speech_lstm.data.lint import LintConfig
from speech_lstm.decoding.lm import BuildLmConfig
from speech_lstm.evaluation.config import EvaluateConfig, TuneDecoderConfig
from speech_lstm.features import MfccConfig
from speech_lstm.inference.config import ExportConfig
from speech_lstm.model.config import ModelConfig
from speech_lstm.prep.download import DownloadConfig
from speech_lstm.prep.importers import PrepareDataConfig, register_importer_configs
from speech_lstm.service.config import ServeConfig
from speech_lstm.synthetic.config import SyntheticConfig
from speech_lstm.training.config import TrainerConfig
from speech_lstm.transcription.config import TranscribeConfig


@dataclass
class PathsConfig:
    """Where things live. `data_dir` holds corpora and caches; `output_dir` is the run folder."""

    root_dir: str = "."
    data_dir: str = "data"
    cache_dir: str = "data/cache"
    output_dir: str = "outputs"


@dataclass
class DataConfig:
    """Which manifests to train and validate on; `synthetic` generates them when set.

    The `data` group joins two stages: the manifests training reads, and the synthetic
    corpus generator's settings (`speech_lstm.synthetic.config`) that make them.
    """

    name: str = "synthetic"
    corpus_dir: str | None = None
    train_manifest: str = "???"
    # More manifests trained on together with train_manifest (e.g. synthetic speech).
    extra_train_manifests: list[str] = field(default_factory=list)
    dev_manifest: str = "???"
    test_manifest: str | None = None
    characters: str = " abcdefghijklmnopqrstuvwxyz'"
    max_duration: float | None = 20.0
    # Extra text (one sentence per line) for the word LM, besides the train transcripts.
    lm_text: str | None = None
    synthetic: SyntheticConfig | None = None


@dataclass
class TrainConfig:
    """Everything `speech_lstm.training.train` needs: the stages' schemas together."""

    data: DataConfig = field(default_factory=DataConfig)
    features: MfccConfig = field(default_factory=MfccConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    # Order of the word n-gram LM built from the training transcripts into model/lm.arpa
    # (used by decoder=beam_lm); 0 builds none.
    lm_order: int = 3


SCHEMAS = {
    "train_schema": TrainConfig,
    "transcribe_schema": TranscribeConfig,
    "evaluate_schema": EvaluateConfig,
    "tune_decoder_schema": TuneDecoderConfig,
    "export_schema": ExportConfig,
    "build_lm_schema": BuildLmConfig,
    "prepare_data_schema": PrepareDataConfig,
    "download_schema": DownloadConfig,
    "lint_data_schema": LintConfig,
    "pseudo_label_schema": PseudoLabelConfig,
    "serve_schema": ServeConfig,
}
"""The schema behind each `conf/<entry point>.yaml`, by its name in the defaults list."""


def register_configs() -> None:
    """Registers the schemas with Hydra's ConfigStore; scripts call it before composing."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    for name, schema in SCHEMAS.items():
        store.store(name=name, node=schema)
    register_importer_configs(store)


def to_object(cfg: Any) -> Any:
    """Turns a composed DictConfig back into its (resolved, validated) dataclass."""
    from omegaconf import OmegaConf

    return OmegaConf.to_object(cfg)
