"""What the dashboard sends to a page: plain JSON, built from a :class:`StudyState`.

Trials travel as columns (one list per field, one entry per trial), which
keeps a 10,000-trial study's first load near a megabyte; a live update is
the same shape holding only the trials changed since the page's stamp.
Values that JSON cannot hold (NaN, infinities) become null; every string
from the storage is data, never markup (the page writes it as text).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from scout_sklearn._table import table_columns, trial_rows
from scout_sklearn._trial import Trial, TrialState
from scout_sklearn.dashboard._reader import (
    StudyState,
    _readable,
    fold_progress,
    fold_scores,
    n_splits,
)
from scout_sklearn.plotting._data import intermediate_values

_NUMERIC_TYPES = ("float", "int")


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _cell(value: Any) -> Any:
    """A table cell: numbers and strings as they are, anything else as text.

    None, a value as good as any (``max_depth=None``), is the text "None":
    null is what a trial without the parameter shows (a conditional space).
    """
    if value is None:
        return "None"
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return _json_number(value)
    return str(value)


def param_infos(state: StudyState) -> list[dict[str, Any]]:
    """Each searched parameter: its name, numeric or categorical, log scale, choices."""
    specs: dict[str, Mapping[str, Any]] = {}
    for sub in state.record.space:
        for name, spec in sub.items():
            spec = spec if isinstance(spec, Mapping) else {}
            kept = specs.setdefault(name, spec)
            # A parameter in several sub-spaces (an estimator-choice step):
            # its choices are those of every sub-space, not the first's only.
            more = spec.get("choices")
            if kept is not spec and isinstance(more, list):
                choices = kept.get("choices")
                if isinstance(choices, list):
                    merged = list(choices) + [c for c in more if c not in choices]
                    specs[name] = {**kept, "choices": merged}
    names = set(specs)
    for trial in state.trials.values():
        names.update(trial.params)
    infos = []
    for name in sorted(names):
        spec = specs.get(name, {})
        kind = spec.get("type")
        # The stored values decide only where the space does not (scipy, unknown).
        scan = kind not in (*_NUMERIC_TYPES, "categorical")
        seen = (
            [t.params[name] for t in state.trials.values() if name in t.params]
            if scan
            else []
        )
        numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seen)
        numeric = kind in _NUMERIC_TYPES or (
            kind != "categorical" and bool(seen) and numbers
        )
        log = bool(spec.get("log")) or "loguniform" in str(spec.get("repr", ""))
        if numeric and log:
            log = all(isinstance(v, (int, float)) and v > 0 for v in seen)
        info: dict[str, Any] = {"name": name, "numeric": numeric, "log": numeric and log}
        if not numeric:
            choices = spec.get("choices")
            if isinstance(choices, list):
                info["choices"] = [_cell(_readable(c)) for c in choices]
            else:
                info["choices"] = sorted({str(v) for v in seen})
        infos.append(info)
    return infos


def study_meta(state: StudyState) -> dict[str, Any]:
    """What a study page needs besides the trials."""
    ladder, resource = state.pruning
    fingerprint = state.record.fingerprint
    scoring = fingerprint.get("scoring")
    objectives = fingerprint.get("objective")
    return {
        "name": state.name,
        "metric": state.metric_label,
        "scoring": scoring if isinstance(scoring, str) else None,
        "ladder": ladder,
        "resource": resource,
        "pruner": (fingerprint.get("pruning") or {}).get("pruner")
        if isinstance(fingerprint.get("pruning"), Mapping)
        else None,
        "n_splits": n_splits(state),
        "params": param_infos(state),
        "created_at": state.record.created_at,
        "seed": str(state.record.seed),
        # Several objectives: the page adds the Pareto front's view.
        "objectives": (
            [{"name": str(n), "direction": str(d)} for n, d in objectives.items()]
            if isinstance(objectives, Mapping)
            else None
        ),
    }


_FIELDS = ("number", "state", "value", "started", "finished", "rung", "bracket", "n_folds")


def trial_columns(state: StudyState, trials: Sequence[Trial]) -> dict[str, Any]:
    """``trials`` as columns: number, state, value, times, rung, folds, params.

    Each trial's entries are kept in ``state.columns`` until it changes, so
    a page's first load after another's costs the JSON encoding only.
    """
    ladder, resource = state.pruning
    splits = n_splits(state)
    metric = state.metric
    key = (splits, metric)
    rows = []
    for trial in trials:
        changed = state.changed.get(trial.number, 0)
        kept = state.columns.get(trial.number)
        if kept is None or kept[0] != (changed, key):
            kept = ((changed, key), _trial_row(trial, ladder, resource, splits, metric))
            state.columns[trial.number] = kept
        rows.append(kept[1])
    names = sorted({name for row in rows for name in row[-2]})
    columns: dict[str, Any] = {
        field: [row[i] for row in rows] for i, field in enumerate(_FIELDS)
    }
    columns["progress"] = [row[len(_FIELDS)] for row in rows]
    columns["params"] = {
        name: [row[-2].get(name, _ABSENT) for row in rows] for name in names
    }
    if ladder is not None:
        columns["inter"] = [row[-1] for row in rows]
    return columns


def _trial_row(
    trial: Trial,
    ladder: list[float] | None,
    resource: str | None,
    splits: int,
    metric: str | None,
) -> tuple[Any, ...]:
    rungs = [f.rung for f in trial.fold_results]
    inter = None
    if ladder is not None:
        values = intermediate_values(trial, metric, resource=resource, n_splits=splits)
        inter = [[r, _json_number(v)] for r, v in sorted(values.items())]
    return (
        trial.number,
        trial.state.name,
        _json_number(trial.value) if trial.has_value else None,
        trial.started_at,
        trial.finished_at,
        max(rungs, default=0),
        min(rungs, default=0),
        len(trial.fold_results),
        fold_progress(trial, splits) if trial.state is TrialState.RUNNING else None,
        {name: _cell(value) for name, value in trial.params.items()},
        inter,
    )


#: A trial without the parameter (a conditional space) shows null.
_ABSENT = None


def trial_detail(state: StudyState, trial: Trial) -> dict[str, Any]:
    """Everything the trial page shows."""
    ladder, resource = state.pruning
    metric = state.metric
    values = intermediate_values(trial, metric, resource=resource, n_splits=n_splits(state))
    return {
        "study": state.name,
        "stamp": state.stamp,
        "number": trial.number,
        "state": trial.state.name,
        "value": _json_number(trial.value) if trial.has_value else None,
        "metric": state.metric_label,
        "params": {k: _cell(v) for k, v in sorted(trial.params.items())},
        "started": trial.started_at,
        "finished": trial.finished_at,
        "folds": fold_scores(trial, metric),
        "rungs": [
            {
                "rung": rung,
                "resource": ladder[rung] if ladder and rung < len(ladder) else None,
                "value": _json_number(value),
            }
            for rung, value in sorted(values.items())
        ],
        "errors": [f.error for f in trial.fold_results if f.error],
    }


# -- the trials table, sorted, filtered and paged by the server --------------------------
class TableCache:
    """``cv_results_``-style rows of a study, each rebuilt only when its trial changed."""

    def __init__(self) -> None:
        self._rows: dict[int, tuple[int, dict[str, object]]] = {}

    def rows(self, state: StudyState) -> list[dict[str, object]]:
        ladder, resource = state.pruning
        out = []
        for number in sorted(state.trials):
            changed = state.changed.get(number, 0)
            kept = self._rows.get(number)
            if kept is None or kept[0] != changed:
                (row,) = trial_rows(
                    [state.trials[number]], ladder=ladder, resource=resource
                )
                kept = (changed, row)
                self._rows[number] = kept
            out.append(kept[1])
        return out


def table_page(
    rows: Sequence[Mapping[str, object]],
    *,
    sort: str,
    descending: bool,
    states: Iterable[str],
    text: str,
    page: int,
    per_page: int,
) -> dict[str, Any]:
    """One page of the trials table and how many rows match."""
    columns = _table_columns(rows)
    wanted = {s.upper() for s in states if s}
    needle = text.strip().lower()
    matched = [
        row
        for row in rows
        if (not wanted or str(row.get("state")) in wanted)
        and (not needle or needle in _searchable(row))
    ]
    if sort not in columns:
        sort = "number"
    present = [r for r in matched if _sortable(r.get(sort)) is not None]
    missing = [r for r in matched if _sortable(r.get(sort)) is None]
    present.sort(key=lambda r: _sortable(r.get(sort)), reverse=descending)  # type: ignore[arg-type, return-value]
    ordered = present + missing  # rows without a value last, either way
    start = (page - 1) * per_page
    return {
        "columns": columns,
        "rows": [
            # A trial without the column (a param of another sub-space, or no
            # score) shows null; a param stored as None shows "None".
            [_table_cell(c, r) for c in columns]
            for r in ordered[start : start + per_page]
        ],
        "total": len(matched),
        "page": page,
        "per_page": per_page,
        "sort": sort,
        "descending": descending,
    }


def _table_cell(column: str, row: Mapping[str, object]) -> Any:
    if column not in row:
        return None
    value = row[column]
    if value is None and not column.startswith("params_"):
        return None  # no score, no resource: nothing, not the text "None"
    return _cell(value)


def _table_columns(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """The columns of every row, in ``trial_rows``' order.

    The cache builds each row from its trial alone, so rows of a conditional
    space (or a failed trial, without scores) have different keys: the
    table shows the union, not the first row's keys.
    """
    if not rows:
        return ["number", "state", "value"]
    keys: dict[str, None] = {}
    for row in rows:
        keys.update(dict.fromkeys(row))
    head = ["number", "state", "value"]
    params = sorted(k for k in keys if k.startswith("params_"))
    test = [k for k in keys if k.startswith(("mean_test_", "std_test_"))]
    train = [k for k in keys if k.startswith(("mean_train_", "std_train_"))]
    known = {*head, *params, *test, *train}
    tail = [k for k in table_columns(rows[:1]) if k not in known]
    tail += [k for k in keys if k not in known and k not in tail]
    return head + params + test + train + tail


def _searchable(row: Mapping[str, object]) -> str:
    return (
        " ".join(
            f"{k[len('params_') :]}={v}" for k, v in row.items() if k.startswith("params_")
        ).lower()
        + f" #{row.get('number')}"
    )


def _sortable(value: object) -> tuple[int, Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        return (0, value)
    return (1, str(value))
