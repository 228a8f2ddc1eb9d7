"""A joblib worker process of a search dies: by SIGKILL from outside, by ``os._exit``.

The search runs in this process with ``n_jobs=2`` (real loky workers) and a
SQLite file. A dead worker's fold is retried once on a fresh worker; what
the storage holds afterwards is checked as after every fault of the suite.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.svm import SVC
from test_worker_death import POISON, _deaths, _search

from faults._harness import FaultCounts, complete_trials, loky_workers, wait_until
from scout_sklearn import ScoutSearchCV, TrialState
from scout_sklearn.storage import SQLStorage

N_KILLS = 2


def test_sigkill_of_joblib_workers_mid_fold_loses_no_trial(
    tmp_path: Path, fault_counts: FaultCounts
) -> None:
    """Proves that a fold whose loky worker is SIGKILLed is run again, and stored once.

    SVC on 900 bundled digits (folds of some 50 ms: a worker is killed mid-fold), two
    workers; a thread kills a worker after the first stored fold, and another
    once the trials running at the first kill have finished. Every trial ends
    COMPLETE, each fold once.
    """
    X, y = load_digits(return_X_y=True)
    X, y = X[:900], y[:900]
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    observer = SQLStorage(url)

    def progress() -> tuple[set[int], int]:
        """(numbers of the trials not finished, folds stored)."""
        if observer.load_study("svc") is None:
            return set(), 0
        trials, _ = observer.read_trials("svc")
        folds = sum(len(t.fold_results) for t in trials)
        return {t.number for t in trials if not t.is_finished}, folds

    killed: list[int] = []
    errors: list[BaseException] = []

    def kill_workers() -> None:
        # Each kill after a stored fold, and after every trial unfinished at
        # the kill before has finished: never the retry of the fold killed
        # before (a fold that dies twice fails its trial, by design). The
        # unfinished trials are read after the kill, so that they include
        # the one whose fold it ended.
        unfinished: set[int] = set()
        folds = 0
        try:
            for kill in range(N_KILLS):
                wait_until(
                    lambda u=unfinished, f=folds: (
                        not (u & progress()[0]) and progress()[1] > f
                    ),
                    f"the progress before kill {kill}",
                )
                folds = progress()[1]
                wait_until(lambda: bool(loky_workers()), "a loky worker")
                before = {worker.pid for worker in loky_workers()}
                victim = loky_workers()[0]
                victim.send_signal(signal.SIGKILL)
                killed.append(victim.pid)
                if kill == N_KILLS - 1:
                    break
                # A kill breaks the whole pool: until fresh workers run, a fold
                # handed to it fails too, even one of a trial that started
                # after the kill, and is retried. So the trials to wait for
                # are read once the pool is new and has stored a fold.
                wait_until(
                    lambda b=before: (
                        bool(loky_workers())
                        and not b & {worker.pid for worker in loky_workers()}
                    ),
                    f"fresh loky workers after kill {kill}",
                )
                stored = progress()[1]
                wait_until(
                    lambda s=stored: progress()[1] > s, f"a fold stored after kill {kill}"
                )
                unfinished = progress()[0]
        except BaseException as err:  # noqa: BLE001 - handed to the test
            errors.append(err)

    search = ScoutSearchCV(
        SVC(),
        {"C": [1.0, 10.0], "gamma": [1e-3, 1e-2]},
        sampler="grid",
        cv=3,
        n_jobs=2,
        storage=url,
        study_name="svc",
        refit=False,
    )
    killer = threading.Thread(target=kill_workers)
    killer.start()
    try:
        search.fit(X, y)
    finally:
        killer.join()
    assert not errors, errors
    fault_counts.injected += len(killed)
    fault_counts.finished += 1

    assert len(killed) == N_KILLS
    fault_counts.check({}, observer, "svc", grid=True)
    trials, _ = observer.read_trials("svc")
    assert len(trials) == 4
    states = [
        (t.number, t.state.name, [(f.fold, f.error) for f in t.fold_results])
        for t in trials
    ]
    assert all(t.state is TrialState.COMPLETE for t in trials), f"{states} {killed}"
    assert all(sorted(f.fold for f in t.fold_results) == [0, 1, 2] for t in trials)
    assert search.n_trials_ == 4


def test_a_fold_ending_its_worker_with_os_exit_loses_no_trial(
    iris: tuple[np.ndarray, np.ndarray], tmp_path: Path, fault_counts: FaultCounts
) -> None:
    """Proves that ``os._exit`` in a fold costs only that fold, run again once.

    ``DyingClassifier`` (tests/test_worker_death.py) ends its worker once, in
    the poisoned trial's first fold; the retry completes it. A second search
    with the same storage then finds nothing to run and changes nothing.
    """
    log = tmp_path / "deaths.txt"
    log.touch()
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    first = _search(log, once=True).set_params(storage=url, study_name="exit").fit(*iris)
    fault_counts.injected += _deaths(log)
    fault_counts.finished += 1
    storage = SQLStorage(url)
    complete = fault_counts.check({}, storage, "exit", grid=True)
    assert sorted(complete) == [0, 1, 2, 3]
    assert complete[POISON].params == {"p": POISON}

    again = _search(log, once=True).set_params(storage=url, study_name="exit").fit(*iris)
    fault_counts.finished += 1
    fault_counts.check(complete, storage, "exit", grid=True)
    assert _deaths(log) == 1
    assert complete_trials(storage, "exit").keys() == complete.keys()
    assert again.n_trials_ == first.n_trials_ == 4
