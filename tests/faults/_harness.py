"""What the fault tests share: the tally, the storage checks, waiting, finding processes.

The checks read the storage after a fault and compare it with a snapshot
taken before: a trial COMPLETE before the fault must still be COMPLETE with
the same params, value and fold scores (else it is *lost*); a grid point
held by two COMPLETE trials, or a fold stored twice in one trial, is
*duplicated*.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from storage.search_worker import TASKS

from scout_sklearn import ScoutSearchCV, Trial, TrialState
from scout_sklearn.storage import SQLStorage

if TYPE_CHECKING:  # psutil is imported where it is used: the root conftest
    # imports this module, and the oldest-scikit-learn run of .ci/run has no psutil.
    import psutil

#: The name under which a test's counts travel in its report's user_properties.
COUNTS_PROPERTY = "scout_fault_counts"


@dataclasses.dataclass
class FaultCounts:
    """One test's counts (or the session's sum)."""

    injected: int = 0
    finished: int = 0
    lost: int = 0
    duplicated: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)

    def add(self, other: Mapping[str, int]) -> None:
        for field, value in other.items():
            setattr(self, field, getattr(self, field) + int(value))

    def summary(self) -> str:
        return (
            f"fault suite: {self.injected} faults injected, {self.finished} searches "
            f"finished, {self.lost} trials lost (target 0), {self.duplicated} trials "
            "duplicated (target 0)"
        )

    def check(
        self,
        before: Mapping[int, Trial],
        storage: SQLStorage,
        study: str,
        *,
        grid: bool,
    ) -> dict[int, Trial]:
        """Count what the storage lost or duplicated since ``before``; assert neither.

        Returns the COMPLETE trials now stored: the ``before`` of the next fault.
        """
        trials, _ = storage.read_trials(study)
        after = {t.number: t for t in trials if t.state is TrialState.COMPLETE}
        lost = lost_trials(before, after)
        duplicated = duplicated_trials(trials, grid=grid)
        self.lost += len(lost)
        self.duplicated += len(duplicated)
        assert not lost, f"trials COMPLETE before the fault and not after: {lost}"
        assert not duplicated, f"trials stored twice: {duplicated}"
        return after


def complete_trials(storage: SQLStorage, study: str) -> dict[int, Trial]:
    """The study's COMPLETE trials by number (none if the study is not there yet)."""
    if storage.load_study(study) is None:
        return {}
    trials, _ = storage.read_trials(study)
    return {t.number: t for t in trials if t.state is TrialState.COMPLETE}


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _fingerprint(trial: Trial) -> tuple[Any, ...]:
    folds = sorted((f.fold, _canonical(f.test_scores)) for f in trial.fold_results)
    return _canonical(trial.params), trial.value, tuple(folds)


def lost_trials(before: Mapping[int, Trial], after: Mapping[int, Trial]) -> list[int]:
    """Numbers COMPLETE in ``before`` that ``after`` lacks or holds with other results."""
    return [
        number
        for number, trial in sorted(before.items())
        if number not in after or _fingerprint(after[number]) != _fingerprint(trial)
    ]


def duplicated_trials(trials: list[Trial], *, grid: bool) -> list[int]:
    """Numbers of trials holding a fold twice, or (``grid``) an earlier trial's point."""
    duplicated = []
    points: set[str] = set()
    for trial in sorted(trials, key=lambda t: t.number):
        folds = [f.fold for f in trial.fold_results]
        if len(folds) != len(set(folds)):
            duplicated.append(trial.number)
        elif grid and trial.state is TrialState.COMPLETE:
            point = _canonical(trial.params)
            if point in points:
                duplicated.append(trial.number)
            points.add(point)
    return duplicated


def wait_until(
    condition: Callable[[], bool],
    what: str,
    *,
    timeout: float = 60.0,
    process: subprocess.Popen[str] | None = None,
) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` s.

    With ``process``, fail at once (with its stderr) if it ends first.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            _, err = process.communicate()
            raise AssertionError(f"the process ended before {what}: {err}")
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


def loky_workers(parent: int | None = None) -> list[psutil.Process]:
    """The joblib (loky) worker processes of ``parent`` (this process if None),
    not its resource trackers."""
    import psutil

    try:
        children = psutil.Process(parent).children(recursive=True)
    except psutil.Error:  # the parent ended
        return []
    return [
        child
        for child in children
        if any("popen_loky_posix" in part for part in _cmdline(child))
    ]


def knn_search(storage: Any, study: str, n_trials: int, *callbacks: Any) -> ScoutSearchCV:
    """The "knn" task of tests/storage/search_worker.py, in this process: a grid
    of KNeighborsClassifier for iris, folds of a millisecond."""
    estimator, _, space = TASKS["knn"]
    return ScoutSearchCV(
        estimator(),
        space,
        sampler="grid",
        n_trials=n_trials,
        cv=2,
        storage=storage,
        study_name=study,
        refit=False,
        callbacks=list(callbacks),
    )


def _cmdline(process: psutil.Process) -> list[str]:
    import psutil

    try:
        return process.cmdline()
    except psutil.Error:  # ended meanwhile
        return []
