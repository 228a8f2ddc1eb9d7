"""The contract every pruner passes, and a small asynchronous search simulator.

A pruner's test module subclasses :class:`PrunerContract` and provides
``make_pruner()``::

    class TestMedianPrunerContract(PrunerContract):
        bad_params = {"n_startup_trials": -1}

        def make_pruner(self):
            return MedianPruner()

:func:`simulate` plays the search loop's side of the protocol (report,
decide, promote, ask for promotions) with trials finishing rungs in a
seeded random order, and returns what became of each trial.
"""

from __future__ import annotations

import copy
import heapq
import itertools
import math
import pickle
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone

import scout_sklearn.pruners as pruners_module
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import Decision, Pruner, RungRecord

PROPERTY_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
)

ValueOf = Callable[[int, int], "float | None"]


@dataclass
class Outcome:
    """What a simulated search did: the final state of each trial and the log."""

    states: dict[int, str] = field(default_factory=dict)  # complete/pruned/waiting
    last_rung: dict[int, int] = field(default_factory=dict)
    log: list[tuple[str, int, int]] = field(default_factory=list)
    record: RungRecord = field(default_factory=RungRecord)


def simulate(
    pruner: Pruner,
    value_of: ValueOf,
    n_trials: int,
    n_rungs: int,
    seed: int = 0,
    check: Callable[[RungRecord, list[tuple[int, int]]], None] | None = None,
) -> Outcome:
    """Run ``n_trials`` trials through the pruner, each rung taking a random time.

    Trial ``k`` starts at time ``k`` at ``pruner.first_rung(k, n_rungs)``;
    every rung then takes a time drawn from ``random.Random(seed)``, so rungs
    finish out of trial order. Once nothing runs, the pruner's final
    promotions go on, as in the search loop, until it promotes nobody.
    ``check(record, waiting)`` runs after every step before those, for
    invariants of the pruner's own decisions.
    """
    durations = random.Random(seed)
    outcome = Outcome()
    record = outcome.record
    events: list[tuple[float, int, int]] = []
    for number in range(n_trials):
        start = pruner.first_rung(number, n_rungs)
        heapq.heappush(events, (number + durations.random() * 3, number, start))
    waiting: list[tuple[int, int]] = []

    def go_on(time: float, number: int, rung: int) -> None:
        record.promote(number, rung)
        heapq.heappush(events, (time + durations.random() * 3, number, rung + 1))

    time = 0.0
    while events or waiting:
        if not events:
            # Nothing runs and no trial is left to start: the search's end,
            # where the loop asks for the final promotions (RungScheduler.settle).
            final = pruner.final_promotions(waiting, record, n_rungs)
            if not final:
                break
            check = None  # final promotions may exceed a rung's places
            for pair in final:
                outcome.log.append(("final", *pair))
                waiting.remove(pair)
                go_on(time, *pair)
            continue
        time, number, rung = heapq.heappop(events)
        record.report(number, rung, value_of(number, rung))
        outcome.last_rung[number] = rung
        decision = pruner.decide(number, rung, record, n_rungs)
        outcome.log.append((decision.value, number, rung))
        if decision is Decision.CONTINUE and rung == n_rungs - 1:
            outcome.states[number] = "complete"
        elif decision is Decision.CONTINUE:
            go_on(time, number, rung)
        elif decision is Decision.PRUNE:
            outcome.states[number] = "pruned"
        else:
            waiting.append((number, rung))
        for pair in pruner.promotions(waiting, record, n_rungs):
            outcome.log.append(("promote", *pair))
            waiting.remove(pair)
            go_on(time, *pair)
        if check is not None:
            check(record, waiting)
    for number, _ in waiting:
        outcome.states[number] = "waiting"
    return outcome


def table_values(table: Mapping[tuple[int, int], float | None]) -> ValueOf:
    """A value function reading ``table[number, rung]``."""
    return lambda number, rung: table[number, rung]


# Values drawn from a small set, so that ties happen; None and NaN are failures.
RUNG_VALUES = st.one_of(
    st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
    st.floats(-1.0, 1.0, allow_nan=False),
    st.none(),
    st.just(math.nan),
)


@st.composite
def search_plans(draw: st.DrawFn) -> tuple[ValueOf, int, int, int, bool]:
    """(value_of, n_trials, n_rungs, seed, real_only) for :func:`simulate`.

    ``real_only`` tells whether every value is real (no failure).
    """
    n_trials = draw(st.integers(1, 20))
    n_rungs = draw(st.integers(1, 4))
    real_only = draw(st.booleans())
    values = st.floats(-1.0, 1.0, allow_nan=False) if real_only else RUNG_VALUES
    cells = [(number, rung) for number in range(n_trials) for rung in range(n_rungs)]
    table = {cell: draw(values) for cell in cells}
    seed = draw(st.integers(0, 2**16))
    return table_values(table), n_trials, n_rungs, seed, real_only


class PrunerContract:
    """Tests every pruner must pass. Subclasses define ``make_pruner``."""

    #: A constructor argument out of bounds, for the set_params checks.
    bad_params: ClassVar[dict[str, Any]] = {}
    #: Whether the pruner can answer WAIT (trials may end the search paused).
    can_wait: ClassVar[bool] = False
    #: Whether a failed value below the last rung is PRUNEd.
    prunes_failures: ClassVar[bool] = True
    #: Whether a search whose values are all real always completes a trial.
    completes_a_trial: ClassVar[bool] = True

    def make_pruner(self) -> Pruner:
        raise NotImplementedError

    # -- ladder ---------------------------------------------------------------
    @PROPERTY_SETTINGS
    @given(
        low=st.integers(1, 10**6),
        ratio=st.integers(1, 10**4),
        as_float=st.booleans(),
    )
    def test_ladder_runs_from_min_to_max(
        self, low: int, ratio: int, as_float: bool
    ) -> None:
        min_resource: float = low / 7 if as_float else low
        max_resource: float = min_resource * ratio
        ladder = self.make_pruner().ladder(min_resource, max_resource)
        assert ladder[-1] == max_resource
        assert ladder[0] == (max_resource if len(ladder) == 1 else min_resource)
        assert all(a < b for a, b in itertools.pairwise(ladder))
        assert all(type(r) is (float if as_float else int) for r in ladder)

    @pytest.mark.parametrize(
        ("low", "high", "problem"),
        [
            (10, 5, "min_resource must be <= max_resource"),
            (0, 5, "min_resource must be > 0"),
            (-1.5, 5, "min_resource must be > 0"),
            (1, math.inf, "both must be finite numbers"),
            (math.nan, 5, "both must be finite numbers"),
            ("1", 5, "both must be finite numbers"),
            (True, 5, "both must be finite numbers"),
        ],
    )
    def test_ladder_rejects_bad_resources(self, low: Any, high: Any, problem: str) -> None:
        pruner = self.make_pruner()
        name = type(pruner).__name__
        with pytest.raises(InvalidParameterError) as info:
            pruner.ladder(low, high)
        message = str(info.value)
        assert f"The rung resources of {name} must satisfy" in message
        assert problem in message
        assert f"min_resource={low!r} and max_resource={high!r}" in message

    # -- first rung -------------------------------------------------------------
    def test_first_rung_is_deterministic_and_on_the_ladder(self) -> None:
        pruner = self.make_pruner()
        for n_rungs in range(1, 6):
            starts = [pruner.first_rung(k, n_rungs) for k in range(200)]
            assert all(0 <= s < n_rungs for s in starts)
            assert starts == [self.make_pruner().first_rung(k, n_rungs) for k in range(200)]
            assert starts == [clone(pruner).first_rung(k, n_rungs) for k in range(200)]

    @pytest.mark.parametrize(("number", "n_rungs"), [(-1, 3), (1.5, 3), (0, 0), (0, 2.0)])
    def test_first_rung_rejects_bad_arguments(self, number: Any, n_rungs: Any) -> None:
        with pytest.raises(ValueError, match=r"got (-1|1\.5|0|2\.0)\."):
            self.make_pruner().first_rung(number, n_rungs)

    # -- decisions --------------------------------------------------------------
    @PROPERTY_SETTINGS
    @given(plan=search_plans())
    def test_simulated_search(self, plan: tuple[Any, ...]) -> None:
        # One simulation per example, several properties of it (fast enough
        # to keep many examples).
        value_of, n_trials, n_rungs, seed, real_only = plan
        pruner = self.make_pruner()
        outcome = simulate(pruner, value_of, n_trials, n_rungs, seed)
        # Every trial ends complete (at the last rung), pruned or still waiting.
        assert sorted(outcome.states) == list(range(n_trials))
        allowed = {"complete", "pruned"} | ({"waiting"} if self.can_wait else set())
        assert set(outcome.states.values()) <= allowed
        for number, state in outcome.states.items():
            assert (state == "complete") == (outcome.last_rung[number] == n_rungs - 1)
        # Without failures, some trial reaches the full budget.
        if real_only and self.completes_a_trial:
            assert "complete" in outcome.states.values()
        # The same plan gives the same search, with a clone too.
        again = simulate(clone(pruner), value_of, n_trials, n_rungs, seed)
        assert again.log == outcome.log

        # Asked again about every report: CONTINUE at the last rung, PRUNE for
        # a failure, and the record is left as it was.
        record = outcome.record
        snapshot = copy.deepcopy(record)
        for number in record.numbers:
            for rung in record.rungs(number):
                decision = pruner.decide(number, rung, record, n_rungs)
                if rung == n_rungs - 1:
                    assert decision is Decision.CONTINUE
                elif self.prunes_failures and record.value(number, rung) is None:
                    assert decision is Decision.PRUNE
        waiting = [
            (number, rung)
            for number in record.numbers
            for rung in record.rungs(number)
            if rung < n_rungs - 1
        ]
        pruner.promotions(waiting, record, n_rungs)
        assert record == snapshot

    def test_decide_rejects_a_rung_that_was_not_reported(self) -> None:
        record = RungRecord()
        record.report(0, 0, 0.5)
        pruner = self.make_pruner()
        with pytest.raises(ValueError, match=r"Trial 0 has not reported rung 1 .*\[0\]"):
            pruner.decide(0, 1, record, n_rungs=3)
        with pytest.raises(ValueError, match=r"Trial 7 has not reported rung 0"):
            pruner.decide(7, 0, record, n_rungs=3)
        with pytest.raises(ValueError, match=r"rung=3, outside the ladder's rungs 0\.\.2"):
            pruner.decide(0, 3, record, n_rungs=3)
        with pytest.raises(ValueError, match=r"n_rungs.*got 0\."):
            pruner.decide(0, 0, record, n_rungs=0)

    # -- configuration-object protocol ------------------------------------------
    def test_clone(self) -> None:
        pruner = self.make_pruner()
        cloned = clone(pruner)
        assert cloned is not pruner
        assert type(cloned) is type(pruner)
        assert cloned.get_params() == pruner.get_params()

    def test_get_params_set_params_round_trip(self) -> None:
        pruner = self.make_pruner()
        params = pruner.get_params()
        assert isinstance(params, dict)
        other = self.make_pruner()
        assert other.set_params(**params) is other
        assert other.get_params() == params
        assert pruner.get_params(deep=False) == params

    def test_set_params_rejects_an_unknown_name(self) -> None:
        pruner = self.make_pruner()
        name = type(pruner).__name__
        with pytest.raises(ValueError, match=rf"'no_such_param' for pruner {name}"):
            pruner.set_params(no_such_param=1)

    def test_a_bad_value_put_by_set_params_is_caught_at_use(self) -> None:
        if not self.bad_params:
            # Only a pruner without parameters has no bad value to set.
            assert self.make_pruner().get_params() == {}
            return
        pruner = self.make_pruner()
        pruner.set_params(**self.bad_params)  # sets only, as in scikit-learn
        name, value = next(iter(self.bad_params.items()))
        expected = rf"The '{name}' parameter of {type(pruner).__name__} .* Got {value!r}"
        record = RungRecord()
        record.report(0, 0, 0.5)
        with pytest.raises(InvalidParameterError, match=expected):
            pruner.ladder(1, 10)
        with pytest.raises(InvalidParameterError, match=expected):
            pruner.decide(0, 0, record, 3)
        with pytest.raises(InvalidParameterError, match=expected):
            pruner.promotions([(0, 0)], record, 3)
        with pytest.raises(InvalidParameterError, match=expected):
            pruner.first_rung(0, 3)
        with pytest.raises(InvalidParameterError, match=expected):
            type(pruner)(**self.bad_params)

    def test_pickle_round_trip(self) -> None:
        pruner = self.make_pruner()
        restored = pickle.loads(pickle.dumps(pruner))
        assert type(restored) is type(pruner)
        assert restored.get_params() == pruner.get_params()

    def test_repr_evaluates_to_an_equal_pruner(self) -> None:
        pruner = self.make_pruner()
        text = repr(pruner)
        assert text.startswith(f"{type(pruner).__name__}(")
        assert "object at 0x" not in text
        assert repr(clone(pruner)) == text
        rebuilt = eval(text, vars(pruners_module))  # our own repr
        assert type(rebuilt) is type(pruner)
        assert rebuilt.get_params() == pruner.get_params()
