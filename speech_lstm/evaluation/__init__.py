"""Evaluation: WER/CER scoring with jiwer, breakdowns, bootstrap intervals and reports.

Modules: `config` (`EvaluateConfig`, `TuneDecoderConfig`), `normalization` (the text
normaliser) with `number_words` (digits as words), `scoring` (counts and alignments),
`breakdowns`, `bootstrap`, `predictions` (reading and joining), `report` (report.json and
per_utterance.jsonl), `report_md`, `report_html`, `plots`, `runner` (`run_evaluation`),
`compare` (two or more reports side by side) and `tuning` (the beam_lm weights that score
best on a dev manifest). Transcribing (model_dir mode, tuning) loads TensorFlow; scoring
alone does not.
"""

from speech_lstm.evaluation.normalization import NormalizerConfig, TextNormalizer
from speech_lstm.evaluation.predictions import load_predictions, read_predictions
from speech_lstm.evaluation.report import Evaluation, write_report
from speech_lstm.evaluation.runner import run_evaluation
from speech_lstm.evaluation.scoring import ErrorCounts, UtteranceScore, score, score_utterances

__all__ = [
    "ErrorCounts",
    "Evaluation",
    "NormalizerConfig",
    "TextNormalizer",
    "UtteranceScore",
    "load_predictions",
    "read_predictions",
    "run_evaluation",
    "score",
    "score_utterances",
    "write_report",
]
