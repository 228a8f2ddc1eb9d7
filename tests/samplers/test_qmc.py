"""QMCSampler: a scrambled Sobol' or Halton sequence, one point per trial."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from contracts.sampler import SamplerContract, rng, same_params
from scipy.stats import qmc

from scout_sklearn import Float, Int, SearchSpace, Trial, TrialState
from scout_sklearn.exceptions import InvalidParameterError, SearchSpaceExhausted
from scout_sklearn.samplers import QMCSampler, Sampler


class TestQMCSamplerSobolContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        return QMCSampler()


class TestQMCSamplerHaltonContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        return QMCSampler(qmc_type="halton", seed=3)


def run(
    sampler: QMCSampler, user_space: Any, n: int, seed: int = 0
) -> list[dict[str, Any]]:
    """Ask ``n`` trials in a row, each COMPLETE before the next one."""
    space = SearchSpace.from_user(user_space)
    history: list[Trial] = []
    for number in range(n):
        params = sampler.ask(space, tuple(history), rng(seed, number))
        history.append(Trial(number, params, TrialState.COMPLETE, value=0.0))
    return [t.params for t in history]


UNIT_CUBE = {"a": Float(0.0, 1.0), "b": Float(0.0, 1.0), "c": Float(0.0, 1.0)}


def as_array(draws: list[dict[str, Any]], names: str = "abc") -> np.ndarray:
    return np.array([[params[name] for name in names] for params in draws])


@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_first_power_of_two_points_are_a_sobol_net(seed: int) -> None:
    # The first 2**m points of a scrambled Sobol' sequence put exactly one
    # point in each of the 2**m equal slices of every axis.
    points = as_array(run(QMCSampler(seed=seed), UNIT_CUBE, 8))
    for axis in range(3):
        cells = np.floor(points[:, axis] * 8).astype(int)
        assert sorted(cells) == list(range(8))
    # ... and one point in each of the 4 quarter-squares of the first two axes.
    cells_2d = np.floor(points[:4, :2] * 2).astype(int)
    assert sorted(map(tuple, cells_2d)) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_halton_points_are_stratified_per_axis() -> None:
    points = as_array(run(QMCSampler("halton", seed=7), UNIT_CUBE, 9))
    # Axis 0 follows base 2 (8 points, 8 cells), axis 1 base 3 (9 points, 9 cells).
    assert sorted(np.floor(points[:8, 0] * 8).astype(int)) == list(range(8))
    assert sorted(np.floor(points[:9, 1] * 9).astype(int)) == list(range(9))


def test_points_cover_the_cube_more_evenly_than_random_draws() -> None:
    sobol = as_array(run(QMCSampler(), UNIT_CUBE, 64))
    random = np.random.default_rng(0).random((64, 3))
    assert qmc.discrepancy(sobol) < 0.5 * qmc.discrepancy(random)


def test_same_seed_same_points_different_seed_different_points() -> None:
    first = run(QMCSampler(seed=5), UNIT_CUBE, 6, seed=0)
    # The trial generators do not matter: the sequence depends on ``seed``.
    again = run(QMCSampler(seed=5), UNIT_CUBE, 6, seed=99)
    assert all(same_params(a, b) for a, b in zip(first, again))
    other = run(QMCSampler(seed=6), UNIT_CUBE, 6, seed=0)
    assert not any(same_params(a, b) for a, b in zip(first, other))


def test_without_a_seed_the_design_follows_the_study_seed() -> None:
    # Trial generators are seeded by the study seed and the trial number
    # (``run`` does it as a study would): seed=None takes the design from the
    # study's first trial, so a study seed gives one design and another seed
    # another, as random_state does for every other sampler.
    first = run(QMCSampler(), UNIT_CUBE, 8, seed=0)
    again = run(QMCSampler(), UNIT_CUBE, 8, seed=0)
    assert all(same_params(a, b) for a, b in zip(first, again))
    other = run(QMCSampler(), UNIT_CUBE, 8, seed=1)
    assert not any(same_params(a, b) for a, b in zip(first, other))
    # After the random first trial, the points are still spread: one in each
    # half of every axis among the first 8, more evenly than 8 random draws.
    points = as_array(first)
    for axis in range(3):
        assert 3 <= np.sum(points[:, axis] < 0.5) <= 5


def test_trial_k_takes_point_k_whatever_the_states_and_samplers() -> None:
    space = SearchSpace.from_user(UNIT_CUBE)
    expected = run(QMCSampler(), UNIT_CUBE, 6)
    # A resumed search (fresh sampler) with running, failed and enqueued
    # trials in the history still hands out point 5 to the sixth trial.
    history = [
        Trial(0, expected[0], TrialState.COMPLETE, value=1.0),
        Trial(1, {"a": 0.5, "b": 0.5, "c": 0.5}, TrialState.FAILED),
        Trial(2, expected[2], TrialState.RUNNING),
        Trial(3, expected[3], TrialState.PRUNED),
        Trial(4, expected[4], TrialState.RUNNING),
    ]
    got = QMCSampler().ask(space, history, rng(0, 5))
    assert same_params(got, expected[5])


def test_concurrent_running_trials_get_different_points() -> None:
    space = SearchSpace.from_user(UNIT_CUBE)
    sampler = QMCSampler()
    history: list[Trial] = []
    for number in range(4):
        history.append(Trial(number, sampler.ask(space, tuple(history), rng(0, number))))
    assert len({tuple(p.params.values()) for p in history}) == 4


def test_unscrambled_sobol_starts_at_the_lower_corner_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draws = run(
            QMCSampler(scramble=False, seed=0), {"x": Float(2.0, 3.0), "n": Int(1, 9)}, 5
        )
    assert draws[0] == {"n": 1, "x": 2.0}
    assert draws[1] == {"n": 5, "x": 2.5}


def test_a_finite_space_is_visited_once_then_exhausted() -> None:
    grid = {"C": [0.1, 1.0, 10.0], "n": Int(1, 4), "kernel": ["rbf", "poly"]}
    space = SearchSpace.from_user(grid)
    sampler = QMCSampler()
    history: list[Trial] = []
    for number in range(space.n_points):
        history.append(Trial(number, sampler.ask(space, tuple(history), rng(0, number))))
    positions = sorted(space.point_index(t.params) for t in history)
    assert positions == list(range(space.n_points))
    with pytest.raises(SearchSpaceExhausted, match="All 24 points"):
        sampler.ask(space, tuple(history), rng(0, space.n_points))
    assert sampler.max_trials(space) == 24
    assert sampler.max_trials(SearchSpace.from_user(UNIT_CUBE)) is None


def test_conditional_space_takes_sub_spaces_in_turn() -> None:
    grid = [
        {"kernel": ["linear"], "C": Float(0.1, 10.0)},
        {"kernel": ["rbf"], "C": Float(0.1, 10.0), "gamma": Float(1e-4, 1.0, log=True)},
        {"kernel": ["poly"]},  # a single point: visited once, then skipped
    ]
    draws = run(QMCSampler(seed=0), grid, 9)
    kernels = [params["kernel"] for params in draws]
    assert kernels[:3] == ["linear", "rbf", "poly"]
    assert kernels.count("poly") == 1
    assert kernels.count("linear") == kernels.count("rbf") == 4
    # Each sub-space follows its own sequence: the linear trials' C values
    # are stratified like a one-dimensional Sobol' sequence.
    c_values = [p["C"] for p in draws if p["kernel"] == "linear"]
    assert sorted(int((c - 0.1) / 9.9 * 4) for c in c_values) == [0, 1, 2, 3]


def test_an_object_without_quantiles_is_drawn_with_its_rvs() -> None:
    class Coin:
        def rvs(self, random_state: np.random.Generator) -> float:
            return float(random_state.choice([0.25, 0.75]))

    draws = run(QMCSampler(seed=0), {"p": Coin(), "x": Float(0.0, 1.0)}, 16)
    assert {params["p"] for params in draws} == {0.25, 0.75}
    # The other parameter still follows the sequence.
    assert sorted(int(params["x"] * 16) for params in draws) == list(range(16))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"qmc_type": "lhs"}, r"'qmc_type' parameter of QMCSampler must be a str among"),
        ({"scramble": "yes"}, r"'scramble' parameter of QMCSampler must be a bool"),
        ({"seed": -1}, r"'seed' parameter of QMCSampler must be an int in the range"),
        ({"seed": 1.5}, r"'seed' parameter of QMCSampler must be an int"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        QMCSampler(**kwargs)


def test_set_params_is_checked_before_asking() -> None:
    sampler = QMCSampler().set_params(qmc_type="latin")
    space = SearchSpace.from_user(UNIT_CUBE)
    with pytest.raises(InvalidParameterError, match=r"'qmc_type'.*Got 'latin'"):
        sampler.check_space(space)
    with pytest.raises(InvalidParameterError, match="'qmc_type'"):
        sampler.ask(space, (), rng(0, 0))


def test_repr_shows_changed_arguments() -> None:
    assert repr(QMCSampler()) == "QMCSampler()"
    assert repr(QMCSampler(seed=0)) == "QMCSampler(seed=0)"
    assert repr(QMCSampler("halton", seed=2)) == "QMCSampler(qmc_type='halton', seed=2)"
