"""Property tests of bad input (issue 17).

Random constructor arguments, search spaces and fit arguments either fit,
giving a sane fitted search, or fail before any fit with an error that names
the parameter at fault: an InvalidParameterError or a standard ValueError /
TypeError, raised from scout-sklearn's own code, never a traceback that ends
deep inside scikit-learn, numpy, scipy, joblib or SQLAlchemy.

Every drawn value is either valid or bad in a way users get wrong (wrong
type, zero, negative, NaN, inf, a bool for an int, an unknown or misspelt
name, an empty list or dict, a class instead of an instance...). Values that
raise as they are built (``Float(10, 1)``, a sampler with a bad argument) are
drawn as :class:`Make` recipes and built inside the checked block, as the
user's own line would build them.

Hypothesis combines up to three constructor arguments at a time; every
drawn value of each parameter (and every space value under every sampler,
every fit argument) is also checked alone, so that the derandomized ``ci``
profile (``SCOUT_HYPOTHESIS_PROFILE=ci``: the same examples every run) cannot
miss one. The documented late checks are accepted: ``objectives`` against a
callable scoring's metric names, known once it has scored the first fold, and
a ``refit`` callable's row with a pruner, known once it has chosen.

The hand-written cases of ``test_errors.py`` and ``test_validation.py`` pin
exact messages; these properties generalise them.
"""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sklearn
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from scipy.stats import loguniform
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris
from sklearn.model_selection import GroupKFold, KFold, PredefinedSplit, StratifiedKFold
from sklearn.pipeline import Pipeline

from scout_sklearn import Categorical, Float, Int, ScoutSearchCV, ValidationSplit
from scout_sklearn.distributions import SearchSpace
from scout_sklearn.pruners import MedianPruner, SuccessiveHalvingPruner
from scout_sklearn.samplers import RandomSampler, TPESampler

# 60 shuffled rows of iris: three classes, 20 rows each on average.
_X, _Y = load_iris(return_X_y=True)
_ROWS = np.random.default_rng(0).permutation(len(_Y))[:60]
X, Y = _X[_ROWS], _Y[_ROWS]

# Frames in these packages must not be where the error was raised.
FOREIGN = ("sklearn", "numpy", "scipy", "sqlalchemy", "joblib", "threadpoolctl")

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Counting(ClassifierMixin, BaseEstimator):
    """Counts its fits; accepts any X (it never looks at it), predicts one class."""

    calls: Counter[str] = Counter()

    def __init__(self, C: float = 1.0, gamma: float = 1.0, kernel: str = "rbf") -> None:
        self.C = C
        self.gamma = gamma
        self.kernel = kernel

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> Counting:
        type(self).calls["fit"] += 1
        if np.ndim(sample_weight) and len(sample_weight) != len(X):
            raise ValueError("sample_weight.shape does not match X.shape")
        self.classes_ = np.unique(np.asarray(y)) if y is not None else np.array([0])
        return self

    def predict(self, X: Any) -> Any:
        return np.full(len(X), self.classes_[0])

    def score(self, X: Any, y: Any) -> float:
        return float(self.C) if isinstance(self.C, (int, float)) else 0.0


class Make:
    """A value built when the search is built (its constructor may raise)."""

    def __init__(self, label: str, build: Callable[[], Any]) -> None:
        self.label = label
        self.build = build

    def __repr__(self) -> str:
        return self.label


def _built(value: Any) -> Any:
    return value.build() if isinstance(value, Make) else value


# A fresh SQLite file per drawn storage, in one directory for the module.
_DB_DIR = Path(tempfile.mkdtemp(prefix="scout-props-"))
_DB_NUMBER: Iterator[int] = itertools.count()


@pytest.fixture(scope="module", autouse=True)
def _remove_the_db_directory() -> Iterator[None]:
    yield
    shutil.rmtree(_DB_DIR, ignore_errors=True)


def _sqlite_file(suffix: str = "") -> Make:
    return Make(
        f"sqlite:///<tmp>/n.db{suffix}",
        lambda: f"sqlite:///{_DB_DIR / f'{next(_DB_NUMBER)}.db'}{suffix}",
    )


def _score_one(estimator: Any, X: Any, y: Any) -> float:
    return 1.0


def _first(results: Any) -> int:
    return 0


def _callback(study: Any, trial: Any) -> None:
    return None


def _no_route(X_val: Any, y_val: Any) -> dict[str, Any]:
    return {}


NAN, INF = float("nan"), float("inf")
SPACE = {"C": [0.5, 1.0], "kernel": ["rbf", "linear"]}
BASE: dict[str, Any] = {"n_trials": 3, "cv": 2, "random_state": 0, "n_jobs": 1}

# name -> values drawn for it, valid and bad mixed.
CONSTRUCTOR_VALUES: dict[str, list[Any]] = {
    "estimator": [
        Make("Counting()", Counting),
        Counting,  # the class, not an instance
        None,
        "Counting",
        Make("object()", object),
        Make("Pipeline(clf=Counting())", lambda: Pipeline([("clf", Counting())])),
    ],
    "n_trials": [
        -1,
        0,
        1,
        2,
        4,
        None,
        True,
        False,
        1.5,
        NAN,
        INF,
        "3",
        [3],
        np.int64(2),
        10**30,
    ],
    "timeout": [None, 60.0, 1e308, INF, 10**400, 0, -1.0, NAN, "10", True],
    "n_jobs": [None, 1, np.int64(1), 0, 1.5, "2", True, NAN],
    "cv": [
        2,
        3,
        None,
        np.int32(2),
        1,
        0,
        -2,
        2.0,
        "5",
        True,
        61,
        np.int64(61),
        KFold(2),
        PredefinedSplit(np.arange(60) % 2),
        Make(
            "iter(splits)",
            lambda: iter(
                [(np.arange(30), np.arange(30, 60)), (np.arange(30, 60), np.arange(30))]
            ),
        ),
        KFold(100),
        GroupKFold(2),
        StratifiedKFold(3, shuffle=True, random_state=0),
        [],
        [1, 2, 3],
        [(np.arange(30), np.arange(30, 60))],
        [(np.arange(30), np.arange(30, 90))],
        [(np.arange(30),)],
        [(np.arange(30) + 0.5, np.arange(30, 60))],
        [(np.arange(30), np.arange(-1, 29, -1))],
    ],
    "scoring": [
        None,
        "accuracy",
        "acuracy",
        "",
        3,
        [],
        {},
        ["accuracy", "f1_macro"],
        ("accuracy", "accuracy"),
        ["accuracy", 3],
        {"a": "accuracy"},
        {"a": "accuracy", "b": 3},
        {3: "accuracy"},
        _score_one,
    ],
    "refit": [True, False, "accuracy", "f1_macro", "a", "nope", None, 1.5, 0, _first],
    "objectives": [None, "accuracy", "f1_macro", "score", "nope", 3],
    "verbose": [0, False, -1, 1.5, "1", None, 10**400],
    "random_state": [
        None,
        0,
        42,
        2**32 - 1,
        -1,
        2**32,
        1.5,
        "0",
        True,
        2**64,
        np.int64(5),
        Make("RandomState(0)", lambda: np.random.RandomState(0)),
        Make("default_rng(0)", lambda: np.random.default_rng(0)),
    ],
    "error_score": (
        [
            NAN,
            0,
            -1.0,
            INF,
            10**400,
            np.float32(0),
            "raise",
            "rais",
            None,
            "nan",
            [0],
            True,
            1j,
        ]
    ),
    "return_train_score": [True, False, "yes", 1, None],
    "storage": [
        None,
        "sqlite://",
        "sqlite:///:memory:",
        _sqlite_file(),
        "",
        "notaurl",
        "http://example.invalid/db",
        "postgresql+nosuchdriver://user@localhost/db",
        "sqlite+nosuchdriver://",
        3,
        b"sqlite://",
        Make("Path(<tmp>/n.db)", lambda: _DB_DIR / f"{next(_DB_NUMBER)}.db"),
        Make("sqlite:///<tmp>/missing/n.db", lambda: f"sqlite:///{_DB_DIR}/no/x.db"),
        Make("sqlite:///<tmp>", lambda: f"sqlite:///{_DB_DIR}"),
        _sqlite_file("?timeout=abc"),
    ],
    "study_name": [None, "s", "", 3, "x" * 300, "a\x00b"],
    "load_if_exists": [True, False, "no", 1, None],
    "ignore_fingerprint": [True, False, "yes", 0],
    "sampler": [
        None,
        "grid",
        "random",
        "tpe",
        "gp",
        "cmaes",
        "qmc",
        "annealing",
        "auto",
        "grdi",
        "TPE",
        "",
        3,
        RandomSampler,  # the class, not an instance
        Make("RandomSampler()", RandomSampler),
        Make("TPESampler(n_startup_trials=-1)", lambda: TPESampler(n_startup_trials=-1)),
    ],
    "pruner": [
        None,
        "none",
        "hyperband",
        "sha",
        "asha",
        "median",
        "hyperbnd",
        3,
        MedianPruner,  # the class
        Make("SuccessiveHalvingPruner()", SuccessiveHalvingPruner),
        Make(
            "SuccessiveHalvingPruner(reduction_factor=1)",
            lambda: SuccessiveHalvingPruner(reduction_factor=1),
        ),
    ],
    "resource": [None, "n_samples", "folds", "gamma", "C", "nope", "", 3],
    "min_resource": [None, 1, 2, 5, 0, -1, 1.5, NAN, INF, True, "5", 10**400],
    "max_resource": [None, 2, 10, 30, 0, -1, 1.5, NAN, INF, True, 10**9, "5"],
    "callbacks": [None, [], [_callback], [3], _callback, "cb"],
    "enqueue": [
        None,
        [],
        [{"C": 1.0, "kernel": "rbf"}],
        ({"C": 0.5, "kernel": "linear"},),
        [{}],
        [{"C": 99.0, "kernel": "rbf"}],
        [{"Cc": 1.0}],
        {"C": 1.0, "kernel": "rbf"},
        "C",
        [1, 2],
        [{"C": 1.0, "kernel": "rbf"}] * 5,
    ],
    "inner_max_num_threads": ["auto", 1, None, 0, "all", 1.5, True, 10**30],
    "pre_dispatch": ["2*n_jobs", 1, 0, -1, 1.5, None],
    "validation": [
        None,
        Make("ValidationSplit(0.2)", lambda: ValidationSplit(0.2)),
        Make("ValidationSplit(route='X_val')", lambda: ValidationSplit(route="X_val")),
        Make("ValidationSplit(route=callable)", lambda: ValidationSplit(route=_no_route)),
        Make("ValidationSplit(nan)", lambda: ValidationSplit(NAN, route=_no_route)),
        Make("ValidationSplit(1000)", lambda: ValidationSplit(1000, route=_no_route)),
        0.2,
    ],
}
CONSTRUCTOR = {name: st.sampled_from(values) for name, values in CONSTRUCTOR_VALUES.items()}

# Parameters checked together: an error about one of them may name another.
GROUPS = [
    {"scoring", "refit", "objectives"},
    {"pruner", "resource", "min_resource", "max_resource"},
    {"n_trials", "timeout", "sampler", "enqueue"},
    {"storage", "study_name", "load_if_exists"},
]
# Other words that name a parameter in a message.
ALIASES = {"validation": {"ValidationSplit"}, "cv": {"splitter"}}


def _made(values: Any) -> set[str]:
    """The classes built by the drawn recipes: their own checks name their own
    parameters (``TPESampler(n_startup_trials=-1)`` raises as it is built)."""
    if isinstance(values, Make):
        return {re.split(r"[^A-Za-z0-9_]", values.label)[0]}
    if isinstance(values, dict):
        values = list(values.values())
    if isinstance(values, (list, tuple)):
        return set().union(*(_made(value) for value in values))
    return set()


def _suspects(names: set[str]) -> set[str]:
    suspects = set(names)
    for group in GROUPS:
        if group & names:
            suspects |= group
    for name in names:
        suspects |= ALIASES.get(name, set())
    return suspects


def _names_one_of(message: str, names: set[str]) -> bool:
    return any(
        re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message)
        for name in names
    )


def _innermost_file(error: BaseException) -> str:
    tb = error.__traceback__
    assert tb is not None
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename


def _check_error(error: BaseException, suspects: set[str]) -> None:
    """The error a bad input must give: ours, early, naming the parameter."""
    message = str(error)
    assert isinstance(error, (ValueError, TypeError)), (
        f"{type(error).__name__} is neither a ValueError nor a TypeError: {message}"
    )
    # The documented late checks: a callable scoring's metric names are
    # known once it has scored, so objectives= is checked at the first fold;
    # a refit callable's row is known once it has chosen, so a pruned one
    # is refused after the search.
    late = (
        "the callable scoring returned the metrics" in message
        or "'refit' callable of ScoutSearchCV chose row" in message
    )
    # A fit that raised before counting itself (fit(X, y, foo=1)) still shows
    # in the search's summary of failed fits.
    assert late or Counting.calls["fit"] == 0, f"the error came after a fit: {message}"
    assert "fits failed" not in message, f"the error came after the fits: {message}"
    where = Path(_innermost_file(error)).parts
    foreign = [p for p in FOREIGN if p in where and "scout_sklearn" not in where]
    assert not foreign, (
        f"raised inside {'/'.join(where[-3:])}, not by scout-sklearn: "
        f"{type(error).__name__}: {message}"
    )
    assert _names_one_of(message, suspects), (
        f"the message names none of {sorted(suspects)}: {message}"
    )


def _check_fitted(search: ScoutSearchCV) -> None:
    """A search that fitted is sane: its results match its trials and space."""
    n_trials = search.n_trials
    space = (
        search.param_grid if search.param_grid is not None else search.param_distributions
    )
    results = search.cv_results_
    assert len(results["params"]) == search.n_trials_ >= 1
    for key, column in results.items():
        assert len(column) == search.n_trials_, key
    if isinstance(n_trials, int) and not isinstance(n_trials, bool):
        assert search.n_trials_ <= n_trials
    if hasattr(search, "best_params_"):
        assert 0 <= search.best_index_ < search.n_trials_
        assert search.best_params_ == results["params"][search.best_index_]
        if search.resource in (None, "n_samples", "folds"):
            parsed = SearchSpace.from_user(space)
            assert parsed.contains(search.best_params_), search.best_params_


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    # FitFailedWarning, "n_trials is more than...", "nothing can be pruned":
    # warnings are allowed; the property is about errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _event(outcome: str) -> None:
    if currently_in_test_context():  # the statistics of a Hypothesis test
        event(outcome)


def _run(
    build: Callable[[], ScoutSearchCV],
    suspects: set[str],
    fit_args: tuple[Any, ...] = (X, Y),
    fit_params: dict[str, Any] | None = None,
) -> None:
    Counting.calls.clear()
    try:
        search = build()  # builds the Make values too: they may raise
        search.fit(*fit_args, **(fit_params or {}))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # noqa: BLE001 - what was raised is the property
        _event(f"raised {type(error).__name__}")
        _check_error(error, suspects)
    else:
        _event("fitted")
        _check_fitted(search)


@settings(PROPERTY, max_examples=200)
@given(
    st.sets(st.sampled_from(sorted(CONSTRUCTOR)), min_size=1, max_size=3).flatmap(
        lambda names: st.fixed_dictionaries({name: CONSTRUCTOR[name] for name in names})
    )
)
def test_constructor_arguments_fit_or_fail_early_naming_the_parameter(
    overrides: dict[str, Any],
) -> None:
    _check_constructor(overrides)


def _id(value: Any) -> str:
    # Without memory addresses: pytest-xdist's workers must collect the same ids.
    text = re.sub(r" at 0x[0-9a-f]+", "", repr(value))
    return " ".join(text.split())[:40]


# Every drawn value of every parameter, alone: the derandomized draws above
# combine them, but may not reach each one.
@pytest.mark.parametrize(
    ("name", "value"),
    [(name, value) for name, values in CONSTRUCTOR_VALUES.items() for value in values],
    ids=[
        f"{name}={_id(value)}"
        for name, values in CONSTRUCTOR_VALUES.items()
        for value in values
    ],
)
def test_each_constructor_value_fits_or_fails_early_naming_the_parameter(
    name: str, value: Any
) -> None:
    _check_constructor({name: value})


def _check_constructor(overrides: dict[str, Any]) -> None:
    arguments = {**BASE, **overrides}
    estimator = arguments.pop("estimator", Make("Counting()", Counting))

    def build() -> ScoutSearchCV:
        built = {name: _built(value) for name, value in arguments.items()}
        return ScoutSearchCV(_built(estimator), SPACE, **built)

    _run(build, _suspects(set(overrides)) | _made(overrides))


# -- search spaces -------------------------------------------------------------------
VALUES: list[Any] = [
    # valid
    [0.5, 1.0],
    ["rbf", "linear"],
    (1, 2),
    Make("np.array([1.0, 2.0])", lambda: np.array([1.0, 2.0])),
    range(1, 3),
    [None],
    [NAN],
    Make("Float(0.1, 10)", lambda: Float(0.1, 10.0)),
    Make("Float(1e-3, 1e3, log=True)", lambda: Float(1e-3, 1e3, log=True)),
    Make("Float(0, 1, step=0.25)", lambda: Float(0.0, 1.0, step=0.25)),
    Make("Float(-1e308, 1e308)", lambda: Float(-1e308, 1e308)),
    Make("Int(1, 5)", lambda: Int(1, 5)),
    Make("Int(1, 100, log=True)", lambda: Int(1, 100, log=True)),
    Make("Int(-2**70, 2**70)", lambda: Int(-(2**70), 2**70)),
    Make("Categorical([1, 2])", lambda: Categorical([1, 2])),
    Make("loguniform(1e-3, 1)", lambda: loguniform(1e-3, 1.0)),
    # bad
    [],
    "rbf",
    1.0,
    None,
    {"a": 1},
    {1, 2},
    Make("np.zeros((2, 2))", lambda: np.zeros((2, 2))),
    Make("np.array([])", lambda: np.array([])),
    Make("Float(10, 1)", lambda: Float(10.0, 1.0)),
    Make("Float(0, 1, log=True)", lambda: Float(0.0, 1.0, log=True)),
    Make("Float(nan, 1)", lambda: Float(NAN, 1.0)),
    Make("Float(0, inf)", lambda: Float(0.0, INF)),
    Make("Float(0, 1, step=0.3)", lambda: Float(0.0, 1.0, step=0.3)),
    Make("Int(5, 2)", lambda: Int(5, 2)),
    Make("Int(0.5, 3)", lambda: Int(0.5, 3)),  # type: ignore[arg-type]
    Make("Int(0, 10, log=True)", lambda: Int(0, 10, log=True)),
    Make("Categorical([])", lambda: Categorical([])),
    Make("Categorical('rbf')", lambda: Categorical("rbf")),
    Make("loguniform(-1, 1)", lambda: loguniform(-1.0, 1.0)),
]
KEYS = ["C", "gamma", "kernel", "Cc", "", "svc__C", "C__x"]
SUBSPACES = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=3)
SPACES = st.one_of(
    SUBSPACES,
    st.lists(SUBSPACES, max_size=3),
    st.lists(SUBSPACES, min_size=1, max_size=2).map(tuple),
    st.sampled_from(["C", None, 3, ["C"], [3], {3: [1.0]}, [{"C": [1.0]}, "gamma"]]),
)
# A pipeline whose step is searched among estimators (nested choices).
CHOICES = [
    Make("[Counting(), Counting(C=2)]", lambda: [Counting(), Counting(C=2.0)]),
    Make("[Counting(), 'passthrough']", lambda: [Counting(), "passthrough"]),
    Make("[Counting]", lambda: [Counting]),
    [],
]
PIPELINE_SPACES = st.lists(
    st.fixed_dictionaries(
        {"clf": st.sampled_from(CHOICES)},
        optional={"clf__C": st.sampled_from(VALUES[:3] + VALUES[16:20])},
    ),
    min_size=1,
    max_size=2,
)
SAMPLERS = [
    None,
    "grid",
    "random",
    "tpe",
    "gp",
    "cmaes",
    "qmc",
    "annealing",
    "auto",
    "nsga2",
    "motpe",
]


def _build_space(space: Any) -> Any:
    if isinstance(space, dict):
        return {key: _built(value) for key, value in space.items()}
    if isinstance(space, (list, tuple)):
        return type(space)(_build_space(sub) for sub in space)
    return space


def _space_names(space: Any) -> set[str]:
    if isinstance(space, dict):
        return {str(key) for key in space}
    if isinstance(space, (list, tuple)):
        return set().union(*(_space_names(sub) for sub in space))
    return set()


def _check_space(space: Any, pipeline: bool, sampler: Any, n_trials: int) -> None:
    suspects = (
        {"param_distributions", "param_grid", "sampler", "n_trials"}
        | _space_names(space)
        | _made(space)
        | {f"{type(s).__name__}" for s in [_sampler_instance(sampler)] if s is not None}
    )

    def build() -> ScoutSearchCV:
        built = _build_space(space)
        estimator = Pipeline([("clf", Counting())]) if pipeline else Counting()
        return ScoutSearchCV(
            estimator, built, sampler=sampler, n_trials=n_trials, cv=2, random_state=0
        )

    _run(build, suspects)


def _sampler_instance(name: Any) -> Any:
    from scout_sklearn.samplers._registry import SAMPLER_NAMES

    return SAMPLER_NAMES[name]() if name in SAMPLER_NAMES else None


@PROPERTY
@given(SPACES, st.sampled_from(SAMPLERS), st.integers(1, 3))
def test_spaces_fit_or_fail_early_naming_the_space(
    space: Any, sampler: str | None, n_trials: int
) -> None:
    _check_space(space, False, sampler, n_trials)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_each_space_value_fits_or_fails_early_naming_the_space(sampler: str | None) -> None:
    for value in VALUES:
        _check_space({"C": value, "kernel": ["rbf"]}, False, sampler, 2)


@settings(PROPERTY, max_examples=25)
@given(PIPELINE_SPACES, st.sampled_from(SAMPLERS), st.integers(1, 3))
def test_estimator_choices_fit_or_fail_early_naming_the_space(
    space: Any, sampler: str | None, n_trials: int
) -> None:
    _check_space(space, True, sampler, n_trials)


# -- fit arguments -------------------------------------------------------------------
def _with_nan(y: np.ndarray, value: float) -> np.ndarray:
    out = y.astype(float)
    out[3] = value
    return out


XS: dict[str, Callable[[], Any]] = {
    "X": lambda: X,
    "X[:-1]": lambda: X[:-1],
    "X as 3-D": lambda: X.reshape(60, 2, 2),
    "X[:0]": lambda: X[:0],
    "X[:1]": lambda: X[:1],
    "X.tolist()": lambda: X.tolist(),
    "None": lambda: None,
    "3": lambda: 3,
}
YS: dict[str, Callable[[], Any]] = {
    "y": lambda: Y,
    "y[:-1]": lambda: Y[:-1],
    "y[:0]": lambda: Y[:0],
    "one class": lambda: np.zeros(60),
    "NaN in y": lambda: _with_nan(Y, NAN),
    "inf in y": lambda: _with_nan(Y, INF),
    "y as strings": lambda: Y.astype(str),
    "y as a column": lambda: Y.reshape(-1, 1),
    "None": lambda: None,
}
PARAMS: dict[str, Callable[[], dict[str, Any]]] = {
    "none": dict,
    "groups": lambda: {"groups": np.arange(60) % 4},
    "groups[:-1]": lambda: {"groups": np.arange(59) % 4},
    "one group": lambda: {"groups": np.zeros(60)},
    "groups=None": lambda: {"groups": None},
    "foo=1": lambda: {"foo": 1},
    "sample_weight": lambda: {"sample_weight": np.ones(60)},
    "sample_weight[:-1]": lambda: {"sample_weight": np.ones(59)},
    "sample_weight=3": lambda: {"sample_weight": 3},
}


FIT_CVS = ["2", "GroupKFold(2)", "StratifiedKFold(3)"]


@PROPERTY
@given(
    st.sampled_from(sorted(XS)),
    st.sampled_from(sorted(YS)),
    st.sampled_from(sorted(PARAMS)),
    st.sampled_from(FIT_CVS),
    st.booleans(),
)
def test_fit_arguments_fit_or_fail_early_naming_the_argument(
    x_name: str, y_name: str, params_name: str, cv_name: str, routing: bool
) -> None:
    _check_fit_arguments(x_name, y_name, params_name, cv_name, routing)


def _check_fit_arguments(
    x_name: str, y_name: str, params_name: str, cv_name: str, routing: bool
) -> None:
    cv = {"2": 2, "GroupKFold(2)": GroupKFold(2), "StratifiedKFold(3)": StratifiedKFold(3)}
    fit_params = PARAMS[params_name]()
    suspects = {"X", "y", "cv", *fit_params}

    def build() -> ScoutSearchCV:
        return ScoutSearchCV(Counting(), SPACE, n_trials=2, cv=cv[cv_name], random_state=0)

    with sklearn.config_context(enable_metadata_routing=routing):
        _run(build, suspects, (XS[x_name](), YS[y_name]()), fit_params)


# One fit argument at a time changed from X, y, no params, cv=2, no routing.
ONE_FIT_ARGUMENT = sorted(
    {(x, "y", "none", "2", False) for x in XS}
    | {("X", y, "none", "2", False) for y in YS}
    | {("X", "y", p, cv, routing) for p in PARAMS for cv in FIT_CVS for routing in (0, 1)}
)


@pytest.mark.parametrize(
    ("x_name", "y_name", "params_name", "cv_name", "routing"), ONE_FIT_ARGUMENT
)
def test_each_fit_argument_fits_or_fails_early_naming_it(
    x_name: str, y_name: str, params_name: str, cv_name: str, routing: bool
) -> None:
    _check_fit_arguments(x_name, y_name, params_name, cv_name, bool(routing))


def test_the_property_catches_a_deep_traceback() -> None:
    # The check itself: an error raised inside numpy is refused.
    Counting.calls.clear()
    try:
        np.zeros(2)[5]
    except IndexError as error:
        with pytest.raises(AssertionError, match="neither a ValueError"):
            _check_error(error, {"x"})
    try:
        np.linspace(0.0, 1.0, -1)
    except ValueError as error:
        with pytest.raises(AssertionError, match="not by scout-sklearn"):
            _check_error(error, {"x"})
