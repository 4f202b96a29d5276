"""Fault injection: SIGKILL long jobs at seeded random moments, rerun them, compare outputs;
then SIGTERM and Ctrl-C (SIGINT) each job once and check that it stops cleanly.

For each job: its inputs are made once (in `<job>-inputs`); one uninterrupted run gives the
reference outputs and its duration T; then, in a fresh folder, the job is started and
SIGKILLed after a seeded random time in (0, T) again and again (each restart resumes from
what the killed ones left; the moments are spread so that the kills fall all through the
job), then run to the end. The outputs must equal the reference byte for byte, except where
a job is not deterministic (see `Job.canonical`: transcription rows, whose order a resumed
run may change, are compared as a set; timestamps are masked; training's HDF5 weight files
are compared array by array), and no temporary file may be left behind. Then, per signal,
the job is started in another fresh folder and sent SIGTERM or SIGINT part-way: it must
exit non-zero with the one-line "Stopped by ..." message, and a rerun must end with the
reference outputs.

The jobs run the way a user runs them: the `speech-lstm` command (`python -m speech_lstm.cli`)
for prepare-data, evaluate, build-lm, tune-decoder, download and train; Python programs
calling the library for the rest.

Usage: python benchmarks/fault_injection.py [--jobs prepare_data evaluate ...]
       [--kills 10] [--seed 0] [--work DIR] [--no-signals]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Python programs run as `python -c CODE <folder>`, writing under <folder>. Each installs the
# clean stop on SIGTERM/SIGINT that every `speech-lstm` job has (speech_lstm.interrupts).
_STOP = "from speech_lstm.interrupts import stop_cleanly_on_signals\nstop_cleanly_on_signals()\n"
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

Command = Callable[[Path, Path, dict], list[str]]  # (inputs, folder, made) -> argv
Setup = Callable[[Path, contextlib.ExitStack, float], dict]  # (inputs, cleanups, scale) -> made


def python_job(code: str) -> Command:
    return lambda inputs, folder, made: [sys.executable, "-c", _STOP + code, str(folder)]


def cli_job(name: str, *overrides: str) -> Command:
    """`speech-lstm NAME overrides...`, `{inputs}`, `{folder}` and `{<made key>}` filled in;
    Hydra's own run folder goes beside the outputs, not among them."""

    def command(inputs: Path, folder: Path, made: dict) -> list[str]:
        values = {"inputs": inputs, "folder": folder, **made}
        filled = [override.format(**values) for override in overrides]
        if not any(override.startswith("hydra.run.dir=") for override in filled):
            filled.append(f"hydra.run.dir={folder.with_name(folder.name + '-hydra')}")
        return [sys.executable, "-m", "speech_lstm.cli", name, *filled]

    return command


def _no_setup(inputs: Path, cleanups: contextlib.ExitStack, scale: float) -> dict:
    return {}


def _count(full: int, scale: float) -> int:
    return max(2, round(full * scale))


def _source_corpus(inputs: Path, cleanups: contextlib.ExitStack, scale: float) -> dict:
    """prepare-data's input: a JSONL manifest of 48 22.05 kHz stereo FLACs to convert."""
    import numpy as np
    import soundfile

    rows = []
    for index in range(_count(48, scale)):
        path = inputs / "flac" / f"speaker{index % 4}" / f"utt {index:03d}.flac"
        path.parent.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(index)
        samples = 0.2 * rng.standard_normal((22050 + 441 * index, 2))
        soundfile.write(path, np.clip(samples, -1, 1).astype(np.float32), 22050)
        text = f"Utterance number {index}, said by Speaker {index % 4}!"
        rows.append({"audio_filepath": str(path), "duration": 1.0, "text": text})
    (inputs / "source.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return {}


WORDS = ["the", "a", "of", "to", "and", "in", "is", "it", "you", "that", "he", "was", "for"]


def _sentences(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    vocabulary = WORDS + [f"w{index}" for index in range(1500)]
    return [" ".join(rng.choices(vocabulary, k=rng.randint(3, 14))) for _ in range(count)]


def _predictions(inputs: Path, cleanups: contextlib.ExitStack, scale: float) -> dict:
    """evaluate's inputs: a 400-row manifest and predictions with seeded errors."""
    rng = random.Random(1)
    references = _sentences(_count(400, scale), seed=2)
    manifest, predictions = [], []
    for index, text in enumerate(references):
        path = f"/corpus/{index:04d}.wav"
        words = text.split()
        if rng.random() < 0.5:
            words[rng.randrange(len(words))] = "w0"
        manifest.append({"audio_filepath": path, "duration": 1.0 + index % 7, "text": text})
        predictions.append({"audio_filepath": path, "text": " ".join(words)})
    for name, rows in (("manifest.jsonl", manifest), ("predictions.jsonl", predictions)):
        (inputs / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return {}


def _lm_text(inputs: Path, cleanups: contextlib.ExitStack, scale: float) -> dict:
    """build-lm's input: 60,000 sentences over 1,520 words."""
    (inputs / "text.txt").write_text("\n".join(_sentences(_count(60_000, scale), seed=3)) + "\n")
    return {}


def _tuning_inputs(inputs: Path, cleanups: contextlib.ExitStack, scale: float) -> dict:
    """tune-decoder's inputs: the loudness stub model, an LM over "a", a 24-file dev set."""
    import numpy as np

    from speech_lstm.audio import write_wav
    from speech_lstm.decoding.lm import build_ngram_lm
    from tests.transcription_fixtures import loudness_model, save

    save(loudness_model(), inputs / "model")
    build_ngram_lm(["a", "a a", "a a a", "a a a a"] * 5, order=2).save_arpa(inputs / "lm.arpa")
    rng = np.random.default_rng(4)
    rows = []
    for index in range(_count(24, scale)):
        bursts = 1 + index % 4
        pieces = []
        for _ in range(bursts):
            pieces += [1e-4 * rng.standard_normal(4000), 0.3 * rng.standard_normal(3200)]
        pieces.append(1e-4 * rng.standard_normal(4000))
        path = inputs / "dev" / f"{index:02d}.wav"
        write_wav(path, np.clip(np.concatenate(pieces), -1, 1), 16000)
        rows.append({"audio_filepath": str(path), "duration": 1.0, "text": " ".join("a" * bursts)})
    (inputs / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return {}


def _archive_server(inputs: Path, cleanups: contextlib.ExitStack, scale: float) -> dict:
    """download's input: an FSDD-shaped zip (about 0.8 MB) on a slow 127.0.0.1 server."""
    import numpy as np

    from speech_lstm.audio import write_wav
    from tests.download_fixtures import ArchiveServer, fsdd_zip

    rng = np.random.default_rng(5)
    for index in range(_count(40, scale)):
        path = inputs / "recordings" / f"{index % 10}_speaker_{index // 10}.wav"
        write_wav(path, np.clip(0.2 * rng.standard_normal(8000 + 100 * index), -1, 1), 8000)
    name, body = fsdd_zip(inputs / "recordings")
    server = ArchiveServer(bytes_per_second=1_000_000)
    server.files[name] = body
    cleanups.callback(server.close)
    return {"url": server.url}


def _tiny_corpus(inputs: Path, cleanups: contextlib.ExitStack, scale: float) -> dict:
    """train's input: the `debug=tiny` corpus (espeak-ng), its feature cache built once."""
    from tests.training_fixtures import generate_tiny_corpus

    generate_tiny_corpus(inputs)
    return {}


# The resumable tiny training of tests/test_training.py, shorter.
TRAIN_OVERRIDES = (
    "paths.root_dir={inputs}",
    "debug=tiny",
    "trainer.epochs=3",
    "model.units=16",
    "trainer.verbose=0",
    "trainer.num_workers=1",
    "trainer.deterministic=true",
    "trainer.batch_size=4",
    "model.dropout=0.2",
    "augment=specaugment",
)


def _byte_for_byte(name: str, path: Path, data: bytes) -> bytes | None:
    return data


# ISO times (report.json's created_at) and Keras' save time inside a .keras archive.
_TIMES = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


def _times_masked(name: str, path: Path, data: bytes) -> bytes | None:
    return _TIMES.sub(b"<time>", data)


def _unordered_rows(name: str, path: Path, data: bytes) -> bytes | None:
    """Transcription: a resumed run appends the rest after the finished rows; the model
    directory's .keras archive (an input it saves first) records its save time."""
    if name == "model/model.keras":
        return None
    if name == "out.jsonl":
        return b"".join(sorted(data.splitlines(keepends=True)))
    return data


def _hdf5_arrays(path: Path) -> bytes:
    """Every dataset of an HDF5 file, by name: its arrays, not its layout on disk."""
    import h5py
    import numpy as np

    digest = hashlib.sha256()

    def add(name: str, item: object) -> None:
        if isinstance(item, h5py.Dataset):
            digest.update(name.encode() + np.asarray(item[()]).tobytes())

    with h5py.File(path, "r") as weights:
        weights.visititems(add)
    return digest.hexdigest().encode()


TRAINING_TIMING_FIELDS = ("throughput_audio_s_per_s", "epoch_seconds")
TRAINING_METADATA_COMPARED = ("epochs_run", "best_epoch", "best_dev_wer", "stopped_early")


def _training_outputs(name: str, path: Path, data: bytes) -> bytes | None:
    """Training: its weights (checkpoints and the exported model), metrics without timings,
    and the results in training.json; logs, TensorBoard events and Hydra's files carry times
    and are left out, as are the backup folder's files (gone at the end of a run)."""
    if name.startswith((".hydra/", "tensorboard/", "backup/")) or name.endswith(".log"):
        return None
    if name.endswith(".h5"):
        return _hdf5_arrays(path)
    if name.endswith(".npz"):  # the LM's arrays; the zip records its write time
        import numpy as np

        with np.load(path) as arrays:
            return b"".join(k.encode() + arrays[k].tobytes() for k in sorted(arrays.files))
    if name.endswith(".keras"):
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as scratch:
            archive.extract("model.weights.h5", scratch)
            return _hdf5_arrays(Path(scratch) / "model.weights.h5")
    if name == "metrics.json":
        rows = json.loads(data)
        kept = [{k: v for k, v in r.items() if k not in TRAINING_TIMING_FIELDS} for r in rows]
        return json.dumps(kept, sort_keys=True).encode()
    if name.endswith("training.json"):
        meta = json.loads(data)
        return json.dumps({k: meta.get(k) for k in TRAINING_METADATA_COMPARED}).encode()
    return _times_masked(name, path, data)


def _prepare_data_command(num_workers: int) -> Command:
    """`prepare-data` importing and converting a JSONL corpus with `num_workers` processes."""
    return cli_job(
        "prepare-data",
        "dataset=jsonl",
        "source={inputs}/source.jsonl",
        "output={folder}/imported/train.jsonl",
        "convert=true",
        f"num_workers={num_workers}",
    )


@dataclass(frozen=True)
class Job:
    """A job under test.

    Attributes:
        command: its argv, from its inputs folder, its output folder and what setup made.
        setup: makes the inputs once (shared by every run); returns values for `command`.
        canonical: (relative name, path, bytes) -> the bytes compared, None to leave the
            file out; byte for byte unless the job is not deterministic.
        deterministic: whether its outputs are compared byte for byte.
    """

    command: Command
    setup: Setup = _no_setup
    canonical: Callable[[str, Path, bytes], bytes | None] = _byte_for_byte
    deterministic: bool = True


JOBS: dict[str, Job] = {
    "corpus": Job(python_job(CORPUS)),
    "feature_store": Job(python_job(FEATURE_STORE)),
    "transcription": Job(python_job(TRANSCRIPTION), canonical=_unordered_rows, deterministic=False),
    "wavs_and_manifest": Job(python_job(WAVS_AND_MANIFEST)),
    "prepare_data": Job(_prepare_data_command(num_workers=2), _source_corpus),
    # The same import converting in its own process: the CI slice (no worker start-ups).
    "prepare_data_in_process": Job(_prepare_data_command(num_workers=1), _source_corpus),
    "evaluate": Job(
        cli_job(
            "evaluate",
            "manifest={inputs}/manifest.jsonl",
            "predictions={inputs}/predictions.jsonl",
            "output_dir={folder}/eval",
            "bootstrap_samples=2000",
        ),
        _predictions,
        canonical=_times_masked,
        deterministic=False,
    ),
    "build_lm": Job(
        cli_job("build-lm", "input={inputs}/text.txt", "output={folder}/lm/lm.arpa", "order=4"),
        _lm_text,
    ),
    "tune_decoder": Job(
        cli_job(
            "tune-decoder",
            "model_dir={inputs}/model",
            "manifest={inputs}/dev.jsonl",
            "output={folder}/decoder/tuned.yaml",
            "decoder.lm_path={inputs}/lm.arpa",
            "decoder.beam_width=8",
            "alphas=[0.5,1.0]",
            "betas=[0.0,1.5,3.0]",
            "unk_penalties=[null,4.0]",
            "batch_size=4",
        ),
        _tuning_inputs,
    ),
    "download": Job(
        cli_job("download", "dataset=fsdd", "dest={folder}/data", "base_url={url}"),
        _archive_server,
    ),
    "train": Job(
        cli_job("train", *TRAIN_OVERRIDES, "hydra.run.dir={folder}"),
        _tiny_corpus,
        canonical=_training_outputs,
        deterministic=False,
    ),
}


@dataclass
class JobFigures:
    job: str
    seconds: float
    kills: int
    killed_before_end: int
    identical: bool
    leftovers: int
    differing: list[str]
    signals: dict[str, str] = field(default_factory=dict)  # signal -> "clean" or what failed


class JobRunner:
    """Starts one job's runs on its inputs, made once."""

    def __init__(
        self, name: str, work: Path, cleanups: contextlib.ExitStack, scale: float = 1.0
    ) -> None:
        self.name, self.job, self.work = name, JOBS[name], work
        self.inputs = work / f"{name}-inputs"
        self.inputs.mkdir(parents=True, exist_ok=True)
        self.made = self.job.setup(self.inputs, cleanups, scale)

    def start(self, folder: Path, stderr: int | IO = subprocess.DEVNULL) -> subprocess.Popen:
        argv = self.job.command(self.inputs, folder, self.made)
        # train writes its run (hydra.run.dir) in `folder`; the others write below it
        folder.mkdir(parents=True, exist_ok=True)
        # a process group of its own, which a SIGINT reaches whole, as Ctrl-C in a terminal
        return subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )

    def work_started(self, folder: Path) -> Path | None:
        """The file Hydra writes just before a `speech-lstm` job's function runs (None for
        the Python programs, whose work starts with the process)."""
        for arg in self.job.command(self.inputs, folder, self.made):
            if arg.startswith("hydra.run.dir="):
                return Path(arg.removeprefix("hydra.run.dir=")) / ".hydra" / "config.yaml"
        return None

    def finish(self, folder: Path) -> float:
        began = time.perf_counter()
        process = self.start(folder, stderr=subprocess.PIPE)
        _, stderr = process.communicate(timeout=1800)
        if process.returncode != 0:
            raise RuntimeError(f"{self.name} failed:\n{stderr.decode(errors='replace')[-3000:]}")
        return time.perf_counter() - began

    def fingerprint(self, folder: Path) -> dict[str, str]:
        """Relative path -> SHA-256 of what `Job.canonical` keeps of every file.

        The run's own folder is replaced by `<run>` in names and contents, and a feature
        store's key (a hash of its audio paths) by `<key>`, so that two runs compare.
        """
        found = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = re.sub(r"cache/[0-9a-f]{20}", "cache/<key>", str(path.relative_to(folder)))
            data = self.job.canonical(name, path, path.read_bytes())
            if data is not None:
                found[name] = hashlib.sha256(
                    data.replace(str(folder).encode(), b"<run>")
                ).hexdigest()
        return found


def differences(want: dict[str, str], got: dict[str, str]) -> list[str]:
    """Names whose content differs; temporaries of killed writes are not outputs."""
    names = sorted(name for name in want.keys() | got.keys() if want.get(name) != got.get(name))
    return [name for name in names if ".tmp-" not in name and ".partial" not in name]


def kill_delay(rng: random.Random, seconds: float, idle: float, kills: int) -> float:
    """When to kill a restart. A job that keeps its finished work (a rerun with nothing left
    to do takes `idle` < 70% of `seconds`): past most of the start-up, then about 1/kills of
    the work, so that the kills spread over the whole job instead of the first restarts
    finishing it. A job that redoes everything on a rerun: anywhere in 10-90% of a run."""
    if idle < 0.7 * seconds:
        return rng.uniform(0.3, 1.0) * idle + rng.uniform(0, 2) * (seconds - idle) / kills
    return rng.uniform(0.1, 0.9) * seconds


def run_with_kills(
    job: str, work: Path, kills: int, seed: int, signals: bool = False, scale: float = 1.0
) -> JobFigures:
    """The reference run, then `kills` SIGKILLs at seeded moments, then the run to the end;
    with `signals`, then a SIGTERM and a SIGINT run (see `stop_with`). `scale` shrinks the
    inputs of the jobs that make theirs (tests use a small one)."""
    from speech_lstm.atomic import leftover_temporaries

    with contextlib.ExitStack() as cleanups:
        runner = JobRunner(job, work, cleanups, scale)
        reference = work / f"{job}-reference"
        seconds = runner.finish(reference)
        idle = runner.finish(reference)  # start-up and checks, with nothing left to do
        faulted = work / f"{job}-faulted"
        rng = random.Random(f"{seed}:{job}")
        killed_before_end = 0
        for _ in range(kills):
            delay = kill_delay(rng, seconds, idle, kills)
            process = runner.start(faulted)
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait()
                killed_before_end += 1
        runner.finish(faulted)
        want = runner.fingerprint(reference)
        differing = differences(want, runner.fingerprint(faulted))
        # a rerun may leave a dead temporary of a killed write behind: counted, not compared
        stale = [p for p in leftover_temporaries(faulted) if ".tmp-" in p.name]
        figures = JobFigures(
            job, seconds, kills, killed_before_end, not differing, len(stale), differing
        )
        if signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                after = 0.25 * max(seconds - idle, 0.25 * seconds)
                figures.signals[signum.name] = stop_with(runner, signum, after, want)
        return figures


def stop_with(
    runner: JobRunner, signum: signal.Signals, after: float, want: dict | None = None
) -> str:
    """Sends `signum` to a fresh run's process group `after` seconds into the job's own work
    (for a `speech-lstm` job: once Hydra has composed its config and written it in the run
    folder): "clean" when the job exits non-zero with the one-line stop message last, no
    traceback, and no temporary left (and, given `want`, a rerun ends with those outputs);
    otherwise what went wrong."""
    from speech_lstm.atomic import leftover_temporaries

    folder = runner.work / f"{runner.name}-{signum.name}"
    log = runner.work / f"{runner.name}-{signum.name}.stderr"
    with log.open("wb") as stderr:
        process = runner.start(folder, stderr=stderr)
        started = runner.work_started(folder)
        deadline = time.monotonic() + 600
        while started and not started.is_file() and process.poll() is None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        time.sleep(after)
        if process.poll() is not None:
            return "ended before the signal"
        # The whole group, worker processes included: Ctrl-C in a terminal, or a service
        # manager stopping the job, signals them all.
        os.killpg(process.pid, signum)
        process.wait(timeout=120)
    last = log.read_text(errors="replace").strip().splitlines()[-1:] or [""]
    if process.returncode == 0:
        return f"exit status 0 ({last[0][:120]})"
    if not last[0].startswith("Stopped by "):
        tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-8:])
        return f"exit status {process.returncode}, last lines: {tail[-1200:]}"
    if "Traceback" in log.read_text(errors="replace"):
        return f"a traceback on stderr (see {log})"
    if leftover_temporaries(folder):
        return f"temporaries left: {leftover_temporaries(folder)[:3]}"
    if want is None:
        return "clean"
    runner.finish(folder)
    differing = differences(want, runner.fingerprint(folder))
    return "clean" if not differing else f"rerun differs: {differing[:3]}"


def main() -> None:
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        # run in the background (`... &`): the jobs would inherit an ignored Ctrl-C
        signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", nargs="+", default=list(JOBS), choices=list(JOBS))
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None, help="kept when given")
    parser.add_argument("--no-signals", action="store_true", help="skip SIGTERM/SIGINT runs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="fault_injection_"))
    print(
        "| job | uninterrupted run (s) | SIGKILLs | killed before the end | outputs identical "
        "| temporaries left | SIGTERM | SIGINT |"
    )
    print("| --- | ---: | ---: | ---: | --- | ---: | --- | --- |")
    for job in args.jobs:
        figures = run_with_kills(job, work, args.kills, args.seed, signals=not args.no_signals)
        same = "yes" if figures.identical else "NO: " + ", ".join(figures.differing[:5])
        if figures.identical and not JOBS[job].deterministic:
            same += " (as compared: see Job.canonical)"
        print(
            f"| {job} | {figures.seconds:.1f} | {figures.kills} | {figures.killed_before_end} "
            f"| {same} | {figures.leftovers} | {figures.signals.get('SIGTERM', '-')} "
            f"| {figures.signals.get('SIGINT', '-')} |",
            flush=True,
        )
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
