"""Per-fold early stopping: a validation split carved from each fold's training part.

:class:`ValidationSplit` is the public configuration. In ``fit`` the search
calls :func:`resolve_validation` once: it checks the estimator and the fit
parameters, carves every fold's training part into the rows the estimator
fits on and the rows it validates on (never a row of the fold's test part),
and returns a :class:`Validation` that the workers use to route the
validation rows to the right fit parameter and to read back how many
boosting rounds (or epochs) the estimator kept.
"""

from __future__ import annotations

import dataclasses
import inspect
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.pipeline import Pipeline

from scout_sklearn.exceptions import InvalidParameterError, user_stacklevel

__all__ = [
    "Validation",
    "ValidationSplit",
    "fit_with_validation",
    "fitted_iterations",
    "refit_iterations",
    "resolve_validation",
]

_ROUTES = ("auto", "eval_set", "eval_X", "X_val", "validation_data")


class ValidationSplit:
    """Give each fold's estimator a validation set carved from its training part.

    Estimators that stop early on a validation set (XGBoost, LightGBM,
    CatBoost, scikit-learn's HistGradientBoosting, Keras through
    ``validation_data``) usually get one fixed set in copied code, often
    taken from the test data. With ``ScoutSearchCV(validation=ValidationSplit())``
    every CV fold carves ``size`` of its *training* part off: the estimator
    fits on the rest and receives the carved rows through the fit parameter
    its library expects. The fold's test part is never seen. The same rows
    are carved for every trial (they depend on the fold and ``random_state``
    only), so trials are compared on equal terms.

    The number of rounds the fitted estimator kept is recorded per fold
    (``FoldResult.n_iterations``, the ``split{k}_n_iterations`` and
    ``n_iterations`` columns of ``cv_results_``), and the refit, which has
    no validation rows, trains the best params for the median of the best
    trial's counts (``best_n_iterations_``) with early stopping switched off.

    Parameters
    ----------
    size : float or int, default=0.1
        The share of each fold's training part to validate on (a float in
        (0, 1)), or a number of rows (an int of at least 1).
    route : {"auto", "eval_set", "eval_X", "X_val", "validation_data"} or callable, \
            default="auto"
        How the validation rows reach ``fit``: ``"eval_set"`` passes
        ``eval_set=[(X_val, y_val)]`` (XGBoost, CatBoost), ``"eval_X"``
        ``eval_X=(X_val,), eval_y=(y_val,)`` (LightGBM 4.7+), ``"X_val"``
        ``X_val=X_val, y_val=y_val`` (HistGradientBoosting), and
        ``"validation_data"`` ``validation_data=(X_val, y_val)`` (Keras). A
        callable ``route(X_val, y_val)`` returns the fit parameters itself.
        ``"auto"`` picks from the estimator's library (the last step's, in a
        pipeline).
    iterations_param : str or None, default=None
        The estimator parameter the refit sets to the rounds found
        (``"n_estimators"``, ``"max_iter"``...). None: the library's
        (``n_estimators`` for XGBoost and LightGBM, ``iterations`` for
        CatBoost, ``max_iter`` for HistGradientBoosting); for another
        estimator the refit keeps its params unchanged.
    stratify : {"auto"} or bool, default="auto"
        Keep the classes' proportions in the carved rows; ``"auto"`` does
        for classifiers. With ``groups`` passed to ``fit`` (a group
        splitter such as ``GroupKFold``), whole groups are carved instead
        (``GroupShuffleSplit``, ``size`` then a share of the rows as near as
        whole groups allow): a group's rows are never split between the fit
        and the validation rows, as the splitter keeps them out of the test
        part.
    random_state : int, default=0
        Seeds which rows are carved (with the fold's index). A fixed int, so
        a resumed search carves the same rows.

    Notes
    -----
    Early stopping itself stays the estimator's setting:
    ``XGBClassifier(early_stopping_rounds=10)``,
    ``LGBMClassifier(early_stopping_round=10)``,
    ``CatBoostClassifier(early_stopping_rounds=10)``,
    ``HistGradientBoostingClassifier(early_stopping=True)``. In a pipeline,
    the steps before the last are fitted on the fold's rows and transform
    the validation rows before the last step sees them.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from scout_sklearn import ScoutSearchCV, ValidationSplit
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> search = ScoutSearchCV(
    ...     HistGradientBoostingClassifier(max_iter=200, early_stopping=True),
    ...     {"learning_rate": [0.1, 0.3]}, cv=3,
    ...     validation=ValidationSplit(0.2),
    ... ).fit(X, y)
    >>> search.cv_results_["split0_n_iterations"].shape
    (2,)
    >>> search.best_estimator_.max_iter == search.best_n_iterations_
    True
    """

    def __init__(
        self,
        size: float = 0.1,
        *,
        route: str | Callable[[Any, Any], Mapping[str, Any]] = "auto",
        iterations_param: str | None = None,
        stratify: str | bool = "auto",
        random_state: int = 0,
    ) -> None:
        self.size = size
        self.route = route
        self.iterations_param = iterations_param
        self.stratify = stratify
        self.random_state = random_state

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments (scikit-learn's convention, for clone)."""
        return {
            "size": self.size,
            "route": self.route,
            "iterations_param": self.iterations_param,
            "stratify": self.stratify,
            "random_state": self.random_state,
        }

    def set_params(self, **params: Any) -> ValidationSplit:
        """Set constructor arguments by name."""
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(
                    f"Invalid parameter {name!r} for ValidationSplit; valid ones are "
                    f"{sorted(self.get_params())}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = ValidationSplit().get_params()
        shown = [
            f"{name}={value!r}"
            for name, value in self.get_params().items()
            if value is not defaults[name] and value != defaults[name]
        ]
        return f"ValidationSplit({', '.join(shown)})"


@dataclass(frozen=True)
class _Library:
    """What one library needs: how to pass the rows, read and set the rounds."""

    route: str
    iterations_param: str | None
    # Parameters that switch early stopping off for the refit (no validation rows).
    refit_off: Mapping[str, Any]
    # Fit parameters that keep the library quiet about every round.
    quiet: Mapping[str, Any]
    # The fit parameter of the validation rows' sample weights (None: none);
    # a list of one array where the rows go as a list of one set.
    weight_route: str | None = None
    weight_in_list: bool = False
    # The library's aliases of iterations_param and of the refit_off names:
    # an alias the user set wins over (or clashes with) the canonical name.
    iteration_aliases: tuple[str, ...] = ()
    stop_aliases: tuple[str, ...] = ()


#: LightGBM's aliases of num_iterations and early_stopping_round.
_LIGHTGBM_ROUNDS = (
    "num_iterations", "num_iteration", "n_iter", "num_tree", "num_trees",
    "num_round", "num_rounds", "nrounds", "num_boost_round", "max_iter",
)  # fmt: skip
_LIGHTGBM_STOP = ("early_stopping_rounds", "early_stopping", "n_iter_no_change")


def _library_of(estimator: Any) -> _Library | None:
    module = type(estimator).__module__.split(".")[0]
    name = type(estimator).__name__
    if module == "xgboost":
        return _Library(
            "eval_set",
            "n_estimators",
            {"early_stopping_rounds": None},
            {"verbose": False},
            "sample_weight_eval_set",
            True,
        )
    if module == "lightgbm":
        # LightGBM 4.7 deprecated eval_set for eval_X/eval_y (a FutureWarning).
        has_eval_x = "eval_X" in inspect.signature(estimator.fit).parameters
        route = "eval_X" if has_eval_x else "eval_set"
        return _Library(
            route,
            "n_estimators",
            {"early_stopping_round": None},
            {},
            "eval_sample_weight",
            True,
            _LIGHTGBM_ROUNDS,
            _LIGHTGBM_STOP,
        )
    if module == "catboost":
        return _Library(
            "eval_set",
            "iterations",
            {"early_stopping_rounds": None},
            {},
            iteration_aliases=("n_estimators", "num_boost_round", "num_trees"),
            stop_aliases=("od_wait",),
        )
    if module == "sklearn" and name.startswith("HistGradientBoosting"):
        return _Library(
            "X_val", "max_iter", {"early_stopping": False}, {}, "sample_weight_val", False
        )
    return None


@dataclass(frozen=True)
class Validation:
    """A resolved ValidationSplit: the carved rows and how to use them.

    ``rows[k]`` are fold *k*'s validation rows (indices into X); the fold's
    training part given to the loop no longer holds them. ``step`` is the
    pipeline step that receives the rows (None for a plain estimator).
    """

    rows: tuple[np.ndarray, ...]
    route: str | Callable[[Any, Any], Mapping[str, Any]]
    quiet: Mapping[str, Any]
    step: str | None
    iterations_param: str | None
    refit_off: Mapping[str, Any]
    weight_route: str | None = None
    weight_in_list: bool = False
    iteration_aliases: tuple[str, ...] = ()
    stop_aliases: tuple[str, ...] = ()

    def fit_params(self, X_val: Any, y_val: Any, w_val: Any = None) -> dict[str, Any]:
        """The fit parameters that hand ``X_val, y_val`` (weighted by ``w_val``) over."""
        route = self.route
        if callable(route):
            params = dict(route(X_val, y_val))
        elif route == "eval_set":
            params = {"eval_set": [(X_val, y_val)]}
        elif route == "eval_X":
            params = {"eval_X": (X_val,), "eval_y": (y_val,)}
        elif route == "X_val":
            params = {"X_val": X_val, "y_val": y_val}
        else:
            params = {"validation_data": (X_val, y_val)}
        if w_val is not None and self.weight_route is not None:
            params[self.weight_route] = [w_val] if self.weight_in_list else w_val
        return {**self.quiet, **params}

    def refit_params(
        self, n_iterations: int | None, estimator: Any = None
    ) -> dict[str, Any]:
        """Estimator params for the refit: the rounds found, early stopping off.

        Given the refit's ``estimator``, an alias the user set (LightGBM's
        ``num_iterations``, CatBoost's ``n_estimators`` or ``od_wait``) is
        set in place of, or beside, the canonical name: LightGBM lets the
        alias win, CatBoost refuses both names at once.
        """
        if n_iterations is None or self.iterations_param is None:
            return {}
        current: Mapping[str, Any] = {}
        if estimator is not None:
            final = estimator.steps[-1][1] if self.step is not None else estimator
            current = final.get_params(deep=False)
        names = [
            name
            for name in (self.iterations_param, *self.iteration_aliases)
            if current.get(name) is not None
        ] or [self.iterations_param]
        params: dict[str, Any] = dict.fromkeys(names, n_iterations)
        params.update(self.refit_off)
        for name in self.stop_aliases:
            if current.get(name) is not None:
                params[name] = None
        if self.step is None:
            return params
        return {f"{self.step}__{name}": value for name, value in params.items()}


def resolve_validation(
    spec: Any,
    estimator: Any,
    X: Any,
    y: Any,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    fit_params: Mapping[str, Any],
    groups: Any = None,
) -> tuple[Validation, list[tuple[np.ndarray, np.ndarray]]]:
    """Check ``spec`` against the estimator, carve every fold; before any fit.

    Returns the Validation and the splits with the carved rows taken out of
    each training part.
    """
    if not isinstance(spec, ValidationSplit):
        raise InvalidParameterError(
            "The 'validation' parameter of ScoutSearchCV must be a "
            f"scout_sklearn.ValidationSplit or None. Got {spec!r} instead."
        )
    size = _check_size(spec.size)
    route = spec.route
    if not (callable(route) or (isinstance(route, str) and route in _ROUTES)):
        raise InvalidParameterError(
            "The 'route' parameter of ValidationSplit must be one of "
            f"{list(_ROUTES)} or a callable route(X_val, y_val) -> dict of fit "
            f"parameters. Got {route!r} instead."
        )
    if not isinstance(spec.stratify, bool) and spec.stratify != "auto":
        raise InvalidParameterError(
            "The 'stratify' parameter of ValidationSplit must be 'auto' or a bool. "
            f"Got {spec.stratify!r} instead."
        )
    seed = spec.random_state
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise InvalidParameterError(
            "The 'random_state' parameter of ValidationSplit must be an int in the "
            f"range [0, inf) (the same rows on every resume). Got {seed!r} instead."
        )
    if y is None:
        raise ValueError(
            "validation=ValidationSplit(...) needs y: the validation rows go to the "
            "estimator as (X_val, y_val)."
        )
    step, final = _final_step(estimator)
    library = _library_of(final)
    if route == "auto":
        if library is None:
            raise InvalidParameterError(
                "ValidationSplit(route='auto') knows XGBoost, LightGBM, CatBoost and "
                f"HistGradientBoosting; the estimator is {type(final).__name__}. Name "
                f"the fit parameter: route= one of {list(_ROUTES[1:])} or a callable."
            )
        route = library.route
    # The library's weights parameter goes with its own route only.
    weighted = library is not None and route == library.route
    validation = Validation(
        rows=(),
        route=route,
        quiet={} if library is None else dict(library.quiet),
        step=step,
        iterations_param=spec.iterations_param
        or (None if library is None else library.iterations_param),
        refit_off={} if library is None else dict(library.refit_off),
        weight_route=library.weight_route if weighted and library else None,
        weight_in_list=bool(library and library.weight_in_list),
        # The aliases stand for the library's own rounds parameter only.
        iteration_aliases=()
        if library is None or spec.iterations_param not in (None, library.iterations_param)
        else library.iteration_aliases,
        stop_aliases=() if library is None else library.stop_aliases,
    )
    _check_no_clash(validation, fit_params)
    weights_given = any(
        name == "sample_weight" or name.endswith("__sample_weight") for name in fit_params
    )
    if (
        weights_given
        and validation.weight_route is None
        and "sample_weight" in _last_step_params(estimator, validation, fit_params)
    ):
        warnings.warn(
            f"fit was given sample_weight, and ValidationSplit cannot pass the "
            f"validation rows' weights to {type(final).__name__} by route={route!r}: "
            "its early stopping compares unweighted losses on them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    _check_fit_accepts(validation, final)
    if route == "X_val" and getattr(final, "early_stopping", "auto") is False:
        # HistGradientBoosting refuses validation rows then, in every fold.
        raise InvalidParameterError(
            f"validation=ValidationSplit(...) gives {type(final).__name__} validation "
            "rows to stop early on, but its early_stopping=False: set "
            "early_stopping=True (or 'auto'), or leave validation=None."
        )
    stratify = is_classifier(estimator) if spec.stratify == "auto" else spec.stratify
    carved = []
    rows = []
    groups = None if groups is None else np.asarray(groups)
    for fold, (train, test) in enumerate(splits):
        fit_rows, val_rows = _carve(
            train, y, size, stratify, [int(seed), fold], groups=groups
        )
        carved.append((fit_rows, test))
        rows.append(val_rows)
    return _with_rows(validation, tuple(rows)), carved


def _with_rows(validation: Validation, rows: tuple[np.ndarray, ...]) -> Validation:
    return dataclasses.replace(validation, rows=rows)


def _check_size(size: object) -> float | int:
    if isinstance(size, numbers.Integral) and not isinstance(size, bool) and int(size) >= 1:
        return int(size)
    if (
        isinstance(size, numbers.Real)
        and not isinstance(size, bool)
        and 0 < float(size) < 1
    ):
        return float(size)
    raise InvalidParameterError(
        "The 'size' parameter of ValidationSplit must be a float in the range (0, 1) "
        f"(a share of each fold's training part) or an int >= 1 (rows). Got {size!r} "
        "instead."
    )


def _final_step(estimator: Any) -> tuple[str | None, Any]:
    if isinstance(estimator, Pipeline):
        name, final = estimator.steps[-1]
        if final is None or final == "passthrough":
            raise InvalidParameterError(
                "validation=ValidationSplit(...) routes the validation rows to the "
                f"pipeline's last step, and the pipeline's last step {name!r} is "
                f"{final!r}."
            )
        return name, final
    return None, estimator


def _check_no_clash(validation: Validation, fit_params: Mapping[str, Any]) -> None:
    if callable(validation.route):
        return  # its names are known only once it is called
    names = set(validation.fit_params(None, None, w_val=True)) - set(validation.quiet)
    prefix = "" if validation.step is None else f"{validation.step}__"
    given = sorted(name for name in fit_params if name.removeprefix(prefix) in names)
    if given:
        raise ValueError(
            f"fit was given {given}, which validation=ValidationSplit(...) sets for "
            "every fold (from the fold's training part). Pass one or the other."
        )


def _check_fit_accepts(validation: Validation, final: Any) -> None:
    """Refuse a route whose fit parameters the estimator's fit does not take."""
    if callable(validation.route):
        return
    parameters = inspect.signature(final.fit).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return  # fit(**kwargs): it may take anything
    accepted = {p.name for p in parameters}
    missing = sorted(set(validation.fit_params(None, None)) - accepted)
    if missing:
        raise InvalidParameterError(
            f"ValidationSplit routes the validation rows as {missing}, which "
            f"{type(final).__name__}.fit does not take (it takes {sorted(accepted)}). "
            "Pick another route= or pass a callable route(X_val, y_val) -> dict; "
            "HistGradientBoosting takes X_val from scikit-learn 1.7 on."
        )


def _carve(
    train: np.ndarray,
    y: Any,
    size: float | int,
    stratify: bool,
    seed: list[int],
    *,
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    train = np.asarray(train)
    labels = np.asarray(y)[train] if stratify else None
    state = int(np.random.SeedSequence(seed).generate_state(1)[0])
    try:
        if groups is not None:
            share = size if isinstance(size, float) else size / len(train)
            splitter = GroupShuffleSplit(
                n_splits=1, test_size=min(share, 1.0), random_state=state
            )
            fit_at, val_at = next(splitter.split(train, groups=groups[train]))
            fit_rows, val_rows = train[fit_at], train[val_at]
        else:
            fit_rows, val_rows = train_test_split(
                train, test_size=size, stratify=labels, random_state=state
            )
    except ValueError as err:
        raise ValueError(
            f"ValidationSplit(size={size!r}) cannot carve a validation split from a "
            f"training part of {len(train)} rows: {err}"
        ) from err
    return np.sort(fit_rows), np.sort(val_rows)


def fit_with_validation(
    estimator: Any,
    X_fit: Any,
    y_fit: Any,
    X_val: Any,
    y_val: Any,
    validation: Validation,
    fit_params: Mapping[str, Any],
    val_params: Mapping[str, Any] | None = None,
) -> None:
    """Fit ``estimator`` on the fit rows, validating on the carved rows.

    A pipeline's steps before the last are fitted on the fit rows and
    transform the validation rows, so the last step compares like with like.
    ``val_params`` are the fit parameters sliced to the validation rows: the
    last step's ``sample_weight`` among them weights the validation rows.
    """
    w_val = None
    if val_params and validation.weight_route is not None:
        w_val = _last_step_params(estimator, validation, val_params).get("sample_weight")
    extra = validation.fit_params(X_val, y_val, w_val)
    if validation.step is None:
        estimator.fit(X_fit, y_fit, **fit_params, **extra)
        return
    head = estimator[:-1]
    last_params = _last_step_params(estimator, validation, fit_params)
    if _routing_enabled():
        # Params arrive as the search got them (sample_weight): the pipeline's
        # own routing says which step requested which.
        from sklearn.utils.metadata_routing import get_routing_for_object

        wanted = get_routing_for_object(head).consumes("fit_transform", set(fit_params))
        head_params = {k: v for k, v in fit_params.items() if k in wanted}
    else:
        prefix = f"{validation.step}__"
        head_params = {k: v for k, v in fit_params.items() if not k.startswith(prefix)}
    if any(hasattr(step, "fit_resample") for _, step in head.steps):
        # A resampler (imbalanced-learn's pipeline): it changes the rows and
        # y of the fit, and passes the validation rows through untouched,
        # as that pipeline does at predict time.
        Xt, y_fit = _fit_resample_head(head, X_fit, y_fit, head_params)
        extra = validation.fit_params(_transform_head(head, X_val), y_val, w_val)
        estimator.steps[-1][1].fit(Xt, y_fit, **last_params, **extra)
        return
    Xt = head.fit_transform(X_fit, y_fit, **head_params)
    # With a memory, a pipeline fits clones of its transformers and keeps
    # the fitted clones in its own steps: here the slice's, not the
    # estimator's, which would then transform (predict, score) unfitted.
    estimator.steps[: len(head.steps)] = head.steps
    extra = validation.fit_params(head.transform(X_val), y_val, w_val)
    estimator.steps[-1][1].fit(Xt, y_fit, **last_params, **extra)


def _last_step_params(
    estimator: Any, validation: Validation, fit_params: Mapping[str, Any]
) -> dict[str, Any]:
    """The fit parameters among ``fit_params`` that the last step receives."""
    if validation.step is None:
        return dict(fit_params)
    if _routing_enabled():
        from sklearn.utils.metadata_routing import process_routing

        routed = process_routing(estimator, "fit", **fit_params)
        return dict(routed[validation.step]["fit"])
    prefix = f"{validation.step}__"
    return {
        k.removeprefix(prefix): v for k, v in fit_params.items() if k.startswith(prefix)
    }


def _fit_resample_head(
    head: Any, X: Any, y: Any, params: Mapping[str, Any]
) -> tuple[Any, Any]:
    """Fit a pipeline's steps one by one, resampling where a step resamples."""
    for name, step in head.steps:
        if step is None or step == "passthrough":
            continue
        own = {
            k.removeprefix(f"{name}__"): v
            for k, v in params.items()
            if k.startswith(f"{name}__")
        }
        if hasattr(step, "fit_resample"):
            X, y = step.fit_resample(X, y, **own)
        elif hasattr(step, "fit_transform"):
            X = step.fit_transform(X, y, **own)
        else:
            X = step.fit(X, y, **own).transform(X)
    return X, y


def _transform_head(head: Any, X: Any) -> Any:
    """The validation rows through a fitted head, past its resamplers."""
    for _, step in head.steps:
        if step is None or step == "passthrough" or hasattr(step, "fit_resample"):
            continue
        X = step.transform(X)
    return X


def _routing_enabled() -> bool:
    import sklearn

    return bool(sklearn.get_config().get("enable_metadata_routing", False))


def fitted_iterations(estimator: Any) -> int | None:
    """The rounds (or epochs) a fitted estimator kept, if it says; else None."""
    if isinstance(estimator, Pipeline):
        estimator = estimator.steps[-1][1]
    module = type(estimator).__module__.split(".")[0]
    if module == "xgboost":
        try:
            return int(estimator.best_iteration) + 1
        except AttributeError:  # no early stopping configured
            return None
    if module == "lightgbm":
        best = int(getattr(estimator, "best_iteration_", 0) or 0)
        return best if best > 0 else None
    if module == "catboost":
        best = estimator.get_best_iteration()
        return None if best is None else int(best) + 1
    for attribute in ("n_iter_", "best_iteration_", "n_estimators_"):
        value = getattr(estimator, attribute, None)
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, np.ndarray) and value.size == 1:
            return int(value.item())
    return None


def refit_iterations(counts: Sequence[float | None]) -> int | None:
    """The refit's rounds: the median of the folds' counts, rounded, at least 1.

    Folds without a count (None or NaN: a failed fit, no early stopping) are
    left out; None when no fold has one.
    """
    known = [c for c in counts if c is not None and not np.isnan(c)]
    if not known:
        return None
    return max(1, int(np.round(np.median(known))))


def check_early_stopping_has_rows(
    estimator: Any, fit_params: Mapping[str, Any], searched: set[str]
) -> None:
    """Refuse, before any fit, XGBoost or LightGBM told to stop early on no rows.

    Copied code often keeps ``early_stopping_rounds=...`` without the
    ``eval_set`` it needs: every fold's fit then raises, after the search
    ran. Left alone: ``validation=`` given (the caller checks), the rows
    given to fit (``eval_set``, ``eval_X``), a setting the space searches
    (``searched``: the space's names), and every other library (CatBoost
    ignores the setting without rows; HistGradientBoosting carves its own).
    """
    if isinstance(estimator, Pipeline):
        step, final = estimator.steps[-1]
        prefix = f"{step}__"
    else:
        final, prefix = estimator, ""
    library = _library_of(final)
    module = type(final).__module__.split(".")[0]
    if library is None or module not in {"xgboost", "lightgbm"}:
        return
    # The early-stopping settings the refit switches off, by every name.
    names = (*library.refit_off, *library.stop_aliases)
    given = {name.removeprefix(prefix) for name in fit_params}
    if given & {"eval_set", "eval_X"}:
        return
    try:
        params = final.get_params(deep=False)
    except Exception:  # noqa: BLE001 - an estimator whose params cannot be read
        return
    for name in names:
        value = params.get(name)
        if f"{prefix}{name}" in searched or value is None or value is False:
            continue
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and value <= 0:
            continue  # LightGBM's "no early stopping"
        raise InvalidParameterError(
            f"{type(final).__name__}({name}={value!r}) stops early on validation rows, "
            "and the search gives it none: every fit would fail. Pass "
            "validation=ValidationSplit(0.2) (each fold's rows, carved from its "
            "training part), or the rows to fit (eval_set=...), or set "
            f"{prefix}{name}=None."
        )
