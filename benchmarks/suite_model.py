"""What a benchmark task is made of: its space, its data and its split.

The classes and datasets the tasks of ``suite.py`` are written with: ``P``
(one parameter, with the ``Fl``, ``In`` and ``Ca`` shorthands), ``Branch``
(one sub-space of a conditional space), ``Task`` (estimator, scorer, space,
data, the held-out split and the CV splitter of a seed, and the hash that
stored results are filed under), and the bundled or generated datasets
(nothing is downloaded).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    make_classification,
    make_friedman1,
    make_regression,
)
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

CV_FOLDS = 3


# -- how a space is described ---------------------------------------------------
@dataclass(frozen=True)
class P:
    """One searched parameter: a float, an int or a list of choices."""

    name: str
    kind: str  # "float", "int" or "cat"
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    choices: tuple[Any, ...] = ()


def Fl(name: str, low: float, high: float, log: bool = False) -> P:
    return P(name, "float", low, high, log)


def In(name: str, low: int, high: int, log: bool = False) -> P:
    return P(name, "int", low, high, log)


def Ca(name: str, *choices: Any) -> P:
    return P(name, "cat", choices=tuple(choices))


@dataclass(frozen=True)
class Branch:
    """One sub-space of a conditional space: fixed values and searched params.

    ``fixed`` holds what selects the branch (``{"kernel": "poly"}``, or an
    estimator for a pipeline step); factories of estimators are called
    afresh for every space built.
    """

    label: str
    fixed: dict[str, Any]
    params: tuple[P, ...]


@dataclass(frozen=True)
class Task:
    name: str
    half: str  # "A" or "B"
    kinds: tuple[str, ...]  # what the task stands for in the suite
    load: Callable[[], tuple[np.ndarray, np.ndarray]]
    estimator: Callable[[], Any]
    scoring: str
    params: tuple[P, ...] = ()
    branches: tuple[Branch, ...] = ()
    # The flat form of a conditional space, for Optuna and scikit-optimize:
    # an estimator factory and its params (a categorical selects the branch).
    flat_estimator: Callable[[], Any] | None = None
    flat_params: tuple[P, ...] = ()
    # A grid of about 100 points over the same ranges (numeric tasks only).
    grid: dict[str, list[Any]] | None = None
    # The estimator parameter a pruned search or HalvingRandomSearchCV may
    # budget (None: training samples).
    resource: str | None = None
    description: str = ""

    @property
    def is_conditional(self) -> bool:
        return bool(self.branches)

    def n_params(self) -> int:
        if self.branches:
            return len({p.name for b in self.branches for p in b.params}) + 1
        return len(self.params)

    def data(self, seed: int) -> tuple[Any, Any, Any, Any]:
        """Train and held-out test parts for ``seed`` (25% held out, stratified)."""
        X, y = self.load()
        stratify = y if self.is_classifier else None
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=seed, stratify=stratify
        )
        return X_train, X_test, y_train, y_test

    @property
    def is_classifier(self) -> bool:
        return bool(is_classifier(self.estimator()))

    def cv(self, seed: int) -> Any:
        """The same shuffled 3-fold split for every method of a seed."""
        if self.is_classifier:
            return StratifiedKFold(CV_FOLDS, shuffle=True, random_state=seed)
        return KFold(CV_FOLDS, shuffle=True, random_state=seed)

    def key(self) -> str:
        """A short hash of the task's definition: stored results name it."""
        text = json.dumps(
            {
                "name": self.name,
                "estimator": repr(self.estimator()),
                "flat": repr(self.flat_estimator()) if self.flat_estimator else None,
                "scoring": self.scoring,
                "params": [repr(p) for p in self.params],
                "branches": [
                    (
                        b.label,
                        sorted((k, repr(v)) for k, v in b.fixed.items()),
                        [repr(p) for p in b.params],
                    )
                    for b in self.branches
                ],
                "flat_params": [repr(p) for p in self.flat_params],
                "grid": self.grid and {k: _canonical(v) for k, v in self.grid.items()},
                "data": _data_digest(self.load),
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:12]


_DIGESTS: dict[Any, str] = {}


def _canonical(values: list[Any]) -> str:
    """The repr of a grid's values, floats to 12 significant digits.

    ``np.geomspace`` can differ in the last bit from one CPU to another (its
    power and log take SIMD paths): a 1-ulp difference in one grid value
    made three tasks' stored results look stale on a new machine.
    """
    return repr([float(f"{v:.12g}") if isinstance(v, float) else v for v in values])


def _data_digest(load: Callable[[], tuple[np.ndarray, np.ndarray]]) -> str:
    if load not in _DIGESTS:
        X, y = load()
        digest = hashlib.sha256(np.ascontiguousarray(X).tobytes())
        digest.update(np.ascontiguousarray(y).tobytes())
        _DIGESTS[load] = digest.hexdigest()[:12]
    return _DIGESTS[load]


# -- data -----------------------------------------------------------------------------
def _bundled(loader: Callable[..., Any], n: int | None = None) -> Callable[[], Any]:
    def load() -> tuple[np.ndarray, np.ndarray]:
        X, y = loader(return_X_y=True)
        if n is not None:
            rows = np.random.default_rng(0).permutation(len(y))[:n]
            X, y = X[rows], y[rows]
        return X, y

    load.__qualname__ = f"{loader.__name__}[{n}]"
    return load


def _made(maker: Callable[..., Any], **kwargs: Any) -> Callable[[], Any]:
    def load() -> tuple[np.ndarray, np.ndarray]:
        X, y = maker(random_state=0, **kwargs)
        return np.asarray(X, dtype=np.float64), np.asarray(y)

    load.__qualname__ = f"{maker.__name__}{sorted(kwargs.items())}"
    return load


digits = _bundled(load_digits)
digits_800 = _bundled(load_digits, 800)
breast = _bundled(load_breast_cancer)
diabetes = _bundled(load_diabetes)
friedman = _made(make_friedman1, n_samples=600, noise=1.0)
friedman_large = _made(make_friedman1, n_samples=2000, noise=1.0)
friedman_xl = _made(make_friedman1, n_samples=8000, noise=1.0)
friedman_mid = _made(make_friedman1, n_samples=1500, noise=2.0)
friedman_1000 = _made(make_friedman1, n_samples=1000, noise=1.0)
wide = _made(make_regression, n_samples=1000, n_features=600, n_informative=40, noise=40.0)
clf_noisy = _made(
    make_classification,
    n_samples=1000,
    n_features=20,
    n_informative=6,
    n_redundant=4,
    flip_y=0.1,
    class_sep=0.8,
)
clf_large = _made(
    make_classification,
    n_samples=20000,
    n_features=40,
    n_informative=12,
    n_redundant=8,
    flip_y=0.03,
    class_sep=0.7,
)
reg_large = _made(
    make_regression, n_samples=3000, n_features=30, n_informative=12, noise=20.0
)


def log_grid(low: float, high: float, n: int) -> list[float]:
    return [float(v) for v in np.geomspace(low, high, n)]


def lin_grid(low: float, high: float, n: int) -> list[float]:
    return [float(v) for v in np.linspace(low, high, n)]


def int_grid(low: int, high: int, n: int, log: bool = False) -> list[int]:
    values = np.geomspace(low, high, n) if log else np.linspace(low, high, n)
    return sorted({round(v) for v in values})
