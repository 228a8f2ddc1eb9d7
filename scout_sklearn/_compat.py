"""The private scikit-learn helpers we rely on, in one place.

Every name imported from an underscored scikit-learn module lives here, so
that a scikit-learn release that moves one breaks one file, and CI runs this
file's tests against the oldest and newest supported scikit-learn.
"""

from __future__ import annotations

from typing import Any

from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _check_method_params

__all__ = [
    "BaseSearchCV",
    "is_multimetric_scorer",
    "multimetric_scorer_names",
    "slice_method_params",
    "split_fold_data",
]


def split_fold_data(
    estimator: Any, X: Any, y: Any, train: Any, test: Any
) -> tuple[Any, Any, Any, Any]:
    """Training and validation parts of X and y, kernel matrices included."""
    X_train, y_train = _safe_split(estimator, X, y, train)
    X_test, y_test = _safe_split(estimator, X, y, test, train)
    return X_train, y_train, X_test, y_test


def slice_method_params(X: Any, params: dict[str, Any], indices: Any) -> dict[str, Any]:
    """Index every sample-aligned metadata (e.g. sample_weight) by ``indices``."""
    return dict(_check_method_params(X, params=params, indices=indices))


def is_multimetric_scorer(scorer: Any) -> bool:
    """Whether ``scorer`` is scikit-learn's dict-returning multi-metric scorer."""
    return isinstance(scorer, _MultimetricScorer)


def multimetric_scorer_names(scorer: Any) -> list[str]:
    """Metric names of a multi-metric scorer, in scoring order."""
    return list(scorer._scorers)
