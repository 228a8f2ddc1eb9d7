"""ScoutSearchCV: the scikit-learn estimator shell around a study."""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from scout_sklearn._compat import (
    BaseSearchCV,
    is_multimetric_scorer,
    multimetric_scorers,
    with_callbacks,
)
from scout_sklearn._results import N_SAMPLES
from scout_sklearn._search_checks import check_enqueue, resolve_n_trials
from scout_sklearn._search_fit import (
    check_metrics,
    check_params,
    checked_data,
    checked_sampler,
    checked_space,
    finish,
    fold_runner,
    log_best,
    log_interrupted,
    open_study,
    run_trials,
    task_events,
)
from scout_sklearn._search_pruning import resolve_pruning, with_subsamples
from scout_sklearn._search_study import queue_enqueued
from scout_sklearn._secrets import MaskedURL, mask_url
from scout_sklearn._study import Study
from scout_sklearn._table import trials_dataframe
from scout_sklearn._trial import FoldResult, Trial, detached
from scout_sklearn._validation import ValidationSplit
from scout_sklearn._verbose import Narrator
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import Pruner
from scout_sklearn.reporting import Progress
from scout_sklearn.samplers import Sampler
from scout_sklearn.storage import Storage

__all__ = ["ScoutSearchCV"]


# The arguments of the searches users come from that ScoutSearchCV spells
# otherwise (or has no use for), with what to write instead.
_PEER_ARGUMENTS = {
    "n_iter": (
        "the budget is n_trials: RandomizedSearchCV(..., n_iter=10) is "
        "ScoutSearchCV(..., sampler='random', n_trials=10), and BayesSearchCV's "
        "n_iter=10 is n_trials=10 (with sampler=None, the Gaussian process first)"
    ),
    "search_spaces": (
        "BayesSearchCV's search_spaces is param_distributions (the second "
        "argument); skopt's Real, Integer and Categorical are Float, Int and a list"
    ),
    "n_points": (
        "BayesSearchCV's n_points has no equivalent: a trial starts whenever a "
        "worker is free, and n_jobs sets how many run at once"
    ),
    "optimizer_kwargs": (
        "BayesSearchCV's optimizer_kwargs has no equivalent: configure a sampler "
        "instance, e.g. sampler=GPSampler(n_startup_trials=10) (from "
        "scout_sklearn.samplers)"
    ),
    "n_candidates": (
        "HalvingRandomSearchCV's n_candidates is n_trials, with a pruner: "
        "pruner='successive_halving', n_trials=100"
    ),
    "factor": (
        "HalvingRandomSearchCV's factor is the pruner's reduction_factor: "
        "pruner=SuccessiveHalvingPruner(reduction_factor=3) (from scout_sklearn.pruners)"
    ),
    "min_resources": "HalvingRandomSearchCV's min_resources is min_resource, with a pruner",
    "max_resources": "HalvingRandomSearchCV's max_resources is max_resource, with a pruner",
    "aggressive_elimination": (
        "HalvingRandomSearchCV's aggressive_elimination has no equivalent: the "
        "pruner's rungs run from min_resource to max_resource whatever n_trials"
    ),
    "enable_pruning": (
        "OptunaSearchCV's enable_pruning=True is a pruner: pruner='median' (or "
        "'successive_halving', 'hyperband'), with resource= saying what grows"
    ),
    "study": (
        "OptunaSearchCV's study is storage= (a database URL) and study_name=; an "
        "Optuna study is not read"
    ),
    "max_iter": (
        "OptunaSearchCV's max_iter has no equivalent here: with a pruner, "
        "resource= names the estimator parameter that grows rung by rung (e.g. "
        "resource='max_iter', max_resource=100)"
    ),
    "subsample": (
        "OptunaSearchCV's subsample has no equivalent: each fold fits its whole "
        "training part, or growing subsamples of it with a pruner and "
        "resource='n_samples'"
    ),
    "catch": (
        "OptunaSearchCV's catch is error_score: a number (np.nan by default) scores "
        "a fit that raises and the search goes on, 'raise' re-raises"
    ),
    "fit_params": "fit parameters go to fit: search.fit(X, y, sample_weight=w)",
}


def _refuse_peer_arguments(cls: type[Any], kwargs: dict[str, Any]) -> None:
    """Name the ScoutSearchCV spelling of another search's keyword argument."""
    peers = [name for name in kwargs if name in _PEER_ARGUMENTS]
    if not peers:
        return
    # A subclass may take one of these names as its own parameter.
    own = inspect.signature(cls.__init__).parameters
    for name in peers:
        if name not in own:
            raise InvalidParameterError(
                f"{cls.__name__} got an unexpected keyword argument {name!r}: "
                f"{_PEER_ARGUMENTS[name]}."
            )


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
        "tpe", "gp", "random", "grid", "cmaes", "qmc", "annealing", "auto",
        "motpe", "nsga2". None evaluates the whole grid when ``n_trials`` and
        ``timeout`` are None (every parameter must then be finite), as
        GridSearchCV does; otherwise it is
        :class:`~scout_sklearn.samplers.AutoSampler`: a Gaussian process on
        every kind of space (numeric, categorical, conditional) for the first
        200 complete trials, TPE after; with several ``objectives``, it is
        :class:`~scout_sklearn.samplers.MOTPESampler` (TPE whose good trials
        are the first Pareto fronts), which learns from all of them.
    n_trials : int, default=None
        Number of trials (params evaluated on every fold). None runs every
        params of a finite sampler (the whole grid), or until ``timeout``.
    timeout : float, default=None
        Seconds after which no new fold starts. The first fold result that
        comes back after the limit ends the search: folds still running are
        cancelled, and their trials stay unfinished (RUNNING, out of
        ``cv_results_``; with a ``storage``, a resumed search completes them
        from the folds they finished). ``float("inf")`` is no limit, as None.
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
        Number of tasks dispatched ahead to joblib workers. "all" asks every
        trial before any fold result comes back (the model-based samplers
        then learn nothing), and is refused with a timeout and several
        workers.
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
        scoring, random_state, objectives, constraints, pruning); resuming
        it with a different one is an error that names what changed, unless
        this is True. The search space must always match.
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
          rung sets it. Where warm starting grows the model up to the new
          value (ensembles' ``n_estimators``, HistGradientBoosting's
          ``max_iter``), a promoted trial continues its previous rung's fit;
          elsewhere (MLP's or SGD's ``max_iter``, epochs per call) each rung
          fits afresh.
          Its value on the estimator must be a number (or None); when that
          is an int, so are ``min_resource``, ``max_resource`` and the rungs.
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
    constraints : dict, default=None
        With several ``objectives``: bounds a trial must meet to enter the
        Pareto front, as ``{metric: (operator, threshold)}`` with the
        operator ``"<="`` or ``">="``, e.g. ``{"score_time": ("<=", 1e-4)}``
        (the metric's mean over the folds; the same names as
        ``objectives``, which it need not list). Checked before any fit. A
        stored study remembers them: resuming with others is a fingerprint
        mismatch.
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
        above it, or left at None on LightGBM and XGBoost, which read None
        as every core). ``"auto"``: the cores divided by the search's workers
        when there are several (so workers x threads do not exceed the
        cores, with any joblib backend), or the value of an enclosing
        ``joblib.parallel_config(inner_max_num_threads=...)``; no limit with
        one worker. An int:
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
        Row of the best trial in ``cv_results_`` (what a ``refit`` callable
        returned, as it returned it).
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
    for a callable), :class:`OneStandardError` (``OneStandardError("accuracy")``:
    among the front's trials within one standard error of the best on that
    objective, the best on the others), a callable over ``cv_results_`` returning
    ``best_index_``, or False. Each trial's ``value`` (what the progress bar
    and ``study_.best_trial`` show, maximised) is the mean test score of the
    refit objective when it is a maximised scorer metric, else of the first
    objective that is one, else of the first metric of ``scoring``. Samplers
    that learn from that single value (TPE, GP, CMA-ES, annealing, auto) are
    refused; ``sampler=None`` with a budget is
    :class:`~scout_sklearn.samplers.MOTPESampler`, and "nsga2", "grid",
    "random" and "qmc" work too. Pruners, which compare one value, are refused.

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
    >>> bool(search.best_score_ > 0.9)
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

    def __new__(cls, *args: Any, **kwargs: Any) -> ScoutSearchCV:
        # Python's own "unexpected keyword argument 'n_iter'" names the peer's
        # argument but not what to write here: a migrating user gets that.
        _refuse_peer_arguments(cls, kwargs)
        search: ScoutSearchCV = super().__new__(cls)
        return search

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
        constraints: Mapping[str, tuple[str, float]] | None = None,
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
        self.constraints = constraints
        self.validation = validation
        self.inner_max_num_threads = inner_max_num_threads

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Get the parameters of this search (see scikit-learn's ``get_params``).

        A ``storage`` URL with a password comes back as a :class:`str` that
        is the URL itself but shows the password masked in its ``repr``:
        the repr and HTML view of a pipeline or a meta-estimator holding the
        search show its parameters so.
        """
        params: dict[str, Any] = super().get_params(deep=deep)
        storage = params.get("storage")
        if (
            isinstance(storage, str)
            and not isinstance(storage, MaskedURL)
            and mask_url(storage) != storage
        ):
            params["storage"] = MaskedURL(storage)
        return params

    def set_params(self, **params: Any) -> ScoutSearchCV:
        """Set the parameters of this search (see scikit-learn's ``set_params``).

        ``param_grid`` and ``param_distributions`` are two names of the one
        search space: setting either to a space (without the other) replaces
        the space given by the other name, which becomes None. So
        ``ScoutSearchCV(estimator, grid).set_params(param_grid=other)`` runs
        ``other``, as on GridSearchCV, where the positional ``grid`` is kept
        under ``param_distributions``.
        """
        for name, other in (
            ("param_grid", "param_distributions"),
            ("param_distributions", "param_grid"),
        ):
            if params.get(name) is not None and other not in params:
                params[other] = None
        super().set_params(**params)
        return self

    def _check_scorers_accept_sample_weight(self) -> bool:
        # scikit-learn (1.8+) forwards fit's sample_weight to the scorers
        # that take it (without metadata routing), asking each metric of a
        # dict through a method a plain callable lacks: fit raised
        # "AttributeError: 'function' object has no attribute
        # '_accept_sample_weight'" from inside scikit-learn (so does
        # GridSearchCV). Refused here, naming the metric, before any fit.
        scorers, _ = self._get_scorers()
        if is_multimetric_scorer(scorers):
            plain = [
                name
                for name, scorer in multimetric_scorers(scorers).items()
                if not hasattr(scorer, "_accept_sample_weight")
            ]
            if plain:
                names = " and ".join(repr(name) for name in plain)
                raise InvalidParameterError(
                    f"The 'scoring' parameter of {type(self).__name__} maps "
                    f"{names} to a plain callable, which cannot be given fit's "
                    "sample_weight in a dict of metrics (without metadata routing): "
                    "wrap its metric with sklearn.metrics.make_scorer (it passes "
                    "sample_weight on when the metric takes it), or pass the "
                    "callable alone as scoring, or do not pass sample_weight."
                )
        return bool(super()._check_scorers_accept_sample_weight())

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
        owner = type(self).__name__
        self._objectives = check_params(self)
        check_metrics(self)
        space = checked_space(self)
        sampler = checked_sampler(self, space)
        n_trials = resolve_n_trials(sampler, space, self.n_trials, self.timeout)
        check_enqueue(self.enqueue, space, n_trials, self.n_trials, owner)
        scorers, refit_metric = self._get_scorers()
        data = checked_data(self, X, y, params)
        pruning = resolve_pruning(
            self.estimator,
            space,
            data.y,
            data.folds,
            pruner=self.pruner,
            resource=self.resource,
            min_resource=self.min_resource,
            max_resource=self.max_resource,
            owner=owner,
        )

        study = open_study(self, space, sampler, data, pruning)
        if pruning is not None and pruning.plan.kind == N_SAMPLES:
            pruning = with_subsamples(
                pruning, self.estimator, data.y, data.folds, study.seed
            )
        queue_enqueued(study, self.enqueue)
        events = task_events(self, data)
        runner = fold_runner(self, data, scorers, study, events)
        plan = None if pruning is None else pruning.plan
        self.study_ = study
        self._ladder = None if plan is None else list(plan.ladder)
        self._resource = None if plan is None else plan.name or plan.kind
        narrator = Narrator(self.verbose, self.n_splits_, pruned=plan is not None)
        reason, interrupted = run_trials(
            self,
            study,
            runner,
            events,
            narrator,
            sampler=sampler,
            space=space,
            n_trials=n_trials,
            folds=data.folds,
            pruning=pruning,
        )
        if interrupted is not None:
            # Leave a usable search with what finished, then let the interrupt go on.
            if log_interrupted(study, saved=self.storage is not None):
                # What finished may not make a result (every trial FAILED, no
                # trial at the last rung): the interrupt goes on all the same.
                with contextlib.suppress(Exception):
                    finish(self, study, scorers, refit_metric, data, reason, plan)
            # A fresh interrupt, without the frames of joblib's dispatch loop
            # where it happened to land: the user's traceback ends at fit.
            raise KeyboardInterrupt(*interrupted.args) from None
        finish(self, study, scorers, refit_metric, data, reason, plan, events)
        log_best(self, narrator)
        events.end_fit()
        return self

    # -- after the search ---------------------------------------------------
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
        score: Any = super().score(X, y, **params)
        if isinstance(score, Mapping) and callable(self.scoring):
            # A callable scoring that returns {"score": value}: its one metric
            # is named "score", as a plain number's is (see multimetric_).
            key = self.refit if isinstance(self.refit, str) else "score"
            if key in score:
                score = score[key]
        return score  # type: ignore[no-any-return]

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
            callback(study, detached(trial))  # its changes stay out of the study

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

    # -- validation and resolution ------------------------------------------
    def _check_refit_for_multimetric(self, scores: Any) -> None:
        # Several objectives: refit may be "knee" or a built-in measure, checked
        # against the objectives by _search_fit.check_several_objectives instead.
        if not isinstance(self.objectives, Mapping):
            super()._check_refit_for_multimetric(scores)


# inspect.signature(ScoutSearchCV), help() and the API reference read __new__
# before __init__: they show __init__'s parameters, not (*args, **kwargs).
ScoutSearchCV.__new__.__signature__ = inspect.signature(ScoutSearchCV.__init__)  # type: ignore[attr-defined]
