"""Builds a word n-gram LM: python scripts/build_lm.py input=TEXT_OR_MANIFEST output=lm.arpa.

Use it with decoder=beam_lm decoder.lm_path=lm.arpa, or put it in a model directory as lm.arpa.
"""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="build_lm")
def main(cfg) -> None:
    from speech_lstm.decoding.lm import build_lm_file

    config = to_object(cfg)
    model = build_lm_file(config)
    print(f"wrote a {model.order}-gram LM of {len(model.words)} words -> {config.output}")


if __name__ == "__main__":
    main()
