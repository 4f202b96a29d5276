"""LM beam search: decoding time per second of audio, the Python reference against the compiled
search, on the same logits; and whether their transcripts are the same.

    python benchmarks/beam_search.py --model-dir M --manifest test.jsonl --widths 16 64 128 256

The model's logits of the manifest's utterances are computed once (and kept in
`--logits-cache` when given); then, per width, each utterance is decoded by
`LexiconBeamSearch` (old) and `CompiledBeamSearch` (new) in turn, one thread, so both meet
the same machine load. Prints one JSON line per width: seconds of decoding per second of
audio for each, the count of differing transcripts, and the WER of each.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from speech_lstm.data.manifest import read_manifest
from speech_lstm.decoding.beam import LexiconBeamSearch, LmWeights
from speech_lstm.decoding.prefix_search import CompiledBeamSearch
from speech_lstm.evaluation.scoring import score
from speech_lstm.inference.chunking import ChunkingConfig
from speech_lstm.inference.logits import LogitComputer
from speech_lstm.inference.model_dir import load_model_dir
from speech_lstm.inference.pipeline import LogitPipeline
from speech_lstm.text import normalize_text


def main() -> None:
    args = _arguments()
    trained = load_model_dir(args.model_dir)
    utterances = read_manifest(args.manifest)[: args.max_files or None]
    seconds = sum(u.duration for u in utterances)
    logits = _logits(trained, [u.audio_filepath for u in utterances], args.logits_cache)
    references = [normalize_text(u.text, trained.vocabulary.characters) for u in utterances]
    lm = trained.language_model()
    characters = trained.vocabulary.characters
    for width in args.widths:
        old = LexiconBeamSearch(characters, lm, LmWeights(args.alpha, args.beta), width)
        new = CompiledBeamSearch(characters, lm, args.alpha, args.beta, width)
        new.decode(logits[0])  # compiled (or read from numba's cache) before timing
        spent = {"old": 0.0, "new": 0.0}
        texts: dict[str, list[str]] = {"old": [], "new": []}
        for row in logits:
            for name, search in (("old", old), ("new", new)):
                started = time.perf_counter()
                texts[name].append(search.decode(row))
                spent[name] += time.perf_counter() - started
        report = {
            "width": width,
            "files": len(logits),
            "audio_s": round(seconds, 1),
            "old_s_per_audio_s": round(spent["old"] / seconds, 5),
            "new_s_per_audio_s": round(spent["new"] / seconds, 5),
            "speed_up": round(spent["old"] / spent["new"], 1),
            "differing_transcripts": sum(a != b for a, b in zip(texts["old"], texts["new"])),
            "old_wer": round(score(references, texts["old"]).wer, 5),
            "new_wer": round(score(references, texts["new"]).wer, 5),
            "load_average": os.getloadavg()[0],
        }
        print(json.dumps(report), flush=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 64, 128, 256])
    parser.add_argument("--alpha", type=float, default=0.8)
    parser.add_argument("--beta", type=float, default=1.5)
    parser.add_argument("--max-files", type=int, default=0, help="0: all")
    parser.add_argument("--logits-cache", help="an .npz keeping the logits between runs")
    return parser.parse_args()


def _logits(trained, paths: list[str], cache: str | None) -> list[np.ndarray]:
    if cache and Path(cache).is_file():
        with np.load(cache) as stored:
            return [stored[str(i)] for i in range(len(paths))]
    computer = LogitComputer(trained.acoustic_model, trained.model_config.subsampling)
    pipeline = LogitPipeline(trained.features, computer, chunking=ChunkingConfig(0))
    logits: list[np.ndarray] = [np.zeros(0)] * len(paths)
    for batch in pipeline.batches(paths, 32):
        for segment, row, length in zip(batch.segments, batch.logits, batch.lengths):
            logits[segment.item] = row[: int(length)]
    if cache:
        np.savez(cache, **{str(i): row for i, row in enumerate(logits)})
    return logits


if __name__ == "__main__":
    main()
