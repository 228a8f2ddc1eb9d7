"""Records that cross module boundaries: trial states, fold results, trials."""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FoldResult", "Trial", "TrialState", "detached"]


class TrialState(enum.Enum):
    """Where a trial is in its life.

    A trial starts RUNNING and moves exactly once to one of the three
    terminal states.
    """

    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    PRUNED = "PRUNED"
    FAILED = "FAILED"

    @property
    def is_finished(self) -> bool:
        """Whether the state is terminal."""
        return self is not TrialState.RUNNING


@dataclass(frozen=True)
class FoldResult:
    """The outcome of fitting and scoring one trial's params on one CV fold.

    Parameters
    ----------
    fold : int
        Index of the CV split, from 0.
    test_scores : mapping of str to float
        One entry per scorer; the key is ``"score"`` for a single metric.
        Empty when the fit failed before any score was computed.
    train_scores : mapping of str to float or None
        Scores on the training part, when ``return_train_score=True``.
    fit_time, score_time : float
        Seconds spent fitting and scoring.
    n_test_samples : int
        Size of the validation part of the fold.
    rung : int, default=0
        Budget level the fold was evaluated at (0 without pruning).
    error : str or None, default=None
        Traceback text when the fit failed.
    n_iterations : int or None, default=None
        Boosting rounds (or epochs) the estimator kept when it stopped early
        on a validation split carved from the fold's training part
        (``ScoutSearchCV(validation=...)``); None without one, or when the
        estimator did not report it.
    """

    fold: int
    test_scores: Mapping[str, float]
    train_scores: Mapping[str, float] | None
    fit_time: float
    score_time: float
    n_test_samples: int
    rung: int = 0
    error: str | None = None
    n_iterations: int | None = None

    @property
    def is_failed(self) -> bool:
        """Whether fitting or scoring raised."""
        return self.error is not None


@dataclass(frozen=True)
class Trial:
    """One evaluated set of params, with everything measured about it.

    Parameters
    ----------
    number : int
        Position of the trial in its study, from 0, unique within the study.
    params : mapping of str to object
        The value given to each searched estimator parameter. Treat it as
        read-only.
    state : TrialState
        RUNNING until the trial is finished.
    fold_results : tuple of FoldResult
        Folds finished so far, in the order they finished.
    value : float or None
        The objective the sampler maximises (the mean test score of the
        refit metric across folds) once the trial is COMPLETE; ``None``
        before, and for FAILED trials.
    started_at, finished_at : float or None
        Wall-clock times (seconds since the epoch).
    owner : str or None
        Who is evaluating a RUNNING trial (``"host:pid:run:token"``, or
        ``"host:pid:token"`` as written by older versions); None for a trial
        nobody holds (an enqueued one).
    lease_until : float or None
        Wall-clock time until which ``owner`` holds the trial. The owner
        renews it while alive; once it has passed, another worker may
        reclaim the trial and run its missing folds.
    """

    number: int
    params: Mapping[str, Any]
    state: TrialState = TrialState.RUNNING
    fold_results: tuple[FoldResult, ...] = ()
    value: float | None = None
    started_at: float | None = None
    finished_at: float | None = field(default=None)
    owner: str | None = None
    lease_until: float | None = None

    @property
    def is_finished(self) -> bool:
        """Whether the trial reached a terminal state."""
        return self.state.is_finished

    @property
    def has_value(self) -> bool:
        """Whether the trial is COMPLETE with a finite value."""
        return (
            self.state is TrialState.COMPLETE
            and self.value is not None
            and math.isfinite(self.value)
        )


_TRIAL_FIELDS = frozenset(f.name for f in dataclasses.fields(Trial))


def replace_trial(trial: Trial, **changes: Any) -> Trial:
    """``dataclasses.replace(trial, **changes)``, at a fraction of its cost.

    Storages and studies copy a trial at every fold and every finish;
    ``dataclasses.replace`` walks the fields and runs the frozen ``__init__``
    each time. A Trial has no ``__post_init__`` and no field outside
    ``__init__``, so copying its attributes gives the same object (a
    subclass, which may have either, goes through ``dataclasses.replace``).
    """
    if type(trial) is not Trial:
        return dataclasses.replace(trial, **changes)
    if not _TRIAL_FIELDS.issuperset(changes):
        unknown = sorted(changes.keys() - _TRIAL_FIELDS)
        raise TypeError(f"Trial has no field(s) {unknown}")
    copy = object.__new__(Trial)
    attributes = copy.__dict__
    attributes.update(trial.__dict__)
    attributes.update(changes)
    return copy


def detached(trial: Trial) -> Trial:
    """A copy of ``trial`` whose params and fold scores are its own dicts.

    What a callback is handed: changing them in place (``trial.params[...] =``)
    changes this copy only, never the study's trial that ``cv_results_``,
    ``best_params_`` and the refit read.
    """
    folds = tuple(
        dataclasses.replace(
            fold,
            test_scores=dict(fold.test_scores),
            train_scores=None if fold.train_scores is None else dict(fold.train_scores),
        )
        for fold in trial.fold_results
    )
    return replace_trial(trial, params=dict(trial.params), fold_results=folds)
