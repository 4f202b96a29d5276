"""Imports a corpus into a JSONL manifest: python scripts/prepare_data.py dataset=NAME
source=PATH output=MANIFEST [dataset.split=...] [convert=true]."""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="prepare_data")
def main(cfg) -> None:
    from speech_lstm.prep.importers import prepare_data

    print(prepare_data(to_object(cfg)).summary())


if __name__ == "__main__":
    main()
