"""Hostile inputs, each with a clear outcome: a row error, a refusal with the reason, or
correct handling. Audio, folders, manifests, transcripts and model directories."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest
import soundfile

from speech_lstm.audio import AudioError, load_audio
from speech_lstm.data.lint import LintConfig, lint_manifest
from speech_lstm.data.manifest import read_manifest
from speech_lstm.features import MfccConfig, compute_mfcc
from speech_lstm.text import normalize_text
from speech_lstm.transcription.inputs import resolve_inputs
from tests.conftest import ROOT, write_tone

RATE = 16000


def write_float_wav_with(tmp_path, value: float):
    wave = np.full(RATE, 0.1, dtype=np.float32)
    wave[100] = value
    path = tmp_path / f"float_{value}.wav"
    soundfile.write(path, wave, RATE, subtype="FLOAT")
    return path


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_float_wav_with_nan_or_inf_samples_is_refused_with_the_reason(tmp_path, value):
    path = write_float_wav_with(tmp_path, value)
    with pytest.raises(AudioError, match="NaN or infinite samples"):
        load_audio(path, RATE)
    waveform = soundfile.read(path, dtype="float32")[0]
    with pytest.raises(ValueError, match="NaN or infinite samples"):
        compute_mfcc(waveform, RATE, MfccConfig())
    lint = lint_manifest(LintConfig(manifest=str(_manifest(tmp_path, [path]))))
    assert lint.checks["unreadable audio"].count == 1


def _manifest(tmp_path, paths, name="m.jsonl"):
    manifest = tmp_path / name
    rows = [{"audio_filepath": str(p), "duration": 1.0, "text": "a b"} for p in paths]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return manifest


def test_short_high_rate_many_channel_and_lying_files_are_read(tmp_path):
    short = write_tone(tmp_path / "short.wav", seconds=0.01)
    features = compute_mfcc(load_audio(short, RATE), RATE, MfccConfig())
    assert features.shape == (2, MfccConfig().feature_dim) and np.isfinite(features).all()

    wide = tmp_path / "wide.wav"  # 96 kHz, 32 channels: downmixed and resampled
    soundfile.write(wide, 0.1 * np.ones((96_000, 32), dtype=np.float32), 96_000)
    assert load_audio(wide, RATE).shape == (RATE,)

    lying = write_tone(tmp_path / "lying.wav", seconds=1.0)
    data = bytearray(lying.read_bytes())
    size_at = data.find(b"data") + 4
    struct.pack_into("<I", data, size_at, 10**9)  # claims 8 hours: the samples there are read
    lying.write_bytes(bytes(data))
    assert load_audio(lying, RATE).shape == (RATE,)
    struct.pack_into("<I", data, size_at, 2000)  # claims 1000 samples: the header is believed
    lying.write_bytes(bytes(data))
    assert load_audio(lying, RATE).shape == (1000,)
    lying.write_bytes(bytes(data[:30]))  # a header cut short: refused
    with pytest.raises(AudioError, match="Cannot read"):
        load_audio(lying, RATE)


def test_symlink_loops_and_non_utf8_names_in_a_folder(tmp_path):
    folder = tmp_path / "in"
    write_tone(folder / "a.wav", seconds=0.2)
    (folder / "sub").mkdir()
    os.symlink(folder, folder / "sub" / "loop")  # a loop: not followed
    undecodable = os.fsencode(folder) + b"/caf\xe9.wav"
    soundfile.write(undecodable, np.zeros(1600, dtype=np.float32), RATE)
    found = resolve_inputs(folder)
    assert len(found) == 2
    name = next(p for p in found if "caf" in p)
    assert load_audio(name, RATE).shape == (1600,)


def test_many_tiny_files_are_listed_in_bounded_memory(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    header = (write_tone(tmp_path / "one.wav", seconds=0.01)).read_bytes()
    for index in range(3000):
        (folder / f"{index:05d}.wav").write_bytes(header)
    tracemalloc.start()
    found = resolve_inputs(folder)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(found) == 3000
    assert peak < 3000 * 2000, f"{peak} bytes to list 3000 files"  # ~ the paths, not the audio


# The peak RSS from /proc (VmHWM), not getrusage: ru_maxrss keeps the forking test
# process's peak across exec.
STREAM_A_LONG_FILE = """
import re, sys
from pathlib import Path
from speech_lstm.inference.chunking import ChunkingConfig, stream_file_chunks
chunks = samples = 0
for chunk in stream_file_chunks(sys.argv[1], 16000, ChunkingConfig()):
    chunks += 1
    samples += len(chunk.waveform)
status = Path("/proc/self/status").read_text()
print(chunks, samples, re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmHWM from /proc")
def test_a_three_hour_file_streams_in_bounded_memory(tmp_path):
    """A sparse 3-hour WAV (a real header, 345 MB of zeros that take no disk): transcription
    reads it chunk by chunk, never whole (691 MB as float32)."""
    seconds = 3 * 3600
    path = tmp_path / "three_hours.wav"
    with soundfile.SoundFile(path, "w", RATE, 1, subtype="PCM_16") as audio:
        audio.write(np.zeros(RATE, dtype=np.int16))
    data = bytearray(path.read_bytes())
    data_at = data.find(b"data")
    payload = seconds * RATE * 2
    struct.pack_into("<I", data, 4, data_at + 8 + payload - 8)
    struct.pack_into("<I", data, data_at + 4, payload)
    path.write_bytes(bytes(data[: data_at + 8]))
    os.truncate(path, data_at + 8 + payload)
    assert soundfile.info(str(path)).duration == pytest.approx(seconds)
    done = subprocess.run(
        [sys.executable, "-c", STREAM_A_LONG_FILE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    chunks, samples, peak_kib = map(int, done.stdout.split())
    assert samples == seconds * RATE and chunks >= seconds / 20
    assert peak_kib < 400 * 1024, f"peak RSS {peak_kib} KiB"


def test_hostile_manifest_rows_are_refused_by_line_and_lint_keeps_the_rest(tmp_path):
    audio = write_tone(tmp_path / "a.wav", seconds=0.5)
    good = {"audio_filepath": "a.wav", "duration": 0.5, "text": "a b"}
    bad_rows = [
        "{not json",
        json.dumps({"audio_filepath": "a.wav", "text": "x"}),
        json.dumps({**good, "text": None}),
        json.dumps({**good, "text": 5}),
        json.dumps({**good, "audio_filepath": ["a.wav"]}),
        json.dumps({**good, "duration": -1.0}),
        json.dumps({**good, "duration": 1e30}),
        json.dumps({**good, "duration": "NaN"}),
        json.dumps({**good, "duration": True}),
        "[1, 2]",
    ]
    manifest = tmp_path / "hostile.jsonl"
    text = "\ufeff" + json.dumps(good) + "\r\n\r\n   \r\n" + json.dumps(good) + "\r\n"
    manifest.write_text(text, encoding="utf-8", newline="")
    rows = read_manifest(manifest)  # BOM, CRLF and blank lines: read as they are meant
    assert [r.audio_filepath for r in rows] == [str(audio.resolve())] * 2
    assert rows[0].text == "a b"
    for bad in bad_rows:
        manifest.write_text(json.dumps(good) + "\n" + bad + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=f"{manifest}:2: "):
            read_manifest(manifest)
    manifest.write_text(
        "\ufeff" + "\n".join([json.dumps(good), *bad_rows, json.dumps(good)]) + "\n",
        encoding="utf-8",
    )
    report = lint_manifest(LintConfig(manifest=str(manifest), output=str(tmp_path / "clean.jsonl")))
    assert report.checks["malformed row"].count == len(bad_rows)
    assert report.checks["duplicate audio file"].count == 1  # the same file twice
    assert report.total == len(bad_rows) + 2  # every row accounted for: none lost


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Hello 👋 world 🌍!", "hello world"),
        ("I have 3 cats and 12 dogs", "i have cats and dogs"),
        ("Привет, мир — 你好 and hello", "and hello"),
        ("It\u2019s ÉCOLE déjà", "it's cole d j"),
        ("\u200b\ufeff\u00a0", ""),
    ],
)
def test_emoji_digits_and_other_scripts_in_transcripts(raw, normalised):
    assert normalize_text(raw) == normalised


def test_lint_flags_transcripts_the_model_cannot_spell(tmp_path):
    audio = write_tone(tmp_path / "a.wav", seconds=0.5)
    texts = ["hello 👋", "3 cats", "привет", "plain words"]
    manifest = tmp_path / "m.jsonl"
    rows = [{"audio_filepath": str(audio), "duration": 0.5, "text": t} for t in texts]
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = lint_manifest(LintConfig(manifest=str(manifest)))
    assert report.checks["characters outside vocabulary"].count == 3
