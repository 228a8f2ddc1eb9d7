"""Several objectives: their validation, and the Pareto front of a search's trials.

:func:`check_objectives` turns ``ScoutSearchCV(objectives={...})`` into an
:class:`Objectives` record before any fit; :func:`pareto_summary` computes,
from ``cv_results_`` and the trials, each row's Pareto rank, the front, the
hypervolume after each trial, and the row ``refit`` chooses.

Everything here is pure numpy, written for 2 or 3 objectives: non-dominated
sorting (:func:`scout_sklearn._dominance.pareto_ranks`: one pass in
lexicographic order, O(n log n) for 2 objectives, O(n^2) time in blocks and
O(n) memory for 3) and the exact hypervolume by sweeping (2 objectives) or
slicing (3 objectives). That is a few dozen lines, so no compiled dependency
(moocore, pymoo) is needed for what a search of a few thousand trials asks.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from scout_sklearn._dominance import hypervolume, pareto_ranks
from scout_sklearn._trial import Trial, TrialState
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import NopPruner, Pruner, make_pruner
from scout_sklearn.samplers import Sampler

__all__ = [
    "BUILTIN_MEASURES",
    "KNEE",
    "MAXIMIZE",
    "MINIMIZE",
    "REFERENCE",
    "Objectives",
    "OneStandardError",
    "ParetoFront",
    "ParetoSummary",
    "check_objectives",
    "check_sampler",
    "feasibility",
    "hypervolume",
    "objective_values",
    "pareto_front",
    "pareto_ranks",
    "pareto_summary",
    "refit_index",
    "stored_constraints",
]

MAXIMIZE, MINIMIZE = "maximize", "minimize"
#: ``refit="knee"``: the front's trial closest to the ideal point.
KNEE = "knee"
#: Objectives measured by every search, without a scorer: the mean fit time of
#: the folds (seconds) and their mean score time per test sample (seconds).
BUILTIN_MEASURES = ("fit_time", "score_time")
#: The hypervolume's reference point, in each normalised objective.
REFERENCE = 1.1


@dataclasses.dataclass(frozen=True)
class Objectives:
    """The objectives of a multi-objective search, in the user's order.

    ``names`` are as the user wrote them, ``columns`` the metric each reads in
    ``cv_results_`` (``"score"`` for the one metric of a single ``scoring``; a
    built-in measure's own name), ``directions`` "maximize" or "minimize".
    """

    names: tuple[str, ...]
    columns: tuple[str, ...]
    directions: tuple[str, ...]
    #: ``constraints``: (column, operator, threshold) each, in the user's order.
    thresholds: tuple[tuple[str, str, float], ...] = ()

    def index(self, name: str) -> int:
        return self.names.index(name)

    @property
    def spec(self) -> dict[str, str]:
        """Column to direction: what :class:`NSGAIISampler` reads from each fold."""
        return dict(zip(self.columns, self.directions))

    @property
    def constraint_spec(self) -> dict[str, tuple[str, float]] | None:
        """Column to (operator, threshold), as :class:`NSGAIISampler` takes them."""
        if not self.thresholds:
            return None
        return {column: (op, threshold) for column, op, threshold in self.thresholds}

    @property
    def maximised_scored_columns(self) -> list[str]:
        """The columns of maximised scorer metrics (not built-in measures), in order."""
        return [
            column
            for column, direction in zip(self.columns, self.directions)
            if column not in BUILTIN_MEASURES and direction == MAXIMIZE
        ]


def check_objectives(
    objectives: Mapping[Any, Any],
    *,
    scoring: Any,
    refit: Any,
    pruner: Any,
    owner: str,
    constraints: Any = None,
) -> Objectives:
    """Validate a dict of objectives with the rest of the search, before any fit."""
    where = f"The 'objectives' parameter of {owner}"
    if not 2 <= len(objectives) <= 3:
        raise InvalidParameterError(
            f"{where} is a dict of {len(objectives)} objective(s): {dict(objectives)!r}. "
            "A dict names 2 or 3 objectives (a Pareto front); for one, give its "
            "name as a str, e.g. objectives='accuracy'."
        )
    if callable(scoring) and not isinstance(scoring, (str, list, tuple, dict)):
        raise InvalidParameterError(
            f"{where} is a dict of several objectives, which needs the metric names "
            f"before any fit, but scoring={scoring!r} is a callable. Give scoring as "
            "a list of names or a dict of name to scorer."
        )
    single = scoring is None or isinstance(scoring, str)
    metrics = ["score"] if scoring is None else [scoring] if single else list(scoring)
    allowed = [*metrics, *([] if scoring is None or not single else ["score"])]
    allowed += [m for m in BUILTIN_MEASURES if m not in allowed]
    columns, directions = [], []
    for name, direction in objectives.items():
        if not isinstance(name, str) or name not in allowed:
            raise InvalidParameterError(
                f"{where} names the objective {name!r}, which is neither a metric of "
                f"scoring nor a built-in measure. Allowed: {allowed} (the metrics of "
                f"scoring={scoring!r}, then {list(BUILTIN_MEASURES)})."
            )
        if direction not in (MAXIMIZE, MINIMIZE):
            raise InvalidParameterError(
                f"{where} gives the objective {name!r} the direction {direction!r}; "
                f"a direction is {MAXIMIZE!r} or {MINIMIZE!r}."
            )
        columns.append("score" if single and name in metrics else name)
        directions.append(direction)
    if len(set(columns)) < len(columns):
        raise InvalidParameterError(
            f"{where} names one metric twice: {dict(objectives)!r} (with one metric in "
            "scoring, its name and 'score' are the same column)."
        )
    thresholds = _check_constraints(
        constraints,
        allowed,
        lambda name: "score" if single and name in metrics else name,
        owner,
    )
    result = Objectives(tuple(objectives), tuple(columns), tuple(directions), thresholds)
    _check_refit(refit, result, owner)
    _check_pruner(pruner, owner)
    return result


def check_sampler(sampler: Sampler, objectives: Objectives, owner: str) -> Sampler:
    """Several objectives: a sampler that learns from all of them, or one blind to values.

    Returns the sampler to use: an :class:`MOTPESampler` or
    :class:`NSGAIISampler` without objectives of its own is given the
    search's, and their constraints likewise (``sampler`` is the search's
    own copy, never the user's instance).
    """
    # Imported here: the samplers' modules import scipy, which reading a
    # storage's fronts (the scout-sklearn command) does not need.
    from scout_sklearn.samplers import MOTPESampler, NSGAIISampler

    spec = objectives.spec
    if isinstance(sampler, (MOTPESampler, NSGAIISampler)):
        if sampler.constraints is None and objectives.thresholds:
            sampler.set_params(constraints=objectives.constraint_spec)
        elif sampler.constraints is not None and _normal_constraints(
            sampler.constraints
        ) != _normal_constraints(objectives.constraint_spec):
            raise InvalidParameterError(
                f"The 'sampler' parameter of {owner} is {sampler!r}, whose constraints "
                f"differ from the search's {objectives.constraint_spec!r}. Leave the "
                "sampler's constraints=None: the search sets them."
            )
        if sampler.objectives is None:
            return sampler.set_params(objectives=spec)
        if dict(sampler.objectives) != spec:
            raise InvalidParameterError(
                f"The 'sampler' parameter of {owner} is {sampler!r}, whose objectives "
                f"{dict(sampler.objectives)!r} differ from the search's {spec!r} (each "
                "metric's column, read from the folds, with its direction). Leave the "
                "sampler's objectives=None: the search sets them."
            )
        return sampler
    if sampler._learns_from_results():
        raise InvalidParameterError(
            f"The 'sampler' parameter of {owner} is {sampler!r}, which learns from "
            "each trial's single value, but 'objectives' names several objectives. "
            "Use sampler=None (the default with several objectives), 'motpe' or "
            "'nsga2', which learn from all of them, or 'random', 'qmc' or 'grid'."
        )
    return sampler


#: The comparisons a constraint may use: the metric's mean over the folds
#: must be at most, or at least, the threshold.
CONSTRAINT_OPERATORS = ("<=", ">=")


def _check_constraints(
    constraints: Any,
    allowed: list[str],
    column_of: Callable[[str], str],
    owner: str,
) -> tuple[tuple[str, str, float], ...]:
    """``constraints`` as (column, operator, threshold) triples; raise on anything else."""
    if constraints is None:
        return ()
    where = f"The 'constraints' parameter of {owner}"
    if not isinstance(constraints, Mapping) or not constraints:
        raise InvalidParameterError(
            f"{where} must be None or a non-empty dict of metric to (operator, "
            f"threshold), e.g. {{'score_time': ('<=', 1e-4)}}. Got {constraints!r} "
            "instead."
        )
    thresholds = []
    for name, bound in constraints.items():
        if not isinstance(name, str) or name not in allowed:
            raise InvalidParameterError(
                f"{where} constrains {name!r}, which is neither a metric of scoring "
                f"nor a built-in measure. Allowed: {allowed}."
            )
        is_pair = isinstance(bound, (tuple, list)) and len(bound) == 2
        op, threshold = bound if is_pair else (None, None)
        is_number = isinstance(threshold, numbers.Real) and not isinstance(threshold, bool)
        if not is_number or op not in CONSTRAINT_OPERATORS:
            raise InvalidParameterError(
                f"{where} gives {name!r} the bound {bound!r}; a bound is a pair "
                f"(operator, threshold) with the operator one of "
                f"{list(CONSTRAINT_OPERATORS)} and a real threshold, e.g. ('<=', 0.5)."
            )
        assert isinstance(threshold, numbers.Real)
        if not math.isfinite(float(threshold)):
            raise InvalidParameterError(
                f"{where} gives {name!r} the threshold {threshold!r}; a threshold is "
                "a finite real number."
            )
        thresholds.append((column_of(name), str(op), float(threshold)))
    return tuple(thresholds)


def _normal_constraints(constraints: Any) -> dict[str, tuple[str, float]] | None:
    if constraints is None:
        return None
    return {name: (str(op), float(t)) for name, (op, t) in dict(constraints).items()}


def stored_constraints(constraints: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``constraints`` as a study's fingerprint keeps them: canonical JSON.

    Sorted metrics, each ``[operator, float threshold]``, so that ``("<=", 1)``
    and ``["<=", 1.0]`` are one bound and a stored study reads equal.
    """
    return {
        name: [str(op), float(threshold)]
        for name, (op, threshold) in sorted(constraints.items())
    }


class OneStandardError:
    """``refit`` for several objectives: the one-standard-error rule on one of them.

    Among the Pareto front's trials whose mean of ``metric`` is within one
    standard error of the front's best on it, the search refits the one
    best on the other objectives: with two objectives, the best on the other
    one (the cheapest or smallest model that is not clearly less accurate);
    with three, the one nearest the ideal point of the other two, each
    min-max scaled over the trials. The standard error is the best trial's
    standard deviation over the folds divided by the square root of the
    number of folds (Breiman et al.'s rule for choosing a tree's size).
    ``best_score_`` is the chosen trial's mean of ``metric``.

    Parameters
    ----------
    metric : str
        An objective measured by a scorer (its ``std_test_<metric>`` column
        gives the standard error), not ``fit_time`` or ``score_time``.

    Examples
    --------
    >>> from scout_sklearn import OneStandardError
    >>> OneStandardError("accuracy")
    OneStandardError('accuracy')
    """

    def __init__(self, metric: str) -> None:
        self.metric = metric

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.metric!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OneStandardError) and other.metric == self.metric

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.metric))


def _check_refit(refit: Any, objectives: Objectives, owner: str) -> None:
    if isinstance(refit, OneStandardError):
        metric = refit.metric
        if metric in objectives.names and metric not in BUILTIN_MEASURES:
            return
        raise InvalidParameterError(
            f"The 'refit' parameter of {owner} is {refit!r}, but the one-standard-"
            f"error rule needs an objective measured by a scorer, one of "
            f"{[n for n in objectives.names if n not in BUILTIN_MEASURES]} (its "
            "standard deviation over the folds gives the standard error)."
        )
    if refit is False or callable(refit) or refit == KNEE or refit in objectives.names:
        return
    raise InvalidParameterError(
        f"The 'refit' parameter of {owner} is {refit!r}, but with several objectives "
        f"it must name one of them ({list(objectives.names)}: the best on it among "
        f"the Pareto front), be {KNEE!r} (the front's trial closest to the ideal "
        "point), OneStandardError(<objective>), a callable choosing the index from "
        "cv_results_, or False."
    )


def _check_pruner(pruner: Any, owner: str) -> None:
    if pruner is None or pruner == "none" or isinstance(pruner, NopPruner):
        return
    if not isinstance(pruner, (str, Pruner)):
        make_pruner(pruner, owner=owner)  # raises: none of the accepted kinds
    shown = pruner
    raise InvalidParameterError(
        f"The 'pruner' parameter of {owner} is {shown!r}, but 'objectives' names "
        "several objectives. Pruning needs one objective: a pruner stops a trial "
        "whose value at a rung is worse than others', and trials on a Pareto front "
        "are not ordered. Use pruner=None, or one objective."
    )


@dataclasses.dataclass(frozen=True)
class ParetoFront:
    """The Pareto ranks and front of ``cv_results_``'s rows."""

    values: np.ndarray  # (n_rows, n_objectives): NaN where the trial is not COMPLETE
    feasible: np.ndarray  # bool: within every constraint (all True without any)
    ranks: np.ndarray  # int, 1 = non-dominated
    front: np.ndarray  # rows of rank 1, ordered by the first objective


@dataclasses.dataclass(frozen=True)
class ParetoSummary(ParetoFront):
    """What a multi-objective search adds to its results, per ``cv_results_`` row."""

    # After each row (trial order).
    hypervolume_history: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros(0))


def pareto_front(
    results: Mapping[str, Any], rows: Sequence[Trial], objectives: Objectives
) -> ParetoFront:
    """The ranks and front of ``cv_results_`` (``rows``: its trials, in row order).

    What a reader of a stored study (the command line, the report, the
    dashboard) shows: without :func:`pareto_summary`'s hypervolume history,
    which costs far more once many trials join the front (minutes for a
    thousand trials on a front of three objectives).
    """
    values = objective_values(results, rows, objectives)
    feasible = feasibility(results, rows, objectives)
    points = _ranked_points(values, feasible, objectives)
    ranks = pareto_ranks(points)
    # Rows without finite objectives rank after the others, which is 1 when
    # no row has them: they are never on the front.
    front = np.flatnonzero((ranks == 1) & np.isfinite(points).all(axis=1))
    front = front[np.lexsort((front, values[front, 0]))]
    return ParetoFront(values=values, feasible=feasible, ranks=ranks, front=front)


def pareto_summary(
    results: Mapping[str, Any], rows: Sequence[Trial], objectives: Objectives
) -> ParetoSummary:
    """The Pareto view of ``cv_results_`` (``rows``: its trials, in row order)."""
    ranked = pareto_front(results, rows, objectives)
    points = _ranked_points(ranked.values, ranked.feasible, objectives)
    return ParetoSummary(
        values=ranked.values,
        feasible=ranked.feasible,
        ranks=ranked.ranks,
        front=ranked.front,
        hypervolume_history=_hypervolume_history(_normalised(points)),
    )


def _ranked_points(
    values: np.ndarray, feasible: np.ndarray, objectives: Objectives
) -> np.ndarray:
    """The objectives to minimise; NaN rows for the infeasible trials.

    An infeasible trial ranks with those that are not COMPLETE: after all
    others, never on the front nor in the hypervolume.
    """
    points = _minimised(values, objectives.directions)
    points[~feasible] = np.nan
    return points


def refit_index(
    refit: str | OneStandardError | Callable[..., Any],
    summary: ParetoFront,
    objectives: Objectives,
    *,
    results: Mapping[str, Any] | None = None,
    n_splits: int = 1,
) -> tuple[int, float | None]:
    """The row a str ``refit`` picks on the front, and its score (None for the knee).

    An objective's name: the front's best row on it (ties: the first row).
    ``"knee"``: the front's row nearest (Euclidean) the ideal point in the
    normalised objectives, where every objective is 0.
    :class:`OneStandardError`: see there (``results`` gives the folds'
    standard deviations, ``n_splits`` their number).
    """
    front = summary.front
    if isinstance(refit, OneStandardError):
        assert results is not None
        return _one_standard_error(refit.metric, summary, objectives, results, n_splits)
    if refit == KNEE:
        normalised = _normalised(_minimised(summary.values, objectives.directions))
        distances = np.linalg.norm(normalised[front], axis=1)
        return int(front[np.lexsort((front, distances))[0]]), None
    assert isinstance(refit, str)
    j = objectives.index(refit)
    sign = -1.0 if objectives.directions[j] == MAXIMIZE else 1.0
    best = front[np.lexsort((front, sign * summary.values[front, j]))[0]]
    return int(best), float(summary.values[best, j])


def _one_standard_error(
    metric: str,
    summary: ParetoFront,
    objectives: Objectives,
    results: Mapping[str, Any],
    n_splits: int,
) -> tuple[int, float]:
    front = summary.front
    j = objectives.index(metric)
    minimised = _minimised(summary.values, objectives.directions)
    on_metric = minimised[front, j]
    best = int(np.lexsort((front, on_metric))[0])
    std = np.asarray(results[f"std_test_{objectives.columns[j]}"], dtype=float)
    error = std[front[best]] / math.sqrt(max(n_splits, 1))
    if not math.isfinite(error):
        error = 0.0
    close = front[on_metric <= on_metric[best] + error]
    others = [k for k in range(len(objectives.names)) if k != j]
    normalised = _normalised(minimised)[:, others]
    distances = np.linalg.norm(normalised[close], axis=1)
    chosen = int(close[np.lexsort((close, distances))[0]])
    return chosen, float(summary.values[chosen, j])


def objective_values(
    results: Mapping[str, Any], rows: Sequence[Trial], objectives: Objectives
) -> np.ndarray:
    """Each row's mean of each objective; NaN for a trial that is not COMPLETE.

    A scorer metric: ``mean_test_<metric>``; ``fit_time``: ``mean_fit_time``;
    ``score_time``: the mean over folds of score_time / n_test_samples.
    """
    values = np.full((len(rows), len(objectives.columns)), np.nan)
    for j, column in enumerate(objectives.columns):
        values[:, j] = _column_values(results, rows, column)
    complete = np.array([t.state == TrialState.COMPLETE for t in rows], dtype=bool)
    values[~complete] = np.nan
    values[~np.isfinite(values).all(axis=1)] = np.nan
    return values


def feasibility(
    results: Mapping[str, Any], rows: Sequence[Trial], objectives: Objectives
) -> np.ndarray:
    """Whether each row is within every constraint (a NaN metric is not)."""
    feasible = np.ones(len(rows), dtype=bool)
    for column, op, threshold in objectives.thresholds:
        values = _column_values(results, rows, column)
        with np.errstate(invalid="ignore"):
            within = values <= threshold if op == "<=" else values >= threshold
        feasible &= within & np.isfinite(values)
    return feasible


def _column_values(
    results: Mapping[str, Any], rows: Sequence[Trial], column: str
) -> np.ndarray:
    """Each row's mean of one metric (a scorer's, or a built-in measure)."""
    if column == "score_time":
        return np.array(
            [
                np.mean([f.score_time / max(f.n_test_samples, 1) for f in t.fold_results])
                if t.fold_results
                else np.nan
                for t in rows
            ],
            dtype=float,
        )
    if column == "fit_time":
        return np.asarray(results["mean_fit_time"], dtype=float)
    return np.asarray(results[f"mean_test_{column}"], dtype=float)


def _minimised(values: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    signs = np.array([-1.0 if d == MAXIMIZE else 1.0 for d in directions])
    return np.asarray(values * signs)


def _normalised(points: np.ndarray) -> np.ndarray:
    """Min-max scaled over the finite rows: each objective in [0, 1] (0: the best).

    An objective equal in every row scales to 0. NaN rows stay NaN.
    """
    valid = np.isfinite(points).all(axis=1)
    if not valid.any():
        return points.copy()
    low = points[valid].min(axis=0)
    span = points[valid].max(axis=0) - low
    return np.asarray((points - low) / np.where(span > 0, span, 1.0))


def _hypervolume_history(normalised: np.ndarray) -> np.ndarray:
    """The hypervolume of the COMPLETE rows among the first i + 1, for each i.

    In the normalised objectives (min-max over every COMPLETE row, so the
    history never decreases) with :data:`REFERENCE` in each. Only a row
    that joins the front changes it, so only then is it recomputed, over the
    front.
    """
    reference = np.full(normalised.shape[1], REFERENCE)
    history = np.zeros(len(normalised))
    front = np.empty((0, normalised.shape[1]))
    volume = 0.0
    for i, point in enumerate(normalised):
        if np.isfinite(point).all() and not _is_weakly_dominated(point, front):
            keep = ~(point <= front).all(axis=1)
            front = np.vstack([front[keep], point])
            volume = hypervolume(front, reference)
        history[i] = volume
    return history


def _is_weakly_dominated(point: np.ndarray, front: np.ndarray) -> bool:
    return bool(len(front)) and bool((front <= point).all(axis=1).any())
