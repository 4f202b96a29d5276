"""Self-contained model directories: weights, vocabulary and front-end settings together.

Loading reads JSON and a native `.keras` archive with `safe_mode=True`, built only from
Keras's own layers, so opening a model directory never executes code from it.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import keras

from speech_lstm.atomic import atomic_directory, write_text
from speech_lstm.decoding.lm import NgramLM
from speech_lstm.decoding.lm_arrays import ArrayLM, load_lm, write_lm_cache
from speech_lstm.features import MfccConfig
from speech_lstm.model.config import ModelConfig
from speech_lstm.text import Vocabulary

WEIGHTS_FILE = "model.keras"
VOCABULARY_FILE = "vocabulary.json"
FEATURES_FILE = "features.json"
MODEL_CONFIG_FILE = "model.json"
METADATA_FILE = "training.json"
LM_FILE = "lm.arpa"  # beside it, lm.arpa.npz: the same LM as arrays (`lm_arrays.load_lm`)
# What a model directory may hold instead of lm.arpa: the same file compressed (a shipped model
# in git keeps its LM small this way); read through the same array cache.
COMPRESSED_LM_FILES = ("lm.arpa.xz", "lm.arpa.gz")
T = TypeVar("T")


@dataclass
class TrainedModel:
    """What transcription needs: the network and how to feed it and read it.

    The word LM is either in memory (`lm`: a freshly built one, written by `save_model_dir`)
    or a file (`lm_path`) that `language_model` reads only when a decoder asks for it.
    """

    acoustic_model: keras.Model
    vocabulary: Vocabulary
    features: MfccConfig
    model_config: ModelConfig
    metadata: dict
    lm: NgramLM | None = None
    lm_path: Path | None = None

    def language_model(self, override: str | Path | None = None) -> ArrayLM | None:
        """The LM for decoding: the ARPA file `override` if given, else this directory's
        (through its array cache, see `lm_arrays.load_lm`); None when there is none."""
        if override:
            return load_lm(override)
        if self.lm is not None:
            return ArrayLM.from_ngram_lm(self.lm)
        return load_lm(self.lm_path) if self.lm_path is not None else None


def save_model_dir(directory: str | Path, trained: TrainedModel) -> Path:
    """Writes `trained` as `directory` and returns it. The folder is filled under a temporary
    name and renamed, so it appears complete or not at all; an existing one is replaced whole.

    Raises:
        WriteError: naming the path, when the disk is full or the folder is not writable.
    """
    directory = Path(directory)
    with atomic_directory(directory) as partial:
        trained.acoustic_model.save(partial / WEIGHTS_FILE)
        trained.vocabulary.save(partial / VOCABULARY_FILE)
        trained.features.save(partial / FEATURES_FILE)
        trained.model_config.save(partial / MODEL_CONFIG_FILE)
        write_text(partial / METADATA_FILE, json.dumps(trained.metadata, indent=2) + "\n")
        if trained.lm is not None:
            trained.lm.save_arpa(partial / LM_FILE)
            write_lm_cache(partial / LM_FILE)
    return directory


def load_model_dir(directory: str | Path, with_lm: bool = True) -> TrainedModel:
    """Reads a directory written by `save_model_dir`. Its LM (`lm.arpa`, or `lm.arpa.xz` or
    `.gz`) is not read here:
    `TrainedModel.language_model` reads it when a decoder needs it; `with_lm=False` leaves
    it out altogether, for callers that only need the network.

    Raises:
        FileNotFoundError: naming the missing file when `directory` is not a model directory.
        ValueError: naming the file, when one is corrupt, from another version, or would run
            code (a Lambda layer): nothing from the directory is executed.
    """
    directory = Path(directory)
    required = (WEIGHTS_FILE, VOCABULARY_FILE, FEATURES_FILE, MODEL_CONFIG_FILE)
    missing = [name for name in required if not (directory / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{directory} is not a model directory: missing {missing}. Pass the `model/` folder "
            "of a training run."
        )
    metadata_path = directory / METADATA_FILE
    return TrainedModel(
        acoustic_model=_read(
            directory / WEIGHTS_FILE,
            lambda path: keras.saving.load_model(path, compile=False, safe_mode=True),
        ),
        vocabulary=_read(directory / VOCABULARY_FILE, Vocabulary.load),
        features=_read(directory / FEATURES_FILE, MfccConfig.load),
        model_config=_read(directory / MODEL_CONFIG_FILE, ModelConfig.load),
        metadata=json.loads(metadata_path.read_text()) if metadata_path.is_file() else {},
        lm_path=find_lm_file(directory) if with_lm else None,
    )


def find_lm_file(directory: Path) -> Path | None:
    """The model directory's LM file: `lm.arpa`, else a compressed copy of it, else None."""
    for name in (LM_FILE, *COMPRESSED_LM_FILES):
        if (directory / name).is_file():
            return directory / name
    return None


def _read(path: Path, load: Callable[[Path], T]) -> T:
    """`load(path)`, its failure turned into one ValueError naming the file: a file written by
    another version (unknown or missing settings), a corrupt file, or a model that would run
    code from the directory (a Lambda layer or custom object, which `safe_mode` refuses)."""
    try:
        return load(path)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile) as error:
        reason = " ".join(str(error).split())
        if "safe_mode" in reason or "could not be deserialized" in reason:
            raise ValueError(
                f"Refused to load {path}: it holds a Lambda layer, custom objects or layers "
                "unknown to this Keras version; safe_mode runs no code from it. Only models of "
                f"Keras's own layers load. Received: {reason[:200]}"
            ) from None
        raise ValueError(
            f"Cannot load {path}: written by another version of speech-lstm, or corrupt. "
            f"Received: {type(error).__name__}: {reason[:400]}"
        ) from None


def differing_fields(there: dict, here: dict, group: str) -> list[str]:
    """`group.name: X there, Y here` for every setting of `here` that `there` has otherwise."""
    return [
        f"{group}.{name}: {there.get(name)!r} there, {value!r} here"
        for name, value in here.items()
        if there.get(name) != value
    ]


def reading_differences(source: TrainedModel, features: MfccConfig, characters: str) -> list[str]:
    """How `source` differs in what it reads (features) and emits (characters) from a model
    with `features` and `characters`: any difference stops weights or outputs being shared."""
    differences = differing_fields(asdict(source.features), asdict(features), "features")
    if source.vocabulary.characters != characters:
        differences.append(
            f"data.characters: {source.vocabulary.characters!r} there, {characters!r} here"
        )
    return differences


def ensemble_differences(member: TrainedModel, primary: TrainedModel) -> list[str]:
    """What stops `member` from being averaged with `primary`: models of an ensemble must read
    the same features, emit the same characters and step at the same rate (their shapes and
    training data may differ)."""
    step = differing_fields(
        {"subsampling": member.model_config.subsampling},
        {"subsampling": primary.model_config.subsampling},
        "model",
    )
    return reading_differences(member, primary.features, primary.vocabulary.characters) + step
