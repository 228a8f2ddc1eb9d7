"""RungRecord, Decision and the Pruner base class (defaults, params protocol)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from sklearn.base import clone

from pruners.contract import simulate
from scout_sklearn.pruners import Decision, Pruner, RungRecord


# -- RungRecord -----------------------------------------------------------------
def test_record_reports_and_reads_back() -> None:
    record = RungRecord()
    record.report(4, 0, 0.5)
    record.report(1, 0, np.float64(0.25))
    record.report(1, 1, 0.75)
    record.report(2, 1, 0.0)  # started at rung 1
    assert record.values_at(0) == {1: 0.25, 4: 0.5}  # number order, not arrival
    assert list(record.values_at(0)) == [1, 4]
    assert record.values_at(1) == {1: 0.75, 2: 0.0}
    assert record.values_at(1, bracket=0) == {1: 0.75}
    assert record.values_at(1, bracket=1) == {2: 0.0}
    assert record.values_at(5) == {}
    assert record.value(1, 1) == 0.75
    assert type(record.value(1, 0)) is float
    assert record.rungs(1) == {0: 0.25, 1: 0.75}
    assert record.rungs(99) == {}
    assert (record.first_rung(1), record.first_rung(2), record.first_rung(4)) == (0, 1, 0)
    assert record.numbers == (1, 2, 4)
    assert len(record) == 3
    assert 2 in record
    assert 3 not in record


def test_record_bracket_is_the_lowest_rung_whatever_the_order() -> None:
    record = RungRecord()
    record.report(0, 2, 0.1)  # rebuilt out of order: rung 2 before rung 1
    assert record.first_rung(0) == 2
    record.report(0, 1, 0.2)
    assert record.first_rung(0) == 1
    assert record.values_at(2, bracket=1) == {0: 0.1}


@pytest.mark.parametrize("failed", [None, math.nan, np.nan, float("nan")])
def test_record_stores_failures_as_none(failed: float | None) -> None:
    record = RungRecord()
    record.report(0, 0, failed)
    assert record.value(0, 0) is None
    assert record.values_at(0) == {0: None}
    record.report(0, 0, None)  # the same failure again is fine


def test_record_accepts_the_same_report_twice_but_not_a_different_one() -> None:
    record = RungRecord()
    record.report(3, 1, 0.5)
    record.report(3, 1, 0.5)
    assert record.rungs(3) == {1: 0.5}
    with pytest.raises(
        ValueError, match=r"Trial 3 already reported 0\.5 at rung 1; got 0\.6 now"
    ):
        record.report(3, 1, 0.6)


@pytest.mark.parametrize(
    ("number", "rung", "value", "match"),
    [
        (-1, 0, 0.5, r"The number of a rung report must be an int >= 0; got -1\."),
        (0.0, 0, 0.5, r"The number of a rung report must be an int >= 0; got 0\.0\."),
        (0, -2, 0.5, r"The rung of a rung report must be an int >= 0; got -2\."),
        (0, True, 0.5, r"The rung of a rung report must be an int >= 0; got True\."),
        (0, 0, "0.5", r"A rung value must be a real number, or None .*; got '0\.5'\."),
        (0, 0, True, r"A rung value must be a real number, or None .*; got True\."),
    ],
)
def test_record_rejects_bad_reports(
    number: object, rung: object, value: object, match: str
) -> None:
    record = RungRecord()
    with pytest.raises(ValueError, match=match):
        record.report(number, rung, value)  # type: ignore[arg-type]
    assert len(record) == 0


def test_record_promotions() -> None:
    record = RungRecord()
    record.report(0, 0, 0.5)
    record.report(1, 0, 0.4)
    assert not record.is_promoted(0, 0)
    record.promote(0, 0)
    record.promote(0, 0)  # idempotent
    assert record.is_promoted(0, 0)
    assert not record.is_promoted(0, 1)
    # Reporting a higher rung implies the promotion.
    record.report(1, 1, 0.3)
    assert record.is_promoted(1, 0)
    assert not record.is_promoted(1, 1)
    assert not record.is_promoted(7, 0)
    with pytest.raises(ValueError, match=r"Trial 1 has not reported rung 2"):
        record.promote(1, 2)
    with pytest.raises(ValueError, match=r"Trial 9 has reported no rung yet"):
        record.first_rung(9)


def test_record_equality_and_repr() -> None:
    record = RungRecord()
    record.report(0, 0, 0.5)
    same = copy.deepcopy(record)
    assert record == same
    same.promote(0, 0)
    assert record != same
    assert record != "a record"
    assert repr(same) == "RungRecord(n_trials=1, n_reports=1, n_promotions=1)"
    with pytest.raises(TypeError):
        hash(record)


def test_decision_values() -> None:
    assert [d.value for d in Decision] == ["continue", "prune", "wait"]
    assert Decision("wait") is Decision.WAIT


# -- the base class, through a minimal subclass -----------------------------------
class ThresholdPruner(Pruner):
    """Prune below a fixed value: the example of the Pruner docstring."""

    def __init__(self, threshold: float = 0.5, label: str = "t") -> None:
        self.threshold = threshold
        self.label = label

    def decide(self, number: int, rung: int, record: RungRecord, n_rungs: int) -> Decision:
        value = record.value(number, rung)
        if rung == n_rungs - 1:
            return Decision.CONTINUE
        if value is None or value < self.threshold:
            return Decision.PRUNE
        return Decision.CONTINUE


def test_base_defaults() -> None:
    pruner = ThresholdPruner()
    assert pruner.ladder(1, 27) == (1, 3, 9, 27)  # geometric, factor 3
    assert pruner.ladder(2.0, 2.0) == (2.0,)
    assert [pruner.first_rung(k, 4) for k in range(5)] == [0, 0, 0, 0, 0]
    record = RungRecord()
    record.report(0, 0, 0.1)
    assert pruner.promotions([(0, 0)], record, 3) == []
    outcome = simulate(pruner, lambda number, rung: number / 10, 10, n_rungs=3)
    assert [outcome.states[k] for k in range(10)] == ["pruned"] * 5 + ["complete"] * 5


def test_params_protocol_of_a_subclass() -> None:
    pruner = ThresholdPruner(threshold=0.7)
    assert pruner.get_params() == {"label": "t", "threshold": 0.7}
    assert repr(pruner) == "ThresholdPruner(threshold=0.7)"
    assert repr(ThresholdPruner(threshold=0.5, label="u")) == "ThresholdPruner(label='u')"
    cloned = clone(pruner)
    assert cloned is not pruner
    assert cloned.get_params() == pruner.get_params()
    assert pruner.set_params(threshold=0.1, label="v") is pruner
    assert (pruner.threshold, pruner.label) == (0.1, "v")
    with pytest.raises(ValueError, match=r"Valid parameters are: \['label', 'threshold'\]"):
        pruner.set_params(thresold=0.2)


def test_repr_shows_a_value_equal_to_the_default_but_of_another_type() -> None:
    assert repr(ThresholdPruner(threshold=np.float64(0.5))) != "ThresholdPruner()"
    assert repr(ThresholdPruner(threshold=0.5)) == "ThresholdPruner()"


def test_record_normalises_numpy_ints() -> None:
    record = RungRecord()
    record.report(np.int64(3), np.int32(1), 0.5)
    (number,) = record.values_at(1)
    assert type(number) is int
    assert record.first_rung(3) == 1
    assert type(record.first_rung(3)) is int
