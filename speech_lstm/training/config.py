"""`TrainerConfig`: the optimisation settings of `conf/trainer/`."""

from __future__ import annotations

from dataclasses import dataclass

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
        num_workers: processes computing features (0 or 1: the training process itself).
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
        strategy: tf.distribute strategy (see `speech_lstm.training.distribute`): default
            (one device), mirrored (all local GPUs, or the CPU) or multi_worker (several
            hosts, from the TF_CONFIG environment variable). `batch_size` is the global batch,
            split across replicas.
        init_from: a model directory whose weights the run starts from instead of random
            ones (fine-tuning, e.g. on pseudo-labelled audio of a new speaker). Its model
            shape, vocabulary and front end must equal this run's.
        time_limit_minutes: a wall-clock budget (dev scoring included): training stops after
            the first step past it, the epoch's dev score is taken and the best epoch exported.
            With a budget the learning rate decays over the budget's time instead of over
            `epochs` (which stays an upper bound); see `speech_lstm.training.time_budget`.
            null: no budget.
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
    verbose: int = 1
    precision: str = "float32"
    strategy: str = "default"
    init_from: str | None = None
    time_limit_minutes: float | None = None

    def __post_init__(self) -> None:
        if self.time_limit_minutes is not None and self.time_limit_minutes <= 0:
            raise ValueError(
                f"time_limit_minutes must be > 0 or null. Received: {self.time_limit_minutes}"
            )
        if self.precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}. Received: {self.precision!r}")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}. Received: {self.strategy!r}")
