"""The dashboard's computed views: importances, top candidates' folds, rungs, the front.

Each takes a :class:`StudyState` and returns plain JSON. They are costlier
than a live update (the importance forest takes a fraction of a second on
10,000 trials), so the server keeps each result for the study's stamp and
recomputes it at most every few seconds while trials keep arriving.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scout_sklearn._front import stored_objectives, trial_front
from scout_sklearn._stored_study import StoredStudy
from scout_sklearn._table import _shown_folds
from scout_sklearn._trial import Trial, TrialState
from scout_sklearn.dashboard._payload import _cell, _json_number
from scout_sklearn.dashboard._reader import StudyState, fold_score, n_splits

#: How many of the best trials the fold comparison shows.
TOP_CANDIDATES = 5


def importances(state: StudyState) -> dict[str, Any]:
    """Each parameter's share of a random forest's importance, or why there is none."""
    from scout_sklearn.plotting._data import resolve
    from scout_sklearn.plotting._importance import _importances

    # The forest learns from COMPLETE trials only: the others are not read.
    stored = StoredStudy(
        name=state.name,
        seed=state.record.seed,
        space=state.record.space,
        fingerprint=state.record.fingerprint,
        created_at=state.record.created_at,
        trials=tuple(t for t in state.sorted_trials() if t.has_value),
    )
    complete = len(stored.trials)
    if complete < 2:
        return {"importances": None, "reason": f"{complete} COMPLETE trial(s): too few."}
    try:
        view = resolve(stored, where="importances")
        shares = _importances(view, n_estimators=64, random_state=0)
    except ValueError as err:
        return {"importances": None, "reason": str(err)}
    return {"importances": shares, "reason": None, "n_trials": complete}


def _final_folds(
    trial: Trial, metric: str | None, resource: str | None
) -> dict[int, float]:
    """Fold index to the trial's test score on the folds that made its value."""
    _, folds = _shown_folds(trial, cumulative=resource == "folds")
    scores: dict[int, float] = {}
    for fold in folds:
        score = None if fold.is_failed else fold_score(fold, metric)
        if score is not None and math.isfinite(score):
            scores[fold.fold] = float(score)
    return scores


def corrected_paired_test(
    a: list[float], b: list[float], *, test_over_train: float
) -> float | None:
    """Two-sided p-value that two candidates' fold scores have the same mean.

    A paired t-test whose variance is corrected for the overlap of the CV
    training sets (Nadeau and Bengio, 2003): ``var * (1/k + n_test/n_train)``
    instead of ``var / k``. The plain paired t-test calls too many
    differences real, since folds share most of their training data.
    None when fewer than two folds are shared or every difference is zero.
    """
    from scipy import stats

    diffs = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    k = diffs.size
    if k < 2:
        return None
    variance = float(np.var(diffs, ddof=1))
    if variance <= 0:
        return None if float(np.mean(diffs)) == 0 else 0.0
    t = float(np.mean(diffs)) / math.sqrt(variance * (1 / k + test_over_train))
    return float(2 * stats.t.sf(abs(t), df=k - 1))


def top_folds(state: StudyState, *, alpha: float = 0.05) -> dict[str, Any]:
    """The best candidates' per-fold scores and whether each differs from the best."""
    _, resource = state.pruning
    metric = state.metric
    ranked = sorted(
        (
            t
            for t in state.trials.values()
            if t.has_value and t.state is TrialState.COMPLETE
        ),
        key=lambda t: (-float(t.value or 0.0), t.number),
    )[:TOP_CANDIDATES]
    splits = n_splits(state)
    # k-fold: each training part is k-1 test parts (other splitters: an estimate).
    ratio = 1.0 / (splits - 1) if splits > 1 else 1.0
    candidates = []
    best_scores: dict[int, float] = {}
    for position, trial in enumerate(ranked):
        scores = _final_folds(trial, metric, resource)
        entry: dict[str, Any] = {
            "number": trial.number,
            "value": float(trial.value) if trial.value is not None else None,
            "params": {k: _cell(v) for k, v in sorted(trial.params.items())},
            "folds": {str(k): v for k, v in sorted(scores.items())},
        }
        if position == 0:
            best_scores = scores
            entry["p_value"] = None
            entry["verdict"] = "best"
        else:
            shared = sorted(set(best_scores) & set(scores))
            p = corrected_paired_test(
                [best_scores[f] for f in shared],
                [scores[f] for f in shared],
                test_over_train=ratio,
            )
            entry["p_value"] = p
            if p is None:
                entry["verdict"] = "too few shared folds to tell"
            elif p < alpha:
                entry["verdict"] = f"worse than the best (p = {p:.3g})"
            else:
                entry["verdict"] = f"not distinguishable from the best (p = {p:.3g})"
        candidates.append(entry)
    return {"metric": state.metric_label, "alpha": alpha, "candidates": candidates}


def rung_summary(state: StudyState) -> dict[str, Any] | None:
    """Per rung of a pruned study: how many trials reached it, went on, were pruned there.

    A trial's bracket is the rung it started at (Hyperband starts later
    brackets higher up the ladder); each rung is counted per bracket.
    """
    ladder, resource = state.pruning
    if ladder is None:
        return None
    reached: dict[tuple[int, int], int] = {}
    promoted: dict[tuple[int, int], int] = {}
    pruned: dict[tuple[int, int], int] = {}
    for trial in state.trials.values():
        rungs = sorted({f.rung for f in trial.fold_results})
        if not rungs:
            continue
        bracket = rungs[0]
        for rung in rungs:
            reached[bracket, rung] = reached.get((bracket, rung), 0) + 1
            if rung < rungs[-1]:
                promoted[bracket, rung] = promoted.get((bracket, rung), 0) + 1
        if trial.state is TrialState.PRUNED:
            pruned[bracket, rungs[-1]] = pruned.get((bracket, rungs[-1]), 0) + 1
    rows = [
        {
            "bracket": bracket,
            "rung": rung,
            "resource": ladder[rung] if rung < len(ladder) else None,
            "reached": count,
            "promoted": promoted.get((bracket, rung), 0),
            "pruned": pruned.get((bracket, rung), 0),
        }
        for (bracket, rung), count in sorted(reached.items())
    ]
    return {"ladder": ladder, "resource": resource, "rows": rows}


def pareto_front(state: StudyState) -> dict[str, Any]:
    """A study of several objectives: each COMPLETE trial's objectives, and the front.

    ``values`` holds one list per objective (each trial's mean over its
    folds, in the order of ``numbers``), ``feasible`` whether each trial
    meets the constraints, and ``front`` the trial numbers of the front in
    ``pareto_front_``'s order (by the first objective's mean, ascending),
    computed from the stored objectives, constraints and fold results as
    the search computed it. A study of one objective gets
    ``{"objectives": None}``.
    """
    trials = state.sorted_trials()
    objectives = stored_objectives(state.record.fingerprint, trials)
    if objectives is None:
        return {"objectives": None}
    front = trial_front(trials, objectives, n_splits=n_splits(state))
    values = front.summary.values
    shown = np.flatnonzero(np.isfinite(values).all(axis=1))
    named = dict(zip(objectives.columns, objectives.names))
    return {
        "objectives": [
            {"name": name, "direction": direction}
            for name, direction in zip(objectives.names, objectives.directions)
        ],
        "constraints": [
            {"name": named.get(column, column), "op": op, "threshold": threshold}
            for column, op, threshold in objectives.thresholds
        ],
        "numbers": [front.rows[i].number for i in shown],
        "values": [
            [_json_number(float(v)) for v in values[shown, j]]
            for j in range(values.shape[1])
        ],
        "feasible": [bool(front.summary.feasible[i]) for i in shown],
        "front": [trial.number for trial in front.front],
    }
