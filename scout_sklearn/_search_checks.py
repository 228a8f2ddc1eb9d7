"""ScoutSearchCV's checks, before any fit: its parameters, fit's data and splits.

The constraints table is checked first (``validate_params``); the checks
below it look at several parameters together (scoring with refit, enqueue
with the space), resolve the sampler and ``n_trials``, and check the data
and the splits. Each one raises InvalidParameterError naming the parameter.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import math
import numbers
import operator
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import check_cv

from scout_sklearn._compat import num_samples
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
)
from scout_sklearn._pareto import Objectives, OneStandardError, check_sampler
from scout_sklearn._validation import ValidationSplit
from scout_sklearn.distributions import SearchSpace, SubSpace
from scout_sklearn.exceptions import InvalidParameterError, user_stacklevel
from scout_sklearn.samplers import (
    AutoSampler,
    GridSampler,
    MOTPESampler,
    RandomSampler,
    Sampler,
)
from scout_sklearn.samplers._registry import make_sampler
from scout_sklearn.storage import Storage

__all__ = [
    "CONSTRAINTS",
    "check_callbacks",
    "check_clonable",
    "check_enqueue",
    "check_fit_data",
    "check_fit_params_accepted",
    "check_objective",
    "check_param_names",
    "check_pre_dispatch",
    "check_scoring_and_refit",
    "checked_splits",
    "did_you_mean",
    "is_int",
    "is_positive_number",
    "resolve_n_trials",
    "resolve_sampler",
    "space_argument",
]


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


CONSTRAINTS: dict[str, list[Constraint]] = {
    "estimator": [HasMethods("fit", "get_params", "set_params")],
    "n_trials": [Interval(numbers.Integral, 1, None, closed="left"), IsNone()],
    "timeout": [Interval(numbers.Real, 0, None, closed="neither"), IsNone()],
    "scoring": [InstanceOf(str, list, tuple, dict), IsCallable(), IsNone()],
    "n_jobs": [
        Predicate(_is_nonzero_int, "an int other than 0 (-1 for every core)"),
        IsNone(),
    ],
    "refit": [Boolean(), InstanceOf(str), IsCallable(), InstanceOf(OneStandardError)],
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
    # "pruner": make_pruner checks it, naming ours for another library's pruner.
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
    "constraints": [
        InstanceOf(dict, description="a dict {metric: (operator, threshold)}"),
        IsNone(),
    ],
    "validation": [InstanceOf(ValidationSplit), IsNone()],
    "inner_max_num_threads": [
        Options({"auto"}),
        Interval(numbers.Integral, 1, None, closed="left"),
        IsNone(),
    ],
}


def space_argument(grid: Any, distributions: Any, owner: str) -> tuple[str, Any]:
    """The search space and the name it was given by (GridSearchCV's or not).

    ``param_grid`` (GridSearchCV's name) and ``param_distributions``
    (RandomizedSearchCV's) are two names for one argument, so that code
    written for either runs unchanged; a search gets exactly one.
    """
    if grid is not None and distributions is not None:
        raise InvalidParameterError(
            f"{owner} got both param_grid={grid!r} and param_distributions="
            f"{distributions!r}. They are two names for the same search space "
            "(GridSearchCV's and RandomizedSearchCV's): give only one."
        )
    if grid is not None:
        return "param_grid", grid
    if distributions is not None:
        return "param_distributions", distributions
    raise InvalidParameterError(
        f"{owner} needs a search space: pass param_grid={{...}} (as to "
        "GridSearchCV) or param_distributions={...} (as to RandomizedSearchCV), "
        "e.g. {'C': [0.1, 1, 10]}. Got None for both."
    )


def check_scoring_and_refit(
    scoring: Any, refit: Any, *, several_objectives: bool, owner: str
) -> None:
    """``scoring`` names known scorers, and ``refit`` one of its metrics.

    With several objectives, refit was checked against them instead.
    """
    name = owner
    if isinstance(scoring, str):
        # With one metric, any truthy refit (a metric name included, even
        # another one's) means refit=True, as in GridSearchCV.
        _check_scorer_name(scoring, f"The 'scoring' parameter of {name}")
    if isinstance(scoring, (list, tuple, dict)):
        if len(scoring) == 0:
            raise InvalidParameterError(
                f"The 'scoring' parameter of {name} is an empty "
                f"{type(scoring).__name__}: name at least one metric."
            )
        metrics = list(scoring)
        if not isinstance(scoring, dict):
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
            for key, scorer in scoring.items():
                if not isinstance(key, str):
                    raise InvalidParameterError(
                        f"The 'scoring' parameter of {name} has the key {key!r}, "
                        "which is not a str: the keys name the metrics (the columns "
                        "of cv_results_, what refit names)."
                    )
                if not (isinstance(scorer, str) or callable(scorer) or scorer is None):
                    raise InvalidParameterError(
                        f"The 'scoring' parameter of {name} maps {key!r} to "
                        f"{scorer!r}, which is neither a scorer name (str), a "
                        "callable scorer(estimator, X, y), nor None (the "
                        "estimator's own score method)."
                    )
                if isinstance(scorer, str):
                    _check_scorer_name(
                        scorer, f"The 'scoring' parameter of {name} (at key {key!r})"
                    )
        if several_objectives:
            return  # refit was checked against the objectives
        if isinstance(refit, str) and refit not in metrics:
            raise InvalidParameterError(
                "For multi-metric scoring, the parameter refit must be set to a "
                "scorer key, a callable choosing the best index, or False. The "
                f"'refit' parameter of {name} names the metric {refit!r}, "
                f"which is not in scoring: the metrics are {metrics}."
            )
        if refit is True:
            raise InvalidParameterError(
                "For multi-metric scoring, the parameter refit must be set to a "
                f"scorer key: with several metrics in scoring ({metrics}), the "
                f"'refit' parameter of {name} must name the metric that picks the "
                f"best trial (e.g. refit={metrics[0]!r}), be a callable, or be "
                "False. Got refit=True."
            )


def check_objective(objective: Any, scoring: Any, owner: str) -> None:
    """``objectives`` names a metric of ``scoring`` (a callable's: at its scores)."""
    if objective is None or not isinstance(objective, str):
        return  # several objectives: checked by check_objectives
    where = f"The 'objectives' parameter of {owner} names the metric {objective!r}"
    if isinstance(scoring, (list, tuple, dict)):
        metrics = list(scoring)
        if objective not in metrics:
            raise InvalidParameterError(
                f"{where}, which is not in scoring: the metrics are {metrics}. "
                "Name one of them."
            )
    elif isinstance(scoring, str) and objective != scoring:
        raise InvalidParameterError(
            f"{where}, but scoring={scoring!r} scores only that one metric. "
            "Leave objectives=None, or score several metrics, e.g. scoring="
            f"[{scoring!r}, {objective!r}]."
        )
    elif scoring is None and objective != "score":
        raise InvalidParameterError(
            f"{where}, but scoring=None scores only the estimator's score method. "
            f"Leave objectives=None, or score several metrics, e.g. scoring="
            f"[{objective!r}, ...]."
        )


def check_enqueue(
    enqueue: Any, space: SearchSpace, n_trials: int | None, given: Any, owner: str
) -> None:
    """``enqueue``'s params lie in the space and fit in ``n_trials`` (``given`` as set)."""
    queued = list(enqueue or ())
    for i, params in enumerate(queued):
        if not space.contains(params):
            raise InvalidParameterError(
                f"The 'enqueue' parameter of {owner} holds params outside the "
                f"search space at index {i}: {dict(params)!r} "
                f"({space.explain_mismatch(params)}). Each entry must name exactly "
                "the parameters of one sub-space, each value inside its "
                "distribution."
            )
    if n_trials is not None and len(queued) > n_trials:
        raise InvalidParameterError(
            f"The 'enqueue' parameter of {owner} lists {len(queued)} params, more "
            f"than the {n_trials} trials of the search (n_trials={given!r}"
            "). Enqueued params count towards n_trials: raise n_trials or enqueue "
            "fewer."
        )


def time_limit(timeout: float | None) -> float | None:
    """The search's limit in seconds: None for no limit (``timeout`` None or inf)."""
    if timeout is None or math.isinf(timeout):
        return None
    return float(timeout)


def resolve_sampler(
    sampler: Any,
    n_trials: int | None,
    timeout: float | None,
    space: SearchSpace,
    objectives: Objectives | None,
    owner: str,
) -> Sampler:
    """The sampler of a search: ``sampler``'s, or the default for the other parameters."""
    if sampler is None:
        if n_trials is None and time_limit(timeout) is None:
            _require_finite_for_grid(space)
            return GridSampler()
        if objectives is not None:
            # GP and TPE learn from one value per trial; MOTPE from every
            # objective. It beat NSGA-II on 4 of the 5 synthetic problems at
            # 200 evaluations, and on all 5 at 50 and 100, on the seeds the
            # rule was chosen on (docs/guide/multiobjective.rst,
            # docs/benchmarks.md section 12).
            return MOTPESampler(
                objectives=objectives.spec, constraints=objectives.constraint_spec
            )
        return AutoSampler()
    made = make_sampler(sampler, owner=owner)
    # The user's instance is configuration: never let a fit mutate it.
    made = clone(made) if made is sampler else made
    if objectives is not None:
        made = check_sampler(made, objectives, owner)
    if isinstance(made, RandomSampler) and made.n_trials is None:
        made.set_params(n_trials=n_trials)
    return made


def resolve_n_trials(
    sampler: Sampler, space: SearchSpace, n_trials: int | None, timeout: float | None
) -> int | None:
    """How many trials to run: ``n_trials``, or all the sampler can give (None: no end).

    Called from ``fit`` itself: its warning's ``stacklevel`` names fit's caller.
    """
    most = sampler.max_trials(space)
    if most is not None and (
        not isinstance(most, numbers.Integral) or isinstance(most, bool) or most < 0
    ):
        # A user's sampler: its answer sets the budget and the warning below.
        raise InvalidParameterError(
            f"{sampler!r}.max_trials(space) returned {_short(most)} "
            f"({type(most).__name__}); it must return the number of distinct params "
            "the sampler can give, an int >= 0, or None when that is unbounded."
        )
    if n_trials is None:
        if most is None and time_limit(timeout) is None:
            raise InvalidParameterError(
                f"n_trials=None means 'every params the sampler can give', but "
                f"{sampler!r} is unbounded on this space"
                + ("" if timeout is None else f", and timeout={timeout!r} sets no limit")
                + ". Set n_trials=... (or timeout=...), or use "
                "sampler='grid' on a finite space."
            )
        return None if most is None else int(most)
    if most is not None and n_trials > most:
        warnings.warn(
            f"n_trials={n_trials} is more than the {most} distinct params "
            f"{sampler!r} can give on this space; the search stops after {most} "
            "trials.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return int(n_trials)


def checked_splits(
    cv: Any, estimator: Any, X: Any, y: Any, split_params: Mapping[str, Any], owner: str
) -> tuple[Any, int, list[Any]]:
    """The CV splitter, its number of splits and its splits; checked, before any fit.

    The splitter's own errors (more splits than samples, groups missing)
    come back naming ``cv`` (and ``y``), from here rather than from inside
    scikit-learn.
    """
    name = owner
    try:
        splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    except ValueError as error:
        raise InvalidParameterError(
            f"{name}.fit cannot tell what kind of target y is, to choose the "
            f"cv={cv!r} splitter (stratified for a classifier): {error}"
        ) from error
    n_samples = num_samples(X)
    given = "".join(f", {k}" for k, v in split_params.items() if v is not None)
    try:
        n_splits = splitter.get_n_splits(X, y, **split_params)
        splits = list(splitter.split(X, y, **split_params))
    except (ValueError, TypeError) as error:
        raise InvalidParameterError(
            f"The 'cv' parameter of {name}, {_short(cv)}, cannot split the "
            f"{n_samples} samples of X (with y{given}): {error}"
        ) from error
    for k, split in enumerate(splits):
        _check_split(split, k, n_samples, name)
    return splitter, n_splits, splits


def check_fit_data(X: Any, y: Any, params: Mapping[str, Any]) -> None:
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


def check_fit_params_accepted(estimator: Any, fit_params: Mapping[str, Any]) -> None:
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


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`` Did you mean 'a' or 'b'?`` for the options closest to ``word``, or ''."""
    close = difflib.get_close_matches(word, list(options), n=3)
    return f" Did you mean {' or '.join(map(repr, close))}?" if close else ""


def _check_scorer_name(scorer: str, where: str) -> None:
    names = get_scorer_names()
    if scorer in names:
        return
    hint = did_you_mean(scorer, names)
    raise InvalidParameterError(
        f"{where} got the unknown scorer name {scorer!r}.{hint} Valid names are listed "
        "by sklearn.metrics.get_scorer_names(); a callable is also accepted."
    )


def check_clonable(estimator: Any, owner: str) -> None:
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
                hint = did_you_mean(name, valid)
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


def is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_positive_number(value: object) -> bool:
    return (
        isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value) > 0
    )


# -- pre_dispatch and callbacks: what only shows once the search runs ---------------
_ARITHMETIC: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _arithmetic(node: ast.AST, n_jobs: int) -> float:
    """The value of an expression of numbers and ``n_jobs`` (ValueError otherwise)."""
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    ):
        return node.value
    if isinstance(node, ast.Name) and node.id == "n_jobs":
        return n_jobs
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = _arithmetic(node.left, n_jobs), _arithmetic(node.right, n_jobs)
        try:
            return float(_ARITHMETIC[type(node.op)](left, right))
        except ZeroDivisionError:
            raise ValueError("division by zero") from None
    if isinstance(node, ast.UnaryOp) and type(node.op) in _ARITHMETIC:
        return float(_ARITHMETIC[type(node.op)](_arithmetic(node.operand, n_jobs)))
    raise ValueError("not an arithmetic expression of numbers and n_jobs")


def check_pre_dispatch(
    pre_dispatch: Any, n_jobs: int, owner: str, timeout: float | None = None
) -> None:
    """A ``pre_dispatch`` string joblib can evaluate to at least one task.

    joblib reads the string only once the folds are sent, after the study
    is written: "all", or an expression such as "2*n_jobs" whose value (with
    the search's ``n_jobs`` of workers) is at least 1. "all" with a timeout
    and several workers is refused: joblib then takes every task before it
    hands back any result, so the search asked trials until the timeout (or
    until ``n_trials``, however long that took) and kept few or none.
    """
    if pre_dispatch == "all" and timeout is not None and n_jobs > 1:
        raise InvalidParameterError(
            f"The 'pre_dispatch' parameter of {owner} cannot be 'all' with "
            f"timeout={timeout!r} and {n_jobs} workers: joblib would take every "
            "task of the search before handing back any result, so the trials "
            "would all be asked (until the timeout, with n_trials=None) before "
            "any fold finished, and the timeout would cut them. Give an int or "
            "an expression of n_jobs such as '2*n_jobs' (the default)."
        )
    if not isinstance(pre_dispatch, str) or pre_dispatch == "all":
        return
    allowed = (
        '"all", a positive int, or an arithmetic expression of n_jobs such as '
        '"2*n_jobs" that is at least 1'
    )
    try:
        tree = ast.parse(pre_dispatch.strip(), mode="eval")
        value = _arithmetic(tree.body, n_jobs)
    except (SyntaxError, ValueError, OverflowError) as error:
        raise InvalidParameterError(
            f"The 'pre_dispatch' parameter of {owner} must be {allowed}. "
            f"Got {pre_dispatch!r} ({error})."
        ) from None
    if not value >= 1:  # also NaN
        raise InvalidParameterError(
            f"The 'pre_dispatch' parameter of {owner} must be {allowed}. "
            f"Got {pre_dispatch!r}, which is {value:g} with n_jobs={n_jobs}."
        )


def check_callbacks(callbacks: Any, owner: str) -> None:
    """Each callback can be called as ``callback(study, trial)``."""
    for callback in callbacks or ():
        try:
            signature = inspect.signature(callback)
        except (TypeError, ValueError):  # a builtin without a signature: trusted
            continue
        try:
            signature.bind(None, None)
        except TypeError as error:
            raise InvalidParameterError(
                f"The 'callbacks' parameter of {owner} must hold callables called as "
                f"callback(study, trial) after each trial; {_callable_name(callback)} "
                "cannot be "
                f"called so: {error}."
            ) from None


def _callable_name(callback: Any) -> str:
    name = getattr(callback, "__qualname__", None)
    return name if isinstance(name, str) else repr(callback)
