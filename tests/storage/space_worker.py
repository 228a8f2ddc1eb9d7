"""A search over a space that holds objects repr() cannot describe stably.

    python space_worker.py TASK URL N_TRIALS [VARIANT]

A function's repr holds its memory address, which differs in every process,
as does a plain object's; these tasks run in a fresh process each, as a
re-run script resumes a stored study.

TASK "functions" grids a SelectKBest + KNeighborsClassifier pipeline on iris
whose categorical choices are functions: SelectKBest's score_func
(f_classif, mutual_info_classif), a FunctionTransformer's func and a KNN
metric defined here. It prints one JSON line: the trials' params by name,
and whether the trials, cv_results_ and best_params_ hold the very choice
objects of the space.

TASK "user_distribution" draws LogisticRegression's C from a user's own
distribution class (an object with rvs); VARIANT "low" or "high" picks its
range. It prints one JSON line: the C of every trial of the study.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import numpy as np
from sklearn.datasets import load_iris
from sklearn.feature_selection import SelectKBest, f_classif, mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from scout_sklearn import ScoutSearchCV


def manhattan(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).sum())


def shift(X: np.ndarray) -> np.ndarray:
    return X + 1.0


class LogUniform:
    """C ~ exp(uniform(log low, log high)), written as for RandomizedSearchCV."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def rvs(self, random_state: Any = None) -> float:
        log_low, log_high = np.log(self.low), np.log(self.high)
        return float(np.exp(random_state.uniform(log_low, log_high)))


def _name(value: Any) -> Any:
    return getattr(value, "__name__", value)


def functions(url: str, n_trials: int) -> dict[str, Any]:
    space = {
        "functiontransformer__func": [shift, None],
        "selectkbest__score_func": [f_classif, mutual_info_classif],
        "kneighborsclassifier__metric": [manhattan, "euclidean"],
    }
    pipe = make_pipeline(FunctionTransformer(), SelectKBest(k=2), KNeighborsClassifier())
    search = ScoutSearchCV(
        pipe,
        space,
        sampler="grid",
        n_trials=n_trials,
        cv=3,
        random_state=0,
        storage=url,
        study_name="functions",
    )
    X, y = load_iris(return_X_y=True)
    search.fit(X, y)

    def is_choice(name: str, value: Any) -> bool:
        return any(value is choice for choice in space[name])

    trials = search.study_.trials
    columns = {name: search.cv_results_[f"param_{name}"] for name in space}
    return {
        "trials": [{k: _name(v) for k, v in sorted(t.params.items())} for t in trials],
        "trials_hold_choices": all(
            is_choice(k, v) for t in trials for k, v in t.params.items()
        ),
        "cv_results_hold_choices": all(
            is_choice(name, value) for name, column in columns.items() for value in column
        )
        and all(
            is_choice(k, v) for p in search.cv_results_["params"] for k, v in p.items()
        ),
        "best_params_hold_choices": all(
            is_choice(k, v) for k, v in search.best_params_.items()
        ),
    }


def user_distribution(url: str, n_trials: int, variant: str) -> dict[str, Any]:
    low, high = (1e-3, 1e-2) if variant == "low" else (10.0, 1000.0)
    search = ScoutSearchCV(
        LogisticRegression(max_iter=500),
        {"C": LogUniform(low, high)},
        sampler="random",
        n_trials=n_trials,
        cv=3,
        random_state=0,
        storage=url,
        study_name="user_distribution",
    )
    X, y = load_iris(return_X_y=True)
    search.fit(X, y)
    return {"C": [t.params["C"] for t in search.study_.trials]}


def main(argv: list[str]) -> None:
    task, url, n_trials = argv[:3]
    if task == "functions":
        result = functions(url, int(n_trials))
    else:
        result = user_distribution(url, int(n_trials), argv[3])
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
