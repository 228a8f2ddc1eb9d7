"""The steps of ScoutSearchCV.fit: its checks, data, study, runner, run and results.

``fit`` calls them in order, every check before any fit:
:func:`check_params` (the parameters alone, and several objectives
together), :func:`check_metrics`, :func:`checked_space`,
:func:`checked_sampler`, :func:`checked_data` (X, y, metadata, routing,
splits, the validation rows); then :func:`open_study`, :func:`task_events`
and :func:`fold_runner` prepare the search, :func:`run_trials` runs it and
:func:`finish` sets the fitted attributes from the finished trials (with
several objectives, the Pareto front and refit's choice on it);
:func:`log_best` logs the best trial.

Each takes the search as ``search``, typed Any: this layer may not import
``_search``. ``resolve_n_trials`` and ``resolve_pruning`` stay called from
``fit`` itself, whose caller their warnings name, and ``finish`` is called
from ``fit`` for the same reason (the warning about failed fits).
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.utils import indexable

from scout_sklearn._compat import TaskEvents, is_multimetric_scorer, slice_method_params
from scout_sklearn._constraints import validate_params
from scout_sklearn._evaluate import FoldRunner
from scout_sklearn._loop import Budget, Pruning, run_search
from scout_sklearn._pareto import (
    Objectives,
    OneStandardError,
    check_objectives,
    pareto_summary,
    refit_index,
)
from scout_sklearn._results import RungPlan, build_cv_results, metric_names
from scout_sklearn._search_checks import (
    CONSTRAINTS,
    check_callbacks,
    check_clonable,
    check_fit_data,
    check_fit_params_accepted,
    check_objective,
    check_param_names,
    check_pre_dispatch,
    check_scoring_and_refit,
    checked_splits,
    resolve_sampler,
    space_argument,
)
from scout_sklearn._search_pruning import check_halving_words
from scout_sklearn._search_selection import (
    called_refit_index,
    objective_metric,
    refuse_a_partial_choice,
    refuse_stored_failures,
    require_a_complete_trial,
    tell_best,
    timed_refit,
    value_metric_name,
    warn_about_missing_train_scores,
    warn_or_raise_about_failures,
)
from scout_sklearn._search_study import (
    check_stored_layout,
    default_study_name,
    fingerprint,
    resolve_seed,
)
from scout_sklearn._study import Study
from scout_sklearn._trial import Trial
from scout_sklearn._validation import (
    Validation,
    check_early_stopping_has_rows,
    refit_iterations,
    resolve_validation,
)
from scout_sklearn._verbose import Narrator
from scout_sklearn.distributions import SearchSpace
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.reporting import Progress, logger, verbose_logging
from scout_sklearn.samplers import Sampler
from scout_sklearn.storage import MemoryStorage
from scout_sklearn.storage._open import open_storage

__all__ = [
    "FitData",
    "check_metrics",
    "check_params",
    "check_several_objectives",
    "checked_data",
    "checked_sampler",
    "checked_space",
    "finish",
    "fold_runner",
    "log_best",
    "log_interrupted",
    "open_study",
    "run_trials",
    "task_events",
]


@dataclasses.dataclass(frozen=True)
class FitData:
    """Fit's data, checked: what the study, the runner and the refit take."""

    X: Any
    y: Any
    #: fit's metadata, sliced as scikit-learn slices it.
    params: dict[str, Any]
    #: scikit-learn's routed params (``routed.estimator.fit``, ...).
    routed: Any
    #: The cv's (train, test) splits, as the fingerprint describes them.
    splits: list[Any]
    #: What the folds fit and score: ``splits`` without the validation rows.
    folds: list[Any]
    validation: Validation | None


# -- before any fit -------------------------------------------------------------
def check_params(search: Any) -> Objectives | None:
    """The parameters alone, the estimator's clone; several objectives, checked."""
    owner = type(search).__name__
    check_halving_words(search.min_resource, search.max_resource, owner)
    validate_params(owner, search.get_params(deep=False), CONSTRAINTS)
    check_clonable(search.estimator, owner)
    check_pre_dispatch(
        search.pre_dispatch, effective_n_jobs(search.n_jobs), owner, search.timeout
    )
    check_callbacks(search.callbacks, owner)
    return check_several_objectives(search)


def check_several_objectives(search: Any) -> Objectives | None:
    """A dict of objectives, checked with scoring, refit and pruner; else None."""
    owner = type(search).__name__
    if not isinstance(search.objectives, Mapping):
        if isinstance(search.refit, OneStandardError):
            raise InvalidParameterError(
                f"The 'refit' parameter of {owner} is "
                f"{search.refit!r}, but objectives={search.objectives!r} is not a "
                "dict of several objectives: the rule chooses among the Pareto "
                "front. Give objectives as a dict, or refit a metric's name."
            )
        if search.constraints is not None:
            raise InvalidParameterError(
                f"The 'constraints' parameter of {owner} is "
                f"{search.constraints!r}, but objectives={search.objectives!r} is "
                "not a dict of several objectives: constraints bound which "
                "trials may enter a Pareto front. Give objectives as a dict, "
                "or leave constraints=None."
            )
        return None
    return check_objectives(
        search.objectives,
        scoring=search.scoring,
        refit=search.refit,
        pruner=search.pruner,
        owner=owner,
        constraints=search.constraints,
    )


def check_metrics(search: Any) -> None:
    """``scoring``, ``refit`` and ``objectives`` together (after :func:`check_params`)."""
    owner = type(search).__name__
    check_scoring_and_refit(
        search.scoring,
        search.refit,
        several_objectives=search._objectives is not None,
        owner=owner,
    )
    check_objective(search.objectives, search.scoring, owner)


def checked_space(search: Any) -> SearchSpace:
    """The search space of ``param_grid`` or ``param_distributions``, names checked."""
    space_name, space_spec = space_argument(
        search.param_grid, search.param_distributions, type(search).__name__
    )
    space = SearchSpace.from_user(space_spec, name=space_name)
    check_param_names(search.estimator, space, space_name)
    return space


def checked_sampler(search: Any, space: SearchSpace) -> Sampler:
    """The sampler ``sampler`` resolves to, having checked the space."""
    sampler = resolve_sampler(
        search.sampler,
        search.n_trials,
        search.timeout,
        space,
        search._objectives,
        type(search).__name__,
    )
    sampler.check_space(space)
    return sampler


def checked_data(search: Any, X: Any, y: Any, params: dict[str, Any]) -> FitData:
    """X, y, the metadata, its routing and the splits; checked, before any fit.

    Sets ``search.n_splits_`` once the splitter is checked, and
    ``search._validation`` once the validation rows are carved.
    """
    owner = type(search).__name__
    check_fit_data(X, y, params)
    X, y = indexable(X, y)
    params = slice_method_params(X, params, None)
    routed = _routed_params(search, params)
    check_fit_params_accepted(search.estimator, routed.estimator.fit)
    cv, search.n_splits_, splits = checked_splits(
        search.cv, search.estimator, X, y, routed.splitter.split, owner
    )
    _check_split_count(cv, splits, search.n_splits_)
    folds, validation = splits, None
    if search.validation is not None:
        validation, folds = resolve_validation(
            search.validation,
            search.estimator,
            X,
            y,
            splits,
            routed.estimator.fit,
            groups=routed.splitter.split.get("groups"),
        )
    else:
        check_early_stopping_has_rows(
            search.estimator, routed.estimator.fit, _searched_names(search)
        )
    search._validation = validation
    return FitData(X, y, params, routed, splits, folds, validation)


def _searched_names(search: Any) -> set[str]:
    """The parameter names the search's space sets (any of its dicts)."""
    spaces = (
        search.param_grid if search.param_grid is not None else search.param_distributions
    )
    dicts = spaces if isinstance(spaces, (list, tuple)) else [spaces]
    return {name for d in dicts if isinstance(d, Mapping) for name in d}


def _routed_params(search: Any, params: Mapping[str, Any]) -> Any:
    try:
        return search._get_routed_params_for_fit(params)
    except (ValueError, TypeError) as error:
        # scikit-learn's routing error (an unrequested or unknown fit
        # parameter): its type and message, which name the parameter,
        # raised from here rather than from inside scikit-learn.
        raise error.with_traceback(None) from None


def _check_split_count(cv: Any, splits: list[Any], n_splits: int) -> None:
    if len(splits) != n_splits:
        raise ValueError(
            "cv.split and cv.get_n_splits return inconsistent results. Expected "
            f"{n_splits} splits, got {len(splits)}"
        )
    if not splits:
        raise ValueError(
            "No fits were performed. Was the CV iterator empty? Were there no "
            f"candidates? The cv splitter {cv!r} gave no (train, test) split."
        )


# -- the search -----------------------------------------------------------------
def open_study(
    search: Any,
    space: SearchSpace,
    sampler: Sampler,
    data: FitData,
    pruning: Pruning | None,
) -> Study:
    """The study in ``storage`` (in memory when None), created or resumed."""
    storage = (
        MemoryStorage()
        if search.storage is None
        else open_storage(search.storage, owner=type(search).__name__)
    )
    name = search.study_name or default_study_name(search.estimator)
    seed = resolve_seed(search.random_state)
    if (
        seed is not None
        and not isinstance(search.random_state, numbers.Integral)
        and storage.load_study(name) is not None
    ):
        # A RandomState gives a new seed at every fit: the study keeps the
        # seed drawn when it was created, and fit again resumes it.
        seed = None
    study = Study(
        space,
        sampler=sampler,
        storage=storage,
        name=name,
        seed=seed,
        load_if_exists=search.load_if_exists,
        fingerprint=(
            None
            if search.storage is None
            else fingerprint(
                search.estimator,
                data.X,
                data.y,
                data.splits,
                data.params,
                scoring=search.scoring,
                objectives=search.objectives,
                pruning=pruning,
                constraints=search.constraints,
            )
        ),
        ignore_fingerprint=search.ignore_fingerprint,
    )
    check_stored_layout(study, len(data.splits), search.scoring, pruning)
    refuse_stored_failures(study, search.error_score)
    return study


def task_events(search: Any, data: FitData) -> TaskEvents:
    """scikit-learn's callback events of this fit (its root task begins here)."""
    sample_weight = data.params.get("sample_weight")
    return TaskEvents(
        search,
        data.X,
        data.y,
        None if sample_weight is None else {"sample_weight": sample_weight},
    )


def fold_runner(
    search: Any, data: FitData, scorers: Any, study: Study, events: TaskEvents
) -> FoldRunner:
    """What runs the folds on the joblib workers."""
    caller = events.caller()
    return FoldRunner(
        clone(search.estimator),
        data.X,
        data.y,
        scorer=scorers,
        fit_params=data.routed.estimator.fit,
        score_params=data.routed.scorer.score,
        return_train_score=search.return_train_score,
        error_score=search.error_score,
        n_jobs=search.n_jobs,
        pre_dispatch=search.pre_dispatch,
        ask_ahead=not study.sampler._learns_from_results(),
        caller=caller,
        evaluation_context=None if caller is None else events.evaluation_context,
        validation=data.validation,
        inner_max_num_threads=search.inner_max_num_threads,
    )


def run_trials(
    search: Any,
    study: Study,
    runner: FoldRunner,
    events: TaskEvents,
    narrator: Narrator,
    *,
    sampler: Sampler,
    space: SearchSpace,
    n_trials: int | None,
    folds: list[Any],
    pruning: Pruning | None,
) -> tuple[str, KeyboardInterrupt | None]:
    """Run the search with its progress bar; why it stopped, and the interrupt if any."""
    interrupted: KeyboardInterrupt | None = None
    before = [t for t in study.trials if t.is_finished]
    with verbose_logging(search.verbose):
        progress = Progress(
            n_trials,
            history=[(t.state.name, t.value, t.number) for t in before],
            enabled=bool(search.verbose),
            timeout=search.timeout,
        )
        try:
            with runner, study.keep_alive():
                reason = _search_trials(
                    search,
                    study,
                    runner,
                    events,
                    narrator,
                    progress,
                    sampler=sampler,
                    space=space,
                    n_trials=n_trials,
                    folds=folds,
                    pruning=pruning,
                    n_before=len(before),
                )
        except KeyboardInterrupt as exc:
            interrupted, reason = exc, "interrupted"
        finally:
            progress.close()
    return reason, interrupted


def _search_trials(
    search: Any,
    study: Study,
    runner: FoldRunner,
    events: TaskEvents,
    narrator: Narrator,
    progress: Progress,
    *,
    sampler: Sampler,
    space: SearchSpace,
    n_trials: int | None,
    folds: list[Any],
    pruning: Pruning | None,
    n_before: int,
) -> str:
    """The search task, between the start and the stop lines of the log; why it stopped."""
    narrator.start(
        sampler,
        space,
        runner.n_workers,
        n_trials,
        None
        if pruning is None
        else (pruning.pruner, search._resource, pruning.plan.ladder),
        objective=value_metric_name(
            search._objectives, search.objectives, search.refit, search.scoring
        ),
    )
    events.start_search(
        None if n_trials is None or pruning is not None else n_trials * search.n_splits_
    )
    start = time.monotonic()
    reason = run_search(
        study,
        runner,
        folds,
        Budget(n_trials=n_trials, timeout=search.timeout),
        metric=objective_metric(
            search._objectives, search.objectives, search.refit, search.scoring
        ),
        on_trial_finished=functools.partial(
            search._trial_finished, study, progress, narrator, list(search.callbacks or ())
        ),
        on_fold_finished=functools.partial(search._fold_finished, narrator),
        pruning=pruning,
    )
    events.end_search()
    study.release()  # trials cut short by the timeout
    narrator.stop(
        reason,
        study.trials,
        n_before=n_before,
        owner=study.owner,
        seconds=time.monotonic() - start,
    )
    return reason


def log_interrupted(study: Study, *, saved: bool) -> int:
    """Say what an interrupted search keeps; the number of its finished trials."""
    n_finished = sum(t.is_finished for t in study.trials)
    if n_finished:
        logger.warning(
            "Interrupted: keeping the %d trials finished so far%s.",
            n_finished,
            " (all saved in the storage: fit again to resume)" if saved else "",
        )
    return n_finished


# -- after the search -----------------------------------------------------------
def finish(
    search: Any,
    study: Study,
    scorers: Any,
    refit_metric: Any,
    data: FitData,
    reason: str,
    plan: RungPlan | None,
    events: TaskEvents | None = None,
) -> None:
    """Set the fitted attributes from the finished trials, and refit the best.

    Called from ``fit`` itself: the warning about failed fits names it.
    """
    finished = [t for t in study.trials if t.is_finished]
    if not finished:
        raise ValueError(
            f"No trial finished ({reason}): there are no results to choose from. "
            "Increase timeout or n_trials."
        )
    refuse_stored_failures(study, search.error_score)  # another worker's
    warn_or_raise_about_failures(finished, search.error_score)
    if search.return_train_score:
        warn_about_missing_train_scores(finished, study)
    results = build_cv_results(
        finished,
        n_splits=search.n_splits_,
        return_train_score=search.return_train_score,
        error_score=search.error_score,
        plan=plan,
        n_iterations=search._validation is not None,
    )
    refit_metric = _set_multimetric(search, metric_names(finished), refit_metric)
    if search._objectives is not None:
        _choose_on_the_front(search, results, finished)
    elif search.refit or not search.multimetric_:
        _choose_best(search, results, finished, refit_metric, reason, plan)
    if search.refit:
        _refit_best(search, results, data, events)
    search.scorer_ = dict(scorers._scorers) if is_multimetric_scorer(scorers) else scorers
    search.cv_results_ = results
    search.n_trials_ = len(finished)


def _set_multimetric(search: Any, names: list[str], refit_metric: Any) -> Any:
    """Set ``multimetric_``; the refit metric (a callable scoring's, once known)."""
    if callable(search.scoring):
        search.multimetric_ = names != ["score"]
        if search.multimetric_:
            search._check_refit_for_multimetric(names)
            return search.refit
    else:
        search.multimetric_ = not (
            search.scoring is None or isinstance(search.scoring, str)
        )
    return refit_metric


def _choose_best(
    search: Any,
    results: dict[str, Any],
    finished: list[Trial],
    refit_metric: Any,
    reason: str,
    plan: RungPlan | None,
) -> None:
    """One objective: ``best_index_``, ``best_score_`` and ``best_params_``."""
    if plan is not None:
        require_a_complete_trial(finished, plan, reason)
    # numpy scalars, as GridSearchCV's (np.int64 and np.float64: .item(),
    # .round() work on them), or what a refit callable returned.
    search.best_index_ = (
        called_refit_index(search.refit, results)
        if callable(search.refit)
        else search._select_best_index(search.refit, refit_metric, results)
    )
    if plan is not None and callable(search.refit):
        refuse_a_partial_choice(search.best_index_, results, plan)
    if not callable(search.refit):
        search.best_score_ = results[f"mean_test_{refit_metric}"][search.best_index_]
    search.best_params_ = results["params"][search.best_index_]


def _refit_best(
    search: Any, results: dict[str, Any], data: FitData, events: TaskEvents | None
) -> None:
    """``best_estimator_``: the best params refitted on all the data."""
    search.best_estimator_ = clone(search.estimator).set_params(
        **clone(search.best_params_, safe=False)
    )
    if search._validation is not None:
        # No validation rows in the refit: the best trial's rounds instead.
        search.best_n_iterations_ = refit_iterations(
            [
                results[f"split{k}_n_iterations"][search.best_index_]
                for k in range(search.n_splits_)
            ]
        )
        search.best_estimator_.set_params(
            **search._validation.refit_params(
                search.best_n_iterations_, search.best_estimator_
            )
        )
    search.refit_time_ = timed_refit(
        search.best_estimator_, data.X, data.y, data.routed.estimator.fit, events
    )
    if hasattr(search.best_estimator_, "feature_names_in_"):
        search.feature_names_in_ = search.best_estimator_.feature_names_in_


def _choose_on_the_front(search: Any, results: dict[str, Any], trials: list[Trial]) -> None:
    """Several objectives: the Pareto columns and attributes, and ``best_*``."""
    objectives = search._objectives
    assert objectives is not None
    rows = sorted(trials, key=lambda t: t.number)  # cv_results_'s order
    summary = pareto_summary(results, rows, objectives)
    results["pareto_rank"] = summary.ranks
    results["is_pareto"] = np.isin(np.arange(len(rows)), summary.front)
    if objectives.thresholds:
        results["is_feasible"] = summary.feasible
    search.pareto_front_ = summary.front
    search.hypervolume_history_ = summary.hypervolume_history
    if search.refit is False:
        return
    if len(summary.front) == 0:
        within = " within the constraints" if objectives.thresholds else ""
        raise ValueError(
            "No trial is COMPLETE with a finite value of every objective "
            f"({list(objectives.names)}){within}: there is no Pareto "
            "front to choose the refit from. Look at the failures in "
            "cv_results_" + (" and its is_feasible column." if within else ".")
        )
    if callable(search.refit):
        search.best_index_ = int(search._select_best_index(search.refit, None, results))
    else:
        search.best_index_, score = refit_index(
            search.refit,
            summary,
            objectives,
            results=results,
            n_splits=search.n_splits_,
        )
        if score is not None:
            search.best_score_ = score
    search.best_params_ = results["params"][search.best_index_]


def log_best(search: Any, narrator: Narrator) -> None:
    """Log the best trial in full, once, at the end (``verbose >= 1``)."""
    with verbose_logging(search.verbose):
        tell_best(
            narrator,
            search.study_,
            best_index=getattr(search, "best_index_", None),
            best_params=getattr(search, "best_params_", None),
            best_score=getattr(search, "best_score_", None),
            cv_results=search.cv_results_,
            n_on_front=len(getattr(search, "pareto_front_", ())),
            several=search._objectives,
            objectives=search.objectives,
            refit=search.refit,
            scoring=search.scoring,
        )
