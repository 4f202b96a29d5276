"""Streaming transcription: audio in pieces of any size, partial text as it arrives, and a
final text equal to the offline transcription of the same audio.

A model streams when it reads left to right (`model.bidirectional=false`, any
`model.lookahead_frames`) and its features are causal (`features.normalize_scope=running`: no
feature depends on audio later than the analysis window and the delta width). Then every
stage can run piece by piece and give the numbers the offline path gives:

- `StreamingFeatures`: the MFCC frames of `compute_mfcc`, each computed as soon as its window
  (`n_fft // 2` samples ahead) and its delta window (4 frames ahead) are there; the last frames
  when the stream ends, as the offline edge rule does. Running normalisation continues across
  pieces (`RunningNormalizer`).
- `StreamingNetwork`: stacks frames into model steps, waits `lookahead_frames` steps for the
  right context, and runs the recurrent layers with their states carried between pieces.

Latency from a sample to the step that first reads it: the window's half (16 ms at 16 kHz),
4 delta frames (40 ms), up to one step's stacking, and `lookahead_frames` steps.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from speech_lstm.decoding import DecoderConfig
from speech_lstm.decoding.decoder import Decoder
from speech_lstm.decoding.greedy import greedy_decode
from speech_lstm.features import MfccConfig, RunningNormalizer, mfcc_deltas, static_mfcc
from speech_lstm.inference.model_dir import TrainedModel, load_model_dir
from speech_lstm.model.config import ModelConfig

DELTA_WIDTH = 9  # `mfcc_deltas`'s window, in frames
DELTA_HALF = DELTA_WIDTH // 2

__all__ = ["StreamingFeatures", "StreamingNetwork", "StreamingTranscriber", "check_streamable"]


def check_streamable(features: MfccConfig, model: ModelConfig) -> None:
    """Raises ValueError naming every setting that stops a model from streaming."""
    problems = []
    if model.bidirectional:
        problems.append("model.bidirectional=true (train with model.bidirectional=false)")
    if model.attention_heads:
        problems.append(
            f"model.attention_heads={model.attention_heads} (streaming attention is not built; "
            "train with model.attention_heads=0)"
        )
    if not features.is_causal:
        problems.append(
            f"features.normalize_scope={features.normalize_scope!r} (needs the whole utterance; "
            "train with features.normalize_scope=running)"
        )
    if problems:
        raise ValueError("This model cannot stream. Received: " + "; ".join(problems))


class StreamingFeatures:
    """`compute_mfcc` of a waveform that arrives in pieces, frame by frame.

    Each call to `accept` returns the (frames, dims) features that became final; `finish`
    returns the rest. Their concatenation equals `compute_mfcc(whole waveform)` for a causal
    config (`config.is_causal`), up to float rounding.

    Args:
        config: the model's front end; its `sample_rate` is the rate of the samples given.
    """

    def __init__(self, config: MfccConfig):
        if not config.is_causal:
            raise ValueError(
                "Streaming features need the causal front end. Received: "
                f"normalize_scope={config.normalize_scope!r}; use normalize_scope=running"
            )
        self.config = config
        self.n_fft = 1 << (config.win_length - 1).bit_length()
        self.hop = config.hop_length
        # Audio from the first sample the next static frame reads; centred framing starts
        # with n_fft // 2 zeros.
        self._audio = np.zeros(self.n_fft // 2, dtype=np.float32)
        self._samples = 0  # samples received
        self._static = np.zeros((config.n_mfcc, 0), dtype=np.float32)  # kept static frames
        self._static_offset = 0  # index of self._static's first column
        self._emitted = 0  # feature frames returned
        self._normalizer = RunningNormalizer(config.feature_dim) if config.normalize else None
        self.finished = False

    def accept(self, samples: np.ndarray) -> np.ndarray:
        """Takes the next samples (mono floats at `config.sample_rate`); returns the features
        that are final now, shape (frames, dims), possibly none."""
        if self.finished:
            raise ValueError("This stream has finished; start a new one. Received: more audio")
        samples = check_samples(samples)
        self._samples += len(samples)
        self._audio = np.concatenate([self._audio, samples])
        self._add_static(self._ready_static_frames())
        ready = self._total_static - DELTA_HALF if self._total_static >= DELTA_WIDTH else 0
        return self._emit(ready)

    def finish(self) -> np.ndarray:
        """Ends the stream; returns the remaining features (none if no audio came)."""
        if self.finished:
            raise ValueError("This stream has already finished. Received: a second finish()")
        self.finished = True
        if not self._samples:
            return np.zeros((0, self.config.feature_dim), dtype=np.float32)
        total = 1 + self._samples // self.hop
        self._audio = np.concatenate([self._audio, np.zeros(self.n_fft // 2, np.float32)])
        self._add_static(total - self._total_static)
        return self._emit(total)

    @property
    def _total_static(self) -> int:
        return self._static_offset + self._static.shape[1]

    def _ready_static_frames(self) -> int:
        """Static frames whose whole window has arrived and that are not computed yet."""
        available = len(self._audio)  # counted from the next static frame's first sample
        return max(0, (available - self.n_fft) // self.hop + 1)

    def _add_static(self, count: int) -> None:
        if count <= 0:
            return
        span = (count - 1) * self.hop + self.n_fft
        frames = static_mfcc(self._audio[:span], self.config, center=False)[:, :count]
        self._static = np.concatenate([self._static, frames], axis=1)
        self._audio = self._audio[count * self.hop :]

    def _emit(self, end: int) -> np.ndarray:
        """Feature frames self._emitted .. end-1, their deltas from the kept static frames."""
        start = self._emitted
        if end <= start:
            return np.zeros((0, self.config.feature_dim), dtype=np.float32)
        total = self._total_static
        # A window of at least DELTA_WIDTH frames (all of them below that), which starts at
        # the utterance's first frame or DELTA_HALF before `start`: its frames start..end-1
        # have the deltas of the whole utterance.
        low = max(0, min(start - DELTA_HALF, total - DELTA_WIDTH))
        window = self._static[:, low - self._static_offset :]
        stacked = np.concatenate([window, *mfcc_deltas(window, self.config)], axis=0).T
        frames = stacked[start - low : end - low]
        self._emitted = end
        keep_from = max(0, min(end - DELTA_HALF, total - DELTA_WIDTH))
        self._static = self._static[:, keep_from - self._static_offset :]
        self._static_offset = keep_from
        if self._normalizer is not None:
            frames = self._normalizer(frames)
        return np.ascontiguousarray(frames, dtype=np.float32)


def check_samples(samples: np.ndarray) -> np.ndarray:
    """The samples as a float32 (samples,) array; ValueError for other shapes or non-finite
    values."""
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError(f"Expected mono samples of shape (samples,). Received: {samples.shape}")
    if not np.issubdtype(samples.dtype, np.floating):
        raise ValueError(
            "Expected float samples in [-1, 1] (convert PCM16 with / 32768). Received: "
            f"dtype {samples.dtype}"
        )
    if not np.isfinite(samples).all():
        raise ValueError(f"Received {int((~np.isfinite(samples)).sum())} NaN or infinite samples")
    return samples.astype(np.float32, copy=False)


class StreamingNetwork:
    """The acoustic model run on feature frames as they come, its recurrent states carried.

    `accept(frames)` returns the logits of the model steps that became final, (steps, vocab);
    `finish()` the rest. Their concatenation equals the offline model's logits on the whole
    utterance's features (zero-padded to a multiple of `subsampling`), up to float rounding.

    Args:
        acoustic_model: the model of a streamable model directory (see `check_streamable`).
        config: its shape.
    """

    def __init__(self, acoustic_model: keras.Model, config: ModelConfig):
        if config.bidirectional or config.attention_heads:
            raise ValueError(
                "Only unidirectional models without attention stream. Received: "
                f"bidirectional={config.bidirectional}, attention_heads={config.attention_heads}"
            )
        self.config = config
        self.feature_dim = acoustic_model.input_shape[-1]
        self.projection = (
            acoustic_model.get_layer("projection") if config.projection_units else None
        )
        self.recurrent = [
            _with_states(acoustic_model.get_layer(f"{config.cell}_{index}"))
            for index in range(config.num_layers)
        ]
        self.output = acoustic_model.get_layer("logits")
        states_per_layer = 2 if config.cell == "lstm" else 1
        self._state_shapes = [(1, config.units)] * (states_per_layer * config.num_layers)
        width = self.feature_dim * config.subsampling * (config.lookahead_frames + 1)
        signature = [
            tf.TensorSpec((1, None, width), tf.float32),
            tf.TensorSpec((1, None), tf.bool),
            [tf.TensorSpec(shape, tf.float32) for shape in self._state_shapes],
        ]
        self._step = tf.function(self._forward, input_signature=signature)
        self.reset()

    def reset(self) -> None:
        """Starts a new stream: zero states, nothing queued."""
        self._states = [np.zeros(shape, np.float32) for shape in self._state_shapes]
        self._frames = np.zeros((0, self.feature_dim), dtype=np.float32)  # not yet stacked
        self._steps = np.zeros((0, self.feature_dim * self.config.subsampling), np.float32)
        self.finished = False

    def _forward(self, x, mask, states):
        """(1, steps, width) inputs, their mask and the carried states -> logits, new states;
        traced once (`tf.function`), so the recurrent loop runs as a graph."""
        if self.projection is not None:
            x = self.projection(x)
        new_states = []
        per_layer = len(states) // len(self.recurrent)
        for index, layer in enumerate(self.recurrent):
            initial = list(states[index * per_layer : (index + 1) * per_layer])
            x, *carried = layer(x, initial_state=initial, mask=mask, training=False)
            new_states += carried
        return self.output(x), new_states

    def accept(self, frames: np.ndarray) -> np.ndarray:
        """Takes (frames, dims) features; returns the (steps, vocab) logits now final."""
        if self.finished:
            raise ValueError("This stream has finished; start a new one. Received: more frames")
        self._frames = np.concatenate([self._frames, frames])
        whole = len(self._frames) // self.config.subsampling * self.config.subsampling
        self._add_steps(self._frames[:whole])
        self._frames = self._frames[whole:]
        return self._run(len(self._steps) - self.config.lookahead_frames)

    def finish(self) -> np.ndarray:
        """Ends the stream; returns the logits of the remaining steps."""
        if self.finished:
            raise ValueError("This stream has already finished. Received: a second finish()")
        self.finished = True
        if len(self._frames):
            extra = -len(self._frames) % self.config.subsampling
            self._add_steps(np.pad(self._frames, ((0, extra), (0, 0))))
        pending = len(self._steps)
        future = np.zeros((self.config.lookahead_frames, self._steps.shape[1]), np.float32)
        self._steps = np.concatenate([self._steps, future])
        return self._run(pending)

    def _add_steps(self, frames: np.ndarray) -> None:
        stacked = frames.reshape(-1, self.feature_dim * self.config.subsampling)
        self._steps = np.concatenate([self._steps, stacked])

    def _run(self, count: int) -> np.ndarray:
        """Logits of the first `count` pending steps (each with its look-ahead), which then
        leave the queue."""
        if count <= 0:
            return np.zeros((0, self.output.units), dtype=np.float32)
        ahead = self.config.lookahead_frames
        views = [self._steps[shift : shift + count] for shift in range(ahead + 1)]
        inputs = np.concatenate(views, axis=1)
        self._steps = self._steps[count:]
        x = inputs[None]
        logits, states = self._step(x, np.any(x != 0.0, axis=-1), self._states)
        self._states = [state.numpy() for state in states]
        return logits.numpy()[0]


def _with_states(layer: keras.layers.RNN) -> keras.layers.RNN:
    """A copy of a recurrent layer that also returns its final states, with its weights."""
    copy = type(layer).from_config({**layer.get_config(), "return_state": True})
    copy.build((None, None, layer.cell.kernel.shape[0]))
    copy.set_weights(layer.get_weights())
    return copy


class StreamingTranscriber:
    """Transcribes one stream of audio as it arrives.

    Args:
        trained: a streamable model directory (`check_streamable`: unidirectional, no
            attention, `features.normalize_scope=running`).
        decoder: how `finish` decodes the whole stream (greedy by default, so that the final
            text is the offline greedy transcription); partial texts are always greedy.

    Example:
        >>> stream = StreamingTranscriber.load("outputs/stream/model")  # doctest: +SKIP
        >>> for piece in pieces:  # doctest: +SKIP
        ...     print(stream.accept(piece))  # the text so far
        >>> stream.finish()  # doctest: +SKIP
    """

    def __init__(self, trained: TrainedModel, decoder: DecoderConfig | None = None):
        check_streamable(trained.features, trained.model_config)
        self.trained = trained
        self.sample_rate = trained.features.sample_rate
        decoder = decoder or DecoderConfig("greedy")
        lm = trained.language_model(decoder.lm_path) if decoder.type == "beam_lm" else None
        self._decoder = Decoder(decoder, trained.vocabulary, lm)
        self.network = StreamingNetwork(trained.acoustic_model, trained.model_config)
        self.reset()

    @classmethod
    def load(cls, model_dir: str | Path, decoder: DecoderConfig | None = None):
        """Opens a model directory (no code from it runs; see `load_model_dir`)."""
        with_lm = decoder is not None and decoder.type == "beam_lm"
        return cls(load_model_dir(model_dir, with_lm=with_lm), decoder)

    def reset(self) -> None:
        """Starts a new stream (the network and its traced step are kept)."""
        self.features = StreamingFeatures(self.trained.features)
        self.network.reset()
        self._logits: list[np.ndarray] = []
        self.samples = 0

    @property
    def steps(self) -> int:
        """Model steps computed so far."""
        return sum(len(logits) for logits in self._logits)

    def accept(self, samples: np.ndarray) -> str:
        """Takes the next samples (mono floats in [-1, 1] at `sample_rate`, any count);
        returns the greedy text of everything computed so far."""
        frames = self.features.accept(samples)
        self.samples += len(samples)
        self._logits.append(self.network.accept(frames))
        return self.partial_text()

    def finish(self) -> str:
        """Ends the stream and returns its final text; `reset` starts the next one."""
        self._logits.append(self.network.accept(self.features.finish()))
        self._logits.append(self.network.finish())
        logits = np.concatenate(self._logits)
        if not len(logits):
            return ""
        return self._decoder(logits[None], np.asarray([len(logits)]))[0]

    def partial_text(self) -> str:
        """The greedy text of the steps computed so far."""
        logits = np.concatenate(self._logits) if self._logits else np.zeros((0, 1))
        [ids] = greedy_decode(logits[None], np.asarray([len(logits)]))
        return self.trained.vocabulary.decode(ids)
