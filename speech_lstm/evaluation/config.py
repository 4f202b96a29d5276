"""Schemas of the evaluation scripts: `EvaluateConfig` (`conf/evaluate.yaml`) and
`TuneDecoderConfig` (`conf/tune_decoder.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from speech_lstm.decoding.decoder import DecoderConfig
from speech_lstm.evaluation.normalization import NormalizerConfig
from speech_lstm.inference.warp_search import search_warps


@dataclass
class EvaluateConfig:
    """`scripts/evaluate.py`: score a model (or existing predictions) on a manifest.

    Attributes:
        manifest: JSONL manifest holding the references.
        output_dir: where report.json, report.md, report.html and per_utterance.jsonl go.
        model_dir: a trained model to transcribe the manifest with; or else
        predictions: an existing JSONL/CSV predictions file (exactly one of the two).
        batch_size: transcription batch size (model_dir mode).
        decoder: transcription decoder (model_dir mode).
        ensemble: more model directories averaged with `model_dir` (see TranscribeConfig).
        warp_search: warp factors each utterance is read at, the most confident reading
            decoded (model_dir mode; see TranscribeConfig).
        normalizer: text normalisation applied to references and hypotheses alike.
        tolerance: corpus WER above which the script exits with status 3 (a CI gate);
            None disables the gate.
        bootstrap_samples: resamples for the WER confidence interval; 0 skips it.
        bootstrap_seed: seed of the resampling, so reports are reproducible.
        confidence: coverage of the interval.
        duration_buckets: increasing bucket edges in seconds for the WER-by-duration breakdown.
        top_k: most frequent substitutions, deletions and insertions listed of each.
        n_worst: worst utterances shown with their alignments.
    """

    manifest: str = "???"
    output_dir: str = "???"
    model_dir: str | None = None
    predictions: str | None = None
    batch_size: int = 16
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    ensemble: list[str] = field(default_factory=list)
    warp_search: list[float] = field(default_factory=list)
    normalizer: NormalizerConfig = field(default_factory=NormalizerConfig)
    tolerance: float | None = None
    bootstrap_samples: int = 1000
    bootstrap_seed: int = 0
    confidence: float = 0.95
    duration_buckets: list[float] = field(default_factory=lambda: [2.0, 5.0, 10.0, 20.0])
    top_k: int = 10
    n_worst: int = 20

    def __post_init__(self) -> None:
        search_warps(self.warp_search)
        if self.tolerance is not None and self.tolerance < 0:
            raise ValueError(f"tolerance must be >= 0 (a WER). Received: {self.tolerance}")
        if self.bootstrap_samples < 0 or self.top_k < 0 or self.n_worst < 0:
            raise ValueError(
                "bootstrap_samples, top_k and n_worst must be >= 0. Received: "
                f"{self.bootstrap_samples}, {self.top_k}, {self.n_worst}"
            )
        if not 0.0 < self.confidence < 1.0:
            raise ValueError(f"confidence must be in (0, 1). Received: {self.confidence}")


@dataclass
class TuneDecoderConfig:
    """`scripts/tune_decoder.py`: where to tune, what to try, where the result goes.

    Attributes:
        model_dir: a model directory (its lm.arpa unless `decoder.lm_path` is set).
        manifest: the dev manifest scored.
        output: the decoder YAML written with the best weights (printed too).
        decoder: the starting beam_lm settings (beam width, LM path, lexicon).
        alphas: LM weights tried.
        betas: word bonuses tried.
        unk_penalties: unknown-word penalties tried after the (alpha, beta) search, at the best
            pair (null: the closed vocabulary); empty keeps `decoder.unk_penalty`.
        search: "grid" tries every pair; "random" draws `trials` pairs uniformly from the
            ranges the two lists span.
        trials: pairs drawn by random search.
        seed: seed of the random search.
        batch_size: utterances per forward pass.
        max_utterances: score only the first N utterances; 0 keeps all.
        warp_search: warp factors each utterance is read at, the most confident reading
            decoded (see TranscribeConfig): tune with the search that transcription will use,
            so the weights fit the readings they will decode.
    """

    model_dir: str = "???"
    manifest: str = "???"
    output: str = "???"
    decoder: DecoderConfig = field(default_factory=lambda: DecoderConfig(type="beam_lm"))
    alphas: list[float] = field(default_factory=lambda: [0.2, 0.5, 0.8, 1.1, 1.5])
    betas: list[float] = field(default_factory=lambda: [0.0, 0.75, 1.5, 2.25, 3.0])
    unk_penalties: list[float | None] = field(default_factory=list)
    search: str = "grid"
    trials: int = 20
    seed: int = 0
    batch_size: int = 32
    max_utterances: int = 0
    warp_search: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        search_warps(self.warp_search)
        if self.search not in ("grid", "random"):
            raise ValueError(f"search must be 'grid' or 'random'. Received: {self.search!r}")
        if not self.alphas or not self.betas:
            raise ValueError(
                f"alphas and betas must not be empty. Received: {self.alphas}, {self.betas}"
            )
