"""Builders of tiny corpora in each importer's real layout, with generated audio.

Every builder writes into a folder the test owns and returns what the importer should find,
so a test reads as: build the layout, import it, compare.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

REPO_ROOT = Path(__file__).resolve().parents[1]
FSDD_DIR = REPO_ROOT.parent / "shared" / "data" / "fsdd"


def require_fsdd() -> Path:
    """The shared FSDD copy (`../shared/data/fsdd` from the repository), or skip the test."""
    if not (FSDD_DIR / "recordings").is_dir():
        pytest.skip(
            f"FSDD is not available at {FSDD_DIR} (../shared/data/fsdd relative to the "
            "repository); fetch it with `python scripts/download.py dataset=fsdd` and link it there"
        )
    return FSDD_DIR


def write_audio(
    path: Path,
    seconds: float = 0.5,
    sample_rate: int = 16000,
    channels: int = 1,
    amplitude: float = 0.3,
    format: str | None = None,
) -> Path:
    """Writes a chirp (silence when `amplitude` is 0) in the format the suffix implies."""
    t = np.arange(int(round(seconds * sample_rate))) / sample_rate
    wave = (amplitude * np.sin(2 * np.pi * (220 + 400 * t) * t)).astype(np.float32)
    data = np.stack([wave] * channels, axis=1) if channels > 1 else wave
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, data, sample_rate, format=format)
    return path


def can_write_mp3() -> bool:
    """Whether this libsndfile encodes MP3 (1.1 and later do)."""
    return "MP3" in soundfile.available_formats()


def make_librispeech(root: Path) -> dict[str, tuple[str, str]]:
    """`root/LibriSpeech/dev-clean/<speaker>/<chapter>/` with FLAC files and transcripts.

    Returns:
        {utterance id: (normalised text, speaker)}.
    """
    expected = {}
    chapters = {
        ("84", "121123"): ["GO DO YOU HEAR", "BUT IN LESS THAN FIVE MINUTES"],
        ("174", "50561"): ["THE STAIRCASE CREAKED'S", "A MOMENT LATER"],
    }
    for (speaker, chapter), texts in chapters.items():
        folder = root / "LibriSpeech" / "dev-clean" / speaker / chapter
        lines = []
        for n, text in enumerate(texts):
            key = f"{speaker}-{chapter}-{n:04d}"
            write_audio(folder / f"{key}.flac", seconds=0.4 + 0.1 * n)
            lines.append(f"{key} {text}")
            expected[key] = (text.lower(), speaker)
        (folder / f"{speaker}-{chapter}.trans.txt").write_text("\n".join(lines) + "\n")
    return expected


def make_common_voice(root: Path, audio_format: str = "mp3") -> Path:
    """A Common Voice language folder: `dev.tsv`, `train.tsv`, `validated.tsv`, `clips/`.

    `dev.tsv` holds a clean row, a punctuated row, a row that normalises to nothing and a
    row whose clip is missing. Clips are 48 kHz stereo, as many real ones are not mono.
    """
    clips = root / "clips"
    rows = [
        ("client_a", "common_voice_en_1", "Hello there."),
        ("client_b", "common_voice_en_2", '"Quoted," she said; done!'),
        ("client_a", "common_voice_en_3", "1984"),
        ("client_c", "common_voice_en_4", "missing clip"),
    ]
    for _, stem, _ in rows[:3]:
        write_audio(clips / f"{stem}.{audio_format}", seconds=0.6, sample_rate=48000, channels=2)
    header = ["client_id", "path", "sentence", "up_votes", "down_votes", "age", "gender"]
    lines = ["\t".join(header)]
    lines += [f"{c}\t{s}.{audio_format}\t{text}\t2\t0\t\t" for c, s, text in rows]
    for split in ("dev", "validated"):
        (root / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "train.tsv").write_text(lines[0] + "\n" + lines[1] + "\n", encoding="utf-8")
    return root


def make_ljspeech(root: Path) -> Path:
    """`root/metadata.csv` (id|raw|normalised) and `root/wavs/` at 22.05 kHz."""
    rows = [
        ("LJ001-0001", "Printing, in 1869, was new.", "Printing, in eighteen sixty-nine, was new."),
        ("LJ001-0002", "Dr. Smith", "Doctor Smith"),
        ("LJ001-0003", "only raw text", ""),
    ]
    for key, _, _ in rows:
        write_audio(root / "wavs" / f"{key}.wav", seconds=0.5, sample_rate=22050)
    text = "\n".join("|".join(row) for row in rows) + "\n"
    (root / "metadata.csv").write_text(text, encoding="utf-8")
    return root


def make_fsdd(root: Path, speakers=("anna", "bob"), digits=(0, 7), takes=(0, 4, 5, 49)) -> Path:
    """A small FSDD-layout folder: `recordings/{digit}_{speaker}_{take}.wav` at 8 kHz."""
    for speaker in speakers:
        for digit in digits:
            for take in takes:
                write_audio(root / "recordings" / f"{digit}_{speaker}_{take}.wav", 0.3, 8000)
    return root


def make_deepspeech(root: Path) -> Path:
    """`root/train.csv` with relative paths into `root/audio/`, one quoted transcript."""
    write_audio(root / "audio" / "one.wav", seconds=0.5)
    write_audio(root / "audio" / "sub" / "two.wav", seconds=0.7)
    csv_path = root / "train.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["wav_filename", "wav_filesize", "transcript"])
        writer.writerow(["audio/one.wav", (root / "audio/one.wav").stat().st_size, "first one"])
        writer.writerow(["audio/sub/two.wav", 123, "Second, with a comma"])
    return csv_path


def make_kaldi(root: Path) -> Path:
    """`root/data/train/{wav.scp,text,utt2spk}` with paths relative to `root` (the recipe dir)."""
    data = root / "data" / "train"
    data.mkdir(parents=True)
    write_audio(root / "wav" / "u1.wav", seconds=0.5)
    write_audio(root / "wav" / "u2.flac", seconds=0.6)
    (data / "wav.scp").write_text("spk1-u1 wav/u1.wav\nspk2-u2 wav/u2.flac\n")
    (data / "text").write_text("spk1-u1 HELLO WORLD\nspk2-u2 GOOD-BYE NOW\nspk3-u3 NO AUDIO\n")
    (data / "utt2spk").write_text("spk1-u1 spk1\nspk2-u2 spk2\nspk3-u3 spk3\n")
    return data


def make_jsonl(root: Path) -> Path:
    """A manifest with un-normalised text, wrong durations and a relative and absolute path."""
    write_audio(root / "a.wav", seconds=0.5)
    write_audio(root / "elsewhere" / "b.wav", seconds=0.8)
    rows = [
        {"audio_filepath": "a.wav", "duration": 9.0, "text": "Hello, World", "speaker": "s1"},
        {"audio_filepath": str(root / "elsewhere" / "b.wav"), "duration": 0.8, "text": "ok"},
    ]
    path = root / "old.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path
