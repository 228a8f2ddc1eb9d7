"""Shared fixtures: small bundled datasets and fake estimators for search logic.

The fake estimators live here, at module level, so that joblib can pickle
them by reference into loky and multiprocessing workers.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import numpy as np
import pytest
from faults._harness import COUNTS_PROPERTY, FaultCounts
from hypothesis import settings
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris
from sklearn.utils.validation import check_is_fitted, validate_data

# Property tests draw new examples on every local run, which is how they
# find what nobody thought of. CI (.ci/run sets SCOUT_HYPOTHESIS_PROFILE=ci)
# runs the same examples every time, so that what passed here passes there.
# Loaded before any test module builds its own settings, which inherit it.
# No deadline there: an example that took over 200 ms because another
# process had the core is not a failure (this machine is shared; speed is
# measured in benchmarks/, never in tests).
settings.register_profile("ci", derandomize=True, deadline=None)
settings.load_profile(os.environ.get("SCOUT_HYPOTHESIS_PROFILE", "default"))

FAILING_PARAMETER = 2
FAILS_ON_ODD_TRAINING_SIZE = 3


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    # A search must never write into the user's data: make that an error.
    out = []
    for array in arrays:
        array = np.array(array)
        array.flags.writeable = False
        out.append(array)
    return tuple(out)


@pytest.fixture(scope="session")
def iris() -> tuple[np.ndarray, np.ndarray]:
    """Iris, 150 x 4, three classes in sorted blocks (as bundled)."""
    X, y = load_iris(return_X_y=True)
    return _read_only(X, y)


@pytest.fixture(scope="session")
def breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """A shuffled 200-row subset of breast cancer, 30 features, two classes."""
    X, y = load_breast_cancer(return_X_y=True)
    rows = np.random.default_rng(0).permutation(len(y))[:200]
    return _read_only(X[rows], y[rows])


@pytest.fixture(scope="session")
def digits() -> tuple[np.ndarray, np.ndarray]:
    """The first 300 digits, 64 features, ten classes."""
    X, y = load_digits(return_X_y=True)
    return _read_only(X[:300], y[:300])


@pytest.fixture(scope="session")
def diabetes() -> tuple[np.ndarray, np.ndarray]:
    """The first 200 rows of diabetes (regression), 10 features."""
    X, y = load_diabetes(return_X_y=True)
    return _read_only(X[:200], y[:200])


class FastClassifier(ClassifierMixin, BaseEstimator):
    """A classifier whose fit is instant and whose score is a known function of its params.

    ``score`` ignores the data and returns :meth:`expected_score`, so a test
    knows the best params in advance. ``delay`` makes fit sleep, for tests of
    scheduling; it does not change the score. With ``slow_rows`` set, only a
    fit on exactly that many rows sleeps (one fold of a CV is slow).
    """

    def __init__(self, a=0.0, b=1, kind="x", delay=0.0, slow_rows=None):
        self.a = a
        self.b = b
        self.kind = kind
        self.delay = delay
        self.slow_rows = slow_rows

    def fit(self, X, y, sample_weight=None):
        X, y = validate_data(self, X, y)
        self.classes_ = np.unique(y)
        if self.delay and self.slow_rows in (None, X.shape[0]):
            time.sleep(self.delay)
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.full(X.shape[0], self.classes_[0])

    def expected_score(self) -> float:
        bonuses = {"x": 0.0, "y": 0.25, "z": -0.25}
        bonus = bonuses.get(self.kind, 0.0) if isinstance(self.kind, str) else 0.0
        return float(1.0 - (float(self.a) - 0.3) ** 2 - 0.01 * abs(self.b - 3) + bonus)

    def score(self, X, y, sample_weight=None):
        check_is_fitted(self)
        return self.expected_score()


class FailingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; fit raises for some values of ``parameter``.

    ``parameter=2`` fails on every fold; ``parameter=3`` fails only when the
    training part has an odd number of rows (some folds of a CV, not others).
    """

    def __init__(self, parameter=0):
        self.parameter = parameter

    def fit(self, X, y, sample_weight=None):
        X, y = validate_data(self, X, y)
        if self.parameter == FAILING_PARAMETER:
            raise ValueError("Failing classifier failed as required")
        if self.parameter == FAILS_ON_ODD_TRAINING_SIZE and X.shape[0] % 2:
            raise ValueError("Failing classifier failed on an odd training size")
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.full(X.shape[0], self.majority_)


class FitSpy(ClassifierMixin, BaseEstimator):
    """Counts calls to fit (in this process), to prove a check ran before any fit."""

    calls: Counter[str] = Counter()

    def __init__(self, C=1.0, gamma=1.0, kernel="rbf"):
        self.C = C
        self.gamma = gamma
        self.kernel = kernel

    def fit(self, X, y=None):
        type(self).calls["fit"] += 1
        X, y = validate_data(self, X, y)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return np.full(len(X), self.classes_[0])


@pytest.fixture
def fast_clf() -> FastClassifier:
    """A fresh FastClassifier (clone or set_params it freely)."""
    return FastClassifier()


@pytest.fixture
def failing_clf() -> FailingClassifier:
    """A fresh FailingClassifier; fit raises for parameter=2 (always) and 3 (some folds)."""
    return FailingClassifier()


@pytest.fixture
def fit_spy() -> FitSpy:
    """A FitSpy with its call counter reset; ``fit_spy.calls["fit"]`` counts fits."""
    FitSpy.calls.clear()
    return FitSpy()


@pytest.fixture(params=[0, 42])
def global_random_seed(request: pytest.FixtureRequest) -> int:
    """Seeds for seed-sensitive tests (a small version of sklearn's fixture)."""
    return int(request.param)


# -- the fault suite's tally (tests/faults) ----------------------------------------
# Here, not in tests/faults/conftest.py: a pytest-xdist controller, which
# receives the reports and writes the summary, never loads that file.
_FAULT_TALLY: dict[str, FaultCounts] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when != "teardown":
        return
    for name, value in report.user_properties:
        if name == COUNTS_PROPERTY:
            _FAULT_TALLY.setdefault("all", FaultCounts()).add(value)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if "all" in _FAULT_TALLY:
        terminalreporter.write_line(_FAULT_TALLY["all"].summary())
