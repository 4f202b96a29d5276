"""Checks a manifest for data problems: python scripts/lint_data.py manifest=FILE
[output=CLEANED.jsonl]. Prints a table; exits with status 1 when a row has an error."""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="lint_data")
def main(cfg) -> None:
    from speech_lstm.data.lint import lint_manifest

    config = to_object(cfg)
    report = lint_manifest(config)
    print(report.table())
    if config.output:
        print(f"wrote {len(report.clean)} rows without errors to {config.output}")
    if report.has_errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
