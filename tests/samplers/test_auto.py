"""AutoSampler: the default sampler's rule, and that ScoutSearchCV uses it."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from contracts.sampler import SamplerContract
from scipy import stats
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge

from scout_sklearn import (
    Categorical,
    Float,
    Int,
    ScoutSearchCV,
    SearchSpace,
    Trial,
    TrialState,
)
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
        return AutoSampler()


class TestAutoSamplerAfterTheSwitchContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        # TPE from the third complete trial: the histories of the contract
        # exercise the switch.
        return AutoSampler(max_gp_trials=2)


class NoQuantiles:
    """A distribution with rvs only: no model can place it in the unit cube."""

    def rvs(self, random_state: Any = None) -> float:
        return float(np.random.default_rng(random_state).random())


NUMERIC = {"C": Float(1e-3, 1e3, log=True), "n": Int(1, 50), "g": stats.loguniform(1e-4, 1)}


@pytest.mark.parametrize(
    ("user_space", "expected"),
    [
        (NUMERIC, GPSampler),
        ({**NUMERIC, "kernel": Categorical(["rbf", "poly"])}, GPSampler),
        ({f"x{i}": Float(0, 1) for i in range(14)}, GPSampler),
        ([{"C": Float(0.1, 1)}, {"alpha": Float(0.1, 1)}], GPSampler),  # conditional
        ({"C": Float(0.1, 1), "odd": NoQuantiles()}, RandomSampler),
    ],
)
def test_the_rule_picks_the_documented_sampler(user_space: Any, expected: type) -> None:
    space = SearchSpace.from_user(user_space)
    sampler = AutoSampler()
    assert type(sampler.delegate(space)) is expected
    params = sampler.ask(space, (), np.random.default_rng(0))
    assert space.contains(params)


def complete(number: int, params: dict[str, Any]) -> Trial:
    return Trial(number, params, TrialState.COMPLETE, value=float(number))


def test_tpe_takes_over_after_max_gp_trials_complete_trials() -> None:
    space = SearchSpace.from_user(NUMERIC)
    sampler = AutoSampler(max_gp_trials=5)
    rng = np.random.default_rng(0)
    history = [complete(k, space.sample(rng)) for k in range(4)]
    history.append(Trial(4, space.sample(rng)))  # running: not complete
    assert type(sampler.delegate(space, history)) is GPSampler
    history.append(complete(5, space.sample(rng)))
    assert type(sampler.delegate(space, history)) is TPESampler
    assert space.contains(sampler.ask(space, history, rng))


def test_the_choice_does_not_depend_on_the_budget() -> None:
    # A 40-trial search asks what a 20-trial one does, then goes on: the
    # first 20 params of a longer search are those of the shorter one.
    X, y = load_diabetes(return_X_y=True)
    space = {"alpha": Float(1e-3, 10, log=True), "solver": ["svd", "cholesky"]}
    short = ScoutSearchCV(Ridge(), space, n_trials=14, cv=2, random_state=0).fit(X, y)
    long = ScoutSearchCV(Ridge(), space, n_trials=18, cv=2, random_state=0).fit(X, y)
    assert short.cv_results_["params"] == long.cv_results_["params"][:14]


def test_thresholds_are_parameters() -> None:
    space = SearchSpace.from_user(NUMERIC)
    assert AutoSampler(max_gp_dims=2).choice(space) == "tpe"
    assert AutoSampler(max_gp_dims=3).choice(space) == "gp"
    assert AutoSampler(max_gp_trials=0).choice(space) == "tpe"
    sampler = AutoSampler()
    assert sampler.choice(space) == "gp"
    sampler.set_params(max_gp_dims=0)
    assert type(sampler.delegate(space)) is TPESampler  # follows set_params


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"max_gp_dims": -1}, "'max_gp_dims' parameter of AutoSampler"),
        ({"max_gp_trials": 1.5}, "'max_gp_trials' parameter of AutoSampler"),
        ({"max_gp_trials": -3}, "'max_gp_trials' parameter of AutoSampler"),
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
    assert (
        type(sampler.delegate(SearchSpace.from_user({"alpha": Float(1e-3, 10)})))
        is GPSampler
    )


def test_scout_search_cv_default_without_a_budget_is_the_grid() -> None:
    sampler = fitted_sampler(param_distributions={"alpha": [0.1, 1.0, 10.0]})
    assert isinstance(sampler, GridSampler)


def test_the_auto_name_is_the_auto_sampler() -> None:
    sampler = fitted_sampler(
        param_distributions={"alpha": Float(1e-3, 10, log=True)}, n_trials=5, sampler="auto"
    )
    assert isinstance(sampler, AutoSampler)


def test_the_default_asks_what_the_gp_sampler_asks_before_the_switch() -> None:
    # benchmarks/tasks.py relies on this: below max_gp_trials a default search
    # is the GPSampler's search, trial for trial, so it is run once for both.
    X, y = load_diabetes(return_X_y=True)
    space = {"alpha": Float(1e-3, 10, log=True), "solver": Categorical(["svd", "cholesky"])}

    def params(sampler: Any) -> list[dict[str, Any]]:
        search = ScoutSearchCV(
            Ridge(), space, sampler=sampler, n_trials=9, cv=3, random_state=3
        ).fit(X, y)
        return list(search.cv_results_["params"])

    assert params(None) == params(GPSampler())
    assert params(None) != params(TPESampler())
