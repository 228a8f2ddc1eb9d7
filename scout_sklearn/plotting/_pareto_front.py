"""The Pareto front of a multi-objective search (``objectives`` a dict of two)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scout_sklearn._pareto import MAXIMIZE, Objectives, check_objectives, objective_values
from scout_sklearn.plotting._mpl import new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_pareto_front"]

_UNITS = {"fit_time": "mean fit seconds", "score_time": "mean score seconds per sample"}


def plot_pareto_front(search: Any, *, ax: Axes | None = None) -> Axes:
    """Plot the trials of a two-objective search and their Pareto front.

    Every COMPLETE trial is a grey point at its mean objectives; the front
    (``pareto_rank`` 1) is drawn in red and joined as a step line, the
    boundary of what it dominates; the refitted trial (``best_index_``),
    when there is one, is a black star. Each axis names its objective, what
    is plotted (the mean test score, or a built-in measure's mean) and its
    direction.

    Parameters
    ----------
    search : ScoutSearchCV
        A search fitted with ``objectives`` a dict of two objectives.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        For an unfitted search, or one without two objectives.

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
    objectives = _objectives_of(search)
    ax = new_axes(ax)
    results = search.cv_results_
    rows = sorted(
        (t for t in search.study_.trials if t.is_finished), key=lambda t: t.number
    )
    values = objective_values(results, rows, objectives)
    complete = np.isfinite(values).all(axis=1)
    ax.scatter(
        values[complete, 0],
        values[complete, 1],
        color="0.6",
        s=20,
        label="COMPLETE",
        zorder=2,
        gid="complete",
    )
    front = np.asarray(search.pareto_front_, dtype=int)
    x, y = values[front, 0], values[front, 1]
    # Sorted by the first objective, ascending: the boundary holds each front
    # point's second objective towards the worse side of the first.
    maximized = objectives.directions[0] == MAXIMIZE
    ax.step(
        x,
        y,
        where="pre" if maximized else "post",
        color="tab:red",
        linewidth=1.4,
        zorder=3,
        gid="front-line",
    )
    ax.scatter(x, y, color="tab:red", s=30, label="Pareto front", zorder=4, gid="front")
    if hasattr(search, "best_index_"):
        best = search.best_index_
        ax.scatter(
            [values[best, 0]],
            [values[best, 1]],
            marker="*",
            color="black",
            s=160,
            label=f"refit={search.refit!r}" if isinstance(search.refit, str) else "refit",
            zorder=5,
            gid="refit",
        )
    ax.set_xlabel(_axis_label(objectives, 0))
    ax.set_ylabel(_axis_label(objectives, 1))
    ax.set_title(f"Pareto front of {len(front)} of {int(complete.sum())} trials")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def _objectives_of(search: Any) -> Objectives:
    if not hasattr(search, "pareto_front_"):
        raise ValueError(
            "plot_pareto_front takes a ScoutSearchCV fitted with several objectives "
            "(objectives={metric: 'maximize' or 'minimize', ...}); got "
            f"{type(search).__name__}, which has no pareto_front_ (not fitted, or "
            "fitted with one objective)."
        )
    objectives = check_objectives(
        search.objectives,
        scoring=search.scoring,
        refit=False,
        pruner=None,
        owner=type(search).__name__,
    )
    if len(objectives.names) != 2:
        raise ValueError(
            f"plot_pareto_front draws two objectives; this search has "
            f"{len(objectives.names)}: {list(objectives.names)}."
        )
    return objectives


def _axis_label(objectives: Objectives, j: int) -> str:
    what = _UNITS.get(objectives.columns[j], "mean test score")
    return f"{objectives.names[j]} ({what}, {objectives.directions[j]})"
