"""The pruner that prunes nothing: one rung, the full budget."""

from __future__ import annotations

from scout_sklearn.pruners._base import (
    Decision,
    Pruner,
    RungRecord,
    check_resources,
    is_int_pair,
    reported_value,
)

__all__ = ["NopPruner"]


class NopPruner(Pruner):
    """Never prune: every trial runs once, at the full budget.

    The ladder has a single rung, ``max_resource``, and every decision is
    CONTINUE (failed trials too: the search loop tells failures apart from
    their fold results). This is what ``pruner=None`` means, and it makes
    the search evaluate trials as GridSearchCV does.

    See Also
    --------
    MedianPruner, SuccessiveHalvingPruner, HyperbandPruner

    Examples
    --------
    >>> from scout_sklearn.pruners import NopPruner, RungRecord
    >>> pruner = NopPruner()
    >>> pruner.ladder(1, 100)
    (100,)
    >>> record = RungRecord()
    >>> record.report(0, 0, None)
    >>> pruner.decide(0, 0, record, n_rungs=1)
    <Decision.CONTINUE: 'continue'>
    """

    def __init__(self) -> None:
        pass

    def ladder(self, min_resource: float, max_resource: float) -> tuple[float, ...]:
        """``(max_resource,)``, once the bounds are checked."""
        _, high = check_resources(min_resource, max_resource, type(self).__name__)
        return (high if is_int_pair(min_resource, max_resource) else float(high),)

    def decide(self, number: int, rung: int, record: RungRecord, n_rungs: int) -> Decision:
        reported_value(type(self).__name__, number, rung, record, n_rungs)
        return Decision.CONTINUE
