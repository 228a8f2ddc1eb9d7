"""GridSampler: every point of a finite space once, in ParameterGrid order."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from contracts.sampler import (
    PROPERTY_SETTINGS,
    SamplerContract,
    rng,
    same_params,
    user_spaces,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats
from sklearn.model_selection import ParameterGrid

from scout_sklearn import Categorical, Float, Int, SearchSpace, Trial, TrialState
from scout_sklearn.exceptions import InvalidParameterError, SearchSpaceExhausted
from scout_sklearn.samplers import GridSampler, Sampler


class TestGridSamplerContract(SamplerContract):
    finite_only = True
    evaluates_equal_points = True

    def make_sampler(self) -> Sampler:
        return GridSampler()


class TestShuffledGridSamplerContract(SamplerContract):
    finite_only = True
    evaluates_equal_points = True

    def make_sampler(self) -> Sampler:
        return GridSampler(shuffle=True)


def run_to_exhaustion(
    sampler: Sampler, space: SearchSpace, seed: int = 0, history: list[Trial] | None = None
) -> list[dict[str, Any]]:
    """Ask until SearchSpaceExhausted; every trial stays RUNNING."""
    history = list(history or [])
    asked = []
    for _ in range(space.n_points + 1):
        try:
            params = sampler.ask(space, tuple(history), rng(seed, len(history)))
        except SearchSpaceExhausted:
            return asked
        asked.append(params)
        history.append(Trial(number=len(history), params=params))
    raise AssertionError(f"still proposing after {len(asked)} asks: {asked[-3:]}")


SINGLE_GRID = {"kernel": ["rbf", "poly", "sigmoid"], "C": [0.1, 1, 10], "degree": [2, 3]}
LIST_GRID = [
    {"kernel": ["linear"], "C": [1, 10, 100]},
    {"kernel": ["rbf"], "gamma": [1e-3, 1e-4], "C": [1, 10]},
    {"kernel": ["poly"], "degree": [2, 3, 4]},
]


@pytest.mark.parametrize("grid", [SINGLE_GRID, LIST_GRID], ids=["dict", "list"])
def test_visits_the_grid_in_parameter_grid_order(grid: Any) -> None:
    expected = list(ParameterGrid(grid))
    asked = run_to_exhaustion(GridSampler(), SearchSpace.from_user(grid))
    assert len(asked) == len(expected)
    for got, want in zip(asked, expected):
        assert same_params(got, want), (got, want)


def test_int_and_float_step_follow_parameter_grid_order() -> None:
    space = SearchSpace.from_user(
        {"n": Int(10, 30, step=10), "x": Float(0.0, 1.0, step=0.25), "k": Int(1, 3)}
    )
    # The same grid written as lists, values worked out by hand.
    lists = {"n": [10, 20, 30], "x": [0.0, 0.25, 0.5, 0.75, 1.0], "k": [1, 2, 3]}
    asked = run_to_exhaustion(GridSampler(), space)
    assert asked == list(ParameterGrid(lists))


def test_max_trials_is_the_grid_size() -> None:
    assert GridSampler().max_trials(SearchSpace.from_user(LIST_GRID)) == len(
        ParameterGrid(LIST_GRID)
    )


def test_skips_points_already_in_the_history() -> None:
    space = SearchSpace.from_user(SINGLE_GRID)
    grid = list(ParameterGrid(SINGLE_GRID))
    # Points taken by trials in every state, including ones no GridSampler
    # proposed (enqueued by hand, or from another process), out of order.
    taken = {0: TrialState.RUNNING, 5: TrialState.COMPLETE, 1: TrialState.FAILED}
    taken[7] = TrialState.PRUNED
    history = [
        Trial(number=k, params=dict(grid[position]), state=state)
        for k, (position, state) in enumerate(taken.items())
    ]
    # A trial outside the grid is ignored.
    history.append(
        Trial(number=len(history), params={"C": 5, "kernel": "rbf", "degree": 2})
    )
    asked = run_to_exhaustion(GridSampler(), space, history=history)
    expected = [p for i, p in enumerate(grid) if i not in taken]
    assert asked == expected


def test_matches_history_values_of_another_numeric_type() -> None:
    # A stored trial may come back with 10.0 for 10, or a numpy scalar.
    space = SearchSpace.from_user({"C": [1, 10]})
    history = [Trial(number=0, params={"C": np.float64(1.0)})]
    assert GridSampler().ask(space, history, rng(0, 1)) == {"C": 10}


def test_raises_search_space_exhausted_when_done() -> None:
    space = SearchSpace.from_user({"C": [1, 10]})
    history = [Trial(number=0, params={"C": 10}), Trial(number=1, params={"C": 1})]
    with pytest.raises(SearchSpaceExhausted, match="2"):
        GridSampler().ask(space, history, rng(0, 2))


def test_shuffle_visits_each_point_once_in_a_seeded_order() -> None:
    space = SearchSpace.from_user(LIST_GRID)
    grid = list(ParameterGrid(LIST_GRID))
    orders = {}
    for seed in (0, 1):
        asked = run_to_exhaustion(GridSampler(shuffle=True), space, seed=seed)
        positions = [space.point_index(p) for p in asked]
        assert sorted(positions) == list(range(len(grid)))
        orders[seed] = positions
    again = run_to_exhaustion(GridSampler(shuffle=True), space, seed=0)
    assert [space.point_index(p) for p in again] == orders[0]
    assert orders[0] != orders[1]
    assert orders[0] != sorted(orders[0])


def test_shuffle_is_roughly_uniform_for_the_first_point(global_random_seed: int) -> None:
    space = SearchSpace.from_user({"x": list(range(4))})
    counts = np.zeros(4)
    for number in range(400):
        params = GridSampler(shuffle=True).ask(space, (), rng(global_random_seed, number))
        counts[params["x"]] += 1
    assert counts.min() > 60  # expected 100 each


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (Float(0.0, 1.0), "continuous range"),
        (Float(1e-3, 1.0, log=True), "continuous range"),
        (stats.loguniform(1e-3, 1.0), "scipy.stats distribution"),
        (stats.randint(0, 10), "scipy.stats distribution"),
    ],
)
def test_check_space_rejects_an_infinite_parameter(value: Any, kind: str) -> None:
    space = SearchSpace.from_user({"C": [1, 10], "gamma": value})
    with pytest.raises(InvalidParameterError, match=rf"'gamma' is .*{kind}") as excinfo:
        GridSampler().check_space(space)
    message = str(excinfo.value)
    assert repr(space[0]["gamma"]) in message
    assert "Float with step" in message
    assert "sampler='random'" in message


def test_check_space_names_the_sub_space() -> None:
    space = SearchSpace.from_user([{"C": [1]}, {"C": [1], "gamma": stats.norm()}])
    with pytest.raises(InvalidParameterError, match=r"'gamma' \(sub-space 1\) is norm\(\)"):
        GridSampler().check_space(space)


def test_check_space_accepts_finite_spaces() -> None:
    GridSampler().check_space(SearchSpace.from_user(LIST_GRID))
    GridSampler().check_space(
        SearchSpace.from_user({"x": Float(0.0, 1.0, step=0.1), "n": Int(1, 100, log=True)})
    )


def test_repr_and_params() -> None:
    assert repr(GridSampler()) == "GridSampler()"
    assert repr(GridSampler(shuffle=True)) == "GridSampler(shuffle=True)"
    assert GridSampler(shuffle=True).get_params() == {"shuffle": True}
    assert GridSampler().set_params(shuffle=True).shuffle is True


def test_a_new_space_object_resets_what_the_sampler_remembers() -> None:
    sampler = GridSampler()
    first = SearchSpace.from_user({"C": [1, 10]})
    history = [Trial(number=0, params={"C": 1})]
    assert sampler.ask(first, history, rng(0, 1)) == {"C": 10}
    second = SearchSpace.from_user({"C": [1, 10]})
    assert sampler.ask(second, [], rng(0, 0)) == {"C": 1}
    # A shorter history (another study) is noticed too.
    assert sampler.ask(first, history, rng(0, 1)) == {"C": 10}
    assert sampler.ask(first, [], rng(0, 0)) == {"C": 1}


def test_a_same_length_history_with_other_trials_is_noticed() -> None:
    sampler = GridSampler()
    space = SearchSpace.from_user({"C": [1, 10, 100]})
    assert sampler.ask(space, [Trial(number=0, params={"C": 1})], rng(0, 1)) == {"C": 10}
    assert sampler.ask(space, [Trial(number=0, params={"C": 10})], rng(0, 1)) == {"C": 1}


# -- grids with repeated points ------------------------------------------------
@pytest.mark.parametrize(
    "grid",
    [
        {"kernel": ["rbf", "rbf"]},
        {"x": Categorical([1, 2, 1])},
        [{"C": [1, 10]}, {"C": [1]}],
    ],
    ids=["duplicate-choice", "duplicate-categorical", "overlapping-sub-spaces"],
)
def test_a_grid_with_repeated_points_visits_each_repetition(grid: Any) -> None:
    # GridSearchCV evaluates a repeated value once per repetition; the sampler
    # follows ParameterGrid, and runs out after the grid's size.
    space = SearchSpace.from_user(grid)
    asked = run_to_exhaustion(GridSampler(), space)
    assert asked == list(ParameterGrid(_as_lists(grid)))
    shuffled = run_to_exhaustion(GridSampler(shuffle=True), space, seed=3)
    assert len(shuffled) == space.n_points
    assert sorted(map(repr, shuffled)) == sorted(map(repr, asked))


def _as_lists(grid: Any) -> Any:
    if isinstance(grid, list):
        return [_as_lists(g) for g in grid]
    return {
        name: list(v.choices) if isinstance(v, Categorical) else v
        for name, v in grid.items()
    }


# -- properties ----------------------------------------------------------------
def _distinct_sub_spaces(user: Any) -> bool:
    """Whether no two dicts of a list could produce the same params."""
    dicts = user if isinstance(user, list) else [user]
    return len({frozenset(d) for d in dicts}) == len(dicts)


@PROPERTY_SETTINGS
@given(
    user=user_spaces(finite_only=True).filter(_distinct_sub_spaces),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_grid_visits_each_point_exactly_once(user: Any, shuffle: bool, seed: int) -> None:
    space = SearchSpace.from_user(user)
    # Up to 700,000 points can be drawn; walking such a grid to its end
    # takes minutes here (the history grows with every ask).
    # test_used_points.py walks a 20,000-point one.
    assume(space.n_points <= 5000)
    asked = run_to_exhaustion(GridSampler(shuffle=shuffle), space, seed=seed)
    positions = [space.point_index(p) for p in asked]
    assert sorted(positions) == list(range(space.n_points))
    if not shuffle:
        assert positions == list(range(space.n_points))
