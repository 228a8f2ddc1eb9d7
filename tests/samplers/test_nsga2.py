"""NSGAIISampler: steady-state NSGA-II on several objectives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from contracts.sampler import SamplerContract, rng, same_params
from scipy import stats

from scout_sklearn import (
    Categorical,
    Float,
    FoldResult,
    Int,
    SearchSpace,
    Trial,
    TrialState,
)
from scout_sklearn._dominance import pareto_ranks
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.samplers import NSGAIISampler, RandomSampler, Sampler

OBJECTIVES = {"f1": "minimize", "f2": "minimize"}


class TestNSGAIISamplerContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        # A population of two: the contract's short histories breed children.
        return NSGAIISampler(population_size=2)


class TestNSGAIISamplerWithObjectivesContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        # The contract's trials have no folds: nothing to learn, random draws.
        return NSGAIISampler(population_size=2, objectives={"score": "maximize"})


def zdt1(params: dict[str, Any]) -> tuple[float, float]:
    x = np.array([params[f"x{i}"] for i in range(6)])
    g = 1.0 + 9.0 * x[1:].mean()
    return float(x[0]), float(g * (1.0 - np.sqrt(x[0] / g)))


ZDT_SPACE = {f"x{i}": Float(0.0, 1.0) for i in range(6)}


def fold(values: dict[str, float], **measures: float) -> FoldResult:
    return FoldResult(
        0,
        values,
        None,
        measures.get("fit_time", 0.0),
        measures.get("score_time", 0.0),
        int(measures.get("n_test_samples", 1)),
    )


def run(sampler: Sampler, n: int, seed: int) -> list[Trial]:
    space = SearchSpace.from_user(ZDT_SPACE)
    history: list[Trial] = []
    for number in range(n):
        params = sampler.ask(space, tuple(history), rng(seed, number))
        f1, f2 = zdt1(params)
        history.append(
            Trial(number, params, TrialState.COMPLETE, (fold({"f1": f1, "f2": f2}),), -f1)
        )
    return history


def hypervolume_2d(points: np.ndarray, reference: tuple[float, float]) -> float:
    front = points[pareto_ranks(points) == 1]
    front = front[np.argsort(front[:, 0])]
    area, last = 0.0, reference[1]
    for x, y in front:
        if x < reference[0] and y < last:
            area += (reference[0] - x) * (last - y)
            last = y
    return area


def test_beats_random_search_on_zdt1() -> None:
    # 150 trials of a 6-D ZDT1. Measured on these seeds: NSGA-II's
    # hypervolume (reference (1.1, 11)) is 10.5-11.5, random search's 9.5-10.1.
    def volume(sampler_factory: Any, seed: int) -> float:
        history = run(sampler_factory(), 150, seed)
        points = np.array([zdt1(t.params) for t in history])
        return hypervolume_2d(points, (1.1, 11.0))

    nsga = [volume(lambda: NSGAIISampler(objectives=OBJECTIVES), s) for s in range(3)]
    random = [volume(RandomSampler, s) for s in range(3)]
    assert all(a > b for a, b in zip(nsga, random)), (nsga, random)


def test_random_until_a_population_is_complete() -> None:
    space = SearchSpace.from_user(ZDT_SPACE)
    history = run(NSGAIISampler(objectives=OBJECTIVES), 5, seed=0)
    # Five complete and fifteen running trials: still random draws.
    history += [Trial(5 + k, space.sample(rng(9, k))) for k in range(15)]
    ours = NSGAIISampler(objectives=OBJECTIVES).ask(space, history, rng(0, 20))
    assert same_params(ours, RandomSampler().ask(space, history, rng(0, 20)))


def test_children_stay_near_the_parents() -> None:
    # After the population, children come from crossover and mutation of the
    # best trials: on ZDT1 the front has x1..x5 = 0, so they drift there.
    history = run(NSGAIISampler(objectives=OBJECTIVES), 200, seed=1)
    tail = np.array([[t.params[f"x{i}"] for i in range(1, 6)] for t in history[-50:]])
    head = np.array([[t.params[f"x{i}"] for i in range(1, 6)] for t in history[:20]])
    assert tail.mean() < 0.5 * head.mean()


def test_reads_every_objective_and_built_in_measures() -> None:
    from scout_sklearn.samplers._nsga2 import trial_objectives

    folds = (
        fold({"acc": 0.8}, fit_time=2.0, score_time=0.5, n_test_samples=10),
        fold({"acc": 0.6}, fit_time=4.0, score_time=1.5, n_test_samples=10),
    )
    trial = Trial(0, {"x": 1.0}, TrialState.COMPLETE, folds, value=0.7)
    spec = {"acc": "maximize", "fit_time": "minimize", "score_time": "minimize"}
    np.testing.assert_allclose(trial_objectives(trial, spec), [-0.7, 3.0, 0.1])
    assert trial_objectives(trial, {"missing": "maximize"}) is None
    np.testing.assert_allclose(trial_objectives(trial, None), [-0.7])


def test_never_repeats_tried_params() -> None:
    # Two categorical and one stepped parameter: 24 points, many children equal a parent.
    space = SearchSpace.from_user(
        {"a": ["x", "y", "z"], "b": Categorical([True, False]), "c": Int(0, 3)}
    )
    sampler = NSGAIISampler(population_size=4, objectives=OBJECTIVES)
    history: list[Trial] = []
    for number in range(space.n_points):
        params = sampler.ask(space, tuple(history), rng(0, number))
        values = {"f1": float(params["c"]), "f2": float(params["a"] == "x")}
        history.append(Trial(number, params, TrialState.COMPLETE, (fold(values),), 0.0))
    keys = {(t.params["a"], t.params["b"], t.params["c"]) for t in history}
    assert len(keys) == space.n_points


def test_a_scipy_discrete_space_with_every_value_tried_still_gets_an_answer() -> None:
    # randint(0, 2) is not enumerated (the space is not finite to the
    # sampler), so nothing says its two values are all there is: the
    # random fallback drew for ever once both were tried.
    space = SearchSpace.from_user({"depth": stats.randint(0, 2)})
    sampler = NSGAIISampler(population_size=2, objectives=OBJECTIVES)
    history: list[Trial] = []
    for number in range(8):
        params = sampler.ask(space, tuple(history), rng(0, number))
        assert params["depth"] in (0, 1)
        values = {"f1": float(params["depth"]), "f2": -float(params["depth"])}
        history.append(Trial(number, params, TrialState.COMPLETE, (fold(values),), 0.0))
    assert {t.params["depth"] for t in history} == {0, 1}


def test_continuous_space_never_repeats_a_parent() -> None:
    # No mutation and no crossover: every child is a copy, so each must be redrawn.
    sampler = NSGAIISampler(
        population_size=3, crossover_prob=0.0, mutation_prob=0.0, objectives=OBJECTIVES
    )
    space = SearchSpace.from_user({"x": Float(0.0, 1.0), "k": ["a", "b"]})
    history: list[Trial] = []
    for number in range(30):
        params = sampler.ask(space, tuple(history), rng(0, number))
        values = {"f1": params["x"], "f2": 1.0 - params["x"]}
        history.append(Trial(number, params, TrialState.COMPLETE, (fold(values),), 0.0))
    keys = {(t.params["x"], t.params["k"]) for t in history}
    assert len(keys) == 30


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"population_size": 1}, r"'population_size' parameter .* range \[2, 100000\]"),
        ({"crossover_prob": 1.5}, r"'crossover_prob' parameter .* \[0, 1\]"),
        ({"mutation_prob": -0.1}, r"'mutation_prob' parameter"),
        ({"eta_crossover": 0}, r"'eta_crossover' parameter"),
        ({"objectives": {"acc": "max"}}, r"'objectives' parameter .* 'maximize' or"),
        ({"objectives": {}}, r"'objectives' parameter .* non-empty dict.* Got \{\}"),
        ({"objectives": ["acc"]}, r"'objectives' parameter .* Got \['acc'\]"),
    ],
)
def test_bad_parameters(params: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        NSGAIISampler(**params)
    sampler = NSGAIISampler().set_params(**params)
    with pytest.raises(InvalidParameterError, match=match):
        sampler.check_space(SearchSpace.from_user(ZDT_SPACE))


def test_refuses_a_distribution_without_unit_coordinate() -> None:
    class Draws:
        def rvs(self, random_state: Any = None) -> float:
            return 0.5

    with pytest.raises(InvalidParameterError, match="cdf/ppf"):
        NSGAIISampler().check_space(SearchSpace.from_user({"x": Draws()}))


def test_violation_of_constraints() -> None:
    from scout_sklearn.samplers._nsga2 import trial_violation

    folds = (fold({"acc": 0.8}, fit_time=2.0), fold({"acc": 0.6}, fit_time=4.0))
    trial = Trial(0, {"x": 1.0}, TrialState.COMPLETE, folds, value=0.7)
    assert trial_violation(trial, None) == 0.0
    assert trial_violation(trial, {"acc": (">=", 0.5), "fit_time": ("<=", 3.0)}) == 0.0
    # (0.8 - 0.7) / 0.8 + (3.0 - 2.0) / 2.0
    violation = trial_violation(trial, {"acc": (">=", 0.8), "fit_time": ("<=", 2.0)})
    assert violation == pytest.approx(0.125 + 0.5)
    assert trial_violation(trial, {"missing": ("<=", 1.0)}) == float("inf")


def test_constraints_steer_the_search_to_the_feasible_part() -> None:
    # ZDT1 with f1 >= 0.6: the feasible front is x0 >= 0.6.
    space = SearchSpace.from_user(ZDT_SPACE)
    sampler = NSGAIISampler(objectives=OBJECTIVES, constraints={"f1": (">=", 0.6)})
    history: list[Trial] = []
    for number in range(120):
        params = sampler.ask(space, tuple(history), rng(0, number))
        f1, f2 = zdt1(params)
        folds = (fold({"f1": f1, "f2": f2}),)
        history.append(Trial(number, params, TrialState.COMPLETE, folds, -f1))
    late = np.array([t.params["x0"] for t in history[-40:]])
    assert np.mean(late >= 0.6) > 0.8, late


@pytest.mark.parametrize(
    "constraints",
    [{}, {"acc": ("<", 1.0)}, {"acc": 1.0}, {"acc": ("<=", float("nan"))}, {"": ("<=", 1)}],
)
def test_bad_constraints(constraints: Any) -> None:
    with pytest.raises(InvalidParameterError, match=r"'constraints' parameter .* '<=' or"):
        NSGAIISampler(constraints=constraints)
