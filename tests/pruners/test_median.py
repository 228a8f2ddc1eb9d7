"""MedianPruner: stop trials below the median of the others at the same rung."""

from __future__ import annotations

import math

import pytest

from pruners.contract import PrunerContract
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import Decision, MedianPruner, Pruner, RungRecord

CONTINUE, PRUNE = Decision.CONTINUE, Decision.PRUNE


class TestMedianPrunerContract(PrunerContract):
    bad_params = {"n_startup_trials": -1}

    def make_pruner(self) -> Pruner:
        return MedianPruner()


class TestMedianPrunerWithoutStartupContract(PrunerContract):
    bad_params = {"n_warmup_rungs": 1.5}

    def make_pruner(self) -> Pruner:
        return MedianPruner(n_startup_trials=0, n_warmup_rungs=1)


def decide_in_turn(
    pruner: MedianPruner, reports: list[tuple[int, int, float | None]], n_rungs: int
) -> list[Decision]:
    """Report each (number, rung, value) and decide right after it, in order."""
    record = RungRecord()
    decisions = []
    for number, rung, value in reports:
        record.report(number, rung, value)
        decisions.append(pruner.decide(number, rung, record, n_rungs))
    return decisions


def test_hand_computed_decisions_with_startup_and_warmup() -> None:
    pruner = MedianPruner(n_startup_trials=2, n_warmup_rungs=1)
    reports = [
        # rung 0 is a warm-up rung: only failures are pruned there.
        (0, 0, 0.5),
        (1, 0, 0.9),
        (2, 0, 0.1),  # far below the others, but warm-up
        (3, 0, None),  # failed: pruned even in warm-up
        # rung 1
        (0, 1, 0.25),  # no other value yet: startup
        (1, 1, 0.75),  # one other value (< n_startup_trials=2): startup
        (2, 1, 0.375),  # others {0.25, 0.75}: median 0.5 -> below -> PRUNE
        (4, 1, 0.5),  # others {0.25, 0.75, 0.375}: median 0.375 -> CONTINUE
        (5, 1, 0.25),  # others {.25, .75, .375, .5}: median 0.4375 -> PRUNE
        (6, 1, 0.4375),  # others {.25, .75, .375, .5, .25}: median 0.375 -> CONTINUE
        (7, 1, math.nan),  # failed
        # rung 2 is the last: always CONTINUE, even far below the median
        (0, 2, 0.9),
        (1, 2, 0.8),
        (6, 2, 0.0),
    ]
    expected = [CONTINUE, CONTINUE, CONTINUE, PRUNE]
    expected += [CONTINUE, CONTINUE, PRUNE, CONTINUE, PRUNE, CONTINUE, PRUNE]
    expected += [CONTINUE, CONTINUE, CONTINUE]
    assert decide_in_turn(pruner, reports, n_rungs=3) == expected


def test_a_value_equal_to_the_median_continues() -> None:
    reports = [(0, 0, 0.25), (1, 0, 0.75), (2, 0, 0.5), (3, 0, 0.4999)]
    decisions = decide_in_turn(MedianPruner(n_startup_trials=2), reports, n_rungs=2)
    assert decisions == [CONTINUE, CONTINUE, CONTINUE, PRUNE]


def test_failed_values_of_other_trials_are_left_out() -> None:
    # Two failures would pull an "as -inf" median down to 0.25; left out, the
    # median of {0.25, 0.75} is 0.5 and 0.4 is pruned. They don't count
    # towards n_startup_trials either.
    record = RungRecord()
    for number, value in enumerate([0.25, None, math.nan, 0.75, 0.4]):
        record.report(number, 0, value)
    assert MedianPruner(n_startup_trials=2).decide(4, 0, record, 2) is PRUNE
    assert MedianPruner(n_startup_trials=3).decide(4, 0, record, 2) is CONTINUE


def test_only_the_same_rung_counts() -> None:
    record = RungRecord()
    for number in range(5):
        record.report(number, 0, 1.0)
    record.report(5, 0, 0.0)  # bad at rung 0, but rung 1 is what is asked about
    record.report(5, 1, 0.1)
    record.report(0, 1, 0.0)
    assert MedianPruner(n_startup_trials=1).decide(5, 1, record, 3) is CONTINUE
    assert MedianPruner(n_startup_trials=1).decide(5, 0, record, 3) is PRUNE


def test_out_of_order_reports_use_the_record_as_it_is() -> None:
    # Trial 9 reports before trials 0..3; the decision sees whatever is there.
    record = RungRecord()
    record.report(9, 0, 0.3)
    assert MedianPruner(n_startup_trials=1).decide(9, 0, record, 2) is CONTINUE
    for number, value in enumerate([0.2, 0.6, 0.7, 0.8]):
        record.report(number, 0, value)
    assert MedianPruner(n_startup_trials=1).decide(9, 0, record, 2) is PRUNE


def test_never_waits() -> None:
    record = RungRecord()
    for number in range(10):
        record.report(number, 0, number / 10)
    pruner = MedianPruner(n_startup_trials=0)
    decisions = {pruner.decide(n, 0, record, 3) for n in range(10)}
    assert decisions == {CONTINUE, PRUNE}
    assert pruner.promotions([(0, 0), (1, 0)], record, 3) == []


def test_ladder_is_geometric_with_factor_three() -> None:
    pruner = MedianPruner()
    assert pruner.ladder(1, 27) == (1, 3, 9, 27)
    assert pruner.ladder(1, 5) == (1, 5)  # five CV folds: 3 merges into 5
    assert pruner.ladder(1, 6) == (1, 3, 6)
    assert pruner.ladder(100, 1000) == (100, 300, 1000)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"n_startup_trials": -1},
            "The 'n_startup_trials' parameter of MedianPruner must be an int in the range "
            "[0, inf). Got -1 instead.",
        ),
        (
            {"n_warmup_rungs": "2"},
            "The 'n_warmup_rungs' parameter of MedianPruner must be an int in the range "
            "[0, inf). Got '2' instead.",
        ),
        (
            {"n_startup_trials": True},
            "The 'n_startup_trials' parameter of MedianPruner must be an int in the range "
            "[0, inf). Got True instead.",
        ),
    ],
)
def test_bad_constructor_values(params: dict, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        MedianPruner(**params)
    assert str(info.value) == message


def test_repr_shows_non_defaults() -> None:
    assert repr(MedianPruner()) == "MedianPruner()"
    assert repr(MedianPruner(n_warmup_rungs=2)) == "MedianPruner(n_warmup_rungs=2)"
    assert MedianPruner(3, 1).get_params() == {"n_startup_trials": 3, "n_warmup_rungs": 1}
