"""Scores a model or a predictions file on a manifest: writes report.json and report.md."""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="evaluate")
def main(cfg) -> None:
    from speech_lstm.evaluation import run_evaluation

    report = run_evaluation(to_object(cfg))
    print(f"WER {report['wer']:.2%}  CER {report['cer']:.2%}  report: {report['report_md']}")


if __name__ == "__main__":
    main()
