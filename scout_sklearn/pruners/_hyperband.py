"""Hyperband: successive halving in several brackets, from aggressive to none."""

from __future__ import annotations

import functools
import numbers
from itertools import accumulate
from typing import ClassVar

from scout_sklearn._constraints import Constraint, Interval
from scout_sklearn.pruners._asha import _AshaRules
from scout_sklearn.pruners._base import (
    check_n_rungs,
    check_number,
)

__all__ = ["HyperbandPruner"]


class HyperbandPruner(_AshaRules):
    """Hyperband: asynchronous successive halving in ``n_rungs`` brackets.

    Successive halving must guess how early a trial can be judged. Hyperband
    hedges: bracket ``s`` starts its trials at rung ``s`` of the ladder, so
    bracket 0 judges trials at the smallest resource, and the last bracket
    runs every trial at the full budget. Each trial belongs to one bracket,
    chosen from its number, and within its bracket it is treated exactly as
    :class:`SuccessiveHalvingPruner` treats a trial, compared with the
    bracket's trials only (Li et al., 2018).

    Parameters
    ----------
    reduction_factor : int, default=3
        ``eta``: the ratio of resources between rungs, and the inverse of
        the fraction of a rung's trials that are promoted. Must be >= 2.

    See Also
    --------
    SuccessiveHalvingPruner : A single bracket.

    Notes
    -----
    **Ladder.** As :class:`SuccessiveHalvingPruner`'s: ``min_resource *
    eta**i`` while at least ``sqrt(eta)`` times below ``max_resource``, then
    ``max_resource``. There is one bracket per rung.

    **Bracket sizes.** One Hyperband iteration over ``R = n_rungs`` rungs
    gives bracket ``s`` (``R - s`` rungs, starting at rung ``s``)
    ``ceil(R * eta**(R - 1 - s) / (R - s))`` trials, about the same total
    budget per bracket; :meth:`bracket_sizes` returns these numbers. With
    ``eta=3`` and 4 rungs they are ``(27, 12, 6, 4)``.

    **Assignment.** Trial ``k`` goes to the bracket whose share of ``[0, 1)``
    (the bracket sizes, in bracket order, as consecutive intervals) contains
    the base-2 van der Corput number of ``k`` (``k``'s binary digits mirrored
    after the point: 0, 1/2, 1/4, 3/4, 1/8...). It depends on ``k`` and
    ``n_rungs`` only, so it is the same on resume and across workers; the
    brackets are interleaved rather than filled one after the other; and the
    first ``2**m`` trials split between brackets in proportion to their
    sizes, within one trial each. Every bracket gets a trial among the first
    ``2**m`` as soon as ``2**m`` reaches the total size over the smallest
    one (trial 15 is the first of bracket 3 for ``eta=3`` and 4 rungs).

    **Within a bracket.** ASHA's rule, on the bracket's trials only (those
    whose first rung is the bracket's): a rung of ``n`` of them promotes at
    most ``n // eta``, best first, ties to the lower trial number;
    failed values (None or NaN) count in ``n`` and are PRUNEd. A trial of
    the last bracket starts at the last rung and always completes. Once no
    more trials are asked and nothing runs, :meth:`final_promotions` lets
    the best paused trial of each rung and bracket go on if it beats every
    trial promoted from there that still stands, and no paused trial of a
    lower rung of its bracket beats it.

    References
    ----------
    .. [1] L. Li, K. Jamieson, G. DeSalvo, A. Rostamizadeh and A. Talwalkar,
       "Hyperband: A Novel Bandit-Based Approach to Hyperparameter
       Optimization", JMLR 18(185), 2018.
    .. [2] L. Li, K. Jamieson, A. Rostamizadeh, E. Gonina, J. Ben-Tzur, M. Hardt,
       B. Recht and A. Talwalkar, "A System for Massively Parallel Hyperparameter
       Tuning", MLSys 2020 (asynchronous brackets).
    .. [3] J. G. van der Corput, "Verteilungsfunktionen", Proc. Akad. Wet.
       Amsterdam 38, 1935.

    Examples
    --------
    >>> from scout_sklearn.pruners import HyperbandPruner
    >>> pruner = HyperbandPruner(reduction_factor=3)
    >>> ladder = pruner.ladder(1, 27)
    >>> ladder
    (1, 3, 9, 27)
    >>> pruner.bracket_sizes(len(ladder))
    (27, 12, 6, 4)
    >>> [pruner.first_rung(k, len(ladder)) for k in range(8)]
    [0, 0, 0, 1, 0, 1, 0, 2]
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "reduction_factor": [Interval(numbers.Integral, 2, None)],
    }

    def __init__(self, reduction_factor: int = 3) -> None:
        self.reduction_factor = reduction_factor
        self._validate()

    def bracket_sizes(self, n_rungs: int) -> tuple[int, ...]:
        """Trials one Hyperband iteration gives each bracket, bracket 0 first.

        Trials are assigned to brackets in these proportions.
        """
        self._validate()
        n_rungs = check_n_rungs(type(self).__name__, n_rungs)
        return _bracket_sizes(n_rungs, int(self.reduction_factor))

    def first_rung(self, number: int, n_rungs: int) -> int:
        """The bracket of trial ``number``, which is the rung it starts at."""
        self._validate()
        number = check_number(type(self).__name__, number)
        n_rungs = check_n_rungs(type(self).__name__, n_rungs)
        ends = _bracket_ends(n_rungs, int(self.reduction_factor))
        total = ends[-1]
        # The van der Corput number of `number` is mirror / 2**n_bits; compare
        # mirror * total with end * 2**n_bits to stay in exact integers.
        n_bits = number.bit_length()
        mirror = int(format(number, "b")[::-1], 2) if number else 0
        position = mirror * total
        for bracket, end in enumerate(ends):
            if position < end << n_bits:
                return bracket
        raise AssertionError("unreachable: the van der Corput number is below 1")


@functools.lru_cache(maxsize=64)
def _bracket_sizes(n_rungs: int, reduction_factor: int) -> tuple[int, ...]:
    # Li et al. (2018), Algorithm 1: bracket s_hb = n_rungs - 1 - s makes
    # s_hb halvings and gets ceil((s_max + 1) / (s_hb + 1) * eta**s_hb) trials.
    sizes = []
    for bracket in range(n_rungs):
        n_halvings = n_rungs - 1 - bracket
        numerator = n_rungs * reduction_factor**n_halvings
        sizes.append(-(-numerator // (n_halvings + 1)))  # exact ceil on big ints
    return tuple(sizes)


@functools.lru_cache(maxsize=64)
def _bracket_ends(n_rungs: int, reduction_factor: int) -> tuple[int, ...]:
    return tuple(accumulate(_bracket_sizes(n_rungs, reduction_factor)))
