"""speech-lstm: end-to-end speech recognition with bidirectional LSTMs and CTC on Keras 3."""

import os
from typing import TYPE_CHECKING

# TensorFlow's C++ start-up chatter hides our own output; users can still set their own level.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
__all__ = ["Transcriber", "__version__"]

if TYPE_CHECKING:
    from speech_lstm.transcription import Transcriber


def __getattr__(name: str):
    # Imported lazily so that `import speech_lstm` stays cheap and does not load TensorFlow.
    if name == "Transcriber":
        from speech_lstm.transcription import Transcriber

        return Transcriber
    raise AttributeError(f"module 'speech_lstm' has no attribute {name!r}")
