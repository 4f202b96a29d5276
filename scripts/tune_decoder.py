"""Tunes beam_lm's alpha/beta on a dev manifest and writes the best decoder config.

python scripts/tune_decoder.py model_dir=DIR manifest=DEV.jsonl output=conf/decoder/NAME.yaml
[search=random trials=30]. Prints every trial's WER and the decoder YAML it wrote.
"""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="tune_decoder")
def main(cfg) -> None:
    from pathlib import Path

    from speech_lstm.evaluation.tuning import tune_decoder

    result = tune_decoder(to_object(cfg))
    for trial in result["trials"]:
        print(f"alpha={trial['alpha']:<6} beta={trial['beta']:<6} WER {trial['wer']:.4f}")
    baseline = result["baseline"]
    print(f"greedy WER {result['greedy_wer']:.4f}; starting weights WER {baseline['wer']:.4f}")
    print(f"best -> {result['output']}:\n{Path(result['output']).read_text()}", end="")


if __name__ == "__main__":
    main()
