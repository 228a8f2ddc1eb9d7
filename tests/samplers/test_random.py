"""RandomSampler: independent draws, without replacement on finite spaces."""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np
import pytest
from contracts.sampler import SamplerContract, rng
from scipy import stats
from sklearn.model_selection import ParameterSampler

from scout_sklearn import Categorical, Float, Int, SearchSpace, Trial
from scout_sklearn.exceptions import SearchSpaceExhausted
from scout_sklearn.samplers import GridSampler, RandomSampler, Sampler


def _no_warning() -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


class TestRandomSamplerContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        return RandomSampler()


def independent_draws(user_space: Any, n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` draws, each with an empty history and its own trial generator."""
    space = SearchSpace.from_user(user_space)
    sampler = RandomSampler()
    return [sampler.ask(space, (), rng(seed, k)) for k in range(n)]


def test_values_stay_in_range() -> None:
    draws = independent_draws(
        {
            "a": Float(-2.0, 3.0),
            "b": Float(1e-4, 1e2, log=True),
            "c": Int(5, 9),
            "d": Int(1, 1000, log=True),
            "e": Float(0.0, 1.0, step=0.1),
        },
        500,
    )
    for params in draws:
        assert -2.0 <= params["a"] <= 3.0
        assert 1e-4 <= params["b"] <= 1e2
        assert params["c"] in range(5, 10)
        assert type(params["c"]) is int
        assert params["d"] in range(1, 1001)
        assert any(math.isclose(params["e"], k / 10) for k in range(11))
    # Draws spread over the range rather than sticking to one end.
    a = np.array([p["a"] for p in draws])
    assert a.min() < -1.5
    assert a.max() > 2.5


def test_log_uniform_float_is_uniform_in_log_space(global_random_seed: int) -> None:
    low, high = 1e-4, 1e2
    midpoint = math.sqrt(low * high)  # geometric midpoint: 1e-1
    values = np.array(
        [
            p["x"]
            for p in independent_draws(
                {"x": Float(low, high, log=True)}, 2000, seed=global_random_seed
            )
        ]
    )
    assert 0.45 <= np.mean(values < midpoint) <= 0.55
    # Each decade holds about a sixth of the draws.
    decades = np.histogram(np.log10(values), bins=6, range=(-4, 2))[0] / len(values)
    assert np.all(np.abs(decades - 1 / 6) < 0.04)


def test_linear_float_is_uniform(global_random_seed: int) -> None:
    values = np.array(
        [
            p["x"]
            for p in independent_draws(
                {"x": Float(1e-4, 1e2)}, 2000, seed=global_random_seed
            )
        ]
    )
    assert 0.45 <= np.mean(values < (1e-4 + 1e2) / 2) <= 0.55


def test_log_int_in_an_infinite_space_is_log_uniform(global_random_seed: int) -> None:
    # With a continuous parameter beside it the space is infinite.
    draws = independent_draws(
        {"n": Int(1, 10**6, log=True), "x": Float(0.0, 1.0)}, 2000, seed=global_random_seed
    )
    values = np.array([p["n"] for p in draws])
    assert 0.45 <= np.mean(values < 1000) <= 0.55


def test_log_int_in_a_finite_space_is_log_uniform(global_random_seed: int) -> None:
    # The same Int alone makes the space finite; log=True must still hold:
    # half the draws below the geometric midpoint sqrt(1 * 10**6) = 1000.
    draws = independent_draws({"n": Int(1, 10**6, log=True)}, 2000, seed=global_random_seed)
    values = np.array([p["n"] for p in draws])
    assert 0.45 <= np.mean(values < 1000) <= 0.55


def test_categorical_choices_are_equally_likely(global_random_seed: int) -> None:
    draws = independent_draws(
        {"k": Categorical(["a", "b", "c", "d"]), "x": Float(0, 1)},
        2000,
        seed=global_random_seed,
    )
    counts = np.array([sum(p["k"] == c for p in draws) for c in "abcd"])
    assert np.all(np.abs(counts / 2000 - 0.25) < 0.04)


@pytest.mark.parametrize(
    "grid",
    [
        {"C": [1, 10, 100], "kernel": ["rbf", "poly"]},
        [{"kernel": ["linear"], "C": [1, 10]}, {"kernel": ["rbf"], "n": Int(1, 3)}],
        {"x": Float(0.0, 1.0, step=0.25)},
    ],
)
def test_finite_space_is_sampled_without_replacement(grid: Any) -> None:
    space = SearchSpace.from_user(grid)
    sampler = RandomSampler()
    history: list[Trial] = []
    for number in range(space.n_points):
        params = sampler.ask(space, tuple(history), rng(0, number))
        history.append(Trial(number=number, params=params))
    positions = sorted(space.point_index(t.params) for t in history)
    assert positions == list(range(space.n_points))
    with pytest.raises(SearchSpaceExhausted, match=rf"All {space.n_points} points"):
        sampler.ask(space, tuple(history), rng(0, space.n_points))
    assert sampler.max_trials(space) == space.n_points


def test_finite_space_draws_are_not_in_grid_order() -> None:
    space = SearchSpace.from_user({"x": list(range(20))})
    sampler = RandomSampler()
    history: list[Trial] = []
    for number in range(20):
        history.append(Trial(number, sampler.ask(space, tuple(history), rng(0, number))))
    assert [t.params["x"] for t in history] != list(range(20))


def test_all_list_grids_are_drawn_like_parameter_sampler(global_random_seed: int) -> None:
    # 1 point in the first sub-space, 3 in the second. RandomizedSearchCV's
    # ParameterSampler draws all-list grids uniformly over the union of the
    # grids, so the lone point comes up a quarter of the time.
    grid = [{"kernel": ["linear"]}, {"kernel": ["rbf"], "C": [1, 10, 100]}]
    reference = [
        next(iter(ParameterSampler(grid, n_iter=1, random_state=seed)))
        for seed in range(global_random_seed, global_random_seed + 1000)
    ]
    expected = np.mean([p["kernel"] == "linear" for p in reference])
    assert 0.2 <= expected <= 0.3
    draws = independent_draws(grid, 2000, seed=global_random_seed)
    share = np.mean([p["kernel"] == "linear" for p in draws])
    assert abs(share - expected) < 0.06


def test_max_trials_is_none_for_an_infinite_space() -> None:
    assert RandomSampler().max_trials(SearchSpace.from_user({"x": Float(0, 1)})) is None


def test_conditional_space_draws_both_sub_spaces(global_random_seed: int) -> None:
    grid = [
        {"kernel": ["linear"], "C": Float(0.1, 10.0)},
        {"kernel": ["rbf"], "gamma": stats.loguniform(1e-4, 1.0)},
    ]
    space = SearchSpace.from_user(grid)
    draws = independent_draws(grid, 400, seed=global_random_seed)
    kernels = [p["kernel"] for p in draws]
    assert 0.4 <= kernels.count("linear") / len(draws) <= 0.6
    for params in draws:
        expected = {"C", "kernel"} if params["kernel"] == "linear" else {"gamma", "kernel"}
        assert set(params) == expected
        assert space.contains(params)


@pytest.mark.parametrize(
    "dist",
    [
        stats.loguniform(1e-3, 1e2),
        stats.uniform(2.0, 3.0),
        stats.norm(1.0, 0.5),
        stats.randint(3, 40),
        stats.beta(2.0, 5.0),
    ],
    ids=["loguniform", "uniform", "norm", "randint", "beta"],
)
def test_scipy_distributions_are_drawn_with_their_own_rvs(dist: Any) -> None:
    space = SearchSpace.from_user({"g": dist})
    for seed in range(5):
        got = RandomSampler().ask(space, (), rng(seed, 0))["g"]
        expected = dist.rvs(random_state=rng(seed, 0))
        assert got == expected
        assert type(got) is (int if dist.dist.name == "randint" else float)


def test_an_object_with_rvs_only_is_drawn_with_it() -> None:
    class Coin:
        def __init__(self) -> None:
            self.calls = 0

        def rvs(self, random_state: np.random.Generator) -> float:
            self.calls += 1
            return float(random_state.choice([0.25, 0.75]))

    coin = Coin()
    space = SearchSpace.from_user({"p": coin, "x": Float(0.0, 1.0)})
    values = {RandomSampler().ask(space, (), rng(0, k))["p"] for k in range(30)}
    assert values == {0.25, 0.75}
    assert coin.calls == 30


def test_repr_and_params() -> None:
    assert repr(RandomSampler()) == "RandomSampler()"
    assert RandomSampler().get_params() == {"n_trials": None}
    assert repr(RandomSampler(n_trials=5)) == "RandomSampler(n_trials=5)"


def test_bad_n_trials_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"'n_trials' parameter of RandomSampler .*Got 0"):
        RandomSampler(n_trials=0)


def _asked_in_turn(sampler: Sampler, space: SearchSpace, seed: int) -> list[Any]:
    history: list[Trial] = []
    while True:
        try:
            params = sampler.ask(space, tuple(history), rng(seed, len(history)))
        except SearchSpaceExhausted:
            return [t.params for t in history]
        history.append(Trial(len(history), params))


@pytest.mark.parametrize("extra", [0, 1, 7])
def test_a_budget_covering_an_all_list_grid_gives_it_in_grid_order(
    extra: int, global_random_seed: int
) -> None:
    # RandomizedSearchCV's ParameterSampler returns the whole grid, in order,
    # when n_iter >= the grid's size (and draws without replacement below).
    grid = [{"kernel": ["linear"]}, {"kernel": ["rbf"], "C": [1, 10, 100]}]
    space = SearchSpace.from_user(grid)
    n_iter = space.n_points + extra
    with pytest.warns(UserWarning, match="smaller than n_iter") if extra else _no_warning():
        expected = list(ParameterSampler(grid, n_iter=n_iter, random_state=0))
    asked = _asked_in_turn(RandomSampler(n_trials=n_iter), space, global_random_seed)
    assert asked == expected


def test_a_budget_below_the_grid_size_still_draws_at_random() -> None:
    space = SearchSpace.from_user({"x": list(range(20))})
    drawn = [p["x"] for p in _asked_in_turn(RandomSampler(n_trials=19), space, 0)]
    assert sorted(drawn) == list(range(20))  # without replacement, then exhausted
    assert drawn != list(range(20))


def test_grid_order_only_applies_to_spaces_of_lists() -> None:
    space = SearchSpace.from_user({"x": Int(0, 19)})
    drawn = [p["x"] for p in _asked_in_turn(RandomSampler(n_trials=20), space, 0)]
    assert sorted(drawn) == list(range(20))
    assert drawn != list(range(20))


def test_grid_order_resumes_where_it_stopped() -> None:
    # A resumed search (a fresh sampler, a history with holes left by trials
    # another worker holds) takes the lowest free point, as GridSampler does.
    space = SearchSpace.from_user({"x": list(range(6))})
    history = [Trial(0, {"x": 0}), Trial(1, {"x": 2})]
    asked = RandomSampler(n_trials=6).ask(space, tuple(history), rng(0, 2))
    assert asked == {"x": 1}


@pytest.mark.parametrize(
    "sampler",
    [RandomSampler(), GridSampler(shuffle=True), GridSampler()],
    ids=["random", "grid-shuffled", "grid"],
)
def test_a_finite_space_larger_than_int64_can_be_sampled(sampler: Sampler) -> None:
    # Eight Int(1, 1000) make 1e24 grid points, more than an int64 holds.
    space = SearchSpace.from_user({f"p{i}": Int(1, 1000) for i in range(8)})
    assert space.n_points == 1000**8
    params = sampler.ask(space, (), rng(0, 0))
    assert space.contains(params)


@pytest.mark.parametrize(
    "grid",
    [{"kernel": ["rbf", "rbf"]}, [{"C": [1, 10]}, {"C": [1]}]],
    ids=["duplicate-choice", "overlapping-sub-spaces"],
)
def test_a_finite_space_with_repeated_points_is_exhausted(grid: Any) -> None:
    # Equal params at several grid points are proposed once (the grid
    # sampler evaluates each, as GridSearchCV does): the sampler proposes
    # each distinct params once, then runs out.
    space = SearchSpace.from_user(grid)
    distinct = sorted({repr(space.point(i)) for i in range(space.n_points)})
    assert len(distinct) < space.n_points
    sampler = RandomSampler()
    history: list[Trial] = []
    for number in range(len(distinct)):
        params = sampler.ask(space, tuple(history), rng(0, number))
        history.append(Trial(number, params))
    with pytest.raises(SearchSpaceExhausted):
        sampler.ask(space, tuple(history), rng(0, len(history)))
    assert sorted(repr(t.params) for t in history) == distinct
