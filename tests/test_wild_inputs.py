"""Code written for GridSearchCV, on data as users have it, runs the same on ScoutSearchCV.

Each test fits GridSearchCV and ScoutSearchCV(sampler="grid") with the same
arguments and compares what a user reads back: the fitted attributes, their
types, and what ``set_params`` does.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.svm import SVC
from test_search import assert_same_search

from scout_sklearn import ScoutSearchCV

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
