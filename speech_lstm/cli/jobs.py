"""What each Hydra job does with its composed config: call the stage's function and report.

Each function takes the job's config dataclass (see `speech_lstm.config.SCHEMAS`) and returns
the exit status (None: 0). They run inside the Hydra app of `speech_lstm.cli.app`, so the run
directory (`hydra.run.dir`) exists; imports are local so that only the job's own stage loads.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from speech_lstm.cli.startup import import_tensorflow

if TYPE_CHECKING:
    from speech_lstm.config import TrainConfig

log = logging.getLogger(__name__)

EXIT_ABOVE_TOLERANCE = 3
"""evaluate's status when `tolerance` is set and WER exceeds it (a CI gate)."""


def make_synthetic(config: TrainConfig) -> int | None:
    """Generates the corpus that the training config's `data` group describes."""
    from speech_lstm.synthetic.corpus import generate_corpus

    data = config.data
    if data.synthetic is None:
        print(f"data={data.name} is not a synthetic corpus; nothing to generate", file=sys.stderr)
        return 1
    for split, manifest in generate_corpus(data.synthetic, data.corpus_dir).items():
        print(f"{split}: {manifest}")
    return None


def missing_corpus_files(config: TrainConfig) -> list[str]:
    """The files of the synthetic corpus that training reads and that do not exist yet.

    Only files the generator writes count (`<corpus_dir>/<split>.jsonl`, `lm_text.txt`): a
    missing manifest of your own is training's error to report, not a reason to generate
    the corpus. Empty for a corpus that is not generated (`data.synthetic` null, e.g. FSDD,
    whose manifests come from `prepare-data`).
    """
    from speech_lstm.synthetic.corpus import LM_TEXT_FILE

    data = config.data
    if data.synthetic is None or data.corpus_dir is None:
        return []
    corpus = Path(data.corpus_dir)
    generated = {(corpus / f"{name}.jsonl").resolve() for name in data.synthetic.splits}
    if data.synthetic.lm_sentences:
        generated.add((corpus / LM_TEXT_FILE).resolve())
    needed = [data.train_manifest, data.dev_manifest]
    if config.lm_order and data.lm_text:
        needed.append(data.lm_text)
    return [
        path for path in needed if Path(path).resolve() in generated and not Path(path).is_file()
    ]


def generate_missing_corpus(config: TrainConfig) -> None:
    """Generates the embedded corpus a training reads when any of its files is missing.

    So that `speech-lstm train debug=tiny` (or `data=synthetic_digits`) works in a fresh
    clone without a `make-synthetic` step first. A corpus already there is left as it is.
    A multi-worker run (`trainer.strategy=multi_worker`) generates nothing, so that its
    workers do not all write the corpus at once: training then names the missing file.
    """
    missing = missing_corpus_files(config)
    if not missing or config.trainer.strategy == "multi_worker":
        return
    from speech_lstm.synthetic.corpus import generate_corpus

    log.info(
        "%s does not exist: generating the data=%s corpus into %s first "
        "(what `speech-lstm make-synthetic` does)",
        missing[0],
        config.data.name,
        config.data.corpus_dir,
    )
    generate_corpus(config.data.synthetic, config.data.corpus_dir)


def train(config: TrainConfig) -> int | None:
    """Trains a model (generating a missing embedded corpus first); see `training.train`."""
    generate_missing_corpus(config)
    import_tensorflow()
    from speech_lstm.training import train as run_training
    from speech_lstm.training.distribute import DistributeConfigError

    try:
        run_training(config)
    except DistributeConfigError as error:  # a setting to fix, not a bug: no traceback
        print(f"error: {error}", file=sys.stderr)
        return 1
    return None


def transcribe(config: Any) -> int | None:
    """Transcribes the inputs; status 1 when any input failed (its row carries `error`).

    A local job starts its feature worker processes first: they load librosa while this
    process loads TensorFlow (a one-file job's start-up, benchmarks/startup.py)."""
    from speech_lstm.inference.featurize import feature_processes

    workers = config.num_workers if config.runner == "local" else 0
    with feature_processes(workers) as feature_executor:
        import_tensorflow()
        from speech_lstm.transcription import run_transcription

        summary = run_transcription(config, feature_executor)
    return 1 if summary["failed"] else None


def evaluate(config: Any) -> int | None:
    """Scores and writes the reports; status 3 when `tolerance` is set and WER exceeds it."""
    if config.predictions is None:  # scoring a model, not a predictions file
        import_tensorflow()
    from speech_lstm.evaluation import run_evaluation

    report = run_evaluation(config)
    interval = report["wer_ci"]
    ci = f" [{interval['low']:.2%}, {interval['high']:.2%}]" if interval else ""
    print(f"WER {report['wer']:.2%}{ci}  CER {report['cer']:.2%}  report: {report['report_md']}")
    if not report["passed"]:
        print(
            f"FAIL: WER {report['wer']:.2%} exceeds tolerance {report['tolerance']:.2%}",
            file=sys.stderr,
        )
        return EXIT_ABOVE_TOLERANCE
    return None


def download(config: Any) -> int | None:
    """Downloads and extracts the corpus, then names the prepare-data command for it."""
    from speech_lstm.prep.download import download_dataset

    folder = download_dataset(config)
    print(f"{config.dataset.name} is in {folder}")
    print(
        f"next: speech-lstm prepare-data dataset={config.dataset.name} source={folder} "
        f"output=data/{config.dataset.name}/<split>.jsonl"
    )
    return None


def prepare_data(config: Any) -> int | None:
    """Imports a corpus into a manifest and prints what was kept and dropped."""
    from speech_lstm.prep.importers import prepare_data as run_import

    print(run_import(config).summary())
    return None


def lint_data(config: Any) -> int | None:
    """Prints the lint table; status 1 when a row has an error."""
    from speech_lstm.data.lint import lint_manifest

    report = lint_manifest(config)
    print(report.table())
    if config.output:
        print(f"wrote {len(report.clean)} rows without errors to {config.output}")
    return 1 if report.has_errors else None


def build_lm(config: Any) -> int | None:
    """Builds the word n-gram LM into `config.output`."""
    from speech_lstm.decoding.lm import build_lm_file

    model = build_lm_file(config)
    print(f"wrote a {model.order}-gram LM of {len(model.words)} words -> {config.output}")
    return None


def tune_decoder(config: Any) -> int | None:
    """Searches beam_lm's weights; prints every trial and the decoder YAML written."""
    import_tensorflow()
    from speech_lstm.evaluation.tuning import tune_decoder as run_tuning

    result = run_tuning(config)
    for trial in result["trials"]:
        print(f"alpha={trial['alpha']:<6} beta={trial['beta']:<6} WER {trial['wer']:.4f}")
    baseline = result["baseline"]
    print(f"greedy WER {result['greedy_wer']:.4f}; starting weights WER {baseline['wer']:.4f}")
    print(f"best -> {result['output']}:\n{Path(result['output']).read_text()}", end="")
    return None


def export(config: Any) -> int | None:
    """Exports the model directory; prints each export's path."""
    import_tensorflow()
    from speech_lstm.inference.export import export_model

    for name, path in export_model(config).items():
        print(f"{name}: {path}")
    return None


def pseudo_label(config: Any) -> int | None:
    """Writes the kept pseudo-labels; the summary also goes to summary.json in the run dir."""
    import json
    from dataclasses import asdict

    from hydra.core.hydra_config import HydraConfig

    import_tensorflow()
    from speech_lstm.adaptation.pseudo_labels import write_pseudo_labels

    summary = write_pseudo_labels(config)
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    (run_dir / "summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    print(summary.text())
    print(f"manifest: {config.output}")
    return None
