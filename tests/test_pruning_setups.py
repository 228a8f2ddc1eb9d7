"""Pruned searches on real setups: small classes, sample weights, resumed studies.

Real estimators on bundled datasets; each test pins a behaviour a user of
HalvingRandomSearchCV moving to ScoutSearchCV(pruner=...) relies on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn.exceptions import InvalidParameterError, StudyMismatch


class WeightSpy(ClassifierMixin, BaseEstimator):
    """Fits nothing; records whether each row's weight is its own (id + 1).

    Column 0 of X is the row id; the weights given to fit are ``id + 1``,
    so a weight sliced apart from its row shows.
    """

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y, sample_weight=None):
        X, y = validate_data(self, X, y)
        weights = np.asarray(sample_weight)
        self.n_rows_ = len(X)
        self.aligned_ = len(weights) == len(X) and bool(np.all(weights == X[:, 0] + 1))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return np.full(len(X), self.classes_[0])


def _weight_scores(estimator: Any, X: Any, y: Any) -> dict[str, float]:
    return {"aligned": float(estimator.aligned_), "rows": float(estimator.n_rows_)}


# -- n_samples: the first rung must hold every class ----------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"min_resource": 1},
            r"'min_resource' parameter of ScoutSearchCV makes the first rung fit on 1 "
            r"training row\(s\).*fewer than the 3 classes.*Got min_resource=1; it "
            r"must be at least 3",
        ),
        ({"min_resource": 2}, r"Got min_resource=2; it must be at least 3"),
        # The default first rung is at most max_resource.
        ({"max_resource": 2}, r"'max_resource' .*Got max_resource=2; it must be"),
    ],
)
def test_a_first_rung_without_every_class_fails_before_any_fit(
    iris, fit_spy, kwargs, message
) -> None:
    # Every fit on 1 row failed (one class), and with 2 rows of 3 classes
    # neg_log_loss failed to score every trial: "all 10 trials were pruned
    # or failed" after the work. HalvingRandomSearchCV crashes in resample.
    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": Float(0.1, 10.0)}, n_trials=3, cv=3, pruner="sha", **kwargs
    )
    with pytest.raises(InvalidParameterError, match=message):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_a_first_rung_of_one_row_per_class_sees_every_class(iris) -> None:
    X, y = iris
    search = ScoutSearchCV(
        LogisticRegression(),
        {"C": Float(0.1, 10.0, log=True)},
        n_trials=6,
        cv=3,
        pruner="successive_halving",
        min_resource=3,
        scoring="neg_log_loss",
        error_score="raise",
        random_state=0,
    ).fit(X, y)
    first = [f for t in search.study_.trials for f in t.fold_results if f.rung == 0]
    assert len(first) == 18
    assert all(np.isfinite(f.test_scores["score"]) for f in first)
    assert search.cv_results_["state"][search.best_index_] == "COMPLETE"


def test_regressors_keep_small_first_rungs(diabetes) -> None:
    from sklearn.linear_model import Ridge

    X, y = diabetes
    search = ScoutSearchCV(
        Ridge(),
        {"alpha": Float(0.01, 10.0, log=True)},
        n_trials=4,
        cv=3,
        pruner="successive_halving",
        min_resource=2,
        random_state=0,
    ).fit(X, y)
    assert search.cv_results_["n_resources"].min() == 2


# -- sample weights follow their rows into every subsample ----------------------------
@pytest.mark.parametrize("pruner", ["successive_halving", "hyperband", "median"])
def test_sample_weights_are_subsampled_with_their_rows(iris, pruner) -> None:
    X, y = iris
    X = np.column_stack([np.arange(len(X)), X])
    weights = np.arange(len(X)) + 1.0
    search = ScoutSearchCV(
        WeightSpy(),
        {"C": Float(0.1, 1.0)},
        n_trials=8,
        cv=3,
        pruner=pruner,
        scoring=_weight_scores,
        refit="aligned",
        random_state=0,
    )
    with pytest.warns(UserWarning, match="does not support sample_weight"):
        search.fit(X, y, sample_weight=weights)
    folds = [f for t in search.study_.trials for f in t.fold_results]
    assert {f.test_scores["rows"] for f in folds} >= {18.0, 100.0}  # subsamples ran
    assert all(f.test_scores["aligned"] == 1.0 for f in folds)


# -- a resumed study must be read on its own rungs --------------------------------------
def _hgb_search(url: str, n_trials: int, **kwargs: Any) -> ScoutSearchCV:
    return ScoutSearchCV(
        HistGradientBoostingClassifier(max_iter=27, early_stopping=False),
        {"learning_rate": Float(0.01, 1.0, log=True)},
        n_trials=n_trials,
        cv=3,
        random_state=0,
        storage=url,
        study_name="s",
        load_if_exists=True,
        **kwargs,
    )


SHA_ON_MAX_ITER = {"pruner": "successive_halving", "resource": "max_iter"}


@pytest.mark.parametrize(
    ("first", "then", "message"),
    [
        # Rung 2 (9 rounds) was read as the last rung (27) of (3, 9, 27): a
        # trial scored on 9 rounds was COMPLETE at max_resource; with a
        # shorter ladder the search crashed with an IndexError.
        (
            SHA_ON_MAX_ITER,
            {**SHA_ON_MAX_ITER, "min_resource": 3},
            r"resource='max_iter' on the rungs \[1, 3, 9, 27\], and this search runs "
            r"with resource='max_iter' on the rungs \[3, 9, 27\]",
        ),
        (SHA_ON_MAX_ITER, {**SHA_ON_MAX_ITER, "max_resource": 9}, r"rungs \[1, 3, 9\]"),
        (
            SHA_ON_MAX_ITER,
            {"pruner": "successive_halving"},
            r"runs with resource='n_samples' on the rungs",
        ),
        (SHA_ON_MAX_ITER, {}, r"runs without a pruner"),
        # Whole-fold trials were read at the first rung: COMPLETE rows with
        # n_resources=1 beside those at 27.
        ({}, SHA_ON_MAX_ITER, r"holds trials evaluated without a pruner"),
    ],
)
def test_ignore_fingerprint_refuses_stored_trials_of_other_rungs(
    tmp_path: Path, breast_cancer, first, then, message
) -> None:
    X, y = breast_cancer
    X = X[:, :5]
    url = f"sqlite:///{tmp_path / 'study.db'}"
    _hgb_search(url, 4, **first).fit(X, y)
    before = len(_hgb_search(url, 4, **first).fit(X, y).study_.trials)
    resumed = _hgb_search(url, 8, ignore_fingerprint=True, **then)
    with pytest.raises(StudyMismatch, match=message):
        resumed.fit(X, y)
    again = _hgb_search(url, 4, **first).fit(X, y)
    assert len(again.study_.trials) == before == 4  # nothing was added


def test_ignore_fingerprint_resumes_with_another_pruner_on_the_same_rungs(
    tmp_path: Path, breast_cancer
) -> None:
    X, y = breast_cancer
    X = X[:, :5]
    url = f"sqlite:///{tmp_path / 'study.db'}"
    _hgb_search(url, 6, **SHA_ON_MAX_ITER).fit(X, y)
    search = _hgb_search(
        url, 10, ignore_fingerprint=True, pruner="hyperband", resource="max_iter"
    ).fit(X, y)
    results = search.cv_results_
    assert len(results["state"]) == 10
    complete = results["state"] == "COMPLETE"
    assert np.all(results["n_resources"][complete] == 27)
    assert results["params"][search.best_index_]["max_iter"] == 27


# -- a refit callable chooses among the trials evaluated at max_resource ---------------
def _worst_row(results: dict[str, Any]) -> int:
    return int(np.argmin(results["mean_test_score"]))


def _best_complete_row(results: dict[str, Any]) -> int:
    scores = np.where(results["state"] == "COMPLETE", results["mean_test_score"], -np.inf)
    return int(np.argmax(scores))


def _pruned_boosting(refit: Any) -> ScoutSearchCV:
    """Successive halving over HistGradientBoosting's max_iter (1, 3, 9, 27)."""
    return ScoutSearchCV(
        HistGradientBoostingClassifier(max_iter=27, early_stopping=False),
        {"learning_rate": Float(0.01, 1.0, log=True)},
        n_trials=8,
        cv=3,
        pruner="successive_halving",
        resource="max_iter",
        refit=refit,
        random_state=0,
    )


def test_a_refit_callable_choosing_a_pruned_row_is_refused(breast_cancer) -> None:
    # The callable's row was kept: best_params_ held max_iter=1, and
    # best_estimator_ was refitted on 1 boosting round, while the guide says
    # only trials evaluated at max_resource can be the best.
    X, y = breast_cancer
    search = _pruned_boosting(refit=_worst_row)
    with pytest.raises(
        ValueError,
        match=r"'refit' callable of ScoutSearchCV chose row \d+ of cv_results_ "
        r"\(trial \d+, PRUNED\), which was evaluated at n_resources=1, not at "
        r"max_resource=27",
    ):
        search.fit(X[:, :5], y)
    assert not hasattr(search, "best_estimator_")


def test_a_refit_callable_choosing_a_complete_row_is_kept(breast_cancer) -> None:
    X, y = breast_cancer
    search = _pruned_boosting(refit=_best_complete_row).fit(X[:, :5], y)
    results = search.cv_results_
    assert results["state"][search.best_index_] == "COMPLETE"
    assert search.best_params_["max_iter"] == 27
    assert search.best_estimator_.max_iter == 27
