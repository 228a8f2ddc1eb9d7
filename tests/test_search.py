"""ScoutSearchCV behaviour: GridSearchCV parity, samplers, fitted attributes."""

from __future__ import annotations

import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import randint, uniform
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, Ridge, RidgeClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

from scout_sklearn import Categorical, Float, Int, ScoutSearchCV, TrialState

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


def _infinite_at_c_one(estimator, X, y):
    """A scorer with a bug: +inf for C=1, a finite score growing with C elsewhere."""
    return np.inf if estimator.C == 1.0 else 0.5 + 0.01 * estimator.C


def test_an_infinite_score_ranks_first_as_in_gridsearchcv_and_the_warning_says_so(iris):
    X, y = iris
    grid = {"C": [0.5, 1.0, 2.0, 3.0]}
    kwargs = {"scoring": _infinite_at_c_one, "cv": 3}
    with pytest.warns(UserWarning, match="non-finite") as theirs_warnings:
        theirs = GridSearchCV(LogisticRegression(max_iter=500), grid, **kwargs).fit(X, y)
    with pytest.warns(UserWarning, match="non-finite") as ours_warnings:
        ours = ScoutSearchCV(
            LogisticRegression(max_iter=500), grid, sampler="grid", **kwargs
        ).fit(X, y)
    assert_same_search(ours, theirs, X)
    assert ours.best_params_ == {"C": 1.0}
    # The study counts finite scores only: its best is C=3.
    assert ours.study_.best_trial.params == {"C": 3.0}
    (message,) = [str(w.message) for w in ours_warnings if "non-finite" in str(w.message)]
    assert "Rows [1] scored +inf" in message
    assert "study_.best_trial" in message
    assert not any("+inf" in str(w.message) for w in theirs_warnings)


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_fit_failure_messages_start_with_gridsearchcv_s_words(iris, failing_clf):
    # A filter or test written against GridSearchCV's message (its first
    # line) matches ours; what we add comes after it.
    X, y = iris

    def first_lines(search_class, grid, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                search_class(failing_clf, grid, cv=3, **kwargs).fit(X, y)
            except ValueError as error:
                return str(error).split("\n")[:2]
        (warning,) = [w for w in caught if issubclass(w.category, FitFailedWarning)]
        return str(warning.message).split("\n")[:2]

    some, every = {"parameter": [0, 2]}, {"parameter": [2]}
    for grid in (some, every):
        theirs = first_lines(GridSearchCV, grid)
        ours = first_lines(ScoutSearchCV, grid, sampler="grid")
        assert ours == theirs, (ours, theirs)


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
