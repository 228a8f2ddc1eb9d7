"""The Pareto front of a multi-objective search (``objectives`` a dict of 2 or 3)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from scout_sklearn._front import fingerprint_splits, stored_objectives, trial_front
from scout_sklearn._pareto import MAXIMIZE, Objectives, check_objectives, objective_values
from scout_sklearn._stored_study import StoredStudy
from scout_sklearn._study import Study
from scout_sklearn._trial import Trial
from scout_sklearn.plotting._mpl import new_axes, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ParetoView", "draw_pareto_front", "pareto_view", "plot_pareto_front"]

_UNITS = {"fit_time": "mean fit seconds", "score_time": "mean score seconds per sample"}


@dataclasses.dataclass(frozen=True)
class ParetoView:
    """What the front's plot and the report's table show of a multi-objective study.

    Attributes
    ----------
    objectives : Objectives
    rows : tuple of Trial
        The finished trials in number order (the rows of ``cv_results_``).
    values : ndarray of shape (n_rows, n_objectives)
        Each row's mean of each objective; NaN where the trial is not COMPLETE.
    front : ndarray of int
        The rows on the front, in ``pareto_front_``'s order.
    best : int or None
        The row ``refit`` chose, when known: a fitted search knows it; a
        stored study does not keep it.
    refit : object
        The search's ``refit`` (None for a study).
    """

    objectives: Objectives
    rows: tuple[Trial, ...]
    values: np.ndarray
    front: np.ndarray
    best: int | None = None
    refit: Any = None


def pareto_view(source: Any) -> ParetoView | None:
    """The Pareto view of a fitted search, a Study or a StoredStudy (None: one objective).

    A search is read from its fitted attributes (``pareto_front_``,
    ``best_index_``); a study from its stored objectives, constraints and
    fold results (``_front.trial_front``), which give the same front.
    """
    if isinstance(source, (Study, StoredStudy)):
        fingerprint = source.fingerprint or {}
        objectives = stored_objectives(fingerprint, source.trials)
        if objectives is None:
            return None
        front = trial_front(
            source.trials, objectives, n_splits=fingerprint_splits(fingerprint)
        )
        return ParetoView(objectives, front.rows, front.summary.values, front.summary.front)
    if not hasattr(source, "pareto_front_"):
        return None
    objectives = check_objectives(
        source.objectives,
        scoring=source.scoring,
        refit=False,
        pruner=None,
        owner=type(source).__name__,
        constraints=getattr(source, "constraints", None),
    )
    rows = tuple(
        sorted((t for t in source.study_.trials if t.is_finished), key=lambda t: t.number)
    )
    return ParetoView(
        objectives,
        rows,
        objective_values(source.cv_results_, rows, objectives),
        np.asarray(source.pareto_front_, dtype=int),
        best=getattr(source, "best_index_", None),
        refit=source.refit,
    )


def plot_pareto_front(search: Any, *, ax: Axes | None = None) -> Axes:
    """Plot the trials of a multi-objective search and their Pareto front.

    Every COMPLETE trial is a grey point at its mean objectives; the front
    (``pareto_rank`` 1) is drawn in red and, with two objectives, joined as
    a step line, the boundary of what it dominates; the refitted trial
    (``best_index_``), when there is one, is a black star (a study read
    back from a storage does not know it, and has no star). Each axis names
    its objective, what is plotted (the mean test score, or a built-in
    measure's mean) and its direction. Three objectives are drawn on 3-D
    axes, without the line.

    Parameters
    ----------
    search : ScoutSearchCV, Study or StoredStudy
        A search fitted with ``objectives`` a dict of two or three objectives,
        or the study one stored (``scout_sklearn.load_study(url, name)``):
        its front is computed from the stored objectives, constraints and
        fold results, and is the search's ``pareto_front_``.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None (with three objectives, the
        axes must be 3-D: ``projection="3d"``).

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        For an unfitted search, a search or study of a single objective, or
        2-D axes given for three objectives.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from scout_sklearn import Int, ScoutSearchCV
    >>> from scout_sklearn.plotting import plot_pareto_front
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> search = ScoutSearchCV(
    ...     DecisionTreeClassifier(random_state=0),
    ...     {"max_depth": Int(1, 8), "min_samples_leaf": Int(1, 40)},
    ...     scoring=["precision", "recall"],
    ...     objectives={"precision": "maximize", "recall": "maximize"},
    ...     refit="knee", n_trials=12, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_pareto_front(search)
    >>> ax.get_xlabel()
    'precision (mean test score, maximize)'
    """
    return draw_pareto_front(_view_of(search), ax=ax)


def draw_pareto_front(view: ParetoView, *, ax: Axes | None = None) -> Axes:
    """:func:`plot_pareto_front` of a :class:`ParetoView` computed already."""
    objectives, values, front = view.objectives, view.values, view.front
    k = len(objectives.names)
    drawn: Any = new_axes(ax) if k == 2 else _axes_3d(ax)
    complete = np.isfinite(values).all(axis=1)
    drawn.scatter(
        *values[complete].T,
        color="0.6",
        s=20,
        label="COMPLETE",
        zorder=2,
        gid="complete",
    )
    if k == 2:
        # Sorted by the first objective, ascending: the boundary holds each
        # front point's second objective towards the worse side of the first.
        maximized = objectives.directions[0] == MAXIMIZE
        drawn.step(
            values[front, 0],
            values[front, 1],
            where="pre" if maximized else "post",
            color="tab:red",
            linewidth=1.4,
            zorder=3,
            gid="front-line",
        )
    drawn.scatter(
        *values[front].T, color="tab:red", s=30, label="Pareto front", zorder=4, gid="front"
    )
    if view.best is not None:
        drawn.scatter(
            *values[[view.best]].T,
            marker="*",
            color="black",
            s=160,
            label=f"refit={view.refit!r}" if isinstance(view.refit, str) else "refit",
            zorder=5,
            gid="refit",
        )
    drawn.set_xlabel(_axis_label(objectives, 0))
    drawn.set_ylabel(_axis_label(objectives, 1))
    if k == 3:
        drawn.set_zlabel(_axis_label(objectives, 2))
    drawn.set_title(f"Pareto front of {len(front)} of {int(complete.sum())} trials")
    drawn.grid(alpha=0.3)
    drawn.legend(fontsize=8)
    return drawn  # type: ignore[no-any-return]


def _view_of(search: Any) -> ParetoView:
    view = pareto_view(search)
    if view is not None:
        return view
    if isinstance(search, (Study, StoredStudy)):
        raise ValueError(
            "plot_pareto_front takes a ScoutSearchCV fitted with several objectives "
            f"(objectives={{metric: 'maximize' or 'minimize', ...}}), or its study; "
            f"study {search.name!r} was stored by a search of one objective (its "
            "fingerprint names no dict of objectives)."
        )
    raise ValueError(
        "plot_pareto_front takes a ScoutSearchCV fitted with several objectives "
        "(objectives={metric: 'maximize' or 'minimize', ...}); got "
        f"{type(search).__name__}, which has no pareto_front_ (not fitted, or "
        "fitted with one objective)."
    )


def _axes_3d(ax: Axes | None) -> Any:
    """``ax`` if it is 3-D, or 3-D axes on a new figure when None."""
    if ax is None:
        figure = pyplot().figure(figsize=(6.4, 5.2), layout="constrained")
        return figure.add_subplot(projection="3d")
    if getattr(ax, "name", None) != "3d":
        raise ValueError(
            "plot_pareto_front draws three objectives on 3-D axes, but got 2-D axes "
            "ax=...; pass axes made with projection='3d', or ax=None."
        )
    return ax


def _axis_label(objectives: Objectives, j: int) -> str:
    what = _UNITS.get(objectives.columns[j], "mean test score")
    return f"{objectives.names[j]} ({what}, {objectives.directions[j]})"
