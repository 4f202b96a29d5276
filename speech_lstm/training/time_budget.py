"""`TimeBudget`: train for a wall-clock budget instead of a number of epochs.

Comparisons "at the same training time" (model variants, machines) and runs that must end by a
deadline need a stop by the clock. Stopping a cosine schedule made for `epochs` half-way would
leave the learning rate high, so under a budget the schedule itself runs on the clock: linear
warm-up over the same steps as without a budget, then cosine decay from the end of warm-up to the
end of the budget. A run under a budget is not reproducible step for step (its learning rates
depend on the machine's speed); `trainer.deterministic` runs should not set one.
"""

from __future__ import annotations

import logging
import math
import time

import keras

log = logging.getLogger(__name__)

FINAL_FRACTION = 0.02  # the decayed rate as a fraction of the peak, as in `make_optimizer`


class TimeBudget(keras.callbacks.Callback):
    """Sets the learning rate by elapsed time and stops training when the budget is spent.

    Args:
        budget_seconds: wall-clock seconds of training (dev scoring included) the run may take.
        peak_learning_rate: the rate reached at the end of warm-up.
        warmup_steps: steps of linear warm-up from a tenth of the peak (0: none).
        spent_seconds: time already spent by the epochs a resumed run will not repeat.
        steps_done: optimizer steps already taken by those epochs.
    """

    def __init__(
        self,
        budget_seconds: float,
        peak_learning_rate: float,
        warmup_steps: int = 0,
        spent_seconds: float = 0.0,
        steps_done: int = 0,
    ):
        super().__init__()
        if budget_seconds <= 0:
            raise ValueError(f"The time budget must be > 0 s. Received: {budget_seconds}")
        self.budget_seconds = budget_seconds
        self.peak = peak_learning_rate
        self.warmup_steps = warmup_steps
        self.spent_before = spent_seconds
        self.step = steps_done
        self.started = 0.0
        self.warmup_ended_at: float | None = spent_seconds if steps_done >= warmup_steps else None
        self.stopped_by_budget = False

    def elapsed(self) -> float:
        """Seconds of training so far, those of a run this one resumes included."""
        return self.spent_before + time.perf_counter() - self.started

    def learning_rate(self, elapsed: float) -> float:
        """The rate for the next step: warm-up by steps, then cosine decay by time."""
        if self.step < self.warmup_steps:
            fraction = self.step / self.warmup_steps
            return self.peak / 10 + fraction * (self.peak - self.peak / 10)
        if self.warmup_ended_at is None:
            self.warmup_ended_at = elapsed
        span = max(self.budget_seconds - self.warmup_ended_at, 1e-9)
        progress = min(max((elapsed - self.warmup_ended_at) / span, 0.0), 1.0)
        cosine = 0.5 * (1 + math.cos(math.pi * progress))
        return self.peak * (FINAL_FRACTION + (1 - FINAL_FRACTION) * cosine)

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate = self.learning_rate(self.elapsed())

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.elapsed() >= self.budget_seconds and not self.model.stop_training:
            self.stopped_by_budget = True
            self.model.stop_training = True
            log.info(
                "time budget of %.1f min spent after %d steps: finishing this epoch's dev "
                "scoring, then exporting the best epoch",
                self.budget_seconds / 60,
                self.step,
            )
