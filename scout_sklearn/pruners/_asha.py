"""Asynchronous successive halving (ASHA) within a bracket: who goes on from a rung.

Shared by SuccessiveHalvingPruner (one bracket) and HyperbandPruner (one
bracket per starting rung). Everything is computed from the record.

At a rung of a bracket, let ``n`` be the number of the bracket's trials that
reported the rung (failed ones included) and ``eta`` the reduction factor.
The rung has ``n // eta`` *places*, as in ASHA (Li et al., 2020); trials
already promoted from it hold places, even if better values have arrived
since. The free places go to the best trials not promoted yet: by value,
higher first, ties to the lower trial number. Failed values (None or NaN)
rank below every real value and are never promoted.

**No place before ``eta`` trials.** An earlier version gave a rung one
place from its first report (``max(1, n // eta)``), so that every bracket
carried a trial to its last rung early. That trial is whichever finished
first, usually one of the space-filling design's: it climbed the whole
ladder before any other trial ran, and with a timeout there was often no
time left for more (``benchmarks/equal_time.py``, Hyperband on
``svc_digits``, seed 1: 4 trials in HalvingRandomSearchCV's 1.8 s, best CV
0.32 against Halving's 0.99; ``docs/benchmarks.md``). The final promotions
below now carry a search's best trials to the full budget at its end, and
the search loop stops asking new trials in time for them when it has a
timeout.

**Final promotions.** A trial promoted early holds its place when better
ones arrive, and a rung with few trials has one place or none. So when the
search asks no more trials and nothing runs, the best paused trial of each
rung and bracket goes on if it beats every trial promoted from there (or
if nobody was); again after each rung it runs, until no paused trial beats
those promoted. The best trial of every rung then reaches the last rung,
at the cost of a few fits at the end of the search.

Scores that fall with more resource are the exception to "highest rung
first". An RBF ``SVC`` with a small ``C`` scored 0.88 on 120 rows of digits
and 0.17 on 360; as the only trial paused at its rung it went on to the
full budget (0.10), and with a timeout that was the search's result
(``benchmarks/equal_time.py``, ``svc_digits`` seed 4, successive halving:
best CV 0.10 against HalvingRandomSearchCV's 0.99). So a paused trial that
a paused trial of a lower rung beats does not go on, and a promoted trial
whose latest value fell below a candidate's no longer holds it back. (On
that seed every small-``C`` trial falls at 360 rows, so the rule alone
does not rescue it: the one good trial still has to climb in time.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from scout_sklearn.pruners._base import (
    Decision,
    Pruner,
    RungRecord,
    geometric_ladder,
    is_failed,
    reported_value,
)

__all__ = [
    "asha_decide",
    "asha_final_promotions",
    "asha_promotions",
    "chosen_for_promotion",
    "rank",
]


def asha_decide(
    owner: str,
    number: int,
    rung: int,
    record: RungRecord,
    n_rungs: int,
    reduction_factor: int,
) -> Decision:
    """CONTINUE if trial ``number`` takes a free place at ``rung``, WAIT if not.

    PRUNE if its value failed; CONTINUE at the last rung, and again for a
    trial already promoted from ``rung`` (asking twice is harmless).
    """
    value = reported_value(owner, number, rung, record, n_rungs)
    if rung == n_rungs - 1:
        return Decision.CONTINUE
    if is_failed(value):
        return Decision.PRUNE
    if record.is_promoted(number, rung):
        return Decision.CONTINUE
    bracket = record.first_rung(number)
    if number in chosen_for_promotion(record, rung, bracket, reduction_factor):
        return Decision.CONTINUE
    return Decision.WAIT


def asha_promotions(
    owner: str,
    waiting: Sequence[tuple[int, int]],
    record: RungRecord,
    n_rungs: int,
    reduction_factor: int,
) -> list[tuple[int, int]]:
    """The waiting pairs that take a free place, highest rung first, best first.

    A loop short of workers starts the first ones first: the most advanced
    trials, as ASHA does.
    """
    chosen: dict[tuple[int, int], list[int]] = {}  # (rung, bracket) -> best first
    waiting_pairs: set[tuple[int, int]] = set()
    for number, rung in waiting:
        reported_value(owner, number, rung, record, n_rungs)
        if rung == n_rungs - 1:
            raise ValueError(
                f"{owner}.promotions got ({number}, {rung}) as waiting, but rung "
                f"{rung} is the last rung: a trial never waits there."
            )
        waiting_pairs.add((number, rung))
        key = (rung, record.first_rung(number))
        if key not in chosen:
            chosen[key] = chosen_for_promotion(record, *key, reduction_factor)
    promoted: list[tuple[int, int]] = []
    for rung, bracket in sorted(chosen, key=lambda key: (-key[0], key[1])):
        best = chosen[rung, bracket]
        promoted.extend((n, rung) for n in best if (n, rung) in waiting_pairs)
    return promoted


def chosen_for_promotion(
    record: RungRecord, rung: int, bracket: int, reduction_factor: int
) -> list[int]:
    """The bracket's trials not yet promoted that take the free places at ``rung``."""
    values = record.values_at(rung, bracket)
    n_places = len(values) // reduction_factor
    n_taken = sum(1 for number in values if record.is_promoted(number, rung))
    n_free = n_places - n_taken
    if n_free <= 0:
        return []
    # The best n_places hold every place; only those not promoted can take one.
    top = rank(values)[:n_places]
    return [number for number in top if not record.is_promoted(number, rung)][:n_free]


def rank(values: Mapping[int, float | None]) -> list[int]:
    """Numbers with a real value, best first; ties go to the lower number."""
    real = [
        (-value, number)
        for number, value in values.items()
        if value is not None and not is_failed(value)
    ]
    real.sort()
    return [number for _, number in real]


def asha_final_promotions(
    owner: str,
    waiting: Sequence[tuple[int, int]],
    record: RungRecord,
    n_rungs: int,
) -> list[tuple[int, int]]:
    """Per rung and bracket, the best waiting pair if it is the one to carry on.

    Highest rung first, then lower bracket. A rung's trials that failed
    never go on. The best waiting trial of a rung goes on if

    - no waiting trial of its bracket at a lower rung has a better value
      (with more resource it did worse than that one with less: carrying
      the other is the better bet), and
    - it beats every trial promoted from its rung that still stands: a
      promoted trial whose latest value fell below the candidate's value is
      not in its way any more. A rung from which nobody was promoted lets
      its best go on.

    Either some trial of the bracket is at the last rung already, or one
    pair goes on: the waiting trial with the best value, at the highest
    rung among those with that value, passes both tests.
    """
    best: dict[tuple[int, int], tuple[int, float]] = {}  # (rung, bracket) -> best
    waiting_pairs = set()
    for number, rung in waiting:
        reported_value(owner, number, rung, record, n_rungs)
        waiting_pairs.add((number, rung))
    for number, rung in waiting_pairs:
        key = (rung, record.first_rung(number))
        if key not in best:
            values = record.values_at(*key)
            ranked = [n for n in rank(values) if (n, rung) in waiting_pairs]
            if ranked:
                value = values[ranked[0]]
                assert value is not None  # ranked: a real value
                best[key] = (ranked[0], value)
    promoted = []
    for rung, bracket in sorted(best, key=lambda key: (-key[0], key[1])):
        number, value = best[rung, bracket]
        below = [v for (r, b), (_, v) in best.items() if b == bracket and r < rung]
        if below and max(below) > value:
            continue
        values = record.values_at(rung, bracket)
        held = [
            v
            for n, v in values.items()
            if record.is_promoted(n, rung)
            and v is not None
            and not is_failed(v)
            and _still_stands(record, n, value)
        ]
        if not held or value > max(held):
            promoted.append((number, rung))
    return promoted


def _still_stands(record: RungRecord, number: int, value: float) -> bool:
    """Whether trial ``number``'s latest value is at least ``value``."""
    latest = list(record.rungs(number).values())[-1]
    return latest is not None and not is_failed(latest) and latest >= value


class _AshaRules(Pruner):
    """What SuccessiveHalvingPruner and HyperbandPruner share: the ladder and ASHA.

    A subclass has a ``reduction_factor`` and chooses each trial's first rung.
    """

    reduction_factor: int

    def ladder(self, min_resource: float, max_resource: float) -> tuple[float, ...]:
        self._validate()
        return geometric_ladder(
            min_resource,
            max_resource,
            int(self.reduction_factor),
            owner=type(self).__name__,
        )

    def decide(self, number: int, rung: int, record: RungRecord, n_rungs: int) -> Decision:
        self._validate()
        return asha_decide(
            type(self).__name__, number, rung, record, n_rungs, int(self.reduction_factor)
        )

    def promotions(
        self,
        waiting: Sequence[tuple[int, int]],
        record: RungRecord,
        n_rungs: int,
    ) -> list[tuple[int, int]]:
        """The paused trials that now take a free place in their bracket.

        Highest rung first, then lower bracket (Hyperband), then best first:
        a loop short of workers starts the most advanced trials first.
        """
        self._validate()
        return asha_promotions(
            type(self).__name__, waiting, record, n_rungs, int(self.reduction_factor)
        )

    def final_promotions(
        self,
        waiting: Sequence[tuple[int, int]],
        record: RungRecord,
        n_rungs: int,
    ) -> list[tuple[int, int]]:
        """The best paused trial of each rung and bracket, if it beats those promoted.

        Asked once the search asks no more trials and nothing runs; again
        after each rung these trials run.
        """
        self._validate()
        return asha_final_promotions(type(self).__name__, waiting, record, n_rungs)
