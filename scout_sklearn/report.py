"""A study as one self-contained HTML page: summary, plots and the trials table.

:func:`write_report` writes a single file that needs nothing else: the plots
are inline PNG images (``data:`` URIs), the style sheet is in the page, and
there is no script, no font and no other resource to fetch, so it can be
mailed, archived or opened offline. Every text taken from the study (its
name, parameter names and values, which may come from a shared database)
is HTML-escaped.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import math
import numbers
import os
import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import scout_sklearn
from scout_sklearn._pareto import stored_constraints
from scout_sklearn._table import (
    describe_metric,
    resource_parameter,
    table_columns,
    trial_rows,
)
from scout_sklearn.plotting import (
    param_importances,
    plot_contour,
    plot_intermediate_values,
    plot_optimization_history,
    plot_parallel_coordinate,
    plot_slice,
)
from scout_sklearn.plotting._data import StudyView, resolve, state_counts
from scout_sklearn.plotting._importance import draw_importances
from scout_sklearn.plotting._mpl import INSTALL_HINT, pyplot
from scout_sklearn.plotting._pareto_front import ParetoView, draw_pareto_front, pareto_view
from scout_sklearn.plotting._plots import has_rungs, numeric_params

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

__all__ = ["write_report"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1d232a;
  line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #d8dde3;
  padding-bottom: 0.2rem; }
.subtitle { color: #5b6672; margin-top: 0; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1.2rem; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
figure { margin: 1.2rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e7eb; }
figcaption { color: #5b6672; font-size: 0.9rem; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.82rem; white-space: nowrap; }
th, td { border: 1px solid #d8dde3; padding: 0.2rem 0.45rem; text-align: right; }
th { background: #f1f4f7; position: sticky; top: 0; }
td.text { text-align: left; }
tr.best td, tr.refit td { background: #fff3c4; font-weight: 600; }
tr.state-PRUNED td { color: #6b7580; }
tr.state-FAILED td { color: #a3261b; }
.note { color: #5b6672; font-size: 0.9rem; }
"""


def write_report(
    study: Any,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    interactive: bool = False,
) -> pathlib.Path:
    """Write a study as one self-contained HTML page.

    The page has the title, a summary (study name, trials per state, the
    best value, trial and params), the plots of :mod:`scout_sklearn.plotting`
    that apply to the study as inline PNG images (the intermediate values
    only for a pruned search, the contour only with two numeric parameters,
    over the two most important ones) and the table of every trial
    (``scout_sklearn._table.trial_rows``), the best trial's row highlighted.
    A study of several objectives gets a section of its Pareto front after
    the summary: :func:`~scout_sklearn.plotting.plot_pareto_front` as an
    image and a table of the front's trials (``pareto_front_``'s rows, in
    its order: number, each objective's mean, params), the refitted trial
    highlighted when a fitted search is given (a stored study does not keep
    refit's choice).
    It loads nothing from anywhere and runs no script. A study without a
    COMPLETE trial gets a summary and a table but no plot; so does any study
    when matplotlib is not installed, and the page then says which extra
    adds the plots (``pip install "scout-sklearn[plot]"``).

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
        A fitted search (its ``study_`` is read), a live study, or a study
        read back with :func:`scout_sklearn.load_study`.
    path : str or path-like
        The HTML file to write (overwritten if it exists); its folder must
        exist.
    title : str, default=None
        The page's title; ``"Study <name>"`` when None.
    interactive : bool, default=False
        Draw the live dashboard's views instead of the PNG images: the same
        script and data as ``scout-sklearn dashboard`` (hover, zoom, slices
        and contour chosen on the page), written into the file with
        Plotly.js, so that it still opens offline. The page then runs
        scripts and weighs about 5 MB more. Needs the ``plotly`` package
        (``pip install "scout-sklearn[dashboard]"``).

    Returns
    -------
    path : pathlib.Path
        The file written.

    Raises
    ------
    ValueError
        For a ScoutSearchCV that is not fitted.
    """
    if not isinstance(interactive, bool):
        raise TypeError(
            f"write_report's interactive must be True or False, got {interactive!r}."
        )
    view = resolve(study, where="write_report", require_complete=False)
    plots = _interactive(study, view) if interactive else _plots(view)
    pareto = pareto_view(study)
    heading = title if title is not None else f"Study {view.name}"
    best = max(view.complete, key=lambda t: (view.value_of(t), -t.number), default=None)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="scout-sklearn {_e(scout_sklearn.__version__)}">',
        f"<title>{_e(heading)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(heading)}</h1>",
        f'<p class="subtitle">scout-sklearn report, written {_e(_now())}</p>',
        "</header>",
        "<main>",
        _summary(view, best),
        "" if pareto is None else _front(pareto, figure=not interactive),
        plots,
        _table(view, None if best is None else best.number),
        "</main>",
        "</body>",
        "</html>",
    ]
    target = pathlib.Path(path)
    target.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return target


# -- pieces ----------------------------------------------------------------------------
def _interactive(study: Any, view: StudyView) -> str:
    """The dashboard's study views, with their data written into the page."""
    from scout_sklearn._study import Study
    from scout_sklearn.dashboard._embed import interactive_views, study_state
    from scout_sklearn.storage._base import StudyRecord

    source = getattr(study, "study_", study)
    space = source.space.to_json() if isinstance(source, Study) else source.space
    fingerprint = dict(getattr(source, "fingerprint", None) or {})
    if view.ladder is not None and "pruning" not in fingerprint:  # a search in memory
        fingerprint["pruning"] = {"resource": view.resource, "ladder": list(view.ladder)}
    if view.scoring is not None:
        fingerprint.setdefault("scoring", view.scoring)
    objectives = getattr(study, "objectives", None)
    if isinstance(objectives, Mapping) and "objective" not in fingerprint:
        # A search in memory: its objectives, as a stored study keeps them.
        fingerprint["objective"] = dict(objectives)
        constraints = getattr(study, "constraints", None)
        if isinstance(constraints, Mapping):
            fingerprint["constraints"] = stored_constraints(constraints)
    record = StudyRecord(
        name=view.name,
        seed=int(getattr(source, "seed", 0) or 0),
        space=space,
        created_at=float(getattr(source, "created_at", 0.0) or 0.0),
        fingerprint=fingerprint,
    )
    return interactive_views(study_state(record, view.trials))


def _e(value: object) -> str:
    """Any value as escaped HTML text."""
    return html.escape(str(value), quote=True)


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _summary(view: StudyView, best: Any) -> str:
    counts = state_counts(view.trials)
    per_state = ", ".join(f"{n} {name}" for name, n in counts.items())
    items = [
        ("Study", f"<code>{_e(view.name)}</code>"),
        ("Trials", f"{len(view.trials)} ({_e(per_state)})"),
    ]
    if view.metric is not None:
        name, _, note = describe_metric(view.metric_name).partition(" ")
        items.append(("Value", f"mean test <code>{_e(name)}</code> {_e(note)}"))
    if best is None:
        items.append(("Best value", "none: no trial is COMPLETE with a finite value"))
    else:
        items.append(
            (
                "Best value",
                f'<span id="best-value">{_e(_format(best.value))}</span> '
                f'(trial <span id="best-number">{best.number}</span>)',
            )
        )
        shown = dict(best.params)
        grown = resource_parameter(view.resource, view.ladder)
        if grown is not None:  # evaluated there, as best_params_ shows it
            shown.setdefault(*grown)
        params = "".join(
            f"<li><code>{_e(name)}</code> = <code>{_e(_param(value))}</code></li>"
            for name, value in sorted(shown.items())
        )
        items.append(("Best params", f'<ul id="best-params">{params}</ul>'))
    if view.ladder is not None:
        rungs = ", ".join(_format(r) for r in view.ladder)
        items.append(
            (
                "Pruning",
                f"rungs of <code>{_e(view.resource or 'n_samples')}</code>: {_e(rungs)}",
            )
        )
    body = "".join(f"<dt>{name}</dt><dd>{text}</dd>" for name, text in items)
    return (
        f'<section id="summary"><h2>Summary</h2><dl class="summary">{body}</dl></section>'
    )


def _plots(view: StudyView) -> str:
    if not view.complete:
        return (
            '<section id="plots"><h2>Plots</h2><p class="note">No plot: the study has no '
            "COMPLETE trial.</p></section>"
        )
    try:
        pyplot()
    except ImportError:  # `pip install .` without the plot extra
        return (
            '<section id="plots"><h2>Plots</h2><p class="note" id="no-plots">No plots: '
            f"matplotlib is not installed; {_e(INSTALL_HINT)} adds them.</p></section>"
        )
    shown: list[tuple[str, str, Callable[[], Figure | SubFigure]]] = [
        (
            "history",
            "Each trial's value by trial number, and the best so far.",
            lambda: plot_optimization_history(view).figure,
        )
    ]
    skipped: list[str] = []
    importances: dict[str, float] = {}
    try:
        importances = param_importances(view)
    except ValueError as error:  # no parameter varies: nothing to rank
        skipped.append(f"parameter importances ({error})")
    else:
        # Drawn from the importances just computed (the forest is fitted once),
        # which also choose the contour's two parameters below.
        shown.append(
            (
                "importances",
                "How much of the value's variation each parameter explains "
                "(random forest importances).",
                lambda: draw_importances(view, importances).figure,
            )
        )
    shown.append(
        (
            "slice",
            "The value against each parameter, coloured by trial number.",
            lambda: plot_slice(view),
        )
    )
    shown.append(
        (
            "parallel",
            "Every COMPLETE trial across its parameters, coloured by value.",
            lambda: plot_parallel_coordinate(view).figure,
        )
    )
    numeric = numeric_params(view)
    ranked = sorted(numeric, key=lambda n: (-importances.get(n, 0.0), n))
    # The most important pair that some COMPLETE trial has both of: in a
    # conditional space, two parameters may belong to different sub-spaces.
    pairs = [
        (x, y)
        for i, x in enumerate(ranked)
        for y in ranked[i + 1 :]
        if any(x in t.params and y in t.params for t in view.complete)
    ]
    if pairs:
        x, y = pairs[0]
        shown.append(
            (
                "contour",
                f"The value over {x} and {y}, interpolated between the trials.",
                lambda: plot_contour(view, x, y).figure,
            )
        )
    elif len(numeric) >= 2:
        skipped.append(
            "contour (no COMPLETE trial has two of the numeric parameters "
            f"{numeric}: they belong to different sub-spaces)"
        )
    else:
        skipped.append(
            f"contour (it needs two numeric parameters; the study has {len(numeric)})"
        )
    if has_rungs(view):
        shown.append(
            (
                "intermediate",
                "Each trial's mean test score at every rung it finished; PRUNED "
                "trials dashed grey.",
                lambda: plot_intermediate_values(view).figure,
            )
        )
    figures = [_figure(key, caption, draw) for key, caption, draw in shown]
    if skipped:
        figures.append(
            '<p class="note" id="skipped-plots">Not shown: '
            + "; ".join(_e(reason) for reason in skipped)
            + ".</p>"
        )
    return f'<section id="plots"><h2>Plots</h2>{"".join(figures)}</section>'


def _figure(key: str, caption: str, draw: Callable[[], Figure | SubFigure]) -> str:
    """A drawn figure as an inline PNG image with its caption."""
    plt = pyplot()
    figure = _root(draw())
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=96)
    finally:
        plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure id="plot-{key}"><img src="data:image/png;base64,{data}" '
        f'alt="{_e(caption)}"><figcaption>{_e(caption)}</figcaption></figure>'
    )


def _front(pareto: ParetoView, *, figure: bool) -> str:
    """A study of several objectives: its Pareto front, drawn and as a table.

    The rows are ``pareto_front_``'s, in its order; the refitted trial is
    highlighted when the report was given the fitted search (a stored study
    does not keep refit's choice). ``figure``: draw the front as a PNG
    image (the interactive report draws it among its own views instead).
    """
    objectives = pareto.objectives
    within = " within the constraints" if objectives.thresholds else ""
    complete = int(np.isfinite(pareto.values).all(axis=1).sum())
    front = [int(i) for i in pareto.front]
    if not front:
        return (
            '<section id="pareto-front"><h2>Pareto front</h2><p class="note">No '
            "trial is on the front: no trial is COMPLETE with a finite value of every "
            f"objective{_e(within)}.</p></section>"
        )
    named = dict(zip(objectives.columns, objectives.names))  # "score": scoring's name
    bounds = "".join(
        f" <code>{_e(named.get(column, column))}</code> {_e(op)} {_e(_format(threshold))};"
        for column, op, threshold in objectives.thresholds
    )
    note = (
        f"The front holds {len(front)} of the {complete} COMPLETE trials: those "
        "that no other trial dominates (as good on every objective, better on one)"
        + (f" (constraints:{bounds[:-1]})" if bounds else "")
        + f". Each objective is its mean over the folds; the rows are ordered by "
        f"<code>{_e(objectives.names[0])}</code>, ascending."
        + (" The refitted trial is highlighted." if pareto.best is not None else "")
    )
    parts = [f'<section id="pareto-front"><h2>Pareto front</h2><p class="note">{note}</p>']
    if figure:
        try:
            pyplot()
        except ImportError:
            pass  # the plots section says what adds them
        else:
            caption = (
                "Every COMPLETE trial's mean objectives (grey) and the Pareto front "
                "(red)"
                + (", the refitted trial as a star." if pareto.best is not None else ".")
            )
            parts.append(
                _figure("pareto-front", caption, lambda: draw_pareto_front(pareto).figure)
            )
    params = sorted({name for i in front for name in pareto.rows[i].params})
    head = ["number"]
    head += [f"{n} ({d})" for n, d in zip(objectives.names, objectives.directions)]
    head += [f"params_{name}" for name in params]
    body = []
    for i in front:
        trial = pareto.rows[i]
        cells = _cell("number", trial.number)
        cells += "".join(_cell("", float(v)) for v in pareto.values[i])
        cells += "".join(_cell("", trial.params.get(name)) for name in params)
        marked = ' class="refit" id="front-refit"' if i == pareto.best else ""
        body.append(f"<tr{marked}>{cells}</tr>")
    header = "".join(f'<th scope="col">{_e(c)}</th>' for c in head)
    parts.append(
        '<div class="table-wrap"><table id="front-table"><thead><tr>'
        f"{header}</tr></thead><tbody>{''.join(body)}</tbody></table></div></section>"
    )
    return "".join(parts)


def _root(figure: Figure | SubFigure) -> Figure:
    """The figure that saves: a sub-figure's own figure."""
    from matplotlib.figure import Figure

    while not isinstance(figure, Figure):
        figure = figure.figure
    return figure


_TIMES = ("started_at", "finished_at")


def _table(view: StudyView, best_number: int | None) -> str:
    rows = trial_rows(view.trials, ladder=view.ladder, resource=view.resource)
    columns = table_columns(rows)
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in columns)
    body = []
    for row in rows:
        classes = [f"state-{_e(row.get('state'))}"]
        attributes = ""
        if best_number is not None and row.get("number") == best_number:
            classes.append("best")
            attributes = ' id="best-trial"'
        cells = "".join(_cell(column, row.get(column)) for column in columns)
        body.append(f'<tr class="{" ".join(classes)}"{attributes}>{cells}</tr>')
    return (
        f'<section id="trials"><h2>Trials</h2><p class="note">{len(rows)} trials; the '
        "best one is highlighted. Scores are the means over the folds of each trial's "
        'last rung.</p><div class="table-wrap"><table><thead><tr>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div></section>"
    )


def _cell(column: str, value: object) -> str:
    if column in _TIMES and isinstance(value, (int, float)) and math.isfinite(value):
        moment = datetime.datetime.fromtimestamp(float(value), datetime.timezone.utc)
        return f"<td>{_e(moment.strftime('%Y-%m-%d %H:%M:%S'))}</td>"
    text = _format(value)
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    return f"<td>{_e(text)}</td>" if is_number else f'<td class="text">{_e(text)}</td>'


def _param(value: object) -> str:
    """A best param's text: a param set to None reads ``None``, not nothing."""
    return "None" if value is None else _format(value)


def _format(value: object) -> str:
    """A cell's text: numbers to 6 significant digits, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.6g}"
    if isinstance(value, Mapping | Sequence) and not isinstance(value, str):
        return repr(value)
    return str(value)
