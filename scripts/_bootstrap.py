"""Lets `python scripts/X.py` import the package from a source checkout without installing it."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
CONFIG_DIR = str(ROOT / "conf")

from speech_lstm.interrupts import stop_cleanly_on_signals  # noqa: E402

stop_cleanly_on_signals()
