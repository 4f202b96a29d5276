"""Lets `python scripts/X.py` import the package from a source checkout without installing it.

The configs are read from the package (`speech_lstm/conf`, which the checkout's `conf/` links
to), so the scripts and the installed `speech-lstm` command compose the same files.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
