"""Fault injection: SIGKILL long jobs at seeded random moments, rerun them, compare outputs.

For each job: one uninterrupted run gives the reference outputs and its duration T; then, in
a fresh folder, the job is started and SIGKILLed after a seeded random time in (0, T) again
and again (each restart resumes from what the killed ones left; the moments are spread so
that the kills fall all through the job), then run to the end. The
outputs must equal the reference byte for byte (transcription rows, whose order a resumed
run may change, are compared as a set), and no temporary file may be left behind.
Usage: python benchmarks/fault_injection.py [--jobs corpus feature_store transcription]
       [--kills 10] [--seed 0] [--work DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Each job is a Python program run as `python -c JOB <folder>`, writing under <folder>.
CORPUS = """
import sys
from speech_lstm.synthetic.config import SplitConfig, SyntheticConfig
from speech_lstm.synthetic.corpus import generate_corpus
config = SyntheticConfig(seed=3, num_workers=1, lm_sentences=200, splits={
    "train": SplitConfig(6, ["en-us", "en-gb"], ["m1", "f1"]),
    "test": SplitConfig(3, ["en-gb-x-gbcwmd"], ["m6"]),
})
generate_corpus(config, sys.argv[1] + "/corpus")
"""
FEATURE_STORE = """
import sys
from pathlib import Path
import numpy as np, soundfile
from speech_lstm.data.feature_store import build_feature_store
from speech_lstm.data.manifest import Utterance
from speech_lstm.features import MfccConfig
audio = Path(sys.argv[1]) / "audio"
rows = []
for index in range(24):
    path = audio / f"{index}.wav"
    if not path.is_file():  # inputs: written once (a killed write leaves a temporary name)
        from speech_lstm.audio import write_wav
        t = np.arange(16000 + 800 * index) / 16000
        write_wav(path, 0.3 * np.sin(2 * np.pi * (200 + 40 * index) * t), 16000)
    rows.append(Utterance(str(path), 1.0, "a"))
build_feature_store(rows, MfccConfig(), Path(sys.argv[1]) / "cache", num_workers=1)
"""
TRANSCRIPTION = """
import sys
from pathlib import Path
import numpy as np
from speech_lstm.audio import write_wav
from speech_lstm.transcription.config import TranscribeConfig
from speech_lstm.transcription.runner import run_transcription
from tests.transcription_fixtures import loudness_model, save
folder = Path(sys.argv[1])
if not (folder / "model").is_dir():
    save(loudness_model(), folder / "model")
rng = np.random.default_rng(0)
for index in range(40):
    path = folder / "in" / f"{index:02d}.wav"
    if not path.is_file():
        write_wav(path, np.clip(rng.normal(0, 0.2, 8000 + 400 * index), -1, 1), 16000)
run_transcription(TranscribeConfig(str(folder / "model"), str(folder / "in"),
    str(folder / "out.jsonl"), batch_size=2, resume=True, progress=False))
"""
# The CI slice: corpus generation's pattern (keep finished WAVs, write the manifest last)
# without a TTS engine, so that one run takes about a second.
WAVS_AND_MANIFEST = """
import sys
from pathlib import Path
import numpy as np, soundfile
from speech_lstm.audio import write_wav
from speech_lstm.data.manifest import Utterance, write_manifest
folder = Path(sys.argv[1])
rows = []
for index in range(40):
    path = folder / "audio" / f"{index:03d}.wav"
    if not path.is_file():
        rng = np.random.default_rng(index)
        write_wav(path, np.clip(rng.normal(0, 0.1, 4000 + 50 * index), -1, 1), 16000)
    rows.append(Utterance(str(path), soundfile.info(str(path)).duration, f"utterance {index}"))
write_manifest(folder / "train.jsonl", rows)
"""
JOBS = {
    "corpus": CORPUS,
    "feature_store": FEATURE_STORE,
    "transcription": TRANSCRIPTION,
    "wavs_and_manifest": WAVS_AND_MANIFEST,
}
UNORDERED = {"out.jsonl"}  # resumed transcription appends the rest after the finished rows
# The transcription job's model, an input it saves first: a .keras archive records its save
# time, so two saves differ anyway (the model directory's other files are compared).
NOT_COMPARED = {"model/model.keras"}


@dataclass
class JobFigures:
    job: str
    seconds: float
    kills: int
    killed_before_end: int
    identical: bool
    leftovers: int
    differing: list[str]


def start(job: str, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", JOBS[job], str(folder)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(job: str, folder: Path) -> float:
    began = time.perf_counter()
    process = start(job, folder)
    _, stderr = process.communicate(timeout=1800)
    if process.returncode != 0:
        raise RuntimeError(f"{job} failed:\n{stderr.decode(errors='replace')[-3000:]}")
    return time.perf_counter() - began


def fingerprint(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file (sorted lines for unordered outputs).

    The run's own folder is replaced by `<run>` in names and contents, and a feature store's
    key (a hash of its audio paths) by `<key>`, so that two runs in two folders compare.
    """
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes().replace(str(folder).encode(), b"<run>")
        if path.name in UNORDERED:
            data = b"".join(sorted(data.splitlines(keepends=True)))
        name = re.sub(r"cache/[0-9a-f]{20}", "cache/<key>", str(path.relative_to(folder)))
        if name in NOT_COMPARED:
            continue
        found[name] = hashlib.sha256(data).hexdigest()
    return found


def run_with_kills(job: str, work: Path, kills: int, seed: int) -> JobFigures:
    """The reference run, then `kills` SIGKILLs at seeded moments, then the run to the end."""
    from speech_lstm.atomic import leftover_temporaries

    reference = work / f"{job}-reference"
    seconds = finish(job, reference)
    idle = finish(job, reference)  # start-up and checks, with nothing left to do
    faulted = work / f"{job}-faulted"
    rng = random.Random(f"{seed}:{job}")
    killed_before_end = 0
    for _ in range(kills):
        # Each restart gets about 1/kills of the work done before its kill, so that the kills
        # spread over the whole job instead of the first one or two restarts finishing it.
        delay = rng.uniform(0.3, 1.0) * idle + rng.uniform(0, 2) * max(0, seconds - idle) / kills
        process = start(job, faulted)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed_before_end += 1
    finish(job, faulted)
    want, got = fingerprint(reference), fingerprint(faulted)
    differing = sorted(name for name in want.keys() | got.keys() if want.get(name) != got.get(name))
    # Temporaries of killed writes are not outputs: a rerun may leave a dead one behind.
    stale = [p for p in leftover_temporaries(faulted) if ".tmp-" in p.name]
    differing = [name for name in differing if ".tmp-" not in name and ".partial-" not in name]
    return JobFigures(job, seconds, kills, killed_before_end, not differing, len(stale), differing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", nargs="+", default=list(JOBS), choices=list(JOBS))
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None, help="kept when given")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="fault_injection_"))
    print(
        "| job | uninterrupted run (s) | SIGKILLs | killed before the end | outputs identical "
        "| temporaries left |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: |")
    for job in args.jobs:
        figures = run_with_kills(job, work, args.kills, args.seed)
        print(
            f"| {job} | {figures.seconds:.1f} | {figures.kills} | {figures.killed_before_end} "
            f"| {'yes' if figures.identical else 'NO: ' + ', '.join(figures.differing[:5])} "
            f"| {figures.leftovers} |",
            flush=True,
        )
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
