"""AutoSampler: the default sampler's rule, and that ScoutSearchCV uses it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from contracts.sampler import SamplerContract
from scipy import stats
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from scout_sklearn import Categorical, Float, Int, ScoutSearchCV, SearchSpace
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.samplers import (
    AutoSampler,
    GPSampler,
    GridSampler,
    RandomSampler,
    Sampler,
    TPESampler,
)


class TestAutoSamplerContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        return AutoSampler(n_trials=40)


class TestAutoSamplerWithoutBudgetContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        return AutoSampler()


class NoQuantiles:
    """A distribution with rvs only: no model can place it in the unit cube."""

    def rvs(self, random_state: Any = None) -> float:
        return float(np.random.default_rng(random_state).random())


NUMERIC = {"C": Float(1e-3, 1e3, log=True), "n": Int(1, 50), "g": stats.loguniform(1e-4, 1)}


@pytest.mark.parametrize(
    ("user_space", "n_trials", "expected"),
    [
        (NUMERIC, 40, GPSampler),
        (NUMERIC, 200, GPSampler),
        (NUMERIC, 201, TPESampler),  # a budget beyond max_gp_trials
        (NUMERIC, None, TPESampler),  # no budget (a timeout-only search)
        ({**NUMERIC, "kernel": Categorical(["rbf", "poly"])}, 40, TPESampler),
        ({f"x{i}": Float(0, 1) for i in range(8)}, 40, GPSampler),
        ({f"x{i}": Float(0, 1) for i in range(9)}, 40, TPESampler),  # > max_gp_dims
        ([{"C": Float(0.1, 1)}, {"alpha": Float(0.1, 1)}], 40, TPESampler),  # conditional
        ({"C": Float(0.1, 1), "odd": NoQuantiles()}, 40, RandomSampler),
    ],
)
def test_the_rule_picks_the_documented_sampler(
    user_space: Any, n_trials: int | None, expected: type
) -> None:
    space = SearchSpace.from_user(user_space)
    sampler = AutoSampler(n_trials=n_trials)
    assert type(sampler.delegate(space)) is expected
    params = sampler.ask(space, (), np.random.default_rng(0))
    assert space.contains(params)


def test_thresholds_are_parameters() -> None:
    space = SearchSpace.from_user(NUMERIC)
    assert AutoSampler(n_trials=40, max_gp_dims=2).choice(space) == "tpe"
    assert AutoSampler(n_trials=40, max_gp_trials=39).choice(space) == "tpe"
    sampler = AutoSampler(n_trials=40)
    assert sampler.choice(space) == "gp"
    sampler.set_params(max_gp_dims=0)
    assert type(sampler.delegate(space)) is TPESampler  # the cache follows set_params


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_trials": 0}, "'n_trials' parameter of AutoSampler"),
        ({"max_gp_dims": -1}, "'max_gp_dims' parameter of AutoSampler"),
        ({"max_gp_trials": 1.5}, "'max_gp_trials' parameter of AutoSampler"),
    ],
)
def test_bad_arguments_name_the_parameter(params: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        AutoSampler(**params)
    sampler = AutoSampler().set_params(**params)
    with pytest.raises(InvalidParameterError, match=match):
        sampler.check_space(SearchSpace.from_user(NUMERIC))


def fitted_sampler(**kwargs: Any) -> Sampler:
    X, y = load_diabetes(return_X_y=True)
    search = ScoutSearchCV(Ridge(), cv=2, random_state=0, **kwargs).fit(X, y)
    sampler: Sampler = search.study_.sampler
    return sampler


def test_scout_search_cv_default_with_a_budget_is_the_auto_sampler() -> None:
    sampler = fitted_sampler(
        param_distributions={"alpha": Float(1e-3, 10, log=True)}, n_trials=12
    )
    assert isinstance(sampler, AutoSampler)
    assert sampler.n_trials == 12
    assert (
        type(sampler.delegate(SearchSpace.from_user({"alpha": Float(1e-3, 10)})))
        is GPSampler
    )


def test_scout_search_cv_default_without_a_budget_is_the_grid() -> None:
    sampler = fitted_sampler(param_distributions={"alpha": [0.1, 1.0, 10.0]})
    assert isinstance(sampler, GridSampler)


def test_the_auto_name_is_told_the_budget() -> None:
    sampler = fitted_sampler(
        param_distributions={"alpha": Float(1e-3, 10, log=True)}, n_trials=5, sampler="auto"
    )
    assert isinstance(sampler, AutoSampler)
    assert sampler.n_trials == 5
