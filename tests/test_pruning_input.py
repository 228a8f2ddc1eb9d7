"""Bad pruning input fails before any fit, with an error naming the parameter."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import SVC

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import HyperbandPruner


# -- bad input fails before any fit ----------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"pruner": "hyperband", "resource": "gama"},
            r"'resource' parameter of ScoutSearchCV must be 'n_samples', 'folds' or "
            r"the name of a parameter of FitSpy .*Got 'gama' instead\. Did you mean "
            r"'gamma'\?",
        ),
        (
            {"pruner": "hyperband", "resource": "C"},
            r"resource='C' is also searched in param_distributions",
        ),
        (
            {"pruner": "hyperband", "resource": "gamma", "min_resource": 5.0},
            r"'min_resource' parameter of ScoutSearchCV must be <= max_resource.*"
            r"Got min_resource=5\.0 and max_resource=1\.0 \(resource='gamma'\)",
        ),
        (
            {"pruner": "hyperband", "min_resource": 500},
            r"'min_resource' .*first rung with resource='n_samples'; it must be <= "
            r"100, the size of the smallest training fold\. Got min_resource=500",
        ),
        (
            {"pruner": "hyperband", "max_resource": 150},
            r"'max_resource'.*must be <= 100, the size of the largest training fold\. "
            r"Got max_resource=150",
        ),
        (
            {"pruner": "hyperband", "min_resource": 2.5},
            r"'min_resource' parameter of ScoutSearchCV counts training rows with "
            r"resource='n_samples', so it must be an int\. Got 2\.5",
        ),
        (
            {"pruner": "median", "resource": "folds", "max_resource": 2},
            r"'max_resource' parameter of ScoutSearchCV must be None or 3 \(the number "
            r"of CV splits\) with resource='folds'",
        ),
        (
            {"pruner": "hyperband", "resource": "folds", "cv": "one split"},
            r"resource='folds' stops trials after their first folds, so it needs at "
            r"least 2 CV splits; cv gives 1",
        ),
        (
            {"pruner": "hyperbend"},
            r"unknown name 'hyperbend'.*Did you mean 'hyperband'\?",
        ),
        (
            {"pruner": "asha", "min_resource": 0},
            r"'min_resource' parameter of ScoutSearchCV must be a float in the range "
            r"\(0, inf\) or None\. Got 0",
        ),
    ],
)
def test_bad_pruning_input_fails_before_any_fit(iris, fit_spy, kwargs, message) -> None:
    X, y = iris
    kwargs = dict(kwargs)
    cv = kwargs.pop("cv", 3)
    if cv == "one split":
        cv = [(np.arange(100), np.arange(100, 150))]
    search = ScoutSearchCV(fit_spy, {"C": Float(0.1, 10.0)}, n_trials=3, cv=cv, **kwargs)
    with pytest.raises(InvalidParameterError, match=message):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_reduction_factor_below_2_fails_before_any_fit(iris, fit_spy) -> None:
    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": Float(0.1, 10.0)}, pruner=HyperbandPruner(), n_trials=3, cv=3
    )
    search.set_params(pruner__reduction_factor=1)
    with pytest.raises(
        InvalidParameterError,
        match=r"'reduction_factor' parameter of HyperbandPruner must be an int in the "
        r"range \[2, inf\)\. Got 1 instead",
    ):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_a_parameter_without_a_positive_default_needs_max_resource(iris) -> None:
    X, y = iris
    search = ScoutSearchCV(
        SVC(),
        {"C": Float(0.1, 10.0)},
        pruner="hyperband",
        resource="max_iter",
        n_trials=3,
        cv=3,
    )
    with pytest.raises(
        InvalidParameterError,
        match=r"With resource='max_iter', max_resource \(its value at the last rung\) "
        r"is needed: the estimator's own value, -1, is not a positive number",
    ):
        search.fit(X, y)
