"""Tune the 20 tasks of ``suite.py`` with ScoutSearchCV's samplers and with their peers.

Run it from the repository root with the benchmark environment (Optuna,
optuna-integration, scikit-optimize and torch installed)::

    python benchmarks/tasks.py                  # our samplers; the peers from the store
    python benchmarks/tasks.py --measure-peers  # measure the peers' missing results first
    python benchmarks/tasks.py --quick          # 6 tasks, 2 seeds, our default and TPE only

Every search gets the same data (``train_test_split(test_size=0.25,
random_state=seed)``, stratified for classifiers), the same shuffled 3-fold
split, the run's seed and one thread per process; two searches run at once
(``--jobs``). A search's trials are read back in the order they were
asked, so one 80-trial run also tells what its first 10, 20 and 40 trials
found ("anytime" quality); at each of those checkpoints the best params so
far are refitted on the whole training part and scored on the held-out
part. HalvingRandomSearchCV has no order of that kind, so it runs once per
budget.

The peers' results do not change while we work on our samplers, so they
are measured once (``--measure-peers``) and kept in
``benchmarks/results/peers.jsonl``, a line per task, method, seed and
``n_jobs``, with the versions that produced it and a hash of the task's
definition (a line whose task changed is measured again). A run without
``--measure-peers`` re-measures only ScoutSearchCV.

What it prints (all ranks are by best CV score per task and seed, 1 =
best, ties averaged, then averaged over tasks and seeds):

1. per task, the median best CV and held-out test scores at 40 trials;
2. the mean rank at 40 trials of our samplers and the peers, over the
   whole suite and per half;
3. the honest selection of the default's rule: each candidate rule is
   ranked on one half, the best one is reported on the other half, both
   ways;
4. anytime ranks at 10, 20, 40 and 80 trials, and at ``n_jobs=4``;
5. the held-out test score of the default against Optuna's TPE per task;
6. the number of trials until the best CV score reaches GridSearchCV's on
   the tasks that have a grid of about 100 points;
7. the sampler's own seconds as a share of the fit seconds, per task;

then the targets with PASS/FAIL.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from _common import one_torch_thread, require_modules, verdict
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import cross_validate
from suite import (
    CV_FOLDS,
    HALVES,
    TASKS,
    Task,
    flat_estimator,
    optuna_space,
    scipy_space,
    scout_space,
    skopt_space,
)
from threadpoolctl import threadpool_limits

from scout_sklearn.samplers import AutoSampler

STORE = Path(__file__).parent / "results" / "peers.jsonl"
CHECKPOINTS = (10, 20, 40, 80)
MAIN_BUDGET = 40
# Our samplers. The candidate rules of the default run to 80 trials (their
# anytime curve is part of the choice); the others to the main budget.
CANDIDATES = ("scout-auto", "scout-gp", "scout-tpe")
GP_SWITCH = AutoSampler().max_gp_trials  # the default is the GP until then
OTHERS = ("scout-cmaes", "scout-qmc", "scout-annealing", "scout-random")
PEERS = ("random", "halving", "optuna-tpe", "optuna-gp", "bayes")
# At n_jobs=4 these peers run exactly the same trials as at n_jobs=1 (they
# parallelise the folds of one candidate, or sample without looking at
# results), so their n_jobs=1 results stand for both.
SAME_AT_ANY_N_JOBS = ("random", "halving", "bayes")
PARALLEL_METHODS = ("scout-auto", "optuna-tpe", "optuna-gp")
PARALLEL_BUDGET = 40
QUICK_TASKS = (
    "svc_digits",
    "hgb_breast",
    "mlp_digits",
    "kridge_friedman",
    "rf_noisy",
    "model_choice",
)


# -- one search ---------------------------------------------------------------------
def make_search(
    method: str, task: Task, seed: int, n_trials: int, n_jobs: int, y: Any
) -> Any:
    common = {"cv": task.cv(seed), "scoring": task.scoring, "n_jobs": n_jobs}
    if method.startswith("scout-"):
        from scout_sklearn import ScoutSearchCV

        name = method.removeprefix("scout-")
        return ScoutSearchCV(
            task.estimator(),
            scout_space(task),
            sampler=None if name == "auto" else name,
            n_trials=n_trials,
            random_state=seed,
            **common,
        )
    if method == "random":
        from sklearn.model_selection import RandomizedSearchCV

        return RandomizedSearchCV(
            task.estimator(),
            scipy_space(task),
            n_iter=n_trials,
            random_state=seed,
            **common,
        )
    if method == "halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        return HalvingRandomSearchCV(
            task.estimator(),
            scipy_space(task),
            n_candidates=halving_candidates(n_trials, len(y), halving_floor(task, y)),
            factor=3,
            resource="n_samples",
            min_resources="exhaust",
            random_state=seed,
            **common,
        )
    if method == "grid":
        from sklearn.model_selection import GridSearchCV

        return GridSearchCV(task.estimator(), task.grid, **common)
    if method.startswith("optuna-"):
        import optuna
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = None
        if method == "optuna-gp":
            study = optuna.create_study(
                direction="maximize", sampler=optuna.samplers.GPSampler(seed=seed)
            )
        return OptunaSearchCV(
            flat_estimator(task),
            optuna_space(task),
            n_trials=n_trials,
            random_state=seed,
            study=study,
            refit=False,
            **common,
        )
    if method == "bayes":
        from skopt import BayesSearchCV

        return BayesSearchCV(
            flat_estimator(task),
            skopt_space(task),
            n_iter=n_trials,
            random_state=seed,
            refit=False,
            **common,
        )
    raise ValueError(f"unknown method {method!r}")


def halving_schedule(n_candidates: int, n_samples: int, min_floor: int) -> list[int]:
    """Candidates per iteration, as HalvingRandomSearchCV plans them (factor 3)."""
    required = 1 + math.floor(math.log(n_candidates, 3) + 1e-9)
    min_resources = max(min_floor, n_samples // 3 ** (required - 1))
    possible = 1 + math.floor(math.log(n_samples // min_resources, 3) + 1e-9)
    schedule = []
    for _ in range(min(required, possible)):
        schedule.append(n_candidates)
        n_candidates = math.ceil(n_candidates / 3)
    return schedule


def halving_candidates(n_trials: int, n_samples: int, min_floor: int) -> int:
    """The most candidates whose schedule costs at most ``n_trials`` candidate fits."""
    best = 1
    for n in range(1, 10 * n_trials):
        if sum(halving_schedule(n, n_samples, min_floor)) <= n_trials:
            best = n
    return best


def halving_floor(task: Task, y: Any) -> int:
    classes = len(np.unique(y)) if task.is_classifier else 1
    return 2 * CV_FOLDS * classes


class _AskTimer:
    """Seconds spent in our samplers' ``ask`` (outermost calls only)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._depth = 0

    def install(self) -> None:
        from scout_sklearn.samplers import _base

        seen: set[type] = set()
        stack = list(_base.Sampler.__subclasses__())
        while stack:
            cls = stack.pop()
            if cls in seen:
                continue
            seen.add(cls)
            stack.extend(cls.__subclasses__())
            if "ask" in vars(cls):
                cls.ask = self._wrap(vars(cls)["ask"])

    def _wrap(self, ask: Any) -> Any:
        timer = self

        def timed(sampler: Any, *args: Any, **kwargs: Any) -> Any:
            timer._depth += 1
            start = time.perf_counter()
            try:
                return ask(sampler, *args, **kwargs)
            finally:
                timer._depth -= 1
                if timer._depth == 0:
                    timer.seconds += time.perf_counter() - start
                    timer.calls += 1

        return timed


def trials_in_order(method: str, search: Any) -> list[tuple[dict[str, Any], float]]:
    """(params, mean CV score) of every trial, in the order the trials were asked."""
    if method.startswith("optuna-"):
        out = []
        for trial in search.study_.trials:
            value = trial.value if trial.value is not None else math.nan
            out.append((dict(trial.params), float(value)))
        return out
    results = search.cv_results_
    scores = np.asarray(results["mean_test_score"], dtype=float)
    order = np.arange(len(scores))
    if "trial_number" in results:
        order = np.argsort(np.asarray(results["trial_number"]), kind="stable")
    return [(dict(results["params"][i]), float(scores[i])) for i in order]


def fold_seconds(method: str, search: Any) -> float:
    """Seconds spent fitting and scoring the CV folds of every trial."""
    if method.startswith("optuna-"):
        attrs = [t.user_attrs for t in search.study_.trials]
        per_trial = [
            a.get("mean_fit_time", 0.0) + a.get("mean_score_time", 0.0) for a in attrs
        ]
    else:
        results = search.cv_results_
        per_trial = np.asarray(results["mean_fit_time"]) + results["mean_score_time"]
    return float(np.nansum(per_trial) * CV_FOLDS)


def best_prefix(scores: list[float], k: int) -> int:
    """Index of the best score among the first ``k`` (NaN never best; first on ties)."""
    head = np.asarray(scores[:k], dtype=float)
    head = np.where(np.isnan(head), -np.inf, head)
    return int(np.argmax(head))


def test_score(task: Task, method: str, params: dict[str, Any], data: Any) -> float:
    X_train, X_test, y_train, y_test = data
    base = (
        flat_estimator(task)
        if method in ("optuna-tpe", "optuna-gp", "bayes")
        else (task.estimator())
    )
    estimator = clone(base.set_params(**params))
    estimator.fit(X_train, y_train)
    return float(get_scorer(task.scoring)(estimator, X_test, y_test))


def run_one(
    method: str,
    task_name: str,
    seed: int,
    n_trials: int,
    n_jobs: int,
    checkpoints: tuple[int, ...] = CHECKPOINTS,
) -> dict:
    """Fit one search, score its checkpoints (runs in a worker process)."""
    warnings.filterwarnings("ignore")
    os.environ["PYTHONWARNINGS"] = "ignore"  # loky workers inherit it
    one_torch_thread()
    task = TASKS[task_name]
    data = task.data(seed)
    X_train, _, y_train, _ = data
    timer = _AskTimer()
    if method.startswith("scout-"):
        timer.install()
    with threadpool_limits(limits=1):
        search = make_search(method, task, seed, n_trials, n_jobs, y_train)
        start, cpu = time.perf_counter(), time.process_time()
        search.fit(X_train, y_train)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        record: dict[str, Any] = {
            "method": method,
            "task": task_name,
            "task_key": task.key(),
            "seed": seed,
            "n_trials": n_trials,
            "n_jobs": n_jobs,
            "wall": wall,
            "cpu": cpu,
            "ask_seconds": timer.seconds if timer.calls else None,
            "versions": versions(method),
        }
        if method == "halving":
            record.update(_halving_record(task, search, data, n_trials, n_jobs, seed))
            return record
        trials = trials_in_order(method, search)
        scores = [s for _, s in trials]
        record["fold_seconds"] = fold_seconds(method, search)
        record["cv"] = scores
        record["fits"] = len(scores) * CV_FOLDS
        record["checkpoints"] = {}
        points = (len(scores),) if method == "grid" else checkpoints
        for k in points:
            if k > len(scores):
                continue
            index = best_prefix(scores, k)
            params = trials[index][0]
            record["checkpoints"][str(k)] = {
                "cv": scores[index],
                "test": test_score(task, method, params, data),
            }
    return record


def _halving_record(
    task: Task, search: Any, data: Any, n_trials: int, n_jobs: int, seed: int
) -> dict[str, Any]:
    # best_score_ is measured on the last iteration's subsample: re-score its
    # best params with the same 3-fold CV on the whole training part.
    X_train, _, y_train, _ = data
    estimator = clone(task.estimator().set_params(**search.best_params_))
    scores = cross_validate(
        estimator, X_train, y_train, cv=task.cv(seed), scoring=task.scoring, n_jobs=n_jobs
    )
    cv = float(np.mean(scores["test_score"]))
    return {
        "fits": int(sum(search.n_candidates_)) * CV_FOLDS,
        "n_candidates": int(search.n_candidates_[0]),
        "checkpoints": {
            str(n_trials): {
                "cv": cv,
                "test": test_score(task, "halving", search.best_params_, data),
            }
        },
    }


def versions(method: str) -> dict[str, str]:
    out = {
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
    }
    if method.startswith("optuna-"):
        import optuna

        out["optuna"] = optuna.__version__
    if method == "bayes":
        import skopt

        out["skopt"] = skopt.__version__
    if method.startswith("scout-"):
        import scout_sklearn

        out["scout_sklearn"] = getattr(scout_sklearn, "__version__", "dev")
    return out


# -- the plan ------------------------------------------------------------------------
def plan_ours(
    tasks: list[str],
    seeds: list[int],
    candidates: Iterable[str],
    others: Iterable[str],
    parallel: bool,
) -> list[tuple[str, str, int, int, int]]:
    budget = max(CHECKPOINTS)
    candidates = list(candidates)
    if "scout-auto" in candidates and "scout-gp" in candidates and budget <= GP_SWITCH:
        # Below the switch the default is the GPSampler trial for trial (a test
        # in tests/samplers/test_auto.py holds it): one run stands for both.
        candidates.remove("scout-gp")
    runs = [(m, t, s, budget, 1) for m in candidates for t in tasks for s in seeds]
    runs += [(m, t, s, MAIN_BUDGET, 1) for m in others for t in tasks for s in seeds]
    if parallel and "scout-auto" in candidates:
        runs += [("scout-auto", t, s, PARALLEL_BUDGET, 4) for t in tasks for s in seeds]
    return runs


def plan_peers(
    tasks: list[str], seeds: list[int], peers: list[str], parallel: bool
) -> list[tuple[str, str, int, int, int]]:
    budget = max(CHECKPOINTS)
    runs = []
    for t in tasks:
        for s in seeds:
            for m in peers:
                if m == "halving":
                    runs += [(m, t, s, k, 1) for k in CHECKPOINTS]
                else:
                    runs.append((m, t, s, budget, 1))
                if parallel and m in PARALLEL_METHODS:
                    runs.append((m, t, s, PARALLEL_BUDGET, 4))
            if TASKS[t].grid is not None:
                runs.append(("grid", t, s, 0, 1))
    return runs


def load_store() -> dict[tuple, dict]:
    store: dict[tuple, dict] = {}
    if STORE.exists():
        for line in STORE.read_text().splitlines():
            if line.strip():
                r = json.loads(line)
                store[r["method"], r["task"], r["seed"], r["n_trials"], r["n_jobs"]] = r
    return store


def run_all(runs: list[tuple], jobs: int, store_to: Path | None) -> list[dict]:
    """Run ``runs`` in a pool of ``jobs`` processes, slowest kinds first."""
    cost = {"optuna-gp": 6, "bayes": 8, "scout-gp": 2, "scout-auto": 2}
    runs = sorted(runs, key=lambda r: -cost.get(r[0], 1) * max(r[3], 30))
    results = []
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(run_one, *run): run for run in runs}
        for k, future in enumerate(as_completed(futures), 1):
            run = futures[future]
            try:
                r = future.result()
            except Exception as err:  # noqa: BLE001 (report the failing search, go on)
                print(f"  FAILED {run}: {type(err).__name__}: {err}", flush=True)
                continue
            results.append(r)
            if store_to is not None:
                with store_to.open("a") as f:
                    f.write(json.dumps(r) + "\n")
            last = r["checkpoints"][max(r["checkpoints"], key=int)]
            print(
                f"  [{time.perf_counter() - start:7.0f}s {k}/{len(runs)}] {r['method']:<16}"
                f"{r['task']:<20} seed {r['seed']} n={r['n_trials']:<3} "
                f"jobs={r['n_jobs']}: "
                f"CV {last['cv']:.5g}, test {last['test']:.5g}, {r['wall']:.1f}s",
                flush=True,
            )
    return results


def same_as_default(ours: list[dict], names: list[str]) -> list[dict]:
    """The scout-gp records of a run that ran the default only (see plan_ours)."""
    if "scout-gp" not in names or any(r["method"] == "scout-gp" for r in ours):
        return []
    return [
        {**r, "method": "scout-gp", "same_as": "scout-auto"}
        for r in ours
        if r["method"] == "scout-auto" and r["n_jobs"] == 1 and r["n_trials"] <= GP_SWITCH
    ]


# -- the report --------------------------------------------------------------------------
class Results:
    """Every record of a run, looked up by (method, task, seed, budget, n_jobs)."""

    def __init__(self, records: Iterable[dict]) -> None:
        self.by_key: dict[tuple, dict] = {}
        for r in records:
            self.by_key[r["method"], r["task"], r["seed"], r["n_trials"], r["n_jobs"]] = r

    def at(self, method: str, task: str, seed: int, k: int, n_jobs: int = 1) -> dict | None:
        """The checkpoint of ``method`` at ``k`` trials (a halving run of budget k)."""
        if method == "halving":
            r = self.by_key.get((method, task, seed, k, 1))
        else:
            r = None
            for budget in sorted(
                {
                    b
                    for (m, t, s, b, j) in self.by_key
                    if (m, t, s, j) == (method, task, seed, n_jobs)
                }
            ):
                if budget >= k:
                    r = self.by_key[method, task, seed, budget, n_jobs]
                    break
        if r is None:
            return None
        return r["checkpoints"].get(str(k))

    def record(self, method: str, task: str, seed: int, n_jobs: int = 1) -> dict | None:
        found = [
            r
            for (m, t, s, b, j), r in self.by_key.items()
            if (m, t, s, j) == (method, task, seed, n_jobs)
        ]
        return max(found, key=lambda r: r["n_trials"]) if found else None


def mean_ranks(
    res: Results,
    methods: list[str],
    tasks: list[str],
    seeds: list[int],
    k: int,
    n_jobs: dict[str, int] | None = None,
) -> dict[str, float]:
    """Mean rank by best CV at ``k`` trials, over the (task, seed) pairs of every method."""
    n_jobs = n_jobs or {}
    ranks: dict[str, list[float]] = {m: [] for m in methods}
    for task in tasks:
        for seed in seeds:
            points = [res.at(m, task, seed, k, n_jobs.get(m, 1)) for m in methods]
            if any(p is None for p in points):
                continue
            scores = np.array([p["cv"] for p in points], dtype=float)
            scores = np.where(np.isnan(scores), -np.inf, scores)
            for m, r in zip(methods, rankdata(-scores)):
                ranks[m].append(float(r))
    return {m: float(np.mean(v)) if v else math.nan for m, v in ranks.items()}


def print_ranks(title: str, ranks: dict[str, float]) -> None:
    print(f"\n{title}")
    for m in sorted(ranks, key=lambda m: (math.isnan(ranks[m]), ranks[m])):
        print(f"  {m:<18}{ranks[m]:>7.2f}")


def median(values: Iterable[float]) -> float:
    values = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def report(
    res: Results, ours: list[str], peers: list[str], tasks: list[str], seeds: list[int]
) -> list[tuple[str, str, bool | None]]:
    methods = ours + peers
    width = max(len(m) for m in methods) + 2
    # 1. per task
    print(
        f"\n== 1. Per task at {MAIN_BUDGET} trials: median best CV and held-out test, "
        f"mean rank (over {len(seeds)} seeds)"
    )
    for task in tasks:
        t = TASKS[task]
        print(f"\n{task} [{t.half}] ({t.scoring}; {t.n_params()} params): {t.description}")
        ranks = mean_ranks(res, methods, [task], seeds, MAIN_BUDGET)
        for m in methods:
            points = [res.at(m, task, s, MAIN_BUDGET) for s in seeds]
            points = [p for p in points if p]
            if not points:
                continue
            print(
                f"  {m:<{width}}{median(p['cv'] for p in points):>12.6g}"
                f"{median(p['test'] for p in points):>12.6g}{ranks[m]:>7.2f}"
            )
    # 2. whole suite and halves
    whole = mean_ranks(res, methods, tasks, seeds, MAIN_BUDGET)
    print_ranks(
        f"== 2. Mean rank at {MAIN_BUDGET} trials, whole suite ({len(tasks)} tasks x "
        f"{len(seeds)} seeds; 1 = best of {len(methods)})",
        whole,
    )
    halves = {h: [t for t in tasks if TASKS[t].half == h] for h in HALVES}
    for h, names in halves.items():
        if names:
            print_ranks(
                f"   half {h} ({', '.join(names)})",
                mean_ranks(res, methods, names, seeds, MAIN_BUDGET),
            )
    targets: list[tuple[str, str, bool | None]] = []
    if "scout-auto" in whole:
        best_other = min((m for m in methods if m != "scout-auto"), key=whole.get)
        targets.append(
            (
                "default first by mean rank at 40 (whole suite)",
                f"{whole['scout-auto']:.2f} vs {best_other} {whole[best_other]:.2f}",
                whole["scout-auto"] <= whole[best_other],
            )
        )
    # 3. honest selection
    if {"scout-gp", "scout-tpe"} <= set(ours) and all(halves.values()):
        targets += honest_selection(res, methods, halves, seeds)
    # 4. anytime and n_jobs=4
    print(
        "\n== 4. Anytime: mean rank at each budget (the default, its candidate rules, "
        "the "
        "peers)"
    )
    anytime = [m for m in methods if m in CANDIDATES or m in peers]
    print("  " + f"{'method':<{width}}" + "".join(f"{k:>8}" for k in CHECKPOINTS))
    table = {k: mean_ranks(res, anytime, tasks, seeds, k) for k in CHECKPOINTS}
    for m in anytime:
        print("  " + f"{m:<{width}}" + "".join(f"{table[k][m]:>8.2f}" for k in CHECKPOINTS))
    if "scout-auto" in anytime:
        for k in (20, 40, 80):
            others = [m for m in anytime if m not in CANDIDATES]
            if not others:
                continue
            best_peer = min(others, key=table[k].get)
            targets.append(
                (
                    f"default first against the peers at {k} trials",
                    f"{table[k]['scout-auto']:.2f} vs {best_peer} "
                    f"{table[k][best_peer]:.2f}",
                    table[k]["scout-auto"] <= table[k][best_peer],
                )
            )
    parallel = [m for m in ["scout-auto", *peers]]
    jobs = {m: (4 if m in PARALLEL_METHODS else 1) for m in parallel}
    at4 = mean_ranks(res, parallel, tasks, seeds, PARALLEL_BUDGET, jobs)
    if not math.isnan(at4.get("scout-auto", math.nan)):
        print_ranks(
            f"   at n_jobs=4, {PARALLEL_BUDGET} trials (the default and Optuna at "
            f"n_jobs=4; {', '.join(SAME_AT_ANY_N_JOBS)} run the same trials at any "
            "n_jobs)",
            at4,
        )
        place = 1 + sum(at4[m] < at4["scout-auto"] for m in parallel if m != "scout-auto")
        targets.append(
            (
                "default at n_jobs=4 no worse than second",
                f"place {place} ({at4['scout-auto']:.2f})",
                place <= 2,
            )
        )
    # 5. held-out test against Optuna's TPE
    if "scout-auto" in methods and "optuna-tpe" in methods:
        print(
            f"\n== 5. Median held-out test score at {MAIN_BUDGET} trials: default vs "
            "Optuna TPE"
        )
        wins = 0
        counted = 0
        for task in tasks:
            ours_t = median(
                p["test"]
                for s in seeds
                if (p := res.at("scout-auto", task, s, MAIN_BUDGET))
            )
            theirs = median(
                p["test"]
                for s in seeds
                if (p := res.at("optuna-tpe", task, s, MAIN_BUDGET))
            )
            if math.isnan(ours_t) or math.isnan(theirs):
                continue
            counted += 1
            wins += ours_t >= theirs
            print(
                f"  {task:<22}{ours_t:>12.6g}{theirs:>12.6g}  "
                f"{'>=' if ours_t >= theirs else '<'}"
            )
        if counted:
            targets.append(
                (
                    "default's median test >= Optuna TPE's on 3 of 4 tasks",
                    f"{wins} of {counted}",
                    wins >= 0.75 * counted,
                )
            )
    # 6. time to GridSearchCV's answer
    gridded = [t for t in tasks if TASKS[t].grid is not None]
    if gridded:
        print(
            "\n== 6. Trials until the best CV score reaches GridSearchCV's (median over "
            "seeds; '>80' never within 80)"
        )
        who = [
            m
            for m in (
                "scout-auto",
                "optuna-tpe",
                "random",
                "scout-gp",
                "scout-tpe",
                "optuna-gp",
                "bayes",
            )
            if m in methods
        ]
        print("  " + f"{'task':<22}{'grid':>6}" + "".join(f"{m:>12}" for m in who))
        passed = 0
        counted = 0
        for task in gridded:
            needs = {m: [] for m in who}
            n_grid = None
            for seed in seeds:
                g = res.record("grid", task, seed)
                if g is None:
                    continue
                n_grid = len(g["cv"])
                target = np.nanmax(g["cv"])
                for m in who:
                    r = res.record(m, task, seed)
                    if r is None:
                        continue
                    reached = [i + 1 for i, v in enumerate(r["cv"]) if v >= target - 1e-12]
                    needs[m].append(reached[0] if reached else math.inf)
            if n_grid is None:
                continue
            cells = []
            for m in who:
                if needs[m]:
                    v = statistics.median(needs[m])
                    cells.append(f"{'>80' if math.isinf(v) else f'{v:.0f}':>12}")
                else:
                    cells.append(f"{'-':>12}")
            print("  " + f"{task:<22}{n_grid:>6}" + "".join(cells))
            if needs.get("scout-auto"):
                counted += 1
                passed += statistics.median(needs["scout-auto"]) <= n_grid / 4
        if counted:
            targets.append(
                (
                    "default reaches grid's best in <= 1/4 of its fits on 70% of "
                    "gridded tasks",
                    f"{passed} of {counted}",
                    passed >= 0.7 * counted,
                )
            )
    # 7. sampler time
    print(
        "\n== 7. The sampler's own seconds as a share of fold fit+score seconds (median "
        "over seeds; ms per ask)"
    )
    shares_ok = True
    for m in [m for m in ours]:
        cells = []
        worst = 0.0
        for task in tasks:
            rs = [res.record(m, task, s) for s in seeds]
            rs = [r for r in rs if r and r.get("ask_seconds") is not None]
            if not rs:
                continue
            share = median(r["ask_seconds"] / r["fold_seconds"] for r in rs)
            worst = max(worst, share)
            cells.append(f"{task} {100 * share:.1f}%")
        print(f"  {m:<{width}}worst {100 * worst:.1f}%: " + ", ".join(cells))
        if m == "scout-auto":
            shares_ok = worst < 0.05
            targets.append(
                (
                    "default's sampler time < 5% of fit time on every task",
                    f"worst {100 * worst:.1f}%",
                    shares_ok,
                )
            )
    return targets


# -- choosing the default's rule on one half, judging it on the other --------------------
@dataclass(frozen=True)
class Rule:
    """A rule the default could follow: the GP on some spaces, TPE on the others."""

    max_dims: float  # the GP on sub-spaces of at most this many parameters
    categorical: bool  # ... with categorical parameters too
    conditional: bool  # ... and on conditional spaces

    @property
    def name(self) -> str:
        if self.max_dims == 0:
            return "TPE always"
        dims = "any size" if math.isinf(self.max_dims) else f"<= {self.max_dims:g} params"
        kinds = [
            k
            for k, ok in (
                ("categorical", self.categorical),
                ("conditional", self.conditional),
            )
            if ok
        ]
        return f"GP on {dims}" + (
            f" incl. {' & '.join(kinds)}" if kinds else ", numeric only"
        )

    def pick(self, task: Task) -> str:
        p = space_profile(task)
        uses_gp = (
            p["max_dims"] <= self.max_dims
            and (self.categorical or p["categorical"] == 0)
            and (self.conditional or p["subspaces"] == 1)
        )
        return "scout-gp" if uses_gp else "scout-tpe"


def rule_family() -> list[Rule]:
    rules = [Rule(0, False, False)]
    for dims in (2, 4, 6, 8, 12, 16, math.inf):
        for categorical in (False, True):
            for conditional in (False, True):
                rules.append(Rule(dims, categorical, conditional))
    return rules


def space_profile(task: Task) -> dict[str, int]:
    """Sub-spaces, the most parameters in one, and the categorical ones (2+ choices)."""
    from scout_sklearn import Categorical, SearchSpace

    space = SearchSpace.from_user(scout_space(task))
    searched = [
        [
            n
            for n in sub.names
            if sub[n].is_finite is False
            or not (isinstance(sub[n], Categorical) and sub[n].n_values() < 2)
        ]
        for sub in space
    ]
    categorical = sum(
        isinstance(sub[n], Categorical) and sub[n].n_values() >= 2
        for sub in space
        for n in sub.names
    )
    return {
        "subspaces": len(space),
        "max_dims": max(len(s) for s in searched),
        "categorical": categorical,
    }


def honest_selection(
    res: Results, methods: list[str], halves: dict[str, list[str]], seeds: list[int]
) -> list[tuple[str, str, bool | None]]:
    """Choose the default's rule on one half, report it on the other, both ways.

    A rule's result on a task is the run of the sampler it picks there (runs
    at ``n_jobs=1`` are deterministic: the same sampler, seed and data give
    the same trials), ranked against every method that is not a candidate
    (the peers and our other samplers).
    """
    field = [m for m in methods if m not in CANDIDATES]
    rules = rule_family()
    seen: dict[tuple[str, ...], Rule] = {}
    every_task = [t for h in halves.values() for t in h]
    for rule in rules:  # rules that pick the same samplers everywhere are one candidate
        seen.setdefault(tuple(rule.pick(TASKS[t]) for t in every_task), rule)
    rules = list(seen.values())
    for rule in rules:
        for (m, t, s, b, j), r in list(res.by_key.items()):
            if m == rule.pick(TASKS[t]) and j == 1:
                res.by_key[f"rule: {rule.name}", t, s, b, j] = {**r, "method": rule.name}
    print(
        f"\n== 3. Choosing the default's rule on one half, judging it on the other: "
        f"{len(rules)} distinct rules (which sampler, GP or TPE, for which spaces), each "
        f"ranked against {', '.join(field)}"
    )
    targets = []
    for chooser, judge in (("A", "B"), ("B", "A")):
        score = {}
        for rule in rules:
            name = f"rule: {rule.name}"
            score[name] = (
                mean_ranks(res, [*field, name], halves[chooser], seeds, MAIN_BUDGET)[name],
                mean_ranks(res, [*field, name], halves[judge], seeds, MAIN_BUDGET),
            )
        chosen = min(score, key=lambda n: score[n][0])
        on_judge = score[chosen][1]
        best_other = min(field, key=on_judge.get)
        print(
            f"  chosen on half {chooser}: {chosen} (mean rank {score[chosen][0]:.2f} there)"
        )
        for name in sorted(score, key=lambda n: score[n][0])[:5]:
            print(
                f"      {name:<55}{score[name][0]:>6.2f} on {chooser}"
                f"{score[name][1][name]:>8.2f} on {judge}"
            )
        print(
            f"  on half {judge}, which did not choose: {on_judge[chosen]:.2f}; best of the "
            f"others there: {best_other} {on_judge[best_other]:.2f}"
        )
        targets.append(
            (
                f"rule chosen on {chooser} first on {judge}",
                f"{on_judge[chosen]:.2f} vs {best_other} {on_judge[best_other]:.2f}",
                on_judge[chosen] <= on_judge[best_other],
            )
        )
    return targets


def print_targets(targets: list[tuple[str, str, bool | None]]) -> None:
    print("\nTargets")
    width = max((len(t[0]) for t in targets), default=10) + 2
    for label, measured, ok in targets:
        print(f"  {label:<{width}}{measured:<40}{'n/a' if ok is None else verdict(ok)}")


# -- main ----------------------------------------------------------------------------------
def parse_list(text: str, allowed: Iterable[str], what: str) -> list[str]:
    allowed = tuple(allowed)
    if text.strip().lower() == "none":
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        sys.exit(f"Unknown {what} {unknown}; choose among {', '.join(allowed)} or 'none'.")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ours", default=",".join(CANDIDATES + OTHERS))
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--tasks", default=None)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2, help="searches at once (default 2)")
    parser.add_argument(
        "--measure-peers",
        action="store_true",
        help="measure the peers' results missing from the store first",
    )
    parser.add_argument(
        "--peers-only",
        action="store_true",
        help="with --measure-peers: stop after measuring the peers",
    )
    parser.add_argument("--no-parallel", action="store_true", help="skip the n_jobs=4 runs")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="6 tasks, 2 seeds, scout-auto and scout-tpe, no n_jobs=4",
    )
    parser.add_argument(
        "--save", default=None, help="also write our results as JSON lines to this file"
    )
    parser.add_argument(
        "--load",
        default=None,
        help="report from our results saved by --save, without running",
    )
    args = parser.parse_args()
    tasks = parse_list(args.tasks, TASKS, "tasks") if args.tasks else list(TASKS)
    ours_names = parse_list(args.ours, CANDIDATES + OTHERS, "samplers")
    peers = parse_list(args.peers, PEERS, "peers")
    seeds = list(range(args.seeds))
    parallel = not args.no_parallel
    if args.quick:
        tasks = [t for t in QUICK_TASKS if t in tasks] if not args.tasks else tasks
        seeds = list(range(min(args.seeds, 2)))
        ours_names = [m for m in ours_names if m in ("scout-auto", "scout-tpe")]
        parallel = False
    print(
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, numpy "
        f"{np.__version__}; {os.cpu_count()} CPUs; load average "
        f"{os.getloadavg()[0]:.2f}; {args.jobs} searches at once"
    )
    if peers:
        needed = {}
        if any(p.startswith("optuna-") for p in peers):
            needed.update({"optuna": "optuna", "optuna_integration": "optuna-integration"})
        if "optuna-gp" in peers:
            needed["torch"] = "torch"
        if "bayes" in peers:
            needed["skopt"] = "scikit-optimize"
        require_modules("tasks.py", needed)
    store = load_store()
    keys = {t: TASKS[t].key() for t in tasks}
    peer_runs = plan_peers(tasks, seeds, peers, parallel)
    stored = [
        store[r] for r in peer_runs if r in store and store[r]["task_key"] == keys[r[1]]
    ]
    missing = [r for r in peer_runs if r not in store or store[r]["task_key"] != keys[r[1]]]
    print(f"Peers: {len(stored)} results from {STORE.name}, {len(missing)} missing")
    if missing and args.measure_peers:
        STORE.parent.mkdir(exist_ok=True)
        print(f"Measuring {len(missing)} peer searches:", flush=True)
        stored += run_all(missing, args.jobs, STORE)
        if args.peers_only:
            return
    elif missing:
        print("  (run with --measure-peers to measure them; the report leaves them out)")
    if args.load:
        ours = [
            json.loads(line) for line in Path(args.load).read_text().splitlines() if line
        ]
    else:
        runs = plan_ours(
            tasks,
            seeds,
            [m for m in ours_names if m in CANDIDATES],
            [m for m in ours_names if m in OTHERS],
            parallel,
        )
        print(f"Ours: {len(runs)} searches", flush=True)
        start = time.perf_counter()
        save = Path(args.save) if args.save else None
        ours = run_all(runs, args.jobs, save)
        print(f"Our searches took {(time.perf_counter() - start) / 60:.1f} min")
    ours += same_as_default(ours, ours_names)
    res = Results([*stored, *ours])
    present_peers = [p for p in peers if any(r["method"] == p for r in stored)]
    targets = report(res, ours_names, present_peers, tasks, seeds)
    print_targets(targets)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
