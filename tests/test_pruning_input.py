"""Bad pruning input fails before any fit, with an error naming the parameter."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import SVC

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import HyperbandPruner, SuccessiveHalvingPruner


class BudgetSpy(ClassifierMixin, BaseEstimator):
    """Counts its fits (in this process); parameters of every kind to use as resource.

    ``max_iter`` is an int, ``budget`` a float, ``max_depth`` None, ``kernel``
    a str and ``shrinking`` a bool; fit checks none of them.
    """

    calls: ClassVar[Counter[str]] = Counter()
    fitted_with: ClassVar[list[dict[str, Any]]] = []  # the params of each fit

    def __init__(
        self, C=1.0, max_iter=100, budget=1.0, max_depth=None, kernel="rbf", shrinking=True
    ):
        self.C = C
        self.max_iter = max_iter
        self.budget = budget
        self.max_depth = max_depth
        self.kernel = kernel
        self.shrinking = shrinking

    def fit(self, X, y):
        type(self).calls["fit"] += 1
        type(self).fitted_with.append(self.get_params())
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


@pytest.fixture
def budget_spy() -> BudgetSpy:
    """A BudgetSpy with its call counter reset; ``budget_spy.calls["fit"]`` counts fits."""
    BudgetSpy.calls.clear()
    BudgetSpy.fitted_with.clear()
    return BudgetSpy()


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


# -- a parameter resource: finite bounds, int rungs that fit in int64 ------------------
@pytest.mark.parametrize(
    ("estimator_params", "kwargs", "message"),
    [
        (
            {},
            {"resource": "max_iter", "max_resource": 2**70},
            r"'max_resource' parameter of ScoutSearchCV must be <= 9223372036854775807 "
            r"\(2\*\*63 - 1\) with resource='max_iter': its rungs are ints, which "
            r"cv_results_\['n_resources'\] holds as int64\. Got "
            r"max_resource=1180591620717411303424 instead\.$",
        ),
        (
            {},
            {"resource": "max_iter", "min_resource": 2**64, "max_resource": 2**65},
            r"'min_resource' parameter of ScoutSearchCV must be <= 9223372036854775807 "
            r".*Got min_resource=18446744073709551616 instead",
        ),
        (
            {},  # an integral float for an int parameter: int rungs
            {"resource": "max_iter", "max_resource": 1e30},
            r"'max_resource' parameter .* must be <= 9223372036854775807 .*"
            r"Got max_resource=1e\+30 instead",
        ),
        (
            {},  # int bounds give int rungs, even for a float parameter
            {"resource": "budget", "max_resource": 2**70},
            r"'max_resource' parameter .* must be <= 9223372036854775807 .*"
            r"resource='budget'.*Got max_resource=1180591620717411303424 instead\. "
            r"For a float parameter, give it as a float: "
            r"max_resource=1\.1805916207174113e\+21\.",
        ),
        (
            {"max_iter": 2**70},
            {"resource": "max_iter"},
            r"'max_resource' parameter .* must be <= 9223372036854775807 .*Got "
            r"max_resource=None, so the estimator's own "
            r"max_iter=1180591620717411303424 instead\. Set max_resource=",
        ),
        (
            {},
            {"resource": "max_iter", "max_resource": float("inf")},
            r"'max_resource' parameter of ScoutSearchCV must be a finite number with "
            r"resource='max_iter'.*Got max_resource=inf instead",
        ),
        (
            {},
            {"resource": "budget", "min_resource": float("inf")},
            r"'min_resource' parameter of ScoutSearchCV must be a finite number with "
            r"resource='budget'.*Got min_resource=inf instead",
        ),
        (
            {"budget": float("inf")},
            {"resource": "budget"},
            r"With resource='budget', max_resource \(its value at the last rung\) is "
            r"needed: the estimator's own value, inf, is not a finite number",
        ),
    ],
)
def test_parameter_resource_bounds_fail_before_any_fit(
    iris, budget_spy, tmp_path, estimator_params, kwargs, message
) -> None:
    pruner = SuccessiveHalvingPruner(reduction_factor=10**6)
    _assert_refused_before_any_fit(
        iris,
        budget_spy.set_params(**estimator_params),
        tmp_path,
        message,
        pruner=pruner,
        n_trials=2,
        **kwargs,
    )


def _assert_refused_before_any_fit(iris, spy, tmp_path, message, **kwargs) -> None:
    X, y = iris
    db = tmp_path / "scout.db"
    search = ScoutSearchCV(
        spy, {"C": Float(0.1, 10.0)}, cv=3, storage=f"sqlite:///{db}", **kwargs
    )
    with pytest.raises(InvalidParameterError, match=message):
        search.fit(X, y)
    assert spy.calls["fit"] == 0
    assert not db.exists()  # nothing was written either


def test_the_largest_int64_max_resource_is_kept_in_the_results(iris, budget_spy) -> None:
    X, y = iris
    top = 2**63 - 1
    search = ScoutSearchCV(
        budget_spy,
        {"C": Float(0.1, 10.0)},
        pruner=SuccessiveHalvingPruner(reduction_factor=10**6),
        resource="max_iter",
        max_resource=top,
        n_trials=2,
        cv=3,
        random_state=0,
    ).fit(X, y)
    results = search.cv_results_
    assert results["n_resources"].dtype == np.int64
    assert top in results["n_resources"]
    assert search.best_params_["max_iter"] == top


# -- a parameter resource must be numeric, and int bounds go with an int parameter -----
@pytest.mark.parametrize(
    ("estimator_params", "kwargs", "message"),
    [
        (
            {},
            {"resource": "kernel", "max_resource": 30},
            r"'resource' parameter of ScoutSearchCV must be 'n_samples', 'folds' or the "
            r"name of a numeric parameter of BudgetSpy: each rung sets it to a number\. "
            r"Got resource='kernel', whose value on the estimator, kernel='rbf', is not "
            r"a number",
        ),
        (
            {},  # without bounds too: max_resource would not help
            {"resource": "kernel"},
            r"name of a numeric parameter of BudgetSpy.*kernel='rbf', is not a number",
        ),
        (
            {},
            {"resource": "shrinking", "max_resource": 10},
            r"name of a numeric parameter of BudgetSpy.*Got resource='shrinking', whose "
            r"value on the estimator, shrinking=True, is not a number",
        ),
        (
            {},
            {"resource": "max_iter", "min_resource": 2.5},
            r"'min_resource' parameter of ScoutSearchCV is a value of 'max_iter' with "
            r"resource='max_iter', an int parameter of BudgetSpy \(max_iter=100 on the "
            r"estimator\), so it must be an int\. Got min_resource=2\.5 instead\. If "
            r"'max_iter' also takes floats, set a float on the estimator first "
            r"\(max_iter=100\.0\)",
        ),
        (
            {},
            {"resource": "max_iter", "min_resource": 2, "max_resource": 30.5},
            r"'max_resource' parameter of ScoutSearchCV .* so it must be an int\. Got "
            r"max_resource=30\.5 instead",
        ),
        (
            {"max_iter": np.int64(100)},
            {"resource": "max_iter", "min_resource": 0.5},
            r"'min_resource' parameter .*an int parameter of BudgetSpy \(max_iter="
            r"(np\.int64\()?100\)? on the estimator\).*Got min_resource=0\.5 instead",
        ),
        (
            {},  # None: no default bound
            {"resource": "max_depth"},
            r"With resource='max_depth', max_resource \(its value at the last rung\) is "
            r"needed: the estimator's own value, None, is not a positive number",
        ),
    ],
)
def test_parameter_resource_types_fail_before_any_fit(
    iris, budget_spy, tmp_path, estimator_params, kwargs, message
) -> None:
    _assert_refused_before_any_fit(
        iris,
        budget_spy.set_params(**estimator_params),
        tmp_path,
        message,
        pruner="hyperband",
        n_trials=4,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("estimator_params", "kwargs", "ladder"),
    [
        # An int parameter: integral float bounds give int rungs.
        (
            {},
            {"resource": "max_iter", "min_resource": 2.0, "max_resource": 18.0},
            (2, 6, 18),
        ),
        (
            {"max_iter": np.int64(18)},
            {"resource": "max_iter", "min_resource": 2},
            (2, 6, 18),
        ),
        # A float parameter keeps float rungs, and so does an int one set to a float.
        (
            {},
            {"resource": "budget", "min_resource": 0.1, "max_resource": 0.9},
            (0.1, 0.3, 0.9),
        ),
        (
            {"max_iter": 100.0},
            {"resource": "max_iter", "min_resource": 2.5},
            (2.5, 7.5, 22.5, 100.0),
        ),
        # None takes the type of its bounds.
        ({}, {"resource": "max_depth", "max_resource": 9}, (1, 3, 9)),
    ],
)
def test_numeric_parameter_resources_keep_working(
    iris, budget_spy, estimator_params, kwargs, ladder
) -> None:
    X, y = iris
    search = ScoutSearchCV(
        budget_spy.set_params(**estimator_params),
        {"C": Float(0.1, 10.0)},
        pruner="successive_halving",
        n_trials=9,
        cv=3,
        random_state=0,
        **kwargs,
    ).fit(X, y)
    # Every rung was fitted, with the resource set to the rung's value and type.
    seen = {params[kwargs["resource"]] for params in budget_spy.fitted_with}
    assert sorted(seen) == pytest.approx(list(ladder))
    int_rungs = isinstance(ladder[0], int)
    assert all(isinstance(value, int) == int_rungs for value in seen)
    assert search.cv_results_["n_resources"].dtype == (np.int64 if int_rungs else float)
    best = search.best_params_[kwargs["resource"]]
    assert best == pytest.approx(ladder[-1])
    assert isinstance(best, int) == int_rungs
