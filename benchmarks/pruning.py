"""Pruning: ScoutSearchCV TPE + Hyperband against no pruning and HalvingRandomSearchCV.

Run it from the repository root::

    python benchmarks/pruning.py            # 3 tasks x 5 seeds x 50 trials
    python benchmarks/pruning.py --quick    # svc_digits, hgb_breast; 2 seeds x 30 trials
    python benchmarks/pruning.py --methods pruned,pruned-2jobs   # parallel efficiency only
    python benchmarks/pruning.py --tasks svc_digits,hgb_breast \
        --methods pruned,pruned-2jobs,halving,halving-2jobs --repeats 3

Tasks (held-out test set: ``train_test_split(test_size=0.25, random_state=seed)``,
stratified; the searches see only the training part; ``cv=3``, the same
3-fold split for every method):

- ``hgb_breast``: HistGradientBoostingClassifier(random_state=0) on
  load_breast_cancer, roc_auc, the space of ``benchmarks/suite.py`` without
  ``max_iter``, which is the resource: rungs 10, 30, 90, 300 iterations
  (``early_stopping=False``, so that max_iter is the budget). Where a trial
  is promoted, its boosting continues (``warm_start``).
- ``svc_digits``: SVC(kernel="rbf") on load_digits, accuracy, C and gamma as in
  ``benchmarks/suite.py``; resource ``n_samples``: rungs of 30, 90, 270 rows
  and whole training folds (an SVC fit costs about the square of its rows).
- ``hgb_synth``: HistGradientBoostingClassifier(random_state=0,
  early_stopping=False) on ``make_classification(n_samples=20000,
  n_features=40, random_state=0)``, roc_auc, the hgb_breast space; resource
  ``max_iter``: rungs 4, 12, 36, 100 (a boosting fit hardly gets cheaper on
  fewer rows: at 1,111 of 10,000 rows it costs half as much).
- ``hgb_synth_300`` (only with ``--tasks``): hgb_synth with the ladder of
  the issue's example, 10, 30, 90, 300 iterations.

Methods, each with ``n_trials`` (default 50) and the run's seed, one thread,
``n_jobs=1``, run one after the other (never two at once): ScoutSearchCV
``sampler="tpe", pruner="hyperband"`` (reduction factor 3) over the task's
resource; ScoutSearchCV ``sampler="tpe"`` without pruning, every trial at
the full budget; HalvingRandomSearchCV with ``n_candidates=n_trials``,
``factor=3``, the same resource and maximum, ``min_resources="exhaust"``
(its best configuration: the last iteration uses the whole budget). Its
``best_score_`` comes from its last iteration, so its best params are
re-scored at the full budget with the same 3-fold CV. Then the pruned
search again with ``n_jobs=2``, for its parallel efficiency, and, on the
boosting tasks, once more with an estimator that hides ``warm_start`` (every
rung fits from scratch), to measure what continuing saves: the two runs
make the same decisions, since a continued boosting equals a fresh one.
Last, ScoutSearchCV ``sampler="tpe", pruner="sha"``: one bracket of
successive halving, the like-for-like peer of HalvingRandomSearchCV
(Hyperband adds brackets that start trials at higher rungs, a hedge that
costs time).

Printed per task: median best CV score, median held-out score of the refitted
best estimator, total fit seconds (sum over folds and seeds, refit excluded;
for TPE + Hyperband also the part spent in each trial's first rung, which
no promotion rule can save: its brackets start some trials at high rungs),
total CPU seconds of the process (for n_jobs=1 runs every fit runs in it:
a figure less disturbed by other load than fit seconds, which are wall
seconds) and median wall seconds of ``fit``. Verdicts:

1. TPE + Hyperband vs TPE without pruning: median held-out score within 0.5
   percentage points (or better), at no more than 1/3 of the fit seconds.
2. vs HalvingRandomSearchCV: a better median best CV score, at no more median
   wall time; printed for TPE + Hyperband and for TPE + successive halving.
3. n_jobs=2: parallel efficiency ``T1 / (2 * T2)`` of the pruned search (same
   seed at n_jobs=1 and 2; the pruner's decisions, hence the work, may differ
   between the two) at least 0.85. On a shared machine a run's wall time
   moves by 25% with other load, in both directions for the ratio; with
   ``--repeats N`` the n_jobs=1 and n_jobs=2 searches (and
   HalvingRandomSearchCV's) run N times per seed, alternating, and the
   fastest run of each counts: the least disturbed one (the n_jobs=2 runs
   may differ in their decisions between repeats); also shown: worker utilisation, the fold
   seconds of the n_jobs=2 run over ``2 * T2``, and the same two figures for
   HalvingRandomSearchCV as a reference. The two loky workers are started
   before every n_jobs=2 run (they stop after 300 s idle) and import the
   modules the folds need, so no run times their start-up.

Wall times depend on other load on the machine: the load average is printed
at the start and at the end, and so is how fast two busy processes run
relative to one (a pure-Python loop): no search's ``T1 / (2 * T2)`` can
exceed that figure, which is 1.00 on two idle cores.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import platform
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, replace
from typing import Any

import joblib
import numpy as np
import sklearn
from _common import verdict
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import get_scorer
from sklearn.model_selection import cross_val_score
from sklearn.utils.parallel import Parallel, delayed
from spaces import scipy_space, scout_space
from suite import TASKS, Task
from threadpoolctl import threadpool_limits

CV = 3
FULL = {"seeds": 5, "trials": 50, "tasks": ("hgb_breast", "svc_digits", "hgb_synth")}
QUICK = {"seeds": 2, "trials": 30, "tasks": ("svc_digits", "hgb_breast")}
METHODS = (
    "pruned",
    "unpruned",
    "halving",
    "pruned-2jobs",
    "halving-2jobs",
    "pruned-cold",
    "pruned-sha",
)
# Timed for parallel efficiency: with --repeats, run several times per seed
# (alternating, so that other load hits both alike); the fastest run counts.
REPEATED = ("pruned", "pruned-2jobs", "halving", "halving-2jobs")
LABELS = {
    "pruned": "scout TPE + Hyperband",
    "unpruned": "scout TPE, no pruning",
    "halving": "HalvingRandomSearchCV",
    "pruned-2jobs": "TPE + Hyperband, n_jobs=2",
    "halving-2jobs": "HalvingRandomSearchCV, n_jobs=2",
    "pruned-cold": "TPE + Hyperband, no warm start",
    "pruned-sha": "scout TPE + successive halving",
}


class ColdHistGradientBoostingClassifier(HistGradientBoostingClassifier):
    """HistGradientBoostingClassifier without a ``warm_start`` parameter.

    ScoutSearchCV continues a promoted trial's fit only when the estimator
    has ``warm_start``: with this one, every rung fits from scratch.
    """

    @classmethod
    def _get_param_names(cls) -> list[str]:
        return [name for name in super()._get_param_names() if name != "warm_start"]


def load_synth(return_X_y: bool = True) -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=20000, n_features=40, random_state=0)
    return X, y


@dataclass(frozen=True)
class Setting:
    """A task and the resource its pruned searches grow."""

    task: Task
    resource: str
    min_resource: int
    max_resource: int | None  # None: whole training folds (n_samples)
    cold: type | None = None  # the estimator class without warm_start


HGB_BREAST = TASKS["hgb_breast"]
SETTINGS = {
    "hgb_breast": Setting(
        replace(
            HGB_BREAST,
            estimator=lambda: HistGradientBoostingClassifier(
                random_state=0, early_stopping=False
            ),
            params=tuple(p for p in HGB_BREAST.params if p.name != "max_iter"),
        ),
        "max_iter",
        10,
        300,
        ColdHistGradientBoostingClassifier,
    ),
    "svc_digits": Setting(TASKS["svc_digits"], "n_samples", 30, None),
    "hgb_synth": Setting(
        replace(
            HGB_BREAST,
            name="hgb_synth",
            load=load_synth,
            estimator=lambda: HistGradientBoostingClassifier(
                random_state=0, early_stopping=False
            ),
            params=tuple(p for p in HGB_BREAST.params if p.name != "max_iter"),
        ),
        "max_iter",
        4,
        100,
        ColdHistGradientBoostingClassifier,
    ),
}
# hgb_synth on the issue's own ladder (not in the full run: its searches
# without pruning take about three times hgb_synth's).
SETTINGS["hgb_synth_300"] = replace(
    SETTINGS["hgb_synth"],
    task=replace(SETTINGS["hgb_synth"].task, name="hgb_synth_300"),
    min_resource=10,
    max_resource=300,
)


@dataclass
class Run:
    method: str
    task: str
    seed: int
    cv_score: float
    test_score: float
    fit_seconds: float
    fold_seconds: float
    wall: float
    cpu: float  # CPU seconds of this process: every fit when n_jobs=1
    states: tuple[str, ...] = ()
    # Fit seconds of each trial's first rung only: what the search would cost
    # if no trial were ever promoted (a floor for the pruned searches).
    first_rung_seconds: float = math.nan
    # Fit seconds of the folds at rung 0 (pruned), of every fold (unpruned).
    rung0_fits: tuple[float, ...] = ()
    ladder: tuple[float, ...] = ()


# -- one search -----------------------------------------------------------------
def _import_search_modules() -> None:
    time.sleep(0.01)  # so that both workers get a call
    for module in WORKER_MODULES:
        importlib.import_module(module)


# What a worker imports to run its first fold of these searches: about 0.3 s
# of the first n_jobs=2 search otherwise (the n_jobs=1 ones import them once,
# in this process, before the first is timed).
WORKER_MODULES = (
    "scout_sklearn._evaluate",
    "sklearn.ensemble",
    "sklearn.svm",
    "sklearn.metrics",
    "sklearn.model_selection",
)


def warm_up_workers() -> None:
    """Start (or keep) the two loky workers, so that no n_jobs=2 run times their start.

    Through scikit-learn's Parallel, as the searches dispatch: a plain
    joblib.Parallel call leaves an executor that their first call replaces.
    Each worker also imports what the searches' folds need.
    """
    Parallel(n_jobs=2)(delayed(_import_search_modules)() for _ in range(4))


def full_budget_estimator(setting: Setting) -> Any:
    estimator = setting.task.estimator()
    if setting.resource != "n_samples":
        estimator.set_params(**{setting.resource: setting.max_resource})
    return estimator


def make_search(method: str, setting: Setting, seed: int, n_trials: int) -> Any:
    task = setting.task
    common = {"cv": CV, "scoring": task.scoring}
    if method.startswith("halving"):
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        return HalvingRandomSearchCV(
            task.estimator(),
            scipy_space(task),
            n_candidates=n_trials,
            factor=3,
            resource=setting.resource,
            max_resources=(
                "auto" if setting.resource == "n_samples" else setting.max_resource
            ),
            min_resources="exhaust",
            random_state=seed,
            n_jobs=2 if method == "halving-2jobs" else 1,
            **common,
        )
    from scout_sklearn import ScoutSearchCV

    if method == "unpruned":
        return ScoutSearchCV(
            full_budget_estimator(setting),
            scout_space(task),
            sampler="tpe",
            n_trials=n_trials,
            random_state=seed,
            n_jobs=1,
            **common,
        )
    estimator = task.estimator()
    if method == "pruned-cold":
        assert setting.cold is not None
        estimator = setting.cold(**estimator.get_params())
    return ScoutSearchCV(
        estimator,
        scout_space(task),
        sampler="tpe",
        pruner="sha" if method == "pruned-sha" else "hyperband",
        resource=setting.resource,
        min_resource=setting.min_resource,
        max_resource=setting.max_resource,
        n_trials=n_trials,
        random_state=seed,
        n_jobs=2 if method == "pruned-2jobs" else 1,
        **common,
    )


def run_one(method: str, name: str, seed: int, n_trials: int) -> Run:
    setting = SETTINGS[name]
    task = setting.task
    X_train, X_test, y_train, y_test = task.data(seed)
    search = make_search(method, setting, seed, n_trials)
    if "2jobs" in method:
        warm_up_workers()
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning (SVC on small rungs)
        start, cpu = time.perf_counter(), time.process_time()
        search.fit(X_train, y_train)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        if method.startswith("halving"):
            # best_score_ is measured at its last iteration's resource: re-score
            # the best params at the full budget with the same CV.
            params = dict(search.best_params_)
            params.pop(setting.resource, None)
            estimator = clone(full_budget_estimator(setting)).set_params(**params)
            scores = cross_val_score(
                estimator, X_train, y_train, cv=CV, scoring=task.scoring
            )
            cv_score = float(np.mean(scores))
            results = search.cv_results_
            fit = float(np.nansum(results["mean_fit_time"]) * CV)
            folds = fit + float(np.nansum(results["mean_score_time"]) * CV)
            pruning_figures: dict[str, Any] = {}
        else:
            cv_score = float(search.best_score_)
            trials = search.study_.trials
            fit = sum(f.fit_time for t in trials for f in t.fold_results)
            folds = fit + sum(f.score_time for t in trials for f in t.fold_results)
            states, first_rung_seconds = [], 0.0
            for t in trials:
                rungs = [f.rung for f in t.fold_results]
                first = min(rungs)
                states.append(f"{t.number}:{t.state.name}:{max(rungs)}")
                first_rung_seconds += sum(
                    f.fit_time for f in t.fold_results if f.rung == first
                )
            # The resources of the trials' last rungs: the whole ladder unless
            # no trial stopped at some rung (a short run), then none.
            resources = sorted(
                set(search.cv_results_.get("n_resources", np.array([])).tolist())
            )
            n_rungs = 1 + max(f.rung for t in trials for f in t.fold_results)
            pruning_figures = {
                "states": tuple(states),
                "first_rung_seconds": first_rung_seconds,
                "rung0_fits": tuple(
                    f.fit_time for t in trials for f in t.fold_results if f.rung == 0
                ),
                "ladder": tuple(resources) if len(resources) == n_rungs else (),
            }
        test = float(get_scorer(task.scoring)(search.best_estimator_, X_test, y_test))
    return Run(method, name, seed, cv_score, test, fit, folds, wall, cpu, **pruning_figures)


def hyperband_share(ladder: tuple[float, ...], eta: int, fixed: float) -> float:
    """One Hyperband iteration's fit cost per trial, over a full-budget fit's.

    The bracket sizes of Li et al. (HyperbandPruner.bracket_sizes),
    ``max(1, n // eta)`` promotions per rung (as our ASHA), warm starts (a
    promoted fit pays only the resource it adds); a fit costs ``fixed`` of a
    full one whatever its resource, plus ``1 - fixed`` in proportion to the
    resource it adds.
    """
    from scout_sklearn.pruners import HyperbandPruner

    sizes = HyperbandPruner(reduction_factor=eta).bracket_sizes(len(ladder))
    top = ladder[-1]
    cost = 0.0
    for bracket, size in enumerate(sizes):
        n, before = size, 0.0
        for resource in ladder[bracket:]:
            cost += n * (fixed + (1 - fixed) * (resource - before) / top)
            n, before = max(1, n // eta), resource
    return cost / sum(sizes)


def _spin(n: int) -> float:
    start = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - start


def parallel_ceiling() -> float:
    """How fast two busy processes run here, relative to one (1.0 on 2 idle cores).

    T1 / (2 * T2) of any search cannot exceed it: other load on the machine
    (or two CPUs sharing a core) caps it.
    """
    n = 10_000_000
    one = min(_spin(n) for _ in range(2))
    two = Parallel(n_jobs=2)(delayed(_spin)(n) for _ in range(2))
    return one / max(two)


# -- report ---------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def report_task(name: str, runs: list[Run], n_trials: int) -> dict[str, bool]:
    by = {m: [r for r in runs if r.method == m] for m in METHODS}
    setting = SETTINGS[name]
    limits = (
        f"{setting.min_resource}..{setting.max_resource}"
        if setting.max_resource
        else f"{setting.min_resource}..whole training folds"
    )
    print(
        f"\n{name}: {setting.task.scoring}, {n_trials} trials, cv={CV}, "
        f"{len(by['pruned'])} seeds; resource {setting.resource} {limits}"
    )
    print(
        f"  {'method':32s} {'best CV':>8s} {'held-out':>9s} {'fit s (sum)':>12s} "
        f"{'CPU s (sum)':>12s} {'wall s (median)':>16s}"
    )
    for method in METHODS:
        if not by[method]:
            continue
        rs = by[method]
        cpu = "-" if "2jobs" in method else f"{sum(r.cpu for r in rs):.1f}"
        print(
            f"  {LABELS[method]:32s} {median([r.cv_score for r in rs]):8.4f} "
            f"{median([r.test_score for r in rs]):9.4f} "
            f"{sum(r.fit_seconds for r in rs):12.1f} {cpu:>12s} "
            f"{median([r.wall for r in rs]):16.2f}"
        )
    ok: dict[str, bool] = {}
    pruned, unpruned, halving = by["pruned"], by["unpruned"], by["halving"]
    if pruned and unpruned:
        held_diff = 100 * (
            median([r.test_score for r in pruned])
            - median([r.test_score for r in unpruned])
        )
        fit_ratio = sum(r.fit_seconds for r in pruned) / sum(
            r.fit_seconds for r in unpruned
        )
        cpu_ratio = sum(r.cpu for r in pruned) / sum(r.cpu for r in unpruned)
        floor = sum(r.first_rung_seconds for r in pruned) / sum(
            r.fit_seconds for r in unpruned
        )
        ok["vs no pruning"] = held_diff >= -0.5 and fit_ratio <= 1 / 3
        print(
            f"  TPE + Hyperband vs no pruning: held-out {held_diff:+.2f} pp (>= -0.5), "
            f"fit seconds x{fit_ratio:.3f} (<= 0.333): {verdict(ok['vs no pruning'])} "
            f"(CPU seconds x{cpu_ratio:.3f}; its trials' first rungs alone x{floor:.3f})"
        )
        # TPE without pruning settles on a region of the space whose fits may
        # be cheaper or dearer than average: the ratio moves from seed to seed.
        full_budget = {r.seed: r.fit_seconds for r in unpruned}
        per_seed = [
            f"x{r.fit_seconds / full_budget[r.seed]:.2f}"
            for r in pruned
            if r.seed in full_budget
        ]
        print(
            f"  (fit seconds per seed: {', '.join(per_seed)}; no pruning's per seed "
            f"{', '.join(f'{full_budget[s]:.1f}' for s in sorted(full_budget))})"
        )
        ladder = pruned[0].ladder
        smallest = median([t for r in pruned for t in r.rung0_fits])
        full = median([t for r in unpruned for t in r.rung0_fits])
        if len(ladder) > 1 and smallest > 0 and full > 0:
            # A fit at rung 0 costs `fixed` plus its resource's share of the rest.
            share = ladder[0] / ladder[-1]
            fixed = min(1.0, max(0.0, (smallest / full - share) / (1 - share)))
            print(
                f"  (a fit at rung 0, resource {ladder[0]:g} of {ladder[-1]:g}, takes "
                f"{smallest / full:.3f} of a full one's median seconds: {fixed:.2f} of a "
                f"full fit is fixed cost; Hyperband's brackets cost "
                f"x{hyperband_share(ladder, 3, fixed):.3f} of no pruning at that, "
                f"x{hyperband_share(ladder, 3, 0.0):.3f} if a fit's cost were its "
                "resource's)"
            )
    if pruned and halving:
        cv_diff = median([r.cv_score for r in pruned]) - median(
            [r.cv_score for r in halving]
        )
        wall_ratio = median([r.wall for r in pruned]) / median([r.wall for r in halving])
        ok["vs HalvingRandomSearchCV"] = cv_diff > 0 and wall_ratio <= 1
        print(
            f"  vs HalvingRandomSearchCV: best CV {cv_diff:+.4f} (> 0), wall "
            f"x{wall_ratio:.2f} (<= 1): {verdict(ok['vs HalvingRandomSearchCV'])}"
        )
    sha = by["pruned-sha"]
    if sha and halving:
        # The like-for-like comparison: one bracket of successive halving.
        cv_diff = median([r.cv_score for r in sha]) - median([r.cv_score for r in halving])
        wall_ratio = median([r.wall for r in sha]) / median([r.wall for r in halving])
        ok["SHA vs HalvingRandomSearchCV"] = cv_diff > 0 and wall_ratio <= 1
        print(
            f"  TPE + successive halving vs HalvingRandomSearchCV: best CV "
            f"{cv_diff:+.4f} (> 0), wall x{wall_ratio:.2f} (<= 1): "
            f"{verdict(ok['SHA vs HalvingRandomSearchCV'])}"
        )
    one = {r.seed: r for r in pruned}
    if pruned and by["pruned-2jobs"]:
        efficiencies = [one[r.seed].wall / (2 * r.wall) for r in by["pruned-2jobs"]]
        utilisation = [r.fold_seconds / (2 * r.wall) for r in by["pruned-2jobs"]]
        ok["n_jobs=2 efficiency"] = median(efficiencies) >= 0.85
        print(
            f"  n_jobs=2: efficiency T1/(2*T2) median {median(efficiencies):.3f} "
            f"(per seed {', '.join(f'{e:.2f}' for e in efficiencies)}; >= 0.85): "
            f"{verdict(ok['n_jobs=2 efficiency'])}; utilisation median "
            f"{median(utilisation):.3f}"
        )
    halving_one = {r.seed: r for r in halving}
    if halving and by["halving-2jobs"]:
        reference = [halving_one[r.seed].wall / (2 * r.wall) for r in by["halving-2jobs"]]
        used = [r.fold_seconds / (2 * r.wall) for r in by["halving-2jobs"]]
        print(
            f"  (reference, HalvingRandomSearchCV n_jobs=2: efficiency median "
            f"{median(reference):.3f}, utilisation median {median(used):.3f})"
        )
    if pruned and by["pruned-cold"]:
        warm = sum(one[r.seed].fit_seconds for r in by["pruned-cold"])
        cold = sum(r.fit_seconds for r in by["pruned-cold"])
        warm_cpu = sum(one[r.seed].cpu for r in by["pruned-cold"])
        cold_cpu = sum(r.cpu for r in by["pruned-cold"])
        same = all(r.states == one[r.seed].states for r in by["pruned-cold"])
        print(
            f"  warm start: fit seconds {warm:.1f} with it, {cold:.1f} without "
            f"(x{warm / cold:.2f}); CPU seconds {warm_cpu:.1f} vs {cold_cpu:.1f} "
            f"(x{warm_cpu / cold_cpu:.2f}); same trials, states and rungs: {same}"
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="svc_digits, hgb_breast; 2 seeds x 30 trials"
    )
    parser.add_argument("--tasks", default=None, help="comma-separated task names")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="run the searches timed for parallel efficiency this many times per "
        "seed, alternating, and keep each one's fastest run (default 1)",
    )
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help=f"comma-separated, among {','.join(METHODS)} (default: all)",
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    n_seeds = args.seeds or plan["seeds"]
    n_trials = args.trials or plan["trials"]
    tasks = args.tasks.split(",") if args.tasks else list(plan["tasks"])
    unknown = [t for t in tasks if t not in SETTINGS]
    if unknown:
        sys.exit(f"Unknown tasks {unknown}; known: {sorted(SETTINGS)}")
    chosen = args.methods.split(",")
    if not set(chosen) <= set(METHODS):
        sys.exit(f"Unknown methods {set(chosen) - set(METHODS)}; known: {METHODS}")

    print(
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, joblib {joblib.__version__}; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(f"tasks {tasks}, seeds 0-{n_seeds - 1}, {n_trials} trials, one search at a time")
    warm_up_workers()
    print(
        f"two busy processes run at {parallel_ceiling():.2f} of one's speed now "
        "(the ceiling of any T1/(2*T2); 1.00 on 2 idle cores)"
    )
    start = time.perf_counter()
    verdicts: dict[str, bool] = {}
    for name in tasks:
        methods = [
            m
            for m in METHODS
            if m in chosen and (m != "pruned-cold" or SETTINGS[name].cold)
        ]
        runs = []
        for seed in range(n_seeds):
            best: dict[str, Run] = {}
            for repeat in range(args.repeats):
                for method in methods:
                    if repeat and method not in REPEATED:
                        continue
                    r = run_one(method, name, seed, n_trials)
                    if method not in best or r.wall < best[method].wall:
                        best[method] = r
                    print(
                        f"  [{name} seed {seed}] {LABELS[method]}: best CV "
                        f"{r.cv_score:.4f}, held-out {r.test_score:.4f}, fit "
                        f"{r.fit_seconds:.1f}s, CPU {r.cpu:.1f}s, wall {r.wall:.1f}s "
                        f"(load {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
            runs.extend(best.values())
        for target, ok in report_task(name, runs, n_trials).items():
            verdicts[f"{name}: {target}"] = ok
    print(
        f"\nSummary ({time.perf_counter() - start:.0f}s; load average now "
        f"{os.getloadavg()[0]:.2f}; two busy processes at {parallel_ceiling():.2f} of "
        "one's speed)"
    )
    for target, ok in verdicts.items():
        print(f"  {target:45s} {verdict(ok)}")
    print(f"  {'all targets':45s} {verdict(all(verdicts.values()))}")


if __name__ == "__main__":
    main()
