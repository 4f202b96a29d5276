"""Peak RSS of training on a 1x and a 10x corpus: one epoch each, each in its own process.

The corpora are the first N and 10 N utterances of a manifest. Each run is the normal entry,
`scripts/train.py` with overrides (one epoch, no LM, its own feature cache and run folder), and
runs twice: with an empty feature cache (cold: features are computed first) and again with
that cache (warm). Peak RSS is the kernel's high-water mark of the training process
(`ru_maxrss` from `os.wait4`); a poller also records the peak of its anonymous and file-backed
(memory-mapped cache) parts and of the whole process tree (feature workers included).
Usage: python benchmarks/training_memory.py [--manifest M] [--utterances N] [--scale 10]
       [--model small] [--out outputs/benchmarks/training_memory]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from speech_lstm.data.manifest import read_manifest, write_manifest  # noqa: E402

KIB_PER_MIB = 1024


def status_kib(pid: int) -> dict[str, int]:
    """The `*Rss*`/`Vm*` lines of /proc/<pid>/status in KiB (empty once the process is gone)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = {}
    for line in lines:
        key, _, value = line.partition(":")
        if key.startswith(("Rss", "Vm")) and value.strip().endswith("kB"):
            fields[key] = int(value.split()[0])
    return fields


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it, from the parent ids in /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parent = int(text[text.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(stat.parent.name))
    tree, stack = [], [pid]
    while stack:
        current = stack.pop()
        tree.append(current)
        stack.extend(children.get(current, []))
    return tree


class RssPoller(threading.Thread):
    """Polls a process (and its tree) until stopped, keeping the peaks in KiB."""

    def __init__(self, pid: int, interval_s: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.interval_s = pid, interval_s
        self.peaks = {"RssAnon": 0, "RssFile": 0, "tree": 0}
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval_s):
            own = status_kib(self.pid)
            for key in ("RssAnon", "RssFile"):
                self.peaks[key] = max(self.peaks[key], own.get(key, 0))
            tree = sum(status_kib(p).get("VmRSS", 0) for p in descendants(self.pid))
            self.peaks["tree"] = max(self.peaks["tree"], tree)


def cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return platform.machine()


def train_once(manifest: Path, dev: Path, cache: Path, run_dir: Path, model: str) -> dict:
    """One epoch of `scripts/train.py` in a child process; its peak RSS and wall time."""
    command = [
        sys.executable,
        str(ROOT / "scripts" / "train.py"),
        f"data.train_manifest={manifest}",
        f"data.dev_manifest={dev}",
        "data.lm_text=null",
        "lm_order=0",
        f"model={model}",
        "trainer.epochs=1",
        "trainer.verbose=0",
        f"paths.cache_dir={cache}",
        f"paths.output_dir={run_dir}",
        f"hydra.run.dir={run_dir}",
    ]
    run_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with (run_dir / "train.log").open("w") as log:
        child = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        poller = RssPoller(child.pid)
        poller.start()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        poller.stopped.set()
        poller.join()
    wall = time.perf_counter() - started
    if child.returncode:
        raise RuntimeError(f"Training failed ({child.returncode}); see {run_dir / 'train.log'}")
    return {
        "peak_rss_mib": usage.ru_maxrss / KIB_PER_MIB,
        "peak_anon_mib": poller.peaks["RssAnon"] / KIB_PER_MIB,
        "peak_file_mib": poller.peaks["RssFile"] / KIB_PER_MIB,
        "peak_tree_mib": poller.peaks["tree"] / KIB_PER_MIB,
        "wall_s": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", default="data/synthetic/train.jsonl")
    parser.add_argument("--dev-manifest", help="default: dev.jsonl next to --manifest")
    parser.add_argument("--utterances", type=int, default=300, help="size of the 1x corpus")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--model", default="small", help="a conf/model option")
    parser.add_argument("--out", default="outputs/benchmarks/training_memory")
    args = parser.parse_args()
    manifest = Path(args.manifest).resolve()
    dev = Path(args.dev_manifest or manifest.with_name("dev.jsonl")).resolve()
    out = Path(args.out).resolve()
    utterances = read_manifest(manifest)
    sizes = {"1x": args.utterances, f"{args.scale}x": args.utterances * args.scale}
    if sizes[f"{args.scale}x"] > len(utterances):
        raise ValueError(
            f"{manifest} has {len(utterances)} utterances; the {args.scale}x corpus needs "
            f"{sizes[f'{args.scale}x']}. Received: --utterances {args.utterances}"
        )
    rows = []
    for name, size in sizes.items():
        subset = out / f"{name}.jsonl"
        write_manifest(subset, utterances[:size])
        cache = out / "cache" / name
        shutil.rmtree(cache, ignore_errors=True)
        hours = sum(u.duration for u in utterances[:size]) / 3600
        for cache_state in ("cold", "warm"):
            result = train_once(subset, dev, cache, out / f"run_{name}_{cache_state}", args.model)
            rows.append(
                {"corpus": name, "utterances": size, "hours": hours, "cache": cache_state} | result
            )
            print(json.dumps(rows[-1]), flush=True)
    (out / "results.json").write_text(json.dumps(rows, indent=2))
    print(f"machine: {cpu_name()}, {len(os.sched_getaffinity(0))} cores")
    print(f"model={args.model}, 1 epoch, dev {dev}")
    print("| corpus | utterances | audio h | cache | peak RSS MiB | anon | file | tree | wall s |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['corpus']} | {r['utterances']} | {r['hours']:.2f} | {r['cache']} | "
            f"{r['peak_rss_mib']:.0f} | {r['peak_anon_mib']:.0f} | {r['peak_file_mib']:.0f} | "
            f"{r['peak_tree_mib']:.0f} | {r['wall_s']:.1f} |"
        )
    for cache_state in ("warm", "cold"):
        small, large = (r["peak_rss_mib"] for r in rows if r["cache"] == cache_state)
        print(f"{cache_state}: {args.scale}x / 1x peak RSS = {large / small:.3f}")


if __name__ == "__main__":
    main()
