"""`ModelConfig`: the shape of the acoustic model, saved in every model directory."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from speech_lstm.atomic import write_text

CELLS = ("lstm", "gru")
ATTENTION_POSITIONS = ("last", "every")


@dataclass
class ModelConfig:
    """Shape of the acoustic model; saved in every model directory.

    A `model.json` written before a setting existed loads with its default, which is the model
    those versions built (a stacked BiLSTM without attention or weight decay).

    Attributes:
        num_layers: stacked recurrent layers.
        units: recurrent units per direction.
        dropout: dropout between layers (not recurrent dropout, so cuDNN stays eligible).
        subsampling: consecutive feature frames stacked into one model step; shortens
            sequences by this factor (3 turns 10 ms frames into 30 ms steps).
        projection_units: optional dense layer size after stacking; 0 disables it.
        cell: "lstm" or "gru" (reset_after=True, default activations: cuDNN-compatible; a GRU
            has three gates' weights where an LSTM has four, so 3/4 of the parameters).
        bidirectional: true reads each utterance both ways (the whole utterance before the
            first output); false reads it left to right only, which streaming needs.
        lookahead_frames: right context of a unidirectional model, in model steps (stacked
            frames of `subsampling` feature frames each): each step's input is its own stacked
            frames and those of the next `lookahead_frames` steps, so output t waits for steps
            up to t + lookahead_frames and for nothing later. 0 for bidirectional models.
        attention_heads: heads of a multi-head self-attention block over the recurrent
            outputs (residual connection, then layer normalisation; padding never attended;
            causal in a unidirectional model); 0 disables it. Must divide the recurrent width
            (units, doubled when bidirectional).
        attention_position: "last" for one block after the last recurrent layer, "every" for
            one after each recurrent layer.
        l2: L2 weight decay on every weight matrix (recurrent kernels included, not biases
            or normalisation scales), added to the CTC loss; 0.0 disables it.
        recurrent_dropout: dropout on the recurrent state inside the cells; any value above 0
            rules out the fused cuDNN kernels on a GPU (the slow generic loop runs instead).
    """

    num_layers: int = 3
    units: int = 256
    dropout: float = 0.1
    subsampling: int = 3
    projection_units: int = 0
    cell: str = "lstm"
    bidirectional: bool = True
    lookahead_frames: int = 0
    attention_heads: int = 0
    attention_position: str = "last"
    l2: float = 0.0
    recurrent_dropout: float = 0.0

    def __post_init__(self) -> None:
        if self.num_layers < 1 or self.units < 1 or self.subsampling < 1:
            raise ValueError(
                "num_layers, units and subsampling must be >= 1. Received: "
                f"{self.num_layers}, {self.units}, {self.subsampling}"
            )
        for name in ("dropout", "recurrent_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1). Received: {getattr(self, name)}")
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}. Received: {self.cell!r}")
        if self.attention_position not in ATTENTION_POSITIONS:
            raise ValueError(
                f"attention_position must be one of {ATTENTION_POSITIONS}. "
                f"Received: {self.attention_position!r}"
            )
        if self.attention_heads < 0 or self.l2 < 0 or self.lookahead_frames < 0:
            raise ValueError(
                "attention_heads, l2 and lookahead_frames must be >= 0. Received: "
                f"{self.attention_heads}, {self.l2}, {self.lookahead_frames}"
            )
        if self.attention_heads and self.recurrent_width % self.attention_heads:
            raise ValueError(
                f"attention_heads must divide the recurrent width ({self.recurrent_width}: "
                f"units, doubled when bidirectional). Received: {self.attention_heads}"
            )
        if self.bidirectional and self.lookahead_frames:
            raise ValueError(
                "lookahead_frames is the right context of a unidirectional model; a "
                "bidirectional one already sees the whole utterance. Received: "
                f"bidirectional=true, lookahead_frames={self.lookahead_frames}; set "
                "model.bidirectional=false or model.lookahead_frames=0"
            )

    @property
    def recurrent_width(self) -> int:
        """Values per step out of each recurrent layer."""
        return self.units * (2 if self.bidirectional else 1)

    def save(self, path: str | Path) -> None:
        """Writes the settings as JSON."""
        write_text(path, json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> ModelConfig:
        """Reads settings written by `save` (by this or an earlier version)."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))
