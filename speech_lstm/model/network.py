"""The acoustic model: stacked recurrent layers (LSTM or GRU, bidirectional or left-to-right with
a bounded look-ahead, optional self-attention) over stacked MFCC frames, trained with CTC."""

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
    `pad_for_subsampling`); all-zero stacked steps are masked, so that no recurrent layer reads
    padding and no attention block attends to it. The recurrent layers use default
    activations (a GRU with reset_after=True) and no recurrent dropout unless asked, so Keras'
    TensorFlow back end can take cuDNN on a GPU (it accepts right-padded masks); its JAX and
    PyTorch back ends refuse cuDNN for masked input (measured in benchmarks/RESULTS.md).
    Only Keras's own layers are used, so a saved model loads with `safe_mode=True`.

    Args:
        feature_dim: values per feature frame.
        vocab_size: outputs per step, including the CTC blank at index 0.
        config: the shape (cell, directions, look-ahead, attention, weight decay).

    Returns:
        A `keras.Model` from (batch, frames, feature_dim) to logits of shape
        (batch, frames // subsampling, vocab_size). No softmax: the loss and decoders take logits.
    """
    features = keras.Input(shape=(None, feature_dim), name="features")
    x = keras.layers.Reshape((-1, feature_dim * config.subsampling), name="stack_frames")(features)
    if config.lookahead_frames:
        x = _stack_lookahead(x, config.lookahead_frames)
    x = keras.layers.Masking(mask_value=0.0, name="mask_padding")(x)
    decay = keras.regularizers.L2(config.l2) if config.l2 else None
    if config.projection_units:
        x = keras.layers.Dense(
            config.projection_units, activation="relu", name="projection", kernel_regularizer=decay
        )(x)
    for layer in range(config.num_layers):
        x = _recurrent_layer(config, layer, decay)(x)
        if config.dropout:
            x = keras.layers.Dropout(config.dropout, name=f"dropout_{layer}")(x)
        last = layer == config.num_layers - 1
        if config.attention_heads and (last or config.attention_position == "every"):
            x = _attention_block(x, config, layer, decay)
    logits = keras.layers.Dense(
        vocab_size, name="logits", dtype="float32", kernel_regularizer=decay
    )(x)
    return keras.Model(features, logits, name=_model_name(config))


def _model_name(config: ModelConfig) -> str:
    """ "bilstm_ctc" for the default shape, as before the variants existed."""
    return f"{'bi' if config.bidirectional else 'uni'}{config.cell}_ctc"


def _stack_lookahead(x, steps: int):
    """Each step's input joined with the next `steps` steps' (zeros past the end): right
    context for a unidirectional model, with Keras layers only (no Lambda)."""
    padded = keras.layers.ZeroPadding1D((0, steps), name="lookahead_pad")(x)
    ahead = [
        keras.layers.Cropping1D((shift, steps - shift), name=f"lookahead_{shift}")(padded)
        for shift in range(steps + 1)
    ]
    return keras.layers.Concatenate(name="lookahead")(ahead)


def _recurrent_layer(
    config: ModelConfig, index: int, decay: keras.regularizers.Regularizer | None
) -> keras.layers.Layer:
    """One LSTM or GRU layer, wrapped in `Bidirectional` for a bidirectional model. The
    default shape keeps the names of the first version (`bilstm_0` around `lstm_0`)."""
    settings = dict(
        return_sequences=True,
        kernel_regularizer=decay,
        recurrent_regularizer=decay,
        recurrent_dropout=config.recurrent_dropout,
        name=f"{config.cell}_{index}",
    )
    if config.cell == "gru":
        cell = keras.layers.GRU(config.units, reset_after=True, **settings)
    else:
        cell = keras.layers.LSTM(config.units, **settings)
    if not config.bidirectional:
        return cell
    return keras.layers.Bidirectional(cell, name=f"bi{config.cell}_{index}")


def _attention_block(x, config: ModelConfig, index: int, decay):
    """Masked multi-head self-attention over the recurrent outputs, added to them, then
    layer-normalised. The Keras mask of `x` keeps padded steps out of every attention row;
    a unidirectional model attends only to the past (`use_causal_mask`)."""
    width = config.recurrent_width
    attended = keras.layers.MultiHeadAttention(
        config.attention_heads,
        key_dim=width // config.attention_heads,
        kernel_regularizer=decay,
        name=f"attention_{index}",
    )(x, x, use_causal_mask=not config.bidirectional)
    x = keras.layers.Add(name=f"attention_residual_{index}")([x, attended])
    return keras.layers.LayerNormalization(name=f"attention_norm_{index}")(x)


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
