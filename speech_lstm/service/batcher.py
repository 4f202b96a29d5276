"""`Batcher`: concurrent requests share forward passes, behind a bounded queue.

A request is admitted only while fewer than `queue_size` requests wait; otherwise it is
refused at once with 503 and a Retry-After estimate, so an overloaded server answers instead
of hanging. One worker task takes the first waiting request, waits up to `batch_window_ms` for
more (up to `max_batch`), and runs them through the model together in a thread, one batch per
decoder type. The counters behind `/health` show how requests were grouped.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from speech_lstm.service.engine import RequestError, TranscriptionEngine, Upload
from speech_lstm.transcription.results import TranscriptionResult

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One admitted request: its audio, decoder, whether it needs word timings, and where
    its result goes."""

    upload: Upload
    decoder: str
    timestamps: bool
    future: asyncio.Future
    batch_size: int = 0


@dataclass
class BatchStats:
    """What the batcher has done since start (the `batching` part of `/health`)."""

    requests: int = 0
    batches: int = 0
    rejected: int = 0
    failed_batches: int = 0
    batch_sizes: Counter = field(default_factory=Counter)
    last_batch_seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "requests": self.requests,
            "batches": self.batches,
            "rejected_queue_full": self.rejected,
            "failed_batches": self.failed_batches,
            "largest_batch": max(self.batch_sizes, default=0),
            "batch_sizes": {str(k): v for k, v in sorted(self.batch_sizes.items())},
        }


class Batcher:
    """Groups waiting requests into model batches; one worker, a bounded waiting room.

    Args:
        engine: the loaded model.
        batch_window_ms: how long a batch stays open for more requests after its first.
        max_batch: requests per batch at most.
        queue_size: requests waiting (admitted, not yet in a batch) at most.

    Attributes:
        model_lock: held while the model runs a batch.
        waiting: requests admitted and not yet in a batch.
        running: requests taken into the current batch, while it is formed and run.
    """

    def __init__(
        self, engine: TranscriptionEngine, batch_window_ms: float, max_batch: int, queue_size: int
    ):
        self.engine = engine
        self.window = batch_window_ms / 1000
        self.max_batch = max_batch
        self.queue_size = queue_size
        self.model_lock = threading.Lock()
        self.stats = BatchStats()
        self.waiting = 0
        self.running = 0
        self._queue: asyncio.Queue[Job] | None = None
        self._worker: asyncio.Task | None = None

    async def start(self) -> None:
        """Starts the worker on the running event loop."""
        self._queue = asyncio.Queue()
        self._worker = asyncio.create_task(self._run_forever(), name="speech-lstm-batcher")

    async def stop(self) -> None:
        """Stops the worker; requests still waiting are answered 503."""
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        while self._queue is not None and not self._queue.empty():
            job = self._queue.get_nowait()
            if not job.future.done():
                job.future.set_exception(self._full("The server is shutting down."))

    @property
    def queued(self) -> int:
        """Requests read, checked and ready for the next batch (a part of `waiting`)."""
        return self._queue.qsize() if self._queue is not None else 0

    def admit(self) -> None:
        """Takes a place in the waiting room for a request about to be read.

        Raises:
            RequestError: 503 with Retry-After when `queue_size` requests are waiting.
        """
        if self.waiting >= self.queue_size:
            self.stats.rejected += 1
            raise self._full(
                f"The transcription queue is full ({self.queue_size} requests waiting): "
                "retry after the time in Retry-After."
            )
        self.waiting += 1

    def release(self) -> None:
        """Gives back an admitted place whose request never reached the queue."""
        self.waiting -= 1

    async def transcribe(
        self, upload: Upload, decoder: str, timestamps: bool
    ) -> tuple[TranscriptionResult, int]:
        """Queues an admitted request; returns its result and the size of its batch. A
        batch computes word timings when any of its requests needs them."""
        if self._queue is None:
            raise RuntimeError("Batcher.start() was not called")
        job = Job(upload, decoder, timestamps, asyncio.get_running_loop().create_future())
        self._queue.put_nowait(job)
        result = await job.future
        return result, job.batch_size

    def _full(self, message: str) -> RequestError:
        per_batch = max(self.stats.last_batch_seconds, 0.1)
        retry = max(1, math.ceil(per_batch * (self.waiting / self.max_batch + 1)))
        return RequestError(503, "queue_full", message, headers={"Retry-After": str(retry)})

    async def _run_forever(self) -> None:
        while True:
            jobs = await self._collect(self._queue)
            try:
                by_decoder: dict[str, list[Job]] = {}
                for job in (job for job in jobs if not job.future.done()):  # not given up
                    by_decoder.setdefault(job.decoder, []).append(job)
                for decoder, group in by_decoder.items():
                    await self._run_batch(decoder, group)
            finally:
                self.running = 0

    async def _collect(self, queue: asyncio.Queue[Job]) -> list[Job]:
        """The first waiting job and those arriving within the window, up to `max_batch`.

        Each job leaves the waiting room as it is taken, so the room refills while the
        batch is still open and a batch can reach `max_batch` even when `queue_size` is
        smaller."""
        jobs = [self._take(await queue.get())]
        deadline = time.monotonic() + self.window
        while len(jobs) < self.max_batch:
            if not queue.empty():
                jobs.append(self._take(queue.get_nowait()))
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                jobs.append(self._take(await asyncio.wait_for(queue.get(), remaining)))
            except asyncio.TimeoutError:
                break
        return jobs

    def _take(self, job: Job) -> Job:
        self.waiting -= 1
        self.running += 1
        return job

    async def _run_batch(self, decoder: str, jobs: list[Job]) -> None:
        if not jobs:
            return
        uploads = [job.upload for job in jobs]
        timestamps = any(job.timestamps for job in jobs)
        started = time.monotonic()
        try:
            results = await asyncio.to_thread(self._locked_transcribe, uploads, decoder, timestamps)
        except Exception as error:  # a model failure answers this batch, not the server
            log.exception("Batch of %d failed", len(jobs))
            self.stats.failed_batches += 1
            for job in jobs:
                if not job.future.done():
                    job.future.set_exception(error)
            return
        self.stats.last_batch_seconds = time.monotonic() - started
        self.stats.batches += 1
        self.stats.requests += len(jobs)
        self.stats.batch_sizes[len(jobs)] += 1
        for job, result in zip(jobs, results, strict=True):
            job.batch_size = len(jobs)
            if not job.future.done():
                job.future.set_result(result)

    def _locked_transcribe(self, uploads: list[Upload], decoder: str, timestamps: bool) -> list:
        with self.model_lock:
            return self.engine.transcribe(uploads, decoder, timestamps)
