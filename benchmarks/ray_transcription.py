"""Files per second of transcription: the local runner against `runner=ray` on one and on two
Ray nodes started on this machine, and Ray's overhead per file.

    python benchmarks/ray_transcription.py [--files 400] [--model-dir M] [--input FOLDER]

Without `--model-dir`, an untrained 3 x 192 BiLSTM (the `make demo` model's shape: the same
computation per file as the trained one) is written to a temp folder; without `--input`, the
first `--files` FSDD recordings of ../shared/data/fsdd. A cluster of one-CPU nodes is started
with `ray start` on 127.0.0.1 (head first, a second node later) and stopped at the end.

Cases: `local` (this process, `Transcriber`); `ray 1 node` (one actor); `ray 2 nodes` (two
actors, one per node); `ray 1 node, 1 file per call` for the overhead of a call. For each:
start-up (loading the model, and for Ray connecting and placing the actors, up to the first
result: one batch of 16 files locally, one group of `files per call` on Ray), steady files/s
after it, and files/s over the whole job. Prints one JSON line per case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FSDD = ROOT / ".." / "shared" / "data" / "fsdd" / "recordings"


def main() -> None:
    args = _arguments()
    work = Path(tempfile.mkdtemp(prefix="ray_bench_"))
    model_dir = args.model_dir or _demo_shaped_model(work / "model")
    listing = work / "inputs.txt"
    paths = sorted(str(p) for p in Path(args.input).glob("*.wav"))[: args.files]
    if not paths:
        raise SystemExit(f"No .wav files in {args.input}: give a folder with --input.")
    listing.write_text("".join(p + "\n" for p in paths))
    common = {"model_dir": str(model_dir), "input": str(listing), "files": len(paths)}
    _report("local", _local(model_dir, listing), common)

    from tests.ray_cluster import LocalRayCluster

    cluster = LocalRayCluster()
    os.environ.update({k: cluster.env[k] for k in ("RAY_AUTH_MODE", "RAY_USAGE_STATS_ENABLED")})
    try:
        cluster.start_head()
        _report("ray 1 node", _ray(model_dir, listing, cluster.address, 1, 8), common)
        _report(
            "ray 1 node, 1 file per call", _ray(model_dir, listing, cluster.address, 1, 1), common
        )
        cluster.add_node()
        _report("ray 2 nodes", _ray(model_dir, listing, cluster.address, 2, 8), common)
    finally:
        cluster.stop()


def _local(model_dir: Path, listing: Path) -> list[tuple[float, int]]:
    """(seconds since the start, files) at each result batch of the local runner. A sort
    window of one batch, so that its first result, as a Ray group's, comes after one batch
    (the first calls also pay one-off costs: tracing the model, compiling kernels)."""
    from speech_lstm.transcription import Transcriber
    from speech_lstm.transcription.inputs import read_input_items

    began = time.perf_counter()
    items = read_input_items(listing)
    transcriber = Transcriber.load(model_dir)
    sources = [i.source for i in items]
    batches = transcriber.transcribe_batches(sources, batch_size=16, sort_window=1)
    return [(time.perf_counter() - began, len(batch)) for batch in batches]


def _ray(
    model_dir: Path, listing: Path, address: str, workers: int, files_per_task: int
) -> list[tuple[float, int]]:
    """(seconds since the start, files) at each result group of the Ray runner."""
    from speech_lstm.transcription.config import TranscribeConfig
    from speech_lstm.transcription.inputs import read_input_items
    from speech_lstm.transcription.ray_runner import ray_batches

    config = TranscribeConfig(
        str(model_dir),
        str(listing),
        "unused.jsonl",
        runner="ray",
        ray_address=address,
        ray_workers=workers,
        ray_files_per_task=files_per_task,
    )
    began = time.perf_counter()
    items = read_input_items(listing)
    marks = [
        (time.perf_counter() - began, len(group))
        for group in ray_batches(config, items, items, False)
    ]
    return marks


def _report(case: str, marks: list[tuple[float, int]], common: dict) -> None:
    files = sum(count for _, count in marks)
    first, last = marks[0][0], marks[-1][0]
    steady = (files - marks[0][1]) / (last - first) if last > first else float("nan")
    line = {
        "case": case,
        **common,
        "done": files,
        "startup_s": round(first, 2),
        "steady_files_per_s": round(steady, 2),
        "steady_ms_per_file": round(1000 / steady, 2),
        "overall_files_per_s": round(files / last, 2),
        "wall_s": round(last, 2),
        "load_average": os.getloadavg()[0],
        "machine": f"{platform.node()} nproc={os.cpu_count()}",
    }
    print(json.dumps(line), flush=True)


def _demo_shaped_model(directory: Path) -> Path:
    """An untrained BiLSTM of the demo's shape (3 x 192), saved as a model directory."""
    from speech_lstm.features import MfccConfig
    from speech_lstm.inference.model_dir import TrainedModel, save_model_dir
    from speech_lstm.model.config import ModelConfig
    from speech_lstm.model.network import build_acoustic_model
    from speech_lstm.text import Vocabulary

    features, config, vocabulary = MfccConfig(), ModelConfig(3, 192, 0.0, 3), Vocabulary()
    acoustic = build_acoustic_model(features.feature_dim, vocabulary.size, config)
    save_model_dir(directory, TrainedModel(acoustic, vocabulary, features, config, {}))
    return directory


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--input", type=Path, default=FSDD)
    return parser.parse_args()


if __name__ == "__main__":
    main()
