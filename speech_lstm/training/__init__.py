"""Training stage (moved from speech_lstm/training.py)."""

from speech_lstm.training.loop import *  # noqa: F403
from speech_lstm.training.loop import train  # noqa: F401
