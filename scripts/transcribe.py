"""Transcribes audio: python scripts/transcribe.py model_dir=DIR input=PATH output=FILE.

Exit status: 0 when every input was transcribed; 1 when any input failed (each failure is a
row with an `error` field, and the batch goes on); Hydra's own status for a bad command line.
The last line printed counts done / failed / skipped inputs.
"""

import hydra
from _bootstrap import CONFIG_DIR

from speech_lstm.config import register_configs, to_object

register_configs()


@hydra.main(version_base="1.3", config_path=CONFIG_DIR, config_name="transcribe")
def main(cfg) -> None:
    from speech_lstm.transcription import run_transcription

    summary = run_transcription(to_object(cfg))
    if summary["failed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
