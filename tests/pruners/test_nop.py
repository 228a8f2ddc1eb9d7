"""NopPruner: one rung at the full budget, always CONTINUE."""

from __future__ import annotations

import math

import pytest

from pruners.contract import PrunerContract, simulate
from scout_sklearn.pruners import Decision, NopPruner, Pruner, RungRecord


class TestNopPrunerContract(PrunerContract):
    prunes_failures = False

    def make_pruner(self) -> Pruner:
        return NopPruner()


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(1, 100, (100,)), (5, 5, (5,)), (0.1, 1.0, (1.0,)), (3, 7.5, (7.5,))],
)
def test_ladder_is_the_full_budget_only(low: float, high: float, expected: tuple) -> None:
    ladder = NopPruner().ladder(low, high)
    assert ladder == expected
    assert type(ladder[0]) is type(expected[0])


@pytest.mark.parametrize("value", [0.1, -5.0, None, math.nan])
def test_every_value_continues(value: float | None) -> None:
    record = RungRecord()
    record.report(0, 0, value)
    assert NopPruner().decide(0, 0, record, n_rungs=1) is Decision.CONTINUE


def test_every_trial_completes() -> None:
    outcome = simulate(NopPruner(), lambda number, rung: -float(number), 12, n_rungs=1)
    assert set(outcome.states.values()) == {"complete"}
    assert NopPruner().promotions([], outcome.record, 1) == []


def test_repr_and_params() -> None:
    assert repr(NopPruner()) == "NopPruner()"
    assert NopPruner().get_params() == {}
