"""Parallel setups as users write them: joblib's parallel_config around a search."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from joblib import cpu_count, parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from scout_sklearn import ScoutSearchCV
from scout_sklearn._threads import inner_threads
from scout_sklearn.distributions import Float

X, y = load_iris(return_X_y=True)


class NJobsClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the first class; its ``n_jobs`` is what the fold's copy was given."""

    def __init__(self, C: float = 1.0, n_jobs: int | None = -1) -> None:
        self.C = C
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any) -> NJobsClassifier:
        self.classes_ = np.unique(y)
        return self

    def predict(self, X: Any) -> Any:
        return np.full(len(X), self.classes_[0])


def fold_n_jobs(estimator: Any, X: Any, y: Any) -> float:
    """A scorer reporting the fold's estimator's n_jobs (after any cap)."""
    return float(estimator.n_jobs)


def n_jobs_seen(**kwargs: Any) -> set[float]:
    space = {"C": [0.1, 1.0]}
    search = ScoutSearchCV(
        NJobsClassifier(), space, cv=2, refit=False, scoring=fold_n_jobs, **kwargs
    ).fit(X, y)
    return set(search.cv_results_["mean_test_score"])


def test_auto_takes_the_threads_given_to_joblib_workers() -> None:
    # parallel_config(inner_max_num_threads=N) is the user's own thread
    # count for joblib's workers (GridSearchCV's folds get N): "auto" kept
    # its share of the cores instead, and cut each fold below what was asked.
    cores = cpu_count()
    if cores < 2:
        pytest.skip("one core: the share of the cores and joblib's value are both 1")
    with parallel_config(backend="loky", inner_max_num_threads=cores):
        assert n_jobs_seen(n_jobs=2) == {float(cores)}
    with parallel_config(backend="loky"):
        assert n_jobs_seen(n_jobs=2) == {float(max(1, cores // 2))}


def test_joblib_threads_leave_a_single_worker_and_explicit_values_alone() -> None:
    with parallel_config(backend="loky", inner_max_num_threads=1):
        assert n_jobs_seen(n_jobs=1) == {-1.0}  # no workers: nothing capped
        assert n_jobs_seen(n_jobs=2, inner_max_num_threads=None) == {-1.0}
    assert inner_threads("auto", 2, 8, configured=3) == 3
    assert inner_threads("auto", 2, 8, configured=64) == 8
    assert inner_threads(4, 2, 8, configured=1) == 4
    assert inner_threads("auto", 1, 8, configured=3) is None


def test_pre_dispatch_all_gives_the_trials_of_the_default() -> None:
    # "all" asks every trial first: the same seeded trials and scores as
    # handing out two tasks a worker, with or without several workers.
    def results(**kwargs: Any) -> tuple[list[Any], list[float]]:
        search = ScoutSearchCV(
            LogisticRegression(max_iter=200),
            {"C": Float(1e-2, 1e2, log=True)},
            sampler="random",
            n_trials=4,
            random_state=0,
            cv=2,
            n_jobs=2,
            **kwargs,
        ).fit(X, y)
        return search.cv_results_["params"], list(search.cv_results_["mean_test_score"])

    assert results(pre_dispatch="all") == results()


def test_pre_dispatch_all_with_a_timeout_runs_on_one_worker() -> None:
    # One worker runs each task as joblib takes it: no refusal there.
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": [0.1, 1.0]},
        cv=2,
        n_jobs=1,
        pre_dispatch="all",
        timeout=600,
    ).fit(X, y)
    assert list(search.cv_results_["state"]) == ["COMPLETE", "COMPLETE"]
