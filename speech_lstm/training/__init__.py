"""Training stage: manifests -> cached features -> bucketed batches -> BiLSTM-CTC -> model dir.

Modules: `config` (`TrainerConfig`), `splits` (labelled training and dev sets, augmentation
copies), `callbacks` (dev scoring and progress log, NaN guard, checkpoints), `resume` (what a
run resumed after a kill carries on), `loop` (`train`), `distribute` (tf.distribute
strategies) and `sweep` (the Hydra multirun summary).
`train` loads lazily, so that `speech_lstm.training.sweep` (a Hydra callback every training
config names) and `config` stay free of TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speech_lstm.training.loop import train

__all__ = ["train"]


def __getattr__(name: str):
    if name == "train":
        from speech_lstm.training.loop import train

        return train
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
