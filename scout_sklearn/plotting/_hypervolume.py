"""The hypervolume of a multi-objective search's front, trial after trial."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scout_sklearn._front import (
    fingerprint_splits,
    stored_objectives,
    trial_hypervolume_history,
)
from scout_sklearn._pareto import REFERENCE
from scout_sklearn._stored_study import StoredStudy
from scout_sklearn._study import Study
from scout_sklearn.plotting._mpl import new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_hypervolume_history"]


def plot_hypervolume_history(search: Any, *, ax: Axes | None = None) -> Axes:
    """Plot the hypervolume of the Pareto front after each trial of a search.

    The hypervolume is the volume of objective space the front of the
    COMPLETE (and feasible) trials dominates, in objectives scaled to
    ``[0, 1]`` over every COMPLETE trial (0 the best) with the reference
    point 1.1 in each: one number that grows as the front improves, and
    stays flat while new trials add nothing to it. It is the search's
    ``hypervolume_history_``, drawn as a step line against trial numbers; a
    flat tail says more trials are unlikely to move the front.

    Parameters
    ----------
    search : ScoutSearchCV, Study or StoredStudy
        A search fitted with ``objectives`` a dict of two or three objectives,
        or the study one stored (``scout_sklearn.load_study(url, name)``),
        whose history is computed from the stored objectives, constraints
        and fold results (for a study of a thousand trials on a front of
        three objectives, that takes minutes).
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        For an unfitted search, or a search or study of a single objective.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from scout_sklearn import Int, ScoutSearchCV
    >>> from scout_sklearn.plotting import plot_hypervolume_history
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> search = ScoutSearchCV(
    ...     DecisionTreeClassifier(random_state=0),
    ...     {"max_depth": Int(1, 8), "min_samples_leaf": Int(1, 40)},
    ...     scoring=["precision", "recall"],
    ...     objectives={"precision": "maximize", "recall": "maximize"},
    ...     refit="knee", n_trials=12, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> ax = plot_hypervolume_history(search)
    >>> ax.get_xlabel()
    'trial number'
    """
    numbers, history, n_objectives = _history(search)
    ax = new_axes(ax)
    ax.step(numbers, history, where="post", color="tab:red", label="front's hypervolume")
    ax.plot(numbers, history, ".", color="tab:red", markersize=3)
    ax.set_xlabel("trial number")
    ax.set_ylabel(f"hypervolume (reference {REFERENCE} in each normalised objective)")
    ax.set_ylim(0.0, REFERENCE**n_objectives * 1.02)
    ax.set_title(f"Hypervolume of the Pareto front, {n_objectives} objectives")
    return ax


def _history(search: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """Trial numbers, the history at each, and the number of objectives."""
    if isinstance(search, (Study, StoredStudy)):
        fingerprint = search.fingerprint or {}
        objectives = stored_objectives(fingerprint, search.trials)
        if objectives is None:
            raise ValueError(
                f"Study {search.name!r} was not searched for several objectives: it "
                "has no Pareto front, hence no hypervolume. Plot its values with "
                "plot_optimization_history."
            )
        rows, history = trial_hypervolume_history(
            search.trials, objectives, n_splits=fingerprint_splits(fingerprint)
        )
        numbers = np.array([t.number for t in rows], dtype=int)
        return numbers, np.asarray(history, dtype=float), len(objectives.names)
    if not hasattr(search, "hypervolume_history_"):
        fitted = hasattr(search, "cv_results_")
        raise ValueError(
            f"{type(search).__name__} has no hypervolume_history_: "
            + (
                "it was fitted with a single objective. Give 'objectives' a dict of "
                "two or three objectives, or plot plot_optimization_history."
                if fitted
                else "fit it first, with 'objectives' a dict of two or three objectives."
            )
        )
    results = search.cv_results_
    numbers = np.asarray(results["trial_number"], dtype=int)
    history = np.asarray(search.hypervolume_history_, dtype=float)
    order = np.argsort(numbers, kind="stable")
    return numbers[order], history[order], len(search.objectives)
