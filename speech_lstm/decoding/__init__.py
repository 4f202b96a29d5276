"""Decoding stage: CTC logits to text, and the word language model it can use.

Modules: `greedy` (best path), `beam` (prefix beam search, with or without the LM), `lm`
(word n-gram LM: building, ARPA files), `alignment` (word timings and confidences from a CTC
alignment) and `decoder` (`Decoder` and its `DecoderConfig`). No TensorFlow at import time.
"""

from speech_lstm.decoding.beam import beam_decode
from speech_lstm.decoding.decoder import Decoder, DecoderConfig
from speech_lstm.decoding.greedy import greedy_decode

__all__ = ["Decoder", "DecoderConfig", "beam_decode", "greedy_decode"]
