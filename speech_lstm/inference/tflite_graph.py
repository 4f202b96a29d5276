"""The acoustic model rebuilt from its weights as constants, for conversion to TFLite.

Keras's LSTM reads its weights as resource variables inside the recurrent loop, which the
TFLite converter leaves as uninitialised variables. This module replays the same arithmetic
(stacking, masking of all-zero padding steps, bidirectional LSTMs with Keras's gate order
i, f, c, o, dense layers) with the weights baked in; `tests/test_export.py` checks that the
logits match the Keras model's.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def constant_graph_function(
    model: keras.Model, batch_size: int
) -> tf.types.experimental.GenericFunction:
    """A `tf.function` from (batch_size, frames, dims) features to the model's logits."""
    feature_dim = model.input_shape[-1]
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    steps = [_layer_step(layer) for layer in layers]
    signature = [tf.TensorSpec((batch_size, None, feature_dim), tf.float32, name="features")]

    @tf.function(input_signature=signature)
    def forward(features):
        x, mask = features, None
        for step in steps:
            x, mask = step(x, mask)
        return x

    return forward


def _layer_step(layer: keras.layers.Layer):
    """(x, mask) -> (x, mask) for one layer of the acoustic model."""
    if isinstance(layer, keras.layers.Reshape):
        target = layer.target_shape
        return lambda x, mask: (tf.reshape(x, [tf.shape(x)[0], -1, target[-1]]), mask)
    if isinstance(layer, keras.layers.Masking):
        value = layer.mask_value
        return lambda x, mask: (x, tf.reduce_any(tf.not_equal(x, value), axis=-1))
    if isinstance(layer, keras.layers.Dropout):
        return lambda x, mask: (x, mask)
    if isinstance(layer, keras.layers.Dense):
        return _dense_step(layer)
    if isinstance(layer, keras.layers.Bidirectional):
        return _bidirectional_step(layer)
    raise ValueError(
        f"Cannot export layer {layer.name!r} of type {type(layer).__name__} to TFLite. "
        "Received: a model with layers other than Reshape, Masking, Dense, Dropout, "
        "Bidirectional(LSTM)"
    )


def _dense_step(layer: keras.layers.Dense):
    kernel = tf.constant(np.asarray(layer.kernel.numpy(), dtype=np.float32))
    bias = tf.constant(np.asarray(layer.bias.numpy(), dtype=np.float32))
    activation = layer.activation

    def step(x, mask):
        return activation(tf.matmul(x, kernel) + bias), mask

    return step


def _bidirectional_step(layer: keras.layers.Bidirectional):
    if layer.merge_mode != "concat" or not isinstance(layer.forward_layer, keras.layers.LSTM):
        raise ValueError(
            "Only Bidirectional(LSTM) with merge_mode='concat' can be exported. Received: "
            f"{type(layer.forward_layer).__name__} with merge_mode={layer.merge_mode!r}"
        )
    forward = _lstm_weights(layer.forward_layer)
    backward = _lstm_weights(layer.backward_layer)

    def step(x, mask):
        if mask is None:
            mask = tf.ones(tf.shape(x)[:2], dtype=tf.bool)
        ahead = _run_lstm(x, mask, *forward, reverse=False)
        behind = _run_lstm(x, mask, *backward, reverse=True)
        return tf.concat([ahead, behind], axis=-1), mask

    return step


def _lstm_weights(layer: keras.layers.LSTM) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
    cell = layer.cell
    if not (cell.use_bias and cell.activation is keras.activations.tanh):
        raise ValueError(
            f"Only LSTMs with a bias and tanh activation can be exported. Received: {layer.name}"
        )
    return tuple(
        tf.constant(np.asarray(w.numpy(), dtype=np.float32))
        for w in (cell.kernel, cell.recurrent_kernel, cell.bias)
    )


def _run_lstm(x, mask, kernel, recurrent, bias, reverse: bool):
    """LSTM over (batch, steps, dims); masked steps keep the state and output zeros."""
    batch = x.shape[0]
    units = recurrent.shape[0]
    inputs = tf.transpose(tf.matmul(x, kernel) + bias, [1, 0, 2])
    keep = tf.transpose(mask, [1, 0])
    if reverse:
        inputs, keep = tf.reverse(inputs, [0]), tf.reverse(keep, [0])
    count = tf.shape(inputs)[0]
    outputs = tf.TensorArray(tf.float32, size=count, element_shape=tf.TensorShape([batch, units]))
    zeros = tf.zeros([batch, units])

    def body(t, h, c, outputs):
        z = inputs[t] + tf.matmul(h, recurrent)
        i, f, g, o = tf.split(z, 4, axis=-1)
        c_new = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        h_new = tf.sigmoid(o) * tf.tanh(c_new)
        valid = keep[t][:, None]
        h, c = tf.where(valid, h_new, h), tf.where(valid, c_new, c)
        return t + 1, h, c, outputs.write(t, tf.where(valid, h_new, zeros))

    _, _, _, outputs = tf.while_loop(
        lambda t, *_: t < count, body, (tf.constant(0), zeros, zeros, outputs)
    )
    stacked = outputs.stack()
    if reverse:
        stacked = tf.reverse(stacked, [0])
    return tf.transpose(stacked, [1, 0, 2])
