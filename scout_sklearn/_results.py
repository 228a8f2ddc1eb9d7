"""Views of a study's trials: a trial's outcome and GridSearchCV's ``cv_results_``.

With pruning, also the rung views: what each rung of a :class:`RungPlan`
runs, a trial's value at each rung it finished (:class:`RungValues`), and
the history a sampler sees (:class:`BudgetView`). Everything here is
computed from the trials' fold results, which say which rung each fold ran
at, so a resumed search or another worker's trials read the same.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.ma import MaskedArray

from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.exceptions import user_stacklevel

__all__ = [
    "FOLDS",
    "N_SAMPLES",
    "PARAMETER",
    "BudgetView",
    "RungPlan",
    "RungValues",
    "build_cv_results",
    "mean_scores",
    "metric_names",
    "missing_folds",
    "started_rung",
    "summarize_trial",
]

#: The kinds of resource a rung can grow (``ScoutSearchCV(resource=...)``).
N_SAMPLES, FOLDS, PARAMETER = "n_samples", "folds", "parameter"


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
    values = np.asarray([f.test_scores.get(name, math.nan) for f in fold_results])
    if values.dtype == np.float64:
        # np.mean's own steps (the same pairwise sum, then one division),
        # without its argument handling: a few microseconds a trial.
        return TrialState.COMPLETE, float(np.add.reduce(values) / values.size)
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
    plan: RungPlan | None = None,
    n_iterations: bool = False,
) -> dict[str, Any]:
    """``cv_results_`` of the finished trials, in GridSearchCV's exact layout.

    One row per finished trial, in number order. Keys, dtypes and meaning
    match scikit-learn's GridSearchCV (masked ``param_*`` arrays, ``params``,
    ``split{k}_test_{metric}``, means, standard deviations, ranks with failed
    trials ranked last); two keys are added at the end: ``trial_number`` and
    ``state``.

    With a ``plan`` (a pruned search), each row shows the folds of the
    trial's last rung (for ``"folds"``, every fold it ran; the others are
    NaN and the means and standard deviations are over the folds run), a
    third key ``n_resources`` gives that rung's resource, the resource
    parameter joins ``params`` as HalvingRandomSearchCV shows it, and ranks
    put the COMPLETE trials first, then the PRUNED ones (those that reached a
    higher rung first), then the failed ones.

    With ``n_iterations`` (a search with a validation split), the rounds each
    fold kept are added as ``split{k}_n_iterations`` (NaN where a fold
    reported none) and their median, what a refit of the row would train
    for, as ``n_iterations``.
    """
    rows = [t for t in trials if t.is_finished]
    rows.sort(key=lambda t: t.number)
    names = metric_names(rows)
    results: dict[str, Any] = {}
    if plan is None:
        shown = [t.fold_results for t in rows]
    else:
        last_rungs = [started_rung(t) or 0 for t in rows]
        shown = [_folds_of_row(t, rung, plan) for t, rung in zip(rows, last_rungs)]

    def times(attribute: str) -> np.ndarray:
        return _fold_times(shown, attribute, n_splits)

    done = None
    if plan is not None and plan.kind == FOLDS:
        done = ~np.isnan(times("fit_time"))
    _store(results, "fit_time", times("fit_time"), done=done)
    _store(results, "score_time", times("score_time"), done=done)
    params = [dict(t.params) for t in rows]
    if plan is not None and plan.kind == PARAMETER:
        assert plan.name is not None
        for row, rung in zip(params, last_rungs):
            row[plan.name] = plan.ladder[rung]
    results.update(_masked_param_arrays(params))
    results["params"] = params
    for name in names:
        test = _scores(shown, name, n_splits, error_score, train=False)
        _store(results, f"test_{name}", test, splits=True, rank=plan is None, done=done)
        if plan is not None:
            results[f"rank_test_{name}"] = _pruned_last_ranks(
                results[f"mean_test_{name}"],
                [t.state for t in rows],
                last_rungs,
            )
        if return_train_score:
            train = _scores(shown, name, n_splits, error_score, train=True)
            _store(results, f"train_{name}", train, splits=True, done=done)
    results["trial_number"] = np.array([t.number for t in rows], dtype=np.int64)
    results["state"] = np.array([t.state.name for t in rows], dtype=object)
    if n_iterations:
        counts = times("n_iterations")
        for k in range(n_splits):
            results[f"split{k}_n_iterations"] = counts[:, k]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a row of NaN
            results["n_iterations"] = np.round(np.nanmedian(counts, axis=1))
    if plan is not None:
        resources = [plan.ladder[rung] for rung in last_rungs]
        is_int = all(isinstance(r, int) for r in plan.ladder)
        results["n_resources"] = np.array(resources, dtype=np.int64 if is_int else float)
    return results


def mean_scores(
    trials: Sequence[Trial], metrics: Sequence[str], *, n_splits: int
) -> dict[str, np.ndarray]:
    """``mean_test_<metric>`` and ``mean_fit_time`` of ``cv_results_``, and nothing else.

    For a search without pruning: one row per finished trial, in number
    order, each mean computed as :func:`build_cv_results` computes it (so a
    Pareto front read back from a storage is the search's, to the last
    bit), without its parameter arrays, ranks and warnings.
    """
    rows = sorted((t for t in trials if t.is_finished), key=lambda t: t.number)
    shown = [t.fold_results for t in rows]
    results = {"mean_fit_time": _means(_fold_times(shown, "fit_time", n_splits))}
    for name in metrics:
        test = _scores(shown, name, n_splits, math.nan, train=False)
        results[f"mean_test_{name}"] = _means(test)
    return results


def _fold_times(
    rows: Sequence[Sequence[FoldResult]], attribute: str, n_splits: int
) -> np.ndarray:
    array = np.full((len(rows), n_splits), np.nan)
    for i, folds in enumerate(rows):
        for fold in folds:
            array[i, fold.fold] = getattr(fold, attribute)
    return array


def _means(array: np.ndarray) -> np.ndarray:
    return np.average(array, axis=1) if array.size else np.zeros(array.shape[0])


def _folds_of_row(trial: Trial, rung: int, plan: RungPlan) -> tuple[FoldResult, ...]:
    if plan.kind == FOLDS:
        return trial.fold_results
    return tuple(f for f in trial.fold_results if f.rung == rung)


def _pruned_last_ranks(
    means: np.ndarray, states: Sequence[TrialState], rungs: Sequence[int]
) -> np.ndarray:
    """Ranks, 1 = best: COMPLETE trials by score, then PRUNED ones, then failed.

    PRUNED trials are ordered by the rung they reached (higher first), then
    by their score there; trials without a finite score tie at the end. A
    pruned trial is never ranked above one evaluated at the full budget.
    """
    keys = []
    for mean, state, rung in zip(means.tolist(), states, rungs):
        if not math.isfinite(mean) or state is TrialState.FAILED:
            keys.append((2, 0, 0.0))
        elif state is TrialState.PRUNED:
            keys.append((1, -rung, -mean))
        else:
            keys.append((0, 0, -mean))
    ranks = np.empty(len(keys), dtype=np.int32)
    previous, rank = None, 0
    for position, i in enumerate(sorted(range(len(keys)), key=keys.__getitem__)):
        if keys[i] != previous:
            previous, rank = keys[i], position + 1
        ranks[i] = rank
    return ranks


def _scores(
    rows: Sequence[Sequence[FoldResult]],
    name: str,
    n_splits: int,
    error_score: float,
    *,
    train: bool,
) -> np.ndarray:
    array = np.full((len(rows), n_splits), np.nan)
    for i, folds in enumerate(rows):
        for fold in folds:
            scores = fold.train_scores if train else fold.test_scores
            if fold.is_failed:
                array[i, fold.fold] = error_score
            elif scores is None:  # not scored (train, by a return_train_score=False run)
                array[i, fold.fold] = np.nan
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
    done: np.ndarray | None = None,
) -> None:
    if splits:
        for fold in range(array.shape[1]):
            results[f"split{fold}_{key}"] = array[:, fold]
    if done is not None:  # rows of a search pruned over folds: only the folds run
        _store_partial(results, key, array, done)
        return
    means = _means(array)
    results[f"mean_{key}"] = means
    if key.startswith(("train_", "test_")) and np.any(~np.isfinite(means)):
        note = ""
        if rank and np.any(means == np.inf):
            # GridSearchCV ranks +inf first; the study's best trial, the
            # samplers and the report count finite values only (see
            # differences.rst). Say so where the two views part.
            note = (
                f". Rows {np.flatnonzero(means == np.inf).tolist()} scored +inf: they"
                " rank first here and in best_index_, as in GridSearchCV, but"
                " study_.best_trial, the samplers, the progress bar and the report"
                " count finite scores only; a scorer that returns inf is usually a"
                " bug (a division by zero?)"
            )
        warnings.warn(
            f"One or more of the {key.split('_')[0]} scores are non-finite: {means}{note}",
            category=UserWarning,
            stacklevel=user_stacklevel(),
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
            from scipy.stats import rankdata  # scipy.stats takes a second to import

            ranks = rankdata(-filled, method="min").astype(np.int32, copy=False)
        results[f"rank_{key}"] = ranks


def _store_partial(
    results: dict[str, Any], key: str, array: np.ndarray, done: np.ndarray
) -> None:
    counts = np.maximum(done.sum(axis=1), 1)
    filled = np.where(done, array, 0.0)
    means = filled.sum(axis=1) / counts
    results[f"mean_{key}"] = means
    deviations = np.where(done, array - means[:, np.newaxis], 0.0)
    results[f"std_{key}"] = np.sqrt((deviations**2).sum(axis=1) / counts)


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


# -- rungs (pruned searches) ----------------------------------------------------
@dataclasses.dataclass(frozen=True)
class RungPlan:
    """What each rung of a pruned search runs.

    Attributes
    ----------
    kind : {"n_samples", "parameter", "folds"}
        ``"n_samples"``: rung ``r`` fits every fold on a subsample of
        ``ladder[r]`` rows of its training part (the first rows of
        ``orders[fold]``, so each rung's subsample contains the previous
        one's). ``"parameter"``: rung ``r`` fits every fold with the
        estimator parameter ``name`` set to ``ladder[r]``. ``"folds"``: a
        trial that finished rung ``r`` has run folds ``0 .. ladder[r] - 1``.
    ladder : tuple of float
        The resource of each rung (the pruner's ladder).
    n_splits : int
        Number of CV splits.
    name : str or None
        The estimator parameter, for ``"parameter"``.
    warm_start : str or None
        For ``"parameter"``: the estimator's ``warm_start`` parameter when a
        promoted trial continues its previous fit, else None.
    orders : tuple of ndarray
        For ``"n_samples"``: per fold, its training indices in the order
        they join the subsample.
    """

    kind: str
    ladder: tuple[float, ...]
    n_splits: int
    name: str | None = None
    warm_start: str | None = None
    orders: tuple[np.ndarray, ...] = dataclasses.field(
        default=(), compare=False, repr=False
    )

    @property
    def n_rungs(self) -> int:
        """Number of rungs."""
        return len(self.ladder)

    def folds_through(self, rung: int) -> range:
        """The folds a trial has run once it finished ``rung``."""
        if self.kind == FOLDS:
            return range(int(self.ladder[rung]))
        return range(self.n_splits)

    def train_at(self, fold: int, train: np.ndarray, rung: int) -> np.ndarray:
        """The training rows fold ``fold`` fits on at ``rung``."""
        if self.kind != N_SAMPLES:
            return train
        order = self.orders[fold]
        size = int(self.ladder[rung])
        if size >= len(order):
            return train
        return np.sort(order[:size])

    def params_at(self, rung: int) -> dict[str, Any]:
        """Estimator parameters a fit at ``rung`` sets on top of the trial's params."""
        if self.kind != PARAMETER:
            return {}
        assert self.name is not None
        params: dict[str, Any] = {self.name: self.ladder[rung]}
        if self.warm_start is not None:
            params[self.warm_start] = True
        return params


def started_rung(trial: Trial) -> int | None:
    """The highest rung at which ``trial`` ran a fold (None before any)."""
    return max((f.rung for f in trial.fold_results), default=None)


def missing_folds(trial: Trial, rung: int, plan: RungPlan) -> list[int]:
    """The folds ``trial`` still has to run to finish ``rung``."""
    if plan.kind == FOLDS:
        done = {f.fold for f in trial.fold_results if f.rung <= rung}
    else:
        done = {f.fold for f in trial.fold_results if f.rung == rung}
    return [k for k in plan.folds_through(rung) if k not in done]


class RungValues:
    """Each trial's value at every rung it finished, computed once per trial change.

    The value at a rung is the mean test score of the refit metric over the
    rung's folds (for ``"folds"``, over every fold run up to that rung),
    averaged in fold order so that it does not depend on the order the
    folds finished in; None when a fold failed. A rung counts once all its
    folds are in.
    """

    def __init__(self, plan: RungPlan, metric: str | None) -> None:
        self._plan = plan
        self._metric = metric
        self._cache: dict[int, tuple[Trial, dict[int, float | None]]] = {}

    def of(self, trial: Trial) -> dict[int, float | None]:
        """Rung to value for ``trial`` (failed rungs have None), in rung order."""
        cached = self._cache.get(trial.number)
        if cached is not None and cached[0] is trial:
            return cached[1]
        values = self._compute(trial.fold_results)
        self._cache[trial.number] = (trial, values)
        return values

    def _compute(self, fold_results: Sequence[FoldResult]) -> dict[int, float | None]:
        by_rung: dict[int, list[FoldResult]] = {}
        for fold in fold_results:
            by_rung.setdefault(fold.rung, []).append(fold)
        values: dict[int, float | None] = {}
        done: list[FoldResult] = []
        for rung in sorted(by_rung):
            if rung >= self._plan.n_rungs:
                break
            folds = by_rung[rung]
            if self._plan.kind == FOLDS:
                done.extend(folds)
                folds = done
            if len({f.fold for f in folds}) < len(self._plan.folds_through(rung)):
                if self._plan.kind == FOLDS:
                    break
                continue
            values[rung] = self._value(folds)
        return values

    def _value(self, folds: Sequence[FoldResult]) -> float | None:
        state, value = summarize_trial(sorted(folds, key=lambda f: f.fold), self._metric)
        if state is TrialState.FAILED or value is None or math.isnan(value):
            return None
        return value


class BudgetView:
    """The history a sampler sees in a pruned search: every trial at one rung.

    Trials of a pruned search were evaluated at different budgets, and a
    score at 10 boosting iterations is not comparable with one at 300. So the
    sampler sees every trial at one rung, the *view rung*: the highest rung
    at which at least ``min_values`` trials have a real value (the rung with
    the most values while none has that many). There, a trial that finished
    the rung is COMPLETE with its value at that rung (even if it went on, or
    was pruned, later), or FAILED if its fit failed there; a trial PRUNED
    without a value there stays PRUNED, without a value; any other trial
    (still running, waiting for a promotion, or started above the view rung
    by Hyperband) is shown RUNNING, without a value. No score from another
    rung is ever shown.

    The view rung only rises. While it stays, shown trials change only from
    RUNNING to a finished state, as in a real history, so samplers' caches
    stay valid; when it rises, the history is rewritten, and the view gives
    every trial a new params object, which the samplers' caches take as a
    different history (see ``samplers._base.continues``).
    """

    def __init__(self, values: RungValues, min_values: int) -> None:
        self._values = values
        self._min_values = min_values
        #: The view rung of the last call (None before the first).
        self.rung: int | None = None
        self._params: dict[int, dict[str, Any]] = {}
        self._shown: dict[int, tuple[Trial, Trial]] = {}

    def __call__(self, trials: Sequence[Trial]) -> tuple[Trial, ...]:
        values = [self._values.of(t) for t in trials]
        rung = self._view_rung(values)
        if rung != self.rung:
            self.rung = rung
            self._params = {}
            self._shown = {}
        return tuple(self._show(t, v, rung) for t, v in zip(trials, values))

    def _view_rung(self, values: Sequence[Mapping[int, float | None]]) -> int:
        counts = Counter(r for v in values for r, x in v.items() if x is not None)
        enough = [r for r, n in counts.items() if n >= self._min_values]
        if enough:
            return max(enough)
        if counts:
            return max(counts, key=lambda r: (counts[r], r))
        return 0

    def _show(self, trial: Trial, values: Mapping[int, float | None], rung: int) -> Trial:
        cached = self._shown.get(trial.number)
        if cached is not None and cached[0] is trial:
            return cached[1]
        params = self._params.get(trial.number)
        if params is None:
            params = self._params[trial.number] = dict(trial.params)
        state, value = TrialState.RUNNING, None
        if rung in values:
            value = values[rung]
            state = TrialState.FAILED if value is None else TrialState.COMPLETE
        elif trial.state in (TrialState.PRUNED, TrialState.FAILED):
            state = trial.state
        shown = dataclasses.replace(trial, params=params, state=state, value=value)
        self._shown[trial.number] = (trial, shown)
        return shown
