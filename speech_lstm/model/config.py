"""`ModelConfig`: the shape of the acoustic model, saved in every model directory."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from speech_lstm.atomic import write_text


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
        write_text(path, json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> ModelConfig:
        """Reads settings written by `save`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))
