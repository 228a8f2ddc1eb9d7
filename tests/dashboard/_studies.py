"""Studies of several shapes, stored by real searches, for the dashboard's tests.

``build(storage_factory)`` runs each search on a bundled dataset into the
storage that ``storage_factory()`` opens (a SQLite file, or tables of their
own on the PostgreSQL test server) and returns what each study should show.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.datasets import load_digits, load_iris
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import Categorical, Float, Int, ScoutSearchCV, Study
from scout_sklearn.storage import SQLStorage


class Backend:
    """Where a set of studies is stored: a URL and a table prefix."""

    def __init__(self, name: str, url: str, prefix: str = "scout_") -> None:
        self.name = name
        self.url = url
        self.prefix = prefix

    def storage(self, **kwargs: Any) -> SQLStorage:
        return SQLStorage(self.url, table_prefix=self.prefix, **kwargs)


#: A parameter value that a page must show as text, never run.
XSS = "<script>alert(1)</script>"
#: Studies of several objectives (a tree's accuracy against its size), with
#: the Pareto front the search found, as trial numbers, in "front".
PARETO = ("pareto tree", "pareto three")


def n_leaves(estimator: Any, X: Any, y: Any) -> float:
    """A scorer of the fitted tree's size (an objective to minimise)."""
    return float(estimator.get_n_leaves())


def build(storage: Callable[[], Any]) -> dict[str, dict[str, Any]]:
    """Store one study of each shape; name to {"n_trials": ..., "states": {...}}."""
    iris = load_iris(return_X_y=True)
    digits = load_digits(return_X_y=True)
    expected: dict[str, dict[str, Any]] = {}

    def run(name: str, search: ScoutSearchCV, data: Any) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence and fit-failure warnings
            search.set_params(storage=storage(), study_name=name, refit=False)
            search.fit(*data)
        trials = search.study_.trials
        states: dict[str, int] = {}
        for trial in trials:
            states[trial.state.name] = states.get(trial.state.name, 0) + 1
        expected[name] = {"n_trials": len(trials), "states": states}
        if hasattr(search, "pareto_front_"):
            numbers = search.cv_results_["trial_number"][search.pareto_front_]
            expected[name]["front"] = [int(n) for n in numbers]

    run(
        "grid svc",
        ScoutSearchCV(SVC(), {"C": [0.1, 1.0, 10.0], "kernel": ["rbf", "linear"]}, cv=3),
        iris,
    )
    run(
        "tpe logreg",
        ScoutSearchCV(
            LogisticRegression(max_iter=200),
            {"C": Float(1e-3, 1e2, log=True), "fit_intercept": [True, False]},
            sampler="tpe",
            n_trials=8,
            cv=3,
            random_state=0,
        ),
        iris,
    )
    run(
        "conditional",
        ScoutSearchCV(
            SVC(),
            [
                {
                    "kernel": ["rbf"],
                    "C": Float(0.1, 10, log=True),
                    "gamma": Float(1e-3, 1.0, log=True),
                },
                {"kernel": ["poly"], "degree": Int(2, 4)},
            ],
            sampler="random",
            n_trials=8,
            cv=3,
            random_state=0,
        ),
        iris,
    )
    run(
        "pruned sgd",
        ScoutSearchCV(
            SGDClassifier(random_state=0),
            {"alpha": Float(1e-6, 1e-1, log=True), "penalty": Categorical(["l2", "l1"])},
            sampler="random",
            pruner="asha",
            n_trials=12,
            cv=3,
            random_state=0,
        ),
        digits,
    )
    run(
        "failing " + XSS,
        ScoutSearchCV(
            DummyClassifier(),
            {"strategy": ["prior", XSS, "most_frequent"]},
            cv=2,
            error_score=np.nan,
        ),
        iris,
    )
    tree_space = {"max_depth": Int(1, 8), "min_samples_leaf": Int(1, 40)}
    scoring = {"accuracy": "accuracy", "n_leaves": n_leaves}
    run(
        PARETO[0],
        ScoutSearchCV(
            DecisionTreeClassifier(random_state=0),
            tree_space,
            scoring=scoring,
            objectives={"accuracy": "maximize", "n_leaves": "minimize"},
            constraints={"accuracy": (">=", 0.5)},
            n_trials=16,
            cv=3,
            random_state=0,
        ),
        digits,
    )
    run(
        PARETO[1],
        ScoutSearchCV(
            DecisionTreeClassifier(random_state=0),
            tree_space,
            scoring=scoring,
            objectives={
                "accuracy": "maximize",
                "n_leaves": "minimize",
                "score_time": "minimize",
            },
            n_trials=12,
            cv=3,
            random_state=0,
        ),
        digits,
    )
    Study({"x": Float(0.0, 1.0)}, storage=storage(), name="empty", seed=0)
    expected["empty"] = {"n_trials": 0, "states": {}}
    return expected


def build_large(storage: SQLStorage, name: str, n_trials: int) -> None:
    """A study of ``n_trials`` trials written through the Study API (no fitting).

    Each trial has one fold whose score are a smooth function of its
    params; every tenth is PRUNED and every hundredth FAILED.
    """
    from scout_sklearn import FoldResult, TrialState

    study = Study(
        {"alpha": Float(1e-6, 1e-1, log=True), "penalty": Categorical(["l1", "l2"])},
        storage=storage,
        name=name,
        seed=0,
    )
    for _ in range(n_trials):
        trial = study.ask()
        x = float(np.log10(trial.params["alpha"]))
        score = 0.9 - 0.01 * (x + 3) ** 2
        failed = trial.number % 100 == 99
        for fold in range(1):
            result = FoldResult(
                fold,
                {"score": score},
                None,
                0.01,
                0.001,
                50,
                error="boom" if failed else None,
            )
            study.record(trial.number, result)
        if failed:
            study.tell(trial.number, None, state=TrialState.FAILED)
        else:
            pruned = trial.number % 10 == 9
            study.tell(
                trial.number,
                score,
                state=TrialState.PRUNED if pruned else TrialState.COMPLETE,
            )
