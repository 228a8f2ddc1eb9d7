"""Pruned searches at HalvingRandomSearchCV's wall time, on the tasks with a resource.

Run it from the repository root::

    python benchmarks/equal_time.py              # 9 tasks x 5 seeds
    python benchmarks/equal_time.py --quick      # 3 tasks x 2 seeds

HalvingRandomSearchCV finishes its candidates in less wall time than our
pruned searches spend on as many trials (Hyperband adds brackets; we score
every rung on whole validation folds). A user comparing the two sees the
wall time, so this compares them at equal wall time: for each task and seed,
HalvingRandomSearchCV runs first (``n_candidates=50``, ``factor=3``,
``min_resources="exhaust"``, the task's resource); then ScoutSearchCV with
our default sampler and a pruner runs with ``timeout=`` that wall time, an
open number of trials, and the same ladder of resources (Halving's
``n_resources_``). Both see the same data, the same shuffled 3-fold split
and the run's seed; ``n_jobs=1``, one thread, one search at a time.

Tasks (see ``suite.py``): those with an estimator parameter as resource
(boosting rounds, trees, epochs, SGD iterations), taken out of the space and
set by the rungs up to the top of its range, plus ``svc_digits`` with
``n_samples``. Compared: the best CV score at the full budget
(HalvingRandomSearchCV's best params are re-scored with the same 3-fold CV at
the full budget, since its ``best_score_`` comes from its last iteration)
and the held-out test score of the refitted best model.

Verdict: per task, the median over seeds of both scores of each pruned
search against HalvingRandomSearchCV's; the target is "at least Halving's on
both, on at least 3 of every 4 tasks". A pruned search that ends without a
trial at the full budget (``fit`` raises) is printed and counts as ``-inf``
on both scores.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import platform
import statistics
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from _common import verdict
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import cross_val_score
from spaces import scipy_space, scout_space
from suite import CV_FOLDS, TASKS, Task
from threadpoolctl import threadpool_limits

N_CANDIDATES = 50
PRUNERS = ("sha", "hyperband")


@dataclass(frozen=True)
class Setting:
    task: Task
    resource: str  # an estimator parameter, or "n_samples"
    max_resource: int | None  # None for n_samples (whole training folds)


def settings() -> dict[str, Setting]:
    out = {}
    for task in TASKS.values():
        if task.resource is None:
            continue
        in_space = [p for p in task.params if p.name == task.resource]
        if in_space:
            top = int(in_space[0].high)
        else:  # the estimator's own value (MLP's max_iter)
            top = int(task.estimator().get_params()[task.resource])
        params = tuple(p for p in task.params if p.name != task.resource)
        out[task.name] = Setting(
            dataclasses.replace(task, params=params), task.resource, top
        )
    out["svc_digits"] = Setting(TASKS["svc_digits"], "n_samples", None)
    return out


def full_budget(setting: Setting) -> Any:
    estimator = setting.task.estimator()
    if setting.max_resource is not None:
        estimator.set_params(**{setting.resource: setting.max_resource})
    return estimator


@dataclass
class Result:
    method: str
    task: str
    seed: int
    cv: float
    test: float
    wall: float
    n_trials: int


def run_halving(setting: Setting, seed: int, data: Any) -> tuple[Result, list[int]]:
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    task = setting.task
    X_train, X_test, y_train, y_test = data
    search = HalvingRandomSearchCV(
        task.estimator(),
        scipy_space(task),
        n_candidates=N_CANDIDATES,
        factor=3,
        resource=setting.resource,
        max_resources="auto" if setting.max_resource is None else setting.max_resource,
        min_resources="exhaust",
        cv=task.cv(seed),
        scoring=task.scoring,
        random_state=seed,
        n_jobs=1,
    )
    start = time.perf_counter()
    search.fit(X_train, y_train)
    wall = time.perf_counter() - start
    params = dict(search.best_params_)
    params.pop(setting.resource, None)
    estimator = clone(full_budget(setting)).set_params(**params)
    cv = float(
        np.mean(
            cross_val_score(
                estimator, X_train, y_train, cv=task.cv(seed), scoring=task.scoring
            )
        )
    )
    test = float(get_scorer(task.scoring)(search.best_estimator_, X_test, y_test))
    ladder = [int(r) for r in search.n_resources_]
    return Result(
        "halving", task.name, seed, cv, test, wall, len(search.cv_results_["params"])
    ), (ladder)


def run_pruned(
    setting: Setting, seed: int, data: Any, pruner: str, ladder: list[int], timeout: float
) -> Result:
    from scout_sklearn import ScoutSearchCV

    task = setting.task
    X_train, X_test, y_train, y_test = data
    min_resource = ladder[0]
    if setting.max_resource is None:
        # Halving counts the rows it cross-validates on; ours, a fold's training rows.
        min_resource = ladder[0] * (CV_FOLDS - 1) // CV_FOLDS
    search = ScoutSearchCV(
        task.estimator(),
        scout_space(task),
        pruner=pruner,
        resource=setting.resource,
        min_resource=min_resource,
        max_resource=setting.max_resource,
        n_trials=100_000,
        timeout=timeout,
        cv=task.cv(seed),
        scoring=task.scoring,
        random_state=seed,
        n_jobs=1,
    )
    start = time.perf_counter()
    try:
        search.fit(X_train, y_train)
    except ValueError as err:  # no trial reached the full budget in time
        print(f"  {task.name} seed {seed}, {pruner}: no result ({err})", flush=True)
        wall = time.perf_counter() - start
        return Result(f"default + {pruner}", task.name, seed, -math.inf, -math.inf, wall, 0)
    wall = time.perf_counter() - start
    test = float(get_scorer(task.scoring)(search.best_estimator_, X_test, y_test))
    return Result(
        f"default + {pruner}",
        task.name,
        seed,
        float(search.best_score_),
        test,
        wall,
        int(search.n_trials_),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=None)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--pruners", default=",".join(PRUNERS))
    parser.add_argument("--quick", action="store_true", help="3 tasks x 2 seeds")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    os.environ["PYTHONWARNINGS"] = "ignore"
    every = settings()
    names = args.tasks.split(",") if args.tasks else list(every)
    seeds = list(range(args.seeds))
    if args.quick:
        names, seeds = ["hgb_breast", "gbr_diabetes", "svc_digits"], [0, 1]
    pruners = args.pruners.split(",")
    print(
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}; tasks "
        f"{', '.join(names)}; seeds {seeds}; one search at a time, n_jobs=1",
        flush=True,
    )
    results: list[Result] = []
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        for name in names:
            setting = every[name]
            for seed in seeds:
                data = setting.task.data(seed)
                halving, ladder = run_halving(setting, seed, data)
                results.append(halving)
                line = (
                    f"  [{time.perf_counter() - start:6.0f}s] {name:<14} seed {seed}: "
                    f"halving {halving.wall:5.1f}s CV {halving.cv:.5g} "
                    f"test {halving.test:.5g}"
                    f" (ladder {ladder})"
                )
                for pruner in pruners:
                    r = run_pruned(setting, seed, data, pruner, ladder, halving.wall)
                    results.append(r)
                    line += (
                        f"; {pruner} {r.wall:5.1f}s {r.n_trials} trials CV {r.cv:.5g} "
                        f"test {r.test:.5g}"
                    )
                print(line, flush=True)
    report(results, names, pruners)
    print(
        f"\nTotal {(time.perf_counter() - start) / 60:.1f} min; load average at the end "
        f"{os.getloadavg()[0]:.2f}"
    )


def report(results: list[Result], names: list[str], pruners: list[str]) -> None:
    methods = ["halving", *(f"default + {p}" for p in pruners)]
    print("\nMedians over seeds: best CV at the full budget, held-out test, wall s, trials")
    wins = {m: 0 for m in methods[1:]}
    for name in names:
        print(f"\n{name}")
        medians = {}
        for m in methods:
            rows = [r for r in results if r.task == name and r.method == m]
            medians[m] = (
                statistics.median(r.cv for r in rows),
                statistics.median(r.test for r in rows),
            )
            print(
                f"  {m:<24}{medians[m][0]:>12.6g}{medians[m][1]:>12.6g}"
                f"{statistics.median(r.wall for r in rows):>8.1f}"
                f"{statistics.median(r.n_trials for r in rows):>8.0f}"
            )
        for m in methods[1:]:
            ok = (
                medians[m][0] >= medians["halving"][0]
                and medians[m][1] >= medians["halving"][1]
            )
            wins[m] += ok
    print("\nTargets")
    for m, n in wins.items():
        print(
            f"  {m}: CV and test at least Halving's on {n} of {len(names)} tasks "
            f"(target 3 of every 4)   {verdict(n >= 0.75 * len(names))}"
        )


if __name__ == "__main__":
    main()
