"""Median stopping: stop a trial that does worse than the median at the same rung."""

from __future__ import annotations

import numbers
import statistics
from typing import ClassVar

from scout_sklearn._constraints import Constraint, Interval
from scout_sklearn.pruners._base import (
    Decision,
    Pruner,
    RungRecord,
    is_failed,
    reported_value,
)

__all__ = ["MedianPruner"]


class MedianPruner(Pruner):
    """Stop a trial whose value at a rung is below the median of the other trials'.

    After a trial finishes a rung, it is PRUNEd if its value is strictly
    below the median of the values the other trials have reported at that
    rung so far, and goes on otherwise. It never pauses a trial. This is the
    median stopping rule of Google Vizier (Golovin et al., 2017), applied
    rung by rung.

    Parameters
    ----------
    n_startup_trials : int, default=5
        Nothing is pruned at a rung until at least this many other trials
        have reported a real value there. Must be >= 0.
    n_warmup_rungs : int, default=0
        Nothing is pruned at the first ``n_warmup_rungs`` rungs (except
        failures), where values at a small resource say little. Must be >= 0.

    See Also
    --------
    SuccessiveHalvingPruner : Pauses trials instead, and promotes the best.

    Notes
    -----
    **Ladder.** Geometric with factor 3: ``min_resource * 3**i`` while at
    least ``sqrt(3)`` times below ``max_resource``, then ``max_resource``, so
    ``(1, 27)`` gives ``(1, 3, 9, 27)`` and five CV folds, ``(1, 5)``, give
    ``(1, 5)``. A trial that is never pruned costs at most 1.5 times its
    full-budget evaluation.

    **Failures.** A failed value (None or NaN) is PRUNEd at once, warm-up or
    not. Other trials' failed values are left out of the median and of the
    ``n_startup_trials`` count.

    **Asynchrony.** Each decision uses the values reported when it is made;
    values that arrive later do not revisit it. At the last rung the answer
    is always CONTINUE: nothing is left to save.

    References
    ----------
    .. [1] D. Golovin, B. Solnik, S. Moitra, G. Kochanski, J. Karro and D. Sculley,
       "Google Vizier: A Service for Black-Box Optimization", KDD 2017 (median
       stopping rule).

    Examples
    --------
    >>> from scout_sklearn.pruners import MedianPruner, RungRecord
    >>> pruner = MedianPruner(n_startup_trials=2)
    >>> record = RungRecord()
    >>> for number, value in [(0, 0.6), (1, 0.8), (2, 0.65)]:
    ...     record.report(number, 0, value)
    >>> pruner.decide(2, 0, record, n_rungs=3)  # median of 0.6 and 0.8 is 0.7
    <Decision.PRUNE: 'prune'>
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "n_startup_trials": [Interval(numbers.Integral, 0, None)],
        "n_warmup_rungs": [Interval(numbers.Integral, 0, None)],
    }

    def __init__(self, n_startup_trials: int = 5, n_warmup_rungs: int = 0) -> None:
        self.n_startup_trials = n_startup_trials
        self.n_warmup_rungs = n_warmup_rungs
        self._validate()

    def decide(self, number: int, rung: int, record: RungRecord, n_rungs: int) -> Decision:
        self._validate()
        value = reported_value(type(self).__name__, number, rung, record, n_rungs)
        if rung == n_rungs - 1:
            return Decision.CONTINUE
        if value is None or is_failed(value):
            return Decision.PRUNE
        if rung < self.n_warmup_rungs:
            return Decision.CONTINUE
        others = [
            other_value
            for other, other_value in record.values_at(rung).items()
            if other != number and other_value is not None and not is_failed(other_value)
        ]
        if not others or len(others) < self.n_startup_trials:
            return Decision.CONTINUE
        return Decision.PRUNE if value < statistics.median(others) else Decision.CONTINUE
