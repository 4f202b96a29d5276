"""Optional conversion of a corpus's audio (e.g. MP3) to mono 16-bit WAV, in parallel."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

from speech_lstm.audio import AudioError, load_audio, write_wav
from speech_lstm.parallel import audio_process_pool

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def converted_name(key: str) -> str:
    """A flat, safe WAV file name for an utterance key.

    Keys that are already safe keep their name; others get their odd characters replaced and
    a short hash of the key appended, so distinct keys never share a file.
    """
    safe = _UNSAFE.sub("_", key).strip("._") or "utterance"
    if safe != key:
        safe += "-" + hashlib.sha1(key.encode()).hexdigest()[:8]
    return safe + ".wav"


def convert_one(source: str, target: str, sample_rate: int) -> str | None:
    """Writes `source` as mono 16-bit PCM WAV at `sample_rate`; returns an error or None.

    A target that already exists is kept (an interrupted run resumes); the file is written
    under a temporary name and renamed, so a half-written WAV never looks finished.
    """
    target_path = Path(target)
    if target_path.is_file() and target_path.stat().st_size > 0:
        return None
    try:
        waveform = load_audio(source, sample_rate)
    except AudioError as error:
        return str(error)
    write_wav(target_path, np.clip(waveform, -1.0, 1.0), sample_rate)
    return None


def convert_all(
    jobs: list[tuple[Path, Path]], sample_rate: int, num_workers: int
) -> dict[Path, str]:
    """Converts (source, target) pairs in a process pool; returns {source: error} failures.

    Args:
        jobs: audio files and the WAV paths to write them to.
        sample_rate: rate of the written files in Hz.
        num_workers: processes; 0 or 1 converts in this process.
    """
    if sample_rate < 1:
        raise ValueError(f"sample_rate must be a positive number of Hz. Received: {sample_rate}")
    for _, target in jobs:
        target.parent.mkdir(parents=True, exist_ok=True)
    sources = [str(source) for source, _ in jobs]
    targets = [str(target) for _, target in jobs]
    rates = [sample_rate] * len(jobs)
    if num_workers <= 1:
        results = list(map(convert_one, sources, targets, rates))
    else:
        chunksize = max(1, len(jobs) // (num_workers * 8))
        with audio_process_pool(num_workers) as pool:
            results = list(pool.map(convert_one, sources, targets, rates, chunksize=chunksize))
    return {Path(s): error for s, error in zip(sources, results) if error is not None}
