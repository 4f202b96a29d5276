"""The model variants side by side: each trained on the same corpus with the same budget,
then scored on the test split (voices never heard in training).

Per variant: greedy and LM WER, parameters, training throughput (audio seconds per second,
from the run's metrics.json), transcription RTF (greedy, Keras back end), and for the
streaming variant the latency from the end of the audio to the final text (audio fed in
100 ms pieces, `StreamingTranscriber.finish` timed) and the streaming RTF.

    .venv/bin/python benchmarks/model_variants.py --minutes 30              # default corpus
    .venv/bin/python benchmarks/model_variants.py --epochs 1 -- debug=tiny  # a smoke run

`--minutes` passes `trainer.time_limit_minutes` (the training's wall-clock budget; the
epochs stay as configured, so set `trainer.epochs` high enough to fill it); `--epochs`
passes `trainer.epochs` instead. Arguments after `--` go to every training.
Results: `<output>/results.json` and a Markdown table `<output>/results.md`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {
    "bilstm": ["model=bilstm"],
    "bilstm_l2": ["model=bilstm", "model.l2=1e-5"],
    "gru": ["model=gru"],
    "attention": ["model=attention"],
    "streaming": ["model=streaming"],
}
PIECE_SECONDS = 0.1  # streaming: audio arrives in 100 ms pieces
STREAMED_UTTERANCES = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    budget = parser.add_mutually_exclusive_group(required=True)
    budget.add_argument("--minutes", type=float, help="training wall-clock budget per variant")
    budget.add_argument("--epochs", type=int, help="training epochs per variant")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--output", type=Path, default=ROOT / "outputs" / "model_variants")
    parser.add_argument("overrides", nargs="*", help="overrides for every training (after --)")
    args = parser.parse_args()
    if args.minutes is not None:
        limit = [f"trainer.time_limit_minutes={args.minutes}"]
    else:
        limit = [f"trainer.epochs={args.epochs}"]
    rows = []
    for name in args.variants:
        run_dir = args.output / name
        overrides = [*VARIANTS[name], *limit, *args.overrides]
        model_dir, train_seconds = train_variant(run_dir, overrides)
        rows.append({"variant": name, "overrides": overrides, **measure(model_dir, run_dir)})
        rows[-1]["training_wall_seconds"] = round(train_seconds, 1)
        print(json.dumps(rows[-1]), flush=True)
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    (args.output / "results.md").write_text(markdown_table(rows))
    print(markdown_table(rows))


def train_variant(run_dir: Path, overrides: list[str]) -> tuple[Path, float]:
    """Trains through scripts/train.py (its own process, as a user runs it)."""
    command = [
        sys.executable,
        str(ROOT / "scripts" / "train.py"),
        *overrides,
        f"paths.output_dir={run_dir}",
        f"hydra.run.dir={run_dir}",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    return run_dir / "model", time.perf_counter() - started


def measure(model_dir: Path, run_dir: Path) -> dict:
    """WER (greedy, beam_lm), parameters, throughput, RTF and streaming figures of a model."""
    from speech_lstm.data.manifest import read_manifest
    from speech_lstm.decoding import DecoderConfig
    from speech_lstm.evaluation import score
    from speech_lstm.inference.model_dir import load_model_dir
    from speech_lstm.transcription import Transcriber

    trained = load_model_dir(model_dir)
    metadata = trained.metadata
    test = read_manifest(_test_manifest(run_dir))
    paths = [u.audio_filepath for u in test]
    references = [u.text for u in test]
    audio_seconds = sum(u.duration for u in test)
    greedy = Transcriber(trained)
    greedy.transcribe(paths[:1])  # traces the model's function outside the timing
    started = time.perf_counter()
    hypotheses = [r.text for r in greedy.transcribe(paths, batch_size=32)]
    greedy_seconds = time.perf_counter() - started
    row = {
        "params": int(trained.acoustic_model.count_params()),
        "epochs_run": metadata.get("epochs_run"),
        "train_audio_s_per_s": _throughput(run_dir / "metrics.json"),
        "test_utterances": len(test),
        "wer_greedy": round(score(references, hypotheses).wer, 4),
        "rtf_greedy": round(greedy_seconds / audio_seconds, 4),
    }
    if trained.lm_path is not None:
        with_lm = Transcriber(trained, DecoderConfig("beam_lm"))
        lm_texts = [r.text for r in with_lm.transcribe(paths, batch_size=32)]
        row["wer_lm"] = round(score(references, lm_texts).wer, 4)
    if not trained.model_config.bidirectional and trained.features.is_causal:
        row.update(streaming_figures(trained, paths[:STREAMED_UTTERANCES], hypotheses))
    return row


def _test_manifest(run_dir: Path) -> str:
    from omegaconf import OmegaConf

    config = OmegaConf.load(run_dir / "config.yaml")
    return str(config.data.test_manifest)


def _throughput(metrics_path: Path) -> float | None:
    """Mean training throughput over the run's epochs (audio seconds per second)."""
    if not metrics_path.is_file():
        return None
    rows = json.loads(metrics_path.read_text())
    values = [r["throughput_audio_s_per_s"] for r in rows if "throughput_audio_s_per_s" in r]
    return round(float(np.mean(values)), 2) if values else None


def streaming_figures(trained, paths: list[str], offline: list[str]) -> dict:
    """Latency from the end of the audio to the final text, and compute per audio second,
    with audio fed in `PIECE_SECONDS` pieces; also checks the final texts against offline."""
    from speech_lstm.audio import load_audio
    from speech_lstm.inference.streaming import StreamingTranscriber

    stream = StreamingTranscriber(trained)
    rate = stream.sample_rate
    piece = int(PIECE_SECONDS * rate)
    latencies, compute, audio, same = [], 0.0, 0.0, 0
    for path, expected in zip(paths, offline):
        waveform = load_audio(path, rate)
        stream.reset()
        started = time.perf_counter()
        for start in range(0, len(waveform), piece):
            stream.accept(waveform[start : start + piece])
        fed = time.perf_counter()
        final = stream.finish()
        done = time.perf_counter()
        latencies.append(done - fed)
        compute += done - started
        audio += len(waveform) / rate
        same += final == expected
    return {
        "stream_final_latency_ms_median": round(1000 * float(np.median(latencies)), 1),
        "stream_final_latency_ms_p90": round(1000 * float(np.percentile(latencies, 90)), 1),
        "stream_rtf": round(compute / audio, 3),
        "stream_final_equals_offline": f"{same}/{len(paths)}",
    }


def markdown_table(rows: list[dict]) -> str:
    columns = [
        ("variant", "variant"),
        ("params", "params"),
        ("wer_greedy", "WER greedy"),
        ("wer_lm", "WER LM"),
        ("train_audio_s_per_s", "train audio-s/s"),
        ("epochs_run", "epochs"),
        ("rtf_greedy", "RTF greedy"),
        ("stream_final_latency_ms_median", "stream latency ms (median)"),
        ("stream_final_latency_ms_p90", "p90"),
        ("stream_rtf", "stream RTF"),
    ]
    lines = [
        "| " + " | ".join(title for _, title in columns) + " |",
        "| " + " | ".join("---" for _ in columns) + " |",
    ]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(key, "-")) for key, _ in columns) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
