"""Which pruning a ScoutSearchCV runs: its pruner, resource and rungs, before any fit.

:func:`resolve_pruning` reads ``pruner``, ``resource``, ``min_resource`` and
``max_resource`` with the splits and the space, checks them together and
gives the :class:`~scout_sklearn._loop.Pruning` the loop runs (None without a
pruner). :func:`with_subsamples` adds, once the study's seed is known, the
order in which ``resource='n_samples'`` takes each training fold's rows.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.multiclass import type_of_target

from scout_sklearn._evaluate import subsample_order
from scout_sklearn._loop import Pruning
from scout_sklearn._results import FOLDS, N_SAMPLES, PARAMETER, RungPlan
from scout_sklearn._search_checks import did_you_mean, is_int, is_positive_number
from scout_sklearn.distributions import SearchSpace
from scout_sklearn.exceptions import InvalidParameterError, user_stacklevel
from scout_sklearn.pruners import NopPruner, make_pruner

__all__ = ["check_halving_words", "resolve_pruning", "with_subsamples"]

# The seed stream of the n_samples subsamples, apart from the trials' streams
# ([seed, number]): the subsample of fold k is drawn from [seed, k, _SUBSAMPLE].
_SUBSAMPLE = 0x5AB5
# The largest int rung: cv_results_["n_resources"] is an int64 array then.
_INT64_MAX = int(np.iinfo(np.int64).max)


# HalvingRandomSearchCV's words for its resources, and what they are here.
_HALVING_WORDS = {
    ("min_resource", "smallest"): (
        "HalvingRandomSearchCV's min_resources='smallest' is min_resource=None here "
        "(2 * n_splits * n_classes training rows with resource='n_samples')"
    ),
    ("min_resource", "exhaust"): (
        "HalvingRandomSearchCV's min_resources='exhaust' has no equivalent here: "
        "give the first rung's resource as a number, or None for the smallest"
    ),
    ("max_resource", "auto"): (
        "HalvingRandomSearchCV's max_resources='auto' is max_resource=None here "
        "(whole training folds with resource='n_samples')"
    ),
}


def check_halving_words(min_resource: Any, max_resource: Any, owner: str) -> None:
    """Name our spelling of HalvingRandomSearchCV's 'smallest', 'exhaust' and 'auto'."""
    for name, value in (("min_resource", min_resource), ("max_resource", max_resource)):
        if isinstance(value, str) and (name, value) in _HALVING_WORDS:
            raise InvalidParameterError(
                f"The {name!r} parameter of {owner} must be a number or None; got "
                f"{value!r}. {_HALVING_WORDS[name, value]}."
            )


def resolve_pruning(
    estimator: Any,
    space: SearchSpace,
    y: Any,
    splits: list[Any],
    *,
    pruner: Any,
    resource: str | None,
    min_resource: float | None,
    max_resource: float | None,
    owner: str,
) -> Pruning | None:
    """The pruner and its rungs, checked before any fit; None without pruning.

    Called from ``fit`` itself: its warning's ``stacklevel`` names fit's caller.
    """
    name = owner
    made = make_pruner(pruner, owner=name)
    if isinstance(made, NopPruner):
        settings = {
            "resource": resource,
            "min_resource": min_resource,
            "max_resource": max_resource,
        }
        given = [f"{key}={value!r}" for key, value in settings.items() if value is not None]
        if given:
            raise InvalidParameterError(
                f"{', '.join(given)} only apply with a pruner, but "
                f"pruner={pruner!r} prunes nothing. Set pruner='hyperband' "
                "(or 'successive_halving', 'median', a Pruner instance), or "
                "leave resource, min_resource and max_resource at None."
            )
        return None
    resource = "n_samples" if resource is None else resource
    bounds: tuple[float, float]
    if resource == "n_samples":
        kind, warm_start = N_SAMPLES, None
        bounds = _sample_bounds(estimator, y, splits, min_resource, max_resource, name)
    elif resource == "folds":
        kind, warm_start = FOLDS, None
        bounds = _fold_bounds(len(splits), min_resource, max_resource, name)
    else:
        kind = PARAMETER
        bounds, warm_start = _parameter_bounds(
            estimator, resource, space, min_resource, max_resource, name
        )
    low, high = bounds
    if low > high:
        raise InvalidParameterError(
            f"The 'min_resource' parameter of {name} must be <= max_resource, the "
            f"resource of the last rung. Got min_resource={low!r} and "
            f"max_resource={high!r} (resource={resource!r}) instead."
        )
    ladder = tuple(made.ladder(low, high))
    if len(ladder) == 1:
        warnings.warn(
            f"The rungs of {made!r} from min_resource={low!r} to "
            f"max_resource={high!r} are just {ladder}: nothing can be pruned. "
            "Lower min_resource to let the pruner stop trials early.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    plan = RungPlan(
        kind=kind,
        ladder=ladder,
        n_splits=len(splits),
        name=resource if kind == PARAMETER else None,
        warm_start=warm_start,
    )
    n_params = max(len(sub.names) for sub in space)
    return Pruning(pruner=made, plan=plan, min_values=max(5, n_params + 1))


def with_subsamples(
    pruning: Pruning, estimator: Any, y: Any, splits: list[Any], seed: int
) -> Pruning:
    """``pruning`` with the subsample order of every training fold.

    Drawn from the study's seed, so a resumed study (and every worker of
    a shared one) subsamples the same rows.
    """
    stratify = _stratifies(estimator, y)
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


def _sample_bounds(
    estimator: Any,
    y: Any,
    splits: list[Any],
    min_resource: float | None,
    max_resource: float | None,
    owner: str,
) -> tuple[int, int]:
    name = owner
    sizes = [len(train) for train, _ in splits]
    smallest, largest = min(sizes), max(sizes)
    for key, value in (("min_resource", min_resource), ("max_resource", max_resource)):
        if value is not None and not is_int(value):
            raise InvalidParameterError(
                f"The {key!r} parameter of {name} counts training rows with "
                f"resource='n_samples', so it must be an int. Got {value!r} instead."
            )
    high = largest if max_resource is None else int(max_resource)
    if high > largest:
        raise InvalidParameterError(
            f"The 'max_resource' parameter of {name} is the number of training "
            f"rows of the last rung with resource='n_samples'; it must be <= "
            f"{largest}, the size of the largest training fold. Got "
            f"max_resource={high!r} instead. Leave it None to fit the last rung "
            "on whole training folds."
        )
    if min_resource is not None:
        low = int(min_resource)
        if low > smallest:
            raise InvalidParameterError(
                f"The 'min_resource' parameter of {name} is the number of "
                f"training rows of the first rung with resource='n_samples'; it "
                f"must be <= {smallest}, the size of the smallest training fold. "
                f"Got min_resource={low!r} instead."
            )
    else:
        # HalvingRandomSearchCV's "smallest": 2 rows per split (and class).
        n_classes = len(np.unique(y)) if _stratifies(estimator, y) else 1
        low = min(2 * len(splits) * n_classes, smallest, high)
    _check_holds_every_class(estimator, y, splits, low, min_resource, max_resource, name)
    return low, high


def _check_holds_every_class(
    estimator: Any,
    y: Any,
    splits: list[Any],
    low: int,
    min_resource: float | None,
    max_resource: float | None,
    owner: str,
) -> None:
    """Refuse a first rung too small to hold one training row of each class.

    A classifier's subsample deals the classes out, one row of each first,
    so ``n_classes`` rows are the fewest that keep every class: with fewer,
    every fit at the first rung misses a class (one row: a single class,
    which most classifiers refuse), and its scores do not rank trials.
    """
    if not _stratifies(estimator, y):
        return
    labels = np.asarray(y)
    n_classes = max(len(np.unique(labels[np.asarray(train)])) for train, _ in splits)
    if low >= n_classes:
        return
    key, given = (
        ("min_resource", min_resource)
        if min_resource is not None
        else ("max_resource", max_resource)
    )
    raise InvalidParameterError(
        f"The {key!r} parameter of {owner} makes the first rung fit on {low} "
        f"training row(s) with resource='n_samples', fewer than the {n_classes} "
        f"classes of the training folds: each fit at that rung would miss a class. "
        f"Got {key}={given!r}; it must be at least {n_classes} (one row per class)."
    )


def _fold_bounds(
    n_splits: int, min_resource: float | None, max_resource: float | None, owner: str
) -> tuple[int, int]:
    name = owner
    if n_splits < 2:
        raise InvalidParameterError(
            f"resource='folds' stops trials after their first folds, so it needs "
            f"at least 2 CV splits; cv gives {n_splits}. Use cv=5 (or more "
            "splits), or resource='n_samples'."
        )
    if max_resource is not None and max_resource != n_splits:
        raise InvalidParameterError(
            f"The 'max_resource' parameter of {name} must be None or {n_splits} "
            f"(the number of CV splits) with resource='folds': the last rung "
            f"runs every fold. Got max_resource={max_resource!r} instead."
        )
    low = 1 if min_resource is None else min_resource
    if not is_int(low):
        raise InvalidParameterError(
            f"The 'min_resource' parameter of {name} counts CV folds with "
            f"resource='folds', so it must be an int. Got {low!r} instead."
        )
    return int(low), n_splits


def _parameter_bounds(
    estimator: Any,
    resource: str,
    space: SearchSpace,
    min_resource: float | None,
    max_resource: float | None,
    owner: str,
) -> tuple[tuple[float, float], str | None]:
    name = owner
    valid = estimator.get_params(deep=True)
    if resource not in valid:
        hint = did_you_mean(resource, valid)
        raise InvalidParameterError(
            f"The 'resource' parameter of {name} must be 'n_samples', 'folds' or "
            f"the name of a parameter of {type(estimator).__name__} (as "
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
    estimator_name = type(estimator).__name__
    # None is left to the bounds (max_depth=None: max_resource is then needed).
    if current is not None and not _is_real(current):
        raise InvalidParameterError(
            f"The 'resource' parameter of {name} must be 'n_samples', 'folds' or "
            f"the name of a numeric parameter of {estimator_name}: each rung sets "
            f"it to a number. Got resource={resource!r}, whose value on the "
            f"estimator, {resource}={current!r}, is not a number. If {resource!r} "
            f"also takes numbers, set one on the estimator first."
        )
    bounds = (("min_resource", min_resource), ("max_resource", max_resource))
    for key, value in bounds:
        if value is not None and not (is_int(value) or math.isfinite(value)):
            raise InvalidParameterError(
                f"The {key!r} parameter of {name} must be a finite number with "
                f"resource={resource!r}: each rung sets {resource!r} to a value "
                f"between min_resource and max_resource. Got {key}={value!r} instead."
            )
    if is_int(current):
        for key, value in bounds:
            if value is not None and not (is_int(value) or float(value).is_integer()):
                raise InvalidParameterError(
                    f"The {key!r} parameter of {name} is a value of {resource!r} "
                    f"with resource={resource!r}, an int parameter of "
                    f"{estimator_name} ({resource}={current!r} on the estimator), "
                    f"so it must be an int. Got {key}={value!r} instead. If "
                    f"{resource!r} also takes floats, set a float on the estimator "
                    f"first ({resource}={int(current)}.0)."
                )
    if max_resource is not None:
        high = max_resource
    elif is_positive_number(current) and (is_int(current) or math.isfinite(current)):
        high = current
    else:
        problem = "finite" if is_positive_number(current) else "positive"
        raise InvalidParameterError(
            f"With resource={resource!r}, max_resource (its value at the last "
            f"rung) is needed: the estimator's own value, {current!r}, is not a "
            f"{problem} number. Set max_resource=..."
        )
    low = 1 if min_resource is None else min_resource
    if is_int(current):  # int rungs: integral float bounds (18.0) become ints
        low, high = int(low), int(high)
    if is_int(low) and is_int(high):
        _check_int64(low, high, min_resource, max_resource, resource, current, name)
    prefix = resource.rpartition("__")[0]
    warm_start = f"{prefix}__warm_start" if prefix else "warm_start"
    continues = warm_start in valid and _warm_start_reaches_total(estimator, resource)
    return (low, high), (warm_start if continues else None)


def _warm_start_reaches_total(estimator: Any, resource: str) -> bool:
    """Whether a warm-started fit grows the model up to ``resource``'s new value.

    So it does for scikit-learn's ensembles' ``n_estimators`` and
    HistGradientBoosting's ``max_iter``: continuing a rung's fit gives the
    model a fresh fit at the next rung would. Elsewhere ``max_iter`` counts
    the epochs of each call (MLP, SGD, Perceptron, LogisticRegression): a
    continued fit would train the sum of the rungs, and a trial scored "at
    27" would have trained 1 + 3 + 9 + 27 epochs. Those, and estimators
    this does not know, are fitted afresh at each rung.
    """
    from sklearn.ensemble import (
        BaseEnsemble,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    prefix, _, param = resource.rpartition("__")
    step = estimator.get_params(deep=True).get(prefix) if prefix else estimator
    if isinstance(step, (HistGradientBoostingClassifier, HistGradientBoostingRegressor)):
        return param == "max_iter"
    return isinstance(step, BaseEnsemble) and param == "n_estimators"


def _check_int64(
    low: float,
    high: float,
    min_resource: float | None,
    max_resource: float | None,
    resource: str,
    current: Any,
    owner: str,
) -> None:
    """Refuse int rungs that ``cv_results_['n_resources']`` (int64) cannot hold."""
    name = owner
    for key, value, given in (
        ("min_resource", low, min_resource),
        ("max_resource", high, max_resource),
    ):
        if value <= _INT64_MAX:
            continue
        if given is None:  # max_resource=None: the estimator's own value
            got = f"max_resource=None, so the estimator's own {resource}={value!r}"
            hint = " Set max_resource=..."
        else:
            got = f"{key}={given!r}"
            hint = (
                ""
                if isinstance(current, numbers.Integral)
                else f" For a float parameter, give it as a float: {key}={float(given)!r}."
            )
        raise InvalidParameterError(
            f"The {key!r} parameter of {name} must be <= {_INT64_MAX} (2**63 - 1) "
            f"with resource={resource!r}: its rungs are ints, which "
            f"cv_results_['n_resources'] holds as int64. Got {got} instead.{hint}"
        )


def _is_real(value: object) -> bool:
    """Whether ``value`` is a real number: an int, a float or a numpy one, not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _stratifies(estimator: Any, y: Any) -> bool:
    """Whether subsamples of ``y`` keep its class proportions (classifiers)."""
    return (
        y is not None
        and is_classifier(estimator)
        and type_of_target(y) in ("binary", "multiclass")
    )
