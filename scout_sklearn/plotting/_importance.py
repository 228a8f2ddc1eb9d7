"""Parameter importances: how much of the value's variation each parameter explains."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from scout_sklearn.plotting._data import StudyView, resolve
from scout_sklearn.plotting._mpl import new_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["encode_params", "param_importances", "plot_param_importances"]


def encode_params(view: StudyView) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The COMPLETE trials as a numeric table: names, X (trials x params), values.

    A numeric parameter is its value (its log10 when searched on a log
    scale); a categorical one the position of its value among the choices.
    A trial without the parameter (a conditional space) gets a code below
    every real one, so that a tree can tell "absent" apart.
    """
    names = list(view.params)
    trials = view.complete
    X = np.full((len(trials), len(names)), np.nan)
    for j, name in enumerate(names):
        info = view.params[name]
        for i, trial in enumerate(trials):
            if name in trial.params:
                X[i, j] = info.coordinate(trial.params[name])
        column = X[:, j]
        finite = column[np.isfinite(column)]
        low = float(finite.min()) if finite.size else 0.0
        span = float(finite.max()) - low if finite.size else 0.0
        column[~np.isfinite(column)] = low - 1.0 - span
    y = np.array([view.value_of(t) for t in trials], dtype=float)
    return names, X, y


#: The most trials one tree of the importance forest is fitted on.
_MAX_TREE_SAMPLES = 2000


def _importances(
    view: StudyView, *, n_estimators: int, random_state: int | None
) -> dict[str, float]:
    from sklearn.ensemble import RandomForestRegressor

    names, X, y = encode_params(view)
    varies = np.array([np.unique(X[:, j]).size > 1 for j in range(X.shape[1])], dtype=bool)
    if not varies.any():
        raise ValueError(
            f"param_importances: no parameter takes more than one value among the "
            f"{len(y)} COMPLETE trial(s) of study {view.name!r}: there is nothing to "
            "rank. Run more trials."
        )
    if np.ptp(y) > 0:
        # Each tree sees a bootstrap sample of at most _MAX_TREE_SAMPLES trials:
        # the importances of 10,000 trials then take a fraction of a second,
        # not seconds, and their ranking holds.
        forest = RandomForestRegressor(
            n_estimators=n_estimators,
            random_state=random_state,
            max_samples=min(len(y), _MAX_TREE_SAMPLES),
        )
        forest.fit(X, y)
        weights = np.asarray(forest.feature_importances_, dtype=float)
        weights = np.where(varies, np.clip(weights, 0.0, None), 0.0)
    else:
        weights = np.zeros(len(names))
    total = float(weights.sum())
    if not math.isfinite(total) or total <= 0:
        # Every trial scored the same: no parameter explains more than another.
        weights = varies.astype(float)
        total = float(weights.sum())
    shares = {name: float(w / total) for name, w in zip(names, weights)}
    return dict(sorted(shares.items(), key=lambda item: (-item[1], item[0])))


def param_importances(
    study: Any, *, n_estimators: int = 100, random_state: int | None = 0
) -> dict[str, float]:
    """How much each parameter matters to the value, by a random forest's importances.

    A :class:`~sklearn.ensemble.RandomForestRegressor` is fitted on the
    COMPLETE trials (params to value): numeric parameters as numbers (in
    log space when searched on a log scale), categorical ones by the
    position of their value, a parameter absent from a trial (conditional
    spaces) by a code of its own. Its impurity-based importances, normalised
    to sum to 1, are the result. A parameter that takes a single value gets
    0. When every trial has the same value, the varying parameters share
    the weight equally. Each tree is fitted on a bootstrap sample of at
    most 2,000 trials, so that a large study's importances take a fraction
    of a second.

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
        A fitted search (its ``study_`` is read), a live study, or a study
        read back with :func:`scout_sklearn.load_study`.
    n_estimators : int, default=100
        Number of trees of the forest.
    random_state : int or None, default=0
        Seed of the forest, for reproducible importances.

    Returns
    -------
    importances : dict of str to float
        Parameter name to its share of the importance, sorted from the most
        important; the shares sum to 1.

    Raises
    ------
    ValueError
        For an unfitted search, a study without a COMPLETE trial, or one in
        which no parameter takes two values.
    """
    view = resolve(study, where="param_importances")
    return _importances(view, n_estimators=n_estimators, random_state=random_state)


def plot_param_importances(
    study: Any,
    *,
    ax: Axes | None = None,
    n_estimators: int = 100,
    random_state: int | None = 0,
) -> Axes:
    """Plot :func:`param_importances` as a horizontal bar chart, the largest on top.

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
        A fitted search (its ``study_`` is read), a live study, or a study
        read back with :func:`scout_sklearn.load_study`.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.
    n_estimators : int, default=100
        Number of trees of the forest.
    random_state : int or None, default=0
        Seed of the forest.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on: one bar per parameter, labelled with its share.
    """
    view = resolve(study, where="plot_param_importances")
    shares = _importances(view, n_estimators=n_estimators, random_state=random_state)
    return draw_importances(view, shares, ax=ax)


def draw_importances(
    view: StudyView, shares: dict[str, float], *, ax: Axes | None = None
) -> Axes:
    """Draw importances already computed (the report computes them once for two uses)."""
    ax = new_axes(ax, figsize=(6.4, 0.9 + 0.42 * len(shares)))
    names = list(shares)[::-1]
    values = [shares[n] for n in names]
    bars = ax.barh(range(len(names)), values, color="tab:blue")
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in values], padding=3, fontsize=8)
    ax.set_yticks(range(len(names)), labels=names)
    ax.set_xlim(0.0, max(1e-9, max(values)) * 1.18)
    ax.set_xlabel("importance (share of a random forest's impurity decrease)")
    ax.set_title(f"Parameter importances ({len(view.complete)} COMPLETE trials)")
    return ax
