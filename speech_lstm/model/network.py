"""The acoustic model: stacked bidirectional LSTMs over stacked MFCC frames, trained with CTC."""

from __future__ import annotations

import keras
import numpy as np

from speech_lstm.ctc import output_length
from speech_lstm.model.config import ModelConfig
from speech_lstm.text import BLANK_INDEX

__all__ = ["CtcTrainingModel", "ModelConfig", "build_acoustic_model", "output_length"]


def build_acoustic_model(feature_dim: int, vocab_size: int, config: ModelConfig) -> keras.Model:
    """Builds the functional model mapping padded features to per-step logits.

    Input frames must be zero-padded to a multiple of `config.subsampling` (see
    `pad_for_subsampling`); all-zero stacked steps are masked, so that the backward LSTM never
    reads padding. The LSTMs use default activations and no recurrent dropout, so Keras'
    TensorFlow back end can take cuDNN on a GPU (it accepts right-padded masks); its JAX and
    PyTorch back ends refuse cuDNN for masked input (measured in benchmarks/RESULTS.md).

    Args:
        feature_dim: values per feature frame.
        vocab_size: outputs per step, including the CTC blank at index 0.
        config: layer sizes.

    Returns:
        A `keras.Model` from (batch, frames, feature_dim) to logits of shape
        (batch, frames // subsampling, vocab_size). No softmax: the loss and decoders take logits.
    """
    features = keras.Input(shape=(None, feature_dim), name="features")
    x = keras.layers.Reshape((-1, feature_dim * config.subsampling), name="stack_frames")(features)
    x = keras.layers.Masking(mask_value=0.0, name="mask_padding")(x)
    if config.projection_units:
        x = keras.layers.Dense(config.projection_units, activation="relu", name="projection")(x)
    for layer in range(config.num_layers):
        lstm = keras.layers.LSTM(config.units, return_sequences=True, name=f"lstm_{layer}")
        x = keras.layers.Bidirectional(lstm, name=f"bilstm_{layer}")(x)
        if config.dropout:
            x = keras.layers.Dropout(config.dropout, name=f"dropout_{layer}")(x)
    logits = keras.layers.Dense(vocab_size, name="logits", dtype="float32")(x)
    return keras.Model(features, logits, name="bilstm_ctc")


def pad_for_subsampling(features: np.ndarray, subsampling: int) -> np.ndarray:
    """Zero-pads (frames, dims) features so that frames is a multiple of `subsampling`."""
    extra = -features.shape[0] % subsampling
    if not extra:
        return features
    return np.pad(features, ((0, extra), (0, 0)))


class CtcTrainingModel(keras.Model):
    """Wraps the acoustic model for `fit`: CTC loss on each sample's true lengths.

    Inputs are dicts with `features` (batch, frames, dims) and `feature_lengths` (batch,);
    targets are dicts with `labels` (batch, max_label) padded with 0 and `label_lengths`.
    Only the wrapped acoustic model is exported; this class is never saved whole.
    """

    def __init__(self, acoustic_model: keras.Model, subsampling: int, **kwargs):
        super().__init__(**kwargs)
        self.acoustic_model = acoustic_model
        self.subsampling = subsampling
        feature_dim = acoustic_model.input_shape[-1]
        self({"features": np.zeros((1, subsampling, feature_dim), dtype="float32")})

    def call(self, inputs, training=False):
        return self.acoustic_model(inputs["features"], training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        logit_lengths = keras.ops.cast(
            output_length(x["feature_lengths"], self.subsampling), "int32"
        )
        per_sample = ctc_loss(y["labels"], y_pred, y["label_lengths"], logit_lengths)
        loss = keras.ops.mean(per_sample)
        if self.losses:
            loss = loss + keras.ops.sum(self.losses)
        return loss


def ctc_loss(labels, logits, label_lengths, logit_lengths):
    """Per-sample CTC loss, blank at index 0, of (batch, max_label) labels padded with 0.

    One column of padding is always added: for a batch of empty transcripts only (zero-width
    labels), TensorFlow's CTC loss returns wrong values (tests/test_ctc.py); padding beyond
    `label_lengths` changes nothing else.
    """
    labels = keras.ops.pad(keras.ops.convert_to_tensor(labels), [[0, 0], [0, 1]])
    return keras.ops.ctc_loss(labels, logits, label_lengths, logit_lengths, mask_index=BLANK_INDEX)
