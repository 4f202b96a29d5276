"""`runner=ray`: the inputs of a transcription job spread over Ray actors.

Each actor (`TranscriptionWorker`) loads the model once and transcribes the groups of inputs
it is sent with the same `Transcriber` as the local runner; the driver (`run_transcription`)
keeps writing: every group's results come back to it as they finish and go through the same
writers, flushed group by group, so a killed driver loses at most the groups in flight and
`resume=true` picks up the rest. Each input is sent once; a group whose worker fails for good
(after Ray's retries) becomes one error row per input, as a corrupt file does.

Ray is an optional extra (`pip install 'speech-lstm[ray]'`): this module imports it only when
a job asks for it. The driver never loads the model: only the workers do.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from speech_lstm.audio import AudioSpan
from speech_lstm.features import FeatureStatistics
from speech_lstm.transcription.config import TranscribeConfig
from speech_lstm.transcription.inputs import InputItem, input_speakers
from speech_lstm.transcription.results import TranscriptionResult

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'speech-lstm[ray]'"
TASKS_PER_WORKER = 2  # calls queued on each actor, so it starts the next while one returns
READY_TIMEOUT_SECONDS = 300.0  # how long workers may take to be placed and load the model
# A worker process that dies (out of memory, a lost node) is restarted and its call retried
# this many times before the call's inputs become error rows.
MAX_RESTARTS = 2
MAX_TASK_RETRIES = 2

ResultBatch = list[tuple[int, TranscriptionResult]]


def require_ray() -> ModuleType:
    """The `ray` module, or an ImportError that says how to install it."""
    try:
        import ray
    except ImportError as error:
        raise ImportError(
            "runner=ray needs Ray, an optional extra of speech-lstm: install it with "
            f"`{INSTALL_HINT}` (or run with runner=local). Received: {error}"
        ) from error
    return ray


@dataclass(frozen=True)
class InputGroup:
    """Inputs sent to one worker in one call.

    Attributes:
        positions: each input's position in the job's pending inputs (results name it).
        sources: the audio files or segments, as the local runner reads them.
        speakers: each input's speaker for a model normalised per speaker (None: its own).
    """

    positions: tuple[int, ...]
    sources: tuple[str | AudioSpan, ...]
    speakers: tuple[str | None, ...]


@dataclass(frozen=True)
class WorkerInfo:
    """What a started worker reports.

    Attributes:
        node_id: the Ray node it runs on.
        normalizes_per_speaker: whether its model needs each speaker's feature statistics.
    """

    node_id: str
    normalizes_per_speaker: bool


class TranscriptionWorker:
    """A Ray actor's state: one `Transcriber`, loaded once, for every group it is sent.

    Args:
        config: the job's settings (model, decoder, backend, chunking, batch size...).
        timestamps: whether results carry word times (the output format may ask for them).
    """

    def __init__(self, config: TranscribeConfig, timestamps: bool):
        # Imported here, in the worker: the module itself stays importable without a model.
        from speech_lstm.transcription.transcriber import load_job_transcriber

        self.batch_size = config.batch_size
        self.sort_window = config.sort_window
        self.transcriber = load_job_transcriber(config, timestamps)

    def describe(self) -> WorkerInfo:
        """Where this worker runs and what its model needs (also a sign that it loaded)."""
        import ray

        return WorkerInfo(
            ray.get_runtime_context().get_node_id(),
            self.transcriber.trained.features.normalizes_per_speaker,
        )

    def speaker_statistics(self, group: InputGroup) -> dict[str, FeatureStatistics]:
        """Each named speaker's feature statistics over the group's inputs."""
        return self.transcriber.speaker_statistics(list(group.sources), list(group.speakers))

    def transcribe(
        self, group: InputGroup, statistics: dict[str, FeatureStatistics]
    ) -> ResultBatch:
        """(position, result) of every input of the group; a bad input is an error result."""
        batches = self.transcriber.transcribe_batches(
            list(group.sources),
            self.batch_size,
            self.sort_window,
            list(group.speakers),
            statistics or None,
        )
        return [(group.positions[index], result) for batch in batches for index, result in batch]


def ray_batches(
    config: TranscribeConfig,
    items: Sequence[InputItem],
    pending: Sequence[InputItem],
    timestamps: bool,
) -> Generator[ResultBatch, None, None]:
    """Transcribes `pending` on Ray workers; yields (position in `pending`, result) pairs
    group by group as workers finish, in no fixed order.

    `items` (every input of the job, done or not) gives a speaker-normalised model each named
    speaker's statistics over all of its inputs, as the local runner uses. Connects to
    `config.ray_address` unless this process is already connected (then the connection is
    left open), and stops its workers when the iterator ends or is closed.

    Raises:
        ImportError: Ray is not installed (naming the pip command).
        RuntimeError: no worker could be placed on the cluster or load the model.
    """
    ray = require_ray()
    if not pending:  # a resumed job with nothing left: no cluster to start
        return (batch for batch in ())
    return _batches(ray, config, items, pending, timestamps)


def _batches(
    ray: ModuleType,
    config: TranscribeConfig,
    items: Sequence[InputItem],
    pending: Sequence[InputItem],
    timestamps: bool,
) -> Generator[ResultBatch, None, None]:
    connected_here = _connect(ray, config.ray_address, _runtime_env(config.ray_ship_code))
    workers: list[Any] = []
    try:
        workers, per_speaker = _start_workers(ray, config, timestamps)
        statistics = _named_speaker_statistics(ray, workers, config, items) if per_speaker else {}
        statistics_ref = ray.put(statistics)
        speakers = input_speakers(pending, config.speaker)
        groups = _groups(range(len(pending)), pending, speakers, config.ray_files_per_task)

        def transcribe(worker: Any, group: InputGroup) -> Any:
            return worker.transcribe.remote(group, statistics_ref)

        for group, outcome in _spread(ray, workers, groups, transcribe):
            if isinstance(outcome, Exception):
                yield _failed_group(group, pending, outcome)
            else:
                yield outcome
    finally:
        for worker in workers:
            ray.kill(worker)
        if connected_here:
            ray.shutdown()


def _connect(ray: ModuleType, address: str | None, runtime_env: dict[str, Any] | None) -> bool:
    """Joins (or starts) the Ray cluster with the job's runtime environment; True when this
    call connected (a process already connected keeps its own job and runtime environment:
    Ray ships local code only when a job starts)."""
    if ray.is_initialized():
        return False
    options: dict[str, Any] = {
        "address": address,
        "runtime_env": runtime_env,
        "logging_level": logging.WARNING,
    }
    if address is None and not os.environ.get("RAY_ADDRESS"):
        options["include_dashboard"] = False  # a Ray started for this job alone
    ray.init(**options)
    return True


def _start_workers(
    ray: ModuleType, config: TranscribeConfig, timestamps: bool
) -> tuple[list[Any], bool]:
    """`config.ray_workers` actors with the model loaded, and whether the model normalises
    per speaker; the workers the cluster cannot place or start within
    `READY_TIMEOUT_SECONDS` are dropped with a warning."""
    actor = ray.remote(TranscriptionWorker).options(
        num_cpus=config.ray_cpus_per_worker,
        max_restarts=MAX_RESTARTS,
        max_task_retries=MAX_TASK_RETRIES,
    )
    workers = [actor.remote(config, timestamps) for _ in range(config.ray_workers)]
    nodes = {worker.describe.remote(): worker for worker in workers}
    ready, late = ray.wait(list(nodes), num_returns=len(nodes), timeout=READY_TIMEOUT_SECONDS)
    started, infos, failures = [], [], []
    for ref in ready:
        try:
            infos.append(ray.get(ref))
            started.append(nodes[ref])
        except ray.exceptions.RayError as error:
            failures.append(error)
    for ref in late:
        ray.kill(nodes[ref])
    if not started:
        for worker in workers:
            ray.kill(worker)
        reason = (
            f"{failures[0]}"
            if failures
            else f"none was placed within {READY_TIMEOUT_SECONDS:.0f} s; the cluster has "
            f"{ray.available_resources()} free and each worker asks for "
            f"{config.ray_cpus_per_worker} CPU"
        )
        raise RuntimeError(f"No Ray worker could load the model {config.model_dir}: {reason}")
    if len(started) < len(workers):
        log.warning(
            "ray: %d of %d workers started (too few free CPUs, or failures: %s)",
            len(started),
            len(workers),
            failures[:1],
        )
    log.info("ray: %d workers on %d nodes", len(started), len({i.node_id for i in infos}))
    return started, infos[0].normalizes_per_speaker


def _runtime_env(ship_code: bool) -> dict[str, Any] | None:
    """Ray's runtime environment for the workers: this `speech_lstm` package, when shipped."""
    if not ship_code:
        return None
    package = Path(__file__).resolve().parents[1]
    return {"py_modules": [str(package)], "excludes": ["__pycache__", "*.pyc"]}


def _named_speaker_statistics(
    ray: ModuleType, workers: list[Any], config: TranscribeConfig, items: Sequence[InputItem]
) -> dict[str, FeatureStatistics]:
    """Each named speaker's feature statistics over all of its inputs (for a model
    normalised per speaker), pooled by the workers group by group and summed here."""
    speakers = input_speakers(items, config.speaker)
    named = [k for k, speaker in enumerate(speakers) if speaker is not None]
    groups = _groups(
        named, [items[k] for k in named], [speakers[k] for k in named], config.ray_files_per_task
    )

    def pool(worker: Any, group: InputGroup) -> Any:
        return worker.speaker_statistics.remote(group)

    pooled: dict[str, FeatureStatistics] = {}
    for _, outcome in _spread(ray, workers, groups, pool):
        if isinstance(outcome, Exception):
            raise RuntimeError(f"Pooling speaker statistics failed on a worker: {outcome}")
        for name, part in outcome.items():
            _add_statistics(pooled, name, part)
    return pooled


def _add_statistics(pooled: dict[str, FeatureStatistics], name: str, part: FeatureStatistics):
    """Adds one group's statistics of a speaker to the pooled ones (sums over frames). The
    sums start from fresh arrays: the ones Ray hands back are read-only."""
    merged = pooled.setdefault(name, FeatureStatistics(part.dim))
    merged.count += part.count
    merged.total += part.total
    merged.squares += part.squares


def _groups(
    positions: Iterable[int],
    items: Sequence[InputItem],
    speakers: Sequence[str | None],
    size: int,
) -> list[InputGroup]:
    """The inputs in order, `size` to a group."""
    positions = list(positions)
    return [
        InputGroup(
            tuple(positions[start : start + size]),
            tuple(item.source for item in items[start : start + size]),
            tuple(speakers[start : start + size]),
        )
        for start in range(0, len(items), size)
    ]


def _spread(
    ray: ModuleType,
    workers: list[Any],
    groups: Iterable[InputGroup],
    call: Callable[[Any, InputGroup], Any],
) -> Iterator[tuple[InputGroup, Any]]:
    """Sends every group once, at most `TASKS_PER_WORKER` queued on each worker; yields
    (group, its result or the Ray error that ended it) as calls finish. A worker that died
    for good (Ray's restarts spent) is sent nothing more.

    Raises:
        RuntimeError: every worker died with groups still unsent (they get no row, so
            `resume=true` sends them again).
    """
    queue = deque(groups)
    load = [0] * len(workers)
    alive = [True] * len(workers)
    in_flight: dict[Any, tuple[int, InputGroup]] = {}
    while queue or in_flight:
        for _ in range(TASKS_PER_WORKER):
            for index, worker in enumerate(workers):
                if queue and alive[index] and load[index] < TASKS_PER_WORKER:
                    group = queue.popleft()
                    in_flight[call(worker, group)] = (index, group)
                    load[index] += 1
        if not in_flight:
            raise RuntimeError(
                f"Every Ray worker died; {len(queue)} groups of inputs were not transcribed "
                "(rerun with resume=true to transcribe them)."
            )
        (ref,), _ = ray.wait(list(in_flight), num_returns=1)
        index, group = in_flight.pop(ref)
        load[index] -= 1
        try:
            outcome = ray.get(ref)
        except ray.exceptions.RayError as error:
            alive[index] = alive[index] and not isinstance(error, ray.exceptions.ActorDiedError)
            outcome = error
        yield group, outcome


def _failed_group(group: InputGroup, pending: Sequence[InputItem], error: Exception) -> ResultBatch:
    """One error row per input of a group whose worker failed for good."""
    reason = f"Ray worker failed: {type(error).__name__}: {str(error).splitlines()[0][:300]}"
    log.warning("%d inputs failed: %s", len(group.positions), reason)
    return [
        (
            position,
            TranscriptionResult(
                pending[position].path, None, None, reason, offset=pending[position].offset
            ),
        )
        for position in group.positions
    ]
