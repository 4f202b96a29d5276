"""WER of the Keras model and its exports on a labelled manifest (after scripts/export.py).

    python benchmarks/backend_wer.py --model-dir M --manifest test.jsonl

Prints one JSON line per back end: keras, saved_model, tflite (float32), tflite_int8.
"""

from __future__ import annotations

import argparse
import json
import time

from speech_lstm.data.manifest import read_manifest
from speech_lstm.decoding import DecoderConfig
from speech_lstm.evaluation import score
from speech_lstm.transcription import Transcriber


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--decoder", default="greedy")
    parser.add_argument("--backends", nargs="+", default=["keras", "tflite", "tflite_int8"])
    args = parser.parse_args()
    utterances = read_manifest(args.manifest)
    paths = [u.audio_filepath for u in utterances]
    for backend in args.backends:
        transcriber = Transcriber.load(args.model_dir, DecoderConfig(args.decoder), backend)
        started = time.perf_counter()
        results = transcriber.transcribe(paths, batch_size=32)
        wall = time.perf_counter() - started
        counts = score([u.text for u in utterances], [r.text or "" for r in results])
        audio = sum(u.duration for u in utterances)
        row = {"backend": backend, "decoder": args.decoder, "utterances": len(paths)}
        row.update({"wer": round(counts.wer, 4), "rtf": round(wall / audio, 4)})
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
