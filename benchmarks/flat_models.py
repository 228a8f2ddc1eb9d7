"""Flat estimators for the conditional tasks of ``suite.py``.

Optuna's OptunaSearchCV and scikit-optimize's BayesSearchCV take one dict
of parameters, so a space whose estimator is itself a choice is given to
them as one estimator with every branch's parameters and a categorical
``model`` that picks the branch.
"""

from __future__ import annotations

from typing import Any

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR

__all__ = ["ModelChoice", "RegressorChoice"]


class ModelChoice(ClassifierMixin, BaseEstimator):
    """Standardise, then one of three classifiers, picked by ``model``.

    The flat form of ``model_choice``'s pipeline whose last step is itself a
    choice: each classifier's parameters are plain parameters here.
    """

    def __init__(
        self,
        model: str = "logreg",
        logreg_C: float = 1.0,
        rf_n_estimators: int = 100,
        rf_max_depth: int = 8,
        rf_max_features: float = 0.5,
        svc_C: float = 1.0,
        svc_gamma: float = 0.01,
    ) -> None:
        self.model = model
        self.logreg_C = logreg_C
        self.rf_n_estimators = rf_n_estimators
        self.rf_max_depth = rf_max_depth
        self.rf_max_features = rf_max_features
        self.svc_C = svc_C
        self.svc_gamma = svc_gamma

    def _build(self) -> Any:
        if self.model == "logreg":
            last = LogisticRegression(C=self.logreg_C, max_iter=2000)
        elif self.model == "rf":
            last = RandomForestClassifier(
                n_estimators=self.rf_n_estimators,
                max_depth=self.rf_max_depth,
                max_features=self.rf_max_features,
                random_state=0,
            )
        else:
            last = SVC(C=self.svc_C, gamma=self.svc_gamma)
        return make_pipeline(StandardScaler(), last)

    def fit(self, X: Any, y: Any) -> ModelChoice:
        self.pipeline_ = self._build().fit(X, y)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X: Any) -> Any:
        return self.pipeline_.predict(X)

    def decision_function(self, X: Any) -> Any:
        """Scores for ranking metrics (binary): a margin or a probability."""
        if hasattr(self.pipeline_, "decision_function"):
            return self.pipeline_.decision_function(X)
        return self.pipeline_.predict_proba(X)[:, 1]


class RegressorChoice(RegressorMixin, BaseEstimator):
    """Standardise, then one of three regressors, picked by ``model`` (flat form)."""

    def __init__(
        self,
        model: str = "ridge",
        ridge_alpha: float = 1.0,
        knn_n_neighbors: int = 5,
        knn_weights: str = "uniform",
        svr_C: float = 1.0,
        svr_gamma: float = 0.1,
        svr_epsilon: float = 0.1,
    ) -> None:
        self.model = model
        self.ridge_alpha = ridge_alpha
        self.knn_n_neighbors = knn_n_neighbors
        self.knn_weights = knn_weights
        self.svr_C = svr_C
        self.svr_gamma = svr_gamma
        self.svr_epsilon = svr_epsilon

    def _build(self) -> Any:
        if self.model == "ridge":
            last: Any = Ridge(alpha=self.ridge_alpha)
        elif self.model == "knn":
            last = KNeighborsRegressor(
                n_neighbors=self.knn_n_neighbors, weights=self.knn_weights
            )
        else:
            last = SVR(C=self.svr_C, gamma=self.svr_gamma, epsilon=self.svr_epsilon)
        return make_pipeline(StandardScaler(), last)

    def fit(self, X: Any, y: Any) -> RegressorChoice:
        self.pipeline_ = self._build().fit(X, y)
        return self

    def predict(self, X: Any) -> Any:
        return self.pipeline_.predict(X)
