"""Start-up: whole-process time of transcribing one short file, against importing TensorFlow.

    python benchmarks/startup.py --model-dir M --audio one.wav [--baseline OTHER_CHECKOUT]
    python benchmarks/startup.py --model-dir M --audio test.jsonl --cases greedy beam_lm


Each round runs, as separate processes and in turn, `python -c "import tensorflow"` and
`scripts/transcribe.py` on the one file with decoder=greedy and decoder=beam_lm, for this
checkout and for `--baseline` (another checkout, e.g. a worktree of an older commit), so that
old and new meet the same machine load. The model directory is copied to a temporary folder
first (the LM's array cache is written into the copy, by one untimed beam_lm run, unless
the model directory has it). Prints one
JSON line per run (wall and CPU seconds) and, last, the medians per case. `--audio` may be any
input of transcribe.py (a manifest: whole-process real-time factors), `--cases` a subset.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = ("import_tensorflow", "greedy", "beam_lm")


def main() -> None:
    args = _arguments()
    checkouts = {"new": ROOT} | ({"old": Path(args.baseline)} if args.baseline else {})
    with tempfile.TemporaryDirectory() as folder:
        model_dir = Path(folder) / "model"
        shutil.copytree(args.model_dir, model_dir)
        needs_cache = "beam_lm" in args.cases and not (model_dir / "lm.arpa.npz").is_file()
        for checkout in checkouts.values() if needs_cache else []:
            _run(checkout, _transcribe(checkout, model_dir, args.audio, "beam_lm", folder))
        rows = []
        for round_index in range(args.rounds):
            for name, checkout in checkouts.items():
                for case in args.cases:
                    if case == "import_tensorflow":
                        command = [sys.executable, "-c", "import tensorflow"]
                    else:
                        command = _transcribe(checkout, model_dir, args.audio, case, folder)
                    wall, cpu = _run(checkout, command)
                    row = {"round": round_index, "checkout": name, "case": case}
                    row |= {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}
                    row["load_average"] = os.getloadavg()[0]
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    _summary(rows)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--audio", required=True, help="one short audio file")
    parser.add_argument("--baseline", help="another checkout to time the same way")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    return parser.parse_args()


def _transcribe(checkout: Path, model_dir: Path, audio: str, decoder: str, folder: str) -> list:
    return [
        sys.executable,
        str(checkout / "scripts" / "transcribe.py"),
        f"model_dir={model_dir}",
        f"input={audio}",
        f"output={folder}/out.jsonl",
        f"decoder={decoder}",
        "progress=false",
        f"hydra.run.dir={folder}/hydra",
    ]


def _run(checkout: Path, command: list) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    environment = {**os.environ, "PYTHONPATH": str(checkout), "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=checkout)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _summary(rows: list[dict]) -> None:
    medians = {}
    for checkout in sorted({r["checkout"] for r in rows}):
        for case in CASES:
            mine = [r for r in rows if r["checkout"] == checkout and r["case"] == case]
            if not mine:
                continue
            medians[f"{checkout}/{case}"] = {
                "wall_s": round(statistics.median(r["wall_s"] for r in mine), 2),
                "cpu_s": round(statistics.median(r["cpu_s"] for r in mine), 2),
            }
    for checkout in sorted({r["checkout"] for r in rows}):
        base = medians.get(f"{checkout}/import_tensorflow")
        for case in ("greedy", "beam_lm"):
            entry = medians.get(f"{checkout}/{case}")
            if base is None or entry is None:
                continue
            entry["wall_x_import"] = round(entry["wall_s"] / base["wall_s"], 2)
            entry["cpu_x_import"] = round(entry["cpu_s"] / base["cpu_s"], 2)
    print(json.dumps({"medians": medians}, indent=1))


if __name__ == "__main__":
    main()
