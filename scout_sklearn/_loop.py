"""The asynchronous search loop: keep every worker busy, record folds as they land.

Whenever joblib has a free worker it pulls the next task from
:meth:`Scheduler.tasks`, which hands out, in order: the next fold of a trial
already started, else the first fold of a newly asked trial. joblib may pull
from its own callback thread, so the scheduler serialises every study access
with one lock. Fold results come back in completion order and reach the
study at once; the fold that completes a trial also finishes it.

A pruned search uses :class:`RungScheduler`, which runs trials rung by rung
and follows the pruner protocol of ``scout_sklearn.pruners._base``.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scout_sklearn._evaluate import FoldRunner, FoldTask
from scout_sklearn._results import (
    FOLDS,
    BudgetView,
    RungPlan,
    RungValues,
    missing_folds,
    started_rung,
    summarize_trial,
)
from scout_sklearn._study import Study, TrialLimitReached
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.exceptions import LeaseLost, SearchSpaceExhausted
from scout_sklearn.pruners import Decision, Pruner, RungRecord
from scout_sklearn.reporting import logger

__all__ = ["Budget", "Pruning", "StopReason", "run_search"]

#: A pruned search with a timeout stops asking new trials once the time left
#: is at most this many times the estimated time to finish its best trial.
WIND_DOWN_MARGIN = 1.5


class StopReason:
    """Why a search stopped asking for new trials."""

    N_TRIALS = "n_trials reached"
    TIMEOUT = "timeout reached"
    EXHAUSTED = "search space exhausted"
    STOPPED = "stopped by a callback"


@dataclass(frozen=True)
class Budget:
    """When to stop asking: a trial count and/or a deadline."""

    n_trials: int | None
    timeout: float | None


@dataclass(frozen=True)
class Pruning:
    """How a pruned search runs its trials.

    ``min_values``: how many values a rung needs before samplers learn from
    it (see :class:`~scout_sklearn._results.BudgetView`).
    """

    pruner: Pruner
    plan: RungPlan
    min_values: int


def run_search(
    study: Study,
    runner: FoldRunner,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    budget: Budget,
    *,
    metric: str | None,
    on_trial_finished: Callable[[Trial], None],
    on_fold_finished: Callable[[int, FoldResult], None] | None = None,
    pruning: Pruning | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> str:
    """Run trials until the budget is spent or the sampler runs out; return why.

    When the timeout passes, no new fold starts, and the first fold result
    that comes back after it ends the run: the folds still running are
    cancelled (joblib aborts them) and their trials stay RUNNING, with the
    folds they finished, for a resumed search to complete. A pruned search
    stops asking new trials a little earlier, when the time left is about
    what carrying its best paused trial to the last rung takes (see
    :class:`RungScheduler`).
    """
    scheduler = (
        Scheduler(study, splits, budget, metric, clock=clock)
        if pruning is None
        else RungScheduler(
            study, splits, budget, metric, pruning, workers=runner.n_workers, clock=clock
        )
    )
    while True:
        n_results = 0
        results = runner.run(scheduler.tasks())
        try:
            for number, fold_result, fitted in results:
                n_results += 1
                finished = scheduler.record(number, fold_result, fitted)
                if on_fold_finished is not None:
                    on_fold_finished(number, fold_result)
                if finished is not None:
                    on_trial_finished(finished)
                if scheduler.past_deadline():
                    break
        finally:
            with warnings.catch_warnings():  # joblib's note on the cancelled tasks
                warnings.simplefilter("ignore", UserWarning)
                results.close()
        if scheduler.past_deadline():
            for finished in scheduler.cancel():
                on_trial_finished(finished)
            return StopReason.TIMEOUT
        for finished in scheduler.settle():
            on_trial_finished(finished)
        if scheduler.is_done() or (n_results == 0 and not scheduler.has_tasks()):
            return scheduler.stop_reason or StopReason.N_TRIALS


class Scheduler:
    """What runs next, and the bookkeeping of trials in flight."""

    def __init__(
        self,
        study: Study,
        splits: Sequence[tuple[np.ndarray, np.ndarray]],
        budget: Budget,
        metric: str | None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._study = study
        self._splits = splits
        self._budget = budget
        self._metric = metric
        self._clock = clock
        self._deadline = None if budget.timeout is None else clock() + budget.timeout
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

    def record(
        self, number: int, fold_result: FoldResult, fitted: Any = None
    ) -> Trial | None:
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

    def settle(self) -> list[Trial]:
        """Once nothing runs: finish what can no longer go on; return those trials."""
        return []

    def past_deadline(self) -> bool:
        """Whether the timeout has passed."""
        return self._deadline is not None and self._clock() >= self._deadline

    def cancel(self) -> list[Trial]:
        """Drop every fold not run yet; return the trials this finishes."""
        with self._lock:
            self.stop_reason = StopReason.TIMEOUT
            self._queue.clear()
            self._folds_left.clear()
            return []

    def is_done(self) -> bool:
        """Whether nothing is queued, in flight, or left to ask."""
        with self._lock:
            return not self._queue and not self._folds_left and not self._may_ask()

    def has_tasks(self) -> bool:
        """Whether tasks are queued."""
        with self._lock:
            return bool(self._queue)

    def _next_task(self) -> FoldTask | None:
        if self.past_deadline():  # nothing starts after the timeout
            self.stop_reason = StopReason.TIMEOUT
            return None
        if not self._queue and self._may_ask():
            self._start_trial()
        return self._queue.popleft() if self._queue else None

    def _may_ask(self) -> bool:
        if self.stop_reason is not None:
            return False
        if self.past_deadline():
            self.stop_reason = StopReason.TIMEOUT
        elif self._study.stop_requested:
            self.stop_reason = StopReason.STOPPED
        return self.stop_reason is None

    def _start_trial(self) -> None:
        # Orphans first: trials of a dead worker (or of this search before a
        # crash) are within the budget already; they only miss some folds.
        while True:
            reclaimed = self._study.reclaim()
            if reclaimed is None:
                break
            self._resume(reclaimed)
            if self._queue:
                return
        try:
            trial = self._ask()
        except TrialLimitReached:
            self.stop_reason = StopReason.N_TRIALS
            return
        except SearchSpaceExhausted:
            self.stop_reason = StopReason.EXHAUSTED
            return
        self._begin(trial)

    def _ask(self) -> Trial:
        return self._study.ask(max_trials=self._budget.n_trials)

    def _begin(self, trial: Trial) -> None:
        self._queue_folds(trial, range(len(self._splits)))

    def _resume(self, trial: Trial) -> None:
        done = {f.fold for f in trial.fold_results}
        missing = [k for k in range(len(self._splits)) if k not in done]
        if missing:
            self._queue_folds(trial, missing)
        else:  # crashed between its last fold and its finish
            self._finish(trial)

    def _queue_folds(self, trial: Trial, folds: Sequence[int] | range) -> None:
        self._folds_left[trial.number] = len(folds)
        self._queue.extend(
            FoldTask(trial.number, fold, trial.params, *self._splits[fold])
            for fold in folds
        )

    def _finish(self, trial: Trial) -> Trial:
        state, value = summarize_trial(trial.fold_results, self._metric)
        return self._study.tell(trial.number, value, state=state)

    def _give_up(self, number: int, fold_result: FoldResult | None) -> None:
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


class RungScheduler(Scheduler):
    """The scheduler of a pruned search: trials run rung by rung.

    A trial starts at ``pruner.first_rung``. When all folds of its rung are
    in, the rung's value is reported to the :class:`RungRecord` and the
    pruner decides: the trial goes on to the next rung (its folds join the
    queue behind those of rungs already running, and before any new trial),
    is PRUNED, or waits; after every report, waiting trials the pruner now
    promotes go on. Nothing waits for a rung to fill. When nothing runs and
    no trial may be asked, the trials still waiting are PRUNED.

    The record is built from the study's trials (a resumed study's, and other
    workers' on a shared storage) and re-read before every decision.

    With a timeout, the search winds down before it: once the time left is
    at most :data:`WIND_DOWN_MARGIN` times the estimated seconds to carry the
    most advanced paused (or running) trial through the rungs above it, no
    new trial starts, and the pruner's final promotions run as they do when
    ``n_trials`` is spent. Otherwise a search stopped by its timeout would
    mostly leave trials paused at low rungs, scored on a fraction of the
    resource. The estimate is the mean seconds (fit and score) of this run's
    folds at each rung, extrapolated in proportion to the resource to the
    rungs none has reached, over ``workers`` folds at once. Until a trial of
    the study has completed, the time of one trial's whole ladder is kept in
    hand as well (inside the margin): a new trial's first rung and the
    promotions its value opens, which can cascade up the ladder, run before
    the next look at the clock, and a search cut before any trial completes
    has no result at all.
    """

    def __init__(
        self,
        study: Study,
        splits: Sequence[tuple[np.ndarray, np.ndarray]],
        budget: Budget,
        metric: str | None,
        pruning: Pruning,
        *,
        workers: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(study, splits, budget, metric, clock=clock)
        self._workers = max(1, workers)
        # Whether the last look at the clock found it time to wind down: not
        # final, since an estimate from the first rung alone can be far too
        # high; once the trials carried on have run, new trials start again.
        self._winding = False
        self._completed = False  # whether a trial read from the study is COMPLETE
        # Seconds (fit and score) of this run's folds at each rung: sum, count.
        self._seconds: dict[int, list[float]] = {}
        self._pruner = pruning.pruner
        self._plan = pruning.plan
        self._n_rungs = pruning.plan.n_rungs
        self._values = RungValues(pruning.plan, metric)
        self._view = BudgetView(self._values, pruning.min_values)
        self._record = RungRecord()
        self._read: dict[int, Trial] = {}  # the trial objects the record holds
        self._rung: dict[int, int] = {}  # the rung each trial in flight runs
        self._waiting: list[tuple[int, int]] = []
        # Fitted estimators of trials that continue them (warm start), by
        # trial and fold: only in this process, dropped when the trial ends.
        self._fitted: dict[int, dict[int, Any]] = {}
        with self._lock:
            self._sync()

    def record(
        self, number: int, fold_result: FoldResult, fitted: Any = None
    ) -> Trial | None:
        """Store a fold result; at a rung's last fold, decide; return a finished trial."""
        with self._lock:
            if number not in self._folds_left:
                return None
            try:
                trial = self._study.record(number, fold_result)
                if not fold_result.is_failed:
                    spent = self._seconds.setdefault(fold_result.rung, [0.0, 0])
                    spent[0] += fold_result.fit_time + fold_result.score_time
                    spent[1] += 1
                if fitted is not None:
                    self._fitted.setdefault(number, {})[fold_result.fold] = fitted
                self._folds_left[number] -= 1
                if self._folds_left[number]:
                    return None
                del self._folds_left[number]
                return self._rung_done(trial, self._rung.pop(number))
            except LeaseLost:
                self._give_up(number, fold_result)
                return None

    def settle(self) -> list[Trial]:
        """Once nothing runs and nothing may be asked: promote or prune the waiting."""
        with self._lock:
            if self._queue or self._folds_left or not self._waiting or self._may_ask():
                return []
            self._sync()  # other workers' values may have opened places
            self._promote_waiting()
            if not self._queue and self.stop_reason != StopReason.STOPPED:
                # The budget of trials is spent, not the user's patience:
                # the best paused trials may still go on (see the pruner).
                for number, rung in self._pruner.final_promotions(
                    self._waiting, self._record, self._n_rungs
                ):
                    self._waiting.remove((number, rung))
                    self._promote(self._read[number], rung)
            if self._queue:
                return []
            return self._prune_waiting()

    def is_done(self) -> bool:
        """Whether nothing is queued, in flight, waiting, or left to ask."""
        with self._lock:
            done = super().is_done() and not self._waiting
            if done and self._winding and self.stop_reason is None:
                self.stop_reason = StopReason.TIMEOUT
            return done

    def cancel(self) -> list[Trial]:
        """Drop every fold not run yet; PRUNE the trials paused at a rung."""
        with self._lock:
            super().cancel()
            self._rung.clear()
            return self._prune_waiting()

    def _prune_waiting(self) -> list[Trial]:
        """PRUNE every paused trial at the value of the rung it paused at."""
        finished = []
        for number, rung in self._waiting:
            try:
                value = self._record.value(number, rung)
                finished.append(self._end(number, TrialState.PRUNED, value))
            except LeaseLost:
                self._give_up(number, None)
        self._waiting.clear()
        return finished

    # -- winding down before the timeout ------------------------------------------
    def _may_ask(self) -> bool:
        if not super()._may_ask():
            return False
        need = self.seconds_to_finish()
        if need is None or self._deadline is None:
            return True
        # Until a trial has completed, a search cut by its timeout would have
        # no result at all. The next look at the clock comes only after the
        # new trial's first rung and the promotions its value opens, which
        # can cascade (at most one trial per rung goes on): keep a whole
        # ladder's seconds in hand for them too. Once a trial has completed,
        # a climb cut short only loses an improvement.
        in_hand = 0.0 if self._completed else self._climb_seconds(0)
        winding = self._deadline - self._clock() <= WIND_DOWN_MARGIN * (need + in_hand)
        if winding and not self._winding:
            logger.info(
                "Study %r: no new trial for now, %.1fs before the timeout: the best "
                "paused trials go on to the last rung first (about %.1fs).",
                self._study.name,
                self._deadline - self._clock(),
                need,
            )
        self._winding = winding
        return not winding

    def seconds_to_finish(self) -> float | None:
        """Estimated seconds to finish the folds queued and carry one trial on.

        The trial is the first the pruner's final promotions would promote
        now (they go highest rung first), else the most advanced paused or
        running trial, else a new trial; it is carried through every rung
        above its own. None without a timeout, or before any fold has been
        timed.
        """
        if self._deadline is None or not self._seconds:
            return None
        first = self._pruner.final_promotions(self._waiting, self._record, self._n_rungs)
        if first:
            start = first[0][1] + 1
        else:
            at = [r + 1 for _, r in self._waiting] + list(self._rung.values())
            start = max(at, default=0)  # with nothing paused or running: a new trial
        queued = sum(
            self._folds_left.get(number, 0) * self._fold_seconds(rung)
            for number, rung in self._rung.items()
        )
        return queued / self._workers + self._climb_seconds(start)

    def _climb_seconds(self, start: int) -> float:
        """Estimated seconds to run one trial's rungs from ``start`` to the last."""
        total = 0.0
        for rung in range(start, self._n_rungs):
            folds = len(self._plan.folds_through(rung))
            if self._plan.kind == FOLDS and rung > 0:
                folds -= len(self._plan.folds_through(rung - 1))
            rounds = -(-folds // self._workers)  # folds run `workers` at a time
            total += rounds * self._fold_seconds(rung)
        return total

    def _fold_seconds(self, rung: int) -> float:
        """Mean seconds of a fold at ``rung``, from the nearest timed rung below."""
        timed = [r for r in self._seconds if r <= rung] or [min(self._seconds)]
        base = max(timed)
        spent, count = self._seconds[base]
        mean = spent / count
        if self._plan.kind == FOLDS or base == rung:
            return mean
        return mean * self._plan.ladder[rung] / self._plan.ladder[base]

    # -- starting trials -----------------------------------------------------
    def _ask(self) -> Trial:
        return self._study.ask(max_trials=self._budget.n_trials, view=self._view)

    def _begin(self, trial: Trial) -> None:
        self._queue_rung(trial, self._pruner.first_rung(trial.number, self._n_rungs))

    def _resume(self, trial: Trial) -> None:
        # A reclaimed trial continues at its highest rung: the missing folds,
        # or, when that rung is complete, the decision it was waiting for.
        rung = started_rung(trial)
        if rung is None:
            self._begin(trial)
        elif missing_folds(trial, rung, self._plan):
            self._queue_rung(trial, rung)
        else:
            self._rung_done(trial, rung)

    def _queue_rung(self, trial: Trial, rung: int) -> None:
        number = trial.number
        folds = missing_folds(trial, rung, self._plan)
        fitted = self._fitted.pop(number, {})
        keep = self._plan.warm_start is not None and rung < self._n_rungs - 1
        rung_params = self._plan.params_at(rung) or None
        self._folds_left[number] = len(folds)
        self._rung[number] = rung
        for fold in folds:
            train, test = self._splits[fold]
            self._queue.append(
                FoldTask(
                    number,
                    fold,
                    trial.params,
                    self._plan.train_at(fold, train, rung),
                    test,
                    rung=rung,
                    rung_params=rung_params,
                    warm_start_from=fitted.get(fold),
                    keep_estimator=keep,
                )
            )

    # -- decisions -------------------------------------------------------------
    def _rung_done(self, trial: Trial, rung: int) -> Trial | None:
        """Decide about ``trial``, whose ``rung`` is complete; return it if finished."""
        self._sync()
        number = trial.number
        rung_folds = [f for f in trial.fold_results if f.rung == rung]
        finished = None
        if any(f.is_failed for f in rung_folds):
            finished = self._end(number, TrialState.FAILED, None)
        elif rung == self._n_rungs - 1:
            folds = rung_folds
            if self._plan.kind == FOLDS:  # the value is over every fold run
                folds = [f for f in trial.fold_results if f.rung <= rung]
            _, value = summarize_trial(sorted(folds, key=lambda f: f.fold), self._metric)
            finished = self._end(number, TrialState.COMPLETE, value)
        else:
            decision = self._pruner.decide(number, rung, self._record, self._n_rungs)
            if decision is Decision.CONTINUE:
                self._promote(trial, rung)
            elif decision is Decision.PRUNE:
                value = self._record.value(number, rung)
                finished = self._end(number, TrialState.PRUNED, value)
            else:
                self._waiting.append((number, rung))
        self._promote_waiting()
        return finished

    def _promote(self, trial: Trial, rung: int) -> None:
        self._record.promote(trial.number, rung)
        self._queue_rung(trial, rung + 1)

    def _promote_waiting(self) -> None:
        if not self._waiting:
            return
        for number, rung in self._pruner.promotions(
            self._waiting, self._record, self._n_rungs
        ):
            self._waiting.remove((number, rung))
            self._promote(self._read[number], rung)

    def _end(self, number: int, state: TrialState, value: float | None) -> Trial:
        self._fitted.pop(number, None)
        return self._study.tell(number, value, state=state)

    def _sync(self) -> None:
        """Bring the record up to date with the study's trials (re-reading only changes)."""
        for trial in self._study.trials:
            if self._read.get(trial.number) is trial:
                continue
            self._read[trial.number] = trial
            self._completed = self._completed or trial.state is TrialState.COMPLETE
            values = self._values.of(trial)
            top = started_rung(trial)
            for rung, value in values.items():
                self._record.report(trial.number, rung, value)
                if top is not None and rung < top:
                    self._record.promote(trial.number, rung)

    def _give_up(self, number: int, fold_result: FoldResult | None) -> None:
        super()._give_up(number, fold_result)
        self._rung.pop(number, None)
        self._fitted.pop(number, None)
        self._waiting = [(n, r) for n, r in self._waiting if n != number]
