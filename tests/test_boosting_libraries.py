"""XGBoost, LightGBM and CatBoost inside ScoutSearchCV."""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.datasets import load_breast_cancer

from scout_sklearn import ScoutSearchCV, ValidationSplit

X, y = load_breast_cancer(return_X_y=True, as_frame=True)
X, y = X.iloc[:240], y.iloc[:240]


def _search(estimator: Any) -> ScoutSearchCV:
    return ScoutSearchCV(
        estimator, {"max_depth": [2]}, cv=2, validation=ValidationSplit(0.25)
    ).fit(X, y)


def test_lightgbm_refit_trains_the_median_rounds_when_given_an_alias() -> None:
    # num_iterations wins over n_estimators in LightGBM: the refit set only
    # n_estimators and silently trained all 200 rounds.
    lightgbm = pytest.importorskip("lightgbm")
    search = _search(
        lightgbm.LGBMClassifier(
            num_iterations=200,
            early_stopping_rounds=3,
            learning_rate=0.3,
            verbose=-1,
            n_jobs=1,
        )
    )
    rounds = search.best_n_iterations_
    assert rounds is not None
    assert rounds < 200
    assert search.best_estimator_.booster_.num_trees() == rounds
    assert search.best_estimator_.get_params()["early_stopping_rounds"] is None
    assert len(search.best_estimator_.predict(X.iloc[:5])) == 5


@pytest.mark.parametrize(
    "params",
    [
        {"n_estimators": 200, "early_stopping_rounds": 3},
        {"iterations": 200, "od_type": "Iter", "od_wait": 3},
    ],
)
def test_catboost_refit_with_an_alias_trains_the_median_rounds(params: Any) -> None:
    # CatBoost refuses iterations beside n_estimators (and early_stopping_rounds
    # beside od_wait): the refit crashed after every trial had run.
    catboost = pytest.importorskip("catboost")
    search = _search(
        catboost.CatBoostClassifier(
            **params,
            learning_rate=0.3,
            verbose=0,
            thread_count=1,
            allow_writing_files=False,
        )
    )
    rounds = search.best_n_iterations_
    assert rounds is not None
    assert rounds < 200
    assert search.best_estimator_.tree_count_ == rounds
    assert len(search.best_estimator_.predict(X.iloc[:5])) == 5
