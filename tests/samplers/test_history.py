"""The encoded-history cache gives what re-encoding the whole history gives."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scout_sklearn import Categorical, Float, Int, SearchSpace, Trial, TrialState
from scout_sklearn.samplers import RandomSampler
from scout_sklearn.samplers._history import choose_subspace, encoded_history

SPACE = SearchSpace.from_user(
    [
        {"C": Float(1e-3, 1e3, log=True), "kernel": Categorical(["rbf", "poly"])},
        {"alpha": Float(0.0, 1.0), "n": Int(1, 50, log=True)},
    ]
)


def naive(history: list[Trial], sub_index: int) -> dict[str, np.ndarray]:
    """Every array of Observations, recomputed from scratch."""
    sub = SPACE[sub_index]
    mine = [t for t in history if SPACE.locate(t.params) == sub_index]

    def rows(trials: list[Trial]) -> np.ndarray:
        return np.array([sub.encode(t.params) for t in trials]).reshape(-1, len(sub))

    def finite(t: Trial) -> bool:
        return t.value is not None and math.isfinite(t.value)

    complete = [t for t in mine if t.state is TrialState.COMPLETE and finite(t)]
    failed = [
        t
        for t in mine
        if t.state is TrialState.FAILED
        or (t.state is TrialState.COMPLETE and not finite(t))
    ]
    pruned = [t for t in mine if t.state is TrialState.PRUNED]
    return {
        "X": rows(complete),
        "y": np.array([t.value for t in complete], dtype=float),
        "X_running": rows([t for t in mine if t.state is TrialState.RUNNING]),
        "X_pruned": rows(pruned),
        "y_pruned": np.array(
            [math.nan if t.value is None else t.value for t in pruned], dtype=float
        ),
        "X_failed": rows(failed),
        "numbers": np.array([t.number for t in complete], dtype=int),
    }


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["ask", "finish"]),
        st.sampled_from(list(TrialState)),
        st.one_of(st.floats(-5, 5), st.just(math.nan), st.none()),
        st.integers(0, 10**6),
    ),
    max_size=40,
)


@given(steps=STEPS)
def test_observations_match_a_full_recomputation(steps: list) -> None:
    """Trials are added RUNNING and finish later, in any order, as in a study."""
    sampler = RandomSampler()
    history: list[Trial] = []
    for action, state, value, pick in steps:
        running = [i for i, t in enumerate(history) if t.state is TrialState.RUNNING]
        if action == "ask" or not running:
            params = SPACE.sample(np.random.default_rng(pick))
            history.append(Trial(number=len(history), params=params))
        else:
            i = running[pick % len(running)]
            old = history[i]
            history[i] = Trial(old.number, old.params, state, value=value)
        cache = encoded_history(sampler, SPACE, tuple(history))
        for sub_index in range(len(SPACE)):
            got = cache.observations(tuple(history), sub_index)
            for name, expected in naive(history, sub_index).items():
                np.testing.assert_array_equal(getattr(got, name), expected, err_msg=name)


def test_a_rewritten_history_is_encoded_afresh() -> None:
    sampler = RandomSampler()
    rng = np.random.default_rng(0)
    first = [Trial(k, SPACE.sample(rng), TrialState.COMPLETE, value=1.0) for k in range(5)]
    encoded_history(sampler, SPACE, first)
    other = [Trial(k, SPACE.sample(rng), TrialState.COMPLETE, value=2.0) for k in range(5)]
    cache = encoded_history(sampler, SPACE, other)
    for sub_index in range(len(SPACE)):
        got = cache.observations(other, sub_index)
        np.testing.assert_array_equal(got.X, naive(other, sub_index)["X"])


def test_choose_subspace_favours_the_sub_space_of_the_good_trials() -> None:
    rng = np.random.default_rng(0)
    history = []
    for k in range(40):
        params = SPACE[k % 2].sample(rng)
        value = float(k % 2) + k / 1000  # sub-space 1's values all differ
        history.append(Trial(k, params, TrialState.COMPLETE, value=value))
    sampler = RandomSampler()
    cache = encoded_history(sampler, SPACE, history)
    picks = [
        choose_subspace(SPACE, cache, history, np.random.default_rng(seed))
        for seed in range(400)
    ]
    # Sub-space 1 holds every top trial: weight (20 + 1) / 22 against 1 / 22.
    assert 0.9 < np.mean(picks) < 1.0


def test_a_sub_space_on_a_plateau_counts_its_best_value_once() -> None:
    # As on regressor_choice: sub-space 0 (Ridge) gives the same best value
    # whatever its parameter, sub-space 1 (SVR) spread-out values with a
    # better best. Counted trial by trial, the plateau's 20 trials took most
    # of the top quarter and most of the next trials: weight 8 / 22 against
    # 2 / 12. Counted once, it weighs 2 / 22.
    rng = np.random.default_rng(0)
    history = []
    for k in range(20):
        value = -3.0684 - 1e-5 * rng.random()
        history.append(Trial(k, SPACE[0].sample(rng), TrialState.COMPLETE, value=value))
    for k, value in enumerate(np.linspace(-5.0, -3.05, 10)):
        params = SPACE[1].sample(rng)
        history.append(Trial(20 + k, params, TrialState.COMPLETE, value=float(value)))
    cache = encoded_history(RandomSampler(), SPACE, history)
    picks = [
        choose_subspace(SPACE, cache, history, np.random.default_rng(seed))
        for seed in range(400)
    ]
    # Expected share of sub-space 1: (2 / 12) / (2 / 22 + 2 / 12) = 0.65.
    assert 0.55 < np.mean(picks) < 0.75
    # Ranks (a sampler of several objectives) tie by design: each counts.
    ranks = [np.zeros(20), -np.arange(1.0, 11.0)]
    ranked = [
        choose_subspace(SPACE, cache, history, np.random.default_rng(seed), scores=ranks)
        for seed in range(400)
    ]
    # Sub-space 0 holds the 20 best ranks: (20 + 1) / 22 against 1 / 12.
    assert np.mean(ranked) < 0.15
