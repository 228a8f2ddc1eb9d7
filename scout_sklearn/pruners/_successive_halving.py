"""Asynchronous successive halving (ASHA): promote the top 1/eta of each rung."""

from __future__ import annotations

import numbers
from typing import ClassVar

from scout_sklearn._constraints import Constraint, Interval
from scout_sklearn.pruners._asha import _AshaRules
from scout_sklearn.pruners._base import (
    check_n_rungs,
    check_number,
)

__all__ = ["SuccessiveHalvingPruner"]


class SuccessiveHalvingPruner(_AshaRules):
    """Asynchronous successive halving (ASHA): the top ``1/eta`` of a rung go on.

    Rung ``i`` gives each trial ``min_resource * reduction_factor**i`` of the
    resource, and the last rung gives it ``max_resource``. When a trial
    finishes a rung, it goes on if it is among the best
    ``n // reduction_factor`` of the ``n`` trials that have finished that
    rung so far; otherwise it waits, and goes on later if enough worse trials
    finish the rung after it. Nobody waits for a rung to fill, so workers are
    never idle (Li et al., 2020).

    Parameters
    ----------
    reduction_factor : int, default=3
        ``eta``: the ratio of resources between rungs, and the inverse of
        the fraction of a rung's trials that are promoted. Must be >= 2.
    min_early_stopping_rate : int, default=0
        ``s``: trials start at rung ``s`` (capped at the last rung), so the
        first ``s`` rungs of the ladder are skipped and nothing is stopped
        below ``min_resource * reduction_factor**s``. Must be >= 0.

    See Also
    --------
    HyperbandPruner : Several successive-halving brackets with different ``s``.
    MedianPruner : Stops trials below the median; never pauses them.

    Notes
    -----
    **Ladder.** ``min_resource * reduction_factor**i`` while it stays at least
    ``sqrt(reduction_factor)`` times below ``max_resource``, then
    ``max_resource``: a geometric rung closer than half a step (on the log
    scale) to the full budget merges into the last rung. With
    ``reduction_factor=3``: ``(1, 27)`` gives ``(1, 3, 9, 27)``, ``(1, 20)``
    gives ``(1, 3, 9, 20)`` and ``(1, 10)`` gives ``(1, 3, 10)``. Ints when
    both bounds are ints.

    **Places.** A rung of ``n`` reported trials has ``n // eta`` places in
    total, as in ASHA, so it never promotes more than that many trials, and
    a trial promoted early keeps its place when better ones arrive later.
    The free places go to the best trials not yet promoted (higher value
    first, ties to the lower trial number). While ``n < eta`` nobody goes
    on: the trials wait, and at the end of the search
    :meth:`final_promotions` carries the best of them to the full budget,
    so a search of fewer than ``eta`` trials still completes one.

    **Failures.** A failed value (None or NaN) counts in ``n`` but ranks
    below every real value; :meth:`decide` PRUNEs the trial.

    **Decisions.** :meth:`decide` answers CONTINUE (the trial takes a free
    place, or it is at the last rung), WAIT or PRUNE (failed), and
    :meth:`promotions` the paused trials that take places opened since.
    A trial that does not fail is never PRUNEd by this pruner: the search
    loop prunes the trials still waiting when the search ends, after
    :meth:`final_promotions`: once no more trials are asked and nothing
    runs, the best paused trial of each rung goes on if it beats every
    trial promoted from that rung that still stands (so that a trial
    promoted early, when few had reported, cannot keep a better one from
    the full budget), unless a paused trial of a lower rung beats it (its
    score fell with more resource).

    References
    ----------
    .. [1] L. Li, K. Jamieson, A. Rostamizadeh, E. Gonina, J. Ben-Tzur, M. Hardt,
       B. Recht and A. Talwalkar, "A System for Massively Parallel Hyperparameter
       Tuning", MLSys 2020 (ASHA).
    .. [2] K. Jamieson and A. Talwalkar, "Non-stochastic Best Arm
       Identification and Hyperparameter Optimization", AISTATS 2016.

    Examples
    --------
    >>> from scout_sklearn.pruners import Decision, RungRecord, SuccessiveHalvingPruner
    >>> pruner = SuccessiveHalvingPruner(reduction_factor=3)
    >>> pruner.ladder(1, 9)
    (1, 3, 9)
    >>> record = RungRecord()
    >>> for number, value in [(0, 0.5), (1, 0.9)]:
    ...     record.report(number, 0, value)
    ...     print(pruner.decide(number, 0, record, n_rungs=3))
    Decision.WAIT
    Decision.WAIT
    >>> record.report(2, 0, 0.6)  # 3 trials: 1 place, for the best of them
    >>> pruner.decide(2, 0, record, n_rungs=3)
    <Decision.WAIT: 'wait'>
    >>> pruner.promotions([(0, 0), (1, 0), (2, 0)], record, n_rungs=3)
    [(1, 0)]
    >>> record.promote(1, 0)
    >>> for number, value in [(3, 0.1), (4, 0.2), (5, 0.3)]:
    ...     record.report(number, 0, value)
    >>> pruner.promotions([(0, 0), (2, 0)], record, n_rungs=3)  # 6 trials: 2 places
    [(2, 0)]
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "reduction_factor": [Interval(numbers.Integral, 2, None)],
        "min_early_stopping_rate": [Interval(numbers.Integral, 0, None)],
    }

    def __init__(self, reduction_factor: int = 3, min_early_stopping_rate: int = 0) -> None:
        self.reduction_factor = reduction_factor
        self.min_early_stopping_rate = min_early_stopping_rate
        self._validate()

    def first_rung(self, number: int, n_rungs: int) -> int:
        """``min_early_stopping_rate``, capped at the last rung."""
        self._validate()
        check_number(type(self).__name__, number)
        n_rungs = check_n_rungs(type(self).__name__, n_rungs)
        return min(int(self.min_early_stopping_rate), n_rungs - 1)
