"""The asynchronous search loop: keep every worker busy, record folds as they land.

Whenever joblib has a free worker it pulls the next task from
:meth:`Scheduler.tasks`, which hands out, in order: the next fold of a trial
already started, else the first fold of a newly asked trial. joblib may pull
from its own callback thread, so the scheduler serialises every study access
with one lock. Fold results come back in completion order and reach the
study at once; the fold that completes a trial also finishes it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from scout_sklearn._evaluate import FoldRunner, FoldTask
from scout_sklearn._results import summarize_trial
from scout_sklearn._study import Study, TrialLimitReached
from scout_sklearn._trial import FoldResult, Trial
from scout_sklearn.exceptions import LeaseLost, SearchSpaceExhausted
from scout_sklearn.reporting import logger

__all__ = ["StopReason", "run_search"]


class StopReason:
    """Why a search stopped asking for new trials."""

    N_TRIALS = "n_trials reached"
    TIMEOUT = "timeout reached"
    EXHAUSTED = "search space exhausted"


@dataclass(frozen=True)
class Budget:
    """When to stop asking: a trial count and/or a deadline."""

    n_trials: int | None
    timeout: float | None


def run_search(
    study: Study,
    runner: FoldRunner,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    budget: Budget,
    *,
    metric: str | None,
    on_trial_finished: Callable[[Trial], None],
) -> str:
    """Run trials until the budget is spent or the sampler runs out; return why."""
    scheduler = Scheduler(study, splits, budget, metric)
    while True:
        n_results = 0
        for number, fold_result in runner.run(scheduler.tasks()):
            n_results += 1
            finished = scheduler.record(number, fold_result)
            if finished is not None:
                on_trial_finished(finished)
        if scheduler.is_done() or n_results == 0:
            return scheduler.stop_reason or StopReason.N_TRIALS


class Scheduler:
    """What runs next, and the bookkeeping of trials in flight."""

    def __init__(
        self,
        study: Study,
        splits: Sequence[tuple[np.ndarray, np.ndarray]],
        budget: Budget,
        metric: str | None,
    ) -> None:
        self._study = study
        self._splits = splits
        self._budget = budget
        self._metric = metric
        self._deadline = (
            None if budget.timeout is None else time.monotonic() + budget.timeout
        )
        self._lock = threading.RLock()
        self._queue: deque[FoldTask] = deque()
        self._folds_left: dict[int, int] = {}
        self.stop_reason: str | None = None

    def tasks(self) -> Iterator[FoldTask]:
        """Tasks to run now; ends when there is nothing left to start."""
        while True:
            with self._lock:
                task = self._next_task()
            if task is None:
                return
            yield task

    def record(self, number: int, fold_result: FoldResult) -> Trial | None:
        """Store a fold result; return the trial if it was its last fold."""
        with self._lock:
            if number not in self._folds_left:  # given up after a lost lease
                return None
            try:
                trial = self._study.record(number, fold_result)
                self._folds_left[number] -= 1
                if self._folds_left[number]:
                    return None
                del self._folds_left[number]
                return self._finish(trial)
            except LeaseLost:
                self._give_up(number, fold_result)
                return None

    def is_done(self) -> bool:
        """Whether nothing is queued, in flight, or left to ask."""
        with self._lock:
            return not self._queue and not self._folds_left and not self._may_ask()

    def _next_task(self) -> FoldTask | None:
        if not self._queue and self._may_ask():
            self._start_trial()
        return self._queue.popleft() if self._queue else None

    def _may_ask(self) -> bool:
        if self.stop_reason is not None:
            return False
        if self._deadline is not None and time.monotonic() >= self._deadline:
            self.stop_reason = StopReason.TIMEOUT
        return self.stop_reason is None

    def _start_trial(self) -> None:
        # Orphans first: trials of a dead worker (or of this search before a
        # crash) are within the budget already; they only miss some folds.
        while True:
            reclaimed = self._study.reclaim()
            if reclaimed is None:
                break
            done = {f.fold for f in reclaimed.fold_results}
            missing = [k for k in range(len(self._splits)) if k not in done]
            if not missing:  # crashed between its last fold and its finish
                self._finish(reclaimed)
                continue
            self._queue_folds(reclaimed, missing)
            return
        try:
            trial = self._study.ask(max_trials=self._budget.n_trials)
        except TrialLimitReached:
            self.stop_reason = StopReason.N_TRIALS
            return
        except SearchSpaceExhausted:
            self.stop_reason = StopReason.EXHAUSTED
            return
        self._queue_folds(trial, range(len(self._splits)))

    def _queue_folds(self, trial: Trial, folds: Sequence[int] | range) -> None:
        self._folds_left[trial.number] = len(folds)
        self._queue.extend(
            FoldTask(trial.number, fold, trial.params, *self._splits[fold])
            for fold in folds
        )

    def _finish(self, trial: Trial) -> Trial:
        state, value = summarize_trial(trial.fold_results, self._metric)
        return self._study.tell(trial.number, value, state=state)

    def _give_up(self, number: int, fold_result: FoldResult) -> None:
        logger.warning(
            "Trial %d of study %r was reclaimed by another worker while this one "
            "ran it (its lease expired): this worker's late result is kept apart "
            "in study.late_results, not written over the other worker's.",
            number,
            self._study.name,
        )
        self._study.late_results.append((number, fold_result))
        self._folds_left.pop(number, None)
        self._queue = deque(t for t in self._queue if t.number != number)
