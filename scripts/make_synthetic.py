"""Generates the embedded default corpus with local TTS engines (Hydra app over conf/)."""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object
from speech_lstm.synthetic.corpus import generate_corpus

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="make_synthetic")
def main(cfg) -> None:
    data = to_object(cfg).data
    if data.synthetic is None:
        raise SystemExit(f"data={data.name} is not a synthetic corpus; nothing to generate")
    for split, manifest in generate_corpus(data.synthetic, data.corpus_dir).items():
        print(f"{split}: {manifest}")


if __name__ == "__main__":
    main()
