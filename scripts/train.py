"""Trains a BiLSTM-CTC model: python scripts/train.py [overrides], e.g. model.num_layers=4."""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="train")
def main(cfg) -> None:
    from speech_lstm.training import train
    from speech_lstm.training.distribute import DistributeConfigError

    config = to_object(cfg)
    try:
        train(config)
    except DistributeConfigError as error:  # a setting to fix, not a bug: no traceback
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
