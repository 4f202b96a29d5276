"""Features of a whole manifest computed once, kept on disk and memory-mapped.

A store is keyed by the feature settings and the manifest's contents, so a changed front
end or a changed manifest builds a new store by itself, and a second run reuses the first's.
Stores are checked: opening one checks every file's length, and each entry's CRC-32 is
checked when it is read; a truncated store is rebuilt and a corrupt entry recomputed, each
with a warning naming the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import zlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from speech_lstm.atomic import WriteError
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


class CorruptStoreError(ValueError):
    """A feature store whose files are missing, truncated or inconsistent."""


Recompute = Callable[[int], np.ndarray]  # entry index -> its (frames, dims) features


class FeatureStore:
    """Read-only features of one manifest: all frames in `frames.f32`, cut by `offsets.npy`,
    each entry's CRC-32 in `checksums.npy`.

    Args:
        directory: the store's folder.
        recompute: computes one entry afresh; used when an entry fails its checksum (else
            that raises `CorruptStoreError`).

    Raises:
        CorruptStoreError: naming the file, when a file is missing, unreadable or of the
            wrong length.
    """

    def __init__(self, directory: Path, recompute: Recompute | None = None):
        self.directory = directory
        self.recompute = recompute
        try:
            meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
            self.offsets = np.load(directory / "offsets.npy")
            self.checksums = np.load(directory / "checksums.npy")
            feature_dim = int(meta["feature_dim"])
        except (OSError, ValueError, KeyError, EOFError) as error:
            raise CorruptStoreError(f"Feature store {directory} is unreadable: {error}") from None
        self.failed: dict[str, str] = meta.get("failed", {})
        self.n_mfcc: int | None = meta.get("n_mfcc")
        frames_path = directory / "frames.f32"
        shape = (int(self.offsets[-1]), feature_dim)
        expected = shape[0] * shape[1] * 4
        size = frames_path.stat().st_size if frames_path.is_file() else -1
        if size != expected or len(self.checksums) != len(self.offsets) - 1:
            raise CorruptStoreError(
                f"Feature store file {frames_path} has {size} bytes, expected {expected} "
                f"({len(self.checksums)} checksums for {len(self.offsets) - 1} entries)"
            )
        self.frames = (
            np.memmap(frames_path, dtype=np.float32, mode="r", shape=shape)
            if shape[0]
            else np.zeros(shape, dtype=np.float32)
        )
        self._repaired: dict[int, np.ndarray] = {}
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
        if index in self._repaired:
            return self._repaired[index]
        stored = np.asarray(self.frames[self.offsets[index] : self.offsets[index + 1]])
        if zlib.crc32(stored.tobytes()) == int(self.checksums[index]):
            return stored
        where = f"{self.directory / 'frames.f32'} entry {index}"
        if self.recompute is None:
            raise CorruptStoreError(f"Feature store {where} fails its checksum")
        log.warning("Feature store %s fails its checksum (corrupt file): recomputing it", where)
        fresh = np.asarray(self.recompute(index), dtype=np.float32)
        if fresh.shape != stored.shape:
            raise CorruptStoreError(
                f"Feature store {where}: recomputed {fresh.shape} features, stored "
                f"{stored.shape}; delete {self.directory} to rebuild it"
            )
        self._repaired[index] = fresh
        return fresh


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
    """The variant's fields for the store key; the reverb, warp, pitch and vocoder fields only
    when they are used, so that stores built before those existed keep their keys."""
    settings = asdict(variant)
    if variant.speed != 1.0:
        settings["resampler"] = SPEED_RESAMPLER
    if variant.rt60_s is None:
        del settings["rt60_s"], settings["drr_db"]
    if variant.vocoder_f0_scale is None:
        del settings["vocoder_f0_scale"], settings["vocoder_formant_scale"]
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
    sources = [utterance.source for _ in variants for utterance in utterances]
    labels = [utterance.label for _ in variants for utterance in utterances]
    variant_of_entry = [variant for variant in variants for _ in utterances]

    def recompute(index: int) -> np.ndarray:
        result = _features_or_error(sources[index], config, variant_of_entry[index])
        if isinstance(result, str):
            raise CorruptStoreError(f"Cannot recompute features of {labels[index]}: {result}")
        return result

    if directory.is_dir():
        try:
            return FeatureStore(directory, recompute)
        except CorruptStoreError as error:
            log.warning("%s: rebuilding it", error)
            shutil.rmtree(directory, ignore_errors=True)
    try:
        _build(directory, sources, labels, variant_of_entry, config, num_workers)
    except OSError as error:
        raise WriteError(
            error.errno or 0, f"Cannot write feature store {directory}: {error.strerror or error}"
        ) from None
    return FeatureStore(directory, recompute)


def _build(
    directory: Path,
    sources: list[str | AudioSpan],
    labels: list[str],
    variant_of_entry: list[AudioVariant],
    config: MfccConfig,
    num_workers: int,
) -> None:
    """Computes every entry into a per-process folder, then renames it to `directory`."""
    log.info("Computing features for %d entries into %s", len(sources), directory)
    # Per process: workers of a multi-worker run may build the same store at once.
    partial = directory.with_name(f"{directory.name}.partial-{socket.gethostname()}-{os.getpid()}")
    _remove_stale_partials(directory)
    partial.mkdir(parents=True)
    try:
        _write_entries(partial, sources, labels, variant_of_entry, config, num_workers)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    try:
        partial.replace(directory)
    except OSError:  # another process finished the same store first: the same features
        shutil.rmtree(partial, ignore_errors=True)
        if not (directory / "meta.json").is_file():
            raise


def _remove_stale_partials(directory: Path) -> None:
    """Deletes this host's half-built copies of `directory` whose process is gone (killed)."""
    prefix = f"{directory.name}.partial-{socket.gethostname()}-"
    for stale in directory.parent.glob(prefix + "*"):
        pid = stale.name[len(prefix) :]
        if pid.isdigit() and (int(pid) == os.getpid() or not _is_running(int(pid))):
            shutil.rmtree(stale, ignore_errors=True)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_entries(
    partial: Path,
    sources: list[str | AudioSpan],
    labels: list[str],
    variant_of_entry: list[AudioVariant],
    config: MfccConfig,
    num_workers: int,
) -> None:
    """Writes frames, offsets, checksums and meta of every entry into `partial`."""
    offsets = np.zeros(len(sources) + 1, dtype=np.int64)
    checksums = np.zeros(len(sources), dtype=np.uint32)
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
                data = np.ascontiguousarray(result, dtype=np.float32).tobytes()
                frames_file.write(data)
                checksums[index] = zlib.crc32(data)
                offsets[index + 1] = offsets[index] + len(result)
            frames_file.flush()
            os.fsync(frames_file.fileno())
    np.save(partial / "offsets.npy", offsets)
    np.save(partial / "checksums.npy", checksums)
    meta = {"feature_dim": config.feature_dim, "n_mfcc": config.n_mfcc, "failed": failed}
    (partial / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
