"""Typed schemas behind the Hydra configs in `conf/`: a misspelt key fails at composition."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from speech_lstm.decoding.decoder import DecoderConfig
from speech_lstm.evaluation.normalization import NormalizerConfig
from speech_lstm.features import MfccConfig
from speech_lstm.synthetic.corpus import SyntheticConfig


@dataclass
class ModelConfig:
    """Shape of the acoustic model; saved in every model directory.

    Attributes:
        num_layers: stacked bidirectional LSTM layers.
        units: LSTM units per direction.
        dropout: dropout between layers (not recurrent dropout, so cuDNN stays eligible).
        subsampling: consecutive feature frames stacked into one model step; shortens
            sequences by this factor (3 turns 10 ms frames into 30 ms steps).
        projection_units: optional dense layer size after stacking; 0 disables it.
    """

    num_layers: int = 3
    units: int = 256
    dropout: float = 0.1
    subsampling: int = 3
    projection_units: int = 0

    def __post_init__(self) -> None:
        if self.num_layers < 1 or self.units < 1 or self.subsampling < 1:
            raise ValueError(
                "num_layers, units and subsampling must be >= 1. Received: "
                f"{self.num_layers}, {self.units}, {self.subsampling}"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1). Received: {self.dropout}")

    def save(self, path: str | Path) -> None:
        """Writes the settings as JSON."""
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ModelConfig:
        """Reads settings written by `save`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass
class PathsConfig:
    """Where things live. `data_dir` holds corpora and caches; `output_dir` is the run folder."""

    root_dir: str = "."
    data_dir: str = "data"
    cache_dir: str = "data/cache"
    output_dir: str = "outputs"


@dataclass
class DataConfig:
    """Which manifests to train and validate on; `synthetic` generates them when set."""

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


PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
STRATEGIES = ("default", "mirrored", "multi_worker")


@dataclass
class TrainerConfig:
    """Optimisation settings.

    Attributes:
        epochs: passes over the training set.
        batch_size: utterances per step.
        learning_rate: peak Adam learning rate (after warm-up, then cosine decay).
        warmup_epochs: linear warm-up length, in epochs (fractions allowed).
        clipnorm: global gradient-norm clip; 0 disables it.
        early_stopping_patience: epochs without dev WER improvement before stopping; 0 disables.
        num_workers: processes computing features.
        num_buckets: length buckets for batching.
        seed: seeds weights, shuffling and augmentation.
        deterministic: run every TensorFlow op deterministically (`enable_op_determinism`), so
            a re-run with the same seed, data and machine reproduces the weights bit for bit.
            Can be slower (on GPUs above all; the CPU FSDD recipe barely changed). Without it,
            same-seed runs drift apart through thread scheduling.
        dev_batch_size: utterances per forward pass when scoring dev.
        verbose: Keras progress output (0 silent, 1 progress bar, 2 one line per epoch).
        precision: Keras dtype policy: float32, mixed_bfloat16 (fast on CPUs with AMX/AVX512
            and on recent GPUs) or mixed_float16 (GPUs; loss scaling is automatic). The CTC
            loss and the logits stay float32.
        strategy: tf.distribute strategy (see `speech_lstm.training.distribute`): default (one device),
            mirrored (all local GPUs, or the CPU) or multi_worker (several hosts, from the
            TF_CONFIG environment variable). `batch_size` is the global batch, split across
            replicas.
        init_from: a model directory whose weights the run starts from instead of random
            ones (fine-tuning, e.g. on pseudo-labelled audio of a new speaker). Its model
            shape, vocabulary and front end must equal this run's.
    """

    epochs: int = 10
    batch_size: int = 32
    learning_rate: float = 2e-3
    warmup_epochs: float = 0.5
    clipnorm: float = 5.0
    early_stopping_patience: int = 0
    num_workers: int = 2
    num_buckets: int = 8
    seed: int = 0
    deterministic: bool = False
    dev_batch_size: int = 64
    verbose: int = 2
    precision: str = "float32"
    strategy: str = "default"
    init_from: str | None = None

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}. Received: {self.precision!r}")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}. Received: {self.strategy!r}")


@dataclass
class AugmentConfig:
    """Training-only augmentation; evaluation and transcription never see it.

    SpecAugment-style masks on the MFCC matrix: `freq_masks` bands of up to `freq_mask_width`
    cepstral coefficients (the same coefficients in the delta blocks), and `time_masks` spans
    of up to `time_mask_width` frames, each at most `time_mask_max_fraction` of the utterance.
    `speed_factors` adds a copy of every training utterance at each speed (tempo and pitch,
    as Kaldi's speed perturbation); `noise_copies` adds that many copies with white noise at an
    SNR drawn per utterance from `noise_snr_db`; `reverb_copies` adds that many copies convolved
    with a synthetic room impulse response (RT60 drawn per utterance from `reverb_rt60_s`,
    direct-to-reverberant ratio from `reverb_drr_db`), same length and level as the original.
    Copies' features are cached like the originals.
    """

    spec_augment: bool = False
    freq_masks: int = 2
    freq_mask_width: int = 3
    time_masks: int = 2
    time_mask_width: int = 20
    time_mask_max_fraction: float = 0.1
    speed_factors: list[float] = field(default_factory=lambda: [1.0])
    noise_copies: int = 0
    noise_snr_db: list[float] = field(default_factory=lambda: [5.0, 25.0])
    reverb_copies: int = 0
    reverb_rt60_s: list[float] = field(default_factory=lambda: [0.2, 0.8])
    reverb_drr_db: list[float] = field(default_factory=lambda: [0.0, 10.0])

    def __post_init__(self) -> None:
        if not self.speed_factors or any(not 0.5 <= f <= 2.0 for f in self.speed_factors):
            raise ValueError(
                f"speed_factors must be a non-empty list in [0.5, 2]. "
                f"Received: {self.speed_factors}"
            )
        snr = self.noise_snr_db
        if self.noise_copies < 0 or len(snr) != 2 or snr[0] > snr[1]:
            raise ValueError(
                "Need noise_copies >= 0 and noise_snr_db = [low, high]. Received: "
                f"{self.noise_copies}, {self.noise_snr_db}"
            )
        rt60, drr = self.reverb_rt60_s, self.reverb_drr_db
        if (
            self.reverb_copies < 0
            or len(rt60) != 2
            or not 0 < rt60[0] <= rt60[1] <= 5
            or len(drr) != 2
            or drr[0] > drr[1]
        ):
            raise ValueError(
                "Need reverb_copies >= 0, reverb_rt60_s = [low, high] seconds in (0, 5] and "
                "reverb_drr_db = [low, high]. Received: "
                f"{self.reverb_copies}, {self.reverb_rt60_s}, {self.reverb_drr_db}"
            )


@dataclass
class TrainConfig:
    """Everything `speech_lstm.training.train` needs."""

    data: DataConfig = field(default_factory=DataConfig)
    features: MfccConfig = field(default_factory=MfccConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    # Order of the word n-gram LM built from the training transcripts into model/lm.arpa
    # (used by decoder=beam_lm); 0 builds none.
    lm_order: int = 3


@dataclass
class TranscribeConfig:
    """`scripts/transcribe.py`: a model directory, inputs, and where results go.

    Attributes:
        model_dir: a model directory written by training.
        input: an audio file, a folder (recursive), a glob, a JSONL manifest or a text file
            of paths.
        output: a .jsonl or .csv file, or a folder for format=txt|srt|vtt.
        batch_size: segments per forward pass.
        decoder: how logits become text.
        format: jsonl, csv, txt, srt or vtt; null picks by the extension of `output`.
        extensions: audio file extensions a folder search keeps.
        num_workers: threads reading audio and computing features.
        timestamps: add `words` (word, start, end, confidence) to every row.
        resume: skip inputs that already have a row in `output` and append the rest.
        backend: keras, or an export of scripts/export.py: saved_model, tflite, tflite_int8.
        chunk_seconds: inputs longer than this are split into chunks of at most this many
            seconds, cut at quiet points (0 never splits).
        chunk_search_seconds: each cut goes at the quietest point of this many seconds
            before the limit.
        sort_window: batches' worth of segments sorted by length together.
        progress: show files/s, real-time factor and ETA on stderr.
        speaker: for a model normalised per speaker: one speaker for every input (e.g. a
            folder of one person's recordings); null takes a manifest's `speaker` fields and
            makes every other input its own speaker.
        ensemble: more model directories averaged with `model_dir` (log-posteriors, step
            by step); same features, frame rate and characters as `model_dir`.
    """

    model_dir: str = "???"
    input: str = "???"
    output: str = "???"
    batch_size: int = 16
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    format: str | None = None
    extensions: list[str] = field(
        default_factory=lambda: [".wav", ".flac", ".ogg", ".opus", ".mp3"]
    )
    num_workers: int = 2
    timestamps: bool = False
    resume: bool = False
    backend: str = "keras"
    chunk_seconds: float = 20.0
    chunk_search_seconds: float = 4.0
    sort_window: int = 8
    progress: bool = True
    speaker: str | None = None
    ensemble: list[str] = field(default_factory=list)


@dataclass
class EvaluateConfig:
    """`scripts/evaluate.py`: score a model (or existing predictions) on a manifest.

    Attributes:
        manifest: JSONL manifest holding the references.
        output_dir: where report.json, report.md, report.html and per_utterance.jsonl go.
        model_dir: a trained model to transcribe the manifest with; or else
        predictions: an existing JSONL/CSV predictions file (exactly one of the two).
        batch_size: transcription batch size (model_dir mode).
        decoder: transcription decoder (model_dir mode).
        ensemble: more model directories averaged with `model_dir` (see TranscribeConfig).
        normalizer: text normalisation applied to references and hypotheses alike.
        tolerance: corpus WER above which the script exits with status 3 (a CI gate);
            None disables the gate.
        bootstrap_samples: resamples for the WER confidence interval; 0 skips it.
        bootstrap_seed: seed of the resampling, so reports are reproducible.
        confidence: coverage of the interval.
        duration_buckets: increasing bucket edges in seconds for the WER-by-duration breakdown.
        top_k: most frequent substitutions, deletions and insertions listed of each.
        n_worst: worst utterances shown with their alignments.
    """

    manifest: str = "???"
    output_dir: str = "???"
    model_dir: str | None = None
    predictions: str | None = None
    batch_size: int = 16
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    ensemble: list[str] = field(default_factory=list)
    normalizer: NormalizerConfig = field(default_factory=NormalizerConfig)
    tolerance: float | None = None
    bootstrap_samples: int = 1000
    bootstrap_seed: int = 0
    confidence: float = 0.95
    duration_buckets: list[float] = field(default_factory=lambda: [2.0, 5.0, 10.0, 20.0])
    top_k: int = 10
    n_worst: int = 20

    def __post_init__(self) -> None:
        if self.tolerance is not None and self.tolerance < 0:
            raise ValueError(f"tolerance must be >= 0 (a WER). Received: {self.tolerance}")
        if self.bootstrap_samples < 0 or self.top_k < 0 or self.n_worst < 0:
            raise ValueError(
                "bootstrap_samples, top_k and n_worst must be >= 0. Received: "
                f"{self.bootstrap_samples}, {self.top_k}, {self.n_worst}"
            )
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"confidence must be in (0, 1). Received: {self.confidence}")


def register_configs() -> None:
    """Registers the schemas with Hydra's ConfigStore; scripts call it before composing."""
    from hydra.core.config_store import ConfigStore

    store = ConfigStore.instance()
    store.store(name="train_schema", node=TrainConfig)
    store.store(name="transcribe_schema", node=TranscribeConfig)
    store.store(name="evaluate_schema", node=EvaluateConfig)
    from speech_lstm.adaptation.pseudo_labels import PseudoLabelConfig
    from speech_lstm.data.lint import LintConfig
    from speech_lstm.prep.download import DownloadConfig
    from speech_lstm.prep.importers import PrepareDataConfig, register_importer_configs

    register_importer_configs(store)
    store.store(name="prepare_data_schema", node=PrepareDataConfig)
    store.store(name="download_schema", node=DownloadConfig)
    store.store(name="lint_data_schema", node=LintConfig)
    store.store(name="pseudo_label_schema", node=PseudoLabelConfig)


def to_object(cfg: Any) -> Any:
    """Turns a composed DictConfig back into its (resolved, validated) dataclass."""
    from omegaconf import OmegaConf

    return OmegaConf.to_object(cfg)
