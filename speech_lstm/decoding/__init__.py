"""Decoding stage: CTC logits to text, and the word language model it can use.

Modules: `greedy` (best path), `beam` (prefix beam search, with or without the LM; the LM
search there is the readable reference), `prefix_search` (the same LM search compiled with
numba, which decoding runs), `lm` (word n-gram LM: building, ARPA files), `lm_arrays` (the LM
as flat arrays, cached beside its ARPA file), `alignment` (word timings and confidences from a
CTC alignment) and `decoder` (`Decoder` and its `DecoderConfig`). No TensorFlow at import time.
"""

from speech_lstm.decoding.beam import beam_decode
from speech_lstm.decoding.decoder import Decoder, DecoderConfig
from speech_lstm.decoding.greedy import greedy_decode

__all__ = ["Decoder", "DecoderConfig", "beam_decode", "greedy_decode"]
