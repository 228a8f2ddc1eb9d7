"""SuccessiveHalvingPruner: asynchronous successive halving, hand-computed."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pruners.contract import PROPERTY_SETTINGS, PrunerContract, search_plans, simulate
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import Decision, Pruner, RungRecord, SuccessiveHalvingPruner

CONTINUE, PRUNE, WAIT = Decision.CONTINUE, Decision.PRUNE, Decision.WAIT


class TestSuccessiveHalvingPrunerContract(PrunerContract):
    bad_params = {"reduction_factor": 1}
    can_wait = True

    def make_pruner(self) -> Pruner:
        return SuccessiveHalvingPruner()


class TestSuccessiveHalvingPrunerEta2Contract(PrunerContract):
    bad_params = {"min_early_stopping_rate": -1}
    can_wait = True

    def make_pruner(self) -> Pruner:
        return SuccessiveHalvingPruner(reduction_factor=2, min_early_stopping_rate=1)


class Loop:
    """The search loop's side of the protocol, one report at a time."""

    def __init__(self, pruner: Pruner, n_rungs: int) -> None:
        self.pruner = pruner
        self.n_rungs = n_rungs
        self.record = RungRecord()
        self.waiting: list[tuple[int, int]] = []

    def report(
        self, number: int, rung: int, value: float | None
    ) -> tuple[Decision, list[tuple[int, int]]]:
        """Report, decide, then ask for promotions; return both answers."""
        self.record.report(number, rung, value)
        decision = self.pruner.decide(number, rung, self.record, self.n_rungs)
        if decision is CONTINUE and rung < self.n_rungs - 1:
            self.record.promote(number, rung)
        elif decision is WAIT:
            self.waiting.append((number, rung))
        promoted = self.pruner.promotions(self.waiting, self.record, self.n_rungs)
        for pair in promoted:
            self.record.promote(*pair)
            self.waiting.remove(pair)
        return decision, promoted


def test_nine_trials_at_rung_zero_hand_computed() -> None:
    loop = Loop(SuccessiveHalvingPruner(reduction_factor=3), n_rungs=3)
    # (number, value, places = n // 3, decision, promotions) after each report.
    steps = [
        (0, 0.50, WAIT, []),  # n=1, no place yet
        (1, 0.80, WAIT, []),  # n=2, no place yet
        (2, 0.30, WAIT, [(1, 0)]),  # n=3, 1 place: the best, 1 (.8), goes
        (3, 0.90, WAIT, []),  # n=4, 1 place, taken (3 is the best, 1 keeps its place)
        (4, 0.60, WAIT, []),  # n=5, 1 place, taken
        (5, 0.40, WAIT, [(3, 0)]),  # n=6, 2 places: top 2 are 3 (.9), 1 (.8); 3 goes
        (6, 0.70, WAIT, []),  # n=7, 2 places, both taken (1 and 3)
        (7, 0.20, WAIT, []),  # n=8, 2 places
        (8, 0.85, CONTINUE, []),  # n=9, 3 places: top 3 are 3, 8, 1; 8 is best unpromoted
    ]
    for number, value, decision, promoted in steps:
        assert loop.report(number, 0, value) == (decision, promoted), number
    assert [n for n in range(9) if loop.record.is_promoted(n, 0)] == [1, 3, 8]
    assert sorted(loop.waiting) == [(0, 0), (2, 0), (4, 0), (5, 0), (6, 0), (7, 0)]

    # A waiting trial goes on later, when enough worse trials arrive.
    assert loop.report(9, 0, 0.10) == (WAIT, [])  # n=10, 3 places, all taken
    assert loop.report(10, 0, 0.10) == (WAIT, [])  # n=11
    assert loop.report(11, 0, 0.05) == (
        WAIT,
        [(6, 0)],
    )  # n=12, 4 places: top 4 = 3, 8, 1, 6
    assert [n for n in range(12) if loop.record.is_promoted(n, 0)] == [1, 3, 6, 8]

    # Rung 1: nobody goes on before three have reported it, then the best.
    assert loop.report(8, 1, 0.70) == (WAIT, [])
    assert loop.report(1, 1, 0.60) == (WAIT, [])
    assert loop.report(3, 1, 0.95) == (CONTINUE, [])
    # Rung 2 is the last: the trial is complete whatever its value.
    assert loop.report(3, 2, 0.10) == (CONTINUE, [])


def test_at_most_n_over_eta_promotions_per_rung() -> None:
    # Increasing values: every newcomer is the best so far, and still a rung
    # of n trials never promotes more than n // 3 of them.
    loop = Loop(SuccessiveHalvingPruner(reduction_factor=3), n_rungs=2)
    for number in range(30):
        loop.report(number, 0, float(number))
        n_promoted = sum(loop.record.is_promoted(k, 0) for k in range(number + 1))
        assert n_promoted == (number + 1) // 3
    promoted = [k for k in range(30) if loop.record.is_promoted(k, 0)]
    # Each place, as it opened, went to the newest (best) trial.
    assert promoted == list(range(2, 30, 3))


def test_ties_go_to_the_lower_trial_number() -> None:
    loop = Loop(SuccessiveHalvingPruner(reduction_factor=2), n_rungs=2)
    assert loop.report(3, 0, 0.5) == (WAIT, [])  # n=1, no place yet
    # n=2, 1 place: 1 and 3 tie, and 1 is lower.
    assert loop.report(1, 0, 0.5) == (CONTINUE, [])
    assert loop.report(0, 0, 0.5) == (WAIT, [])  # n=3, 1 place, taken
    # n=4, 2 places, top 2 by (value, lower number) = 0, 1: 0 takes the free one.
    assert loop.report(2, 0, 0.5) == (WAIT, [(0, 0)])
    assert loop.report(5, 0, 0.5) == (WAIT, [])  # n=5, 2 places, taken
    # n=6, 3 places, top 3 = 0, 1, 2 (2 ties with 3, 4 and 5 but is lower).
    assert loop.report(4, 0, 0.5) == (WAIT, [(2, 0)])


def test_failed_values_count_in_n_rank_last_and_are_pruned() -> None:
    loop = Loop(SuccessiveHalvingPruner(reduction_factor=3), n_rungs=3)
    assert loop.report(0, 0, None) == (PRUNE, [])  # n=1, failed: no place taken
    assert loop.report(1, 0, math.nan) == (PRUNE, [])  # n=2
    assert loop.report(2, 0, 0.1) == (CONTINUE, [])  # n=3, 1 place: the only real value
    assert loop.report(3, 0, 0.2) == (WAIT, [])  # n=4, 1 place, taken
    assert loop.report(4, 0, None) == (PRUNE, [])  # n=5
    # n=6 (three of them failed), 2 places: top 2 = 3 (.2), 2 (.1).
    assert loop.report(5, 0, 0.05) == (WAIT, [(3, 0)])
    assert not loop.record.is_promoted(0, 0)
    assert not loop.record.is_promoted(1, 0)


def test_failures_are_never_promoted_even_when_places_are_left() -> None:
    loop = Loop(SuccessiveHalvingPruner(reduction_factor=3), n_rungs=2)
    for number in range(8):
        assert loop.report(number, 0, None) == (PRUNE, [])
    assert loop.report(8, 0, -1e9) == (CONTINUE, [])  # n=9: 3 places, one real value
    assert loop.pruner.promotions([(0, 0)], loop.record, 2) == []
    assert [k for k in range(9) if loop.record.is_promoted(k, 0)] == [8]


def test_reports_out_of_trial_order() -> None:
    # Trial numbers don't matter for arrival; only the record does.
    loop = Loop(SuccessiveHalvingPruner(reduction_factor=2), n_rungs=3)
    assert loop.report(7, 0, 0.4) == (WAIT, [])  # n=1, no place yet
    assert loop.report(2, 0, 0.9) == (CONTINUE, [])  # n=2, 1 place: 2 is the best
    assert loop.report(5, 0, 0.1) == (WAIT, [])  # n=3, 1 place, taken
    assert loop.report(0, 0, 0.5) == (CONTINUE, [])  # n=4, 2 places: top 2 = 2, 0
    assert loop.report(2, 1, 0.8) == (WAIT, [])  # rung 1: n=1, no place yet
    assert loop.report(0, 1, 0.3) == (WAIT, [(2, 1)])  # n=2, 1 place: 2 is the best
    assert loop.report(2, 2, 0.0) == (CONTINUE, [])  # last rung


def test_a_rebuilt_record_counts_trials_that_reported_a_higher_rung() -> None:
    # As after a resume: trial 1 reported rung 1, but promote() was never called.
    record = RungRecord()
    for number, value in enumerate([0.1, 0.2, 0.9]):
        record.report(number, 0, value)
    record.report(1, 1, 0.5)
    pruner = SuccessiveHalvingPruner(reduction_factor=3)
    assert record.is_promoted(1, 0)
    # n=3: 1 place, held by trial 1 although trial 2 is better.
    assert pruner.decide(2, 0, record, 3) is WAIT
    assert pruner.promotions([(0, 0), (2, 0)], record, 3) == []


def test_asking_again_about_a_promoted_trial_continues() -> None:
    loop = Loop(SuccessiveHalvingPruner(), n_rungs=3)
    loop.report(0, 0, 0.3)
    loop.report(1, 0, 0.9)
    assert loop.report(2, 0, 0.1) == (WAIT, [(1, 0)])  # n=3: 1 place, for 1
    assert loop.pruner.decide(1, 0, loop.record, 3) is CONTINUE
    assert loop.pruner.decide(0, 0, loop.record, 3) is WAIT


def test_promotions_come_highest_rung_first_then_best_first() -> None:
    record = RungRecord()
    # Rung 0: 6 trials, 2 places, none taken: 4 and 5 are the best two.
    for number, value in enumerate([0.1, 0.2, 0.3, 0.4, 0.6, 0.5]):
        record.report(number, 0, value)
    # Rung 1: trials 6, 7, 8 started there (bracket 1): 3 trials, 1 place.
    for number, value in [(6, 0.2), (7, 0.7), (8, 0.1)]:
        record.report(number, 1, value)
    pruner = SuccessiveHalvingPruner(reduction_factor=3)
    waiting = [(0, 0), (5, 0), (8, 1), (4, 0), (7, 1)]
    assert pruner.promotions(waiting, record, 3) == [(7, 1), (4, 0), (5, 0)]


def test_promotions_rejects_a_pair_at_the_last_rung() -> None:
    record = RungRecord()
    record.report(0, 2, 0.5)
    with pytest.raises(
        ValueError, match=r"got \(0, 2\) as waiting, but rung 2 is the last"
    ):
        SuccessiveHalvingPruner().promotions([(0, 2)], record, 3)


@PROPERTY_SETTINGS
@given(plan=search_plans(), eta=st.integers(2, 4))
def test_places_are_never_exceeded_and_always_filled(plan: tuple, eta: int) -> None:
    value_of, n_trials, n_rungs, seed, _ = plan
    pruner = SuccessiveHalvingPruner(reduction_factor=eta)

    def promoted_and_places(record: RungRecord, rung: int) -> tuple[list[int], int, int]:
        values = record.values_at(rung, bracket=0)
        promoted = [k for k in values if record.is_promoted(k, rung)]
        n_real = sum(v is not None for v in values.values())
        return promoted, len(values) // eta, n_real

    def check(record: RungRecord, waiting: list[tuple[int, int]]) -> None:
        for rung in range(n_rungs - 1):
            promoted, n_places, n_real = promoted_and_places(record, rung)
            assert len(promoted) <= n_places
            assert all(record.value(k, rung) is not None for k in promoted)
            # Work-conserving: a free place and a waiting real value never coexist
            # among the top n_places.
            assert len(promoted) >= min(n_places, n_real)
        assert pruner.promotions(waiting, record, n_rungs) == []

    simulate(pruner, value_of, n_trials, n_rungs, seed, check=check)


@pytest.mark.parametrize(
    ("low", "high", "eta", "expected"),
    [
        (1, 27, 3, (1, 3, 9, 27)),
        (1, 10, 3, (1, 3, 10)),  # 9 is within sqrt(3) of 10: merged
        (1, 20, 3, (1, 3, 9, 20)),  # 20 / 9 = 2.2 >= sqrt(3): kept
        (1, 5, 3, (1, 5)),  # 5 / 3 = 1.67 < sqrt(3)
        (1, 6, 3, (1, 3, 6)),
        (10, 100, 3, (10, 30, 100)),
        (1, 100, 2, (1, 2, 4, 8, 16, 32, 64, 100)),
        (1, 8, 4, (1, 4, 8)),  # 8 / 4 = sqrt(4) exactly: kept
        (1, 7, 4, (1, 7)),
        (5, 5, 3, (5,)),
        (8, 10, 3, (8, 10)),  # the first rung is always min_resource
        (1, 3**40, 3, tuple(3**i for i in range(41))),  # big ints stay exact
    ],
)
def test_ladder_hand_computed(low: int, high: int, eta: int, expected: tuple) -> None:
    ladder = SuccessiveHalvingPruner(reduction_factor=eta).ladder(low, high)
    assert ladder == expected
    assert all(type(r) is int for r in ladder)


def test_float_ladder() -> None:
    ladder = SuccessiveHalvingPruner().ladder(0.1, 0.9)
    assert ladder == pytest.approx((0.1, 0.3, 0.9))
    assert ladder[-1] == 0.9
    assert all(type(r) is float for r in ladder)
    assert SuccessiveHalvingPruner().ladder(1.0, 27) == (1.0, 3.0, 9.0, 27.0)


def test_min_early_stopping_rate_starts_trials_higher() -> None:
    pruner = SuccessiveHalvingPruner(min_early_stopping_rate=2)
    assert [pruner.first_rung(k, 4) for k in range(5)] == [2, 2, 2, 2, 2]
    assert pruner.first_rung(0, 2) == 1  # capped at the last rung
    assert pruner.first_rung(0, 1) == 0
    assert SuccessiveHalvingPruner().first_rung(17, 4) == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"reduction_factor": 1},
            "The 'reduction_factor' parameter of SuccessiveHalvingPruner must be an int "
            "in the range [2, inf). Got 1 instead.",
        ),
        (
            {"reduction_factor": 2.5},
            "The 'reduction_factor' parameter of SuccessiveHalvingPruner must be an int "
            "in the range [2, inf). Got 2.5 instead.",
        ),
        (
            {"min_early_stopping_rate": -1},
            "The 'min_early_stopping_rate' parameter of SuccessiveHalvingPruner must be "
            "an int in the range [0, inf). Got -1 instead.",
        ),
    ],
)
def test_bad_constructor_values(params: dict, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        SuccessiveHalvingPruner(**params)
    assert str(info.value) == message


def test_repr_and_params() -> None:
    assert repr(SuccessiveHalvingPruner()) == "SuccessiveHalvingPruner()"
    pruner = SuccessiveHalvingPruner(reduction_factor=4)
    assert repr(pruner) == "SuccessiveHalvingPruner(reduction_factor=4)"
    assert pruner.get_params() == {"min_early_stopping_rate": 0, "reduction_factor": 4}
    assert pruner.set_params(min_early_stopping_rate=1).first_rung(0, 3) == 1


# -- final promotions --------------------------------------------------------------------
def test_final_promotions_let_the_best_paused_trial_past_an_early_one() -> None:
    loop = Loop(SuccessiveHalvingPruner(), n_rungs=3)
    assert loop.report(0, 0, 0.2) == (WAIT, [])
    assert loop.report(1, 0, 0.3) == (WAIT, [])
    # n=3, 1 place: 1 (.3), the best so far, takes it, poor as it is.
    assert loop.report(2, 0, 0.1) == (WAIT, [(1, 0)])
    assert loop.report(3, 0, 0.95) == (WAIT, [])  # n=4: the one place is taken
    assert loop.report(4, 0, None) == (PRUNE, [])  # n=5
    loop.waiting.append((4, 0))  # as if paused: a failed value never goes on
    assert loop.report(1, 1, 0.25) == (WAIT, [])  # rung 1: n=1, no place
    pruner, record = loop.pruner, loop.record
    # Rung 1: its best paused trial, 1 (.25), is beaten by 3 (.95) paused a
    # rung lower, so it does not go on. Rung 0: 3 is the best paused and
    # beats 1 (.3), the only one promoted; the failed 4 never goes on.
    assert pruner.final_promotions(loop.waiting, record, 3) == [(3, 0)]
    record.promote(3, 0)
    loop.waiting.remove((3, 0))
    # 3 pauses at rung 1 (.6), behind 1 (.25) which holds no place there
    # (n=2, none): it goes on; 0 (.2) stays behind 3 at rung 0.
    record.report(3, 1, 0.6)
    assert pruner.decide(3, 1, record, 3) is WAIT
    loop.waiting.append((3, 1))
    assert pruner.final_promotions(loop.waiting, record, 3) == [(3, 1)]
    record.promote(3, 1)
    loop.waiting.remove((3, 1))
    # 3 completes (.7): 1 (.25) is beaten by 3, which still stands, and 0
    # (.2) by everyone promoted from rung 0.
    record.report(3, 2, 0.7)
    assert pruner.final_promotions(loop.waiting, record, 3) == []
    # A late best at rung 0 (.99) beats 3's .95 there: it goes on.
    record.report(5, 0, 0.99)
    loop.waiting.append((5, 0))
    assert pruner.final_promotions(loop.waiting, record, 3) == [(5, 0)]


def test_final_promotions_skip_a_trial_that_collapsed_with_more_resource() -> None:
    # svc_digits in benchmarks/equal_time.py: an SVC with a small C scored well
    # on few rows and collapsed on more. It must not be the trial carried to the full
    # budget while a paused trial a rung lower did better.
    pruner, record = SuccessiveHalvingPruner(), RungRecord()
    for number, value in [(0, 0.77), (1, 0.80), (2, 0.48), (3, 0.82), (4, 0.83)]:
        record.report(number, 0, value)
    for number, value in [(1, 0.84), (3, 0.86), (4, 0.88)]:
        record.promote(number, 0)
        record.report(number, 1, value)
    record.promote(4, 1)
    record.report(4, 2, 0.17)  # collapsed
    waiting = [(0, 0), (2, 0), (1, 1), (3, 1), (4, 2)]
    # The old rule carried 4 from rung 2 (nobody promoted from there) and
    # held 3 back behind 4's .88 at rung 1. Now 3 (.86 at rung 1) beats 4's
    # .17, so 4 stays and 3 goes on: 4 no longer stands in its way.
    assert pruner.final_promotions(waiting, record, 4) == [(3, 1)]
    # A lower trial that does not beat it leaves the highest rung first.
    record_2 = RungRecord()
    for number, value in [(0, 0.5), (1, 0.6)]:
        record_2.report(number, 0, value)
    record_2.promote(1, 0)
    record_2.report(1, 1, 0.55)
    assert pruner.final_promotions([(0, 0), (1, 1)], record_2, 3) == [(1, 1)]
    # Equal values: the higher rung goes on (only a strictly better one wins).
    record_2.report(2, 0, 0.55)
    assert pruner.final_promotions([(2, 0), (1, 1)], record_2, 3) == [(1, 1)]


def test_final_promotions_of_a_rung_nobody_left_promote_its_best() -> None:
    pruner, record = SuccessiveHalvingPruner(), RungRecord()
    for number, value in [(0, 0.1), (1, 0.7), (2, 0.4)]:
        record.report(number, 1, value)
    waiting = [(0, 1), (1, 1), (2, 1)]
    assert pruner.final_promotions(waiting, record, 3) == [(1, 1)]
    record.report(3, 1, math.nan)
    assert pruner.final_promotions([(3, 1)], record, 3) == []  # failed: never
