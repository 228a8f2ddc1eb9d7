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
import sys
import time
import warnings
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from _common import one_torch_thread, require_modules
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import cross_validate
from spaces import flat_estimator, optuna_space, scipy_space, scout_space, skopt_space
from suite import CV_FOLDS, TASKS, Task
from tasks_report import (
    CANDIDATES,
    CHECKPOINTS,
    MAIN_BUDGET,
    OTHERS,
    PARALLEL_BUDGET,
    PARALLEL_METHODS,
    PEERS,
    Results,
    print_targets,
    report,
)
from threadpoolctl import threadpool_limits

from scout_sklearn.samplers import AutoSampler

STORE = Path(__file__).parent / "results" / "peers.jsonl"
GP_SWITCH = AutoSampler().max_gp_trials  # the default is the GP until then
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
    try:
        return _run_one(method, task_name, seed, n_trials, n_jobs, checkpoints)
    finally:
        if n_jobs != 1:
            # Stop joblib's worker processes now: left idle, they outlived
            # the pool's worker, which then waited at exit for their idle
            # timeout (the script sat about 5 minutes after its last search).
            from joblib.externals.loky import get_reusable_executor

            get_reusable_executor().shutdown(wait=True)


def _run_one(
    method: str,
    task_name: str,
    seed: int,
    n_trials: int,
    n_jobs: int,
    checkpoints: tuple[int, ...],
) -> dict:
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
        help="stop after the peers (measured first with --measure-peers)",
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
    elif missing:
        print("  (run with --measure-peers to measure them; the report leaves them out)")
    if args.peers_only:
        return  # even when no peer was missing: never start our searches
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
