"""Callbacks called after each finished trial of a search.

``ScoutSearchCV(callbacks=[...])`` calls each callback as
``callback(study, trial)`` in the process running ``fit``, once per trial
that reaches a terminal state (COMPLETE, PRUNED or FAILED), in the order
they finish. ``study`` is the search's :class:`~scout_sklearn.Study` and
``trial`` a copy of the finished :class:`~scout_sklearn.Trial` (changing its
params or scores in place changes the copy only, not the results). A callback stops the
search with ``study.stop()``: no new trial starts, the trials running
finish, and ``fit`` returns normally. An exception raised by a callback
ends ``fit`` with that exception.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Protocol

from scout_sklearn._trial import Trial
from scout_sklearn.exceptions import InvalidParameterError

__all__ = ["EarlyStopping", "TrialCallback"]


class _Stoppable(Protocol):
    def stop(self) -> None: ...


class TrialCallback(Protocol):
    """What ``callbacks=[...]`` accepts: any callable taking (study, trial)."""

    def __call__(self, study: Any, trial: Trial) -> None: ...


class EarlyStopping:
    """Stop a search when its best score has stopped improving.

    After each finished trial, the best value so far is compared with the
    best value ``patience`` trials ago; when it has not grown by more than
    ``min_delta`` over ``patience`` consecutive finished trials, the search
    is asked to stop (``study.stop()``): no new trial starts.

    Parameters
    ----------
    patience : int, default=10
        How many finished trials in a row may fail to improve the best value
        before the search stops. PRUNED and FAILED trials count as trials
        that did not improve it.
    min_delta : float, default=0.0
        A trial improves the best value only if it beats it by more than
        this.

    Attributes
    ----------
    stopped_at_ : int or None
        Number of the trial after which the search was asked to stop, or
        None while it has not been.

    Examples
    --------
    >>> from scout_sklearn import Float, Study
    >>> from scout_sklearn.callbacks import EarlyStopping
    >>> study = Study({"x": Float(0.0, 1.0)}, seed=0)
    >>> stop = EarlyStopping(patience=2)
    >>> for value in [0.5, 0.7, 0.6, 0.7]:
    ...     trial = study.ask()
    ...     stop(study, study.tell(trial.number, value))
    >>> stop.stopped_at_, study.stop_requested
    (3, True)
    """

    def __init__(self, patience: int = 10, min_delta: float = 0.0) -> None:
        if (
            not isinstance(patience, numbers.Integral)
            or isinstance(patience, bool)
            or patience < 1
        ):
            raise InvalidParameterError(
                f"The 'patience' parameter of EarlyStopping must be an int >= 1; "
                f"got patience={patience!r}."
            )
        if (
            not isinstance(min_delta, numbers.Real)
            or isinstance(min_delta, bool)
            or not math.isfinite(min_delta)
            or min_delta < 0
        ):
            raise InvalidParameterError(
                f"The 'min_delta' parameter of EarlyStopping must be a finite float "
                f">= 0; got min_delta={min_delta!r}."
            )
        self.patience: int = int(patience)
        self.min_delta: float = float(min_delta)
        self.stopped_at_: int | None = None
        self._study_id: int | None = None
        self._best: float = -math.inf
        self._since: int = 0

    def __call__(self, study: _Stoppable, trial: Trial) -> None:
        """Record ``trial`` and stop ``study`` once patience has run out."""
        if self._study_id != id(study):  # a new fit: start counting afresh
            self._study_id = id(study)
            self._best = -math.inf
            self._since = 0
            self.stopped_at_ = None
        value = trial.value if trial.has_value else None
        if value is not None and (
            self._best == -math.inf or value > self._best + self.min_delta
        ):
            self._best = value
            self._since = 0
            return
        self._since += 1
        if self._since >= self.patience and self.stopped_at_ is None:
            self.stopped_at_ = trial.number
            study.stop()

    def __repr__(self) -> str:
        return f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta})"
