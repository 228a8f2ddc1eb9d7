"""ScoutSearchCV behaviour: GridSearchCV parity, samplers, fitted attributes, the loop."""

from __future__ import annotations

import logging
import math
import re
import time
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform, randint, uniform
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge, RidgeClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

from scout_sklearn import Categorical, Float, Int, ScoutSearchCV, TrialState
from scout_sklearn.samplers import RandomSampler, Sampler

EXTRA_KEYS = {"trial_number", "state"}
DELEGATED = (
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "transform",
    "inverse_transform",
    "score",
    "score_samples",
)


# -- helpers ---------------------------------------------------------------------------
def _canonical(value):
    """A comparable stand-in for a param value (estimators compare by repr)."""
    if hasattr(value, "get_params"):
        return repr(value)
    return value


def assert_same_cv_results(ours, theirs):
    """``ours`` has GridSearchCV's layout and values (timings aside)."""
    assert set(theirs) <= set(ours), f"missing keys: {set(theirs) - set(ours)}"
    assert set(ours) - set(theirs) <= EXTRA_KEYS, f"extra keys: {set(ours) - set(theirs)}"
    assert [k for k in ours if k not in EXTRA_KEYS] == list(theirs), "key order differs"
    for key, expected in theirs.items():
        got = ours[key]
        assert type(got) is type(expected), (key, type(got), type(expected))
        if key == "params":
            assert [{k: _canonical(v) for k, v in p.items()} for p in got] == [
                {k: _canonical(v) for k, v in p.items()} for p in expected
            ]
            continue
        assert got.dtype == expected.dtype, (key, got.dtype, expected.dtype)
        assert got.shape == expected.shape, key
        if isinstance(expected, np.ma.MaskedArray):
            np.testing.assert_array_equal(
                np.ma.getmaskarray(got), np.ma.getmaskarray(expected), err_msg=key
            )
            # Data under the mask is uninitialised in scikit-learn: compare the rest.
            assert [_canonical(v) for v in got.compressed()] == [
                _canonical(v) for v in expected.compressed()
            ], key
        elif key.endswith("_time"):
            assert np.all(got >= 0), key
        elif key.startswith("rank_"):
            np.testing.assert_array_equal(got, expected, err_msg=key)
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, err_msg=key)
    n_rows = len(theirs["params"])
    assert ours["trial_number"].shape == (n_rows,)
    assert ours["state"].shape == (n_rows,)


def assert_same_search(ours, theirs, X):
    """Fitted attributes of both searches agree."""
    assert_same_cv_results(ours.cv_results_, theirs.cv_results_)
    for attribute in ("best_index_", "best_score_", "best_params_", "best_estimator_"):
        assert hasattr(ours, attribute) == hasattr(theirs, attribute), attribute
    if hasattr(theirs, "best_index_"):
        assert ours.best_index_ == theirs.best_index_
        assert {k: _canonical(v) for k, v in ours.best_params_.items()} == {
            k: _canonical(v) for k, v in theirs.best_params_.items()
        }
    if hasattr(theirs, "best_score_"):
        assert ours.best_score_ == pytest.approx(theirs.best_score_, rel=1e-12, nan_ok=True)
    if hasattr(theirs, "best_estimator_"):
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.multimetric_ == theirs.multimetric_
    assert ours.n_splits_ == theirs.n_splits_
    if isinstance(theirs.scorer_, dict):
        assert isinstance(ours.scorer_, dict)
        assert list(ours.scorer_) == list(theirs.scorer_)
    else:
        assert callable(ours.scorer_)


def _pick_lowest_std(cv_results):
    """A refit callable: the candidate whose balanced accuracy varies least."""
    return int(np.argmin(cv_results["std_test_bal"]))


def _dict_scorer(estimator, X, y):
    predictions = estimator.predict(X)
    return {
        "acc": accuracy_score(y, predictions),
        "f1": f1_score(y, predictions, average="macro"),
    }


SVC_CONDITIONAL_GRID = [
    {"kernel": ["rbf"], "C": [0.1, 1.0, 10.0], "gamma": [0.01, 0.1]},
    {"kernel": ["linear"], "C": [0.1, 1.0]},
]


def _run_both(estimator, grid, X, y, *, sampler, **kwargs):
    theirs = GridSearchCV(clone(estimator), grid, **kwargs).fit(X, y)
    ours = ScoutSearchCV(clone(estimator), grid, sampler=sampler, **kwargs).fit(X, y)
    return ours, theirs


# -- parity with GridSearchCV --------------------------------------------------------
@pytest.mark.parametrize("sampler", [None, "grid"])
@pytest.mark.parametrize("return_train_score", [False, True])
def test_parity_single_metric(breast_cancer, sampler, return_train_score):
    X, y = breast_cancer
    estimator = make_pipeline(StandardScaler(), RidgeClassifier())
    grid = {"ridgeclassifier__alpha": [0.01, 0.1, 1.0, 10.0, 100.0]}
    ours, theirs = _run_both(
        estimator,
        grid,
        X,
        y,
        sampler=sampler,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        return_train_score=return_train_score,
    )
    assert_same_search(ours, theirs, X)
    assert ours.n_trials_ == 5
    assert list(ours.cv_results_["trial_number"]) == [0, 1, 2, 3, 4]
    assert set(ours.cv_results_["state"]) == {"COMPLETE"}


@pytest.mark.parametrize("sampler", [None, "grid"])
def test_parity_regression_with_named_scorer(diabetes, sampler):
    X, y = diabetes
    ours, theirs = _run_both(
        Ridge(),
        {"alpha": [0.01, 0.1, 1.0, 10.0], "fit_intercept": [True, False]},
        X,
        y,
        sampler=sampler,
        cv=4,
        scoring="neg_mean_squared_error",
    )
    assert_same_search(ours, theirs, X)


@pytest.mark.parametrize("sampler", [None, "grid"])
@pytest.mark.parametrize("return_train_score", [False, True])
@pytest.mark.parametrize(
    ("scoring", "refit"),
    [
        (["accuracy", "f1_macro"], "f1_macro"),
        ({"acc": "accuracy", "bal": "balanced_accuracy"}, "acc"),
        ({"acc": "accuracy", "bal": "balanced_accuracy"}, _pick_lowest_std),
        (["accuracy", "f1_macro"], False),
    ],
    ids=["list-refit-name", "dict-refit-name", "dict-refit-callable", "list-refit-false"],
)
def test_parity_multi_metric(iris, sampler, return_train_score, scoring, refit):
    X, y = iris
    ours, theirs = _run_both(
        SVC(),
        SVC_CONDITIONAL_GRID,
        X,
        y,
        sampler=sampler,
        cv=StratifiedKFold(3, shuffle=True, random_state=1),
        scoring=scoring,
        refit=refit,
        return_train_score=return_train_score,
    )
    assert_same_search(ours, theirs, X)
    assert ours.multimetric_ is True


@pytest.mark.parametrize("sampler", [None, "grid"])
def test_parity_conditional_grid_masks_params(iris, sampler):
    X, y = iris
    ours, theirs = _run_both(SVC(), SVC_CONDITIONAL_GRID, X, y, sampler=sampler, cv=3)
    assert_same_search(ours, theirs, X)
    gamma = ours.cv_results_["param_gamma"]
    # The two linear candidates come last, without gamma.
    assert list(np.ma.getmaskarray(gamma)) == [False] * 6 + [True] * 2
    assert ours.cv_results_["param_kernel"].dtype == object


@pytest.mark.parametrize("sampler", [None, "grid"])
def test_parity_callable_scorer_returning_dict(iris, sampler):
    X, y = iris
    ours, theirs = _run_both(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [1, 2, 3], "min_samples_leaf": [1, 5]},
        X,
        y,
        sampler=sampler,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        scoring=_dict_scorer,
        refit="acc",
        return_train_score=True,
    )
    assert_same_search(ours, theirs, X)
    assert "mean_test_f1" in ours.cv_results_


@pytest.mark.parametrize("sampler", [None, "grid"])
def test_parity_estimators_as_grid_values(iris, sampler):
    X, y = iris
    steps = [
        LogisticRegression(max_iter=1000),
        SVC(),
        DecisionTreeClassifier(max_depth=2, random_state=0),
    ]
    scalers = [StandardScaler(), "passthrough"]
    grid = {"clf": steps, "scale": scalers}
    pipeline = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    ours, theirs = _run_both(pipeline, grid, X, y, sampler=sampler, cv=3)
    assert_same_search(ours, theirs, X)
    # Values are cloned for every fold: the user's objects stay unfitted.
    for value in steps + scalers[:1]:
        with pytest.raises(Exception, match="not fitted"):
            check_is_fitted(value)
    assert ours.cv_results_["param_clf"].dtype == object


@pytest.mark.parametrize("sampler", [None, "grid"])
def test_parity_nested_params_of_a_searched_step(iris, sampler):
    X, y = iris
    grid = [
        {"clf": [LogisticRegression()], "clf__C": [0.1, 1.0]},
        {"clf": [SVC()], "clf__C": [1.0], "clf__kernel": ["linear", "rbf"]},
    ]
    pipeline = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
    ours, theirs = _run_both(pipeline, grid, X, y, sampler=sampler, cv=3)
    assert_same_search(ours, theirs, X)


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
@pytest.mark.parametrize("sampler", [None, "grid"])
@pytest.mark.parametrize("error_score", [np.nan, 0])
def test_parity_failing_fits(iris, failing_clf, sampler, error_score):
    X, y = iris
    grid = {"parameter": [0, 1, 2]}
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    with pytest.warns(FitFailedWarning, match="Failing classifier failed as required"):
        theirs = GridSearchCV(failing_clf, grid, cv=cv, error_score=error_score).fit(X, y)
    with pytest.warns(FitFailedWarning, match="Failing classifier failed as required"):
        ours = ScoutSearchCV(
            failing_clf, grid, sampler=sampler, cv=cv, error_score=error_score
        ).fit(X, y)
    assert_same_search(ours, theirs, X)
    states = dict(zip(ours.cv_results_["trial_number"], ours.cv_results_["state"]))
    assert states == {0: "COMPLETE", 1: "COMPLETE", 2: "FAILED"}
    failed = ours.study_.trials[2]
    assert failed.state is TrialState.FAILED
    assert all("Failing classifier failed" in f.error for f in failed.fold_results)


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
@pytest.mark.parametrize("error_score", [np.nan, 0])
def test_parity_when_every_candidate_fails_on_some_folds(iris, failing_clf, error_score):
    # parameter=3 fails on the folds with an odd training size (2 of 4 here);
    # GridSearchCV warns and goes on, since some fits succeeded.
    X, y = iris
    grid = {"parameter": [3]}
    cv = StratifiedKFold(4)
    assert sorted(len(train) % 2 for train, _ in cv.split(X, y)) == [0, 0, 1, 1]
    with pytest.warns(FitFailedWarning, match="odd training size"):
        theirs = GridSearchCV(failing_clf, grid, cv=cv, error_score=error_score).fit(X, y)
    with pytest.warns(FitFailedWarning, match="odd training size"):
        ours = ScoutSearchCV(failing_clf, grid, cv=cv, error_score=error_score).fit(X, y)
    assert_same_search(ours, theirs, X)


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
@pytest.mark.parametrize("sampler", [None, "grid"])
def test_parity_with_some_folds_failing(iris, failing_clf, sampler):
    X, y = iris
    grid = {"parameter": [0, 3, 2, 1]}
    cv = StratifiedKFold(4)
    with pytest.warns(FitFailedWarning):
        theirs = GridSearchCV(failing_clf, grid, cv=cv, error_score=0.0).fit(X, y)
    ours = ScoutSearchCV(failing_clf, grid, sampler=sampler, cv=cv, error_score=0.0)
    with pytest.warns(FitFailedWarning):
        ours.fit(X, y)
    assert_same_search(ours, theirs, X)


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
@pytest.mark.parametrize("error_score", [np.nan, 0.0])
@pytest.mark.parametrize("return_train_score", [False, True])
def test_parity_dict_scorer_with_a_failing_first_trial(
    iris, failing_clf, error_score, return_train_score
):
    # The first trial fails on every fold: its metric names come from later trials.
    X, y = iris
    kwargs = {
        "cv": 3,
        "scoring": _dict_scorer,
        "refit": "acc",
        "error_score": error_score,
        "return_train_score": return_train_score,
    }
    grid = {"parameter": [2, 0, 1]}
    with pytest.warns(FitFailedWarning):
        theirs = GridSearchCV(failing_clf, grid, **kwargs).fit(X, y)
    ours = ScoutSearchCV(failing_clf, grid, **kwargs)
    with pytest.warns(FitFailedWarning):
        ours.fit(X, y)
    assert_same_search(ours, theirs, X)


@pytest.mark.parametrize("refit", [True, "nope"])
def test_dict_scorer_needs_a_refit_key_like_gridsearchcv(iris, refit):
    X, y = iris
    grid = {"max_depth": [1, 2]}
    kwargs = {"cv": 2, "scoring": _dict_scorer, "refit": refit}
    with pytest.raises(ValueError, match="refit must be set to a scorer key") as theirs:
        GridSearchCV(DecisionTreeClassifier(), grid, **kwargs).fit(X, y)
    with pytest.raises(ValueError, match="refit must be set to a scorer key") as ours:
        ScoutSearchCV(DecisionTreeClassifier(), grid, **kwargs).fit(X, y)
    assert str(ours.value) == str(theirs.value)


PARAM_VALUE_GRIDS = {
    "none-and-ints": {"max_depth": [None, 2, 4], "max_features": ["sqrt", None, 0.5]},
    "numpy-scalars": {
        "max_depth": [np.int64(2), 3],
        "min_samples_leaf": [np.float64(0.1), 2],
    },
    "dict-values": {"class_weight": [None, "balanced", {0: 1, 1: 2, 2: 1}]},
    "bools": {"max_depth": [2], "random_state": [0], "splitter": ["best", "random"]},
    "tuple-of-values": {"max_depth": (2, 3)},
    "array-of-values": {"max_depth": np.array([2, 3])},
}


@pytest.mark.parametrize(
    "grid", list(PARAM_VALUE_GRIDS.values()), ids=list(PARAM_VALUE_GRIDS)
)
def test_parity_param_value_types(iris, grid):
    X, y = iris
    ours, theirs = _run_both(
        DecisionTreeClassifier(random_state=0), grid, X, y, sampler=None, cv=3
    )
    assert_same_search(ours, theirs, X)


@pytest.mark.parametrize(
    "kind",
    [
        [True, False],
        [1, 2.5],
        [None],
        ["x", 1],
        [(1, 2), (3, 4)],
        [(1,), (1, 2)],
        [[1], [3, 4]],
    ],
    ids=["bool", "int-float", "none", "str-int", "tuples", "ragged-tuples", "ragged-lists"],
)
def test_parity_masked_param_dtypes(iris, fast_clf, kind):
    X, y = iris
    ours, theirs = _run_both(fast_clf, {"kind": kind, "a": [0.1]}, X, y, sampler=None, cv=2)
    assert_same_search(ours, theirs, X)


def test_parity_finite_distributions_match_their_lists(iris, fast_clf):
    X, y = iris
    theirs = GridSearchCV(fast_clf, {"a": [0.0, 0.1, 0.2, 0.3], "b": [1, 2, 3]}, cv=2)
    ours = ScoutSearchCV(fast_clf, {"a": Float(0.0, 0.3, step=0.1), "b": Int(1, 3)}, cv=2)
    assert_same_search(ours.fit(X, y), theirs.fit(X, y), X)


def test_parity_precomputed_kernel(iris):
    X, y = iris
    kernel = X @ X.T
    ours, theirs = _run_both(
        SVC(kernel="precomputed"), {"C": [0.01, 1.0]}, kernel, y, sampler=None, cv=3
    )
    assert_same_search(ours, theirs, kernel)


def test_parity_python_lists_and_string_labels(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    ours, theirs = _run_both(
        SVC(), {"C": [0.01, 1.0]}, X.tolist(), labels.tolist(), sampler="grid", cv=3
    )
    assert_same_search(ours, theirs, X)
    np.testing.assert_array_equal(ours.classes_, ["setosa", "versicolor", "virginica"])


def test_failing_fits_warn_once_with_a_summary(iris, failing_clf):
    X, y = iris
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ScoutSearchCV(failing_clf, {"parameter": [0, 2, 1]}, cv=3).fit(X, y)
    fit_failed = [w for w in caught if issubclass(w.category, FitFailedWarning)]
    assert len(fit_failed) == 1
    message = str(fit_failed[0].message)
    assert "3 fits failed" in message
    assert "ValueError: Failing classifier failed as required" in message


# -- the random sampler --------------------------------------------------------------
RANDOM_SPACE = {
    "a": Float(0.01, 1.0, log=True),
    "b": Int(1, 9, step=2),
    "kind": Categorical(["x", "y", "z"]),
}


def _random_search(estimator, *, n_trials=12, seed=0, **kwargs):
    return ScoutSearchCV(
        estimator,
        RANDOM_SPACE,
        sampler="random",
        n_trials=n_trials,
        cv=3,
        random_state=seed,
        **kwargs,
    )


def test_random_runs_n_trials_inside_the_space(iris, fast_clf):
    X, y = iris
    search = _random_search(fast_clf, n_trials=15).fit(X, y)
    params = search.cv_results_["params"]
    assert search.n_trials_ == 15
    assert len(params) == 15
    assert len(search.study_.trials) == 15
    for p in params:
        assert set(p) == {"a", "b", "kind"}
        assert 0.01 <= p["a"] <= 1.0
        assert p["b"] in {1, 3, 5, 7, 9}
        assert p["kind"] in {"x", "y", "z"}
    # Scores are a known function of the params: the best is the best.
    expected = [clone(fast_clf).set_params(**p).expected_score() for p in params]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected)
    assert search.best_index_ == int(np.argmax(expected))


def test_random_with_scipy_distributions(iris, fast_clf):
    X, y = iris
    space = {"a": uniform(0.0, 2.0), "b": randint(1, 6), "delay": [0.0]}
    search = ScoutSearchCV(fast_clf, space, n_trials=10, cv=2, random_state=3).fit(X, y)
    assert search.n_trials_ == 10
    for p in search.cv_results_["params"]:
        assert 0.0 <= p["a"] <= 2.0
        assert p["b"] in range(1, 6)


def test_random_state_reproduces_and_varies(iris, fast_clf, global_random_seed):
    X, y = iris
    first = _random_search(fast_clf, seed=global_random_seed).fit(X, y)
    again = _random_search(fast_clf, seed=global_random_seed).fit(X, y)
    other = _random_search(fast_clf, seed=global_random_seed + 1).fit(X, y)
    assert first.cv_results_["params"] == again.cv_results_["params"]
    assert first.cv_results_["params"] != other.cv_results_["params"]


def test_random_state_accepts_a_random_state_instance(iris, fast_clf):
    X, y = iris
    first = _random_search(fast_clf, seed=np.random.RandomState(7)).fit(X, y)
    again = _random_search(fast_clf, seed=np.random.RandomState(7)).fit(X, y)
    assert first.cv_results_["params"] == again.cv_results_["params"]


def test_sampler_none_with_n_trials_is_the_auto_sampler(iris, fast_clf):
    X, y = iris
    implicit = ScoutSearchCV(fast_clf, RANDOM_SPACE, n_trials=8, cv=3, random_state=5)
    explicit = clone(implicit).set_params(sampler="auto")
    assert (
        implicit.fit(X, y).cv_results_["params"] == explicit.fit(X, y).cv_results_["params"]
    )


@pytest.mark.parametrize(
    ("n_jobs", "backend"),
    [
        # The first loky or multiprocessing pool of a process takes seconds to start.
        pytest.param(2, None, id="loky-2", marks=pytest.mark.slow),
        pytest.param(2, "threading", id="threading-2"),
        pytest.param(-1, "threading", id="threading-all"),
        pytest.param(2, "multiprocessing", id="multiprocessing-2", marks=pytest.mark.slow),
    ],
)
def test_random_trials_do_not_depend_on_n_jobs_or_backend(
    breast_cancer, global_random_seed, n_jobs, backend
):
    X, y = breast_cancer
    estimator = DecisionTreeClassifier(random_state=0)
    space = {
        "max_depth": Int(1, 8),
        "min_samples_leaf": Int(1, 30, log=True),
        "ccp_alpha": Float(0.0, 0.05),
    }

    def run(n_jobs):
        return ScoutSearchCV(
            estimator,
            space,
            # The model-based samplers see the trials in flight, so only the
            # history-free samplers promise this (docs/guide/samplers.rst).
            sampler="random",
            n_trials=8,
            cv=3,
            n_jobs=n_jobs,
            random_state=global_random_seed,
        ).fit(X, y)

    sequential = run(1)
    if backend is None:
        parallel = run(n_jobs)
    else:
        with joblib.parallel_config(backend=backend):
            parallel = run(n_jobs)
    assert parallel.n_trials_ == sequential.n_trials_ == 8
    assert parallel.cv_results_["params"] == sequential.cv_results_["params"]
    for k in range(3):
        key = f"split{k}_test_score"
        np.testing.assert_allclose(parallel.cv_results_[key], sequential.cv_results_[key])
    assert parallel.best_params_ == sequential.best_params_


@pytest.mark.parametrize("backend", ["threading", "multiprocessing"])
def test_grid_search_gives_grid_results_under_any_backend(iris, backend):
    X, y = iris
    reference = GridSearchCV(SVC(), SVC_CONDITIONAL_GRID, cv=3).fit(X, y)
    with joblib.parallel_config(backend=backend):
        ours = ScoutSearchCV(SVC(), SVC_CONDITIONAL_GRID, cv=3, n_jobs=2).fit(X, y)
    assert_same_search(ours, reference, X)


# -- fitted attributes and delegation ---------------------------------------------------
def test_fitted_attributes(breast_cancer):
    X, y = breast_cancer
    names = [f"feature {i}" for i in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names)
    estimator = make_pipeline(StandardScaler(), RidgeClassifier())
    search = ScoutSearchCV(
        estimator,
        {"ridgeclassifier__alpha": [0.1, 1.0, 10.0]},
        cv=4,
        return_train_score=True,
    )
    assert not hasattr(search, "cv_results_")
    search.fit(frame, y)

    results = search.cv_results_
    assert search.n_splits_ == 4
    assert search.n_trials_ == 3 == len(results["params"])
    assert search.best_params_ == results["params"][search.best_index_]
    assert search.best_score_ == results["mean_test_score"][search.best_index_]
    assert results["rank_test_score"][search.best_index_] == 1
    check_is_fitted(search.best_estimator_)
    best_alpha = search.best_estimator_.get_params()["ridgeclassifier__alpha"]
    assert best_alpha == search.best_params_["ridgeclassifier__alpha"]
    assert search.best_estimator_ is not search.estimator
    with pytest.raises(Exception, match="not fitted"):
        check_is_fitted(search.estimator)
    assert callable(search.scorer_)
    assert search.multimetric_ is False
    assert isinstance(search.refit_time_, float)
    assert search.refit_time_ >= 0
    np.testing.assert_array_equal(search.classes_, [0, 1])
    assert search.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(search.feature_names_in_, names)

    study = search.study_
    assert len(study.trials) == search.n_trials_
    for trial in study.trials:
        assert trial.state is TrialState.COMPLETE
        assert sorted(f.fold for f in trial.fold_results) == [0, 1, 2, 3]
        assert trial.value == pytest.approx(
            results["mean_test_score"][list(results["trial_number"]).index(trial.number)]
        )
        assert all(f.n_test_samples == 50 for f in trial.fold_results)
        assert all(f.train_scores is not None for f in trial.fold_results)


def test_no_feature_names_for_an_array(iris):
    X, y = iris
    search = ScoutSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=2).fit(X, y)
    reference = GridSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=2).fit(X, y)
    assert hasattr(search, "feature_names_in_") == hasattr(reference, "feature_names_in_")
    assert not hasattr(search, "feature_names_in_")


def test_refit_false_has_no_best_estimator(iris):
    X, y = iris
    search = ScoutSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=3, refit=False).fit(X, y)
    reference = GridSearchCV(SVC(), {"C": [0.1, 1.0]}, cv=3, refit=False).fit(X, y)
    assert hasattr(search, "best_params_")
    assert hasattr(search, "best_index_")
    for attribute in ("best_estimator_", "refit_time_", "classes_", "n_features_in_"):
        assert not hasattr(search, attribute), attribute
    for method in DELEGATED:
        assert hasattr(search, method) == hasattr(reference, method), method
    with pytest.raises(AttributeError, match="predict"):
        search.predict(X)
    with pytest.raises(AttributeError, match="refit=False"):
        search.score(X, y)


DELEGATION_CASES = [
    pytest.param(SVC(), {"C": [0.1, 1.0]}, "iris", id="svc"),
    pytest.param(LogisticRegression(), {"C": [0.1, 1.0]}, "iris_scaled", id="logreg"),
    pytest.param(PCA(), {"n_components": [1, 2, 3]}, "iris_unsupervised", id="pca"),
    pytest.param(Ridge(), {"alpha": [0.1, 10.0]}, "diabetes", id="ridge"),
]


@pytest.fixture
def named_data(iris, diabetes):
    return {
        "iris": iris,
        "iris_unsupervised": (iris[0], None),
        "iris_scaled": (StandardScaler().fit_transform(iris[0]), iris[1]),
        "diabetes": diabetes,
    }


@pytest.mark.parametrize(("estimator", "grid", "data"), DELEGATION_CASES)
def test_delegated_methods_follow_the_best_estimator(named_data, estimator, grid, data):
    X, y = named_data[data]
    search = ScoutSearchCV(clone(estimator), grid, cv=3)
    reference = GridSearchCV(clone(estimator), grid, cv=3)
    for method in DELEGATED:
        assert hasattr(search, method) == hasattr(estimator, method), method
    search.fit(X, y)
    reference.fit(X, y)
    best = search.best_estimator_
    for method in DELEGATED:
        assert hasattr(search, method) == hasattr(best, method), method
        assert hasattr(search, method) == hasattr(reference, method), method
    if hasattr(best, "predict"):
        np.testing.assert_array_equal(search.predict(X), best.predict(X))
    for method in ("predict_proba", "predict_log_proba", "decision_function"):
        if hasattr(best, method):
            np.testing.assert_allclose(getattr(search, method)(X), getattr(best, method)(X))
    if hasattr(best, "transform"):
        Xt = search.transform(X)
        np.testing.assert_allclose(Xt, best.transform(X))
        np.testing.assert_allclose(search.inverse_transform(Xt), best.inverse_transform(Xt))
    if hasattr(best, "score_samples"):
        np.testing.assert_allclose(search.score_samples(X), best.score_samples(X))
    assert search.score(X, y) == pytest.approx(best.score(X, y))
    assert search.score(X, y) == pytest.approx(reference.score(X, y))


def test_svc_without_probability_has_no_predict_proba(iris):
    X, y = iris
    search = ScoutSearchCV(SVC(), {"C": [1.0, 10.0]}, cv=3)
    assert not hasattr(search, "predict_proba")
    search.fit(X, y)
    for method in ("predict_proba", "predict_log_proba", "transform", "score_samples"):
        assert not hasattr(search, method), method
    assert hasattr(search, "decision_function")


def test_methods_come_from_the_best_step_after_fit(iris):
    # Before fit the pipeline ends with SVC (no predict_proba); the search
    # picks LogisticRegression, which has one.
    X, y = iris
    pipeline = Pipeline([("clf", SVC())])
    search = ScoutSearchCV(pipeline, {"clf": [LogisticRegression(max_iter=500)]}, cv=3)
    assert not hasattr(search, "predict_proba")
    search.fit(X, y)
    assert hasattr(search, "predict_proba")
    np.testing.assert_allclose(
        search.predict_proba(X), search.best_estimator_.predict_proba(X)
    )


def test_score_uses_the_refit_scorer(iris):
    X, y = iris
    scoring = {"acc": "accuracy", "f1": "f1_macro"}
    search = ScoutSearchCV(SVC(), {"C": [0.01, 1.0]}, cv=3, scoring=scoring, refit="f1")
    search.fit(X, y)
    expected = f1_score(y, search.best_estimator_.predict(X), average="macro")
    assert search.score(X, y) == pytest.approx(expected)
    assert set(search.scorer_) == {"acc", "f1"}


# -- the asynchronous loop -------------------------------------------------------------
class SnapshotSampler(Sampler):
    """Random params; remembers, at every ask, the folds each running trial holds."""

    def ask(self, space, history, rng):
        running = {
            t.number: len(t.fold_results) for t in history if t.state is TrialState.RUNNING
        }
        self.__dict__.setdefault("snapshots", []).append(running)
        return RandomSampler().ask(space, history, rng)


def _uneven_splits(n_samples):
    """Two folds whose training parts have 100 and 101 rows."""
    rows = np.arange(n_samples)
    return [(rows[:100], rows[100:]), (rows[49:], rows[:49])]


@pytest.mark.parametrize("slow_rows", [100, 101], ids=["fold0-slow", "fold1-slow"])
def test_each_fold_reaches_the_study_as_it_finishes(iris, fast_clf, slow_rows):
    # One fold of every trial sleeps, the other returns at once; each trial's
    # folds are recorded in the order they finish. With fold 1 slow, two
    # workers and no read-ahead, a new trial is asked when a slow fold ends,
    # long after the fast fold of the trial still running: that trial must
    # already hold its fast fold then.
    X, y = iris
    slow_fold = 0 if slow_rows == 100 else 1
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.2, slow_rows=slow_rows),
        {"a": Float(0.0, 1.0)},
        sampler=SnapshotSampler(),
        n_trials=6,
        cv=_uneven_splits(len(y)),
        n_jobs=2,
        pre_dispatch=2,
        random_state=0,
    )
    with joblib.parallel_config(backend="threading"):
        search.fit(X, y)
    snapshots = search.study_.sampler.snapshots
    assert len(snapshots) == 6
    counts = [n for snapshot in snapshots for n in snapshot.values()]
    assert all(0 <= n < 2 for n in counts), snapshots
    if slow_fold == 1:
        assert any(n == 1 for n in counts), snapshots
    # Trial 0's two folds start together: the fast one is recorded first.
    assert [f.fold for f in search.study_.trials[0].fold_results] == [
        1 - slow_fold,
        slow_fold,
    ]
    for trial in search.study_.trials:
        folds = {f.fold: f for f in trial.fold_results}
        assert sorted(folds) == [0, 1]
        assert folds[slow_fold].fit_time >= 0.2
        assert folds[0].n_test_samples == 50
        assert folds[1].n_test_samples == 49


@pytest.mark.slow
def test_no_batch_barrier_between_trials(iris, fast_clf):
    # Trial 0 is slow on every fold; with 3 folds on 2 workers one worker runs
    # its last fold alone while the other should go on with later trials.
    X, y = iris
    # Start both loky workers first, so that neither is still booting then.
    joblib.Parallel(n_jobs=2)(joblib.delayed(time.sleep)(0.2) for _ in range(2))
    grid = [
        {"delay": [0.8], "a": [0.0]},
        {"delay": [0.0], "a": list(np.linspace(0, 1, 12))},
    ]
    search = ScoutSearchCV(fast_clf, grid, sampler="grid", cv=3, n_jobs=2)
    search.fit(X, y)
    trials = search.study_.trials
    assert trials[0].params["delay"] == 0.8
    assert all(t.started_at is not None and t.finished_at is not None for t in trials)
    overlapping = [
        k
        for k in range(len(trials) - 1)
        if trials[k + 1].started_at < trials[k].finished_at
    ]
    assert overlapping
    finished_before_slow = [
        t.number for t in trials[2:] if t.finished_at < trials[0].finished_at
    ]
    assert finished_before_slow, [(t.number, t.started_at, t.finished_at) for t in trials]


def test_verbose_logs_one_line_per_trial(iris, fast_clf, caplog):
    X, y = iris
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    ScoutSearchCV(fast_clf, {"a": [0.0, 0.5, 1.0]}, cv=2, verbose=2).fit(X, y)
    trial_lines = [r.getMessage() for r in caplog.records if "[trial" in r.getMessage()]
    assert len(trial_lines) == 3
    assert [re.search(r"\[trial (\d+)\]", m).group(1) for m in sorted(trial_lines)] == [
        "0",
        "1",
        "2",
    ]
    assert all("2 folds" in m for m in trial_lines)


def test_verbose_zero_is_silent(iris, fast_clf, caplog):
    X, y = iris
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    ScoutSearchCV(fast_clf, {"a": [0.0, 0.5]}, cv=2, verbose=0).fit(X, y)
    assert [r.getMessage() for r in caplog.records if r.name == "scout_sklearn"] == []


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_timeout_stops_early_and_cuts_the_trials_in_flight(iris, fast_clf, n_jobs):
    X, y = iris
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.02),
        {"a": Float(0.0, 1.0)},
        n_trials=10_000,
        timeout=0.3,
        cv=2,
        n_jobs=n_jobs,
        random_state=0,
    )
    with joblib.parallel_config(backend="threading"):
        search.fit(X, y)
    assert 1 <= search.n_trials_ < 10_000
    finished = [t for t in search.study_.trials if t.is_finished]
    cut = [t for t in search.study_.trials if not t.is_finished]
    assert len(finished) == search.n_trials_
    assert len(search.cv_results_["params"]) == search.n_trials_
    for trial in finished:
        assert trial.state is TrialState.COMPLETE
        assert len(trial.fold_results) == 2
    # No fold starts after the limit; the folds running or already handed to
    # joblib (its pre-dispatch: 2 * n_jobs tasks) are cancelled, so at most
    # their trials are cut.
    assert len(cut) <= (1 if n_jobs == 1 else 2 * n_jobs)
    for trial in cut:
        assert len(trial.fold_results) < 2
    check_is_fitted(search.best_estimator_)


def test_timeout_without_n_trials(iris, fast_clf):
    X, y = iris
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.01),
        {"a": Float(0.0, 1.0)},
        timeout=0.2,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert search.n_trials_ >= 1
    assert search.n_trials_ == sum(t.is_finished for t in search.study_.trials)
    assert len(search.study_.trials) <= search.n_trials_ + 1  # one cut short at most


@pytest.mark.parametrize("sampler", ["grid", "random", None])
def test_n_trials_beyond_a_finite_space_warns_and_stops(iris, fast_clf, sampler):
    X, y = iris
    space = {"a": [0.0, 0.5], "kind": ["x", "y"]}
    search = ScoutSearchCV(
        fast_clf, space, sampler=sampler, n_trials=10, cv=2, random_state=0
    )
    with pytest.warns(UserWarning, match=r"n_trials=10 is more than the 4 distinct params"):
        search.fit(X, y)
    assert search.n_trials_ == 4
    seen = {(p["a"], p["kind"]) for p in search.cv_results_["params"]}
    assert seen == {(0.0, "x"), (0.0, "y"), (0.5, "x"), (0.5, "y")}


def test_grid_with_fewer_trials_takes_the_first_points(iris, fast_clf):
    X, y = iris
    grid = {"a": [0.0, 0.5, 1.0], "b": [1, 2]}
    search = ScoutSearchCV(fast_clf, grid, sampler="grid", n_trials=3, cv=2).fit(X, y)
    assert search.cv_results_["params"] == [
        {"a": 0.0, "b": 1},
        {"a": 0.0, "b": 2},
        {"a": 0.5, "b": 1},
    ]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_all_trials_failing_says_so(iris, failing_clf, n_jobs):
    X, y = iris
    search = ScoutSearchCV(failing_clf, {"parameter": [2]}, cv=3, n_jobs=n_jobs)
    with pytest.raises(
        ValueError, match=r"All the 3 fits failed \(every fold of the 1 trials\)"
    ) as info:
        search.fit(X, y)
    assert "Failing classifier failed as required" in str(info.value)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_error_score_raise_reraises_the_estimator_error(iris, failing_clf, n_jobs):
    X, y = iris
    search = ScoutSearchCV(
        failing_clf, {"parameter": [0, 2]}, cv=3, n_jobs=n_jobs, error_score="raise"
    )
    with pytest.raises(ValueError, match=r"^Failing classifier failed as required$"):
        search.fit(X, y)


def test_best_trial_matches_study(iris, fast_clf):
    X, y = iris
    search = ScoutSearchCV(
        fast_clf, {"a": Float(0.0, 1.0), "b": Int(1, 5)}, n_trials=20, cv=2, random_state=1
    ).fit(X, y)
    assert search.best_params_ == search.study_.best_params
    assert search.best_score_ == pytest.approx(search.study_.best_value)
    values = [t.value for t in search.study_.trials]
    assert not any(math.isnan(v) for v in values)


def test_input_is_not_modified(iris):
    X, y = iris
    X_before, y_before = X.copy(), y.copy()
    ScoutSearchCV(SVC(), {"C": [1.0]}, cv=KFold(2, shuffle=True, random_state=0)).fit(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_fit_twice_gives_fresh_results(iris, fast_clf):
    X, y = iris
    search = ScoutSearchCV(
        fast_clf, {"a": Float(0.0, 1.0)}, n_trials=4, cv=2, random_state=0
    )
    first = search.fit(X, y).study_
    second = search.fit(X, y).study_
    assert first is not second
    assert len(second.trials) == 4
    # A second fit with the same seed proposes the same params.
    assert [t.params for t in first.trials] == [t.params for t in second.trials]


def test_loguniform_and_int_log_ranges(iris, fast_clf):
    X, y = iris
    space = {"a": loguniform(1e-3, 1.0), "b": Int(1, 100, log=True)}
    search = ScoutSearchCV(fast_clf, space, n_trials=12, cv=2, random_state=0).fit(X, y)
    for p in search.cv_results_["params"]:
        assert 1e-3 <= p["a"] <= 1.0
        assert isinstance(p["b"], int)
        assert 1 <= p["b"] <= 100


def _fold(seconds):
    from scout_sklearn import FoldResult

    return FoldResult(
        fold=0,
        test_scores={"score": 1.0},
        train_scores=None,
        fit_time=seconds,
        score_time=0.0,
        n_test_samples=10,
    )


@pytest.mark.parametrize(
    ("n_jobs", "seconds", "ask_ahead", "expected"),
    [
        (2, None, False, 1),  # nothing measured yet: one task per call
        (1, 0.0001, False, 1),  # one worker: every result reaches the sampler at once
        (2, 0.0001, False, 4),  # short folds share a call, at most 4 of them
        (2, 0.0001, True, 64),  # more when the sampler does not learn from results
        (2, 0.001, True, 20),  # about 20 ms per call
        (2, 0.008, False, 2),
        (2, 0.05, True, 1),  # long folds go alone, so no worker idles at the end
    ],
)
def test_short_folds_go_to_workers_a_few_at_a_time(n_jobs, seconds, ask_ahead, expected):
    from scout_sklearn._evaluate import FoldRunner

    runner = FoldRunner(
        DecisionTreeClassifier(),
        None,
        None,
        scorer=None,
        fit_params={},
        score_params={},
        return_train_score=False,
        error_score=np.nan,
        n_jobs=n_jobs,
        pre_dispatch="2*n_jobs",
        ask_ahead=ask_ahead,
    )
    for _ in range(20 if seconds is not None else 0):
        runner._observe(_fold(seconds))
    assert runner._chunk_size() == expected


def test_chunked_folds_give_the_same_results_as_one_worker(iris):
    X, y = iris
    space = {"max_depth": [1, 2, 3, 4, 5], "min_samples_leaf": [1, 2, 4, 8]}

    def run(n_jobs):
        search = ScoutSearchCV(
            DecisionTreeClassifier(random_state=0),
            space,
            sampler="grid",
            cv=3,
            n_jobs=n_jobs,
        )
        return search.fit(X, y)

    one, two = run(1), run(2)
    for key in (
        "mean_test_score",
        "split0_test_score",
        "split2_test_score",
        "rank_test_score",
    ):
        np.testing.assert_array_equal(one.cv_results_[key], two.cv_results_[key])
    assert [t.params for t in one.study_.trials] == [t.params for t in two.study_.trials]
    assert all(len(t.fold_results) == 3 for t in two.study_.trials)


@pytest.mark.parametrize(
    ("sampler", "learns"),
    [("grid", False), ("random", False), ("qmc", False), ("tpe", True), ("gp", True)],
)
def test_only_samplers_that_learn_from_results_limit_asking_ahead(sampler, learns):
    from scout_sklearn.samplers._registry import make_sampler

    assert make_sampler(sampler, owner="test")._learns_from_results() is learns

    class Mine(RandomSampler):
        def ask(self, space, history, rng):
            return super().ask(space, history, rng)

    assert Mine()._learns_from_results()  # a user's ask is assumed to learn


def test_loky_workers_leave_their_imports_out_of_gc_the_users_process_never(iris):
    import gc

    X, y = iris
    space = {"max_depth": [1, 2, 3]}
    before = gc.get_freeze_count()
    ScoutSearchCV(DecisionTreeClassifier(), space, cv=2, n_jobs=1).fit(X, y)
    with joblib.parallel_config(backend="threading"):
        ScoutSearchCV(DecisionTreeClassifier(), space, cv=2, n_jobs=2).fit(X, y)
    assert gc.get_freeze_count() == before
    ScoutSearchCV(DecisionTreeClassifier(), space, cv=2, n_jobs=2).fit(X, y)
    assert gc.get_freeze_count() == before
    # The same loky workers, reused: those that ran folds froze once.
    counts = joblib.Parallel(n_jobs=2)(
        joblib.delayed(gc.get_freeze_count)() for _ in range(8)
    )
    assert max(counts) > 0


def test_local_workers_get_the_data_through_a_map_written_once(digits, tmp_path):
    import os

    from scout_sklearn._evaluate import FoldRunner

    X, y = digits  # 150 kB of float64: above our bar, below joblib's own (1 MB)
    space = {"max_depth": [2, 4, 6], "min_samples_leaf": [1, 5]}
    os.environ["JOBLIB_TEMP_FOLDER"] = str(tmp_path)
    try:
        two = ScoutSearchCV(
            DecisionTreeClassifier(random_state=0), space, sampler="grid", cv=3, n_jobs=2
        ).fit(X, y)
        runner = FoldRunner(
            DecisionTreeClassifier(),
            X,
            y,
            scorer=None,
            fit_params={},
            score_params={},
            return_train_score=False,
            error_score=np.nan,
            n_jobs=2,
            pre_dispatch="2*n_jobs",
        )
        with runner:
            assert isinstance(runner._X, np.memmap)
            np.testing.assert_array_equal(runner._X, X)
            assert len(list(tmp_path.iterdir())) == 1  # one folder, X's file in it
            assert runner._y is y  # small arrays are pickled with each call
        assert runner._X is X
        with joblib.parallel_config(backend="threading"), runner:
            assert runner._X is X  # threads share the process's memory already
    finally:
        del os.environ["JOBLIB_TEMP_FOLDER"]
    assert list(tmp_path.iterdir()) == []  # removed when the search ends
    one = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0), space, sampler="grid", cv=3, n_jobs=1
    ).fit(X, y)
    for key in ("mean_test_score", "split1_test_score", "rank_test_score"):
        np.testing.assert_array_equal(one.cv_results_[key], two.cv_results_[key])


def test_shared_data_falls_back_to_pickling_when_it_cannot_be_written(tmp_path):
    import os

    from scout_sklearn._evaluate import _SharedArrays

    X = np.ones((200, 64))  # 100 kB
    os.environ["JOBLIB_TEMP_FOLDER"] = str(tmp_path / "missing" / "folder")
    try:
        shared = _SharedArrays()
        assert shared.share(X) is X  # joblib pickles it with each call, as before
        shared.close()
    finally:
        del os.environ["JOBLIB_TEMP_FOLDER"]


def test_shared_data_folder_is_removed_when_the_search_process_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    script = (
        "import sys, time, numpy as np\n"
        "from scout_sklearn._evaluate import _SharedArrays\n"
        "shared = _SharedArrays()\n"
        "x = shared.share(np.ones((200, 64)))\n"
        "print(shared._folder, flush=True)\n"
        "time.sleep(60)\n"
    )
    env = dict(os.environ, JOBLIB_TEMP_FOLDER=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    folder = process.stdout.readline().strip()
    assert folder.startswith(str(tmp_path))
    assert os.listdir(folder) == ["0.npy"]
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    deadline = time.monotonic() + 30
    while os.path.exists(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(folder)


OVERLAPPING = [
    {"kernel": ["linear"], "C": [1.0, 10.0]},
    {"kernel": ["linear", "rbf"], "C": [1.0, 10.0, 10.0]},
]


@pytest.mark.parametrize("sampler", ["random", "tpe", "qmc", "annealing", "gp", None])
def test_overlapping_dicts_are_searched_without_repeating_params(iris, sampler):
    # 8 grid points, 4 distinct params: a sampler other than the grid spends
    # no fit on params it has already tried, and says how many there are.
    X, y = iris
    search = ScoutSearchCV(SVC(), OVERLAPPING, sampler=sampler, n_trials=6, cv=2)
    with pytest.warns(UserWarning, match="more than the 4 distinct params"):
        search.fit(X, y)
    asked = [(p["kernel"], p["C"]) for p in search.cv_results_["params"]]
    assert sorted(asked) == [("linear", 1.0), ("linear", 10.0), ("rbf", 1.0), ("rbf", 10.0)]


def test_the_grid_evaluates_overlapping_dicts_like_gridsearchcv(iris):
    X, y = iris
    ours = ScoutSearchCV(SVC(), OVERLAPPING, cv=2).fit(X, y)
    theirs = GridSearchCV(SVC(), OVERLAPPING, cv=2).fit(X, y)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    assert len(ours.cv_results_["params"]) == 8
