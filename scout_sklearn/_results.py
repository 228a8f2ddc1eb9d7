"""Views of a study's trials: a trial's outcome and GridSearchCV's ``cv_results_``."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.ma import MaskedArray
from scipy.stats import rankdata

from scout_sklearn._trial import FoldResult, Trial, TrialState

__all__ = ["build_cv_results", "metric_names", "summarize_trial"]


def summarize_trial(
    fold_results: Sequence[FoldResult], metric: str | None
) -> tuple[TrialState, float | None]:
    """The state and value of a trial whose folds are all done.

    A trial with a failed fold is FAILED; otherwise it is COMPLETE and its
    value is the mean test score of ``metric`` across folds (of the first
    metric when ``metric`` is None or not among the scores).
    """
    if not fold_results or any(f.is_failed for f in fold_results):
        return TrialState.FAILED, None
    scores = fold_results[0].test_scores
    name = metric if metric in scores else next(iter(scores), None)
    if name is None:
        return TrialState.COMPLETE, math.nan
    values = [f.test_scores.get(name, math.nan) for f in fold_results]
    return TrialState.COMPLETE, float(np.mean(values))


def metric_names(trials: Sequence[Trial]) -> list[str]:
    """Metric names, in scoring order, from the first fold that has scores."""
    for trial in trials:
        for fold in trial.fold_results:
            if fold.test_scores:
                return list(fold.test_scores)
    return []


def build_cv_results(
    trials: Sequence[Trial],
    *,
    n_splits: int,
    return_train_score: bool,
    error_score: float,
) -> dict[str, Any]:
    """``cv_results_`` of the finished trials, in GridSearchCV's exact layout.

    One row per finished trial, in number order. Keys, dtypes and meaning
    match scikit-learn's GridSearchCV (masked ``param_*`` arrays, ``params``,
    ``split{k}_test_{metric}``, means, standard deviations, ranks with failed
    trials ranked last); two keys are added at the end: ``trial_number`` and
    ``state``.
    """
    rows = [t for t in trials if t.is_finished]
    rows.sort(key=lambda t: t.number)
    names = metric_names(rows)
    n_rows = len(rows)
    results: dict[str, Any] = {}

    def times(attribute: str) -> np.ndarray:
        array = np.full((n_rows, n_splits), np.nan)
        for i, trial in enumerate(rows):
            for fold in trial.fold_results:
                array[i, fold.fold] = getattr(fold, attribute)
        return array

    _store(results, "fit_time", times("fit_time"))
    _store(results, "score_time", times("score_time"))
    params = [dict(t.params) for t in rows]
    results.update(_masked_param_arrays(params))
    results["params"] = params
    for name in names:
        test = _scores(rows, name, n_splits, error_score, train=False)
        _store(results, f"test_{name}", test, splits=True, rank=True)
        if return_train_score:
            train = _scores(rows, name, n_splits, error_score, train=True)
            _store(results, f"train_{name}", train, splits=True)
    results["trial_number"] = np.array([t.number for t in rows], dtype=np.int64)
    results["state"] = np.array([t.state.name for t in rows], dtype=object)
    return results


def _scores(
    rows: Sequence[Trial], name: str, n_splits: int, error_score: float, *, train: bool
) -> np.ndarray:
    array = np.full((len(rows), n_splits), np.nan)
    for i, trial in enumerate(rows):
        for fold in trial.fold_results:
            scores = fold.train_scores if train else fold.test_scores
            if fold.is_failed or scores is None:
                array[i, fold.fold] = error_score
            else:
                array[i, fold.fold] = scores.get(name, error_score)
    return array


def _store(
    results: dict[str, Any],
    key: str,
    array: np.ndarray,
    *,
    splits: bool = False,
    rank: bool = False,
) -> None:
    if splits:
        for fold in range(array.shape[1]):
            results[f"split{fold}_{key}"] = array[:, fold]
    means = np.average(array, axis=1) if array.size else np.zeros(array.shape[0])
    results[f"mean_{key}"] = means
    if key.startswith(("train_", "test_")) and np.any(~np.isfinite(means)):
        warnings.warn(
            f"One or more of the {key.split('_')[0]} scores are non-finite: {means}",
            category=UserWarning,
            stacklevel=4,
        )
    stds = (
        np.sqrt(np.average((array - means[:, np.newaxis]) ** 2, axis=1))
        if array.size
        else np.zeros(array.shape[0])
    )
    results[f"std_{key}"] = stds
    if rank:
        if np.isnan(means).all():
            ranks = np.ones_like(means, dtype=np.int32)
        else:
            # Failed trials (NaN means) tie with the worst ones.
            filled = np.nan_to_num(means, nan=np.nanmin(means) - 1)
            ranks = rankdata(-filled, method="min").astype(np.int32, copy=False)
        results[f"rank_{key}"] = ranks


def _masked_param_arrays(params: Sequence[Mapping[str, Any]]) -> dict[str, MaskedArray]:
    """One masked array per parameter; masked where a row lacks the parameter."""
    n_rows = len(params)
    by_name: dict[str, dict[int, Any]] = {}
    for i, row in enumerate(params):
        for name, value in row.items():
            by_name.setdefault(f"param_{name}", {})[i] = value
    arrays = {}
    for key, values in by_name.items():
        try:
            inferred = np.array(list(values.values()))
        except ValueError:  # ragged sequences
            dtype = np.dtype(object)
        else:
            # Strings and same-length sequences become object arrays, as in
            # scikit-learn, so each cell holds the value the user gave.
            keep = inferred.dtype.kind != "U" and inferred.ndim == 1
            dtype = inferred.dtype if keep else np.dtype(object)
        array = MaskedArray(np.empty(n_rows, dtype=dtype), mask=True)
        for i, value in values.items():
            array[i] = value
        arrays[key] = array
    return arrays
