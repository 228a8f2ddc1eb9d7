"""The Pareto front of a study's trials, read back without the search that ran them.

A multi-objective search stores its objectives and constraints in the
study's fingerprint (``"objective"``, ``"constraints"``) and every fold
result with its trials. :func:`stored_objectives` turns the fingerprint
back into :class:`~scout_sklearn._pareto.Objectives`, and :func:`trial_front`
computes the front from the fold results with the search's own functions
(:func:`~scout_sklearn._results.mean_scores`, then
:func:`~scout_sklearn._pareto.pareto_front`), so the command line, the
report, the dashboard and :func:`~scout_sklearn.plotting.plot_pareto_front`
show the rows of the search's ``pareto_front_``, in its order.

Which trial ``refit`` chose is not stored (``refit`` is not part of what
defines a study: it may change between resumes), so nothing here names it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from scout_sklearn._pareto import (
    BUILTIN_MEASURES,
    Objectives,
    ParetoFront,
    check_objectives,
    pareto_front,
    pareto_summary,
)
from scout_sklearn._results import mean_scores, metric_names
from scout_sklearn._trial import Trial
from scout_sklearn.exceptions import InvalidParameterError

__all__ = [
    "TrialFront",
    "fingerprint_splits",
    "search_objectives",
    "stored_objectives",
    "trial_front",
    "trial_hypervolume_history",
]


@dataclasses.dataclass(frozen=True)
class TrialFront:
    """The Pareto view of a study's finished trials.

    Attributes
    ----------
    objectives : Objectives
    rows : tuple of Trial
        The finished trials in number order: the rows of ``cv_results_``.
    summary : ParetoFront
        Per row: the objectives' means, feasibility, Pareto rank; the front
        (row indices, ``pareto_front_``'s order). Not the hypervolume
        history, whose cost grows fast with the front.
    """

    objectives: Objectives
    rows: tuple[Trial, ...]
    summary: ParetoFront

    @property
    def front(self) -> tuple[Trial, ...]:
        """The trials on the front, ordered by the first objective's mean, ascending."""
        return tuple(self.rows[i] for i in self.summary.front)

    @property
    def n_complete(self) -> int:
        """Rows with a finite mean of every objective (COMPLETE trials)."""
        return int(np.isfinite(self.summary.values).all(axis=1).sum())

    @property
    def n_feasible(self) -> int:
        """Of those, the rows within every constraint."""
        finite = np.isfinite(self.summary.values).all(axis=1)
        return int((finite & self.summary.feasible).sum())


def stored_objectives(
    fingerprint: Mapping[str, Any], trials: Sequence[Trial]
) -> Objectives | None:
    """The objectives (with their constraints) a stored study was searched for.

    None for a study of one objective, or one whose stored objectives this
    version cannot read (they are then not guessed at).
    """
    objectives = fingerprint.get("objective")
    if not isinstance(objectives, Mapping):
        return None
    constraints = fingerprint.get("constraints")
    return search_objectives(
        objectives,
        constraints if isinstance(constraints, Mapping) else None,
        scoring=fingerprint.get("scoring"),
        trials=trials,
    )


def search_objectives(
    objectives: Mapping[str, Any],
    constraints: Mapping[str, Any] | None,
    *,
    scoring: Any,
    trials: Sequence[Trial],
) -> Objectives | None:
    """``objectives`` and ``constraints`` checked against the metrics the folds hold.

    ``scoring`` is the search's, or what its fingerprint kept of it (a
    scorer's name, None, or a hash of a list or dict): the fold results'
    metric names stand for a list or dict, whose hash says nothing.
    """
    names = metric_names(trials)
    if names and names != ["score"]:
        scoring = names
    elif not names:
        # Nothing scored yet: any metric name reads as a column of its own.
        named = [*objectives, *(constraints or {})]
        scoring = [n for n in dict.fromkeys(named) if n not in BUILTIN_MEASURES]
    elif not (scoring is None or isinstance(scoring, str)):
        scoring = None
    try:
        return check_objectives(
            objectives,
            scoring=scoring,
            refit=False,
            pruner=None,
            owner="the stored study",
            constraints=constraints,
        )
    except InvalidParameterError:
        return None


def trial_front(
    trials: Sequence[Trial], objectives: Objectives, *, n_splits: int | None = None
) -> TrialFront:
    """The Pareto front of the finished ``trials``, as the search computed it.

    ``n_splits`` is the search's number of CV splits (a stored study's
    fingerprint has it); by default, one more than the highest fold index.
    """
    rows, results = _means(trials, objectives, n_splits)
    return TrialFront(objectives, rows, pareto_front(results, rows, objectives))


def trial_hypervolume_history(
    trials: Sequence[Trial], objectives: Objectives, *, n_splits: int | None = None
) -> tuple[tuple[Trial, ...], np.ndarray]:
    """The finished trials in number order, and the search's ``hypervolume_history_``.

    Far costlier than :func:`trial_front` once many trials join a front of
    three objectives (minutes at a thousand): what a plot of the history
    asks for, not what every reader needs.
    """
    rows, results = _means(trials, objectives, n_splits)
    return rows, pareto_summary(results, rows, objectives).hypervolume_history


def _means(
    trials: Sequence[Trial], objectives: Objectives, n_splits: int | None
) -> tuple[tuple[Trial, ...], dict[str, np.ndarray]]:
    rows = tuple(sorted((t for t in trials if t.is_finished), key=lambda t: t.number))
    if n_splits is None:
        n_splits = 1 + max((f.fold for t in rows for f in t.fold_results), default=0)
    scored = [c for c in dict.fromkeys(_columns(objectives)) if c not in BUILTIN_MEASURES]
    return rows, mean_scores(rows, scored, n_splits=n_splits)


def fingerprint_splits(fingerprint: Mapping[str, Any]) -> int | None:
    """The number of CV splits a stored study's fingerprint names, if any."""
    cv = fingerprint.get("cv")
    if isinstance(cv, Mapping):
        n = cv.get("n_splits")
        if isinstance(n, int) and not isinstance(n, bool) and n > 0:
            return n
    return None


def _columns(objectives: Objectives) -> list[str]:
    return [*objectives.columns, *(column for column, _, _ in objectives.thresholds)]
