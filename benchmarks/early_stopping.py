"""Per-fold early stopping against the fixed ``eval_set`` recipe that does not leak.

Run it from the repository root (needs xgboost-cpu and lightgbm)::

    python benchmarks/early_stopping.py            # 4 tasks x 10 seeds
    python benchmarks/early_stopping.py --seeds 2  # quicker

Boosting libraries stop adding rounds when a validation score stops
improving. The recipe copied around the web fits a search with one fixed
``eval_set``; honest versions cut it from the training data once, so that
the test rows never choose the rounds. Both recipes are run on the same
data, the same grid of candidates, the same shuffled 3-fold CV and one
thread per fit:

- ``fixed``: the training part is split once, 85% to search on and 15% to
  validate on; ``GridSearchCV(...).fit(X_fit, y_fit, <eval params>)`` hands
  the same validation rows to every fold's fit, and the refit on ``X_fit``
  stops early on them too;
- ``per-fold``: ``ScoutSearchCV(..., sampler="grid",
  validation=ValidationSplit(0.15))`` carves 15% of *each fold's* training
  part for its early stopping, and refits on the whole training part for the
  median of the best candidate's rounds (``best_n_iterations_``);
- ``per-fold rows``: the same with ``ValidationSplit(n)``, ``n`` the number
  of rows the fixed recipe validates on (15% of the training part, so 22.5%
  of a fold's training part with 3 folds): each fit then stops on as many
  validation rows as in the fixed recipe, and trains on fewer.

Printed per task: the median over seeds of the held-out test score of the
refitted model and of the search's wall seconds (the fits, the refit
included), and in how many seeds per-fold took longer than fixed, with an
exact one-sided sign test (the seconds are set by where each fit happens
to stop, which moves from seed to seed). Target (issue 19): per-fold early
stopping's held-out score at least the fixed recipe's, at no more fit time,
on each task; printed strictly (medians) and as "not measurably slower"
(sign test p >= 0.05).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from _common import require_modules, slower_pairs, verdict
from sklearn.datasets import load_breast_cancer, load_diabetes, make_friedman1
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, train_test_split
from threadpoolctl import threadpool_limits

from scout_sklearn import ScoutSearchCV, ValidationSplit

VALIDATION = 0.15
ROUNDS = 2000
PATIENCE = 20


@dataclass(frozen=True)
class Task:
    name: str
    load: Callable[[], tuple[np.ndarray, np.ndarray]]
    estimator: Callable[[], Any]  # early stopping on, many rounds
    grid: dict[str, list[Any]]
    scoring: str
    classifier: bool
    # The fit parameters of the fixed recipe for validation rows.
    eval_params: Callable[[np.ndarray, np.ndarray], dict[str, Any]]


def _tasks() -> list[Task]:
    import lightgbm
    import xgboost

    def xgb_eval(X_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any]:
        return {"eval_set": [(X_val, y_val)], "verbose": False}

    def lgbm_eval(X_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any]:
        return {"eval_X": (X_val,), "eval_y": (y_val,)}

    def hgb_eval(X_val: np.ndarray, y_val: np.ndarray) -> dict[str, Any]:
        return {"X_val": X_val, "y_val": y_val}

    rates = [0.03, 0.1, 0.3]
    return [
        Task(
            "xgb_breast",
            lambda: load_breast_cancer(return_X_y=True),
            lambda: xgboost.XGBClassifier(
                n_estimators=ROUNDS,
                early_stopping_rounds=PATIENCE,
                n_jobs=1,
                eval_metric="logloss",
                random_state=0,
            ),
            {"learning_rate": rates, "max_depth": [2, 4, 6]},
            "roc_auc",
            True,
            xgb_eval,
        ),
        Task(
            "xgb_diabetes",
            lambda: load_diabetes(return_X_y=True),
            lambda: xgboost.XGBRegressor(
                n_estimators=ROUNDS,
                early_stopping_rounds=PATIENCE,
                n_jobs=1,
                random_state=0,
            ),
            {"learning_rate": rates, "max_depth": [2, 3, 5]},
            "neg_mean_squared_error",
            False,
            xgb_eval,
        ),
        Task(
            "lgbm_friedman",
            lambda: make_friedman1(n_samples=3000, noise=1.0, random_state=0),
            lambda: lightgbm.LGBMRegressor(
                n_estimators=ROUNDS,
                early_stopping_round=PATIENCE,
                n_jobs=1,
                verbose=-1,
                random_state=0,
            ),
            {"learning_rate": rates, "num_leaves": [7, 31, 63]},
            "r2",
            False,
            lgbm_eval,
        ),
        Task(
            "hgb_breast",
            lambda: load_breast_cancer(return_X_y=True),
            lambda: HistGradientBoostingClassifier(
                max_iter=ROUNDS,
                early_stopping=True,
                n_iter_no_change=PATIENCE,
                random_state=0,
            ),
            {"learning_rate": rates, "max_leaf_nodes": [7, 15, 31]},
            "roc_auc",
            True,
            hgb_eval,
        ),
    ]


def split(task: Task, seed: int) -> tuple[Any, Any, Any, Any]:
    X, y = task.load()
    return train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y if task.classifier else None
    )


def cv(task: Task, seed: int) -> Any:
    kind = StratifiedKFold if task.classifier else KFold
    return kind(3, shuffle=True, random_state=seed)


def fixed(task: Task, seed: int, data: tuple[Any, ...]) -> tuple[float, float]:
    X_train, X_test, y_train, y_test = data
    X_fit, X_val, y_fit, y_val = train_test_split(
        X_train,
        y_train,
        test_size=VALIDATION,
        random_state=seed,
        stratify=y_train if task.classifier else None,
    )
    start = time.perf_counter()
    search = GridSearchCV(
        task.estimator(), task.grid, scoring=task.scoring, cv=cv(task, seed)
    )
    search.fit(X_fit, y_fit, **task.eval_params(X_val, y_val))
    seconds = time.perf_counter() - start
    return float(get_scorer(task.scoring)(search, X_test, y_test)), seconds


def per_fold(
    task: Task, seed: int, data: tuple[Any, ...], size: float | int = VALIDATION
) -> tuple[float, float]:
    X_train, X_test, y_train, y_test = data
    start = time.perf_counter()
    search = ScoutSearchCV(
        task.estimator(),
        task.grid,
        sampler="grid",
        scoring=task.scoring,
        cv=cv(task, seed),
        validation=ValidationSplit(size, random_state=seed),
        random_state=seed,
    ).fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return float(get_scorer(task.scoring)(search, X_test, y_test)), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    require_modules("early_stopping.py", {"xgboost": "xgboost-cpu", "lightgbm": "lightgbm"})
    import lightgbm
    import sklearn
    import xgboost

    warnings.filterwarnings("ignore", category=UserWarning)
    print(
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"xgboost {xgboost.__version__}, lightgbm {lightgbm.__version__}; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; "
        f"seeds 0-{args.seeds - 1}; 9 candidates, 3-fold CV, one thread per fit"
    )
    results = []
    with threadpool_limits(1):  # HistGradientBoosting's OpenMP pool too
        for task in _tasks():
            results.append(run_task(task, args.seeds))
    for k in VARIANTS:
        strict = sum(r[k][0] for r in results)
        paired = sum(r[k][1] for r in results)
        print(
            f"Target ({k}): test >= fixed and seconds <= fixed on every task: "
            f"{strict} of {len(results)}  {verdict(strict == len(results))}; test >= "
            f"fixed and not measurably slower (sign test over seeds, p >= 0.05): "
            f"{paired} of {len(results)}  {verdict(paired == len(results))}"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


VARIANTS = ("per-fold", "per-fold rows")


def run_task(task: Task, n_seeds: int) -> dict[str, tuple[bool, bool]]:
    """Per variant: (strict verdict on the medians, verdict with the sign test)."""
    rows: dict[str, list[tuple[float, float]]] = {"fixed": [], **{k: [] for k in VARIANTS}}
    for seed in range(n_seeds):
        data = split(task, seed)
        rows["fixed"].append(fixed(task, seed, data))
        rows["per-fold"].append(per_fold(task, seed, data))
        # As many validation rows per fit as the fixed recipe validates on.
        n_val = round(VALIDATION * len(data[0]))
        rows["per-fold rows"].append(per_fold(task, seed, data, n_val))
        print(
            f"  {task.name:14s} seed {seed}: "
            + "; ".join(
                f"{k} test {v[-1][0]:.5g} in {v[-1][1]:.1f}s" for k, v in rows.items()
            ),
            flush=True,
        )
    medians = {
        k: (statistics.median(t for t, _ in v), statistics.median(s for _, s in v))
        for k, v in rows.items()
    }
    f_test, f_sec = medians["fixed"]
    fixed_seconds = [s for _, s in rows["fixed"]]
    verdicts = {}
    parts = []
    for k in VARIANTS:
        test, sec = medians[k]
        slower, n, p = slower_pairs(fixed_seconds, [s for _, s in rows[k]])
        verdicts[k] = (test >= f_test and sec <= f_sec, test >= f_test and p >= 0.05)
        parts.append(
            f"{k} {test:.5g} / {sec:.2f}s, slower on {slower} of {n} seeds (p={p:.3f}) "
            f"{verdict(verdicts[k][0])}"
        )
    print(
        f"{task.name:14s} ({task.scoring}) median test / seconds: fixed {f_test:.5g} / "
        f"{f_sec:.2f}s; " + "; ".join(parts)
    )
    return verdicts


if __name__ == "__main__":
    main()
