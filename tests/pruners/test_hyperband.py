"""HyperbandPruner: bracket sizes and assignment, and ASHA within each bracket."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone

from pruners.contract import PROPERTY_SETTINGS, PrunerContract, search_plans, simulate
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import (
    Decision,
    HyperbandPruner,
    Pruner,
    RungRecord,
    SuccessiveHalvingPruner,
)

CONTINUE, PRUNE, WAIT = Decision.CONTINUE, Decision.PRUNE, Decision.WAIT


class TestHyperbandPrunerContract(PrunerContract):
    bad_params = {"reduction_factor": 0}
    can_wait = True

    def make_pruner(self) -> Pruner:
        return HyperbandPruner()


@pytest.mark.parametrize(
    ("n_rungs", "eta", "expected"),
    [
        # ceil(R * eta**(R - 1 - s) / (R - s)) for s = 0..R-1
        (1, 3, (1,)),
        (2, 3, (3, 2)),  # ceil(2 * 3 / 2), ceil(2 * 1 / 1)
        (4, 3, (27, 12, 6, 4)),  # 4*27/4, ceil(4*9/3), ceil(4*3/2), 4*1/1
        (5, 3, (81, 34, 15, 8, 5)),  # 81, ceil(33.75), 15, ceil(7.5), 5
        (3, 2, (4, 3, 3)),  # 3*4/3, ceil(3*2/2), 3
    ],
)
def test_bracket_sizes_hand_computed(n_rungs: int, eta: int, expected: tuple) -> None:
    assert HyperbandPruner(reduction_factor=eta).bracket_sizes(n_rungs) == expected


def test_first_trials_hand_computed() -> None:
    # Sizes (27, 12, 6, 4) cut [0, 1) at 27/49, 39/49, 45/49. Trial k's van der
    # Corput number: 0, 1/2, 1/4, 3/4, 1/8, 5/8, 3/8, 7/8, 1/16, 9/16, 5/16,
    # 13/16, 3/16, 11/16, 7/16, 15/16.
    pruner = HyperbandPruner(reduction_factor=3)
    starts = [pruner.first_rung(k, 4) for k in range(16)]
    assert starts == [0, 0, 0, 1, 0, 1, 0, 2, 0, 1, 0, 2, 0, 1, 0, 3]


@pytest.mark.parametrize(("n_rungs", "eta"), [(4, 3), (5, 3), (3, 2), (6, 2), (3, 4)])
def test_first_power_of_two_trials_split_in_proportion(n_rungs: int, eta: int) -> None:
    pruner = HyperbandPruner(reduction_factor=eta)
    sizes = pruner.bracket_sizes(n_rungs)
    total = sum(sizes)
    for n_bits in (4, 7, 10):
        n_trials = 2**n_bits
        counts = Counter(pruner.first_rung(k, n_rungs) for k in range(n_trials))
        for bracket, size in enumerate(sizes):
            # The points j / n_trials in [start, end): exactly this many.
            start, end = sum(sizes[:bracket]), sum(sizes[: bracket + 1])
            exact = math.ceil(n_trials * end / total) - math.ceil(n_trials * start / total)
            assert counts[bracket] == exact
            assert abs(counts[bracket] - n_trials * size / total) < 1


def test_every_bracket_is_used_early() -> None:
    # Smallest share 5/143 > 1/32: each bracket appears among the first 32 trials.
    pruner = HyperbandPruner(reduction_factor=3)
    first_seen = {}
    for k in range(32):
        first_seen.setdefault(pruner.first_rung(k, 5), k)
    assert first_seen == {0: 0, 1: 3, 2: 7, 3: 15, 4: 31}


def test_assignment_is_deterministic() -> None:
    pruner = HyperbandPruner()
    expected = [pruner.first_rung(k, 5) for k in range(500)]
    assert [HyperbandPruner().first_rung(k, 5) for k in range(500)] == expected
    assert [clone(pruner).first_rung(k, 5) for k in range(500)] == expected
    # Asking out of order, or twice, changes nothing.
    assert [pruner.first_rung(k, 5) for k in reversed(range(500))] == expected[::-1]


def test_a_single_rung_is_a_single_bracket() -> None:
    pruner = HyperbandPruner()
    assert {pruner.first_rung(k, 1) for k in range(100)} == {0}
    record = RungRecord()
    record.report(0, 0, None)
    assert pruner.decide(0, 0, record, 1) is CONTINUE


def test_brackets_are_ranked_separately_hand_computed() -> None:
    # eta=2, 3 rungs. Trials 0, 1, 4, 5 are in bracket 0 (start at rung 0);
    # trials 2, 3, 6, 7 in bracket 1 (start at rung 1) and much better.
    pruner = HyperbandPruner(reduction_factor=2)
    record = RungRecord()
    record.report(0, 0, 0.2)
    assert pruner.decide(0, 0, record, 3) is WAIT  # bracket 0, rung 0: n=1, no place
    record.report(1, 0, 0.15)
    assert pruner.decide(1, 0, record, 3) is WAIT  # n=2, 1 place: 0 is better
    assert pruner.promotions([(0, 0), (1, 0)], record, 3) == [(0, 0)]
    record.promote(0, 0)
    record.report(4, 0, 0.0)
    record.report(5, 0, 0.0)  # n=4, 2 places: 1 takes the free one
    assert pruner.promotions([(1, 0), (4, 0), (5, 0)], record, 3) == [(1, 0)]
    record.promote(1, 0)
    record.report(2, 1, 0.9)
    assert pruner.decide(2, 1, record, 3) is WAIT  # bracket 1, rung 1: n=1
    record.report(3, 1, 0.8)
    assert pruner.decide(3, 1, record, 3) is WAIT  # n=2, 1 place: 2 is better
    assert pruner.promotions([(2, 1), (3, 1)], record, 3) == [(2, 1)]
    record.promote(2, 1)
    record.report(0, 1, 0.1)
    record.report(1, 1, 0.05)
    # Bracket 0 at rung 1 has trials 0 and 1 and one place: 0 goes on,
    # although bracket 1's trials did better at the same rung (pooled, the
    # rung's 2 places would be held by 2 and 3).
    assert pruner.decide(0, 1, record, 3) is CONTINUE
    assert pruner.decide(1, 1, record, 3) is WAIT
    record.promote(0, 1)
    assert pruner.promotions([(3, 1), (1, 1), (4, 0), (5, 0)], record, 3) == []
    record.report(6, 1, 0.0)  # bracket 1, rung 1: n=3, 1 place
    record.report(7, 1, 0.0)  # n=4, 2 places: trial 3 takes the free one
    waiting = [(3, 1), (1, 1), (4, 0), (5, 0), (6, 1), (7, 1)]
    assert pruner.promotions(waiting, record, 3) == [(3, 1)]


def test_a_failed_value_is_pruned() -> None:
    record = RungRecord()
    record.report(3, 0, float("nan"))
    assert HyperbandPruner().decide(3, 0, record, 4) is PRUNE


@st.composite
def mixed_bracket_records(draw: st.DrawFn) -> tuple[RungRecord, int]:
    """A record of trials from several brackets, reported in a random order."""
    n_rungs = draw(st.integers(2, 4))
    reports = []
    for number in range(draw(st.integers(1, 20))):
        start = draw(st.integers(0, n_rungs - 1))
        stop = draw(st.integers(start, n_rungs - 1))
        for rung in range(start, stop + 1):
            value = draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0])))
            reports.append((number, rung, value))
    record = RungRecord()
    for number, rung, value in draw(st.permutations(reports)):
        record.report(number, rung, value)
    return record, n_rungs


def only_bracket(record: RungRecord, bracket: int) -> RungRecord:
    sub = RungRecord()
    for number in record.numbers:
        if record.first_rung(number) == bracket:
            for rung, value in record.rungs(number).items():
                sub.report(number, rung, value)
    return sub


@PROPERTY_SETTINGS
@given(case=mixed_bracket_records(), eta=st.integers(2, 3))
def test_within_a_bracket_it_is_successive_halving_on_that_bracket(
    case: tuple[RungRecord, int], eta: int
) -> None:
    record, n_rungs = case
    hyperband = HyperbandPruner(reduction_factor=eta)
    halving = SuccessiveHalvingPruner(reduction_factor=eta)
    waiting = []
    for number in record.numbers:
        bracket = record.first_rung(number)
        sub = only_bracket(record, bracket)
        for rung in record.rungs(number):
            expected = halving.decide(number, rung, sub, n_rungs)
            assert hyperband.decide(number, rung, record, n_rungs) is expected
            if rung < n_rungs - 1:
                waiting.append((number, rung))
    promoted = set(hyperband.promotions(waiting, record, n_rungs))
    for bracket in set(map(record.first_rung, record.numbers)):
        sub = only_bracket(record, bracket)
        in_bracket = [(n, r) for n, r in waiting if record.first_rung(n) == bracket]
        assert set(halving.promotions(in_bracket, sub, n_rungs)) == {
            pair for pair in promoted if record.first_rung(pair[0]) == bracket
        }


@PROPERTY_SETTINGS
@given(plan=search_plans())
def test_each_bracket_promotes_at_most_its_places(plan: tuple) -> None:
    value_of, n_trials, n_rungs, seed, _ = plan
    pruner = HyperbandPruner(reduction_factor=2)

    def check(record: RungRecord, waiting: list[tuple[int, int]]) -> None:
        for bracket in range(n_rungs):
            for rung in range(bracket, n_rungs - 1):
                values = record.values_at(rung, bracket)
                n_promoted = sum(record.is_promoted(k, rung) for k in values)
                assert n_promoted <= max(1, len(values) // 2)

    outcome = simulate(pruner, value_of, n_trials, n_rungs, seed, check=check)
    for number in outcome.states:
        assert min(outcome.record.rungs(number)) == pruner.first_rung(number, n_rungs)


def test_ladder_and_params() -> None:
    pruner = HyperbandPruner(reduction_factor=2)
    assert pruner.ladder(1, 16) == (1, 2, 4, 8, 16)
    assert pruner.ladder(2, 10) == (2, 4, 10)  # 8: 10 / 8 < sqrt(2), merged
    assert repr(pruner) == "HyperbandPruner(reduction_factor=2)"
    assert pruner.get_params() == {"reduction_factor": 2}


def test_bad_reduction_factor() -> None:
    with pytest.raises(InvalidParameterError) as info:
        HyperbandPruner(reduction_factor=1)
    assert str(info.value) == (
        "The 'reduction_factor' parameter of HyperbandPruner must be an int in the "
        "range [2, inf). Got 1 instead."
    )
    pruner = HyperbandPruner().set_params(reduction_factor="3")
    with pytest.raises(InvalidParameterError, match=r"Got '3' instead"):
        pruner.bracket_sizes(3)


def test_final_promotions_compare_a_trial_with_its_own_bracket_only() -> None:
    pruner, record = HyperbandPruner(), RungRecord()
    n_rungs = 3
    bracket_of = {n: pruner.first_rung(n, n_rungs) for n in range(40)}
    zero = [n for n in range(40) if bracket_of[n] == 0][:3]
    one = [n for n in range(40) if bracket_of[n] == 1][:2]
    for number in zero:
        record.report(number, 0, 0.0)
    # Bracket 1 starts at rung 1: one[0] was promoted at 0.5; one[1] (0.6)
    # beats it. A bracket-0 trial promoted at 0.9 from rung 1 does not count.
    record.report(one[0], 1, 0.5)
    record.promote(one[0], 1)
    record.report(one[1], 1, 0.6)
    # Bracket 0, rung 1: zero[0] promoted at 0.9; zero[1] at 0.7 is paused
    # there. Rung 0: zero[0] and zero[1] were promoted at 0.0, and the paused
    # zero[2] at 0.0 does not beat them.
    for number in zero[:2]:
        record.promote(number, 0)
    record.report(zero[0], 1, 0.9)
    record.promote(zero[0], 1)
    record.report(zero[1], 1, 0.7)
    waiting = [(one[1], 1), (zero[1], 1), (zero[2], 0)]
    assert pruner.final_promotions(waiting, record, n_rungs) == [(one[1], 1)]
