"""Held-out everyday English against the corpus LM: OOV rate, perplexity, LM size and time.

Writes the LM text of a corpus config (generated sentences, everyday-word sentences, prose;
no audio is made), builds the word LM the demo builds from it (training adds the train
transcripts, a few thousand sentences more), and scores the held-out prose
(speech_lstm/synthetic/heldout_prose.txt).
Usage: python benchmarks/lm_heldout_prose.py [--experiment synthetic_large]
       [--lm-sentences N] [--order 3] [--out outputs/benchmarks/lm_heldout_prose]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hydra import compose, initialize_config_dir  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from speech_lstm.config import register_configs  # noqa: E402
from speech_lstm.decoding.lm import build_ngram_lm, read_lm_text  # noqa: E402
from speech_lstm.evaluation.lm_text_coverage import lm_coverage  # noqa: E402
from speech_lstm.synthetic.config import HELDOUT_PROSE  # noqa: E402
from speech_lstm.synthetic.corpus import write_lm_text  # noqa: E402
from speech_lstm.text import read_sentences  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", default=None, help="e.g. synthetic_large")
    parser.add_argument("--lm-sentences", type=int, default=None, help="default: the config's")
    parser.add_argument("--order", type=int, default=3)
    parser.add_argument("--out", default="outputs/benchmarks/lm_heldout_prose")
    args = parser.parse_args()
    register_configs()
    overrides = [f"experiment={args.experiment}"] if args.experiment else []
    with initialize_config_dir(str(ROOT / "conf"), version_base="1.3"):
        config = OmegaConf.to_object(compose("train", overrides).data.synthetic)
    if args.lm_sentences is not None:
        config.lm_sentences = args.lm_sentences
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_lm_text(config, out / "lm_text.txt", {})
    written = time.perf_counter()
    sentences = read_lm_text(out / "lm_text.txt", " abcdefghijklmnopqrstuvwxyz'")
    lm = build_ngram_lm(sentences, args.order)
    built = time.perf_counter()
    lm.save_arpa(out / "lm.arpa")
    coverage = lm_coverage(lm, read_sentences(HELDOUT_PROSE))
    result = {
        "lm_sentences": config.lm_sentences,
        "lm_text_sentences": len(sentences),
        "lm_text_words": sum(len(s.split()) for s in sentences),
        "lm_text_mb": round((out / "lm_text.txt").stat().st_size / 1e6, 1),
        "vocabulary": len(lm.words),
        "ngrams": len(lm.logprobs),
        "arpa_mb": round((out / "lm.arpa").stat().st_size / 1e6, 1),
        "write_text_s": round(written - started, 1),
        "build_lm_s": round(built - written, 1),
        "heldout_words": coverage.words,
        "heldout_oov_rate": round(coverage.oov_rate, 4),
        "heldout_oov_words": sorted(set(coverage.oov_words)),
        "heldout_perplexity": round(coverage.perplexity, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
