"""A fold whose worker process dies: retried once alone, then its trial FAILED.

Real loky workers, killed by ``os._exit`` and by SIGSEGV inside ``fit``.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from scout_sklearn import ScoutSearchCV, TrialState
from scout_sklearn.exceptions import WorkerDied

POISON = 2
# Two unequal folds of iris: the poisoned params kill a worker on the first
# fold only (training on 100 rows), so that each test has few deaths: each
# costs a fresh pool of worker processes.
CV = [(np.arange(100), np.arange(100, 150)), (np.arange(60, 150), np.arange(60))]
FATAL_ROWS = 100


class DyingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; ``fit`` on 100 rows ends its process if ``p == POISON``.

    Each death first appends a line to ``log`` (so a test counts deaths
    across processes). With ``once=True``, it dies only if ``log`` is
    still empty: the retry on a fresh worker then succeeds.
    """

    def __init__(self, p=0, how="exit", log="", once=False):
        self.p = p
        self.how = how
        self.log = log
        self.once = once

    def fit(self, X, y):
        dies = self.p == POISON and len(X) == FATAL_ROWS
        if dies and not (self.once and Path(self.log).stat().st_size):
            with open(self.log, "a") as out:
                out.write(f"{os.getpid()}\n")
            if self.how == "segfault":
                os.kill(os.getpid(), signal.SIGSEGV)
            os._exit(1)
        values, counts = np.unique(y, return_counts=True)
        self.majority_ = values[np.argmax(counts)]
        self.classes_ = values
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)


def _search(log: Path, **kwargs: object) -> ScoutSearchCV:
    return ScoutSearchCV(
        DyingClassifier(log=str(log), **kwargs),  # type: ignore[arg-type]
        {"p": [0, 1, 2, 3]},
        cv=CV,
        n_jobs=2,
    )


def _deaths(log: Path) -> int:
    return len(log.read_text().splitlines())


@pytest.mark.parametrize("how", ["exit", "segfault"])
def test_a_fold_that_kills_its_worker_fails_its_trial_only(
    iris: tuple[np.ndarray, np.ndarray], tmp_path: Path, how: str
) -> None:
    log = tmp_path / "deaths.txt"
    log.touch()

    search = _search(log, how=how).fit(*iris)

    states = {t.params["p"]: t.state for t in search.study_.trials}
    assert states == {
        0: TrialState.COMPLETE,
        1: TrialState.COMPLETE,
        2: TrialState.FAILED,
        3: TrialState.COMPLETE,
    }
    poisoned = next(t for t in search.study_.trials if t.params["p"] == POISON)
    errors = [f.error for f in poisoned.fold_results if f.error]
    assert len(errors) == 1
    assert "trial 2, fold 0 was in flight" in errors[0]
    assert "died again when it was retried alone" in errors[0]
    assert _deaths(log) == 2  # sent with others, then alone on a fresh worker
    assert search.best_params_["p"] != POISON
    assert np.isnan(search.cv_results_["mean_test_score"][POISON])


def test_a_worker_that_dies_once_is_retried_and_the_trial_completes(
    iris: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    log = tmp_path / "deaths.txt"
    log.touch()

    search = _search(log, once=True).fit(*iris)

    assert _deaths(log) == 1
    assert all(t.state is TrialState.COMPLETE for t in search.study_.trials)
    assert len(search.study_.trials) == 4


def test_a_resumed_search_does_not_run_the_failed_trial_again(
    iris: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    log = tmp_path / "deaths.txt"
    log.touch()
    url = f"sqlite:///{tmp_path / 'scout.db'}"

    first = _search(log).set_params(storage=url, study_name="s").fit(*iris)
    deaths = _deaths(log)
    again = _search(log).set_params(storage=url, study_name="s").fit(*iris)

    assert _deaths(log) == deaths
    assert [t.state for t in again.study_.trials] == [t.state for t in first.study_.trials]
    assert again.study_.trials[POISON].state is TrialState.FAILED


def test_error_score_raise_names_the_trial(
    iris: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    log = tmp_path / "deaths.txt"
    log.touch()

    with pytest.raises(WorkerDied, match=r"trial 2, fold 0 was in flight"):
        _search(log).set_params(error_score="raise").fit(*iris)
