"""Downloads and extracts a public corpus: python scripts/download.py dataset=librispeech
subset=dev-clean dest=data/ (resumable, checksum-verified, safe extraction)."""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="download")
def main(cfg) -> None:
    from speech_lstm.prep.download import download_dataset

    config = to_object(cfg)
    folder = download_dataset(config)
    print(f"{config.dataset.name} is in {folder}")
    print(
        f"next: python scripts/prepare_data.py dataset={config.dataset.name} source={folder} "
        f"output=data/{config.dataset.name}/<split>.jsonl"
    )


if __name__ == "__main__":
    main()
