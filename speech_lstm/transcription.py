"""Batch transcription with a trained model directory; one bad file never stops the batch."""

from __future__ import annotations

import glob
import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from speech_lstm.audio import AudioError, load_audio
from speech_lstm.config import TranscribeConfig
from speech_lstm.data.manifest import read_manifest
from speech_lstm.decoding import Decoder, DecoderConfig
from speech_lstm.features import compute_mfcc
from speech_lstm.inference import LogitComputer
from speech_lstm.lm import NgramLM
from speech_lstm.model_dir import TrainedModel, load_model_dir

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".opus", ".mp3")
MANIFEST_EXTENSIONS = (".jsonl", ".json")


@dataclass
class TranscriptionResult:
    """One input's outcome: `text` and `duration`, or `error` saying why it failed."""

    audio_filepath: str
    text: str | None
    duration: float | None
    error: str | None = None

    def to_json(self) -> str:
        """One JSONL row; `error` only appears for failures."""
        row = asdict(self)
        if row["error"] is None:
            del row["error"]
        return json.dumps(row, ensure_ascii=False)


def resolve_inputs(spec: str | Path) -> list[str]:
    """Expands an input spec into audio paths.

    Args:
        spec: an audio file, a folder (searched recursively for audio extensions), a glob
            pattern, or a JSONL manifest (its `audio_filepath` entries).

    Raises:
        FileNotFoundError: when nothing matches `spec`.
    """
    path = Path(spec)
    if path.is_dir():
        found = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS)
    elif path.is_file() and path.suffix.lower() in MANIFEST_EXTENSIONS:
        found = [utterance.audio_filepath for utterance in read_manifest(path)]
    elif path.is_file():
        found = [str(path)]
    else:
        found = sorted(glob.glob(str(spec), recursive=True))
    if not found:
        raise FileNotFoundError(
            f"No audio found for input {str(spec)!r}: give a file, a folder, a glob or a manifest"
        )
    return found


class Transcriber:
    """Turns audio into text with a model directory.

    Example:
        >>> t = Transcriber.load("outputs/train/model")  # doctest: +SKIP
        >>> t.transcribe(["a.wav", "b.flac"])[0].text  # doctest: +SKIP
    """

    def __init__(
        self, trained: TrainedModel, decoder: DecoderConfig | None = None, num_workers: int = 2
    ):
        self.trained = trained
        self.decoder = decoder or DecoderConfig()
        self.num_workers = num_workers
        self._logits = LogitComputer(trained.acoustic_model, trained.model_config.subsampling)
        self._decode = Decoder(self.decoder, trained.vocabulary, trained.lm)

    @classmethod
    def load(cls, model_dir: str | Path, decoder: DecoderConfig | None = None) -> Transcriber:
        """Opens a model directory written by training (with `decoder.lm_path` if given)."""
        trained = load_model_dir(model_dir)
        if decoder is not None and decoder.lm_path:
            trained.lm = NgramLM.load_arpa(decoder.lm_path)
        return cls(trained, decoder)

    def transcribe(
        self, inputs: Sequence[str | Path | np.ndarray], batch_size: int = 16
    ) -> list[TranscriptionResult]:
        """Transcribes paths or waveforms (float arrays at the model's sample rate), in order."""
        return [result for batch in self.transcribe_batches(inputs, batch_size) for result in batch]

    def transcribe_batches(
        self, inputs: Iterable[str | Path | np.ndarray], batch_size: int = 16
    ) -> Iterator[list[TranscriptionResult]]:
        """Yields results a batch at a time, in input order, so callers can write as they go."""
        pending: list[str | Path | np.ndarray] = []
        for item in inputs:
            pending.append(item)
            if len(pending) == batch_size:
                yield self._transcribe_batch(pending)
                pending = []
        if pending:
            yield self._transcribe_batch(pending)

    def _transcribe_batch(self, items: list[str | Path | np.ndarray]) -> list[TranscriptionResult]:
        with ThreadPoolExecutor(max_workers=self.num_workers) as pool:
            loaded = list(pool.map(self._features, items))
        results = [
            TranscriptionResult(_name(item, i), None, None, error)
            for i, (item, (_, _, error)) in enumerate(zip(items, loaded))
        ]
        good = [i for i, (features, _, _) in enumerate(loaded) if features is not None]
        if good:
            logits, lengths = self._logits([loaded[i][0] for i in good])
            for i, text in zip(good, self._decode(logits, lengths)):
                results[i].text = text
                results[i].duration = round(loaded[i][1], 3)
        return results

    def _features(
        self, item: str | Path | np.ndarray
    ) -> tuple[np.ndarray | None, float, str | None]:
        rate = self.trained.features.sample_rate
        try:
            waveform = item if isinstance(item, np.ndarray) else load_audio(item, rate)
            features = compute_mfcc(
                np.asarray(waveform, dtype=np.float32), rate, self.trained.features
            )
        except (AudioError, ValueError) as error:
            log.warning("Failed to transcribe %s: %s", _name(item, 0), error)
            return None, 0.0, str(error)
        return features, len(waveform) / rate, None


def _name(item: str | Path | np.ndarray, index: int) -> str:
    return f"<array {index}>" if isinstance(item, np.ndarray) else str(item)


def run_transcription(config: TranscribeConfig) -> dict[str, int]:
    """Transcribes `config.input` into the JSONL file `config.output`, flushing every batch.

    Returns:
        Counts of `done` and `failed` inputs; also printed as a summary line.
    """
    paths = resolve_inputs(config.input)
    transcriber = Transcriber.load(config.model_dir, config.decoder)
    output = Path(config.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    summary = {"done": 0, "failed": 0}
    started = time.perf_counter()
    with output.open("w", encoding="utf-8") as out:
        for batch in transcriber.transcribe_batches(paths, config.batch_size):
            for result in batch:
                out.write(result.to_json() + "\n")
                summary["failed" if result.error else "done"] += 1
            out.flush()
            _progress(summary, len(paths), started)
    print(
        f"\ntranscribed {summary['done']} of {len(paths)} files, {summary['failed']} failed "
        f"-> {output}",
        flush=True,
    )
    return summary


def _progress(summary: dict[str, int], total: int, started: float) -> None:
    finished = summary["done"] + summary["failed"]
    elapsed = time.perf_counter() - started
    rate = finished / elapsed if elapsed else 0.0
    eta = (total - finished) / rate if rate else 0.0
    print(f"\r{finished}/{total} files, {rate:.1f} files/s, ETA {eta:.0f}s", end="", flush=True)
