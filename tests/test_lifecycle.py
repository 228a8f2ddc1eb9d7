"""The life of one search object: refits, resumes on a storage, limits and failures."""

from __future__ import annotations

import math

import pytest
from sklearn.dummy import DummyClassifier

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.samplers import GridSampler


# -- timeout ----------------------------------------------------------------------
def test_an_infinite_timeout_is_no_limit_and_needs_an_end(iris, fit_spy):
    # timeout=inf with n_trials=None on an unbounded sampler ran forever; it is
    # refused as n_trials=None without a timeout is, before any fit.
    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": Float(0.1, 10.0)}, sampler="random", timeout=math.inf
    )
    with pytest.raises(InvalidParameterError, match=r"timeout=inf sets no limit"):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_an_infinite_timeout_on_a_grid_runs_the_grid_as_none_does(iris):
    X, y = iris
    grid = {"strategy": ["prior", "most_frequent", "stratified"]}
    search = ScoutSearchCV(
        DummyClassifier(random_state=0), grid, cv=3, timeout=math.inf
    ).fit(X, y)
    assert isinstance(search.study_.sampler, GridSampler)
    assert [p["strategy"] for p in search.cv_results_["params"]] == grid["strategy"]
