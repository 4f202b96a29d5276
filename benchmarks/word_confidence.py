"""Is word confidence informative? Error rates of words by confidence on a labelled manifest.

    python benchmarks/word_confidence.py --model-dir M --manifest dev.jsonl [--decoder greedy]

Each hypothesis word is aligned to the reference (jiwer's word alignment); a word is wrong
unless it is a hit. Prints one JSON line: the share of wrong words among those with confidence
< 0.5, in [0.5, 0.9], and > 0.9, and the counts, plus the corpus WER.
"""

from __future__ import annotations

import argparse
import json

import jiwer

from speech_lstm.data.manifest import read_manifest
from speech_lstm.decoding import DecoderConfig
from speech_lstm.evaluation import score
from speech_lstm.transcription import Transcriber


def correct_flags(reference: str, hypothesis: str) -> list[bool]:
    """For each hypothesis word, whether the alignment to the reference makes it a hit."""
    words = hypothesis.split()
    if not words:
        return []
    if not reference.split():
        return [False] * len(words)
    flags = [False] * len(words)
    for chunk in jiwer.process_words(reference, hypothesis).alignments[0]:
        if chunk.type == "equal":
            for position in range(chunk.hyp_start_idx, chunk.hyp_end_idx):
                flags[position] = True
    return flags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--decoder", default="greedy")
    args = parser.parse_args()
    utterances = read_manifest(args.manifest)
    transcriber = Transcriber.load(args.model_dir, DecoderConfig(args.decoder), timestamps=True)
    results = transcriber.transcribe([u.audio_filepath for u in utterances], batch_size=32)
    bins = {"low(<0.5)": [0, 0], "mid": [0, 0], "high(>0.9)": [0, 0]}
    for utterance, result in zip(utterances, results):
        for word, ok in zip(result.words, correct_flags(utterance.text, result.text)):
            name = "low(<0.5)" if word.confidence < 0.5 else "mid"
            name = "high(>0.9)" if word.confidence > 0.9 else name
            bins[name][0] += 1
            bins[name][1] += 0 if ok else 1
    row = {
        "decoder": args.decoder,
        "wer": round(score([u.text for u in utterances], [r.text for r in results]).wer, 4),
        **{f"{k}_words": n for k, (n, _) in bins.items()},
        **{f"{k}_error_rate": round(e / n, 4) if n else None for k, (n, e) in bins.items()},
    }
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
