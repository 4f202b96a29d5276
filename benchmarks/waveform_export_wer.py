"""WER of the waveform exports (features computed in their graph) against the Python path
(librosa features, Keras model) on a labelled manifest, greedy decoding.

    python scripts/export.py model_dir=M output_dir=E tflite_batch_size=1
    python benchmarks/waveform_export_wer.py --model-dir M --export-dir E --manifest test.jsonl

Prints one JSON line per path (python, waveform_saved_model, waveform_tflite): WER, the
transcripts that differ from the Python path's, the largest feature difference (SavedModel's
`features` against `compute_mfcc`), seconds; then the packages that differ from constraints.txt.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's package first

from speech_lstm.audio import load_audio  # noqa: E402
from speech_lstm.data.manifest import read_manifest  # noqa: E402
from speech_lstm.decoding import DecoderConfig  # noqa: E402
from speech_lstm.decoding.decoder import Decoder  # noqa: E402
from speech_lstm.evaluation import score  # noqa: E402
from speech_lstm.features import compute_mfcc  # noqa: E402
from speech_lstm.inference.backends import WaveformExport  # noqa: E402
from speech_lstm.inference.config import export_paths  # noqa: E402
from speech_lstm.inference.model_dir import load_model_dir  # noqa: E402
from speech_lstm.training.environment import constraint_differences  # noqa: E402
from speech_lstm.transcription import Transcriber  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--export-dir", default=None, help="default: MODEL_DIR/export")
    parser.add_argument("--manifest", required=True)
    args = parser.parse_args()
    utterances = read_manifest(args.manifest)
    references = [u.text for u in utterances]
    trained = load_model_dir(args.model_dir, with_lm=False)
    rate = trained.features.sample_rate
    waveforms = [load_audio(u.audio_filepath, rate) for u in utterances]

    started = time.perf_counter()
    transcriber = Transcriber(trained, DecoderConfig("greedy"))
    python = [r.text for r in transcriber.transcribe([u.audio_filepath for u in utterances])]
    report("python", references, python, python, time.perf_counter() - started)

    decoder = Decoder(DecoderConfig("greedy"), trained.vocabulary)
    paths = export_paths(args.model_dir, args.export_dir)
    for name in ("waveform_saved_model", "waveform_tflite"):
        started = time.perf_counter()
        export = WaveformExport(paths[name])
        texts = []
        for waveform in waveforms:
            logits = export(waveform)
            texts += decoder(logits[None], np.asarray([len(logits)]))
        extra = {}
        if name == "waveform_saved_model":
            extra["max_feature_difference"] = max(
                float(np.abs(export.features(w) - compute_mfcc(w, rate, trained.features)).max())
                for w in waveforms
            )
        report(name, references, texts, python, time.perf_counter() - started, **extra)
    differences = constraint_differences(ROOT / "constraints.txt")
    print(json.dumps({"differs_from_constraints": differences}))


def report(name, references, texts, python, seconds, **extra) -> None:
    differing = sum(a != b for a, b in zip(texts, python))
    wer = score(references, texts).wer
    line = {"path": name, "utterances": len(texts), "wer": round(100 * wer, 3)}
    line |= {"transcripts_differing_from_python": differing, "seconds": round(seconds, 1)}
    print(json.dumps(line | extra), flush=True)


if __name__ == "__main__":
    main()
