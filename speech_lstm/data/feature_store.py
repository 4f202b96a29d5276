"""Features of a whole manifest computed once, kept on disk and memory-mapped.

A store is keyed by the feature settings and the manifest's contents, so a changed front
end or a changed manifest builds a new store by itself, and a second run reuses the first's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
from collections.abc import Hashable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from speech_lstm.audio import AudioError, AudioSpan, load_audio, load_span
from speech_lstm.data.augment.variants import (
    ORIGINAL,
    SPEED_RESAMPLER,
    AudioVariant,
    apply_variant,
)
from speech_lstm.data.manifest import Utterance
from speech_lstm.features import FeatureStatistics, MfccConfig, compute_mfcc, pooled_statistics
from speech_lstm.parallel import audio_executor

log = logging.getLogger(__name__)


class FeatureStore:
    """Read-only features of one manifest: all frames in `frames.f32`, cut by `offsets.npy`."""

    def __init__(self, directory: Path):
        self.directory = directory
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        self.offsets = np.load(directory / "offsets.npy")
        self.failed: dict[str, str] = meta["failed"]
        self.n_mfcc: int | None = meta.get("n_mfcc")
        shape = (int(self.offsets[-1]), int(meta["feature_dim"]))
        self.frames = (
            np.memmap(directory / "frames.f32", dtype=np.float32, mode="r", shape=shape)
            if shape[0]
            else np.zeros(shape, dtype=np.float32)
        )
        self._statistics: list[FeatureStatistics] | None = None

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def normalize_by_group(self, groups: Sequence[Hashable]) -> None:
        """From now on, `features` normalises each entry with the statistics of all entries of
        its group (one group per speaker and audio variant for speaker-level CMVN)."""
        if len(groups) != len(self):
            raise ValueError(f"Need one group per entry ({len(self)}). Received: {len(groups)}")
        stored = (self._stored(index) for index in range(len(self)))
        self._statistics = pooled_statistics(stored, groups, self.frames.shape[1])

    def num_frames(self, index: int) -> int:
        """Frame count of utterance `index` (0 for one that failed to load)."""
        return int(self.offsets[index + 1] - self.offsets[index])

    def features(self, index: int) -> np.ndarray:
        """(frames, dims) features of utterance `index`."""
        if self._statistics is None:
            return self._stored(index)
        return self._statistics[index].normalize(self._stored(index))

    def _stored(self, index: int) -> np.ndarray:
        return np.asarray(self.frames[self.offsets[index] : self.offsets[index + 1]])


def store_key(
    utterances: list[Utterance], config: MfccConfig, variants: tuple[AudioVariant, ...]
) -> str:
    """Hash of the feature settings, the variants and every utterance's path, duration, size,
    and a segment's offset (whole-file rows hash as before segments existed)."""
    settings = {**_feature_settings(config), "variants": [_variant_settings(v) for v in variants]}
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for utterance in utterances:
        path = Path(utterance.audio_filepath)
        size = path.stat().st_size if path.exists() else -1
        segment = "" if utterance.offset is None else f"\t{utterance.offset}"
        digest.update(
            f"{utterance.audio_filepath}\t{utterance.duration}\t{size}{segment}\n".encode()
        )
    return digest.hexdigest()[:20]


def _feature_settings(config: MfccConfig) -> dict:
    """The front end's fields for the store key; the normalisation scope only when it is not
    the per-utterance default, so that stores built before it existed keep their keys."""
    settings = asdict(config)
    if config.normalize_scope == "utterance":
        del settings["normalize_scope"]
    return settings


def _variant_settings(variant: AudioVariant) -> dict:
    """The variant's fields for the store key; the reverb, warp and pitch fields only when
    they are used, so that stores built before those existed keep their keys."""
    settings = asdict(variant)
    if variant.speed != 1.0:
        settings["resampler"] = SPEED_RESAMPLER
    if variant.rt60_s is None:
        del settings["rt60_s"], settings["drr_db"]
    for added_later, unused in (("warp", 1.0), ("semitones", 0.0)):
        if settings[added_later] == unused:
            del settings[added_later]
    return settings


def _features_or_error(
    source: str | AudioSpan, config: MfccConfig, variant: AudioVariant
) -> np.ndarray | str:
    try:
        if isinstance(source, AudioSpan):  # each segment its own random stream
            waveform, path = load_span(source, config.sample_rate), str(source)
        else:
            waveform, path = load_audio(source, config.sample_rate), source
        waveform = apply_variant(waveform, config.sample_rate, variant, path)
        return compute_mfcc(waveform, config.sample_rate, config, warp=variant.warp)
    except (AudioError, ValueError) as error:
        return str(error)


def build_feature_store(
    utterances: list[Utterance],
    config: MfccConfig,
    cache_dir: str | Path,
    num_workers: int = 2,
    variants: tuple[AudioVariant, ...] = ORIGINAL,
) -> FeatureStore:
    """Returns the store for `utterances`, computing features in parallel when it is missing
    (in `num_workers` processes; 0 or 1: in this process).

    With several `variants`, the store holds every utterance in each variant in turn: entry
    `k * len(utterances) + i` is utterance i as `variants[k]`. Utterances whose audio cannot be
    read get zero frames and are listed in `meta.json`, so one bad file costs one utterance,
    not the run.
    """
    directory = Path(cache_dir) / store_key(utterances, config, tuple(variants))
    if (directory / "offsets.npy").is_file():
        return FeatureStore(directory)
    log.info("Computing features for %d utterances into %s", len(utterances), directory)
    # Per process: workers of a multi-worker run may build the same store at once.
    partial = directory.with_name(f"{directory.name}.partial-{socket.gethostname()}-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    sources = [utterance.source for _ in variants for utterance in utterances]
    labels = [utterance.label for _ in variants for utterance in utterances]
    variant_of_entry = [variant for variant in variants for _ in utterances]
    offsets = np.zeros(len(sources) + 1, dtype=np.int64)
    failed = {}
    with audio_executor(num_workers) as pool:
        results = pool.map(
            _features_or_error, sources, [config] * len(sources), variant_of_entry, chunksize=16
        )
        with (partial / "frames.f32").open("wb") as frames_file:
            for index, result in enumerate(results):
                if isinstance(result, str):
                    failed[labels[index]] = result
                    log.warning("Skipping %s: %s", labels[index], result)
                    result = np.zeros((0, config.feature_dim), dtype=np.float32)
                frames_file.write(result.tobytes())
                offsets[index + 1] = offsets[index] + len(result)
    np.save(partial / "offsets.npy", offsets)
    meta = {"feature_dim": config.feature_dim, "n_mfcc": config.n_mfcc, "failed": failed}
    (partial / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    try:
        partial.replace(directory)
    except OSError:  # another process finished the same store first: the same features
        if not (directory / "offsets.npy").is_file():
            raise
        shutil.rmtree(partial, ignore_errors=True)
    return FeatureStore(directory)
