"""XGBoost, LightGBM and CatBoost inside ScoutSearchCV."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from sklearn.datasets import load_breast_cancer

from scout_sklearn import ScoutSearchCV, ValidationSplit
from scout_sklearn.exceptions import InvalidParameterError

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


def _early_stopping_models() -> list[Any]:
    xgboost = pytest.importorskip("xgboost")
    lightgbm = pytest.importorskip("lightgbm")
    return [
        (
            xgboost.XGBClassifier(n_estimators=20, early_stopping_rounds=3, n_jobs=1),
            "early_stopping_rounds",
        ),
        (
            lightgbm.LGBMClassifier(
                n_estimators=20, early_stopping_round=3, verbose=-1, n_jobs=1
            ),
            "early_stopping_round",
        ),
    ]


def test_early_stopping_without_validation_rows_is_refused_before_any_fit() -> None:
    # Every fold's fit raised (XGBoost: "Must have at least 1 validation
    # dataset for early stopping"), after the whole search ran.
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    for model, name in _early_stopping_models():
        with pytest.raises(
            InvalidParameterError, match=rf"\({name}=3\) stops early .*ValidationSplit"
        ):
            ScoutSearchCV(model, {"max_depth": [2, 3]}, cv=2).fit(X, y)
        pipe = make_pipeline(StandardScaler(), model)
        step = pipe.steps[-1][0]
        with pytest.raises(InvalidParameterError, match=rf"set {step}__{name}=None"):
            ScoutSearchCV(pipe, {f"{step}__max_depth": [2]}, cv=2).fit(X, y)


def test_early_stopping_with_its_own_rows_or_searched_is_left_alone() -> None:
    for model, name in _early_stopping_models():
        # The rows given to fit (the fixed eval_set recipe; LightGBM 4.7 names
        # them eval_X and eval_y).
        rows = {"eval_set": [(X, y)]}
        if "eval_X" in inspect.signature(model.fit).parameters:
            rows = {"eval_X": (X,), "eval_y": (y,)}
        ScoutSearchCV(model, {"max_depth": [2]}, cv=2).fit(X, y, **rows)
        # The space sets it (here off): the estimator's own value never runs.
        ScoutSearchCV(model, {name: [None]}, cv=2).fit(X, y)
