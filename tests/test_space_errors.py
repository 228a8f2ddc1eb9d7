"""A bad search space fails as it is built, or before any fit; a wide one is searched.

Distributions check their bounds in their constructors, before any search
exists; a bad one inside a search's space stops ``fit`` before its first
fit. ``test_errors.py`` covers the search's other parameters.
"""

from __future__ import annotations

import pytest

from scout_sklearn import Categorical, Float, Int, ScoutSearchCV


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Float(1.0, 1.0), r"Float requires low < high; got low=1\.0, high=1\.0"),
        (lambda: Float(2.0, 1.0), r"Float requires low < high; got low=2\.0, high=1\.0"),
        (lambda: Int(5, 2), r"Int requires low < high; got low=5, high=2"),
        (lambda: Int(3, 3), r"Int requires low < high; got low=3, high=3.*\[3\]"),
        (
            lambda: Float(0.0, 1.0, log=True),
            r"Float\(log=True\) requires low > 0 .*got low=0\.0",
        ),
        (
            lambda: Float(-1.0, 1.0, log=True),
            r"Float\(log=True\) requires low > 0 .*got low=-1\.0",
        ),
        (lambda: Int(0, 10, log=True), r"Int\(log=True\) requires low >= 1 .*got low=0"),
        (
            lambda: Float(0.0, 1.0, step=0.3),
            r"Float step=0\.3 does not divide high - low = 1\.0 .* set high=0\.9",
        ),
        (
            lambda: Int(0, 10, step=3),
            r"Int step=3 does not divide high - low = 10 .* set high=9",
        ),
        (lambda: Int(0, 10, step=0), r"Int step must be a positive integer; got step=0"),
        (lambda: Float(0.0, 1.0, step=-0.1), r"Float step must be a positive .*step=-0\.1"),
        (lambda: Float(0.0, float("inf")), r"Float high must be a finite real.*high=inf"),
        (lambda: Int(0.5, 3), r"Int low must be an integer; got low=0\.5"),
        (lambda: Categorical([]), r"Categorical"),
        (lambda: Categorical("rbf"), r"Categorical choices must be a list.*got 'rbf'"),
    ],
    ids=[
        "float-low-eq-high",
        "float-low-gt-high",
        "int-low-gt-high",
        "int-low-eq-high",
        "float-log-zero",
        "float-log-negative",
        "int-log-zero",
        "float-step-not-dividing",
        "int-step-not-dividing",
        "int-step-zero",
        "float-step-negative",
        "float-infinite",
        "int-float-bound",
        "categorical-empty",
        "categorical-string",
    ],
)
def test_bad_distribution_fails_when_built(build, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build()


def test_bad_distribution_inside_a_search_fails_before_any_fit(iris, fit_spy):
    X, y = iris
    with pytest.raises(ValueError, match=r"low < high"):
        ScoutSearchCV(fit_spy, {"C": Float(10.0, 1.0)}, n_trials=2, cv=2).fit(X, y)
    assert fit_spy.calls["fit"] == 0


@pytest.mark.parametrize(
    "sampler", ["gp", "auto", "tpe", "cmaes", "qmc", "annealing", "random", "grid"]
)
def test_an_int_range_wider_than_int64_is_searched_by_every_sampler(iris, fit_spy, sampler):
    # Int(-2**70, 2**70) is a valid space; the GP sampler's layout put its
    # number of values in an int64 array (OverflowError from inside the search).
    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": Int(-(2**70), 2**70)}, sampler=sampler, n_trials=2, cv=2
    ).fit(X, y)
    assert search.n_trials_ == 2
    assert Int(-(2**70), 2**70).contains(search.best_params_["C"])
