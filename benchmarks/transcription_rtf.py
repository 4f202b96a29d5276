"""End-to-end transcription speed and memory: real-time factor and peak RSS.

    python benchmarks/transcription_rtf.py rtf --model-dir M --manifest train.jsonl --minutes 30
    python benchmarks/transcription_rtf.py files --model-dir M --manifest train.jsonl --count 1000
    python benchmarks/transcription_rtf.py long --model-dir M --manifest test.jsonl --minutes 60
    python benchmarks/transcription_rtf.py rtf ... --warp-search 0.8 0.9 1.1 1.2

`rtf` times `Transcriber.transcribe` (audio reading, features, model, decoding; model loading
excluded and reported apart) over the first utterances of a manifest totalling `--minutes`,
once per decoder (`--warp-search`: with test-time warp search, one more forward pass per
factor). `files` and `long` report this process's peak RSS after transcribing
`--count` files, or one file made by looping the manifest's audio to `--minutes`; run each
case in its own process so that peaks do not mix. Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

from speech_lstm.data.manifest import read_manifest
from speech_lstm.decoding import DecoderConfig
from speech_lstm.transcription import Transcriber


def main() -> None:
    args = _arguments()
    utterances = read_manifest(args.manifest)
    if args.case == "rtf":
        paths, seconds = _first_minutes(utterances, args.minutes)
        for decoder in args.decoders:
            _report(args, _timed(args, decoder, paths), seconds, decoder, len(paths))
    elif args.case == "files":
        paths = [u.audio_filepath for u in utterances[: args.count]]
        seconds = sum(u.duration for u in utterances[: args.count])
        _report(args, _timed(args, args.decoders[0], paths), seconds, args.decoders[0], len(paths))
    else:
        with tempfile.TemporaryDirectory() as folder:
            path, seconds = _long_file(utterances, args.minutes, Path(folder))
            _report(args, _timed(args, args.decoders[0], [path]), seconds, args.decoders[0], 1)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=["rtf", "files", "long"])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--decoders", nargs="+", default=["greedy", "beam", "beam_lm"])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--num-workers", type=int, default=2)
    parser.add_argument("--backend", default="keras")
    parser.add_argument("--warp-search", nargs="*", type=float, default=[])
    return parser.parse_args()


def _first_minutes(utterances, minutes: float) -> tuple[list[str], float]:
    paths, seconds = [], 0.0
    for utterance in utterances:
        if seconds >= minutes * 60:
            break
        paths.append(utterance.audio_filepath)
        seconds += utterance.duration
    if seconds < minutes * 60:
        raise ValueError(f"The manifest holds less than {minutes} minutes. Received: {seconds}s")
    return paths, seconds


def _long_file(utterances, minutes: float, folder: Path) -> tuple[str, float]:
    """One WAV made of the manifest's audio, looped (with 0.3 s pauses) to `minutes`."""
    path = folder / "long.wav"
    target = int(minutes * 60 * 16000)
    written = 0
    pause = np.zeros(int(0.3 * 16000), dtype=np.float32)
    with soundfile.SoundFile(path, "w", 16000, 1, "PCM_16") as out:
        while written < target:
            for utterance in utterances:
                wave, _ = soundfile.read(utterance.audio_filepath, dtype="float32")
                piece = np.concatenate([wave, pause])[: target - written]
                out.write(piece)
                written += len(piece)
                if written >= target:
                    break
    return str(path), written / 16000


def _timed(args, decoder_type: str, paths: list[str]) -> dict:
    started = time.perf_counter()
    transcriber = Transcriber.load(
        args.model_dir,
        DecoderConfig(decoder_type),
        backend=args.backend,
        num_workers=args.num_workers,
        warp_search=args.warp_search,
    )
    loaded = time.perf_counter()
    results = transcriber.transcribe(paths, batch_size=args.batch_size)
    finished = time.perf_counter()
    failed = sum(1 for r in results if r.error)
    return {"load_s": loaded - started, "wall_s": finished - loaded, "failed": failed}


def _report(args, timing: dict, seconds: float, decoder: str, files: int) -> None:
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row = {
        "case": args.case,
        "decoder": decoder,
        "backend": args.backend,
        "warp_search": args.warp_search,
        "files": files,
        "audio_s": round(seconds, 1),
        "wall_s": round(timing["wall_s"], 2),
        "rtf": round(timing["wall_s"] / seconds, 5),
        "load_s": round(timing["load_s"], 2),
        "failed": timing["failed"],
        "peak_rss_mib": round(peak_mib, 1),
        "batch_size": args.batch_size,
        "num_workers": args.num_workers,
        "cpus": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
