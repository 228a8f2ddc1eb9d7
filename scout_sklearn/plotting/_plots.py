"""The plots of a study: history, slices, parallel coordinates, contour, rungs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from scout_sklearn._trial import TrialState
from scout_sklearn.plotting._axes import set_param_axis
from scout_sklearn.plotting._data import (
    ParamInfo,
    StudyView,
    check_param_names,
    intermediate_values,
    n_splits_of,
    resolve,
)
from scout_sklearn.plotting._mpl import new_axes, new_figure, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_contour",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_slice",
]

_PRUNED_COLOR = "0.6"
_CMAP = "viridis"


def _value_label(view: StudyView) -> str:
    name = view.metric_name
    sign = ", negated" if name.startswith("neg_") else ""
    return f"value (mean test {name}{sign})"


# -- history ---------------------------------------------------------------------
def plot_optimization_history(study: Any, *, ax: Axes | None = None) -> Axes:
    """Plot each trial's value by trial number, and the best value so far.

    COMPLETE trials are blue points; PRUNED trials are grey crosses at the
    value of the last rung they finished (when it is known); FAILED and
    RUNNING trials are left out. The best-so-far line is a step line over
    the COMPLETE trials, carried on to the last trial.

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
        A fitted search (its ``study_`` is read), a live study, or a study
        read back with :func:`scout_sklearn.load_study`.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        For an unfitted search or a study without a COMPLETE trial.
    """
    view = resolve(study, where="plot_optimization_history")
    ax = new_axes(ax)
    n_splits = n_splits_of(view)
    pruned_x, pruned_y = [], []
    for trial in view.trials:
        if trial.state is not TrialState.PRUNED:
            continue
        value = trial.value
        if value is None or not math.isfinite(value):
            rungs = intermediate_values(
                trial, view.metric, resource=view.resource, n_splits=n_splits
            )
            value = rungs[max(rungs)] if rungs else None
        if value is not None:
            pruned_x.append(trial.number)
            pruned_y.append(float(value))
    if pruned_x:
        ax.scatter(
            pruned_x,
            pruned_y,
            marker="x",
            color=_PRUNED_COLOR,
            s=22,
            label="PRUNED (last rung)",
            zorder=2,
            gid="pruned",
        )
    complete = view.complete
    numbers = [t.number for t in complete]
    values = [view.value_of(t) for t in complete]
    ax.scatter(
        numbers, values, color="tab:blue", s=24, label="COMPLETE", zorder=3, gid="complete"
    )
    best = np.maximum.accumulate(np.asarray(values, dtype=float))
    last = max(t.number for t in view.trials)
    if last > numbers[-1]:  # carry the best on to the last trial
        numbers, best = [*numbers, last], np.append(best, best[-1])
    ax.step(
        numbers,
        best,
        where="post",
        color="tab:red",
        linewidth=1.6,
        label="best so far",
        zorder=4,
        gid="best",
    )
    ax.set_xlabel("trial number")
    ax.set_ylabel(_value_label(view))
    ax.set_title(f"Optimization history of {view.name}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return ax


# -- slices ----------------------------------------------------------------------
def plot_slice(study: Any, params: Sequence[str] | None = None) -> Figure:
    """Plot the value against each parameter, one panel per parameter.

    Each COMPLETE trial that has the parameter is a point, coloured by its
    trial number (later trials are lighter). A log-scaled parameter gets a
    log x axis; a categorical one shows its choices at category positions.

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
        A fitted search (its ``study_`` is read), a live study, or a study
        read back with :func:`scout_sklearn.load_study`.
    params : list of str, default=None
        The parameters to show, in this order; every searched parameter
        (sorted by name) when None.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, one axes per parameter (``fig.axes`` also holds the
        colour bar's).

    Raises
    ------
    ValueError
        For an unknown parameter name (the message lists the allowed ones),
        an unfitted search or a study without a COMPLETE trial.
    """
    view = resolve(study, where="plot_slice")
    names = check_param_names(view, params, "plot_slice")
    fig, axes = new_figure(len(names))
    complete = view.complete
    last = max(t.number for t in view.trials)
    scatter = None
    for ax, name in zip(axes, names):
        info = view.params[name]
        having = [t for t in complete if name in t.params]
        xs = [
            float(t.params[name]) if info.numeric else float(info.position(t.params[name]))
            for t in having
        ]
        scatter = ax.scatter(
            xs,
            [view.value_of(t) for t in having],
            c=[t.number for t in having],
            cmap=_CMAP,
            vmin=0,
            vmax=max(last, 1),
            s=22,
            edgecolors="0.2",
            linewidths=0.3,
            gid=f"slice-{name}",
        )
        set_param_axis(ax, info, "x")
        ax.set_xlabel(name)
        ax.grid(alpha=0.3)
        if not having:
            ax.text(0.5, 0.5, "no COMPLETE trial", ha="center", transform=ax.transAxes)
    axes[0].set_ylabel(_value_label(view))
    if scatter is not None:
        fig.colorbar(scatter, ax=axes, label="trial number", shrink=0.9)
    fig.suptitle(f"Slices of {view.name}")
    return fig


# -- parallel coordinates ----------------------------------------------------------
def _normalised(
    view: StudyView, name: str, trials: Sequence[Any]
) -> tuple[np.ndarray, list[tuple[float, str]]]:
    """One column of the parallel plot in [0, 1], and its (position, text) ticks."""
    info = view.params[name]
    raw = np.array(
        [info.coordinate(t.params[name]) if name in t.params else np.nan for t in trials],
        dtype=float,
    )
    if not info.numeric:
        n = len(info.choices)
        scale = float(n - 1) if n > 1 else 1.0
        offset = 0.0 if n > 1 else -0.5
        ticks = [
            ((i - offset) / scale, text) for i, text in enumerate(info.choice_labels(14))
        ]
        return (raw - offset) / scale, ticks
    return _numeric_column(raw, log=info.log)


def _numeric_column(
    raw: np.ndarray, *, log: bool
) -> tuple[np.ndarray, list[tuple[float, str]]]:
    finite = raw[np.isfinite(raw)]
    if finite.size == 0:
        return raw, []
    low, high = float(finite.min()), float(finite.max())
    if high == low:
        text = _fmt(10**low if log else low)
        return np.where(np.isfinite(raw), 0.5, np.nan), [(0.5, text)]
    scaled = (raw - low) / (high - low)
    ticks = []
    for fraction in (0.0, 0.5, 1.0):
        coordinate = low + fraction * (high - low)
        ticks.append((fraction, _fmt(10**coordinate if log else coordinate)))
    return scaled, ticks


def _fmt(number: float) -> str:
    return f"{number:.3g}"


def plot_parallel_coordinate(
    study: Any, params: Sequence[str] | None = None, *, ax: Axes | None = None
) -> Axes:
    """Plot every COMPLETE trial as a line across one vertical axis per parameter.

    The first axis is the value, then one per parameter; each is scaled to
    its own range (log-scaled parameters on a log scale, their axes named
    ``"<name> (log)"``, categorical ones at category positions) and
    labelled with a few of its values. Lines are
    coloured by value, the best on top; a trial without a parameter
    (conditional spaces) has a gap there. The lines are one
    :class:`~matplotlib.collections.LineCollection` (``gid="trials"``;
    drawing 10,000 separate lines would take seconds): its segments are the
    trials from the worst value to the best, and its ``urls`` name them
    (``"#trial-<number>"``).

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
        A fitted search (its ``study_`` is read), a live study, or a study
        read back with :func:`scout_sklearn.load_study`.
    params : list of str, default=None
        The parameters to show, in this order; every searched parameter
        (sorted by name) when None.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        For an unknown parameter name (the message lists the allowed ones),
        an unfitted search or a study without a COMPLETE trial.
    """
    view = resolve(study, where="plot_parallel_coordinate")
    names = check_param_names(view, params, "plot_parallel_coordinate")
    ax = new_axes(ax, figsize=(1.6 * (len(names) + 1) + 2.0, 4.4))
    plt = pyplot()
    trials = sorted(view.complete, key=view.value_of)  # the best drawn last, on top
    values = np.array([view.value_of(t) for t in trials], dtype=float)
    columns = [_numeric_column(values, log=False)]
    columns += [_normalised(view, name, trials) for name in names]
    table = np.column_stack([column for column, _ in columns])
    norm = plt.Normalize(float(values.min()), float(values.max()))
    cmap = plt.get_cmap(_CMAP)
    xs = np.arange(len(columns), dtype=float)
    _add_lines(
        ax,
        [np.column_stack([xs, row]) for row in table],
        [t.number for t in trials],
        gid="trials",
        colors=cmap(norm(values)),
        linewidths=1.1,
        alpha=0.85,
    )
    for x, (_, ticks) in zip(xs, columns):
        ax.axvline(x, color="0.25", linewidth=0.8, zorder=0)
        for y, text in ticks:
            ax.text(
                x + 0.04,
                y,
                text,
                fontsize=7,
                va="center",
                ha="left",
                color="0.15",
                zorder=5,
            )
    labels = [f"{n} (log)" if view.params[n].log else n for n in names]
    ax.set_xticks(xs, labels=["value", *labels], rotation=20, ha="right")
    ax.set_xlim(-0.2, len(columns) - 0.55)
    ax.set_ylim(-0.06, 1.06)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    ax.figure.colorbar(mappable, ax=ax, label=_value_label(view), shrink=0.9)
    ax.set_title(f"Parallel coordinates of {view.name} ({len(trials)} COMPLETE trials)")
    return ax


# -- contour ------------------------------------------------------------------------
def numeric_params(view: StudyView) -> list[str]:
    """Names of the numeric parameters (those :func:`plot_contour` accepts)."""
    return [name for name, info in view.params.items() if info.numeric]


def _check_contour_name(view: StudyView, name: str, role: str) -> ParamInfo:
    allowed = numeric_params(view)
    info = view.params.get(name)
    if info is None:
        raise ValueError(
            f"plot_contour: unknown parameter {role}={name!r}; study {view.name!r} "
            f"searched {list(view.params)}, of which numeric: {allowed}."
        )
    if not info.numeric:
        raise ValueError(
            f"plot_contour: {role}={name!r} is categorical, and a contour needs two "
            f"numeric parameters; the numeric ones are {allowed}. Use plot_slice for "
            f"{name!r}."
        )
    return info


def plot_contour(study: Any, x: str, y: str, *, ax: Axes | None = None) -> Axes:
    """Plot the value over two numeric parameters: an interpolated surface and the trials.

    The values of the COMPLETE trials that have both parameters are
    linearly interpolated (:func:`scipy.interpolate.griddata`, in log space
    for a log-scaled parameter) over their convex hull and shown as filled
    contours; the trials are scattered on top, the best one as a star.
    With fewer than three trials not on one line only the points are drawn.
    The surface mixes trials that differ in the other parameters (a
    categorical choice among them): the title names those parameters.
    Log-scaled axes are labelled at round values only.

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
        A fitted search (its ``study_`` is read), a live study, or a study
        read back with :func:`scout_sklearn.load_study`.
    x, y : str
        The two numeric parameters, on the horizontal and vertical axes.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        For an unknown or categorical parameter name (the message lists the
        numeric ones), ``x == y``, a pair no COMPLETE trial has, an unfitted
        search or a study without a COMPLETE trial.
    """
    view = resolve(study, where="plot_contour")
    x_info = _check_contour_name(view, x, "x")
    y_info = _check_contour_name(view, y, "y")
    if x == y:
        raise ValueError(f"plot_contour: x and y are both {x!r}; choose two parameters.")
    trials = [t for t in view.complete if x in t.params and y in t.params]
    if not trials:
        raise ValueError(
            f"plot_contour: no COMPLETE trial of study {view.name!r} has both {x!r} and "
            f"{y!r} (they belong to different sub-spaces)."
        )
    ax = new_axes(ax)
    plt = pyplot()
    u = np.array([x_info.coordinate(t.params[x]) for t in trials], dtype=float)
    v = np.array([y_info.coordinate(t.params[y]) for t in trials], dtype=float)
    z = np.array([view.value_of(t) for t in trials], dtype=float)
    norm = plt.Normalize(float(z.min()), float(z.max()) if np.ptp(z) > 0 else z.min() + 1)
    surface = _surface(u, v, z)
    if surface is not None:
        gu, gv, gz = surface
        ax.contourf(
            _back(gu, x_info), _back(gv, y_info), gz, levels=14, cmap=_CMAP, norm=norm
        )
        # The filled contours pin the limits to the data (sticky edges): the
        # usual margins keep the markers of the extreme trials, the best
        # one's star often among them, inside the axes instead of cut in two.
        ax.use_sticky_edges = False
    ax.scatter(
        _back(u, x_info),
        _back(v, y_info),
        c=z,
        cmap=_CMAP,
        norm=norm,
        s=26,
        edgecolors="white",
        linewidths=0.8,
        zorder=3,
        gid="trials",
    )
    best = int(np.argmax(z))
    ax.scatter(
        [_back(u[best : best + 1], x_info)[0]],
        [_back(v[best : best + 1], y_info)[0]],
        marker="*",
        s=180,
        color="tab:red",
        edgecolors="black",
        zorder=4,
        label=f"best: trial {trials[best].number}",
        gid="best",
    )
    set_param_axis(ax, x_info, "x")
    set_param_axis(ax, y_info, "y")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(loc="best", fontsize=8)
    ax.figure.colorbar(
        plt.cm.ScalarMappable(norm=norm, cmap=_CMAP), ax=ax, label=_value_label(view)
    )
    title = f"Contour of {view.name} ({len(trials)} COMPLETE trials)"
    others = _varying_elsewhere(view, trials, (x, y))
    if surface is not None and others:
        title += f"\ninterpolated between trials that also differ in {', '.join(others)}"
    ax.set_title(title, fontsize=10 if "\n" in title else None)
    return ax


def _varying_elsewhere(
    view: StudyView, trials: Sequence[Any], shown: Sequence[str]
) -> list[str]:
    """The parameters off the axes whose values differ between ``trials``.

    The surface mixes them: two trials side by side on the plot may differ in
    a categorical choice (an SVC kernel) the contour does not show.
    """
    varying = []
    for name, info in view.params.items():
        if name in shown:
            continue
        values = {repr(t.params.get(name)) for t in trials}
        if len(values) > 1:
            varying.append(name if info.numeric else f"{name} (categorical)")
    return sorted(varying, key=lambda n: (not n.endswith("(categorical)"), n))


def _back(coordinates: np.ndarray, info: ParamInfo) -> np.ndarray:
    return np.power(10.0, coordinates) if info.log else coordinates


def _surface(
    u: np.ndarray, v: np.ndarray, z: np.ndarray, size: int = 80
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The values linearly interpolated on a grid over the points, or None if impossible."""
    from scipy.interpolate import griddata
    from scipy.spatial import QhullError

    points = np.column_stack([u, v])
    if len(np.unique(points, axis=0)) < 3 or np.ptp(u) == 0 or np.ptp(v) == 0:
        return None
    if np.ptp(z) == 0:  # a flat surface has no contour to draw
        return None
    gu, gv = np.meshgrid(
        np.linspace(u.min(), u.max(), size), np.linspace(v.min(), v.max(), size)
    )
    # Scale both axes to [0, 1] so that the triangulation is not skewed by units.
    scaled = np.column_stack([(u - u.min()) / np.ptp(u), (v - v.min()) / np.ptp(v)])
    targets = ((gu - u.min()) / np.ptp(u), (gv - v.min()) / np.ptp(v))
    try:
        gz = griddata(scaled, z, targets, method="linear")
    except (QhullError, ValueError):  # every point on one line
        return None
    if not np.isfinite(gz).any():
        return None
    return gu, gv, np.ma.masked_invalid(gz)


# -- rungs ---------------------------------------------------------------------------
def plot_intermediate_values(study: Any, *, ax: Axes | None = None) -> Axes:
    """Plot each trial's mean test score at every rung of a pruned search.

    One line per trial, through the rungs it finished: COMPLETE trials
    (which reached the full budget) as blue solid lines, PRUNED ones as grey
    dashed lines ending in a cross at the last rung they finished. The x
    axis is the rung's resource (training rows, estimator parameter value or
    folds) when the ladder is known, else the rung number. Each kind's lines
    are one :class:`~matplotlib.collections.LineCollection`
    (``gid="complete"`` and ``gid="pruned"``, their ``urls`` naming the
    trials as ``"#trial-<number>"``), so that a study of 10,000 trials draws
    in a fraction of a second.

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
        A fitted search (its ``study_`` is read), a live study, or a study
        read back with :func:`scout_sklearn.load_study`, of a pruned search.
    ax : matplotlib.axes.Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        For a study that was not pruned (it has no rungs), an unfitted
        search or a study without a COMPLETE trial.
    """
    view = resolve(study, where="plot_intermediate_values")
    if not has_rungs(view):
        raise ValueError(
            f"plot_intermediate_values: study {view.name!r} has no rungs: it was not "
            "searched with a pruner (ScoutSearchCV(pruner='asha', ...)), so every "
            "trial has one value, which plot_optimization_history shows."
        )
    ax = new_axes(ax)
    pyplot()
    from matplotlib.ticker import MaxNLocator

    n_splits = n_splits_of(view)
    lines: dict[TrialState, tuple[list[np.ndarray], list[int]]] = {
        TrialState.COMPLETE: ([], []),
        TrialState.PRUNED: ([], []),
    }
    for trial in view.trials:
        if trial.state not in lines:
            continue
        rungs = intermediate_values(
            trial, view.metric, resource=view.resource, n_splits=n_splits
        )
        if rungs:
            xs = [view.x_of_rung(r) for r in rungs]
            lines[trial.state][0].append(np.column_stack([xs, list(rungs.values())]))
            lines[trial.state][1].append(trial.number)
    styles = {
        TrialState.PRUNED: ("pruned", "--", _PRUNED_COLOR, 0.9, ".", 2),
        TrialState.COMPLETE: ("complete", "-", "tab:blue", 1.6, "o", 3),
    }
    for state, (gid, linestyle, color, width, marker, zorder) in styles.items():
        segments, numbers = lines[state]
        if not segments:
            continue
        _add_lines(
            ax,
            segments,
            numbers,
            gid=gid,
            colors=color,
            linewidths=width,
            linestyles=linestyle,
            zorder=zorder,
        )
        points = np.concatenate(segments)
        ax.plot(
            points[:, 0],
            points[:, 1],
            linestyle="none",
            marker=marker,
            markersize=4,
            color=color,
            zorder=zorder,
        )
        if state is TrialState.PRUNED:  # a cross where each pruned trial stopped
            ends = np.array([segment[-1] for segment in segments])
            ax.plot(
                ends[:, 0],
                ends[:, 1],
                linestyle="none",
                marker="x",
                color="0.35",
                markersize=6,
                zorder=zorder,
            )
    ax.plot([], [], linestyle="-", color="tab:blue", marker="o", label="COMPLETE")
    ax.plot([], [], linestyle="--", color=_PRUNED_COLOR, marker="x", label="PRUNED")
    if view.ladder is not None:
        ladder = [r for r in view.ladder if r > 0]
        if len(ladder) == len(view.ladder) and ladder[-1] / ladder[0] >= 8:
            ax.set_xscale("log")
        ax.set_xticks(view.ladder, labels=[_fmt(r) for r in view.ladder])
        ax.minorticks_off()
        ax.set_xlabel(f"resource ({view.resource or 'n_samples'}) per rung")
    else:
        ax.set_xlabel("rung")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("mean test score at the rung")
    ax.set_title(f"Intermediate values of {view.name}")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return ax


def _add_lines(
    ax: Axes,
    segments: Sequence[np.ndarray],
    numbers: Sequence[int],
    *,
    gid: str,
    **style: Any,
) -> None:
    """Draw one line per trial as a single collection, each named by its ``url``."""
    from matplotlib.collections import LineCollection

    collection = LineCollection(list(segments), **style)
    collection.set_gid(gid)
    collection.set_urls([f"#trial-{number}" for number in numbers])
    ax.add_collection(collection)
    ax.autoscale_view()


def has_rungs(view: StudyView) -> bool:
    """Whether the study was pruned: a known ladder, or a fold above rung 0."""
    if view.ladder is not None and len(view.ladder) > 1:
        return True
    return any(f.rung > 0 for t in view.trials for f in t.fold_results)
