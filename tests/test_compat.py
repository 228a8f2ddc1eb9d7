"""scout_sklearn._compat: the private scikit-learn names we use, on this scikit-learn.

CI runs this file, with the port of scikit-learn's search tests, against the
newest scikit-learn and against the oldest one pyproject.toml allows.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.svm import SVC

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn._compat import (
    BaseSearchCV,
    is_multimetric_scorer,
    multimetric_scorer_names,
    slice_method_params,
    split_fold_data,
    with_callbacks,
)


def test_search_is_a_base_search_cv():
    assert issubclass(ScoutSearchCV, BaseSearchCV)


def test_split_fold_data_slices_rows_and_kernel_matrices(iris):
    X, y = iris
    train, test = np.arange(0, 100), np.arange(100, 150)
    X_train, _, _, y_test = split_fold_data(LogisticRegression(), X, y, train, test)
    np.testing.assert_array_equal(X_train, X[train])
    np.testing.assert_array_equal(y_test, y[test])
    kernel = X @ X.T
    K_train, _, K_test, _ = split_fold_data(
        SVC(kernel="precomputed"), kernel, y, train, test
    )
    assert K_train.shape == (100, 100)
    assert K_test.shape == (50, 100)  # test rows against training columns


def test_slice_method_params_indexes_sample_aligned_metadata(iris):
    X, _ = iris
    weights = np.arange(len(X), dtype=float)
    sliced = slice_method_params(X, {"sample_weight": weights, "flag": 3}, np.arange(5))
    np.testing.assert_array_equal(sliced["sample_weight"], weights[:5])
    assert sliced["flag"] == 3
    assert slice_method_params(X, {}, np.arange(5)) == {}


def test_multimetric_scorer_is_recognised_with_its_names():
    estimator = LogisticRegression()
    scorer = check_scoring(estimator, ["f1_macro", "accuracy"])
    assert is_multimetric_scorer(scorer)
    assert multimetric_scorer_names(scorer) == ["f1_macro", "accuracy"]
    assert not is_multimetric_scorer(check_scoring(estimator, "accuracy"))


def test_with_callbacks_keeps_fit_working_on_any_scikit_learn(iris):
    X, y = iris

    class Probe:
        def fit(self, X, y):
            return "fitted"

    assert with_callbacks(Probe.fit)(Probe(), X, y) == "fitted"


# -- scikit-learn's callbacks (set_callbacks, scikit-learn >= 1.9) in the fold fits ----
class _FileRecorder:
    """A FitCallback writing each task event as a JSON line to ``path``.

    The file is shared by every process, so events sent from worker processes
    are seen too. With ``propagate``, it is an auto-propagated callback:
    scikit-learn hands it on to the estimators fitted in each fold.
    """

    def __init__(self, path, propagate=False):
        self.path = str(path)
        if propagate:
            self.max_propagation_depth = None

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None, metadata=None):
        weights = None if not metadata else metadata.get("sample_weight")
        record = {
            "task": context.task_name,
            "estimator": type(estimator).__name__,
            "owner": context.estimator_name,
            "pid": os.getpid(),
            "X": None if X is None else [len(X), float(np.sum(X))],
            "y": None if y is None else np.asarray(y).tolist(),
            "sample_weight": None if weights is None else np.asarray(weights).tolist(),
        }
        with open(self.path, "a", encoding="utf-8") as file:
            file.write(json.dumps(record) + "\n")

    def on_fit_task_end(self, estimator, context, *, X=None, y=None, metadata=None):
        pass

    def read(self):
        with open(self.path, encoding="utf-8") as file:
            return [json.loads(line) for line in file]


def _scaled(iris):
    # Standardised features: LogisticRegression converges in a few iterations.
    X, y = iris
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _evaluations(records):
    """The candidate-split-evaluation events, as comparable tuples, in any order."""
    return sorted(
        (r["estimator"], tuple(r["X"]), tuple(r["y"]), tuple(r["sample_weight"] or ()))
        for r in records
        if r["task"] == "candidate-split-evaluation"
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_fold_events_carry_the_fold_data_and_weights_as_gridsearchcv_sends_them(
    iris, tmp_path, n_jobs
):
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    X, y = _scaled(iris)
    weights = np.random.default_rng(0).integers(1, 4, size=len(y)).astype(float)
    grid = {"C": [0.1, 1.0, 10.0]}
    cv = KFold(3, shuffle=True, random_state=0)
    theirs = _FileRecorder(tmp_path / "theirs.jsonl")
    ours = _FileRecorder(tmp_path / "ours.jsonl")
    GridSearchCV(LogisticRegression(), grid, cv=cv, n_jobs=n_jobs).set_callbacks(
        theirs
    ).fit(X, y, sample_weight=weights)
    ScoutSearchCV(LogisticRegression(), grid, cv=cv, n_jobs=n_jobs).set_callbacks(ours).fit(
        X, y, sample_weight=weights
    )
    expected = [
        (name, x, y_, w)
        for name, x, y_, w in _evaluations(theirs.read())
        if name == "GridSearchCV"
    ]
    assert len(expected) == 9  # 3 params x 3 folds, each with its training rows
    assert all(len(w) == x[0] == len(y_) for _, x, y_, w in expected)
    assert [e[1:] for e in _evaluations(ours.read())] == [e[1:] for e in expected]
    assert {e[0] for e in _evaluations(ours.read())} == {"ScoutSearchCV"}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_auto_propagated_callbacks_reach_the_fold_fits_in_the_workers(
    iris, tmp_path, n_jobs
):
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    X, y = _scaled(iris)
    grid = {"C": [0.1, 1.0]}
    theirs = _FileRecorder(tmp_path / "theirs.jsonl", propagate=True)
    ours = _FileRecorder(tmp_path / "ours.jsonl", propagate=True)
    GridSearchCV(LogisticRegression(), grid, cv=3, n_jobs=n_jobs).set_callbacks(theirs).fit(
        X, y
    )
    ScoutSearchCV(LogisticRegression(), grid, cv=3, n_jobs=n_jobs).set_callbacks(ours).fit(
        X, y
    )

    def inner(records):
        # Tasks of the LogisticRegression fits: 6 fold fits, then the refit.
        return sorted(r["task"] for r in records if r["owner"] == "LogisticRegression")

    assert inner(theirs.read()), "scikit-learn propagated nothing: the test is moot"
    assert inner(ours.read()) == inner(theirs.read())
    if n_jobs == 2:
        pids = {r["pid"] for r in ours.read() if r["owner"] == "LogisticRegression"}
        assert pids - {os.getpid()}, "no fold fit reported from a worker process"


def test_pruned_search_sends_one_evaluation_per_fold_fit(iris, tmp_path):
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    X, y = _scaled(iris)
    recorder = _FileRecorder(tmp_path / "events.jsonl")
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": Float(0.01, 10.0, log=True)},
        n_trials=6,
        cv=3,
        pruner="successive_halving",
        random_state=0,
    ).set_callbacks(recorder)
    search.fit(X, y)
    n_fold_fits = sum(len(t.fold_results) for t in search.study_.trials)
    assert n_fold_fits > 6 * 3  # promoted trials fit the same folds again
    evaluations = [r for r in recorder.read() if r["task"] == "candidate-split-evaluation"]
    assert len(evaluations) == n_fold_fits
