"""The contract every sampler passes, and hypothesis strategies for search spaces.

A sampler's test module subclasses :class:`SamplerContract` and provides
``make_sampler()``::

    class TestGridSamplerContract(SamplerContract):
        finite_only = True

        def make_sampler(self):
            return GridSampler()

The strategies build user-level search spaces (dicts or lists of dicts of
Float, Int, Categorical and scipy.stats distributions); other test modules
reuse them.
"""

from __future__ import annotations

import contextlib
import copy
import math
import pickle
import random
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.base import clone

from scout_sklearn import Categorical, Float, Int, SearchSpace, Trial, TrialState
from scout_sklearn.exceptions import InvalidParameterError, SearchSpaceExhausted
from scout_sklearn.samplers import Sampler

# Modest example counts: the whole contract runs in a few seconds per sampler.
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)

PARAM_NAMES = ("C", "alpha", "gamma", "kernel", "n_estimators", "x")


# -- distributions -------------------------------------------------------------
@st.composite
def float_steps(draw: st.DrawFn) -> Float:
    """A Float with a step, built so that the step divides the range."""
    step = draw(st.sampled_from([0.1, 0.2, 0.25, 0.5, 1.0, 2.5, 10.0]))
    low = draw(st.integers(-1000, 1000)) / 10
    k = draw(st.integers(1, 6))
    return Float(low, low + k * step, step=step)


@st.composite
def ints(draw: st.DrawFn) -> Int:
    """An Int, linear (with a step) or on a log scale."""
    if draw(st.booleans()):
        low = draw(st.integers(1, 50))
        return Int(low, low + draw(st.integers(1, 60)), log=True)
    low = draw(st.integers(-50, 50))
    step = draw(st.integers(1, 3))
    return Int(low, low + step * draw(st.integers(1, 6)), step=step)


CHOICE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-10, 10, allow_nan=False),
    st.sampled_from(["rbf", "poly", "linear", "sigmoid", ""]),
)


def categoricals() -> st.SearchStrategy[Categorical]:
    """A Categorical of distinct mixed values (1 and True count as distinct)."""
    return st.lists(
        CHOICE_VALUES, min_size=1, max_size=4, unique_by=lambda v: (type(v), v)
    ).map(Categorical)


@st.composite
def continuous_floats(draw: st.DrawFn) -> Float:
    """A Float without a step, linear or log scale."""
    if draw(st.booleans()):
        low = draw(st.floats(1e-6, 1e3))
        return Float(low, low * draw(st.floats(1.5, 1e6)), log=True)
    low = draw(st.floats(-1e6, 1e6))
    return Float(low, low + draw(st.floats(1e-3, 1e6)))


@st.composite
def scipy_distributions(draw: st.DrawFn) -> Any:
    """A frozen scipy.stats distribution of one of the usual families."""
    family = draw(st.sampled_from(["loguniform", "uniform", "norm", "randint", "beta"]))
    if family == "loguniform":
        low = draw(st.floats(1e-6, 1.0))
        return stats.loguniform(low, low * draw(st.floats(2.0, 1e6)))
    if family == "uniform":
        return stats.uniform(draw(st.floats(-100, 100)), draw(st.floats(0.01, 100)))
    if family == "norm":
        return stats.norm(draw(st.floats(-100, 100)), draw(st.floats(0.01, 100)))
    if family == "randint":
        low = draw(st.integers(-100, 100))
        return stats.randint(low, low + draw(st.integers(1, 50)))
    return stats.beta(draw(st.floats(0.5, 5)), draw(st.floats(0.5, 5)))


def finite_distributions() -> st.SearchStrategy[Any]:
    """User-level values whose domain is finite (lists included)."""
    plain_lists = st.lists(
        CHOICE_VALUES, min_size=1, max_size=4, unique_by=lambda v: (type(v), v)
    )
    return st.one_of(float_steps(), ints(), categoricals(), plain_lists)


def any_distributions() -> st.SearchStrategy[Any]:
    """User-level values of every accepted kind."""
    return st.one_of(finite_distributions(), continuous_floats(), scipy_distributions())


def user_spaces(*, finite_only: bool = False) -> st.SearchStrategy[Any]:
    """What a user passes as param_distributions: a dict or a list of 1-3 dicts."""
    values = finite_distributions() if finite_only else any_distributions()
    one_dict = st.dictionaries(st.sampled_from(PARAM_NAMES), values, min_size=1, max_size=3)
    return st.one_of(one_dict, st.lists(one_dict, min_size=1, max_size=3))


def search_spaces(*, finite_only: bool = False) -> st.SearchStrategy[SearchSpace]:
    """A SearchSpace built by SearchSpace.from_user."""
    return user_spaces(finite_only=finite_only).map(SearchSpace.from_user)


# Hand-written spaces that exercise every kind of distribution at once.
FINITE_EXAMPLES = {
    "single": {
        "C": [0.1, 1.0, 10.0],
        "kernel": Categorical(["rbf", "poly"]),
        "n_estimators": Int(10, 50, step=20),
        "x": Float(0.0, 1.0, step=0.5),
        "gamma": Int(1, 30, log=True),
    },
    "conditional": [
        {"kernel": ["linear"], "C": [1, 10, 100]},
        {"kernel": ["rbf"], "C": [1, 10], "gamma": Float(0.1, 0.3, step=0.1)},
    ],
}
CONTINUOUS_EXAMPLES = {
    "single": {
        "C": Float(1e-3, 1e3, log=True),
        "alpha": Float(-1.0, 1.0),
        "gamma": stats.loguniform(1e-5, 1.0),
        "kernel": ["rbf", "poly"],
        "n_estimators": stats.randint(10, 500),
        "x": stats.norm(0.0, 2.0),
    },
    "conditional": [
        {"kernel": ["linear"], "C": Float(0.1, 10.0)},
        {"kernel": ["rbf"], "gamma": stats.uniform(0.0, 2.0), "x": stats.beta(2, 5)},
    ],
}


# -- helpers -------------------------------------------------------------------
def same_value(a: object, b: object) -> bool:
    """Equal, of the same type, NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    return bool(a == b)


def same_params(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Params with the same names and the same values, types included."""
    return set(a) == set(b) and all(same_value(a[name], b[name]) for name in a)


def rng(seed: int, number: int) -> np.random.Generator:
    """The generator a study gives trial ``number``."""
    return np.random.default_rng([seed, number])


def finish(trial: Trial, state: TrialState, value: float | None) -> Trial:
    """A copy of ``trial`` in ``state``."""
    if state is TrialState.COMPLETE and value is None:
        value = 0.0
    if state is not TrialState.COMPLETE:
        value = None
    return Trial(number=trial.number, params=trial.params, state=state, value=value)


def grow_history(
    sampler: Sampler,
    space: SearchSpace,
    seed: int,
    plan: Sequence[tuple[TrialState, float]],
) -> list[Trial]:
    """Ask once per entry of ``plan`` and record the trial in that state.

    Stops early when the sampler says the space is exhausted.
    """
    history: list[Trial] = []
    for number, (state, value) in enumerate(plan):
        try:
            params = sampler.ask(space, tuple(history), rng(seed, number))
        except SearchSpaceExhausted:
            break
        history.append(finish(Trial(number=number, params=params), state, value))
    return history


PLANS = st.lists(
    st.tuples(st.sampled_from(list(TrialState)), st.floats(-1.0, 1.0)), max_size=8
)
SEEDS = st.integers(0, 2**32 - 1)


class SamplerContract:
    """Tests every sampler passes. Subclass it and define ``make_sampler``."""

    #: True for samplers that only search finite spaces (``check_space``
    #: rejects the others).
    finite_only: ClassVar[bool] = False
    #: True for the grid sampler: equal params at several grid points (a
    #: value listed twice, dicts of a list that overlap) are evaluated at
    #: each, as GridSearchCV does. Every other sampler proposes them once.
    evaluates_equal_points: ClassVar[bool] = False

    def make_sampler(self) -> Sampler:
        raise NotImplementedError("A sampler's test class defines make_sampler().")

    def supported_examples(self) -> list[Any]:
        examples = list(FINITE_EXAMPLES.values())
        if not self.finite_only:
            examples += list(CONTINUOUS_EXAMPLES.values())
        return examples

    # -- the interface ------------------------------------------------------
    def test_is_a_sampler(self) -> None:
        assert isinstance(self.make_sampler(), Sampler)

    @pytest.mark.parametrize("user_space", ["single", "conditional"])
    def test_check_space_accepts_supported_spaces(self, user_space: str) -> None:
        sampler = self.make_sampler()
        sampler.check_space(SearchSpace.from_user(FINITE_EXAMPLES[user_space]))
        continuous = SearchSpace.from_user(CONTINUOUS_EXAMPLES[user_space])
        if self.finite_only:
            with pytest.raises(InvalidParameterError, match="finite"):
                sampler.check_space(continuous)
        else:
            sampler.check_space(continuous)

    def test_max_trials_is_none_or_bounded_by_the_grid(self) -> None:
        sampler = self.make_sampler()
        for user_space in self.supported_examples():
            space = SearchSpace.from_user(user_space)
            bound = sampler.max_trials(space)
            if bound is None:
                continue
            assert isinstance(bound, int)
            assert bound >= 1
            if space.is_finite:
                assert bound <= space.n_points

    # -- params ---------------------------------------------------------------
    @pytest.mark.parametrize("kind", ["finite", "continuous"])
    @pytest.mark.parametrize("user_space", ["single", "conditional"])
    def test_asked_params_lie_in_example_spaces(self, kind: str, user_space: str) -> None:
        if kind == "continuous" and self.finite_only:
            pytest.skip("this sampler searches only finite spaces")
        examples = FINITE_EXAMPLES if kind == "finite" else CONTINUOUS_EXAMPLES
        space = SearchSpace.from_user(examples[user_space])
        sampler = self.make_sampler()
        plan = [(TrialState.COMPLETE, float(k % 5)) for k in range(15)]
        history = grow_history(sampler, space, seed=3, plan=plan)
        assert len(history) >= min(15, space.n_points if space.is_finite else 15)
        for trial in history:
            assert space.contains(trial.params), space.explain_mismatch(trial.params)

    @PROPERTY_SETTINGS
    @given(data=st.data(), seed=SEEDS, plan=PLANS)
    def test_asked_params_always_lie_in_the_space(
        self, data: st.DataObject, seed: int, plan: list[tuple[TrialState, float]]
    ) -> None:
        space = data.draw(search_spaces(finite_only=self.finite_only), label="space")
        sampler = self.make_sampler()
        sampler.check_space(space)
        history = grow_history(sampler, space, seed, plan)
        if len(history) < len(plan):
            # Only a finite space runs out, and only once every point was given out.
            assert space.is_finite
            visited = {space.point_index(t.params) for t in history}
            distinct = {space.point_index(space.point(i)) for i in range(space.n_points)}
            assert visited == distinct
        for trial in history:
            assert space.contains(trial.params), space.explain_mismatch(trial.params)

    @PROPERTY_SETTINGS
    @given(data=st.data(), seed=SEEDS, plan=PLANS, foreign=st.integers(0, 3))
    def test_same_space_history_and_seed_give_the_same_params(
        self,
        data: st.DataObject,
        seed: int,
        plan: list[tuple[TrialState, float]],
        foreign: int,
    ) -> None:
        space = data.draw(search_spaces(finite_only=self.finite_only), label="space")
        history = grow_history(self.make_sampler(), space, seed, plan)
        # Trials the sampler did not propose (enqueued, or from another process).
        other = np.random.default_rng(seed + 1)
        for _ in range(foreign):
            history.append(Trial(number=len(history), params=space.sample(other)))
        number = len(history)

        def ask(sampler: Sampler) -> dict[str, Any] | None:
            try:
                return sampler.ask(space, tuple(history), rng(seed, number))
            except SearchSpaceExhausted:
                return None

        used = self.make_sampler()
        grow_history(used, space, seed, plan)  # leaves any cache it keeps warm
        answers = [ask(self.make_sampler()), ask(self.make_sampler()), ask(used), ask(used)]
        first = answers[0]
        for answer in answers[1:]:
            if first is None:
                assert answer is None
            else:
                assert answer is not None
                assert same_params(first, answer), (first, answer)

    @PROPERTY_SETTINGS
    @given(data=st.data(), seed=SEEDS, plan=PLANS)
    def test_does_not_mutate_the_history(
        self, data: st.DataObject, seed: int, plan: list[tuple[TrialState, float]]
    ) -> None:
        space = data.draw(search_spaces(finite_only=self.finite_only), label="space")
        sampler = self.make_sampler()
        history = grow_history(sampler, space, seed, plan)
        snapshot = copy.deepcopy(history)
        as_list = list(history)
        with contextlib.suppress(SearchSpaceExhausted):
            sampler.ask(space, as_list, rng(seed, len(history)))
        assert as_list == history
        assert len(history) == len(snapshot)
        for before, after in zip(snapshot, history):
            assert before.number == after.number
            assert before.state is after.state
            assert same_params(before.params, after.params)

    def test_reads_no_global_random_state(self) -> None:
        for user_space in self.supported_examples():
            space = SearchSpace.from_user(user_space)
            answers = []
            for global_seed in (1, 2):
                np.random.seed(global_seed)
                random.seed(global_seed)
                answers.append(self.make_sampler().ask(space, (), rng(0, 0)))
            assert same_params(answers[0], answers[1])

    def test_does_not_repeat_a_point_of_a_finite_space(self) -> None:
        space = SearchSpace.from_user(FINITE_EXAMPLES["conditional"])
        sampler = self.make_sampler()
        # Every trial stays RUNNING: several trials are in flight at once.
        plan = [(TrialState.RUNNING, 0.0)] * (space.n_points + 2)
        history = grow_history(sampler, space, seed=0, plan=plan)
        positions = [space.point_index(t.params) for t in history]
        assert sorted(positions) == list(range(space.n_points))
        with pytest.raises(SearchSpaceExhausted):
            sampler.ask(space, tuple(history), rng(0, len(history)))

    def test_equal_params_at_several_grid_points(self) -> None:
        # 10 grid points, 4 distinct params: the first dict's two points and
        # the repeated C=10 of the second hold params found elsewhere too.
        space = SearchSpace.from_user(
            [
                {"kernel": ["linear"], "C": [1, 10]},
                {"kernel": ["linear", "rbf"], "C": [1, 10, 10]},
            ]
        )
        assert space.n_points == 8
        sampler = self.make_sampler()
        plan = [(TrialState.RUNNING, 0.0)] * (space.n_points + 2)
        history = grow_history(sampler, space, seed=0, plan=plan)
        distinct = {(t.params["kernel"], t.params["C"]) for t in history}
        assert distinct == {("linear", 1), ("linear", 10), ("rbf", 1), ("rbf", 10)}
        expected = space.n_points if self.evaluates_equal_points else len(distinct)
        assert len(history) == expected, [t.params for t in history]
        with pytest.raises(SearchSpaceExhausted):
            sampler.ask(space, tuple(history), rng(0, len(history)))

    # -- configuration-object protocol ------------------------------------------
    def test_clone(self) -> None:
        sampler = self.make_sampler()
        cloned = clone(sampler)
        assert cloned is not sampler
        assert type(cloned) is type(sampler)
        assert cloned.get_params() == sampler.get_params()

    def test_clone_of_a_used_sampler_asks_the_same(self) -> None:
        for user_space in self.supported_examples():
            space = SearchSpace.from_user(user_space)
            sampler = self.make_sampler()
            plan = [(TrialState.COMPLETE, float(k)) for k in range(4)]
            history = grow_history(sampler, space, seed=5, plan=plan)
            cloned = clone(sampler)
            expected = sampler.ask(space, tuple(history), rng(5, len(history)))
            got = cloned.ask(space, tuple(history), rng(5, len(history)))
            assert same_params(expected, got)

    def test_get_params_set_params_round_trip(self) -> None:
        sampler = self.make_sampler()
        params = sampler.get_params()
        assert isinstance(params, dict)
        other = self.make_sampler()
        assert other.set_params(**params) is other
        assert other.get_params() == params
        assert sampler.get_params(deep=False) == params

    def test_set_params_rejects_an_unknown_name(self) -> None:
        sampler = self.make_sampler()
        name = type(sampler).__name__
        with pytest.raises(ValueError, match=rf"'no_such_param'.*{name}"):
            sampler.set_params(no_such_param=1)

    def test_pickle_round_trip(self) -> None:
        for user_space in self.supported_examples():
            space = SearchSpace.from_user(user_space)
            sampler = self.make_sampler()
            plan = [(TrialState.COMPLETE, float(k)) for k in range(4)]
            history = grow_history(sampler, space, seed=9, plan=plan)
            restored = pickle.loads(pickle.dumps(sampler))
            assert type(restored) is type(sampler)
            assert restored.get_params() == sampler.get_params()
            expected = sampler.ask(space, tuple(history), rng(9, len(history)))
            got = restored.ask(space, tuple(history), rng(9, len(history)))
            assert same_params(expected, got)

    def test_repr(self) -> None:
        sampler = self.make_sampler()
        text = repr(sampler)
        assert text.startswith(f"{type(sampler).__name__}(")
        assert text.endswith(")")
        assert "object at 0x" not in text
        assert repr(clone(sampler)) == text
