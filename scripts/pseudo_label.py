"""Keeps a model's confident transcriptions as a training manifest (unsupervised adaptation):
python scripts/pseudo_label.py predictions=PRED.jsonl output=PSEUDO.jsonl [min_confidence=0.9]
[manifest=AUDIO.jsonl] [speaker=NAME] ["agree_with=[OTHER.jsonl,...]"]. PRED.jsonl comes from
transcribe.py with timestamps=true; with agree_with, a label is kept only when every OTHER.jsonl
(other transcriptions of the same audio) has the same words for that file.
The summary (counts, and the labels' accuracy where the manifest has transcripts) is printed
and saved as summary.json in the Hydra run directory.
"""

import json
from dataclasses import asdict
from pathlib import Path

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="pseudo_label")
def main(cfg) -> None:
    from speech_lstm.adaptation.pseudo_labels import write_pseudo_labels

    config = to_object(cfg)
    summary = write_pseudo_labels(config)
    run_dir = Path(hydra.core.hydra_config.HydraConfig.get().runtime.output_dir)
    (run_dir / "summary.json").write_text(json.dumps(asdict(summary), indent=2) + "\n")
    print(summary.text())
    print(f"manifest: {config.output}")


if __name__ == "__main__":
    main()
