"""Decoding stage."""

from speech_lstm.decoding.decoder import *  # noqa: F403
