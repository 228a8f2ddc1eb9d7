"""The pruner interface: a ladder of rungs, a record of rung values, decisions.

A search evaluates each trial at increasing budgets called *rungs*. Rung
``i`` has the resource ``ladder[i]`` (training samples, ``n_estimators``,
CV folds...): the last rung is the full budget. After a trial finishes a
rung, the search loop asks the pruner whether it goes on. A pruner is a
plain configuration object (``get_params``/``set_params``, safe to
``clone``): everything it decides from lives in a :class:`RungRecord` that
the loop owns and passes in, and the same record always gives the same
decision.

The protocol, as the search loop follows it:

1. ``ladder = pruner.ladder(min_resource, max_resource)`` once, and
   ``n_rungs = len(ladder)``.
2. A new trial ``number`` starts at rung ``pruner.first_rung(number, n_rungs)``
   (0, except in Hyperband's brackets and with ``min_early_stopping_rate``).
3. When the trial has finished a rung (all of its folds at that resource),
   ``record.report(number, rung, value)`` with the mean CV score at that rung
   (higher is better; None or NaN when the fit failed), then
   ``pruner.decide(number, rung, record, n_rungs)``:

   - ``Decision.CONTINUE``: below the last rung, call
     ``record.promote(number, rung)`` and run rung ``rung + 1``. At the last
     rung the trial is finished (COMPLETE, or FAILED if its folds failed);
     every pruner returns CONTINUE there, as nothing is left to save.
   - ``Decision.PRUNE``: the trial is PRUNED at this rung.
   - ``Decision.WAIT``: not good enough yet; pause the trial and keep
     ``(number, rung)`` in a waiting list.

4. After every report (a new value can open a place at a rung), for each
   ``(number, rung)`` in ``pruner.promotions(waiting, record, n_rungs)``:
   ``record.promote(number, rung)``, remove it from the waiting list and run
   rung ``rung + 1``.
5. When no trial will report again, the trials still waiting are PRUNED at
   the rung they wait at.

``record.promote`` matters: successive halving counts the trials already
promoted from a rung, including those still running the next rung, which no
value in the record shows yet. (A trial that has reported a higher rung
counts as promoted whether or not ``promote`` was called, so a record rebuilt
from stored fold results is right once those trials report.)

Trials finish rungs in any order and nobody waits for a rung to fill: a
decision looks only at what the record holds when it is asked.
"""

from __future__ import annotations

import enum
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence
from fractions import Fraction
from typing import ClassVar

from scout_sklearn._constraints import Configurable
from scout_sklearn.exceptions import InvalidParameterError

__all__ = [
    "Decision",
    "Pruner",
    "RungRecord",
    "check_n_rungs",
    "check_number",
    "check_resources",
    "geometric_ladder",
    "is_failed",
    "is_int_pair",
    "reported_value",
]

# Resource ratio between rungs of the default ladder (MedianPruner's).
DEFAULT_LADDER_FACTOR = 3


class Decision(enum.Enum):
    """What the search loop does with a trial that has just finished a rung."""

    #: Run the next rung; at the last rung, the trial is finished.
    CONTINUE = "continue"
    #: Stop the trial now: it is PRUNED at this rung.
    PRUNE = "prune"
    #: Pause the trial: a later :meth:`Pruner.promotions` may let it go on.
    WAIT = "wait"


def is_failed(value: float | None) -> bool:
    """Whether a rung value stands for a failed fit (None or NaN)."""
    return value is None or math.isnan(value)


class RungRecord:
    """The values trials reported at each rung, and the promotions made.

    The search loop owns the record and fills it; pruners only read it. For
    each trial number it holds ``{rung: value}`` and its *bracket*, the first
    rung it reported (0 unless the pruner started it higher).

    Failed values (None or NaN) are stored as None.

    Examples
    --------
    >>> from scout_sklearn.pruners import RungRecord
    >>> record = RungRecord()
    >>> record.report(0, 0, 0.8)
    >>> record.report(1, 0, float("nan"))
    >>> record.values_at(0)
    {0: 0.8, 1: None}
    >>> record.promote(0, 0)
    >>> record.is_promoted(0, 0), record.is_promoted(1, 0)
    (True, False)
    """

    def __init__(self) -> None:
        self._by_trial: dict[int, dict[int, float | None]] = {}
        self._by_rung: dict[int, dict[int, float | None]] = {}
        self._first_rung: dict[int, int] = {}
        self._promoted: set[tuple[int, int]] = set()

    def report(self, number: int, rung: int, value: float | None) -> None:
        """Record that trial ``number`` finished ``rung`` with ``value``.

        Parameters
        ----------
        number : int
            The trial number, from 0.
        rung : int
            The rung index, from 0.
        value : float or None
            The trial's mean CV score at that rung, higher is better; None
            or NaN when the fit failed.

        Raises
        ------
        ValueError
            When the trial already reported a different value at that rung.
        """
        number, rung = _check_index("number", number), _check_index("rung", rung)
        stored = _normalise_value(value)
        rungs = self._by_trial.setdefault(number, {})
        if rung in rungs and rungs[rung] != stored:
            raise ValueError(
                f"Trial {number} already reported {rungs[rung]!r} at rung {rung}; "
                f"got {value!r} now. A trial reports each rung once."
            )
        rungs[rung] = stored
        self._by_rung.setdefault(rung, {})[number] = stored
        self._first_rung[number] = min(rung, self._first_rung.get(number, rung))

    def promote(self, number: int, rung: int) -> None:
        """Record that trial ``number`` goes on from ``rung`` to ``rung + 1``."""
        self.value(number, rung)  # raises if the rung was not reported
        self._promoted.add((number, rung))

    def value(self, number: int, rung: int) -> float | None:
        """The value trial ``number`` reported at ``rung`` (None if it failed).

        Raises
        ------
        ValueError
            When the trial has not reported that rung.
        """
        rungs = self._by_trial.get(number, {})
        if rung not in rungs:
            reported = sorted(rungs)
            raise ValueError(
                f"Trial {number!r} has not reported rung {rung!r} (its reported "
                f"rungs: {reported}). Call record.report({number!r}, {rung!r}, value) "
                "before asking the pruner about it."
            )
        return rungs[rung]

    def values_at(self, rung: int, bracket: int | None = None) -> dict[int, float | None]:
        """Trial number to value at ``rung``, in number order.

        Parameters
        ----------
        rung : int
            The rung index.
        bracket : int or None, default=None
            Only the trials whose first rung is ``bracket``; None for all.
        """
        at_rung = self._by_rung.get(rung, {})
        return {
            number: at_rung[number]
            for number in sorted(at_rung)
            if bracket is None or self._first_rung[number] == bracket
        }

    def first_rung(self, number: int) -> int:
        """The bracket of trial ``number``: the lowest rung it reported."""
        if number not in self._first_rung:
            raise ValueError(f"Trial {number!r} has reported no rung yet.")
        return self._first_rung[number]

    def rungs(self, number: int) -> dict[int, float | None]:
        """Rung to value for trial ``number``, in rung order (empty if unknown)."""
        rungs = self._by_trial.get(number, {})
        return {rung: rungs[rung] for rung in sorted(rungs)}

    def is_promoted(self, number: int, rung: int) -> bool:
        """Whether trial ``number`` went on from ``rung``.

        True after ``promote(number, rung)``, or once it reported a higher rung.
        """
        if (number, rung) in self._promoted:
            return True
        return any(higher > rung for higher in self._by_trial.get(number, ()))

    @property
    def numbers(self) -> tuple[int, ...]:
        """The numbers of the trials that reported at least one rung, in order."""
        return tuple(sorted(self._by_trial))

    def __len__(self) -> int:
        return len(self._by_trial)

    def __contains__(self, number: object) -> bool:
        return number in self._by_trial

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RungRecord):
            return NotImplemented
        return self._by_trial == other._by_trial and self._promoted == other._promoted

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        n_reports = sum(len(rungs) for rungs in self._by_trial.values())
        return (
            f"RungRecord(n_trials={len(self._by_trial)}, n_reports={n_reports}, "
            f"n_promotions={len(self._promoted)})"
        )


def _check_index(name: str, value: object) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValueError(f"The {name} of a rung report must be an int >= 0; got {value!r}.")
    return int(value)


def _normalise_value(value: object) -> float | None:
    if value is None:
        return None
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ValueError(
            f"A rung value must be a real number, or None when the fit failed; "
            f"got {value!r}."
        )
    number = float(value)
    return None if math.isnan(number) else number


class Pruner(Configurable, ABC):
    """Base class of pruners: decide, rung by rung, which trials go on.

    A pruner is a plain configuration object. Its constructor stores its
    arguments (and checks them); what it decides from is the
    :class:`RungRecord` it is given, so the same record always gives the same
    decision and ``sklearn.base.clone`` copies a pruner safely. See the
    module docstring of ``scout_sklearn.pruners._base`` for the protocol the
    search loop follows.

    To write your own, subclass it and implement :meth:`decide`::

        class ThresholdPruner(Pruner):
            def __init__(self, threshold=0.5):
                self.threshold = threshold

            def decide(self, number, rung, record, n_rungs):
                value = record.value(number, rung)
                if rung == n_rungs - 1:
                    return Decision.CONTINUE
                if value is None or value < self.threshold:
                    return Decision.PRUNE
                return Decision.CONTINUE

    See Also
    --------
    MedianPruner, SuccessiveHalvingPruner, HyperbandPruner, NopPruner
    """

    # Pruners call ``_validate`` at construction, and in ``ladder``/``decide``
    # to catch a bad ``set_params``, which, as in scikit-learn, only sets.
    _kind: ClassVar[str] = "pruner"

    def ladder(self, min_resource: float, max_resource: float) -> tuple[float, ...]:
        """The resource of each rung, increasing, from ``min_resource`` to ``max_resource``.

        The default is :func:`geometric_ladder` with a factor of 3.

        Parameters
        ----------
        min_resource : float
            Resource of the first rung, > 0.
        max_resource : float
            Resource of the last rung (the full budget), >= ``min_resource``.

        Returns
        -------
        ladder : tuple of float
            Ints when both bounds are ints. The first is ``min_resource``
            and the last is exactly ``max_resource``.

        Raises
        ------
        InvalidParameterError
            When the bounds are not finite numbers with
            ``0 < min_resource <= max_resource``.
        """
        self._validate()
        return geometric_ladder(
            min_resource, max_resource, DEFAULT_LADDER_FACTOR, owner=type(self).__name__
        )

    def first_rung(self, number: int, n_rungs: int) -> int:
        """The rung trial ``number`` starts at. The default is 0.

        Parameters
        ----------
        number : int
            The trial number; the result depends on nothing else (and
            ``n_rungs``), so a resumed search starts trials where an
            uninterrupted one would have.
        n_rungs : int
            The length of the ladder.
        """
        self._validate()
        check_number(type(self).__name__, number)
        check_n_rungs(type(self).__name__, n_rungs)
        return 0

    @abstractmethod
    def decide(self, number: int, rung: int, record: RungRecord, n_rungs: int) -> Decision:
        """What to do with trial ``number``, which has just finished ``rung``.

        Parameters
        ----------
        number : int
            The trial number.
        rung : int
            The rung it finished; ``record`` holds its value there.
        record : RungRecord
            Every value reported so far (read, never changed).
        n_rungs : int
            The length of the ladder; ``rung == n_rungs - 1`` is the last rung.

        Returns
        -------
        decision : Decision
            CONTINUE at the last rung.
        """

    def promotions(
        self,
        waiting: Sequence[tuple[int, int]],
        record: RungRecord,
        n_rungs: int,
    ) -> list[tuple[int, int]]:
        """The paused ``(number, rung)`` pairs that may now go on to ``rung + 1``.

        Parameters
        ----------
        waiting : sequence of (int, int)
            The trials paused by a WAIT decision, with the rung they finished.
        record : RungRecord
            Every value reported so far (read, never changed).
        n_rungs : int
            The length of the ladder.

        Returns
        -------
        promoted : list of (int, int)
            A sub-list of ``waiting``. The default, for pruners that never
            answer WAIT, is empty.
        """
        self._validate()
        return []

    def final_promotions(
        self,
        waiting: Sequence[tuple[int, int]],
        record: RungRecord,
        n_rungs: int,
    ) -> list[tuple[int, int]]:
        """The paused pairs that go on although the search asks no more trials.

        Asked when nothing runs, no new trial may start and :meth:`promotions`
        promotes nobody; the trials still paused after it are PRUNED. Same
        parameters and return value as :meth:`promotions`; the default is
        empty.
        """
        self._validate()
        return []


def check_resources(
    min_resource: object, max_resource: object, owner: str
) -> tuple[float, float]:
    """Return the ladder bounds if ``0 < min_resource <= max_resource``, both finite.

    Ints stay ints. Raises InvalidParameterError naming both values otherwise.
    """
    low, high = _as_finite(min_resource), _as_finite(max_resource)
    if low is None or high is None:
        problem = "both must be finite numbers"
    elif low <= 0:
        problem = "min_resource must be > 0"
    elif low > high:
        problem = "min_resource must be <= max_resource"
    else:
        return low, high
    raise InvalidParameterError(
        f"The rung resources of {owner} must satisfy 0 < min_resource <= max_resource: "
        f"{problem}. Got min_resource={min_resource!r} and "
        f"max_resource={max_resource!r} instead. min_resource is the budget of the "
        "first rung and max_resource the full budget of the last."
    )


def _as_finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)  # exact: float() would round beyond 2**53
    number = float(value)
    return number if math.isfinite(number) else None


def geometric_ladder(
    min_resource: float, max_resource: float, factor: int, *, owner: str
) -> tuple[float, ...]:
    """Rungs ``min_resource * factor**i``, then ``max_resource`` as the last rung.

    A geometric rung is kept only if ``max_resource`` is at least
    ``sqrt(factor)`` times it, that is when it is at least half a step (on the
    log scale) below the full budget; otherwise it merges into the last rung.
    So no rung costs almost as much as the full budget, and the last step is
    a ratio in ``[sqrt(factor), factor * sqrt(factor))`` (or ``max_resource /
    min_resource``, when that is smaller). The first rung is always
    ``min_resource``, and ``min_resource == max_resource`` gives one rung.
    Ints when both bounds are ints.

    Examples
    --------
    >>> from scout_sklearn.pruners._base import geometric_ladder
    >>> geometric_ladder(1, 27, 3, owner="demo")
    (1, 3, 9, 27)
    >>> geometric_ladder(1, 10, 3, owner="demo")  # 9 merges into 10
    (1, 3, 10)
    >>> geometric_ladder(1, 20, 3, owner="demo")
    (1, 3, 9, 20)
    """
    low, high = check_resources(min_resource, max_resource, owner)
    as_int = is_int_pair(min_resource, max_resource)
    if not as_int:
        low, high = float(low), float(high)
    rungs: list[float] = [low]
    # Exact rationals: no float drift over many rungs, no overflow, and a
    # rung exactly sqrt(factor) below max_resource (factor=4: 4 below 8) is
    # kept, as documented. r * sqrt(factor) <= high  <=>  r*r*factor <= high**2.
    resource, limit = Fraction(low) * factor, Fraction(high) ** 2
    while resource * resource * factor <= limit:
        rungs.append(int(resource) if as_int else float(resource))
        resource *= factor
    if high > low:
        rungs.append(high)
    return tuple(rungs)


def is_int_pair(min_resource: object, max_resource: object) -> bool:
    """Whether both ladder bounds are ints (then the ladder is of ints)."""
    return all(
        isinstance(v, numbers.Integral) and not isinstance(v, bool)
        for v in (min_resource, max_resource)
    )


def reported_value(
    owner: str, number: int, rung: int, record: RungRecord, n_rungs: int
) -> float | None:
    """Check a ``decide`` call's arguments and return the trial's value at ``rung``."""
    n_rungs = check_n_rungs(owner, n_rungs)
    if not isinstance(rung, numbers.Integral) or not 0 <= rung < n_rungs:
        raise ValueError(
            f"{owner}.decide got rung={rung!r}, outside the ladder's rungs "
            f"0..{n_rungs - 1} (n_rungs={n_rungs})."
        )
    return record.value(number, rung)


def check_number(owner: str, number: object) -> int:
    """Return a trial number, an int >= 0; raise ValueError otherwise."""
    if not isinstance(number, numbers.Integral) or isinstance(number, bool) or number < 0:
        raise ValueError(f"{owner} needs a trial number, an int >= 0; got {number!r}.")
    return int(number)


def check_n_rungs(owner: str, n_rungs: object) -> int:
    """Return a ladder length, an int >= 1; raise ValueError otherwise."""
    if (
        not isinstance(n_rungs, numbers.Integral)
        or isinstance(n_rungs, bool)
        or n_rungs < 1
    ):
        raise ValueError(
            f"{owner} needs n_rungs, the length of its ladder, as an int >= 1; "
            f"got {n_rungs!r}."
        )
    return int(n_rungs)
