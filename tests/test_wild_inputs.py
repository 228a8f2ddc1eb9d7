"""Code written for GridSearchCV, on data as users have it, runs the same on ScoutSearchCV.

Each test fits GridSearchCV and ScoutSearchCV(sampler="grid") with the same
arguments and compares what a user reads back: the fitted attributes, their
types, and what ``set_params`` does.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC
from test_search import assert_same_search

from scout_sklearn import ScoutSearchCV
from scout_sklearn.exceptions import InvalidParameterError

GRID = {"C": [0.01, 1.0, 10.0]}


def _lowest_c(cv_results: dict[str, object]) -> np.int64:
    """A refit callable returning a numpy integer, as np.argmin does."""
    return np.argmin(cv_results["param_C"])  # type: ignore[no-any-return, call-overload]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"scoring": ["accuracy", "f1_macro"], "refit": "f1_macro"},
        {"refit": False},
    ],
)
def test_best_index_and_best_score_are_numpy_scalars_as_on_gridsearchcv(iris, kwargs):
    X, y = iris
    theirs = GridSearchCV(SVC(), GRID, cv=3, **kwargs).fit(X, y)
    ours = ScoutSearchCV(SVC(), GRID, cv=3, sampler="grid", **kwargs).fit(X, y)

    assert_same_search(ours, theirs, X)
    assert type(ours.best_index_) is type(theirs.best_index_) is np.int64
    assert type(ours.best_score_) is type(theirs.best_score_) is np.float64
    # What a user calls on GridSearchCV's numpy scalars (a Python float has no .round).
    assert ours.best_score_.round(3) == theirs.best_score_.round(3)
    assert ours.best_index_.item() == theirs.best_index_.item()


def test_a_refit_callable_s_index_is_kept_as_it_returned_it(iris):
    X, y = iris
    theirs = GridSearchCV(SVC(), GRID, cv=3, refit=_lowest_c).fit(X, y)
    ours = ScoutSearchCV(SVC(), GRID, cv=3, sampler="grid", refit=_lowest_c).fit(X, y)

    assert ours.best_index_ == theirs.best_index_ == 0
    assert type(ours.best_index_) is type(theirs.best_index_)
    assert not hasattr(ours, "best_score_")
    assert not hasattr(theirs, "best_score_")


@pytest.mark.parametrize("name", ["param_grid", "param_distributions"])
def test_set_params_with_either_name_replaces_a_positional_grid(iris, name):
    X, y = iris
    new = {"C": [0.1, 5.0]}
    theirs = GridSearchCV(SVC(), GRID, cv=3).set_params(param_grid=new).fit(X, y)
    search = ScoutSearchCV(SVC(), GRID, cv=3, sampler="grid")

    ours = search.set_params(**{name: new}).fit(X, y)

    assert_same_search(ours, theirs, X)
    assert ours.cv_results_["params"] == [{"C": 0.1}, {"C": 5.0}]
    other = {"param_grid": "param_distributions"}.get(name, "param_grid")
    assert ours.get_params()[name] is new
    assert ours.get_params()[other] is None


def test_set_params_through_a_pipeline_replaces_the_grid(iris):
    X, y = iris
    pipe = Pipeline(
        [("search", ScoutSearchCV(LogisticRegression(max_iter=300), GRID, cv=3))]
    )

    pipe.set_params(search__param_grid={"C": [0.5]}).fit(X, y)

    assert pipe.named_steps["search"].cv_results_["params"] == [{"C": 0.5}]


def test_setting_both_names_in_one_call_is_still_refused_before_any_fit(iris):
    X, y = iris
    search = ScoutSearchCV(SVC(), GRID, cv=3).set_params(
        param_grid={"C": [1.0]}, param_distributions={"C": [2.0]}
    )

    with pytest.raises(InvalidParameterError, match=r"got both param_grid=.* only one"):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def _weighted_accuracy(estimator, X, y, sample_weight=None):
    return accuracy_score(y, estimator.predict(X), sample_weight=sample_weight)


def test_a_dict_of_plain_callables_with_sample_weight_is_refused_naming_the_metric(
    breast_cancer, tmp_path
):
    X, y = breast_cancer
    weights = np.where(np.arange(len(y)) % 3 == 0, 5.0, 1.0)
    scoring = {"weighted": _weighted_accuracy, "acc": "accuracy"}
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200), GRID, scoring=scoring, refit="acc", storage=url
    )

    with pytest.raises(InvalidParameterError, match=r"maps 'weighted' to a plain callable"):
        search.fit(X, y, sample_weight=weights)
    assert not hasattr(search, "cv_results_")
    assert not (tmp_path / "scout.db").exists()


def test_a_dict_of_scorers_with_sample_weight_weights_the_scores_as_gridsearchcv(
    breast_cancer,
):
    X, y = breast_cancer
    weights = np.where(np.arange(len(y)) % 3 == 0, 5.0, 1.0)
    scoring = {"weighted": make_scorer(accuracy_score), "f1": "f1"}
    kwargs = {"cv": 3, "scoring": scoring, "refit": "weighted"}
    theirs = GridSearchCV(LogisticRegression(max_iter=200), GRID, **kwargs)
    theirs.fit(X, y, sample_weight=weights)
    ours = ScoutSearchCV(LogisticRegression(max_iter=200), GRID, sampler="grid", **kwargs)

    ours.fit(X, y, sample_weight=weights)

    assert_same_search(ours, theirs, X)


def _text_score(estimator, X, y):
    return "high"


def test_a_callable_scoring_returning_no_number_is_named_in_the_error(iris):
    X, y = iris
    search = ScoutSearchCV(LogisticRegression(max_iter=200), GRID, scoring=_text_score)

    with pytest.raises(ValueError, match=r"got 'high' .*\(scorer=<function _text_score at"):
        search.fit(X, y)
