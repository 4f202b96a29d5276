"""Word and character error rates with jiwer, and the report files that record them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import jiwer

from speech_lstm.config import EvaluateConfig
from speech_lstm.data.manifest import read_manifest
from speech_lstm.text import normalize_text


@dataclass
class ErrorCounts:
    """Corpus-level scores of hypotheses against references (already normalised)."""

    wer: float
    cer: float
    substitutions: int
    deletions: int
    insertions: int
    hits: int
    n_utterances: int
    n_words: int
    n_characters: int
    char_substitutions: int
    char_deletions: int
    char_insertions: int


def score(references: list[str], hypotheses: list[str]) -> ErrorCounts:
    """Scores pairs with `jiwer.process_words` and `jiwer.process_characters`.

    Empty references are allowed: their hypothesis words count as insertions (jiwer rejects
    empty references, so those pairs are counted here). With no reference words at all, WER is
    0 when nothing was inserted and 1 otherwise, never a division by zero.
    """
    if len(references) != len(hypotheses):
        raise ValueError(
            f"Need one hypothesis per reference. Received: {len(references)} references, "
            f"{len(hypotheses)} hypotheses"
        )
    pairs = [(r, h) for r, h in zip(references, hypotheses) if r.strip()]
    empty_ref_words = sum(len(h.split()) for r, h in zip(references, hypotheses) if not r.strip())
    empty_ref_chars = sum(len(h) for r, h in zip(references, hypotheses) if not r.strip())
    words = _counts(jiwer.process_words, pairs)
    chars = _counts(jiwer.process_characters, pairs)
    n_words = words["hits"] + words["substitutions"] + words["deletions"]
    n_chars = chars["hits"] + chars["substitutions"] + chars["deletions"]
    word_insertions = words["insertions"] + empty_ref_words
    char_insertions = chars["insertions"] + empty_ref_chars
    return ErrorCounts(
        wer=_rate(words["substitutions"] + words["deletions"] + word_insertions, n_words),
        cer=_rate(chars["substitutions"] + chars["deletions"] + char_insertions, n_chars),
        substitutions=words["substitutions"],
        deletions=words["deletions"],
        insertions=word_insertions,
        hits=words["hits"],
        n_utterances=len(references),
        n_words=n_words,
        n_characters=n_chars,
        char_substitutions=chars["substitutions"],
        char_deletions=chars["deletions"],
        char_insertions=char_insertions,
    )


def _counts(process, pairs: list[tuple[str, str]]) -> dict[str, int]:
    if not pairs:
        return {"hits": 0, "substitutions": 0, "deletions": 0, "insertions": 0}
    output = process([r for r, _ in pairs], [h for _, h in pairs])
    return {
        "hits": output.hits,
        "substitutions": output.substitutions,
        "deletions": output.deletions,
        "insertions": output.insertions,
    }


def _rate(errors: int, total: int) -> float:
    if total == 0:
        return 0.0 if errors == 0 else 1.0
    return errors / total


def write_report(counts: ErrorCounts, output_dir: str | Path, context: dict) -> dict[str, Path]:
    """Writes `report.json` (every figure plus `context`) and a readable `report.md`."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    payload = {**asdict(counts), **context}
    json_path = output_dir / "report.json"
    json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    md_path = output_dir / "report.md"
    md_path.write_text(_markdown(counts, context), encoding="utf-8")
    return {"json": json_path, "markdown": md_path}


def _markdown(counts: ErrorCounts, context: dict) -> str:
    errors = counts.substitutions + counts.deletions + counts.insertions
    lines = [
        "# Evaluation report",
        "",
        *(f"- {key}: `{value}`" for key, value in context.items()),
        "",
        "| Snt | Wrd | Corr | Sub | Del | Ins | Err | WER | CER |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {counts.n_utterances} | {counts.n_words} | {counts.hits} | {counts.substitutions} "
        f"| {counts.deletions} | {counts.insertions} | {errors} | {counts.wer:.2%} "
        f"| {counts.cer:.2%} |",
        "",
    ]
    return "\n".join(lines)


def read_predictions(path: str | Path) -> dict[str, str]:
    """Reads transcription JSONL into {audio_filepath: text}; failed rows count as empty text."""
    predictions = {}
    with Path(path).open(encoding="utf-8") as rows:
        for number, line in enumerate(rows, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if "audio_filepath" not in row:
                raise ValueError(f"{path}:{number}: no audio_filepath. Received: {sorted(row)}")
            predictions[str(Path(row["audio_filepath"]).resolve())] = row.get("text") or ""
    return predictions


def run_evaluation(config: EvaluateConfig) -> dict:
    """Scores `config.manifest` against a model (transcribing first) or a predictions file.

    Returns:
        The report's figures, plus the paths of the written files.
    """
    if (config.model_dir is None) == (config.predictions is None):
        raise ValueError(
            "Give exactly one of model_dir= or predictions=. Received: "
            f"model_dir={config.model_dir}, predictions={config.predictions}"
        )
    output_dir = Path(config.output_dir)
    predictions_path = Path(config.predictions) if config.predictions else None
    if predictions_path is None:
        from speech_lstm.config import TranscribeConfig
        from speech_lstm.transcription import run_transcription

        predictions_path = output_dir / "predictions.jsonl"
        run_transcription(
            TranscribeConfig(
                config.model_dir,
                config.manifest,
                str(predictions_path),
                config.batch_size,
                config.decoder,
            )
        )
    utterances = read_manifest(config.manifest)
    predictions = read_predictions(predictions_path)
    references = [normalize_text(u.text) for u in utterances]
    hypotheses = [
        normalize_text(predictions.get(str(Path(u.audio_filepath).resolve()), ""))
        for u in utterances
    ]
    counts = score(references, hypotheses)
    context = {
        "manifest": str(config.manifest),
        "predictions": str(predictions_path),
        "model_dir": config.model_dir,
        "decoder": config.decoder.type,
    }
    paths = write_report(counts, output_dir, context)
    return {
        **asdict(counts),
        "report_json": str(paths["json"]),
        "report_md": str(paths["markdown"]),
    }
