"""GPSampler: Bayesian optimisation with a Gaussian process."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from contracts.sampler import SamplerContract, rng
from scipy import linalg, stats

from scout_sklearn import Categorical, Float, Int, SearchSpace, Trial, TrialState
from scout_sklearn.exceptions import InvalidParameterError, SearchSpaceExhausted
from scout_sklearn.samplers import GPSampler, RandomSampler, Sampler


class TestGPContract(SamplerContract):
    def make_sampler(self) -> Sampler:
        # Two startup trials, so the hypothesis histories (up to 8 trials)
        # exercise the model; few candidates keep the property tests fast.
        return GPSampler(n_startup_trials=2, n_candidates=32, n_refinements=1)


def complete(number: int, params: dict[str, Any], value: float) -> Trial:
    return Trial(number=number, params=params, state=TrialState.COMPLETE, value=value)


def minimise(
    sampler: Sampler, space: SearchSpace, loss: Any, n_trials: int, seed: int
) -> list[Trial]:
    history: list[Trial] = []
    for number in range(n_trials):
        params = sampler.ask(space, tuple(history), rng(seed, number))
        history.append(complete(number, params, -loss(params)))
    return history


def bowl(params: dict[str, Any]) -> float:
    return (params["x"] - 0.3) ** 2 + (params["y"] + 0.2) ** 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_finds_the_optimum_of_a_smooth_function_better_than_random(seed: int) -> None:
    # 25 trials on [-1, 1]^2. A random point lands within sqrt(1e-3) of the
    # minimum with probability pi * 1e-3 / 4 < 0.1%, so 25 random trials reach
    # a loss below 1e-3 about 2% of the time; the GP needs a few model steps.
    space = SearchSpace.from_user({"x": Float(-1.0, 1.0), "y": Float(-1.0, 1.0)})
    gp = minimise(GPSampler(n_startup_trials=5), space, bowl, 25, seed)
    random = minimise(RandomSampler(), space, bowl, 25, seed)
    gp_loss = -max(t.value for t in gp)  # type: ignore[type-var]
    random_loss = -max(t.value for t in random)  # type: ignore[type-var]
    assert gp_loss < 1e-4
    assert gp_loss < random_loss / 10


def test_lcb_acquisition_also_converges() -> None:
    space = SearchSpace.from_user({"x": Float(-1.0, 1.0), "y": Float(-1.0, 1.0)})
    history = minimise(GPSampler(n_startup_trials=5, acquisition="lcb"), space, bowl, 20, 0)
    assert -max(t.value for t in history) < 1e-2  # type: ignore[type-var]


def test_mixed_space_with_log_int_and_categorical_is_modelled() -> None:
    space = SearchSpace.from_user(
        {
            "C": Float(1e-3, 1e3, log=True),
            "n": Int(1, 100, log=True),
            "depth": Int(1, 10),
            "kernel": Categorical(["rbf", "poly", "linear"]),
            "g": stats.loguniform(1e-4, 1.0),
        }
    )

    def loss(p: dict[str, Any]) -> float:
        return (
            (math.log10(p["C"]) - 1) ** 2
            + (math.log(p["n"]) - math.log(20)) ** 2
            + 0.1 * (p["depth"] - 4) ** 2
            + (p["kernel"] != "poly")
            + (math.log10(p["g"]) + 2) ** 2
        )

    history = minimise(GPSampler(n_startup_trials=8, n_candidates=256), space, loss, 30, 0)
    for trial in history:
        assert space.contains(trial.params)
    assert isinstance(history[-1].params["n"], int)
    best = max(history, key=lambda t: t.value)  # type: ignore[arg-type, return-value]
    startup_best = max(t.value for t in history[:8])  # type: ignore[type-var]
    assert best.value > startup_best  # type: ignore[operator]
    assert best.params["kernel"] == "poly"


def test_concurrent_asks_with_running_trials_give_distinct_params() -> None:
    space = SearchSpace.from_user({"x": Float(-1.0, 1.0), "y": Float(-1.0, 1.0)})
    sampler = GPSampler(n_startup_trials=5)
    history = minimise(sampler, space, bowl, 12, seed=0)
    # Four workers ask one after another while the others' trials run.
    running: list[dict[str, Any]] = []
    for number in range(12, 16):
        params = sampler.ask(space, tuple(history), rng(0, number))
        running.append(params)
        history.append(Trial(number=number, params=params))
    points = np.array([[p["x"], p["y"]] for p in running])
    distances = np.linalg.norm(points[:, None] - points[None, :], axis=-1)
    assert np.all(distances[np.triu_indices(4, k=1)] > 1e-3)


def test_finite_space_is_never_repeated_and_is_exhausted() -> None:
    space = SearchSpace.from_user({"a": Int(0, 4), "b": ["x", "y"]})
    sampler = GPSampler(n_startup_trials=3)
    history = minimise(sampler, space, lambda p: (p["a"] - 2) ** 2 + (p["b"] == "y"), 10, 0)
    positions = sorted(space.point_index(t.params) for t in history)  # type: ignore[type-var]
    assert positions == list(range(10))
    with pytest.raises(SearchSpaceExhausted, match="All 10 points"):
        sampler.ask(space, tuple(history), rng(0, 10))
    assert sampler.max_trials(space) == 10


def test_max_trials_is_none_for_an_infinite_space() -> None:
    assert GPSampler().max_trials(SearchSpace.from_user({"x": Float(0, 1)})) is None


@pytest.mark.parametrize(
    "history",
    [
        [complete(k, {"x": 0.1 * k, "y": 0.5}, 1.0) for k in range(6)],
        [complete(0, {"x": 0.2, "y": 0.5}, 1.0)],
        [complete(k, {"x": 0.2, "y": 0.5}, float(k)) for k in range(6)],
        [
            Trial(number=k, params={"x": 0.1 * k, "y": 0.0}, state=TrialState.FAILED)
            for k in range(6)
        ],
        [complete(k, {"x": 0.1 * k, "y": 0.1 * k}, (-1) ** k * 1e300) for k in range(6)],
    ],
    ids=["identical-values", "single", "one-point", "all-failed", "huge-values"],
)
def test_degenerate_histories_do_not_crash(history: list[Trial]) -> None:
    space = SearchSpace.from_user({"x": Float(0.0, 1.0), "y": Float(0.0, 1.0)})
    sampler = GPSampler(n_startup_trials=1)
    params = sampler.ask(space, tuple(history), rng(0, len(history)))
    assert space.contains(params)


def test_a_failing_fit_falls_back_to_a_random_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scout_sklearn.samplers import _gp

    def broken_fit(*args: object) -> None:
        raise linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(_gp, "fit_hyperparameters", broken_fit)
    space = SearchSpace.from_user({"x": Float(0.0, 1.0), "y": Float(0.0, 1.0)})
    history = [complete(k, {"x": 0.1 * k, "y": 0.3}, float(k)) for k in range(6)]
    params = GPSampler(n_startup_trials=2).ask(space, history, rng(0, 6))
    assert space.contains(params)


def test_startup_design_spreads_and_resumes() -> None:
    # The design is a Sobol' sequence shifted by the first trial: the first
    # eight points fall in eight different eighths of [0, 1], and a fresh
    # sampler given the same history continues with the same point.
    space = SearchSpace.from_user({"x": Float(0.0, 1.0)})
    sampler = GPSampler(n_startup_trials=8)
    history = minimise(sampler, space, lambda p: p["x"], 8, seed=4)
    cells = sorted(int(t.params["x"] * 8) for t in history)
    assert cells == list(range(8))
    resumed = GPSampler(n_startup_trials=10).ask(space, tuple(history), rng(4, 8))
    assert resumed == GPSampler(n_startup_trials=10).ask(space, tuple(history), rng(4, 8))


def test_a_distribution_without_quantiles_is_rejected_by_check_space() -> None:
    class Coin:
        def rvs(self, random_state: np.random.Generator) -> float:
            return float(random_state.choice([0.25, 0.75]))

    space = SearchSpace.from_user({"p": Coin(), "x": Float(0.0, 1.0)})
    with pytest.raises(InvalidParameterError, match=r"'p'.*no cdf/ppf"):
        GPSampler().check_space(space)
    # Asked anyway, it draws at random rather than crash.
    assert space.contains(GPSampler().ask(space, (), rng(0, 0)))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("n_startup_trials", -1),
        ("n_startup_trials", 2.5),
        ("acquisition", "pi"),
        ("kappa", -0.1),
        ("kappa", float("inf")),
        ("n_candidates", 0),
        ("n_refinements", -2),
    ],
)
def test_bad_constructor_arguments_are_rejected(name: str, value: object) -> None:
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of GPSampler"):
        GPSampler(**{name: value})


def test_repr_shows_changed_arguments() -> None:
    assert repr(GPSampler()) == "GPSampler()"
    assert repr(GPSampler(acquisition="lcb", kappa=3.0)) == (
        "GPSampler(acquisition='lcb', kappa=3.0)"
    )


@pytest.mark.parametrize("acquisition", ["ei", "ucb"])
def test_acquisition_gradient_matches_finite_differences(acquisition: str) -> None:
    # The L-BFGS-B refinement trusts this analytic gradient.
    from scout_sklearn.samplers import _gp_model

    space = SearchSpace.from_user(
        {"a": Float(0, 1), "b": Float(1e-3, 1, log=True), "c": ["x", "y", "z"]}
    )
    layout = _gp_model.Layout.of(space[0])
    generator = np.random.default_rng(0)
    X = layout.snap(generator.random((30, 3)))
    y = np.sin(6 * X[:, 0]) + X[:, 1] + (layout.choices(X)[:, 0] == 1)
    y = (y - y.mean()) / y.std()
    model = _gp_model.condition(layout, np.array([0.3, 0.5, 1.0]), 1.0, 1e-2, X, y)
    best = _gp_model.incumbent(model, len(y))
    score = _gp_model.Acquisition(model, acquisition, 1.96, best)
    U = layout.snap(generator.random((4, 3)))
    value, gradient = score.value_and_gradient(
        model.local_predictor(U), U[:, layout.continuous]
    )
    np.testing.assert_allclose(value, score.value(U), rtol=1e-8)
    for j, column in enumerate(np.flatnonzero(layout.continuous)):
        step = np.zeros_like(U)
        step[:, column] = 1e-6
        numeric = (score.value(U + step) - score.value(U - step)) / 2e-6
        np.testing.assert_allclose(gradient[:, j], numeric, rtol=1e-4, atol=1e-6)


def test_the_prediction_is_the_textbook_posterior() -> None:
    # predict computes the kernel in place and the variance by a triangular
    # solve; both must give the posterior mean and variance of the formulas
    # (RW eq. 2.25-2.26), on a mixed space with a categorical parameter.
    from scout_sklearn.samplers import _gp_model

    space = SearchSpace.from_user({"a": Float(0, 1), "b": Int(1, 50), "c": ["x", "y", "z"]})
    layout = _gp_model.Layout.of(space[0])
    generator = np.random.default_rng(1)
    X = layout.snap(generator.random((150, 3)))
    y = np.cos(5 * X[:, 0]) - X[:, 1] + 0.5 * (layout.choices(X)[:, 0] == 2)
    y = (y - y.mean()) / y.std()
    scales, signal, noise = np.array([0.2, 0.4, 1.0]), 1.3, 1e-2
    model = _gp_model.condition(layout, scales, signal, noise, X, y)
    U = layout.snap(generator.random((1000, 3)))

    def kernel(A: np.ndarray, B: np.ndarray) -> np.ndarray:
        parts = _gp_model._pairwise_parts(layout, A, B)
        r = np.sqrt(parts @ (1.0 / scales**2))
        return signal * (1 + math.sqrt(5) * r + 5 / 3 * r**2) * np.exp(-math.sqrt(5) * r)

    K = kernel(X, X) + (noise + _gp_model._JITTER) * np.eye(len(X))
    k = kernel(U, X)
    mean, std = model.predict(U)
    np.testing.assert_allclose(mean, k @ linalg.solve(K, y), rtol=1e-9, atol=1e-9)
    variance = signal - np.einsum("ij,ji->i", k, linalg.solve(K, k.T))
    np.testing.assert_allclose(std**2, np.maximum(variance, 1e-12), rtol=1e-6, atol=1e-9)


def test_hyperparameters_are_refitted_on_a_schedule_and_a_fresh_sampler_agrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Up to 10 complete trials the kernel is fitted at every ask, then each
    # time the count has grown by 20%, each fit starting from the one
    # before; a fresh sampler (a resumed search) follows the same chain of
    # fits to the same hyperparameters and proposes the same params.
    from scout_sklearn.samplers import _gp

    assert [_gp._refit_point(n) for n in (1, 5, 10, 11, 12, 26, 27, 39, 40)] == [
        1, 5, 10, 10, 12, 22, 27, 33, 40,
    ]  # fmt: skip
    fits: list[tuple[int, Any]] = []
    fit = _gp.fit_hyperparameters

    def counting_fit(
        layout: Any, X: np.ndarray, y: np.ndarray, start: np.ndarray | None = None
    ) -> np.ndarray:
        theta = fit(layout, X, y, start)
        fits.append((len(X), None if start is None else start.copy()))
        return theta

    monkeypatch.setattr(_gp, "fit_hyperparameters", counting_fit)
    space = SearchSpace.from_user({"x": Float(-1.0, 1.0), "y": Float(-1.0, 1.0)})
    sampler = GPSampler(n_startup_trials=5, n_candidates=64)
    history = minimise(sampler, space, bowl, 42, seed=0)
    assert [n for n, _ in fits] == [*range(2, 11), 12, 15, 18, 22, 27, 33, 40]
    # The first fit starts from the fixed start, each later one from the
    # previous fit's optimum (which differs from the fixed start).
    layout = _gp.Layout.of(space[0])
    np.testing.assert_array_equal(fits[0][1], _gp.start_theta(layout))
    assert all(start is not None for _, start in fits[1:])
    assert not np.array_equal(fits[-1][1], _gp.start_theta(layout))
    n_before = len(fits)
    fresh = GPSampler(n_startup_trials=5, n_candidates=64)
    assert fresh.ask(space, tuple(history), rng(0, 42)) == sampler.ask(
        space, tuple(history), rng(0, 42)
    )
    assert [n for n, _ in fits[n_before:]] == [*range(2, 11), 12, 15, 18, 22, 27, 33, 40]


def test_an_ask_runs_blas_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small matrices: BLAS threads cost more than they save, most of all on a
    # machine busy with the search's own workers.
    from threadpoolctl import threadpool_info

    from scout_sklearn.samplers import _gp

    seen: list[int] = []
    fit = _gp.fit_hyperparameters

    def watching_fit(layout: Any, X: np.ndarray, y: np.ndarray, start: Any) -> np.ndarray:
        seen.extend(pool["num_threads"] for pool in threadpool_info())
        return fit(layout, X, y, start)

    monkeypatch.setattr(_gp, "fit_hyperparameters", watching_fit)
    space = SearchSpace.from_user({"x": Float(-1.0, 1.0), "y": Float(-1.0, 1.0)})
    minimise(GPSampler(n_startup_trials=3, n_candidates=32), space, bowl, 5, seed=0)
    assert seen
    assert set(seen) == {1}


def test_an_ask_gives_the_blas_threads_back() -> None:
    # Only the pools above one thread are set to one during an ask, and they
    # get their own count back after it.
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=2):
        before = [pool["num_threads"] for pool in threadpool_info()]
        if max(before, default=1) < 2:
            pytest.skip("no thread pool here takes two threads")
        space = SearchSpace.from_user({"x": Float(-1.0, 1.0), "y": Float(-1.0, 1.0)})
        minimise(GPSampler(n_startup_trials=3, n_candidates=32), space, bowl, 5, seed=0)
        assert [pool["num_threads"] for pool in threadpool_info()] == before


def test_the_incumbent_is_the_best_posterior_mean_not_a_lucky_score() -> None:
    # Noisy scores: a lucky trial's observed value is above what the model
    # believes there, and expected improvement improves on the belief.
    from scout_sklearn.samplers import _gp_model

    space = SearchSpace.from_user({"x": Float(0.0, 1.0)})
    layout = _gp_model.Layout.of(space[0])
    generator = np.random.default_rng(0)
    X = generator.random((25, 1))
    y = np.sin(3 * X[:, 0]) + generator.normal(0.0, 0.3, size=25)
    y = (y - y.mean()) / y.std()
    noisy = _gp_model.condition(layout, np.array([0.5]), 1.0, 0.3, X, y)
    assert _gp_model.incumbent(noisy, 25) < y.max() - 0.05
    exact = _gp_model.condition(layout, np.array([0.5]), 1.0, 1e-9, X, y)
    assert _gp_model.incumbent(exact, 25) == pytest.approx(y.max(), abs=1e-2)


def test_a_conditional_space_is_modelled_after_the_study_wide_startup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three sub-spaces and n_startup_trials=6: the model starts after six
    # trials in all, not six in each (which would be 18 random trials).
    from scout_sklearn.samplers import _gp

    fits: list[int] = []
    fit = _gp.fit_hyperparameters

    def counting_fit(layout: Any, X: np.ndarray, y: np.ndarray, start: Any) -> np.ndarray:
        fits.append(len(X))
        return fit(layout, X, y, start)

    monkeypatch.setattr(_gp, "fit_hyperparameters", counting_fit)
    space = SearchSpace.from_user(
        [
            {"kind": ["a"], "x": Float(0.0, 1.0)},
            {"kind": ["b"], "x": Float(0.0, 1.0), "y": Float(0.0, 1.0)},
            {"kind": ["c"], "z": Float(0.0, 1.0)},
        ]
    )

    def loss(p: dict[str, Any]) -> float:
        return sum((v - 0.4) ** 2 for k, v in p.items() if k != "kind")

    minimise(GPSampler(n_startup_trials=6, n_candidates=32), space, loss, 12, seed=0)
    assert fits


def test_snap_is_row_by_row() -> None:
    # _pick snaps all ranked candidates in one call and reads each row's key:
    # that equals snapping each row alone only if snap never mixes rows.
    from scout_sklearn.samplers import _gp_model

    space = SearchSpace.from_user(
        {
            "n": Int(1, 60),
            "k": Int(2, 500, log=True),
            "s": Float(0, 1, step=0.1),
            "x": Float(1e-3, 10, log=True),
            "c": ["a", "b", "c"],
        }
    )
    layout = _gp_model.Layout.of(space[0])
    U = np.random.default_rng(0).uniform(-0.2, 1.2, size=(200, 5))
    together = layout.snap(U.copy())
    alone = np.vstack([layout.snap(row[None, :].copy()) for row in U])
    np.testing.assert_array_equal(together, alone)
    # and the snapped rows are values the space can take, stable under snap
    np.testing.assert_array_equal(layout.snap(together.copy()), together)


def test_small_finite_space_gets_distinct_points_until_exhausted() -> None:
    space = SearchSpace.from_user({"n": Int(1, 6), "w": ["u", "d"]})
    sampler = GPSampler(n_startup_trials=2)
    history: list[Trial] = []
    for number in range(space.n_points):
        params = sampler.ask(space, tuple(history), rng(0, number))
        history.append(complete(number, params, -abs(params["n"] - 4)))
    assert len({(t.params["n"], t.params["w"]) for t in history}) == space.n_points
    with pytest.raises(SearchSpaceExhausted):
        sampler.ask(space, tuple(history), rng(0, space.n_points))


def test_finite_sub_spaces_with_the_same_coordinates_keep_their_own_params(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two sub-spaces whose points have the same unit coordinates (a one-value
    # "kind" sits at 0.5 in both): the params kept per snapped point must be
    # those of the sub-space asked. The same generator draws the same point
    # twice, first in "a", then in "b" (the sub-space is forced).
    from scout_sklearn.samplers import _gp

    chosen = iter([0, 1])
    monkeypatch.setattr(_gp, "choose_subspace", lambda *args, **kwargs: next(chosen))
    space = SearchSpace.from_user(
        [{"kind": ["a"], "n": Int(1, 4)}, {"kind": ["b"], "n": Int(1, 4)}]
    )
    sampler = GPSampler()
    first = sampler.ask(space, (), rng(0, 0))
    second = sampler.ask(space, (), rng(0, 0))
    assert (first["kind"], second["kind"]) == ("a", "b")
    assert first["n"] == second["n"]


def test_point_codes_tell_snapped_points_apart_exactly() -> None:
    from scout_sklearn.samplers import _gp_model

    space = SearchSpace.from_user(
        {
            "n": Int(1, 60),
            "k": Int(2, 500, log=True),
            "s": Float(0, 1, step=0.1),
            "c": ["a", "b", "c"],
        }
    )
    layout = _gp_model.Layout.of(space[0])
    snapped = layout.snap(np.random.default_rng(0).uniform(-0.2, 1.2, size=(3000, 4)))
    codes = layout.point_codes(snapped)
    assert codes is not None
    # one code per distinct point, and no two distinct points share one:
    # pairing each row with its code adds no distinct pair to either alone
    n_points = len(np.unique(snapped, axis=0))
    assert len(np.unique(codes)) == n_points
    assert len(np.unique(np.column_stack([codes, snapped]), axis=0)) == n_points
    assert 100 < n_points < 3000  # the test has repeats and variety
    continuous = _gp_model.Layout.of(SearchSpace.from_user({"x": Float(0, 1)})[0])
    assert continuous.point_codes(np.full((3, 1), 0.5)) is None


@pytest.mark.parametrize("seed", [0, 1])
def test_scoring_each_discrete_point_once_proposes_what_scoring_every_copy_did(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # knn_digits' space: 1,024 candidates on 240 points. Without the codes
    # (None, as for a continuous space) every copy is scored; the proposals
    # must be the same.
    from scout_sklearn.samplers import _gp_model

    space = SearchSpace.from_user(
        {"n": Int(1, 60), "w": ["uniform", "distance"], "p": [1, 2]}
    )

    def loss(params: dict[str, Any]) -> float:
        wrong_weights = params["w"] == "uniform"
        return (params["n"] - 17) ** 2 / 100 + wrong_weights + 0.3 * params["p"]

    deduplicated = minimise(GPSampler(), space, loss, 30, seed)
    monkeypatch.setattr(_gp_model.Layout, "point_codes", lambda self, U: None)
    every_copy = minimise(GPSampler(), space, loss, 30, seed)
    assert [t.params for t in deduplicated] == [t.params for t in every_copy]


@pytest.mark.parametrize("scores", ["model", "nan_first", "ties", "all_nan"])
def test_the_best_candidate_alone_is_the_first_of_the_full_ranking(
    monkeypatch: pytest.MonkeyPatch, scores: str
) -> None:
    # On an infinite space an ask takes the best candidate without sorting
    # them all; it must be the one the stable sort puts first, with NaN
    # scores (sorted last) and ties (the first copy wins) too.
    from scout_sklearn.samplers import _gp, _gp_model

    value = _gp_model.Acquisition.value

    def doctored(self: Any, U: np.ndarray) -> np.ndarray:
        out = value(self, U)
        if scores == "nan_first":
            out[:3] = np.nan
        elif scores == "ties":
            out = np.round(out, 0)
        elif scores == "all_nan":
            out[:] = np.nan
        return out

    monkeypatch.setattr(_gp_model.Acquisition, "value", doctored)
    space = SearchSpace.from_user({"x": Float(-1, 1), "y": Float(-1, 1, log=False)})
    alone = minimise(GPSampler(), space, bowl, 20, 3)
    ranked = _gp.GPSampler._ranked_candidates

    def full_ranking(self: Any, *args: Any, only_best: bool = False) -> np.ndarray:
        return ranked(self, *args, only_best=False)

    monkeypatch.setattr(_gp.GPSampler, "_ranked_candidates", full_ranking)
    sorted_all = minimise(GPSampler(), space, bowl, 20, 3)
    assert [t.params for t in alone] == [t.params for t in sorted_all]


def test_set_params_after_an_ask_is_checked_at_the_next_ask() -> None:
    # A sampler's arguments are checked at every ask, but only again when
    # one of them is another object than at the last check that passed.
    space = SearchSpace.from_user({"x": Float(0, 1)})
    sampler = GPSampler(n_startup_trials=1)
    sampler.ask(space, (), rng(0, 0))
    sampler.set_params(kappa=-1.0)
    with pytest.raises(InvalidParameterError, match="'kappa'"):
        sampler.ask(space, (), rng(0, 1))
    sampler.set_params(kappa=2.0)
    sampler.ask(space, (), rng(0, 2))
