"""`run_evaluation`: transcribe (optionally), join, normalise, score, and write the reports."""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import asdict, replace
from pathlib import Path

from speech_lstm.atomic import write_text
from speech_lstm.data.manifest import Utterance, read_manifest
from speech_lstm.evaluation.config import EvaluateConfig
from speech_lstm.evaluation.normalization import TextNormalizer
from speech_lstm.evaluation.predictions import (
    JoinedPredictions,
    join_predictions,
    load_predictions,
    manifest_ids,
)
from speech_lstm.evaluation.report import Evaluation, summarize, write_report
from speech_lstm.evaluation.scoring import UtteranceScore, score_utterances
from speech_lstm.transcription.config import TranscribeConfig
from speech_lstm.transcription.sclite import trn_line, utterance_id

log = logging.getLogger(__name__)


def run_evaluation(config: EvaluateConfig) -> dict:
    """Scores `config.manifest` against a model (transcribing first) or a predictions file.

    Missing predictions are scored as full deletions and predictions for utterances not in
    the manifest are ignored; both are logged as warnings and listed in the report.

    Returns:
        The corpus figures, `wer_ci`, `tolerance`, `passed`, and the paths of the written
        files under `report_json`, `report_md`, `report_html`, `per_utterance`, and
        `reference_trn` / `hypothesis_trn` (the normalised texts as sclite trn files).

    Raises:
        ValueError: when not exactly one of `model_dir` and `predictions` is given, an
            ensemble has no `model_dir`, or the manifest is empty.
    """
    if (config.model_dir is None) == (config.predictions is None):
        raise ValueError(
            "Give exactly one of model_dir= or predictions=. Received: "
            f"model_dir={config.model_dir}, predictions={config.predictions}"
        )
    if config.ensemble and config.model_dir is None:
        raise ValueError(
            f"ensemble= averages models with model_dir=, which is not set. Received: "
            f"ensemble={config.ensemble}"
        )
    output_dir = Path(config.output_dir)
    predictions_path = _predictions_file(config, output_dir)
    utterances = read_manifest(config.manifest)
    if not utterances:
        raise ValueError(f"The manifest has no utterances to score. Received: {config.manifest}")
    ids = manifest_ids(config.manifest)
    joined = join_predictions(
        utterances,
        ids,
        load_predictions(predictions_path),
        predictions_path.parent,
        Path(config.manifest).resolve().parent,
    )
    _warn_unmatched(joined)
    normalizer = TextNormalizer(config.normalizer)
    scored = _score(utterances, joined, normalizer)
    context = _context(config, predictions_path, joined, normalizer)
    evaluation = summarize(scored, config, context)
    paths = write_report(evaluation, output_dir)
    paths.update(_write_trn(utterances, ids, joined, normalizer, output_dir))
    return _result(evaluation, paths)


def _write_trn(
    utterances: list[Utterance],
    ids: list[str | None],
    joined: JoinedPredictions,
    normalizer: TextNormalizer,
    output_dir: Path,
) -> dict[str, Path]:
    """`reference.trn` and `hypothesis.trn`: the normalised texts scored, for NIST sclite
    (`sclite -r reference.trn trn -h hypothesis.trn trn`)."""
    names = [utterance_id(u.audio_filepath, u.offset, {"id": i}) for u, i in zip(utterances, ids)]
    if len(set(names)) < len(names):
        log.warning("Utterance ids in the trn files repeat: give the manifest unique `id`s")
    written = {}
    for key, texts in (
        ("reference_trn", [u.text for u in utterances]),
        ("hypothesis_trn", joined.hypotheses),
    ):
        path = output_dir / f"{key.split('_')[0]}.trn"
        lines = [trn_line(normalizer(text), name) + "\n" for text, name in zip(texts, names)]
        write_text(path, "".join(lines))
        written[key] = path
    return written


def _predictions_file(config: EvaluateConfig, output_dir: Path) -> Path:
    """The given predictions, or a fresh transcription of the manifest by `model_dir`."""
    if config.predictions is not None:
        return Path(config.predictions)
    # Imported here: transcribing loads TensorFlow, which scoring a predictions file never needs.
    from speech_lstm.transcription.runner import run_transcription

    path = output_dir / "predictions.jsonl"
    run_transcription(
        TranscribeConfig(
            model_dir=config.model_dir,
            input=config.manifest,
            output=str(path),
            batch_size=config.batch_size,
            decoder=config.decoder,
            ensemble=list(config.ensemble),
            warp_search=list(config.warp_search),
        )
    )
    return path


def _score(
    utterances: list[Utterance], joined: JoinedPredictions, normalizer: TextNormalizer
) -> list[UtteranceScore]:
    scored = score_utterances(
        [normalizer(u.text) for u in utterances], [normalizer(h) for h in joined.hypotheses]
    )
    return [
        replace(s, key=key, audio_filepath=u.audio_filepath, duration=u.duration, speaker=u.speaker)
        for s, key, u in zip(scored, joined.keys, utterances)
    ]


def _warn_unmatched(joined: JoinedPredictions) -> None:
    messages = (
        (joined.missing, "utterance(s) have no prediction; scored as full deletions"),
        (joined.failed, "prediction(s) failed to transcribe; scored as empty"),
        (joined.unknown, "prediction(s) match no manifest utterance; ignored"),
        (joined.duplicates, "utterance(s) predicted more than once; the last row is used"),
    )
    for keys, message in messages:
        if keys:
            shown = ", ".join(keys[:10]) + (" ..." if len(keys) > 10 else "")
            log.warning("%d %s: %s", len(keys), message, shown)


def _context(
    config: EvaluateConfig,
    predictions_path: Path,
    joined: JoinedPredictions,
    normalizer: TextNormalizer,
) -> dict:
    """What was evaluated and how, for report.json and the report headers."""
    return {
        "manifest": str(config.manifest),
        "predictions": str(predictions_path),
        "model_dir": config.model_dir,
        "decoder": config.decoder.type if config.model_dir else None,
        "model": _model_info(config.model_dir),
        "ensemble": [_model_info(member) for member in config.ensemble],
        "normalizer": {**asdict(normalizer.config), "description": normalizer.describe()},
        "join_key": joined.key_field,
        "missing_predictions": joined.missing,
        "failed_predictions": joined.failed,
        "unknown_predictions": joined.unknown,
        "duplicate_predictions": joined.duplicates,
        "config": asdict(config),
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def _model_info(model_dir: str | None) -> dict | None:
    """The model directory's JSON settings (architecture, features, training metadata)."""
    if model_dir is None:
        return None
    # Imported here, as above: the model directory module loads Keras.
    from speech_lstm.inference.model_dir import FEATURES_FILE, METADATA_FILE, MODEL_CONFIG_FILE

    info: dict = {"model_dir": str(Path(model_dir).resolve())}
    for name in (MODEL_CONFIG_FILE, FEATURES_FILE, METADATA_FILE):
        path = Path(model_dir) / name
        if path.is_file():
            info[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    return info


def _result(evaluation: Evaluation, paths: dict[str, Path]) -> dict:
    interval = evaluation.wer_interval
    return {
        **asdict(evaluation.counts),
        "wer_ci": interval.to_dict() if interval else None,
        "tolerance": evaluation.tolerance,
        "passed": evaluation.passed,
        "report_json": str(paths["json"]),
        "report_md": str(paths["markdown"]),
        "report_html": str(paths["html"]),
        "per_utterance": str(paths["per_utterance"]),
        "reference_trn": str(paths["reference_trn"]),
        "hypothesis_trn": str(paths["hypothesis_trn"]),
    }
