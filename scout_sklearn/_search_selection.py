"""After a ScoutSearchCV's search: its failures, the best trial, its refit, metric names.

:func:`warn_or_raise_about_failures` warns about failed fits as
GridSearchCV does (or raises when none succeeded);
:func:`warn_about_missing_train_scores` says which resumed trials have no
train scores; :func:`refuse_stored_failures` refuses ``error_score="raise"`` on a study
holding failed fits scored by an earlier run;
:func:`require_a_complete_trial` and :func:`called_refit_index` check the
choice of the best trial; :func:`timed_refit` refits it on all the data;
:func:`objective_metric`, :func:`value_metric_name` and :func:`metric_name`
name the metric of the trials' values and of ``best_score_``;
:func:`tell_best` logs the best trial.
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.exceptions import FitFailedWarning

from scout_sklearn._compat import TaskEvents
from scout_sklearn._pareto import Objectives
from scout_sklearn._results import RungPlan
from scout_sklearn._study import Study
from scout_sklearn._trial import Trial, TrialState
from scout_sklearn._verbose import Narrator
from scout_sklearn.exceptions import (
    InvalidParameterError,
    StudyMismatch,
    user_stacklevel,
)

__all__ = [
    "called_refit_index",
    "metric_name",
    "objective_metric",
    "refuse_a_partial_choice",
    "refuse_stored_failures",
    "require_a_complete_trial",
    "tell_best",
    "timed_refit",
    "value_metric_name",
    "warn_about_missing_train_scores",
    "warn_or_raise_about_failures",
]


def warn_or_raise_about_failures(trials: list[Trial], error_score: Any) -> None:
    """Warn once about failed fits; raise when no fit at all succeeded.

    As in GridSearchCV, a search goes on while any fit succeeds: trials with a
    failed fold are FAILED and score ``error_score`` on that fold.
    """
    failed = [t for t in trials if t.state is TrialState.FAILED]
    if not failed:
        return
    folds = [f for t in trials for f in t.fold_results]
    errors = Counter(f.error for f in folds if f.error is not None)
    delimiter = "-" * 80 + "\n"
    summary = "\n".join(
        f"{delimiter}{n} fits failed with the following error:\n{error}"
        for error, n in errors.items()
    )
    n_failed_fits = sum(errors.values())
    if n_failed_fits == len(folds):
        # The first line is GridSearchCV's, word for word: filters and tests
        # written against its message match ours.
        raise ValueError(
            f"\nAll the {len(folds)} fits failed.\nThey are every fold of the "
            f"{len(trials)} trials: it is very likely that your model is "
            "misconfigured.\nYou can try to debug the error by setting "
            "error_score='raise'.\n\nBelow are more "
            f"details about the failures:\n{summary}"
        )
    warnings.warn(
        f"\n{n_failed_fits} fits failed out of a total of {len(folds)}.\n"
        f"{len(failed)} of {len(trials)} trials failed.\nThe score on these train-test "
        f"partitions for these parameters will be set to {error_score}.\nIf these "
        "failures are "
        "not expected, you can try to debug them by setting error_score='raise'.\n\n"
        f"Below are more details about the failures:\n{summary}",
        FitFailedWarning,
        stacklevel=user_stacklevel(),
    )


def warn_about_missing_train_scores(trials: list[Trial], study: Study) -> None:
    """Warn that trials stored without train scores have NaN train columns.

    A study resumed with ``return_train_score=True`` after a run without it
    holds trials whose folds were never scored on their training part.
    """
    missing = [
        t.number
        for t in trials
        if any(f.train_scores is None and not f.is_failed for f in t.fold_results)
    ]
    if missing:
        warnings.warn(
            f"return_train_score=True, but {len(missing)} trials of study "
            f"{study.name!r} (trials {missing}) were stored by a fit with "
            "return_train_score=False: their folds have no train scores, and "
            "their train columns in cv_results_ are NaN.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def refuse_stored_failures(study: Study, error_score: Any) -> None:
    """Refuse ``error_score="raise"`` on a study holding failed fits.

    A run with ``error_score="raise"`` stores no failed fold (it raises
    instead), so these come from an earlier run (or another worker) that
    scored them with a number: ``"raise"`` has no score to give them in
    ``cv_results_``.
    """
    if not (isinstance(error_score, str) and error_score == "raise"):
        return
    failed = [t for t in study.trials if any(f.is_failed for f in t.fold_results)]
    if not failed:
        return
    first = next(f.error for t in failed for f in t.fold_results if f.is_failed)
    raise StudyMismatch(
        f"error_score='raise', but study {study.name!r} in {study.storage!r} holds "
        f"{len(failed)} trials with a failed fit (trials "
        f"{[t.number for t in failed]}), kept by an earlier run (or another "
        "worker) whose numeric error_score scored them: 'raise' has no score "
        "to give them. Resume with a number as error_score (np.nan is "
        "GridSearchCV's default), or use another study_name. The first "
        f"failure:\n{first}"
    )


def require_a_complete_trial(trials: list[Trial], plan: RungPlan, reason: str) -> None:
    if any(t.state is TrialState.COMPLETE for t in trials):
        return
    n_failed = sum(t.state is TrialState.FAILED for t in trials)
    failures = (
        f" ({n_failed} failed: see the FitFailedWarning for their errors)"
        if n_failed
        else ""
    )
    last = len(plan.ladder) - 1
    at_top = [t for t in trials if any(f.rung == last for f in t.fold_results)]
    if at_top and all(
        any(f.is_failed for f in t.fold_results if f.rung == last) for t in at_top
    ):
        # More trials or a gentler pruner only carry more of them up to fail.
        raise ValueError(
            f"No trial was evaluated at max_resource={plan.ladder[-1]!r} ({reason}): "
            f"each of the {len(at_top)} trials that reached it failed there: see the "
            "FitFailedWarning for their errors. "
            "The full budget itself fails (memory, time, a limit of the estimator): "
            "fix the error, or set a max_resource the estimator can fit."
        )
    raise ValueError(
        f"No trial was evaluated at max_resource={plan.ladder[-1]!r} ({reason}): "
        f"all {len(trials)} trials were pruned or failed{failures}, and a pruned "
        "trial is never chosen as the best. Increase n_trials (or timeout), or use "
        "a less aggressive pruner."
    )


def called_refit_index(refit: Any, results: Mapping[str, Any]) -> Any:
    """The row a refit callable chooses, checked as GridSearchCV checks it.

    GridSearchCV raises a TypeError / IndexError from inside scikit-learn;
    these (of the same types) name refit, and the value it returned.
    """
    index = refit(results)
    n_rows = len(results["params"])
    if not isinstance(index, numbers.Integral) or isinstance(index, (bool, np.bool_)):
        raise InvalidParameterError(
            "best_index_ returned is not an integer: the 'refit' callable of "
            f"ScoutSearchCV returned {index!r}; it must return the int index of a row "
            f"of cv_results_ (0 to {n_rows - 1})."
        )
    if not 0 <= int(index) < n_rows:
        # An IndexError, as GridSearchCV's, for code that catches it.
        raise IndexError(
            "best_index_ index out of range: the 'refit' callable of ScoutSearchCV "
            f"returned {index!r}, but cv_results_ has {n_rows} rows (0 to "
            f"{n_rows - 1})."
        )
    return index  # unchanged, as GridSearchCV keeps it (an int or a numpy integer)


def refuse_a_partial_choice(index: Any, results: Mapping[str, Any], plan: RungPlan) -> None:
    """Refuse a refit callable's row that was not evaluated at max_resource.

    Only those trials can be the best: a PRUNED row's scores are on a
    partial budget, and with a parameter as resource its params hold the
    parameter at that rung's value (the refit would fit ``max_iter=1``).
    """
    full = plan.ladder[-1]
    at = results["n_resources"][index]
    if at == full:
        return
    at = at.item() if hasattr(at, "item") else at
    raise ValueError(
        f"The 'refit' callable of ScoutSearchCV chose row {int(index)} of cv_results_ "
        f"(trial {int(results['trial_number'][index])}, {results['state'][index]}), "
        f"which was evaluated at n_resources={at!r}, not at max_resource={full!r}: "
        "only trials evaluated at max_resource can be the best, and its params "
        "and scores are those of a partial budget. Choose among the rows where "
        "cv_results_['n_resources'] == max_resource (their 'state' is COMPLETE)."
    )


def objective_metric(
    several: Objectives | None, objectives: Any, refit: Any, scoring: Any
) -> str | None:
    """The metric whose mean test score is each trial's value (None: the first).

    ``several`` is ``objectives`` checked, when it is a dict of several.
    """
    if several is not None:
        # A value is maximised (study_.best_trial, the progress bar): the
        # refit's objective when it is a maximised scorer metric, else the
        # first objective that is one, else the first metric of scoring.
        maximised = several.maximised_scored_columns
        if isinstance(refit, str) and refit in several.names:
            column = several.columns[several.index(refit)]
            if column in maximised:
                return column
        return maximised[0] if maximised else None
    if isinstance(objectives, str):
        multimetric = isinstance(scoring, (list, tuple, dict)) or callable(scoring)
        return objectives if multimetric else None
    return refit if isinstance(refit, str) else None


def value_metric_name(
    several: Objectives | None, objectives: Any, refit: Any, scoring: Any
) -> str | None:
    """The metric of the trials' values, named when several are scored."""
    if isinstance(scoring, (list, tuple, dict)):
        return objective_metric(several, objectives, refit, scoring) or str(
            next(iter(scoring))
        )
    if callable(scoring) and isinstance(objectives, str):
        return objectives
    return None


def metric_name(refit: Any, scoring: Any) -> str:
    """The name of the metric ``best_score_`` is the mean test score of."""
    if isinstance(refit, str):
        return refit
    if isinstance(scoring, str):
        return scoring
    if isinstance(scoring, (list, tuple, dict)):
        return str(next(iter(scoring)))
    return "score"


def tell_best(
    narrator: Narrator,
    study: Study,
    *,
    best_index: int | None,
    best_params: Any,
    best_score: float | None,
    cv_results: Mapping[str, Any],
    n_on_front: int,
    several: Objectives | None,
    objectives: Any,
    refit: Any,
    scoring: Any,
) -> None:
    """Log the best trial in full, once, at the end (``verbose >= 1``).

    ``best_index`` is None when no best trial was chosen (``refit=False``
    with several metrics or objectives).
    """
    if several is not None and best_index is not None:
        number = int(cv_results["trial_number"][best_index])
        narrator.best(
            number,
            best_params,
            score=best_score,
            metric=refit if isinstance(refit, str) else "score",
            chosen_by=f"refit={refit!r} on the Pareto front of {n_on_front} trials"
            if isinstance(refit, str)
            else "chosen by the refit callable",
        )
    elif several is not None:
        return
    elif best_index is not None:
        number = int(cv_results["trial_number"][best_index])
        narrator.best(
            number,
            best_params,
            score=best_score,
            metric=metric_name(refit, scoring),
            chosen_by="chosen by the refit callable" if callable(refit) else None,
        )
    elif any(t.has_value for t in study.trials):  # several metrics, no refit
        best = study.best_trial
        narrator.best(
            best.number,
            best.params,
            score=best.value,
            metric=value_metric_name(several, objectives, refit, scoring)
            or metric_name(refit, scoring),
            chosen_by="the highest value; refit=False",
        )


def timed_refit(
    best: Any, X: Any, y: Any, fit_params: Mapping[str, Any], events: TaskEvents | None
) -> float:
    """Fit ``best`` on all the data (inside ``events``' refit, if any); its seconds."""

    def refit() -> None:
        if y is None:
            best.fit(X, **fit_params)
        else:
            best.fit(X, y, **fit_params)

    start = time.perf_counter()
    if events is None:
        refit()
    else:
        events.refit(best, refit)
    return time.perf_counter() - start
