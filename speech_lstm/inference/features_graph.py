"""The MFCC front end of `speech_lstm.features.compute_mfcc` as TensorFlow ops, so that an
export can take a waveform and compute the model's features inside its graph.

It replays what librosa computes for `compute_mfcc` (the transcription path, `warp=1.0`):
- STFT: centred frames (`n_fft // 2` zeros on each side), a periodic Hann window of
  `win_length` samples centred in `n_fft` (the next power of two), `hop_length` steps, so
  `1 + samples // hop_length` frames;
- power spectrum through librosa's own mel filterbank (Slaney), embedded as a constant;
- `power_to_db` (ref 1.0, amin 1e-10), clipped 80 dB below the utterance's maximum;
- orthonormal DCT-II, the first `n_mfcc` coefficients;
- deltas and delta-deltas: librosa's Savitzky-Golay filter (`mode="interp"`: at each edge, a
  polynomial fitted to the first or last `width` frames), width 9, or the longest odd width for
  utterances of 3 to 8 frames, zeros below 3 frames; the linear maps are librosa's own, taken
  by applying `librosa.feature.delta` to identity matrices;
- mean and variance normalisation over the utterance; or, for the causal front end
  (`normalize_scope="running"`), no dB clipping and cumulative normalisation.
One utterance at a time: the normalisation, the dB clipping and the delta edges all depend on
where the utterance ends. `tests/test_waveform_export.py` checks it against `compute_mfcc`.
"""

from __future__ import annotations

import numpy as np
import scipy.fft
import tensorflow as tf

from speech_lstm.features import NORMALIZE_EPSILON, RUNNING_EPSILON, MfccConfig
from speech_lstm.librosa_loader import load_librosa

DELTA_WIDTH = 9  # compute_mfcc's widest delta window
AMIN = 1e-10  # librosa.power_to_db's floor
TOP_DB = 80.0  # librosa.power_to_db's range below the maximum


def delta_operators(order: int) -> dict[int, np.ndarray]:
    """{frames: (frames, frames) matrix D} with `D @ x` = `compute_mfcc`'s delta of `order` of a
    (frames, dims) array x, for frames 1 .. DELTA_WIDTH (zeros below 3 frames)."""
    librosa = load_librosa()  # here, where used: see features.static_mfccs

    operators = {}
    for frames in range(1, DELTA_WIDTH + 1):
        if frames < 3:
            operators[frames] = np.zeros((frames, frames))
            continue
        width = min(DELTA_WIDTH, frames if frames % 2 else frames - 1)
        identity = np.eye(frames)
        operators[frames] = librosa.feature.delta(identity, width=width, order=order, axis=0)
    return operators


class MfccGraph:
    """`compute_mfcc(waveform, config.sample_rate, config)` in TensorFlow ops.

    Call it inside a `tf.function` with a (samples,) float32 waveform at `config.sample_rate`;
    it returns (1 + samples // hop_length, config.feature_dim) features. Its ops convert to
    TFLite's built-in operators.

    Raises:
        ValueError: when the features are normalised per speaker, which needs statistics over
            many recordings that a single-waveform graph does not have.
    """

    def __init__(self, config: MfccConfig):
        if config.normalizes_per_speaker:
            raise ValueError(
                "A waveform export computes features one recording at a time, so it cannot "
                "normalise per speaker. Received: features.normalize_scope='speaker'; export "
                "the features-input model instead (waveform=false)."
            )
        librosa = load_librosa()  # see delta_operators

        self.config = config
        self.n_fft = 1 << (config.win_length - 1).bit_length()
        window = librosa.filters.get_window("hann", config.win_length, fftbins=True)
        self._window = tf.constant(librosa.util.pad_center(window, size=self.n_fft), tf.float32)
        mel = librosa.filters.mel(
            sr=config.sample_rate,
            n_fft=self.n_fft,
            n_mels=config.n_mels,
            fmin=config.fmin,
            fmax=config.fmax,
        )
        self._mel = tf.constant(mel.T, tf.float32)  # (bins, n_mels)
        dct = scipy.fft.dct(np.eye(config.n_mels), type=2, norm="ortho", axis=0)
        self._dct = tf.constant(dct[: config.n_mfcc].T, tf.float32)  # (n_mels, n_mfcc)
        self._deltas = [self._delta_constants(order) for order in range(1, config.deltas + 1)]

    @staticmethod
    def _delta_constants(order: int) -> dict[str, tf.Tensor]:
        operators = delta_operators(order)
        full = operators[DELTA_WIDTH]
        half = DELTA_WIDTH // 2
        short = np.zeros((DELTA_WIDTH, DELTA_WIDTH - 1, DELTA_WIDTH - 1))
        for frames in range(1, DELTA_WIDTH):
            short[frames, :frames, :frames] = operators[frames]
        return {
            "head": tf.constant(full[:half], tf.float32),  # (half, width) on the first frames
            "centre": tf.constant(full[half], tf.float32),  # (width,) weights of the interior
            "tail": tf.constant(full[half + 1 :], tf.float32),  # (half, width) on the last
            "short": tf.constant(short, tf.float32),  # [frames] -> operator, padded
        }

    def __call__(self, waveform: tf.Tensor) -> tf.Tensor:
        config = self.config
        padded = tf.pad(waveform, [[self.n_fft // 2, self.n_fft // 2]])
        frames = tf.signal.frame(padded, self.n_fft, config.hop_length) * self._window
        power = tf.square(tf.abs(tf.signal.rfft(frames)))  # (frames, bins)
        mel = tf.matmul(power, self._mel)
        decibels = 10.0 * tf.math.log(tf.maximum(mel, AMIN)) / np.log(10.0)
        if not config.is_causal:
            decibels = tf.maximum(decibels, tf.reduce_max(decibels) - TOP_DB)
        mfcc = tf.matmul(decibels, self._dct)  # (frames, n_mfcc)
        stacked = tf.concat([mfcc] + [_delta(mfcc, c) for c in self._deltas], axis=-1)
        if not config.normalize:
            return stacked
        if config.is_causal:
            return _running_normalize(stacked)
        mean = tf.reduce_mean(stacked, axis=0)
        deviation = tf.sqrt(tf.reduce_mean(tf.square(stacked - mean), axis=0))
        return (stacked - mean) / (deviation + NORMALIZE_EPSILON)


def _running_normalize(x: tf.Tensor) -> tf.Tensor:
    """`features.RunningNormalizer` over (frames, dims) `x`: each frame by the mean and
    deviation of the frames up to it (in float32, where the Python path sums in float64)."""
    counts = tf.cast(tf.range(1, tf.shape(x)[0] + 1), tf.float32)[:, None]
    x = x - x[:1]  # sums of differences from the first frame, as the Python path
    mean = tf.cumsum(x, axis=0) / counts
    variance = tf.maximum(tf.cumsum(tf.square(x), axis=0) / counts - tf.square(mean), 0.0)
    return (x - mean) / (tf.sqrt(variance) + RUNNING_EPSILON)


def _delta(x: tf.Tensor, constants: dict[str, tf.Tensor]) -> tf.Tensor:
    """The Savitzky-Golay delta of (frames, dims) `x` along frames (see `delta_operators`)."""
    count = tf.shape(x)[0]

    def long() -> tf.Tensor:
        centre = constants["centre"]
        interior = sum(centre[j] * x[j : count - (DELTA_WIDTH - 1) + j] for j in range(DELTA_WIDTH))
        head = tf.matmul(constants["head"], x[:DELTA_WIDTH])
        tail = tf.matmul(constants["tail"], x[count - DELTA_WIDTH :])
        return tf.concat([head, interior, tail], axis=0)

    def short() -> tf.Tensor:
        operator = tf.gather(constants["short"], tf.minimum(count, DELTA_WIDTH - 1))
        filled = tf.pad(x, [[0, DELTA_WIDTH - 1 - count], [0, 0]])
        return tf.matmul(operator, filled)[:count]

    return tf.cond(count >= DELTA_WIDTH, long, short)
