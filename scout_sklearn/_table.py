"""The trials table: one flat row per trial, for people, spreadsheets and pandas.

Nothing here imports scikit-learn: the rows are computed from the trials'
fold results alone, so a study read back from a database gives the same
table as the search that wrote it.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scout_sklearn._trial import FoldResult, Trial

__all__ = [
    "describe_metric",
    "metric_name",
    "resource_parameter",
    "table_columns",
    "trial_duration",
    "trial_rows",
    "trials_dataframe",
    "value_metric",
]

_PANDAS_HINT = 'pip install "scout-sklearn[pandas]"'


def trial_rows(
    trials: Iterable[Trial],
    *,
    ladder: Sequence[float] | None = None,
    resource: str | None = None,
) -> list[dict[str, object]]:
    """One flat dict per trial: its params, mean scores, times and budget.

    Parameters
    ----------
    trials : iterable of Trial
        The trials of a study (``Study.trials`` or ``StoredStudy.trials``),
        in any order.
    ladder : sequence of float, default=None
        The resource of each rung of a pruned search (the ``"ladder"`` of
        the study fingerprint's ``"pruning"`` entry); gives the ``resource``
        column. None for a search without pruning.
    resource : str, default=None
        What the ladder counts (the ``"resource"`` of the same entry). Only
        ``"folds"`` changes the rows: there each rung adds folds to those of
        the rungs below, so the scores cover every fold the trial ran. For
        any other resource (and None) each rung refits every fold, and the
        scores cover the folds of the trial's highest rung only.

    Returns
    -------
    rows : list of dict
        One dict per trial, in trial-number order, every dict with the same
        keys in the same order:

        - ``number`` (int), ``state`` (``"RUNNING"``, ``"COMPLETE"``,
          ``"PRUNED"`` or ``"FAILED"``), ``value`` (float or None);
        - ``params_<name>`` for each parameter of any trial, names sorted;
          None for a trial that lacks the parameter (a conditional space);
        - for each metric, in the order it first appears in the fold
          results (the scoring order), ``mean_test_<metric>`` and
          ``std_test_<metric>``; then, when any fold has train scores,
          ``mean_train_<metric>`` and ``std_train_<metric>``. The metric is
          ``score`` for a single metric. Means and population standard
          deviations (as scikit-learn's ``cv_results_``) are over the
          folds of the trial's highest rung that did not fail; None when
          there is no such fold;
        - ``mean_fit_time`` and ``mean_score_time`` (seconds, over every
          finished fold of that rung, failed ones included, as in
          ``cv_results_``; None without folds);
        - ``n_folds``: the number of finished folds at that rung, failed
          ones included;
        - ``rung``: the highest rung the trial ran a fold at (0 without
          pruning or before any fold finished);
        - ``resource``: ``ladder[rung]``, or None without a ladder;
        - ``started_at``, ``finished_at`` (seconds since the epoch, or
          None) and ``duration`` (:func:`trial_duration`: the seconds its
          folds spent fitting and scoring, summed; None until the trial is
          finished).

        Numbers are Python ints and floats; params are as the trials hold
        them.

    Examples
    --------
    >>> from scout_sklearn import FoldResult, Trial, TrialState
    >>> folds = tuple(
    ...     FoldResult(k, {"score": s}, None, 0.5, 0.1, 50)
    ...     for k, s in enumerate([0.8, 0.9, 1.0])
    ... )
    >>> trial = Trial(0, {"C": 1.0}, TrialState.COMPLETE, folds, value=0.9)
    >>> row = trial_rows([trial])[0]
    >>> row["params_C"], round(row["mean_test_score"], 6), row["n_folds"]
    (1.0, 0.9, 3)
    """
    ordered = sorted(trials, key=lambda t: t.number)
    cumulative = resource == "folds"
    shown = [_shown_folds(t, cumulative=cumulative) for t in ordered]
    param_names = sorted({name for t in ordered for name in t.params})
    test_metrics = _metrics(folds for _, folds in shown)
    train_metrics = _metrics(
        ((f for f in folds if f.train_scores is not None) for _, folds in shown),
        train=True,
    )
    rows: list[dict[str, object]] = []
    for trial, (rung, folds) in zip(ordered, shown):
        row: dict[str, object] = {
            "number": int(trial.number),
            "state": trial.state.name,
            "value": _number(trial.value),
        }
        for name in param_names:
            row[f"params_{name}"] = _plain(trial.params.get(name))
        scored = [f for f in folds if not f.is_failed]
        for metric in test_metrics:
            values = [f.test_scores[metric] for f in scored if metric in f.test_scores]
            row[f"mean_test_{metric}"], row[f"std_test_{metric}"] = _mean_std(values)
        for metric in train_metrics:
            values = [
                f.train_scores[metric]
                for f in scored
                if f.train_scores is not None and metric in f.train_scores
            ]
            row[f"mean_train_{metric}"], row[f"std_train_{metric}"] = _mean_std(values)
        row["mean_fit_time"] = _mean_std([f.fit_time for f in folds])[0]
        row["mean_score_time"] = _mean_std([f.score_time for f in folds])[0]
        row["n_folds"] = len(folds)
        row["rung"] = rung
        row["resource"] = _rung_resource(ladder, rung)
        started = _number(trial.started_at)
        finished = _number(trial.finished_at)
        row["started_at"] = started
        row["finished_at"] = finished
        row["duration"] = trial_duration(trial) if trial.is_finished else None
        rows.append(row)
    return rows


def trials_dataframe(
    trials: Iterable[Trial],
    *,
    ladder: Sequence[float] | None = None,
    resource: str | None = None,
) -> Any:
    """The trials as a pandas DataFrame: the rows of :func:`trial_rows`.

    Parameters
    ----------
    trials : iterable of Trial
        The trials of a study.
    ladder : sequence of float, default=None
        The resource of each rung of a pruned search; see :func:`trial_rows`.
    resource : str, default=None
        What the ladder counts; see :func:`trial_rows`.

    Returns
    -------
    df : pandas.DataFrame
        One row per trial in trial-number order, with a default integer
        index and the columns of :func:`trial_rows` (``number`` is a
        column). ``started_at`` and ``finished_at`` are timezone-aware
        timestamps in UTC (a ``datetime64`` dtype with ``tz="UTC"``, to the
        microsecond, NaT when unknown: the instants :func:`utc_datetime`
        gives, which ``scout-sklearn export`` writes in ISO 8601);
        ``duration`` stays in seconds. Missing numbers are NaN.

    Raises
    ------
    ImportError
        When pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError as err:
        raise ImportError(
            f"trials_dataframe needs pandas, which is not installed: {_PANDAS_HINT}."
        ) from err
    rows = trial_rows(trials, ladder=ladder, resource=resource)
    frame = pd.DataFrame(rows, columns=table_columns(rows))
    for column in TIME_COLUMNS:
        moments = [utc_datetime(row[column]) for row in rows]  # type: ignore[arg-type]
        frame[column] = pd.to_datetime(
            pd.Series(moments, index=frame.index, dtype=object), utc=True
        )
    return frame


#: The columns of :func:`trial_rows` that are instants (seconds since the epoch).
TIME_COLUMNS = ("started_at", "finished_at")


def utc_datetime(seconds: float | None) -> datetime.datetime | None:
    """An instant of the trials table as a timezone-aware UTC datetime (or None).

    Rounded to the microsecond, as a Python datetime holds it. The trials
    DataFrame and ``scout-sklearn export`` (in ISO 8601) show these values.

    Examples
    --------
    >>> utc_datetime(0.25).isoformat()
    '1970-01-01T00:00:00.250000+00:00'
    """
    if seconds is None or not math.isfinite(seconds):
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def trial_duration(trial: Trial) -> float | None:
    """How long a trial ran: the seconds its folds spent fitting and scoring, summed.

    The sum of ``fit_time + score_time`` over every fold result of the
    trial (every rung of a pruned search; failed folds included), whichever
    process ran them. It is the work the trial cost, and it stays true for
    a trial interrupted and resumed by another fit: the wall-clock span
    ``finished_at - started_at`` would count the time no process ran it
    (and, with ``n_jobs > 1``, shows folds run side by side only once,
    while this sums them). The CLI, the export, the report,
    ``trials_dataframe()`` and the ``verbose=2`` lines show this figure.

    Parameters
    ----------
    trial : Trial

    Returns
    -------
    seconds : float or None
        None for a trial without any fold result.
    """
    if not trial.fold_results:
        return None
    return math.fsum(f.fit_time + f.score_time for f in trial.fold_results)


def describe_metric(name: str | None) -> str:
    """A metric's name as the user should read it, with its sign when negated.

    scikit-learn negates the error metrics so that higher is always better
    (``neg_root_mean_squared_error``); a value of -1.31 is then an error of
    1.31. None or ``"score"`` is a single metric of unknown name: the
    estimator's own ``score`` method or a ``scoring`` callable.

    Examples
    --------
    >>> describe_metric("neg_root_mean_squared_error")
    'neg_root_mean_squared_error (negated: higher is better)'
    >>> describe_metric("accuracy")
    'accuracy (higher is better)'
    """
    shown = "score" if name is None else name
    if shown.startswith("neg_"):
        return f"{shown} (negated: higher is better)"
    if shown == "score":
        return (
            "score (the estimator's score method or a scoring callable; higher is better)"
        )
    return f"{shown} (higher is better)"


def metric_name(metric: str | None, scoring: object) -> str:
    """The name a user knows a trial value's metric by.

    Parameters
    ----------
    metric : str or None
        The metric as the fold results name it (:func:`value_metric`);
        ``"score"`` for a single metric.
    scoring : object
        The search's ``scoring`` as the study's fingerprint keeps it: the
        scorer's name for a single named metric, None for the estimator's
        score method, a hash for anything else.

    Returns
    -------
    name : str
        ``metric``, or for a single metric the scorer's name when known,
        else ``"score"``.

    Examples
    --------
    >>> metric_name("score", "neg_log_loss"), metric_name("f1", None)
    ('neg_log_loss', 'f1')
    >>> metric_name("score", "92d5a8ba51c3f1e0a5e2f3c9d1b7a6e4f8c2d0b1")
    'score'

    """
    if metric in (None, "score"):
        # A callable scoring is kept as its hash, which names nothing.
        return scoring if isinstance(scoring, str) and _is_scorer_name(scoring) else "score"
    return metric


def _is_scorer_name(text: str) -> bool:
    """Whether ``text`` is a scorer's name, not the hash kept for a callable.

    The hash is 40 hexadecimal digits (SHA-1); no scikit-learn scorer is
    named so (this layer does not import scikit-learn to list them).
    """
    return not (len(text) == 40 and all(c in "0123456789abcdef" for c in text))


def value_metric(trial: Trial, *, resource: str | None = None) -> str | None:
    """The metric whose mean test score is a COMPLETE trial's value.

    A search's value is the mean test score of one metric (the refit
    metric of a multi-metric search); a stored study keeps the value and
    every metric's fold scores, not which one it was: this finds the first
    metric, in scoring order, whose mean over the folds of the trial's row
    (see :func:`trial_rows`) is the value.

    Parameters
    ----------
    trial : Trial
    resource : str, default=None
        What the rungs of a pruned search count, as in :func:`trial_rows`.

    Returns
    -------
    metric : str or None
        The metric as the fold results name it (``"score"`` for a single
        metric); None for a trial without a value, or when no mean matches.
    """
    if not trial.has_value or trial.value is None:
        return None
    _, folds = _shown_folds(trial, cumulative=resource == "folds")
    scored = [f for f in folds if not f.is_failed]
    for metric in _metrics([scored]):
        mean, _ = _mean_std(
            [f.test_scores[metric] for f in scored if metric in f.test_scores]
        )
        if mean is not None and math.isclose(
            mean, trial.value, rel_tol=1e-9, abs_tol=1e-12
        ):
            return metric
    return None


def resource_parameter(
    resource: str | None, ladder: Sequence[float] | None
) -> tuple[str, object] | None:
    """The estimator parameter a pruned search grew, at its last rung's value.

    A COMPLETE trial of a search pruned over an estimator parameter
    (``resource="max_iter"``) was evaluated, and is refitted, at the last
    rung: ``best_params_`` lists it with that value, as
    HalvingRandomSearchCV does. None for the other resources (training
    rows, CV folds) and for a search without pruning.

    Examples
    --------
    >>> resource_parameter("max_iter", [5, 15, 45])
    ('max_iter', 45)
    >>> resource_parameter("n_samples", [30, 90]) is None
    True
    """
    if resource is None or resource in ("n_samples", "folds") or not ladder:
        return None
    return resource, _plain(ladder[-1])


def table_columns(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """The column names of rows made by :func:`trial_rows`.

    Parameters
    ----------
    rows : sequence of dict
        What :func:`trial_rows` returned.

    Returns
    -------
    columns : list of str
        The keys of the rows, in order; without rows, the columns every
        table has (no params, no metrics).
    """
    if rows:
        return list(rows[0])
    return [
        "number",
        "state",
        "value",
        "mean_fit_time",
        "mean_score_time",
        "n_folds",
        "rung",
        "resource",
        "started_at",
        "finished_at",
        "duration",
    ]


# -- helpers ----------------------------------------------------------------------
def _shown_folds(trial: Trial, *, cumulative: bool) -> tuple[int, list[FoldResult]]:
    """The highest rung of ``trial`` and the folds its row describes."""
    folds = trial.fold_results
    rung = max((int(f.rung) for f in folds), default=0)
    if cumulative:
        return rung, list(folds)
    return rung, [f for f in folds if f.rung == rung]


def _metrics(groups: Iterable[Iterable[FoldResult]], *, train: bool = False) -> list[str]:
    """Metric names in the order they first appear."""
    names: dict[str, None] = {}
    for folds in groups:
        for fold in folds:
            scores = fold.train_scores if train else fold.test_scores
            for name in scores or {}:
                names.setdefault(name, None)
    return list(names)


def _mean_std(values: Sequence[float]) -> tuple[float | None, float | None]:
    """Mean and population standard deviation, or (None, None) without values."""
    if not values:
        return None, None
    numbers = [float(v) for v in values]
    mean = math.fsum(numbers) / len(numbers)
    variance = math.fsum((v - mean) ** 2 for v in numbers) / len(numbers)
    return mean, math.sqrt(variance)


def _rung_resource(ladder: Sequence[float] | None, rung: int) -> object:
    if ladder is None or not 0 <= rung < len(ladder):
        return None
    return _plain(ladder[rung])


def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def _plain(value: object) -> object:
    """``value``, or the Python number a NumPy scalar holds."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        item = getattr(value, "item", None)
        if callable(item):
            return item()
    return value
