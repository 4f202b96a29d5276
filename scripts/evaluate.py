"""Scores a model or a predictions file on a manifest; writes the reports into output_dir.

    python scripts/evaluate.py predictions=FILE manifest=FILE output_dir=DIR [tolerance=0.15]
    python scripts/evaluate.py model_dir=DIR manifest=FILE output_dir=DIR [normalizer=numbers]

Exits 0 on success, 3 when `tolerance` is set and WER exceeds it (a CI gate), 1 on errors.
"""

import sys

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()

EXIT_ABOVE_TOLERANCE = 3


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="evaluate")
def main(cfg) -> None:
    from speech_lstm.evaluation import run_evaluation

    report = run_evaluation(to_object(cfg))
    interval = report["wer_ci"]
    ci = f" [{interval['low']:.2%}, {interval['high']:.2%}]" if interval else ""
    print(f"WER {report['wer']:.2%}{ci}  CER {report['cer']:.2%}  report: {report['report_md']}")
    if not report["passed"]:
        print(
            f"FAIL: WER {report['wer']:.2%} exceeds tolerance {report['tolerance']:.2%}",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_ABOVE_TOLERANCE)


if __name__ == "__main__":
    main()
