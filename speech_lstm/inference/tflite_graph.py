"""The acoustic model rebuilt from its weights as constants, for conversion to TFLite.

Keras's recurrent layers read their weights as resource variables inside the recurrent loop,
which the TFLite converter leaves as uninitialised variables. This module replays the same
arithmetic with the weights baked in, following the model's functional graph (its saved
config names each layer's inputs): stacking and look-ahead (reshape, zero padding, cropping,
concatenation), masking of all-zero padding steps, LSTM (Keras's gate order i, f, c, o) and
GRU (z, r, h, reset after the recurrent product) layers in one or both directions, masked
multi-head self-attention, residual additions, layer normalisation and dense layers.
`tests/test_export.py` and `tests/test_model_variants.py` check that the logits match the
Keras model's.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

LARGE_NEGATIVE = -1e9  # added to the scores of steps an attention row must not see
Value = tuple[tf.Tensor, tf.Tensor | None]  # a tensor and the Keras mask it carries


def constant_graph_function(
    model: keras.Model, batch_size: int
) -> tf.types.experimental.GenericFunction:
    """A `tf.function` from (batch_size, frames, dims) features to the model's logits."""
    feature_dim = model.input_shape[-1]
    operations = {operation.name: operation for operation in model.operations}
    plan = [
        (entry["name"], _operation_step(operations[entry["name"]]), entry["inbound_nodes"])
        for entry in model.get_config()["layers"]
    ]
    output_name = _output_layer_name(model.get_config()["output_layers"])
    signature = [tf.TensorSpec((batch_size, None, feature_dim), tf.float32, name="features")]

    @tf.function(input_signature=signature)
    def forward(features):
        values: dict[str, Value] = {}
        for name, step, inbound in plan:
            if not inbound:
                values[name] = (features, None)
                continue
            args = _resolve(inbound[0]["args"], values)
            kwargs = _resolve(inbound[0]["kwargs"], values)
            values[name] = step(args, kwargs)
        return values[output_name][0]

    return forward


def _output_layer_name(output_layers: list) -> str:
    """The one output layer of a functional config: saved as [name, node, index], or
    wrapped in a list of them."""
    if output_layers and isinstance(output_layers[0], list):
        if len(output_layers) != 1:
            raise ValueError(f"Cannot export a model with several outputs: {output_layers}")
        output_layers = output_layers[0]
    return output_layers[0]


def _resolve(structure, values: dict[str, Value]):
    """The saved call arguments with each Keras tensor reference replaced by its (tensor, mask)."""
    if isinstance(structure, dict) and structure.get("class_name") == "__keras_tensor__":
        name, node, index = structure["config"]["keras_history"]
        if node or index:
            raise ValueError(
                "Cannot export a model whose layers are called more than once or return "
                f"several tensors. Received: a reference to {name}[{node}][{index}]"
            )
        return values[name]
    if isinstance(structure, dict):
        return {key: _resolve(value, values) for key, value in structure.items()}
    if isinstance(structure, list | tuple):
        return [_resolve(value, values) for value in structure]
    return structure


def _tensor(argument):
    """The tensor of a resolved argument (a constant stays as it is)."""
    return argument[0] if isinstance(argument, tuple) else argument


def _constant(weight) -> tf.Tensor:
    return tf.constant(np.asarray(keras.ops.convert_to_numpy(weight), dtype=np.float32))


Step = Callable[[list, dict], Value]


def _operation_step(operation) -> Step:
    """(args, kwargs) -> (tensor, mask) for one layer or operation of the acoustic model."""
    if isinstance(operation, keras.layers.InputLayer):
        return lambda args, kwargs: args[0]  # never called: the features are fed in
    if isinstance(operation, keras.layers.Reshape):
        target = operation.target_shape[-1]
        return lambda args, kwargs: (
            tf.reshape(args[0][0], [tf.shape(args[0][0])[0], -1, target]),
            args[0][1],
        )
    if isinstance(operation, keras.layers.ZeroPadding1D):
        before, after = operation.padding
        return lambda args, kwargs: (tf.pad(args[0][0], [[0, 0], [before, after], [0, 0]]), None)
    if isinstance(operation, keras.layers.Cropping1D):
        start, end = operation.cropping
        return lambda args, kwargs: (
            args[0][0][:, start : tf.shape(args[0][0])[1] - end],
            None,
        )
    if isinstance(operation, keras.layers.Concatenate):
        axis = operation.axis
        return lambda args, kwargs: (tf.concat([x for x, _ in args[0]], axis=axis), None)
    if isinstance(operation, keras.layers.Masking):
        value = operation.mask_value
        return lambda args, kwargs: (
            args[0][0],
            tf.reduce_any(tf.not_equal(args[0][0], value), axis=-1),
        )
    if isinstance(operation, keras.layers.Dropout):
        return lambda args, kwargs: args[0]
    if isinstance(operation, keras.layers.Dense):
        return _dense_step(operation)
    if isinstance(operation, keras.layers.Add):
        return lambda args, kwargs: (tf.add_n([x for x, _ in args[0]]), args[0][0][1])
    if isinstance(operation, keras.layers.LayerNormalization):
        return _layer_norm_step(operation)
    if isinstance(operation, keras.layers.MultiHeadAttention):
        return _attention_step(operation)
    if isinstance(operation, keras.layers.Bidirectional):
        return _bidirectional_step(operation)
    if isinstance(operation, keras.layers.LSTM | keras.layers.GRU):
        return _recurrent_step(operation)
    if not isinstance(operation, keras.layers.Layer):
        # A Keras op the functional API recorded to compute a mask (NotEqual, Any,
        # LogicalOr): no weights, so it runs as it is on TensorFlow tensors.
        return lambda args, kwargs: (
            operation(*[_tensor(a) for a in args], **{k: _tensor(v) for k, v in kwargs.items()}),
            None,
        )
    raise ValueError(
        f"Cannot export layer {operation.name!r} of type {type(operation).__name__} to TFLite. "
        "Received: a model with layers other than Reshape, ZeroPadding1D, Cropping1D, "
        "Concatenate, Masking, Dense, Dropout, LSTM, GRU, Bidirectional, MultiHeadAttention, "
        "Add, LayerNormalization"
    )


def _dense_step(layer: keras.layers.Dense) -> Step:
    kernel, bias = _constant(layer.kernel), _constant(layer.bias)
    activation = layer.activation

    def step(args, kwargs):
        x, mask = args[0]
        return activation(tf.matmul(x, kernel) + bias), mask

    return step


def _layer_norm_step(layer: keras.layers.LayerNormalization) -> Step:
    if layer.rms_scaling or tuple(layer.axis) not in ((-1,), (2,)):
        raise ValueError(
            "Only layer normalisation over the last axis can be exported. Received: "
            f"{layer.name} with axis={layer.axis}, rms_scaling={layer.rms_scaling}"
        )
    gamma, beta, epsilon = _constant(layer.gamma), _constant(layer.beta), layer.epsilon

    def step(args, kwargs):
        x, mask = args[0]
        mean, variance = tf.nn.moments(x, axes=[-1], keepdims=True)
        return (x - mean) * tf.math.rsqrt(variance + epsilon) * gamma + beta, mask

    return step


def _attention_step(layer: keras.layers.MultiHeadAttention) -> Step:
    """Self-attention with Keras's masking: a row never sees masked steps (or, causal,
    later ones); a masked row's output is never read unmasked downstream."""
    heads, key_dim = layer.num_heads, layer.key_dim
    projections = [
        (_constant(dense.kernel), _constant(dense.bias))
        for dense in (layer.query_dense, layer.key_dense, layer.value_dense)
    ]
    out_kernel, out_bias = _constant(layer.output_dense.kernel), _constant(layer.output_dense.bias)
    width = out_kernel.shape[-1]
    scale = 1.0 / np.sqrt(float(key_dim))

    def split_heads(x, kernel, bias):
        batch, steps = tf.shape(x)[0], tf.shape(x)[1]
        projected = tf.matmul(x, tf.reshape(kernel, [width, -1])) + tf.reshape(bias, [-1])
        return tf.transpose(tf.reshape(projected, [batch, steps, heads, -1]), [0, 2, 1, 3])

    def step(args, kwargs):
        (query, mask), (value, value_mask) = args[0], args[1]
        q, k, v = (split_heads(x, *w) for x, w in zip((query, value, value), projections))
        scores = tf.matmul(q * scale, k, transpose_b=True)  # (batch, heads, query, key)
        steps = tf.shape(query)[1]
        allowed = tf.ones([tf.shape(query)[0], steps, steps], tf.bool)
        if mask is not None:
            allowed = tf.logical_and(allowed, mask[:, :, None])
        if value_mask is not None:
            allowed = tf.logical_and(allowed, value_mask[:, None, :])
        if kwargs.get("use_causal_mask"):
            lower = tf.linalg.band_part(tf.ones([steps, steps]), -1, 0)
            allowed = tf.logical_and(allowed, tf.cast(lower, tf.bool)[None])
        scores += (1.0 - tf.cast(allowed, tf.float32))[:, None] * LARGE_NEGATIVE
        attended = tf.matmul(tf.nn.softmax(scores, axis=-1), v)  # (batch, heads, query, dim)
        batch = tf.shape(query)[0]
        merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [batch, steps, -1])
        return tf.matmul(merged, tf.reshape(out_kernel, [-1, width])) + out_bias, mask

    return step


def _bidirectional_step(layer: keras.layers.Bidirectional) -> Step:
    if layer.merge_mode != "concat":
        raise ValueError(
            "Only Bidirectional layers with merge_mode='concat' can be exported. Received: "
            f"{layer.name} with merge_mode={layer.merge_mode!r}"
        )
    forward = _recurrence(layer.forward_layer)
    backward = _recurrence(layer.backward_layer)

    def step(args, kwargs):
        x, mask = args[0]
        mask = _explicit_mask(kwargs, mask, x)
        return tf.concat([forward(x, mask, False), backward(x, mask, True)], axis=-1), mask

    return step


def _recurrent_step(layer: keras.layers.RNN) -> Step:
    run = _recurrence(layer)

    def step(args, kwargs):
        x, mask = args[0]
        mask = _explicit_mask(kwargs, mask, x)
        return run(x, mask, layer.go_backwards), mask

    return step


def _explicit_mask(kwargs: dict, mask, x) -> tf.Tensor:
    """The mask passed to the call (the functional API records one), else the carried one,
    else every step valid."""
    given = kwargs.get("mask")
    if given is not None:
        return _tensor(given)
    return mask if mask is not None else tf.ones(tf.shape(x)[:2], dtype=tf.bool)


def _recurrence(layer: keras.layers.RNN) -> Callable:
    """(x, mask, reverse) -> outputs of an LSTM or GRU layer with its weights as constants."""
    cell = layer.cell
    if not (cell.use_bias and cell.activation is keras.activations.tanh):
        raise ValueError(
            f"Only recurrent layers with a bias and tanh activation can be exported. "
            f"Received: {layer.name}"
        )
    if cell.recurrent_activation is not keras.activations.sigmoid:
        raise ValueError(
            f"Only recurrent layers with sigmoid gates can be exported. Received: {layer.name}"
        )
    kernel, recurrent, bias = (
        _constant(w) for w in (cell.kernel, cell.recurrent_kernel, cell.bias)
    )
    if isinstance(layer, keras.layers.GRU):
        if not cell.reset_after:
            raise ValueError(f"Only GRUs with reset_after=True can be exported: {layer.name}")
        input_bias, recurrent_bias = bias[0], bias[1]
        return lambda x, mask, reverse: _run(
            x, mask, kernel, input_bias, _GruUpdate(recurrent, recurrent_bias), reverse
        )
    return lambda x, mask, reverse: _run(x, mask, kernel, bias, _lstm_update(recurrent), reverse)


def _lstm_update(recurrent: tf.Tensor) -> Callable:
    def update(projected, h, c):
        z = projected + tf.matmul(h, recurrent)
        i, f, g, o = tf.split(z, 4, axis=-1)
        c_new = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
        return tf.sigmoid(o) * tf.tanh(c_new), c_new

    return update


class _GruUpdate:
    """One GRU step (reset_after=True); its second state is its output again."""

    def __init__(self, recurrent: tf.Tensor, recurrent_bias: tf.Tensor):
        self.recurrent, self.recurrent_bias = recurrent, recurrent_bias

    def __call__(self, projected, h, _):
        x_z, x_r, x_h = tf.split(projected, 3, axis=-1)
        r_z, r_r, r_h = tf.split(tf.matmul(h, self.recurrent) + self.recurrent_bias, 3, axis=-1)
        z = tf.sigmoid(x_z + r_z)
        candidate = tf.tanh(x_h + tf.sigmoid(x_r + r_r) * r_h)
        h_new = z * h + (1.0 - z) * candidate
        return h_new, h_new


def _run(x, mask, kernel, bias, update: Callable, reverse: bool):
    """A recurrence over (batch, steps, dims); masked steps keep the state and output zeros.
    `update(projected input, h, c) -> (h, c)` is one step of the cell (a GRU's c is its h)."""
    batch = x.shape[0]
    units = bias.shape[-1] // (3 if isinstance(update, _GruUpdate) else 4)
    inputs = tf.transpose(tf.matmul(x, kernel) + bias, [1, 0, 2])
    keep = tf.transpose(mask, [1, 0])
    if reverse:
        inputs, keep = tf.reverse(inputs, [0]), tf.reverse(keep, [0])
    count = tf.shape(inputs)[0]
    outputs = tf.TensorArray(tf.float32, size=count, element_shape=tf.TensorShape([batch, units]))
    zeros = tf.zeros([batch, units])

    def body(t, h, c, outputs):
        h_new, c_new = update(inputs[t], h, c)
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
