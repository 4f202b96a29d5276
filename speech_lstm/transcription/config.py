"""`TranscribeConfig`: the schema of `conf/transcribe.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field

from speech_lstm.decoding.decoder import DecoderConfig
from speech_lstm.inference.warp_search import search_warps

RUNNERS = ("local", "ray")


@dataclass
class TranscribeConfig:
    """`scripts/transcribe.py`: a model directory, inputs, and where results go.

    Attributes:
        model_dir: a model directory written by training.
        input: an audio file, a folder (recursive), a glob, a JSONL manifest or a text file
            of paths.
        output: a .jsonl, .csv, .trn or .ctm file, or a folder for format=txt|srt|vtt.
        batch_size: segments per forward pass.
        decoder: how logits become text.
        format: jsonl, csv, trn, ctm, txt, srt or vtt; null picks by the extension of
            `output`.
        hypothesis_field: for a JSONL manifest input written as JSONL: each output row is
            the manifest row's own fields plus the hypothesis in this field (NeMo's
            `pred_text`, so the output is a predictions file as it is); null writes our own
            layout (`audio_filepath`, `text`, `duration`) as for other inputs.
        extensions: audio file extensions a folder search keeps.
        num_workers: worker processes reading audio and computing features (threads on a
            one-core machine, and in `Transcriber`); beam_lm also runs this many searches.
        timestamps: add `words` (word, start, end, confidence) to every row; times count
            from the start of the file (a manifest segment's offset included).
        resume: skip inputs that already have a row in `output` and append the rest.
        backend: keras, or an export of scripts/export.py: saved_model, tflite, tflite_int8.
        chunk_seconds: inputs longer than this are split into chunks of at most this many
            seconds, cut at quiet points (0 never splits).
        chunk_search_seconds: each cut goes at the quietest point of this many seconds
            before the limit.
        sort_window: batches' worth of segments sorted by length together.
        progress: show files/s, real-time factor and ETA on stderr.
        speaker: for a model normalised per speaker: one speaker for every input (e.g. a
            folder of one person's recordings); null takes a manifest's `speaker` fields and
            makes every other input its own speaker.
        ensemble: more model directories averaged with `model_dir` (log-posteriors, step
            by step); same features, frame rate and characters as `model_dir`.
        warp_search: vocal-tract-length warp factors in [0.7, 1.3] to read every segment
            at; the reading whose logits the model is most confident about is decoded
            (`speech_lstm.inference.warp_search`). Helps voices unlike the training voices;
            each factor costs one more forward pass. Empty reads inputs as they are.
        runner: local (this process) or ray (inputs spread over Ray actors, each loading the
            model once; the driver writes every row as it arrives). Needs the `ray` extra.
        ray_address: the Ray cluster for runner=ray: null starts a Ray on this machine (or
            joins the one `RAY_ADDRESS` names), auto joins the cluster this machine is a
            node of, host:port names it by its head's GCS port (the driver on one of its
            nodes), ray://host:port through Ray Client from outside it. Every node must see
            `model_dir` and the inputs at the same paths.
        ray_workers: Ray actors transcribing at once, each holding one copy of the model.
        ray_cpus_per_worker: CPUs Ray reserves for each actor (its `num_cpus`); one actor per
            node when it equals the node's CPUs.
        ray_files_per_task: inputs sent to an actor per call: more amortises Ray's overhead
            per call, fewer spreads a small job better and loses less when a driver dies.
        ray_ship_code: send this process's `speech_lstm` package to the workers (Ray's
            `py_modules`), so they run the driver's code; false uses what the nodes have
            installed. The other dependencies (TensorFlow, librosa...) must be on the nodes.
    """

    model_dir: str = "???"
    input: str = "???"
    output: str = "???"
    batch_size: int = 16
    decoder: DecoderConfig = field(default_factory=DecoderConfig)
    format: str | None = None
    hypothesis_field: str | None = "pred_text"
    extensions: list[str] = field(
        default_factory=lambda: [".wav", ".flac", ".ogg", ".opus", ".mp3"]
    )
    num_workers: int = 2
    timestamps: bool = False
    resume: bool = False
    backend: str = "keras"
    chunk_seconds: float = 20.0
    chunk_search_seconds: float = 4.0
    sort_window: int = 8
    progress: bool = True
    speaker: str | None = None
    ensemble: list[str] = field(default_factory=list)
    warp_search: list[float] = field(default_factory=list)
    runner: str = "local"
    ray_address: str | None = None
    ray_workers: int = 2
    ray_cpus_per_worker: float = 1.0
    ray_files_per_task: int = 8
    ray_ship_code: bool = True

    def __post_init__(self) -> None:
        search_warps(self.warp_search)
        if self.runner not in RUNNERS:
            raise ValueError(f"runner must be one of {RUNNERS}. Received: {self.runner!r}")
        if self.ray_workers < 1 or self.ray_files_per_task < 1:
            raise ValueError(
                "ray_workers and ray_files_per_task must be >= 1. Received: "
                f"{self.ray_workers}, {self.ray_files_per_task}"
            )
        if self.ray_cpus_per_worker <= 0:
            raise ValueError(
                f"ray_cpus_per_worker must be > 0. Received: {self.ray_cpus_per_worker}"
            )
