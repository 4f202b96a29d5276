"""Atomic, checked writes: files and folders appear whole or not at all, and the feature
store's checksums catch a truncated or corrupted entry, which is reported and recomputed."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

from speech_lstm.atomic import (
    WriteError,
    atomic_directory,
    atomic_file,
    leftover_temporaries,
    write_text,
)
from speech_lstm.data.feature_store import CorruptStoreError, FeatureStore, build_feature_store
from speech_lstm.data.manifest import Utterance, write_manifest
from speech_lstm.features import MfccConfig
from tests.conftest import write_tone


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "report.json"
    write_text(target, "old\n")
    with pytest.raises(RuntimeError), atomic_file(target) as out:
        out.write("half of the new")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old\n"
    assert leftover_temporaries(tmp_path) == []


def test_an_os_error_becomes_one_line_naming_the_path(tmp_path):
    target = tmp_path / "manifest.jsonl"
    with pytest.raises(WriteError) as caught, atomic_file(target) as out:
        out.write("{}\n")
        raise OSError(28, "No space left on device")
    message = str(caught.value)
    assert str(target) in message and "No space left" in message and "\n" not in message
    assert not target.exists() and leftover_temporaries(tmp_path) == []


def test_a_manifest_row_that_cannot_be_written_leaves_no_manifest(tmp_path):
    target = tmp_path / "train.jsonl"
    rows = [Utterance("a.wav", 1.0, "a"), "not an utterance"]
    with pytest.raises(AttributeError):
        write_manifest(target, rows)
    assert not target.exists() and leftover_temporaries(tmp_path) == []


def test_a_folder_appears_complete_or_keeps_its_old_content(tmp_path):
    target = tmp_path / "model"
    with atomic_directory(target) as partial:
        (partial / "a.json").write_text("1")
    with pytest.raises(RuntimeError), atomic_directory(target) as partial:
        (partial / "a.json").write_text("2")
        raise RuntimeError("killed before the folder was complete")
    assert sorted(p.name for p in target.iterdir()) == ["a.json"]
    assert (target / "a.json").read_text() == "1"
    with atomic_directory(target) as partial:
        (partial / "b.json").write_text("3")
    assert sorted(p.name for p in target.iterdir()) == ["b.json"]
    assert leftover_temporaries(tmp_path) == []


def test_a_corrupted_entry_is_recomputed_and_a_truncated_store_rebuilt(tmp_path, caplog):
    rows = [
        Utterance(str(write_tone(tmp_path / f"{i}.wav", seconds=0.3 + 0.1 * i)), 0.5, "a")
        for i in range(3)
    ]
    store = build_feature_store(rows, MfccConfig(), tmp_path / "cache", num_workers=1)
    expected = [store.features(i).copy() for i in range(len(store))]
    frames = store.directory / "frames.f32"
    with frames.open("r+b") as handle:  # flip bytes inside entry 1, the length unchanged
        handle.seek(int(store.offsets[1]) * store.frames.shape[1] * 4 + 8)
        handle.write(b"\xff\xff\xff\xff")
    with caplog.at_level(logging.WARNING):
        reopened = build_feature_store(rows, MfccConfig(), tmp_path / "cache", num_workers=1)
        for index, before in enumerate(expected):
            np.testing.assert_allclose(reopened.features(index), before, atol=1e-4)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(frames) in warnings[0] and "entry 1" in warnings[0]
    with pytest.raises(CorruptStoreError, match="checksum"):
        FeatureStore(store.directory).features(1)  # without a way to recompute: refused

    caplog.clear()
    os.truncate(frames, frames.stat().st_size - 100)
    with caplog.at_level(logging.WARNING):
        rebuilt = build_feature_store(rows, MfccConfig(), tmp_path / "cache", num_workers=1)
    assert any(str(frames) in r.getMessage() for r in caplog.records)
    for index, before in enumerate(expected):
        np.testing.assert_array_equal(rebuilt.features(index), before)


def test_a_corrupted_entry_still_trains_and_transcribes(tmp_path, caplog):
    """Corrupt one entry of a real training set's store: training reads the recomputed
    entry (a warning names the file) and the trained model transcribes."""
    from tests.conftest import require_espeak
    from tests.tiny_training import labelled, speak, train_tiny, transcribe_features

    require_espeak()
    rows = speak(["one two", "three four"], tmp_path / "audio")
    split = labelled(rows, tmp_path / "cache")
    clean = split.store.features(0).copy()
    with (split.store.directory / "frames.f32").open("r+b") as handle:
        handle.write(b"\x00\x00\xc0\x7f" * 8)  # NaNs at the start of entry 0
    with caplog.at_level(logging.WARNING):
        split = labelled(rows, tmp_path / "cache")
        acoustic, loss = train_tiny(split, steps=3)
    assert any("frames.f32 entry 0" in r.getMessage() for r in caplog.records)
    assert np.isfinite(loss)
    np.testing.assert_allclose(split.store.features(0), clean, atol=1e-4)
    assert isinstance(transcribe_features(acoustic, split.store.features(0)), str)


def test_a_rerun_deletes_the_temporaries_of_dead_writers_only(tmp_path):
    import os
    import subprocess
    import sys

    from speech_lstm.atomic import TEMPORARY_MARK, remove_dead_temporaries

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / f".a.wav{TEMPORARY_MARK}{dead.pid}").write_bytes(b"half")
    (tmp_path / f".b.jsonl{TEMPORARY_MARK}{dead.pid}").mkdir()
    alive = tmp_path / f".c.wav{TEMPORARY_MARK}{os.getpid()}"
    alive.write_bytes(b"being written")
    (tmp_path / "d.wav").write_bytes(b"done")
    assert remove_dead_temporaries(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "d.wav"]
