"""The dashboard's view of a storage: every study, read once, then only what changed.

A :class:`StorageReader` keeps each study's trials in memory. A refresh asks
the storage only for the trials whose stamp grew since the last one
(``Storage.read_trials(name, since=stamp)``, an indexed query), so a page
open on a 10,000-trial study costs one short query per update, not a
re-read of the study. Each trial remembers the stamp at which the reader
last saw it change: a page that has seen stamp ``s`` is sent only the
trials changed after ``s``.

The storage is opened read-only (``SQLStorage(url, read_only=True)``): the
dashboard can take no lease, create no table and write nothing.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scout_sklearn._table import metric_name, value_metric
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.plotting._data import folds_per_rung
from scout_sklearn.storage import Storage
from scout_sklearn.storage._base import StudyRecord

#: States in the order the pages list them.
STATES = ("COMPLETE", "PRUNED", "FAILED", "RUNNING")

#: A study is "running" while a trial of it is RUNNING under a lease that has
#: not run out, or one was stored in the last this many seconds.
_ACTIVE_SECONDS = 60.0


def _readable(value: Any) -> Any:
    """A stored param as text a page can show (the repr of an estimator choice)."""
    if isinstance(value, Mapping) and "repr" in value:
        return str(value["repr"])
    if isinstance(value, (list, tuple)):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


@dataclass
class StudyState:
    """One study as the dashboard holds it.

    Attributes
    ----------
    record : StudyRecord
    stamp : int
        The storage's stamp of the study at the last refresh.
    trials : dict of int to Trial
        By number; params as readable values.
    changed : dict of int to int
        Trial number to the stamp of the refresh that last saw it change.
    """

    record: StudyRecord
    stamp: int = 0
    trials: dict[int, Trial] = field(default_factory=dict)
    changed: dict[int, int] = field(default_factory=dict)
    refreshed_at: float = 0.0
    known_metric: str | None = None
    splits: int = 1
    columns: dict[int, tuple[Any, tuple[Any, ...]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Kept up to date trial by trial (see ``keep``), so that a summary costs
    # nothing on a large study: the counts by state, the best trial, the
    # latest time stored, the RUNNING trials.
    counts: Counter[str] = field(default_factory=Counter)
    best_number: int | None = None
    last: float = 0.0
    running: set[int] = field(default_factory=set)

    def keep(self, trial: Trial) -> None:
        """Store ``trial`` (new, or a new version of one) and update the tallies."""
        old = self.trials.get(trial.number)
        self.trials[trial.number] = trial
        if old is not None:
            self.counts[old.state.name] -= 1
        self.counts[trial.state.name] += 1
        if trial.state is TrialState.RUNNING:
            self.running.add(trial.number)
        else:
            self.running.discard(trial.number)
        for moment in (trial.started_at, trial.finished_at):
            if moment is not None and moment > self.last:
                self.last = moment
        if trial.fold_results:
            self.splits = max(self.splits, folds_per_rung(trial))
        if self.known_metric is None and trial.has_value:
            # Which metric's mean the values are: found on the first trial that
            # says (looked for as trials arrive, never by a scan of them all).
            self.known_metric = value_metric(trial, resource=self.pruning[1])
        if trial.number == self.best_number:  # the best changed (rare): look again
            self.best_number = None
            for other in self.trials.values():
                if _beats(other, self.best()):
                    self.best_number = other.number
        elif _beats(trial, self.best()):
            self.best_number = trial.number

    @property
    def name(self) -> str:
        return self.record.name

    def snapshot(self) -> StudyState:
        """A copy that later refreshes do not change (take it under ``lock``)."""
        from dataclasses import replace

        return replace(
            self,
            trials=dict(self.trials),
            changed=dict(self.changed),
            columns={},
            counts=Counter(self.counts),
            running=set(self.running),
            lock=threading.Lock(),
        )

    @property
    def pruning(self) -> tuple[list[float] | None, str | None]:
        """The ladder and the resource of a pruned study, or (None, None)."""
        pruning = self.record.fingerprint.get("pruning")
        if not isinstance(pruning, Mapping):
            return None, None
        ladder = pruning.get("ladder")
        resource = pruning.get("resource")
        return (
            [float(r) for r in ladder] if isinstance(ladder, list) else None,
            resource if isinstance(resource, str) else None,
        )

    @property
    def metric(self) -> str | None:
        """The fold-result metric whose mean is each trial's value."""
        objective = self.record.fingerprint.get("objective")
        if isinstance(objective, str):
            return objective
        return self.known_metric

    @property
    def metric_label(self) -> str:
        """The metric's name as users know it (``scoring``'s for one metric)."""
        scoring = self.record.fingerprint.get("scoring")
        objective = self.record.fingerprint.get("objective")
        if isinstance(objective, str):
            return objective
        return metric_name(self.metric, scoring)

    def sorted_trials(self) -> list[Trial]:
        return [self.trials[n] for n in sorted(self.trials)]

    def best(self) -> Trial | None:
        """The COMPLETE trial of highest value (lowest number on ties)."""
        return self.trials.get(self.best_number) if self.best_number is not None else None

    def summary(self, now: float | None = None) -> dict[str, Any]:
        """What the studies page shows of this study (costs O(running trials))."""
        now = time.time() if now is None else now
        counts = self.counts
        best = self.best()
        last = max(self.last, self.record.created_at)
        leased = any(
            (lease := self.trials[number].lease_until) is not None and lease > now
            for number in self.running
        )
        estimator = self.record.fingerprint.get("estimator")
        return {
            "name": self.name,
            "estimator": (
                str(estimator.get("class"))
                if isinstance(estimator, Mapping) and estimator.get("class")
                else None
            ),
            "n_trials": len(self.trials),
            "states": {state: counts.get(state, 0) for state in STATES},
            "best_value": _finite(best.value) if best is not None else None,
            "best_number": best.number if best is not None else None,
            "metric": self.metric_label,
            "created_at": self.record.created_at,
            "last_activity": last,
            "running": leased or ((now - last) < _ACTIVE_SECONDS and counts["RUNNING"] > 0),
            "stamp": self.stamp,
        }


class StorageReader:
    """Every study of a storage, kept up to date by incremental reads.

    Parameters
    ----------
    storage : Storage
        Opened read-only by the dashboard.
    min_interval : float, default=0.25
        A study refreshed less than this many seconds ago is not read again:
        several pages open on one study share one query.
    """

    def __init__(self, storage: Storage, *, min_interval: float = 0.25) -> None:
        self.storage = storage
        self.min_interval = min_interval
        self._studies: dict[str, StudyState] = {}
        self._names_at = 0.0
        self._lock = threading.Lock()  # one storage call at a time

    def study_names(self) -> list[str]:
        """Names of the studies, oldest first (re-listed at most every min_interval)."""
        now = time.monotonic()
        with self._lock:
            if now - self._names_at >= self.min_interval or not self._studies:
                for record in self.storage.list_studies():
                    if record.name not in self._studies:
                        self._studies[record.name] = StudyState(record)
                self._names_at = now
            return list(self._studies)

    def study(self, name: str, *, refresh: bool = True) -> StudyState:
        """The study named ``name``, refreshed; KeyError if the storage has none."""
        state = self._studies.get(name)
        if state is None:
            self.study_names()
            state = self._studies.get(name)
            if state is None:
                raise KeyError(name)
        if refresh:
            self.refresh(state)
        return state

    def refresh(self, state: StudyState, *, force: bool = False) -> list[int]:
        """Read what changed in ``state``'s study; the numbers of the trials that did."""
        with state.lock:
            now = time.monotonic()
            if not force and state.stamp and now - state.refreshed_at < self.min_interval:
                return []
            with self._lock:
                trials, stamp = self.storage.read_trials(state.name, since=state.stamp)
            state.refreshed_at = now
            numbers: list[int] = []
            for trial in trials:
                params = {k: _readable(v) for k, v in trial.params.items()}
                state.keep(_with_params(trial, params))
                state.changed[trial.number] = stamp
                numbers.append(trial.number)
            state.stamp = max(state.stamp, stamp)
            return numbers


def _beats(trial: Trial, other: Trial | None) -> bool:
    """Whether ``trial`` beats ``other`` as the best: higher value, then lower number."""
    if not trial.has_value or trial.value is None or not math.isfinite(trial.value):
        return False
    if other is None or other.value is None:
        return True
    return trial.value > other.value or (
        trial.value == other.value and trial.number < other.number
    )


def _with_params(trial: Trial, params: dict[str, Any]) -> Trial:
    if all(params[k] is v for k, v in trial.params.items()):
        return trial
    from dataclasses import replace

    return replace(trial, params=params)


def fold_scores(trial: Trial, metric: str | None) -> list[dict[str, Any]]:
    """A trial's folds as the trial page lists them, in the order they arrived."""
    rows = []
    for fold in trial.fold_results:
        score = fold_score(fold, metric)
        rows.append(
            {
                "fold": fold.fold,
                "rung": fold.rung,
                "test_scores": {k: _finite(v) for k, v in fold.test_scores.items()},
                "train_scores": (
                    {k: _finite(v) for k, v in fold.train_scores.items()}
                    if fold.train_scores
                    else None
                ),
                "score": _finite(score),
                "fit_time": _finite(fold.fit_time),
                "score_time": _finite(fold.score_time),
                "n_test_samples": fold.n_test_samples,
                "n_iterations": fold.n_iterations,
                "error": fold.error,
            }
        )
    return rows


def fold_score(fold: FoldResult, metric: str | None) -> float | None:
    """A fold's test score of ``metric`` (its first metric's when unknown)."""
    score = fold.test_scores.get(metric) if metric else None
    if score is None and fold.test_scores:
        score = next(iter(fold.test_scores.values()))
    return score


def fold_progress(trial: Trial, n_splits: int) -> dict[str, Any]:
    """How far a RUNNING trial is: folds finished at its highest rung, out of n_splits."""
    rung = max((f.rung for f in trial.fold_results), default=0)
    done = {f.fold for f in trial.fold_results if f.rung == rung}
    return {"rung": rung, "done": len(done), "of": max(n_splits, len(done))}


def n_splits(state: StudyState) -> int:
    """The folds a rung runs: the fingerprint's, else the most any trial ran at one rung."""
    cv = state.record.fingerprint.get("cv")
    if (
        isinstance(cv, Mapping)
        and isinstance(cv.get("n_splits"), int)
        and cv["n_splits"] > 0
    ):
        return int(cv["n_splits"])
    return state.splits  # the most folds any trial ran at one rung, kept by keep()
