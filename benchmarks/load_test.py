"""Load test of the transcription service on 127.0.0.1: latency, throughput, errors, memory.

    python benchmarks/load_test.py --model-dir M --manifest test.jsonl [--requests 300]
        [--concurrency 1 4 16] [--max-seconds 2.5] [--files 20]

Starts `scripts/serve.py` for the model (greedy decoder, its own process), warms it up, then
for each concurrency level sends `--requests` POST /v1/transcribe requests from that many
concurrent clients (asyncio + httpx, one process), cycling over the first `--files` files of
the manifest no longer than `--max-seconds`. Reports per level: p50/p95/max latency,
throughput (requests/s and audio seconds per second), errors, the batch sizes the server
used (X-Batch-Size), and the server's RSS (from /health) before and after. Bounded: at most
`--requests` per level, and `--timeout` seconds per level (after a warm-up of each file
once and two requests per client at the highest level). Prints one JSON line per level and
a Markdown table; the targets: throughput at the highest level >= 3x that at concurrency 1,
and no request over 10x its level's median.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from speech_lstm.data.manifest import read_manifest  # noqa: E402


def main() -> None:
    args = _arguments()
    files = _short_files(args.manifest, args.files, args.max_seconds)
    audio = [(Path(path).name, Path(path).read_bytes(), seconds) for path, seconds in files]
    with _server(args) as url:
        for name, data, _ in audio:  # warm-up: the model's first calls trace it
            _post_sync(url, name, data)
        warm_up = argparse.Namespace(**{**vars(args), "requests": 2 * max(args.concurrency)})
        asyncio.run(_level(url, audio, max(args.concurrency), warm_up))
        rows = [asyncio.run(_level(url, audio, level, args)) for level in args.concurrency]
    for row in rows:
        print(json.dumps(row))
    print(_table(rows))
    print(_verdict(rows))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--max-seconds", type=float, default=2.5)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--serve-args", nargs="*", default=[], help="more serve.py overrides")
    return parser.parse_args()


def _short_files(manifest: str, count: int, max_seconds: float) -> list[tuple[str, float]]:
    short = [(u.audio_filepath, u.duration) for u in read_manifest(manifest)]
    chosen = [(path, seconds) for path, seconds in short if seconds <= max_seconds][:count]
    if not chosen:
        raise SystemExit(f"No file of at most {max_seconds} s in {manifest}")
    return chosen


class _server:
    """scripts/serve.py in its own process on a free port of 127.0.0.1."""

    def __init__(self, args: argparse.Namespace):
        self.args = args

    def __enter__(self) -> str:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [
            sys.executable,
            str(ROOT / "scripts" / "serve.py"),
            f"model_dir={self.args.model_dir}",
            f"port={port}",
            f"hydra.run.dir={Path(tempfile.gettempdir()) / 'speech-lstm-load-test'}",
            *self.args.serve_args,
        ]
        environment = {k: v for k, v in os.environ.items() if k != "SPEECH_LSTM_API_KEY"}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}  # no access log
        self.process = subprocess.Popen(command, env=environment, **quiet)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("serve.py exited before answering")
            try:
                httpx.get(url + "/health", timeout=5)
                return url
            except httpx.TransportError:
                time.sleep(0.5)
        raise SystemExit("serve.py did not answer /health within 300 s")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def _post_sync(url: str, name: str, data: bytes) -> None:
    response = httpx.post(url + "/v1/transcribe", files={"file": (name, data)}, timeout=120)
    response.raise_for_status()


async def _level(url: str, audio: list, concurrency: int, args: argparse.Namespace) -> dict:
    """Sends `args.requests` requests from `concurrency` clients; returns the level's figures."""
    health = httpx.get(url + "/health").json()
    latencies: list[float] = []
    batch_sizes: Counter = Counter()
    errors: Counter = Counter()
    next_request = iter(range(args.requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client(http: httpx.AsyncClient) -> None:
        for index in next_request:
            name, data, _ = audio[index % len(audio)]
            started = time.perf_counter()
            try:
                response = await http.post(url + "/v1/transcribe", files={"file": (name, data)})
            except httpx.HTTPError as error:
                errors[type(error).__name__] += 1
                continue
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors[str(response.status_code)] += 1
            else:
                batch_sizes[int(response.headers["X-Batch-Size"])] += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        workers = [client(http) for _ in range(concurrency)]
        await asyncio.wait_for(asyncio.gather(*workers), args.timeout)
    wall = time.perf_counter() - started
    after = httpx.get(url + "/health").json()
    audio_seconds = sum(audio[i % len(audio)][2] for i in range(args.requests))
    median = statistics.median(latencies)
    return {
        "concurrency": concurrency,
        "requests": args.requests,
        "errors": dict(errors),
        "wall_s": round(wall, 2),
        "throughput_rps": round(args.requests / wall, 2),
        "audio_s_per_s": round(audio_seconds / wall, 1),
        "p50_ms": round(1000 * median, 1),
        "p95_ms": round(1000 * statistics.quantiles(latencies, n=20)[18], 1),
        "max_ms": round(1000 * max(latencies), 1),
        "max_over_median": round(max(latencies) / median, 2),
        "mean_batch": round(
            sum(k * v for k, v in batch_sizes.items()) / sum(batch_sizes.values()), 2
        ),
        "rss_before_mib": round(health["rss_bytes"] / 2**20),
        "rss_after_mib": round(after["rss_bytes"] / 2**20),
    }


def _table(rows: list[dict]) -> str:
    header = (
        "| clients | requests | errors | p50 ms | p95 ms | max ms | max/p50 | req/s | "
        "audio s/s | mean batch | server RSS before -> after |"
    )
    lines = [header, "|" + " --- |" * 11]
    for r in rows:
        lines.append(
            f"| {r['concurrency']} | {r['requests']} | {sum(r['errors'].values())} | "
            f"{r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | {r['max_over_median']} | "
            f"{r['throughput_rps']} | {r['audio_s_per_s']} | {r['mean_batch']} | "
            f"{r['rss_before_mib']} -> {r['rss_after_mib']} MiB |"
        )
    return "\n".join(lines)


def _verdict(rows: list[dict]) -> str:
    speedup = rows[-1]["throughput_rps"] / rows[0]["throughput_rps"]
    tail = max(r["max_over_median"] for r in rows)
    errors = sum(sum(r["errors"].values()) for r in rows)
    met = speedup >= 3 and tail <= 10 and errors == 0
    return (
        f"speed-up at {rows[-1]['concurrency']} clients: {speedup:.2f}x (target >= 3); "
        f"worst max/median: {tail} (target <= 10); errors: {errors} -> "
        f"{'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
