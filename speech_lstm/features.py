"""MFCC features: one pure function used by training, transcription and evaluation alike."""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from speech_lstm.atomic import write_text
from speech_lstm.librosa_loader import load_librosa

NORMALIZE_SCOPES = ("utterance", "speaker", "running")
NORMALIZE_EPSILON = 1e-5  # added to the deviation, so that a constant dimension stays finite
# Added to the running deviation (`RunningNormalizer`), in the features' own units (on speech a
# raw dimension's deviation is 0.7 to 165): while few frames have been seen, frames that differ
# by rounding only (digital silence) would otherwise be scaled up to unit size.
RUNNING_EPSILON = 0.1


@dataclass
class MfccConfig:
    """Settings of the MFCC front end; saved in every model directory.

    Attributes:
        sample_rate: audio is resampled to this rate (Hz) before analysis.
        n_mfcc: cepstral coefficients per frame.
        n_mels: mel filters.
        win_length_ms: analysis window length.
        hop_length_ms: step between frames.
        fmin: lowest mel filter frequency (Hz).
        fmax: highest mel filter frequency (Hz); null means sample_rate / 2.
        deltas: 0 for static coefficients only, 1 adds deltas, 2 adds delta-deltas.
        normalize: mean and variance normalisation of each dimension (CMVN).
        normalize_scope: what the normalisation statistics are pooled over. "utterance": the
            utterance itself, done inside `compute_mfcc`. "speaker": all the audio of one
            speaker (Kaldi's CMVN with utt2spk), applied by the caller with
            `FeatureStatistics`; `compute_mfcc` then returns unnormalised features. A short
            utterance's own mean is partly the word it says; a speaker's mean is the voice
            and the microphone, which is what normalisation should remove. Audio without a
            speaker label is its own speaker. "running": the causal front end of streaming
            models (`speech_lstm.inference.streaming`): frame t is normalised with the mean and
            deviation of frames 0..t (cumulative CMVN, `RunningNormalizer`), and the decibels
            are not clipped 80 dB below the utterance's loudest frame (which needs the whole
            utterance), so a frame's features never depend on audio more than a window and
            the delta width ahead; offline and streaming compute the same features.
    """

    sample_rate: int = 16000
    n_mfcc: int = 13
    n_mels: int = 40
    win_length_ms: float = 25.0
    hop_length_ms: float = 10.0
    fmin: float = 20.0
    fmax: float | None = None
    deltas: int = 2
    normalize: bool = True
    normalize_scope: str = "utterance"

    def __post_init__(self) -> None:
        if self.normalize_scope not in NORMALIZE_SCOPES:
            raise ValueError(
                f"normalize_scope must be one of {NORMALIZE_SCOPES}. "
                f"Received: {self.normalize_scope!r}"
            )
        if self.deltas not in (0, 1, 2):
            raise ValueError(f"deltas must be 0, 1 or 2. Received: {self.deltas}")
        if self.n_mfcc < 1 or self.n_mels < self.n_mfcc:
            raise ValueError(
                f"Need 1 <= n_mfcc <= n_mels. Received: n_mfcc={self.n_mfcc}, n_mels={self.n_mels}"
            )

    @property
    def normalizes_per_speaker(self) -> bool:
        """True when callers must normalise with a speaker's `FeatureStatistics`."""
        return self.normalize and self.normalize_scope == "speaker"

    @property
    def is_causal(self) -> bool:
        """True for the streaming front end (`normalize_scope="running"`): no feature depends
        on where the utterance ends, except the delta edge of its last frames."""
        return self.normalize_scope == "running"

    @property
    def feature_dim(self) -> int:
        """Values per frame."""
        return self.n_mfcc * (1 + self.deltas)

    @property
    def hop_length(self) -> int:
        """Frame step in samples."""
        return int(round(self.sample_rate * self.hop_length_ms / 1000))

    @property
    def win_length(self) -> int:
        """Window length in samples."""
        return int(round(self.sample_rate * self.win_length_ms / 1000))

    def save(self, path: str | Path) -> None:
        """Writes the settings as JSON."""
        write_text(path, json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> MfccConfig:
        """Reads settings written by `save`."""
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))


def compute_mfcc(
    waveform: np.ndarray, sample_rate: int, config: MfccConfig, warp: float = 1.0
) -> np.ndarray:
    """MFCCs (plus deltas) of a mono waveform: `compute_mfccs` at one warp.

    Args:
        waveform: float array of shape (samples,).
        sample_rate: rate of `waveform` in Hz; resampled to `config.sample_rate` if different.
        config: the front-end settings.
        warp: vocal-tract-length perturbation for training copies: the power spectrum is
            stretched along frequency by this factor before the mel filters (see
            `warp_spectrum`); 1.0, the default, is what transcription uses unless asked for
            a warp search (`speech_lstm.inference.warp_search`).

    Returns:
        float32 array of shape (frames, config.feature_dim), frames = 1 + samples // hop;
        normalised per utterance, cumulatively (`normalize_scope="running"`), or not at all
        when `config.normalizes_per_speaker`.
    """
    return compute_mfccs(waveform, sample_rate, config, (warp,))[0]


def compute_mfccs(
    waveform: np.ndarray, sample_rate: int, config: MfccConfig, warps: Sequence[float]
) -> list[np.ndarray]:
    """`compute_mfcc` of one waveform at each of `warps` (a warp search's readings), resampled
    and transformed (STFT) once for all of them."""
    if waveform.ndim != 1:
        raise ValueError(
            f"Expected a mono waveform of shape (samples,). Received: {waveform.shape}"
        )
    if waveform.size == 0:
        raise ValueError("Cannot compute features of an empty waveform. Received: 0 samples")
    if not np.isfinite(waveform).all():
        raise ValueError(
            "Cannot compute features of a waveform with NaN or infinite samples (a corrupt "
            f"float WAV?). Received: {int((~np.isfinite(waveform)).sum())} such samples"
        )
    if sample_rate != config.sample_rate:
        librosa = load_librosa()  # see static_mfcc

        waveform = librosa.resample(waveform, orig_sr=sample_rate, target_sr=config.sample_rate)
    return [_with_deltas(static, config) for static in static_mfccs(waveform, config, warps)]


def _with_deltas(static: np.ndarray, config: MfccConfig) -> np.ndarray:
    """(frames, feature_dim) features from (n_mfcc, frames) coefficients: deltas appended,
    then normalised as `config` says."""
    frames = np.concatenate([static, *mfcc_deltas(static, config)], axis=0).T
    if config.normalize and config.normalize_scope == "utterance":
        frames = (frames - frames.mean(axis=0)) / (frames.std(axis=0) + NORMALIZE_EPSILON)
    elif config.normalize and config.is_causal:
        frames = RunningNormalizer(config.feature_dim)(frames)
    return np.ascontiguousarray(frames, dtype=np.float32)


def static_mfcc(
    waveform: np.ndarray, config: MfccConfig, warp: float = 1.0, center: bool = True
) -> np.ndarray:
    """The cepstral coefficients (n_mfcc, frames) of a waveform at `config.sample_rate`:
    `static_mfccs` at one warp."""
    return static_mfccs(waveform, config, (warp,), center)[0]


def static_mfccs(
    waveform: np.ndarray, config: MfccConfig, warps: Sequence[float], center: bool = True
) -> list[np.ndarray]:
    """The cepstral coefficients (n_mfcc, frames) at each of `warps`, from one STFT.

    `center=True` is `compute_mfcc`'s framing (`n_fft // 2` zeros on each side, 1 + samples //
    hop frames); `center=False` frames the samples as given, which the streaming front end uses
    on audio it has padded itself (only for a causal config, whose frames are independent).
    """
    # librosa is loaded where it is used, not with this module: its import (scipy.signal,
    # numba's compiled functions) is 2.5 s of CPU that a transcription job spends in its
    # feature workers while the main process loads TensorFlow (inference.featurize).
    librosa = load_librosa()

    n_fft = 1 << (config.win_length - 1).bit_length()
    waveform = waveform.astype(np.float32)
    stft = librosa.stft(
        waveform,
        n_fft=n_fft,
        hop_length=config.hop_length,
        win_length=config.win_length,
        center=center,
        pad_mode="constant",
    )
    power = np.abs(stft) ** 2
    top_db = None if config.is_causal else 80.0
    coefficients = []
    for warp in warps:
        mel = librosa.feature.melspectrogram(
            S=power if warp == 1.0 else warp_spectrum(power, warp),
            sr=config.sample_rate,
            n_fft=n_fft,
            n_mels=config.n_mels,
            fmin=config.fmin,
            fmax=config.fmax,
        )
        db = librosa.power_to_db(mel, top_db=top_db)
        coefficients.append(librosa.feature.mfcc(S=db, n_mfcc=config.n_mfcc))
    return coefficients


def mfcc_deltas(static: np.ndarray, config: MfccConfig) -> list[np.ndarray]:
    """The `config.deltas` delta orders of (n_mfcc, frames) coefficients, each of their shape:
    librosa's Savitzky-Golay filter 9 frames wide (narrower for utterances under 9 frames, zeros
    under 3). Frame t depends on frames t-4 .. t+4, and each of the first and last four on the
    first or last nine frames (`mode="interp"`)."""
    librosa = load_librosa()  # see static_mfcc

    frames = static.shape[1]
    if frames < 3:
        return [np.zeros_like(static)] * config.deltas
    width = min(9, frames if frames % 2 else frames - 1)
    orders = range(1, config.deltas + 1)
    return [librosa.feature.delta(static, order=order, width=width) for order in orders]


class RunningNormalizer:
    """Cumulative mean and variance normalisation: each frame is shifted and scaled by the
    statistics of every frame up to and including it, accumulated across calls, so an
    utterance normalised piece by piece equals the utterance normalised whole.

    The first frame becomes zeros (its own mean); the scale settles as frames accumulate;
    `RUNNING_EPSILON` keeps near-constant stretches near zero.
    The sums are of differences from the first frame, which keeps them small (a raw c0 is
    hundreds of dB-units) and exact for repeated frames such as digital silence, so that a
    float32 implementation (the waveform export's) agrees.
    """

    def __init__(self, dim: int):
        self.count = 0
        self.origin = np.zeros(dim)
        self.total = np.zeros(dim)
        self.squares = np.zeros(dim)

    def __call__(self, frames: np.ndarray) -> np.ndarray:
        """The (frames, dim) array normalised, the statistics updated with it."""
        values = np.asarray(frames, dtype=np.float64)
        if not len(values):
            return np.zeros(values.shape, dtype=np.float32)
        if not self.count:
            self.origin = values[0].copy()
        shifted = values - self.origin
        counts = self.count + np.arange(1, len(values) + 1)[:, None]
        totals = self.total + np.cumsum(shifted, axis=0)
        squares = self.squares + np.cumsum(shifted**2, axis=0)
        self.count, self.total, self.squares = int(counts[-1, 0]), totals[-1], squares[-1]
        mean = totals / counts
        deviation = np.sqrt(np.maximum(squares / counts - mean**2, 0.0))
        scaled = (shifted - mean) / (deviation + RUNNING_EPSILON)
        return np.ascontiguousarray(scaled, dtype=np.float32)


def warp_spectrum(power: np.ndarray, warp: float, boundary: float = 0.8) -> np.ndarray:
    """Vocal-tract-length perturbation (Jaitly and Hinton, 2013) of a (bins, frames) power
    spectrogram: frequencies scale by `warp` up to `boundary` of the band, then piecewise
    linearly so that the top of the band maps onto itself (a longer vocal tract, warp < 1,
    lowers the formants)."""
    bins = np.arange(power.shape[0], dtype=np.float64)
    top = bins[-1]
    knee = boundary * top * min(warp, 1.0)  # where the output leaves the linear part
    # Output bin b shows input frequency source[b]: the inverse of the warp.
    source = np.where(
        bins <= knee,
        bins / warp,
        knee / warp + (bins - knee) * (top - knee / warp) / (top - knee),
    )
    return np.stack([np.interp(source, bins, frame) for frame in power.T], axis=1)


@dataclass
class FeatureStatistics:
    """Per-dimension count, sum and sum of squares of feature frames: one speaker's mean and
    deviation, accumulated file by file."""

    dim: int
    count: int = 0
    total: np.ndarray = field(init=False)
    squares: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.total = np.zeros(self.dim)
        self.squares = np.zeros(self.dim)

    def add(self, frames: np.ndarray) -> None:
        """Counts the (frames, dim) array in."""
        values = np.asarray(frames, dtype=np.float64)
        self.count += len(values)
        self.total += values.sum(axis=0)
        self.squares += (values**2).sum(axis=0)

    def normalize(self, frames: np.ndarray) -> np.ndarray:
        """`frames` shifted to this mean and scaled to unit deviation; unchanged when empty."""
        if not self.count:
            return np.asarray(frames, dtype=np.float32)
        mean = self.total / self.count
        deviation = np.sqrt(np.maximum(self.squares / self.count - mean**2, 0.0))
        scaled = (frames - mean) / (deviation + NORMALIZE_EPSILON)
        return np.ascontiguousarray(scaled, dtype=np.float32)


def pooled_statistics(
    features: Iterable[np.ndarray], groups: Sequence[Hashable], dim: int
) -> list[FeatureStatistics]:
    """For each (frames, dim) array, the statistics pooled over every array of its group."""
    pooled = {group: FeatureStatistics(dim) for group in groups}
    for frames, group in zip(features, groups, strict=True):
        pooled[group].add(frames)
    return [pooled[group] for group in groups]


def normalize_by_speaker(
    features: Sequence[np.ndarray], speakers: Sequence[Hashable]
) -> list[np.ndarray]:
    """Each (frames, dim) array normalised with the statistics of all arrays of its speaker."""
    dim = features[0].shape[1] if features else 0
    statistics = pooled_statistics(features, speakers, dim)
    return [s.normalize(f) for s, f in zip(statistics, features)]


def num_frames(num_samples: int, config: MfccConfig) -> int:
    """Frames `compute_mfcc` returns for a waveform of `num_samples` at the config's rate."""
    return 1 + num_samples // config.hop_length
