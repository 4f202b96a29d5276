"""Searching the LM weight (alpha) and word bonus (beta) of `beam_lm` on a dev manifest.

The acoustic model runs once, over the audio streamed through
`speech_lstm.inference.pipeline` as in transcription; every candidate (alpha, beta) only
re-decodes the kept logits, so a grid of 25 points costs 25 decodings, not 25 transcriptions.
"""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from speech_lstm.atomic import write_text
from speech_lstm.audio import AudioError
from speech_lstm.data.manifest import Utterance, read_manifest
from speech_lstm.decoding.decoder import Decoder, DecoderConfig
from speech_lstm.evaluation.config import TuneDecoderConfig
from speech_lstm.evaluation.scoring import score
from speech_lstm.inference.chunking import ChunkingConfig
from speech_lstm.inference.logits import LogitComputer
from speech_lstm.inference.model_dir import TrainedModel, load_model_dir
from speech_lstm.inference.pipeline import LogitPipeline
from speech_lstm.text import normalize_text

log = logging.getLogger(__name__)


def candidates(config: TuneDecoderConfig) -> list[tuple[float, float]]:
    """The (alpha, beta) pairs to try."""
    if config.search == "grid":
        return list(itertools.product(config.alphas, config.betas))
    rng = random.Random(config.seed)
    low_a, high_a = min(config.alphas), max(config.alphas)
    low_b, high_b = min(config.betas), max(config.betas)
    return [
        (round(rng.uniform(low_a, high_a), 3), round(rng.uniform(low_b, high_b), 3))
        for _ in range(config.trials)
    ]


def tune_decoder(config: TuneDecoderConfig) -> dict:
    """Scores every candidate on the manifest, writes the best decoder config to `output`.

    Returns:
        `best` ({alpha, beta, wer}, and `unk_penalty` when one of `unk_penalties` lowered the
        WER), `unk_trials` (each penalty's WER at the best pair), `baseline` (WER with the
        starting weights), `greedy_wer`, `trials` (every pair's WER), the `warp_search` the
        logits were read with and the written `output`.
    """
    trained = load_model_dir(config.model_dir)
    lm = trained.language_model(config.decoder.lm_path)
    utterances = read_manifest(config.manifest)
    if config.max_utterances:
        utterances = utterances[: config.max_utterances]
    references = [normalize_text(u.text, trained.vocabulary.characters) for u in utterances]
    logits = _dev_logits(trained, utterances, config.batch_size, config.warp_search)
    base = replace(config.decoder, type="beam_lm")

    def wer(decoder: DecoderConfig) -> float:
        decode = Decoder(decoder, trained.vocabulary, lm)
        return score(references, [decode(row[None], [len(row)])[0] for row in logits]).wer

    trials = []
    for alpha, beta in candidates(config):
        trials.append(
            {"alpha": alpha, "beta": beta, "wer": wer(replace(base, alpha=alpha, beta=beta))}
        )
        log.info("alpha=%.3f beta=%.3f WER %.4f", alpha, beta, trials[-1]["wer"])
    best = min(trials, key=lambda t: t["wer"])
    tuned = replace(base, alpha=best["alpha"], beta=best["beta"])
    unk_trials = []
    for penalty in config.unk_penalties:
        unk_trials.append({"unk_penalty": penalty, "wer": wer(replace(tuned, unk_penalty=penalty))})
        log.info("unk_penalty=%s WER %.4f", penalty, unk_trials[-1]["wer"])
    if unk_trials:
        best_unk = min(unk_trials, key=lambda t: t["wer"])
        if best_unk["wer"] < best["wer"]:
            best = {**best, **best_unk}
            tuned = replace(tuned, unk_penalty=best_unk["unk_penalty"])
    write_decoder_yaml(tuned, config.output, best, config.warp_search)
    return {
        "best": best,
        "unk_trials": unk_trials,
        "baseline": {"alpha": base.alpha, "beta": base.beta, "wer": wer(base)},
        "greedy_wer": wer(DecoderConfig("greedy")),
        "trials": trials,
        "warp_search": list(config.warp_search),
        "output": str(config.output),
    }


def _dev_logits(
    trained: TrainedModel,
    utterances: list[Utterance],
    batch_size: int,
    warp_search: Sequence[float] = (),
) -> list[np.ndarray]:
    """Each utterance's logits (steps, vocab), padding removed, in manifest order.

    The audio streams through the transcription pipeline (read in worker threads, never
    split into chunks, each utterance read at `warp_search`'s factors as transcription
    reads it); only the logits, far smaller than the audio, are kept.

    Raises:
        AudioError: an utterance whose audio cannot be read.
    """
    computer = LogitComputer(trained.acoustic_model, trained.model_config.subsampling)
    pipeline = LogitPipeline(
        trained.features, computer, chunking=ChunkingConfig(0), warp_search=warp_search
    )
    paths = [u.source for u in utterances]
    speakers = [u.speaker for u in utterances]
    logits: list[np.ndarray] = [np.zeros(0)] * len(utterances)
    for batch in pipeline.batches(paths, batch_size, speakers=speakers):
        if batch.failed:
            raise AudioError(batch.failed[0].error)
        for segment, row, length in zip(batch.segments, batch.logits, batch.lengths):
            logits[segment.item] = row[: int(length)]
    return logits


def decoder_yaml(
    decoder: DecoderConfig, best: dict | None = None, warp_search: Sequence[float] = ()
) -> str:
    """A `conf/decoder/` file for `decoder`, with the tuning result as a comment (and the
    warp search it was tuned with, which transcription should use too)."""
    lines = []
    if best is not None:
        lines.append(f"# Tuned by scripts/tune_decoder.py: dev WER {best['wer']:.4f}.")
    if warp_search:
        lines.append(f"# Tuned with warp_search={list(warp_search)}: transcribe with it too.")
    lines += [
        f"type: {decoder.type}",
        f"beam_width: {decoder.beam_width}",
        f"alpha: {decoder.alpha}",
        f"beta: {decoder.beta}",
        f"lm_path: {decoder.lm_path if decoder.lm_path else 'null'}",
        f"lexicon_constrained: {str(decoder.lexicon_constrained).lower()}",
        f"unk_penalty: {'null' if decoder.unk_penalty is None else decoder.unk_penalty}",
    ]
    return "\n".join(lines) + "\n"


def write_decoder_yaml(
    decoder: DecoderConfig,
    path: str | Path,
    best: dict | None = None,
    warp_search: Sequence[float] = (),
) -> None:
    """Writes `decoder_yaml` to `path`, creating folders."""
    write_text(path, decoder_yaml(decoder, best, warp_search))
