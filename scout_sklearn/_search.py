"""ScoutSearchCV: the scikit-learn estimator shell around a study."""

from __future__ import annotations

import copy
import dataclasses
import difflib
import functools
import inspect
import numbers
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, indexable
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from scout_sklearn._compat import (
    BaseSearchCV,
    TaskEvents,
    is_multimetric_scorer,
    num_samples,
    slice_method_params,
    with_callbacks,
)
from scout_sklearn._constraints import (
    Boolean,
    Constraint,
    HasMethods,
    InstanceOf,
    Interval,
    IsCallable,
    IsNone,
    Options,
    Predicate,
    validate_params,
)
from scout_sklearn._evaluate import (
    FoldRunner,
    content_hash,
    estimator_hash,
    subsample_order,
)
from scout_sklearn._loop import Budget, Pruning, run_search
from scout_sklearn._pareto import (
    Objectives,
    check_objectives,
    check_sampler,
    pareto_summary,
    refit_index,
)
from scout_sklearn._results import (
    FOLDS,
    N_SAMPLES,
    PARAMETER,
    RungPlan,
    build_cv_results,
    metric_names,
)
from scout_sklearn._secrets import mask_url
from scout_sklearn._study import Study
from scout_sklearn._table import trials_dataframe
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn._validation import ValidationSplit, refit_iterations, resolve_validation
from scout_sklearn._verbose import Narrator
from scout_sklearn.distributions import SearchSpace, SubSpace
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import NopPruner, Pruner, make_pruner
from scout_sklearn.reporting import Progress, logger, verbose_logging
from scout_sklearn.samplers import AutoSampler, GridSampler, RandomSampler, Sampler
from scout_sklearn.samplers._registry import make_sampler
from scout_sklearn.storage import MemoryStorage, Storage
from scout_sklearn.storage._open import open_storage

__all__ = ["ScoutSearchCV"]


def _is_cv_iterable(value: object) -> bool:
    return hasattr(value, "__iter__") and not isinstance(value, (str, bytes, Mapping))


def _is_list_of_callables(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(callable(v) for v in value)


def _is_nonzero_int(value: object) -> bool:
    return (
        isinstance(value, numbers.Integral)
        and not isinstance(value, (bool, np.bool_))
        and int(value) != 0
    )


def _is_study_name(value: object) -> bool:
    # What every storage can keep (a SQL column of 255 characters); "" is the
    # default name, as None.
    return isinstance(value, str) and len(value) <= 255 and "\0" not in value


def _is_list_of_dicts(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, Mapping) for v in value)


_CONSTRAINTS: dict[str, list[Constraint]] = {
    "estimator": [HasMethods("fit", "get_params", "set_params")],
    "n_trials": [Interval(numbers.Integral, 1, None, closed="left"), IsNone()],
    "timeout": [Interval(numbers.Real, 0, None, closed="neither"), IsNone()],
    "scoring": [InstanceOf(str, list, tuple, dict), IsCallable(), IsNone()],
    "n_jobs": [
        Predicate(_is_nonzero_int, "an int other than 0 (-1 for every core)"),
        IsNone(),
    ],
    "refit": [Boolean(), InstanceOf(str), IsCallable()],
    "cv": [
        Interval(numbers.Integral, 2, None, closed="left"),
        HasMethods("split", "get_n_splits"),
        Predicate(_is_cv_iterable, "an iterable of (train, test) index pairs"),
        IsNone(),
    ],
    "verbose": [Interval(numbers.Integral, 0, None, closed="left"), Boolean()],
    "pre_dispatch": [Interval(numbers.Integral, 1, None, closed="left"), InstanceOf(str)],
    "random_state": [
        Interval(numbers.Integral, 0, 2**32 - 1),
        InstanceOf(np.random.RandomState, description="a numpy RandomState"),
        IsNone(),
    ],
    "error_score": [
        Options({"raise"}),
        InstanceOf(numbers.Real, description="a real number (np.nan included)"),
    ],
    "return_train_score": [Boolean()],
    "storage": [InstanceOf(str, Storage), IsNone()],
    "study_name": [
        Predicate(_is_study_name, "a str of at most 255 characters without NUL"),
        IsNone(),
    ],
    "load_if_exists": [Boolean()],
    "ignore_fingerprint": [Boolean()],
    "pruner": [InstanceOf(str, Pruner), IsNone()],
    "resource": [InstanceOf(str), IsNone()],
    "min_resource": [Interval(numbers.Real, 0, None, closed="neither"), IsNone()],
    "max_resource": [Interval(numbers.Real, 0, None, closed="neither"), IsNone()],
    "callbacks": [
        Predicate(_is_list_of_callables, "a list of callables callback(study, trial)"),
        IsNone(),
    ],
    "enqueue": [
        Predicate(_is_list_of_dicts, "a list of dicts of params to evaluate first"),
        IsNone(),
    ],
    "objectives": [
        InstanceOf(str, description="a str (the name of one metric of scoring)"),
        InstanceOf(dict, description="a dict {metric: 'maximize' or 'minimize'}"),
        IsNone(),
    ],
    "validation": [InstanceOf(ValidationSplit), IsNone()],
    "inner_max_num_threads": [
        Options({"auto"}),
        Interval(numbers.Integral, 1, None, closed="left"),
        IsNone(),
    ],
}

# The seed stream of the n_samples subsamples, apart from the trials' streams
# ([seed, number]): the subsample of fold k is drawn from [seed, k, _SUBSAMPLE].
_SUBSAMPLE = 0x5AB5


class ScoutSearchCV(BaseSearchCV):  # type: ignore[misc]
    """Hyperparameter search with cross-validation: a drop-in GridSearchCV.

    It takes GridSearchCV's parameters and gives its fitted attributes and
    ``cv_results_``, so it fits wherever GridSearchCV does (in a Pipeline,
    in ``cross_val_score``, with metadata routing). Behind that interface a
    sampler decides which params to try next, and folds run asynchronously
    on every joblib worker: a free worker takes the next fold at once rather
    than waiting for a batch.

    With ``sampler=None`` and ``n_trials=None`` it evaluates the whole grid,
    exactly like GridSearchCV; give ``n_trials`` (or ``timeout``) to sample.

    Parameters
    ----------
    estimator : estimator object
        Implements ``fit``; cloned for every fold.
    param_distributions : dict or list of dicts, default=None
        Parameter names (as ``estimator.get_params()`` spells them, e.g.
        ``"svc__C"``) mapped to a list of values, a scipy.stats distribution,
        or :class:`Float`, :class:`Int`, :class:`Categorical`. A list of
        dicts is a conditional space: each trial takes its params from one
        dict. An empty dict is one trial with the estimator's own params.
        Names are checked before any fit: a name that ``get_params()`` does
        not list is tried on a clone with ``set_params``.
    param_grid : dict or list of dicts, default=None
        The same argument under GridSearchCV's name, so that
        ``ScoutSearchCV(estimator=..., param_grid=...)`` runs unchanged;
        give ``param_grid`` or ``param_distributions`` (positionally: the
        second argument), not both. ``get_params()`` lists both names, the
        one not given as None, so ``clone`` rebuilds the same search.
    sampler : str or Sampler, default=None
        Decides each trial's params: a Sampler instance or one of the names
        "tpe", "gp", "random", "grid", "cmaes", "qmc", "annealing", "auto".
        None evaluates the whole grid when ``n_trials`` and ``timeout`` are
        None (every parameter must then be finite), as GridSearchCV does;
        otherwise it is :class:`~scout_sklearn.samplers.AutoSampler`: a
        Gaussian process on every kind of space (numeric, categorical,
        conditional) for the first 200 complete trials, TPE after.
    n_trials : int, default=None
        Number of trials (params evaluated on every fold). None runs every
        params of a finite sampler (the whole grid), or until ``timeout``.
    timeout : float, default=None
        Seconds after which no new fold starts. The first fold result that
        comes back after the limit ends the search: folds still running are
        cancelled, and their trials stay unfinished (RUNNING, out of
        ``cv_results_``; with a ``storage``, a resumed search completes them
        from the folds they finished).
    scoring : str, callable, list, tuple or dict, default=None
        As in GridSearchCV; several metrics give multi-metric results.
    n_jobs : int, default=None
        Number of joblib workers; -1 uses every core. Any joblib backend
        chosen with ``joblib.parallel_config`` is used.
    refit : bool, str or callable, default=True
        Refit the best params on the whole data, as in GridSearchCV (a metric
        name with multi-metric scoring, or a callable choosing the index).
        With several metrics, a metric name is also what the sampler
        optimises, unless ``objectives`` names another; with ``refit=False``
        or a callable, the sampler optimises ``objectives``, or the first
        metric of ``scoring`` when it is None.
    cv : int, cross-validation generator or iterable, default=None
        As in GridSearchCV (5-fold, stratified for classifiers, when None).
    verbose : int, default=0
        0 is silent. 1 shows a progress bar (trials done out of the total,
        ETA, best score and params so far, PRUNED and FAILED counts) and
        logs the start and the end of the search; 2 adds one log line per
        finished trial; 3 one per finished fold. Messages go to the
        ``scout_sklearn`` logger (shown on stderr when nobody configured
        logging); the bar is drawn on stderr, or as a notebook widget.
    pre_dispatch : int or str, default="2*n_jobs"
        Number of tasks dispatched ahead to joblib workers.
    random_state : int, RandomState instance or None, default=None
        Seeds the sampler: with the same seed, data and ``cv``, the grid and
        random samplers give the same trials whatever ``n_jobs``.
    error_score : "raise" or float, default=np.nan
        Score given to a fold whose fit raises; such a trial is FAILED and
        the search goes on (with one warning summarising the failures).
        "raise" re-raises the error.
    return_train_score : bool, default=False
        Also score each fold's training part.
    storage : str or Storage, default=None
        Where the trials are kept. None keeps them in memory for this fit
        only. A database URL (``"sqlite:///scout.db"``,
        ``"postgresql+psycopg://user@host/db"``, ``"mysql+pymysql://..."``)
        or a :class:`~scout_sklearn.storage.Storage` keeps every fold as it
        finishes: a killed search resumes where it stopped when ``fit`` is
        called again, and several processes or hosts running the same search
        on one storage share its trials.
    study_name : str, default=None
        Name of the study in ``storage``; derived from the estimator when None
        (e.g. ``"Pipeline(standardscaler,svc)"``).
    load_if_exists : bool, default=True
        Resume the study of that name if the storage has it; when False, an
        existing study is an error.
    ignore_fingerprint : bool, default=False
        A stored study remembers what defines it (data, estimator, CV splits,
        scoring, random_state, pruning); resuming it with a different one is
        an error that names what changed, unless this is True. The search
        space must always match.
    pruner : str or Pruner, default=None
        Stops unpromising trials early: each trial is evaluated at growing
        budgets of ``resource`` (rungs), and after each rung the pruner lets
        it go on, stops it (PRUNED) or pauses it. A
        :class:`~scout_sklearn.pruners.Pruner` instance or one of the names
        "hyperband", "successive_halving" (also "sha", "asha"), "median".
        None or "none" evaluates every trial on whole training folds, as
        GridSearchCV does. See Notes.
    resource : str, default=None
        What grows from rung to rung (with a pruner only):

        - "n_samples" (what None means with a pruner): each fold fits on a
          subsample of ``resource`` rows of its training part, the same rows
          for every trial, each rung's rows containing the previous rung's,
          stratified by class for a classifier; the validation part is never
          subsampled.
        - the name of an estimator parameter, as ``get_params()`` spells it
          ("max_iter", "n_estimators", "svc__max_iter" in a pipeline): each
          rung sets it. Where the estimator (or its pipeline step) has
          ``warm_start``, a promoted trial continues its previous rung's fit.
        - "folds": rung ``r`` has run the first ``ladder[r]`` CV folds, and
          trials are compared by their mean over those folds.
    min_resource : int or float, default=None
        The resource of the first rung. None: ``2 * n_splits * n_classes``
        training rows for "n_samples" (``2 * n_splits`` for a regressor, at
        most the smallest training fold), as HalvingRandomSearchCV's
        "smallest"; 1 for a parameter and for "folds".
    max_resource : int or float, default=None
        The resource of the last rung: the full budget, at which every
        COMPLETE trial is evaluated. None: whole training folds for
        "n_samples" (the largest fold's size), the estimator's own value of
        the parameter (e.g. 100 for HistGradientBoostingClassifier's
        max_iter), the number of CV splits for "folds" (the only value it
        accepts).
    callbacks : list of callables, default=None
        Each is called as ``callback(study, trial)`` after every trial that
        finishes (COMPLETE, PRUNED or FAILED), in the process running
        ``fit``. ``study.stop()`` stops the search: no new trial starts and
        ``fit`` returns with what finished. See
        :class:`~scout_sklearn.callbacks.EarlyStopping`.
    enqueue : list of dicts, default=None
        Params evaluated first, before the sampler is asked (for example the
        estimator's defaults, or the best params of an earlier search). Each
        must lie in the search space; they count towards ``n_trials``. When
        a stored study is resumed, params it already holds are not queued
        again.
    objectives : str or dict, default=None
        The metric the sampler optimises, one of ``scoring``'s names: each
        trial's value (what the sampler maximises, what a pruner compares,
        ``study_.best_trial``, the progress bar's best) is its mean test
        score. None: refit's metric when ``refit`` names one, else the first
        metric of ``scoring`` (``refit=False`` or a callable). A single
        metric needs none. Checked before any fit (with a callable
        ``scoring``, whose names are known only once it has scored, at the
        first fold). A stored study remembers it: resuming with another
        is a fingerprint mismatch. ``best_*`` still follow ``refit``.

        A dict ``{metric: "maximize" or "minimize"}`` of 2 or 3 entries is a
        multi-objective search: the result is a Pareto front (see Notes and
        the user guide). Its metrics are names of ``scoring`` ("score", or
        the one name, for a single metric) or the built-in measures
        "fit_time" (the mean fit seconds over the folds) and "score_time"
        (the mean over the folds of score seconds per test sample).
    validation : ValidationSplit, default=None
        Per-fold early stopping: each fold carves a validation split from
        its training part (never its test part) and hands it to the
        estimator's validation fit parameter (``eval_set``, ``eval_X``,
        ``X_val``...). The rounds each fold kept are recorded, shown in
        ``cv_results_`` and used by the refit. See
        :class:`~scout_sklearn.ValidationSplit`.
    inner_max_num_threads : "auto", int or None, default="auto"
        Threads each fold may use inside its fit (BLAS and OpenMP pools,
        limited with threadpoolctl, and an estimator's own ``n_jobs``,
        ``nthread``, ``num_threads`` or ``thread_count`` when set to -1 or
        above it). ``"auto"``: the cores divided by the search's workers
        when there are several (so workers x threads do not exceed the
        cores, with any joblib backend), no limit with one worker. An int:
        that many per fold (at most the cores). None: leave the threads alone.

    Attributes
    ----------
    cv_results_ : dict of numpy (masked) ndarrays
        One row per finished trial, in GridSearchCV's layout, plus
        ``trial_number`` and ``state`` columns (and ``n_resources`` with a
        pruner).
    best_estimator_ : estimator
        Refitted on all the data with the best params (``refit`` not False).
    best_score_ : float
        Mean cross-validated score of the best trial.
    best_params_ : dict
        Params of the best trial.
    best_index_ : int
        Row of the best trial in ``cv_results_``.
    scorer_ : callable or dict
        The scorer(s) used.
    n_splits_ : int
        Number of CV splits.
    refit_time_ : float
        Seconds spent refitting the best params.
    multimetric_ : bool
        Whether several metrics were scored.
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers, with ``refit``).
    n_features_in_ : int
        Number of features seen during fit (with ``refit``).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names seen during fit, when X has string column names.
    study_ : Study
        Every trial of the search, with per-fold scores and timings.
    n_trials_ : int
        Number of finished trials.
    best_n_iterations_ : int or None
        With ``validation``: the rounds the refit trained for (the median
        over the best trial's folds), None when the estimator reported none.
    pareto_front_ : ndarray of int
        With several ``objectives``: the rows of ``cv_results_`` of the
        non-dominated trials (``pareto_rank`` 1), ordered by the first
        objective's mean, ascending.
    hypervolume_history_ : ndarray of float
        With several ``objectives``: after each row of ``cv_results_`` (in
        trial order), the hypervolume of the front of the COMPLETE trials so
        far, in the objectives normalised to [0, 1] (min-max over every
        COMPLETE trial, 0 the best) with the reference point 1.1 in each.

    See Also
    --------
    sklearn.model_selection.GridSearchCV : Exhaustive search over a grid.
    sklearn.model_selection.RandomizedSearchCV : Random search.
    sklearn.model_selection.HalvingRandomSearchCV : Synchronous successive halving.

    Notes
    -----
    **Pruning.** The rungs are the pruner's ladder from ``min_resource`` to
    ``max_resource`` (Hyperband and successive halving with
    ``reduction_factor=3`` over 10 to 300 give 10, 30, 90, 300). Trials move
    up rungs asynchronously: a free worker takes, in order, the next fold of
    a rung already running, a rung of a trial just promoted, a new trial;
    nobody waits for a rung to fill. Trials still paused when nothing else
    can run are PRUNED. Only trials evaluated at ``max_resource`` (COMPLETE)
    can be the best: ``cv_results_`` ranks every PRUNED trial after them.
    Each row shows the trial's last rung (its folds, its means, and
    ``n_resources``); with a parameter as resource, ``params`` and
    ``best_params_`` include it at that rung's value, as in
    HalvingRandomSearchCV, so the refit uses ``max_resource``. Per-rung
    scores stay in ``study_.trials`` (each fold result has its ``rung``).
    Samplers learn from one rung at a time, never from scores at different
    budgets side by side: the highest rung where at least
    ``max(5, n_params + 1)`` trials have a value.

    **Several objectives.** With ``objectives`` a dict, ``cv_results_``
    gains ``pareto_rank`` (non-dominated sorting of the COMPLETE trials'
    mean objectives: 1 is the front; a trial that is not COMPLETE, or has a
    NaN objective, ranks after all others) and ``is_pareto``. ``refit``
    chooses on the front: an objective's name (the front's best on it;
    ``best_score_`` is its mean), ``"knee"`` (the front's trial nearest the
    ideal point in the normalised objectives; ``best_score_`` is not set, as
    for a callable), a callable over ``cv_results_`` returning
    ``best_index_``, or False. Each trial's ``value`` (what the progress bar
    and ``study_.best_trial`` show, maximised) is the mean test score of the
    refit objective when it is a maximised scorer metric, else of the first
    objective that is one, else of the first metric of ``scoring``. Samplers
    that learn from that single value (TPE, GP, CMA-ES,
    annealing, auto) are refused, and ``sampler=None`` with ``n_trials``
    samples at random ("grid" and "random" work unchanged; multi-objective
    TPE and NSGA-II come later); so are pruners, which compare one value.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from scout_sklearn import Float, ScoutSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = ScoutSearchCV(
    ...     SVC(), {"C": Float(1e-2, 1e2, log=True), "kernel": ["rbf", "linear"]},
    ...     n_trials=10, cv=3, random_state=0,
    ... ).fit(X, y)
    >>> search.best_score_ > 0.9
    True
    >>> len(search.cv_results_["params"])
    10

    With a pruner, trials start on small subsamples of the training folds and
    only the promising ones reach whole folds:

    >>> pruned = ScoutSearchCV(
    ...     SVC(), {"C": Float(1e-2, 1e2, log=True)}, n_trials=10, cv=3,
    ...     pruner="successive_halving", random_state=0,
    ... ).fit(X, y)
    >>> sorted(set(pruned.cv_results_["n_resources"].tolist()))
    [18, 54, 100]
    >>> str(pruned.cv_results_["state"][pruned.best_index_])
    'COMPLETE'
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any = None,
        *,
        param_grid: Any = None,
        sampler: str | Sampler | None = None,
        n_trials: int | None = None,
        timeout: float | None = None,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: Any = True,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        storage: str | Storage | None = None,
        study_name: str | None = None,
        load_if_exists: bool = True,
        ignore_fingerprint: bool = False,
        pruner: str | Pruner | None = None,
        resource: str | None = None,
        min_resource: float | None = None,
        max_resource: float | None = None,
        callbacks: list[Any] | None = None,
        enqueue: list[dict[str, Any]] | None = None,
        objectives: str | Mapping[str, str] | None = None,
        validation: ValidationSplit | None = None,
        inner_max_num_threads: int | str | None = "auto",
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.param_grid = param_grid
        self.sampler = sampler
        self.n_trials = n_trials
        self.timeout = timeout
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.verbose = verbose
        self.pre_dispatch = pre_dispatch
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score
        self.storage = storage
        self.study_name = study_name
        self.load_if_exists = load_if_exists
        self.ignore_fingerprint = ignore_fingerprint
        self.pruner = pruner
        self.resource = resource
        self.min_resource = min_resource
        self.max_resource = max_resource
        self.callbacks = callbacks
        self.enqueue = enqueue
        self.objectives = objectives
        self.validation = validation
        self.inner_max_num_threads = inner_max_num_threads

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:
        # What a console, a log or a traceback shows: the storage URL's
        # password masked. get_params() keeps the real URL, for clone().
        shown: str = super(ScoutSearchCV, self._for_display()).__repr__(N_CHAR_MAX)
        return shown

    def _get_params_html(self, deep: bool = True, doc_link: str = "") -> Any:
        # The parameter table of the HTML view (a notebook's display).
        shown = super(ScoutSearchCV, self._for_display())
        return shown._get_params_html(deep=deep, doc_link=doc_link)  # type: ignore[attr-defined]

    def _for_display(self) -> ScoutSearchCV:
        """A shallow copy whose ``storage`` URL has its password masked."""
        shown = copy.copy(self)
        if isinstance(self.storage, str):
            shown.storage = mask_url(self.storage)
        return shown

    @with_callbacks
    def fit(self, X: Any, y: Any = None, **params: Any) -> ScoutSearchCV:
        """Run the search, then refit the best params on all the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (or a precomputed kernel / distance matrix).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets; None for unsupervised estimators.
        **params : dict
            Metadata: ``groups`` for the splitter, ``sample_weight`` and other
            fit parameters for the estimator (routed as scikit-learn routes
            them, with or without ``enable_metadata_routing``).

        Returns
        -------
        self : ScoutSearchCV
            The fitted search.
        """
        validate_params(type(self).__name__, self.get_params(deep=False), _CONSTRAINTS)
        _check_clonable(self.estimator, type(self).__name__)
        self._objectives = self._check_several_objectives()
        self._check_scoring_and_refit()
        self._check_objectives()
        space_name, space_spec = self._space_argument()
        space = SearchSpace.from_user(space_spec, name=space_name)
        check_param_names(self.estimator, space, space_name)
        sampler = self._resolve_sampler(space)
        sampler.check_space(space)
        n_trials = self._resolve_n_trials(sampler, space)
        self._check_enqueue(space, n_trials)
        scorers, refit_metric = self._get_scorers()

        _check_fit_data(X, y, params)
        X, y = indexable(X, y)
        params = slice_method_params(X, params, None)
        try:
            routed = self._get_routed_params_for_fit(params)
        except (ValueError, TypeError) as error:
            # scikit-learn's routing error (an unrequested or unknown fit
            # parameter): its type and message, which name the parameter,
            # raised from here rather than from inside scikit-learn.
            raise error.with_traceback(None) from None
        _check_fit_params_accepted(self.estimator, routed.estimator.fit)
        split_params = routed.splitter.split
        cv, self.n_splits_, splits = self._split(X, y, split_params)
        if len(splits) != self.n_splits_:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. Expected "
                f"{self.n_splits_} splits, got {len(splits)}"
            )
        if not splits:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? Were there no "
                f"candidates? The cv splitter {cv!r} gave no (train, test) split."
            )
        fingerprinted_splits = splits
        validation = None
        if self.validation is not None:
            validation, splits = resolve_validation(
                self.validation, self.estimator, X, y, splits, routed.estimator.fit
            )
        self._validation = validation
        pruning = self._resolve_pruning(space, y, splits)

        storage = (
            MemoryStorage()
            if self.storage is None
            else open_storage(self.storage, owner=type(self).__name__)
        )
        study = Study(
            space,
            sampler=sampler,
            storage=storage,
            name=self.study_name or default_study_name(self.estimator),
            seed=self._resolve_seed(),
            load_if_exists=self.load_if_exists,
            fingerprint=(
                None
                if self.storage is None
                else self._fingerprint(X, y, fingerprinted_splits, params, pruning)
            ),
            ignore_fingerprint=self.ignore_fingerprint,
        )
        if pruning is not None and pruning.plan.kind == N_SAMPLES:
            pruning = self._with_subsamples(pruning, y, splits, study.seed)
        self._queue_enqueued(study)
        sample_weight = params.get("sample_weight")
        events = TaskEvents(
            self, X, y, None if sample_weight is None else {"sample_weight": sample_weight}
        )
        caller = events.caller()
        runner = FoldRunner(
            clone(self.estimator),
            X,
            y,
            scorer=scorers,
            fit_params=routed.estimator.fit,
            score_params=routed.scorer.score,
            return_train_score=self.return_train_score,
            error_score=self.error_score,
            n_jobs=self.n_jobs,
            pre_dispatch=self.pre_dispatch,
            ask_ahead=not study.sampler._learns_from_results(),
            caller=caller,
            evaluation_context=None if caller is None else events.evaluation_context,
            validation=validation,
            inner_max_num_threads=self.inner_max_num_threads,
        )
        metric = self._objective()
        plan = None if pruning is None else pruning.plan
        callbacks = list(self.callbacks or ())
        interrupted: KeyboardInterrupt | None = None
        self.study_ = study
        self._ladder = None if plan is None else list(plan.ladder)
        self._resource = None if plan is None else plan.name or plan.kind
        narrator = Narrator(self.verbose, self.n_splits_, pruned=plan is not None)
        before = [t for t in study.trials if t.is_finished]
        with verbose_logging(self.verbose):
            progress = Progress(
                n_trials,
                history=[(t.state.name, t.value, t.number) for t in before],
                enabled=bool(self.verbose),
                timeout=self.timeout,
            )
            try:
                with runner, study.keep_alive():
                    narrator.start(
                        sampler,
                        space,
                        runner.n_workers,
                        n_trials,
                        None
                        if pruning is None
                        else (pruning.pruner, self._resource, pruning.plan.ladder),
                        objective=self._value_metric_name(),
                    )
                    events.start_search(
                        None
                        if n_trials is None or pruning is not None
                        else n_trials * self.n_splits_
                    )
                    start = time.monotonic()
                    reason = run_search(
                        study,
                        runner,
                        splits,
                        Budget(n_trials=n_trials, timeout=self.timeout),
                        metric=metric,
                        on_trial_finished=functools.partial(
                            self._trial_finished, study, progress, narrator, callbacks
                        ),
                        on_fold_finished=functools.partial(self._fold_finished, narrator),
                        pruning=pruning,
                    )
                    events.end_search()
                    study.release()  # trials cut short by the timeout
                    narrator.stop(
                        reason,
                        study.trials,
                        n_before=len(before),
                        owner=study.owner,
                        seconds=time.monotonic() - start,
                    )
            except KeyboardInterrupt as exc:
                interrupted, reason = exc, "interrupted"
            finally:
                progress.close()
        if interrupted is not None:
            # Leave a usable search with what finished, then let the interrupt go on.
            n_finished = sum(t.is_finished for t in study.trials)
            if n_finished:
                logger.warning(
                    "Interrupted: keeping the %d trials finished so far%s.",
                    n_finished,
                    ""
                    if self.storage is None
                    else " (all saved in the storage: fit again to resume)",
                )
                self._finish(
                    study, scorers, refit_metric, X, y, routed.estimator.fit, reason, plan
                )
            # A fresh interrupt, without the frames of joblib's dispatch loop
            # where it happened to land: the user's traceback ends at fit.
            raise KeyboardInterrupt(*interrupted.args) from None
        self._finish(
            study, scorers, refit_metric, X, y, routed.estimator.fit, reason, plan, events
        )
        with verbose_logging(self.verbose):
            self._tell_best(narrator)
        events.end_fit()
        return self

    def _split(
        self, X: Any, y: Any, split_params: Mapping[str, Any]
    ) -> tuple[Any, int, list[Any]]:
        """The CV splitter, its number of splits and its splits; checked, before any fit.

        The splitter's own errors (more splits than samples, groups missing)
        come back naming ``cv`` (and ``y``), from here rather than from inside
        scikit-learn.
        """
        name = type(self).__name__
        try:
            cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        except ValueError as error:
            raise InvalidParameterError(
                f"{name}.fit cannot tell what kind of target y is, to choose the "
                f"cv={self.cv!r} splitter (stratified for a classifier): {error}"
            ) from error
        n_samples = num_samples(X)
        given = "".join(f", {k}" for k, v in split_params.items() if v is not None)
        try:
            n_splits = cv.get_n_splits(X, y, **split_params)
            splits = list(cv.split(X, y, **split_params))
        except (ValueError, TypeError) as error:
            raise InvalidParameterError(
                f"The 'cv' parameter of {name}, {_short(self.cv)}, cannot split the "
                f"{n_samples} samples of X (with y{given}): {error}"
            ) from error
        for k, split in enumerate(splits):
            _check_split(split, k, n_samples, name)
        return cv, n_splits, splits

    def _fingerprint(
        self,
        X: Any,
        y: Any,
        splits: list[Any],
        params: Mapping[str, Any],
        pruning: Pruning | None,
    ) -> dict[str, Any]:
        """What defines this search, as a resumed study must find it again."""
        fingerprint = {
            "data": {
                # Not getattr(X, "shape", (len(X),)): the default is evaluated,
                # and len() of a scipy sparse array raises.
                "shape": list(X.shape if hasattr(X, "shape") else (len(X),)),
                "sha1": content_hash((X, y, dict(params))),
            },
            "estimator": {
                "class": type(self.estimator).__name__,
                "sha1": estimator_hash(clone(self.estimator)),
            },
            "cv": {"n_splits": len(splits), "sha1": content_hash(splits)},
            "scoring": (
                self.scoring
                if self.scoring is None or isinstance(self.scoring, str)
                else content_hash(self.scoring)
            ),
        }
        if self.objectives is not None:  # absent without: older studies still match
            fingerprint["objective"] = (
                self.objectives
                if isinstance(self.objectives, str)
                else dict(self.objectives)
            )
        if pruning is not None:  # absent without one: older studies still match
            fingerprint["pruning"] = {
                "pruner": repr(pruning.pruner),
                "resource": pruning.plan.name or pruning.plan.kind,
                "ladder": list(pruning.plan.ladder),
            }
        return fingerprint

    # -- after the search ---------------------------------------------------
    def _finish(
        self,
        study: Study,
        scorers: Any,
        refit_metric: Any,
        X: Any,
        y: Any,
        fit_params: Mapping[str, Any],
        reason: str,
        plan: RungPlan | None,
        events: TaskEvents | None = None,
    ) -> None:
        trials = study.trials
        finished = [t for t in trials if t.is_finished]
        if not finished:
            raise ValueError(
                f"No trial finished ({reason}): there are no results to choose from. "
                "Increase timeout or n_trials."
            )
        _warn_or_raise_about_failures(finished, self.error_score)
        results = build_cv_results(
            finished,
            n_splits=self.n_splits_,
            return_train_score=self.return_train_score,
            error_score=self.error_score,
            plan=plan,
            n_iterations=self._validation is not None,
        )
        names = metric_names(finished)
        if callable(self.scoring):
            self.multimetric_ = names != ["score"]
            if self.multimetric_:
                self._check_refit_for_multimetric(names)
                refit_metric = self.refit
        else:
            self.multimetric_ = not (self.scoring is None or isinstance(self.scoring, str))
        if self._objectives is not None:
            self._choose_on_the_front(results, finished)
        elif self.refit or not self.multimetric_:
            if plan is not None and not callable(self.refit):
                _require_a_complete_trial(finished, plan, reason)
            self.best_index_ = (
                _called_refit_index(self.refit, results)
                if callable(self.refit)
                else int(self._select_best_index(self.refit, refit_metric, results))
            )
            if not callable(self.refit):
                self.best_score_ = float(
                    results[f"mean_test_{refit_metric}"][self.best_index_]
                )
            self.best_params_ = results["params"][self.best_index_]
        if self.refit:
            self.best_estimator_ = clone(self.estimator).set_params(
                **clone(self.best_params_, safe=False)
            )
            if self._validation is not None:
                # No validation rows in the refit: the best trial's rounds instead.
                self.best_n_iterations_ = refit_iterations(
                    [
                        results[f"split{k}_n_iterations"][self.best_index_]
                        for k in range(self.n_splits_)
                    ]
                )
                self.best_estimator_.set_params(
                    **self._validation.refit_params(self.best_n_iterations_)
                )
            best = self.best_estimator_

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
            self.refit_time_ = time.perf_counter() - start
            if hasattr(self.best_estimator_, "feature_names_in_"):
                self.feature_names_in_ = self.best_estimator_.feature_names_in_
        self.scorer_ = dict(scorers._scorers) if is_multimetric_scorer(scorers) else scorers
        self.cv_results_ = results
        self.n_trials_ = len(finished)

    def _choose_on_the_front(self, results: dict[str, Any], trials: list[Trial]) -> None:
        """Several objectives: the Pareto columns and attributes, and ``best_*``."""
        assert self._objectives is not None
        rows = sorted(trials, key=lambda t: t.number)  # cv_results_'s order
        summary = pareto_summary(results, rows, self._objectives)
        results["pareto_rank"] = summary.ranks
        results["is_pareto"] = summary.ranks == 1
        self.pareto_front_ = summary.front
        self.hypervolume_history_ = summary.hypervolume_history
        if self.refit is False:
            return
        if len(summary.front) == 0:
            raise ValueError(
                "No trial is COMPLETE with a finite value of every objective "
                f"({list(self._objectives.names)}): there is no Pareto front to "
                "choose the refit from. Look at the failures in cv_results_."
            )
        if callable(self.refit):
            self.best_index_ = int(self._select_best_index(self.refit, None, results))
        else:
            self.best_index_, score = refit_index(self.refit, summary, self._objectives)
            if score is not None:
                self.best_score_ = score
        self.best_params_ = results["params"][self.best_index_]

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """The refit metric's score of ``best_estimator_`` on the given data.

        As GridSearchCV's ``score``. With several objectives and several
        metrics in ``scoring``, ``refit`` must name one of those metrics:
        "knee", a built-in measure or a callable names no scorer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets; None for unsupervised estimators.
        **params : dict
            Parameters for the scorer (with metadata routing).

        Returns
        -------
        score : float
        """
        scorers = getattr(self, "scorer_", None)
        several = isinstance(self.objectives, Mapping) and getattr(
            self, "multimetric_", False
        )
        if several and isinstance(scorers, dict) and self.refit not in scorers:
            raise ValueError(
                f"score() uses the scorer of the refit metric, but refit={self.refit!r} "
                f"names none of scoring's metrics {list(scorers)}. Score "
                "best_estimator_ with one of scorer_'s scorers instead, e.g. "
                f"search.scorer_[{next(iter(scorers))!r}](search.best_estimator_, X, y)."
            )
        score: float = super().score(X, y, **params)
        return score

    def trials_dataframe(self) -> Any:
        """The trials of the search as a pandas DataFrame, one row per trial.

        Columns: ``number``, ``state``, ``value``, one ``params_<name>`` per
        parameter, ``mean_test_<metric>`` and ``std_test_<metric>`` per
        metric (and the train ones with ``return_train_score``), fit and
        score times, the ``rung`` and ``resource`` a pruned trial reached,
        and when it started and finished. Unlike ``cv_results_``, it also
        lists trials that did not finish (RUNNING). Requires pandas
        (``pip install "scout-sklearn[pandas]"``).

        Returns
        -------
        trials : pandas.DataFrame
        """
        check_is_fitted(self, "study_")
        return trials_dataframe(
            self.study_.trials, ladder=self._ladder, resource=self._resource
        )

    def _queue_enqueued(self, study: Study) -> None:
        """Queue ``enqueue``'s params the study does not hold yet, in order."""
        held = [dict(t.params) for t in study.trials]
        for params in self.enqueue or ():
            if any(_same_params(params, other) for other in held):
                continue
            study.enqueue(params)
            held.append(dict(params))

    def _trial_finished(
        self,
        study: Study,
        progress: Progress,
        narrator: Narrator,
        callbacks: list[Any],
        trial: Trial,
    ) -> None:
        narrator.trial(trial)
        progress.update(trial.state.name, trial.value, trial.number)
        for callback in callbacks:
            callback(study, trial)

    def _fold_finished(self, narrator: Narrator, number: int, fold: FoldResult) -> None:
        named = self.objectives
        scores = fold.test_scores
        # A callable's metric names are known once it has scored a fold.
        if callable(self.scoring) and named and scores and named not in scores:
            raise InvalidParameterError(
                f"The 'objectives' parameter of {type(self).__name__} names the "
                f"metric {named!r}, but the callable scoring returned the metrics "
                f"{list(scores)}."
            )
        narrator.fold(number, fold)

    def _tell_best(self, narrator: Narrator) -> None:
        """Log the best trial in full, once, at the end (``verbose >= 1``)."""
        if self._objectives is not None and hasattr(self, "best_index_"):
            number = int(self.cv_results_["trial_number"][self.best_index_])
            narrator.best(
                number,
                self.best_params_,
                score=getattr(self, "best_score_", None),
                metric=self.refit if isinstance(self.refit, str) else "score",
                chosen_by=f"refit={self.refit!r} on the Pareto front of "
                f"{len(self.pareto_front_)} trials"
                if isinstance(self.refit, str)
                else "chosen by the refit callable",
            )
        elif self._objectives is not None:
            return
        elif hasattr(self, "best_index_"):
            number = int(self.cv_results_["trial_number"][self.best_index_])
            narrator.best(
                number,
                self.best_params_,
                score=getattr(self, "best_score_", None),
                metric=self._metric_name(),
                chosen_by="chosen by the refit callable" if callable(self.refit) else None,
            )
        elif any(t.has_value for t in self.study_.trials):  # several metrics, no refit
            best = self.study_.best_trial
            narrator.best(
                best.number,
                best.params,
                score=best.value,
                metric=self._value_metric_name() or self._metric_name(),
                chosen_by="the highest value; refit=False",
            )

    def _value_metric_name(self) -> str | None:
        """The metric of the trials' values, named when several are scored."""
        if isinstance(self.scoring, (list, tuple, dict)):
            return self._objective() or str(next(iter(self.scoring)))
        if callable(self.scoring) and isinstance(self.objectives, str):
            return self.objectives
        return None

    def _metric_name(self) -> str:
        """The name of the metric ``best_score_`` is the mean test score of."""
        if isinstance(self.refit, str):
            return self.refit
        if isinstance(self.scoring, str):
            return self.scoring
        if isinstance(self.scoring, (list, tuple, dict)):
            return str(next(iter(self.scoring)))
        return "score"

    # -- validation and resolution ------------------------------------------
    def _space_argument(self) -> tuple[str, Any]:
        """The search space and the name it was given by (GridSearchCV's or not).

        ``param_grid`` (GridSearchCV's name) and ``param_distributions``
        (RandomizedSearchCV's) are two names for one argument, so that code
        written for either runs unchanged; a search gets exactly one.
        """
        name = type(self).__name__
        grid, distributions = self.param_grid, self.param_distributions
        if grid is not None and distributions is not None:
            raise InvalidParameterError(
                f"{name} got both param_grid={grid!r} and param_distributions="
                f"{distributions!r}. They are two names for the same search space "
                "(GridSearchCV's and RandomizedSearchCV's): give only one."
            )
        if grid is not None:
            return "param_grid", grid
        if distributions is not None:
            return "param_distributions", distributions
        raise InvalidParameterError(
            f"{name} needs a search space: pass param_grid={{...}} (as to "
            "GridSearchCV) or param_distributions={...} (as to RandomizedSearchCV), "
            "e.g. {'C': [0.1, 1, 10]}. Got None for both."
        )

    def _check_refit_for_multimetric(self, scores: Any) -> None:
        # Several objectives: refit may be "knee" or a built-in measure, checked
        # against the objectives by _check_several_objectives instead.
        if not isinstance(self.objectives, Mapping):
            super()._check_refit_for_multimetric(scores)

    def _check_several_objectives(self) -> Objectives | None:
        """A dict of objectives, checked with scoring, refit and pruner; else None."""
        if not isinstance(self.objectives, Mapping):
            return None
        return check_objectives(
            self.objectives,
            scoring=self.scoring,
            refit=self.refit,
            pruner=self.pruner,
            owner=type(self).__name__,
        )

    def _check_scoring_and_refit(self) -> None:
        name = type(self).__name__
        if isinstance(self.scoring, str):
            # With one metric, any truthy refit (a metric name included, even
            # another one's) means refit=True, as in GridSearchCV.
            _check_scorer_name(self.scoring, f"The 'scoring' parameter of {name}")
        if isinstance(self.scoring, (list, tuple, dict)):
            if len(self.scoring) == 0:
                raise InvalidParameterError(
                    f"The 'scoring' parameter of {name} is an empty "
                    f"{type(self.scoring).__name__}: name at least one metric."
                )
            metrics = list(self.scoring)
            if not isinstance(self.scoring, dict):
                for metric in metrics:
                    if not isinstance(metric, str):
                        raise InvalidParameterError(
                            f"The 'scoring' parameter of {name} lists {metric!r}, which "
                            "is not a scorer name; list names of "
                            "sklearn.metrics.get_scorer_names(), or give a dict of "
                            "name to scorer."
                        )
                    _check_scorer_name(
                        metric, f"The 'scoring' parameter of {name} (in its list)"
                    )
                repeated = sorted(m for m, n in Counter(metrics).items() if n > 1)
                if repeated:
                    raise InvalidParameterError(
                        f"The 'scoring' parameter of {name} lists {repeated} more than "
                        "once: each metric names one column of cv_results_, so list "
                        "each once."
                    )
            else:
                for key, scorer in self.scoring.items():
                    if not isinstance(key, str):
                        raise InvalidParameterError(
                            f"The 'scoring' parameter of {name} has the key {key!r}, "
                            "which is not a str: the keys name the metrics (the columns "
                            "of cv_results_, what refit names)."
                        )
                    if not (isinstance(scorer, str) or callable(scorer)):
                        raise InvalidParameterError(
                            f"The 'scoring' parameter of {name} maps {key!r} to "
                            f"{scorer!r}, which is neither a scorer name (str) nor a "
                            "callable scorer(estimator, X, y)."
                        )
                    if isinstance(scorer, str):
                        _check_scorer_name(
                            scorer, f"The 'scoring' parameter of {name} (at key {key!r})"
                        )
            if self._objectives is not None:
                return  # refit was checked against the objectives
            if isinstance(self.refit, str) and self.refit not in metrics:
                raise InvalidParameterError(
                    "For multi-metric scoring, the parameter refit must be set to a "
                    "scorer key, a callable choosing the best index, or False. The "
                    f"'refit' parameter of {name} names the metric {self.refit!r}, "
                    f"which is not in scoring: the metrics are {metrics}."
                )
            if self.refit is True:
                raise InvalidParameterError(
                    "For multi-metric scoring, the parameter refit must be set to a "
                    f"scorer key: with several metrics in scoring ({metrics}), the "
                    f"'refit' parameter of {name} must name the metric that picks the "
                    f"best trial (e.g. refit={metrics[0]!r}), be a callable, or be "
                    "False. Got refit=True."
                )

    def _check_objectives(self) -> None:
        """``objectives`` names a metric of ``scoring`` (a callable's: at its scores)."""
        objective = self.objectives
        if objective is None or not isinstance(objective, str):
            return  # several objectives: checked by _check_several_objectives
        name = type(self).__name__
        where = f"The 'objectives' parameter of {name} names the metric {objective!r}"
        if isinstance(self.scoring, (list, tuple, dict)):
            metrics = list(self.scoring)
            if objective not in metrics:
                raise InvalidParameterError(
                    f"{where}, which is not in scoring: the metrics are {metrics}. "
                    "Name one of them."
                )
        elif isinstance(self.scoring, str) and objective != self.scoring:
            raise InvalidParameterError(
                f"{where}, but scoring={self.scoring!r} scores only that one metric. "
                "Leave objectives=None, or score several metrics, e.g. scoring="
                f"[{self.scoring!r}, {objective!r}]."
            )
        elif self.scoring is None and objective != "score":
            raise InvalidParameterError(
                f"{where}, but scoring=None scores only the estimator's score method. "
                f"Leave objectives=None, or score several metrics, e.g. scoring="
                f"[{objective!r}, ...]."
            )

    def _objective(self) -> str | None:
        """The metric whose mean test score is each trial's value (None: the first)."""
        if self._objectives is not None:
            # A value is maximised (study_.best_trial, the progress bar): the
            # refit's objective when it is a maximised scorer metric, else the
            # first objective that is one, else the first metric of scoring.
            maximised = self._objectives.maximised_scored_columns
            if isinstance(self.refit, str) and self.refit in self._objectives.names:
                column = self._objectives.columns[self._objectives.index(self.refit)]
                if column in maximised:
                    return column
            return maximised[0] if maximised else None
        if isinstance(self.objectives, str):
            multimetric = isinstance(self.scoring, (list, tuple, dict)) or callable(
                self.scoring
            )
            return self.objectives if multimetric else None
        return self.refit if isinstance(self.refit, str) else None

    def _check_enqueue(self, space: SearchSpace, n_trials: int | None) -> None:
        name = type(self).__name__
        queued = list(self.enqueue or ())
        for i, params in enumerate(queued):
            if not space.contains(params):
                raise InvalidParameterError(
                    f"The 'enqueue' parameter of {name} holds params outside the "
                    f"search space at index {i}: {dict(params)!r} "
                    f"({space.explain_mismatch(params)}). Each entry must name exactly "
                    "the parameters of one sub-space, each value inside its "
                    "distribution."
                )
        if n_trials is not None and len(queued) > n_trials:
            raise InvalidParameterError(
                f"The 'enqueue' parameter of {name} lists {len(queued)} params, more "
                f"than the {n_trials} trials of the search (n_trials={self.n_trials!r}"
                "). Enqueued params count towards n_trials: raise n_trials or enqueue "
                "fewer."
            )

    def _resolve_sampler(self, space: SearchSpace) -> Sampler:
        if self.sampler is None:
            if self.n_trials is None and self.timeout is None:
                _require_finite_for_grid(space)
                return GridSampler()
            if self._objectives is not None:  # the models learn from one value
                return RandomSampler(n_trials=self.n_trials)
            return AutoSampler()
        sampler = make_sampler(self.sampler, owner=type(self).__name__)
        # The user's instance is configuration: never let a fit mutate it.
        sampler = clone(sampler) if sampler is self.sampler else sampler
        if self._objectives is not None:
            check_sampler(sampler, type(self).__name__)
        if isinstance(sampler, RandomSampler) and sampler.n_trials is None:
            sampler.set_params(n_trials=self.n_trials)
        return sampler

    def _resolve_n_trials(self, sampler: Sampler, space: SearchSpace) -> int | None:
        most = sampler.max_trials(space)
        if self.n_trials is None:
            if most is None and self.timeout is None:
                raise InvalidParameterError(
                    f"n_trials=None means 'every params the sampler can give', but "
                    f"{sampler!r} is unbounded on this space. Set n_trials=... "
                    "(or timeout=...), or use sampler='grid' on a finite space."
                )
            return most
        if most is not None and self.n_trials > most:
            warnings.warn(
                f"n_trials={self.n_trials} is more than the {most} distinct params "
                f"{sampler!r} can give on this space; the search stops after {most} "
                "trials.",
                UserWarning,
                stacklevel=3,
            )
        return int(self.n_trials)

    def _resolve_pruning(
        self, space: SearchSpace, y: Any, splits: list[Any]
    ) -> Pruning | None:
        """The pruner and its rungs, checked before any fit; None without pruning."""
        name = type(self).__name__
        pruner = make_pruner(self.pruner, owner=name)
        if isinstance(pruner, NopPruner):
            given = [
                f"{key}={getattr(self, key)!r}"
                for key in ("resource", "min_resource", "max_resource")
                if getattr(self, key) is not None
            ]
            if given:
                raise InvalidParameterError(
                    f"{', '.join(given)} only apply with a pruner, but "
                    f"pruner={self.pruner!r} prunes nothing. Set pruner='hyperband' "
                    "(or 'successive_halving', 'median', a Pruner instance), or "
                    "leave resource, min_resource and max_resource at None."
                )
            return None
        resource = "n_samples" if self.resource is None else self.resource
        bounds: tuple[float, float]
        if resource == "n_samples":
            kind, bounds, warm_start = N_SAMPLES, self._sample_bounds(y, splits), None
        elif resource == "folds":
            kind, bounds, warm_start = FOLDS, self._fold_bounds(len(splits)), None
        else:
            kind = PARAMETER
            bounds, warm_start = self._parameter_bounds(resource, space)
        low, high = bounds
        if low > high:
            raise InvalidParameterError(
                f"The 'min_resource' parameter of {name} must be <= max_resource, the "
                f"resource of the last rung. Got min_resource={low!r} and "
                f"max_resource={high!r} (resource={resource!r}) instead."
            )
        ladder = tuple(pruner.ladder(low, high))
        if len(ladder) == 1:
            warnings.warn(
                f"The rungs of {pruner!r} from min_resource={low!r} to "
                f"max_resource={high!r} are just {ladder}: nothing can be pruned. "
                "Lower min_resource to let the pruner stop trials early.",
                UserWarning,
                stacklevel=3,
            )
        plan = RungPlan(
            kind=kind,
            ladder=ladder,
            n_splits=len(splits),
            name=resource if kind == PARAMETER else None,
            warm_start=warm_start,
        )
        n_params = max(len(sub.names) for sub in space)
        return Pruning(pruner=pruner, plan=plan, min_values=max(5, n_params + 1))

    def _sample_bounds(self, y: Any, splits: list[Any]) -> tuple[int, int]:
        name = type(self).__name__
        sizes = [len(train) for train, _ in splits]
        smallest, largest = min(sizes), max(sizes)
        for key in ("min_resource", "max_resource"):
            value = getattr(self, key)
            if value is not None and not _is_int(value):
                raise InvalidParameterError(
                    f"The {key!r} parameter of {name} counts training rows with "
                    f"resource='n_samples', so it must be an int. Got {value!r} instead."
                )
        high = largest if self.max_resource is None else int(self.max_resource)
        if high > largest:
            raise InvalidParameterError(
                f"The 'max_resource' parameter of {name} is the number of training "
                f"rows of the last rung with resource='n_samples'; it must be <= "
                f"{largest}, the size of the largest training fold. Got "
                f"max_resource={high!r} instead. Leave it None to fit the last rung "
                "on whole training folds."
            )
        if self.min_resource is not None:
            low = int(self.min_resource)
            if low > smallest:
                raise InvalidParameterError(
                    f"The 'min_resource' parameter of {name} is the number of "
                    f"training rows of the first rung with resource='n_samples'; it "
                    f"must be <= {smallest}, the size of the smallest training fold. "
                    f"Got min_resource={low!r} instead."
                )
            return low, high
        # HalvingRandomSearchCV's "smallest": 2 rows per split (and class).
        n_classes = len(np.unique(y)) if _stratifies(self.estimator, y) else 1
        return min(2 * len(splits) * n_classes, smallest, high), high

    def _fold_bounds(self, n_splits: int) -> tuple[int, int]:
        name = type(self).__name__
        if n_splits < 2:
            raise InvalidParameterError(
                f"resource='folds' stops trials after their first folds, so it needs "
                f"at least 2 CV splits; cv gives {n_splits}. Use cv=5 (or more "
                "splits), or resource='n_samples'."
            )
        if self.max_resource is not None and self.max_resource != n_splits:
            raise InvalidParameterError(
                f"The 'max_resource' parameter of {name} must be None or {n_splits} "
                f"(the number of CV splits) with resource='folds': the last rung "
                f"runs every fold. Got max_resource={self.max_resource!r} instead."
            )
        low = 1 if self.min_resource is None else self.min_resource
        if not _is_int(low):
            raise InvalidParameterError(
                f"The 'min_resource' parameter of {name} counts CV folds with "
                f"resource='folds', so it must be an int. Got {low!r} instead."
            )
        return int(low), n_splits

    def _parameter_bounds(
        self, resource: str, space: SearchSpace
    ) -> tuple[tuple[float, float], str | None]:
        name = type(self).__name__
        valid = self.estimator.get_params(deep=True)
        if resource not in valid:
            hint = _did_you_mean(resource, valid)
            raise InvalidParameterError(
                f"The 'resource' parameter of {name} must be 'n_samples', 'folds' or "
                f"the name of a parameter of {type(self.estimator).__name__} (as "
                f"get_params() spells it, e.g. 'max_iter', or 'svc__max_iter' in a "
                f"pipeline). Got {resource!r} instead.{hint}"
            )
        for sub in space:
            if resource in sub.names:
                raise InvalidParameterError(
                    f"resource={resource!r} is also searched in param_distributions, "
                    "but each rung sets it. Remove it from param_distributions: "
                    "max_resource is the value every COMPLETE trial is evaluated at."
                )
        current = valid[resource]
        if self.max_resource is not None:
            high = self.max_resource
        elif _is_positive_number(current):
            high = current
        else:
            raise InvalidParameterError(
                f"With resource={resource!r}, max_resource (its value at the last "
                f"rung) is needed: the estimator's own value, {current!r}, is not a "
                f"positive number. Set max_resource=..."
            )
        low = 1 if self.min_resource is None else self.min_resource
        if isinstance(current, numbers.Integral) and all(
            float(v).is_integer() for v in (low, high)
        ):
            low, high = int(low), int(high)
        prefix = resource.rpartition("__")[0]
        warm_start = f"{prefix}__warm_start" if prefix else "warm_start"
        return (low, high), (warm_start if warm_start in valid else None)

    def _with_subsamples(
        self, pruning: Pruning, y: Any, splits: list[Any], seed: int
    ) -> Pruning:
        """``pruning`` with the subsample order of every training fold.

        Drawn from the study's seed, so a resumed study (and every worker of
        a shared one) subsamples the same rows.
        """
        stratify = _stratifies(self.estimator, y)
        orders = tuple(
            subsample_order(
                np.asarray(train),
                y,
                stratify=stratify,
                rng=np.random.default_rng([seed, fold, _SUBSAMPLE]),
            )
            for fold, (train, _) in enumerate(splits)
        )
        plan = dataclasses.replace(pruning.plan, orders=orders)
        return dataclasses.replace(pruning, plan=plan)

    def _resolve_seed(self) -> int | None:
        if self.random_state is None:
            return None
        if isinstance(self.random_state, numbers.Integral):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))


def _called_refit_index(refit: Any, results: Mapping[str, Any]) -> int:
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
    return int(index)


def _check_fit_data(X: Any, y: Any, params: Mapping[str, Any]) -> None:
    """X, y, groups and sample_weight hold the same, non-zero, number of samples.

    scikit-learn passes a sample_weight of another length whole to every
    fold's fit, which then fails; it is refused here, before any fit.
    """
    where = "ScoutSearchCV.fit"
    try:
        n_samples = num_samples(X)
    except TypeError as error:
        raise InvalidParameterError(
            f"The 'X' argument of {where} must be array-like of shape (n_samples, "
            f"n_features). Got {type(X).__name__} instead ({error})."
        ) from error
    if n_samples == 0:
        raise InvalidParameterError(
            f"The 'X' argument of {where} has 0 samples: there is nothing to "
            "cross-validate."
        )
    weight: Any = params.get("sample_weight")
    others = {
        "y": y,
        "groups": params.get("groups"),
        # A scalar weight is every sample's (scikit-learn's _check_sample_weight).
        "sample_weight": None if np.ndim(weight) == 0 else weight,
    }
    for key, value in others.items():
        if value is None:
            continue
        try:
            n = num_samples(value)
        except TypeError as error:
            raise InvalidParameterError(
                f"The {key!r} argument of {where} must be array-like of shape "
                f"(n_samples, ...) or None. Got {type(value).__name__} instead "
                f"({error})."
            ) from error
        if n != n_samples:
            raise InvalidParameterError(
                f"The {key!r} argument of {where} has {n} samples, but X has "
                f"{n_samples}: they must have one entry per sample of X."
            )


def _check_fit_params_accepted(estimator: Any, fit_params: Mapping[str, Any]) -> None:
    """Refuse a fit parameter the estimator's fit does not take, before any fit.

    Otherwise every fold's fit raises the same TypeError, after all the fits.
    """
    if not fit_params:
        return
    try:
        parameters = inspect.signature(estimator.fit).parameters.values()
    except (TypeError, ValueError):  # a builtin or an odd callable: let fit decide
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return  # fit(**kwargs): it may take anything
    accepted = [
        p.name for p in parameters if p.kind is not inspect.Parameter.VAR_POSITIONAL
    ]
    unknown = sorted(name for name in fit_params if name not in accepted)
    if unknown:
        names = " and ".join(repr(name) for name in unknown)
        raise InvalidParameterError(
            f"ScoutSearchCV.fit got the fit parameter {names}, which "
            f"{type(estimator).__name__}.fit does not take (it takes {accepted}). "
            "ScoutSearchCV.fit passes its keyword arguments, other than groups, to "
            "the estimator's fit."
        )


def _check_split(split: Any, k: int, n_samples: int, owner: str) -> None:
    """A (train, test) pair of index arrays within the data, as GridSearchCV indexes."""
    where = f"The 'cv' parameter of {owner} gave, as split {k},"
    if isinstance(split, (str, bytes)) or not hasattr(split, "__len__") or len(split) != 2:
        raise InvalidParameterError(
            f"{where} {split!r}, which is not a (train, test) pair of index arrays."
        )
    for part, indices in zip(("train", "test"), split):
        array = np.asarray(indices)
        if array.dtype == bool:
            if array.shape != (n_samples,):
                raise InvalidParameterError(
                    f"{where} a boolean {part} mask of shape {array.shape}; a mask "
                    f"needs one entry per sample of X, ({n_samples},)."
                )
            continue
        if array.ndim == 1 and array.size == 0:
            raise InvalidParameterError(f"{where} an empty {part} part.")
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
            raise InvalidParameterError(
                f"{where} {part} indices {_short(indices)}, which are not a 1-d "
                "array of integer row indices."
            )
        if array.min() < -n_samples or array.max() >= n_samples:
            raise InvalidParameterError(
                f"{where} {part} indices from {array.min()} to {array.max()}, outside "
                f"the {n_samples} samples of X (indices 0 to {n_samples - 1})."
            )


def _short(value: Any) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _same_params(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        try:
            equal = bool(value is other or value == other)
        except Exception:  # noqa: BLE001 - arrays and odd objects: compare their text
            equal = repr(value) == repr(other)
        if not equal:
            return False
    return True


def default_study_name(estimator: Any) -> str:
    """A readable study name for a search over ``estimator``."""
    name = type(estimator).__name__
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and all(isinstance(s, tuple) for s in steps):
        name += "(" + ",".join(str(step[0]) for step in steps) + ")"
    return name


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` Did you mean 'a' or 'b'?`` for the options closest to ``word``, or ''."""
    close = difflib.get_close_matches(word, list(options), n=3)
    return f" Did you mean {' or '.join(map(repr, close))}?" if close else ""


def _check_scorer_name(scorer: str, where: str) -> None:
    names = get_scorer_names()
    if scorer in names:
        return
    hint = _did_you_mean(scorer, names)
    raise InvalidParameterError(
        f"{where} got the unknown scorer name {scorer!r}.{hint} Valid names are listed "
        "by sklearn.metrics.get_scorer_names(); a callable is also accepted."
    )


def _check_clonable(estimator: Any, owner: str) -> None:
    """Raise InvalidParameterError if ``clone`` refuses ``estimator``.

    Every fold and the refit fit a clone; a constructor that copies or
    changes an argument (CatBoost copies a list given as ``cat_features``)
    makes ``clone`` fail, which would otherwise surface from the first fold.
    """
    try:
        clone(estimator)
    except Exception as error:  # clone's own message is kept
        raise InvalidParameterError(
            f"The 'estimator' parameter of {owner} cannot be cloned, and every fold "
            f"and the refit fit a clone (sklearn.base.clone): {error}. clone() "
            "needs a constructor that stores each argument as it is given: pass "
            "such an argument in a form the constructor keeps unchanged (CatBoost "
            "copies a list given as cat_features: pass a tuple)."
        ) from error


def check_param_names(
    estimator: Any, space: SearchSpace, argument: str = "param_distributions"
) -> None:
    """Raise InvalidParameterError for a name ``estimator.set_params`` rejects.

    A name that ``get_params(deep=True)`` lists is valid. Another one may
    still be accepted by ``set_params`` (an estimator that takes parameters
    it does not list, like scikit-learn's minimal estimators or skorch's
    ``module__*``), so it is tried on a clone with a value of its
    distribution: only a name that ``set_params`` refuses is an error.
    """
    valid = estimator.get_params(deep=True)
    for i, sub in enumerate(space):
        where = f"{argument}[{i}]" if len(space) > 1 else argument
        for name in sub.names:
            _check_no_estimator_class(name, sub, valid, where)
            if _is_nested_in_searched_choice(name, sub, where) or name in valid:
                continue
            candidate = clone(estimator)
            try:
                candidate.set_params(**{name: _some_value(sub[name])})
            except Exception as error:
                hint = _did_you_mean(name, valid)
                owner = type(estimator).__name__
                raise InvalidParameterError(
                    f"{where} names {name!r}, which is not a parameter of {owner}."
                    f"{hint} Valid parameters are: {sorted(valid)} ({owner}.set_params "
                    f"refuses {name!r} too: {type(error).__name__})."
                ) from error


def _some_value(distribution: Any) -> Any:
    """A value of ``distribution``, to try a parameter name with."""
    if distribution.is_finite:
        return distribution.value_at(0)
    return distribution.sample(np.random.default_rng(0))


def _choices(distribution: Any) -> list[Any]:
    return [distribution.value_at(k) for k in range(distribution.n_values())]


def _check_no_estimator_class(
    name: str, sub: SubSpace, valid: Mapping[str, Any], where: str
) -> None:
    """A parameter holding an estimator (a pipeline step) is searched over instances."""
    current = valid.get(name)
    if not sub[name].is_finite or isinstance(current, type):
        return
    if not hasattr(current, "get_params"):
        return
    for choice in _choices(sub[name]):
        if isinstance(choice, type):
            raise InvalidParameterError(
                f"{where}[{name!r}] holds the class {choice.__name__}, but {name!r} "
                f"is an estimator ({type(current).__name__}): pass an instance, e.g. "
                f"{choice.__name__}()."
            )


def _is_nested_in_searched_choice(name: str, sub: SubSpace, where: str) -> bool:
    # "clf__C" is valid when "clf" is itself searched over estimators that all
    # have a parameter "C" (a pipeline step chosen by the search).
    parts = name.split("__")
    for cut in range(1, len(parts)):
        prefix, rest = "__".join(parts[:cut]), "__".join(parts[cut:])
        if prefix not in sub.names or not sub[prefix].is_finite:
            continue
        choices = _choices(sub[prefix])
        estimators = [
            c for c in choices if hasattr(c, "get_params") and not isinstance(c, type)
        ]
        if not estimators:
            continue
        for choice in choices:
            is_estimator = any(choice is e for e in estimators)
            if is_estimator and rest in choice.get_params(deep=True):
                continue
            raise InvalidParameterError(
                f"{where} names {name!r}, a parameter of the {prefix!r} it also "
                f"searches, but {where}[{prefix!r}] holds {choice!r}, which has no "
                f"parameter {rest!r}. Put the choices that take {rest!r} in a dict of "
                f"their own (a list of dicts), e.g. [{{{prefix!r}: [...], {name!r}: "
                f"[...]}}, {{{prefix!r}: [{choice!r}]}}]."
            )
        return True
    return False


def _require_finite_for_grid(space: SearchSpace) -> None:
    for sub in space:
        for name in sub.names:
            if not sub[name].is_finite:
                raise InvalidParameterError(
                    "With n_trials=None and sampler=None, ScoutSearchCV evaluates the "
                    f"whole grid, as GridSearchCV does, but {name!r} is "
                    f"{sub[name]!r}, which has no finite list of values. Set "
                    "n_trials=... to sample the space, or give a list of values."
                )


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_positive_number(value: object) -> bool:
    return (
        isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value) > 0
    )


def _stratifies(estimator: Any, y: Any) -> bool:
    """Whether subsamples of ``y`` keep its class proportions (classifiers)."""
    return (
        y is not None
        and is_classifier(estimator)
        and type_of_target(y) in ("binary", "multiclass")
    )


def _require_a_complete_trial(trials: list[Trial], plan: RungPlan, reason: str) -> None:
    if any(t.state is TrialState.COMPLETE for t in trials):
        return
    n_failed = sum(t.state is TrialState.FAILED for t in trials)
    failures = (
        f" ({n_failed} failed: see the FitFailedWarning for their errors)"
        if n_failed
        else ""
    )
    raise ValueError(
        f"No trial was evaluated at max_resource={plan.ladder[-1]!r} ({reason}): "
        f"all {len(trials)} trials were pruned or failed{failures}, and a pruned "
        "trial is never chosen as the best. Increase n_trials (or timeout), or use "
        "a less aggressive pruner."
    )


def _warn_or_raise_about_failures(trials: list[Trial], error_score: Any) -> None:
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
        raise ValueError(
            f"\nAll the {len(folds)} fits failed (every fold of the {len(trials)} "
            "trials).\nIt is very likely that your model is misconfigured.\nYou can "
            "try to debug the error by setting error_score='raise'.\n\nBelow are more "
            f"details about the failures:\n{summary}"
        )
    warnings.warn(
        f"\n{len(failed)} of {len(trials)} trials failed: {n_failed_fits} fits failed "
        f"out of a total of {len(folds)}.\nThe score on these train-test partitions "
        f"for these parameters will be set to {error_score}.\nIf these failures are "
        "not expected, you can try to debug them by setting error_score='raise'.\n\n"
        f"Below are more details about the failures:\n{summary}",
        FitFailedWarning,
        stacklevel=3,
    )
