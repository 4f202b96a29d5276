"""An evaluation's results in one object, and the files that record it in `output_dir`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from speech_lstm.atomic import write_text
from speech_lstm.evaluation.bootstrap import Interval, bootstrap_interval
from speech_lstm.evaluation.breakdowns import (
    FrequentErrors,
    GroupScore,
    by_duration,
    by_speaker,
    frequent_errors,
    worst_utterances,
)
from speech_lstm.evaluation.config import EvaluateConfig
from speech_lstm.evaluation.scoring import ErrorCounts, UtteranceScore, corpus_counts

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
REPORT_HTML = "report.html"
PER_UTTERANCE = "per_utterance.jsonl"


@dataclass
class Evaluation:
    """Everything a report shows.

    Attributes:
        counts: corpus figures.
        utterances: every scored utterance, in manifest order.
        context: what was evaluated and how (manifest, predictions, model, normaliser, config,
            unmatched predictions); written into report.json as it is.
        wer_interval: bootstrap interval of corpus WER, when computed.
        tolerance: WER above which the evaluation fails, if any.
    """

    counts: ErrorCounts
    utterances: list[UtteranceScore] = field(default_factory=list)
    context: dict = field(default_factory=dict)
    wer_interval: Interval | None = None
    by_speaker: list[GroupScore] = field(default_factory=list)
    by_duration: list[GroupScore] = field(default_factory=list)
    frequent: FrequentErrors = field(default_factory=lambda: FrequentErrors([], [], []))
    worst: list[UtteranceScore] = field(default_factory=list)
    tolerance: float | None = None

    @property
    def passed(self) -> bool:
        """False when a tolerance is set and corpus WER exceeds it."""
        return self.tolerance is None or self.counts.wer <= self.tolerance


def summarize(
    utterances: Sequence[UtteranceScore], config: EvaluateConfig, context: dict
) -> Evaluation:
    """Computes corpus figures, the bootstrap interval and the breakdowns of scored utterances."""
    interval = None
    if utterances and config.bootstrap_samples > 0:
        interval = bootstrap_interval(
            [u.errors for u in utterances],
            [u.n_words for u in utterances],
            config.bootstrap_samples,
            config.bootstrap_seed,
            config.confidence,
        )
    return Evaluation(
        counts=corpus_counts(utterances),
        utterances=list(utterances),
        context=context,
        wer_interval=interval,
        by_speaker=by_speaker(utterances),
        by_duration=by_duration(utterances, config.duration_buckets),
        frequent=frequent_errors(utterances, config.top_k),
        worst=worst_utterances(utterances, config.n_worst),
        tolerance=config.tolerance,
    )


def utterance_record(utterance: UtteranceScore) -> dict:
    """One per_utterance.jsonl row: texts, counts, rates and the word alignment."""
    words = utterance.words
    return {
        "key": utterance.key,
        "audio_filepath": utterance.audio_filepath,
        "speaker": utterance.speaker,
        "duration": utterance.duration,
        "reference": utterance.reference,
        "hypothesis": utterance.hypothesis,
        "n_words": utterance.n_words,
        "hits": words.hits,
        "substitutions": words.substitutions,
        "deletions": words.deletions,
        "insertions": words.insertions,
        "errors": words.errors,
        "wer": utterance.wer,
        "cer": utterance.cer,
        "alignment": [asdict(step) for step in utterance.alignment],
    }


def report_dict(evaluation: Evaluation) -> dict:
    """The machine-readable report: corpus figures first, then context and breakdowns.

    `utterance_errors` maps each utterance key to [word errors, reference words], which is
    all `scripts/compare.py` needs for its paired bootstrap.
    """
    interval = evaluation.wer_interval
    return {
        **asdict(evaluation.counts),
        "wer_ci": interval.to_dict() if interval else None,
        "tolerance": evaluation.tolerance,
        "passed": evaluation.passed,
        **evaluation.context,
        "by_speaker": [g.to_dict() for g in evaluation.by_speaker],
        "by_duration": [g.to_dict() for g in evaluation.by_duration],
        "frequent_errors": evaluation.frequent.to_dict(),
        "worst_utterances": [utterance_record(u) for u in evaluation.worst],
        "per_utterance_file": PER_UTTERANCE,
        "utterance_errors": {u.key: [u.errors, u.n_words] for u in evaluation.utterances},
    }


def write_report(
    evaluation: Evaluation | ErrorCounts, output_dir: str | Path, context: dict | None = None
) -> dict[str, Path]:
    """Writes report.json, report.md, report.html and per_utterance.jsonl into `output_dir`.

    Args:
        evaluation: the results; bare `ErrorCounts` (with `context`) give a figures-only report.
        output_dir: created when missing.
        context: only with bare `ErrorCounts`: extra keys for report.json.

    Returns:
        Paths under the keys "json", "markdown", "html" and "per_utterance".
    """
    from speech_lstm.evaluation.report_html import render_html
    from speech_lstm.evaluation.report_md import render_markdown

    if isinstance(evaluation, ErrorCounts):
        evaluation = Evaluation(evaluation, context=dict(context or {}))
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": output_dir / REPORT_JSON,
        "markdown": output_dir / REPORT_MD,
        "html": output_dir / REPORT_HTML,
        "per_utterance": output_dir / PER_UTTERANCE,
    }
    payload = json.dumps(report_dict(evaluation), indent=2, ensure_ascii=False)
    _write(paths["json"], payload + "\n")
    _write(paths["markdown"], render_markdown(evaluation))
    _write(paths["html"], render_html(evaluation))
    rows = (json.dumps(utterance_record(u), ensure_ascii=False) for u in evaluation.utterances)
    _write(paths["per_utterance"], "".join(row + "\n" for row in rows))
    return paths


def _write(path: Path, text: str) -> None:
    """Writes through a temporary file so a crash never leaves half a report."""
    write_text(path, text)
