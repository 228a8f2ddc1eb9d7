"""Tune three scikit-learn models with ScoutSearchCV and with its peers.

Run it from the repository root with the benchmark environment, which has the
peers installed::

    python benchmarks/tasks.py                   # 3 tasks x 5 seeds x 40 trials
    python benchmarks/tasks.py --quick           # svc_digits, enet_diabetes; 2 seeds x 15
    python benchmarks/tasks.py --samplers tpe,auto

Tasks, on datasets bundled with scikit-learn (held-out test set:
``train_test_split(test_size=0.25, random_state=seed)``, stratified for the
classifiers; the search sees only the training part):

- ``svc_digits``: SVC(kernel="rbf") on load_digits, accuracy;
  C log-uniform 1e-3..1e3, gamma log-uniform 1e-5..1.
- ``hgb_breast``: HistGradientBoostingClassifier(random_state=0) on
  load_breast_cancer, roc_auc; learning_rate log 1e-3..1, max_leaf_nodes
  4..64, min_samples_leaf 2..64, l2_regularization log 1e-6..10, max_iter
  20..300.
- ``enet_diabetes``: make_pipeline(StandardScaler(), ElasticNet(max_iter=5000))
  on load_diabetes, neg_mean_squared_error; alpha log 1e-4..10, l1_ratio 0..1.

Every search uses the same budget (40 trials; ``--trials``), ``cv=3`` (a
3-fold split that is identical for every method; the product owner's
numbers may have used 5 folds, which costs 5/3 as much), refits the best
params, and is seeded with the run's seed. Methods: ScoutSearchCV with each
of our samplers and with the default (``sampler=None, n_trials=40``, shown
as ``scout-auto``), RandomizedSearchCV (``n_iter=40``), HalvingRandomSearchCV
(``factor=3``, ``min_resources="exhaust"``, ``resource="n_samples"``), with
the largest ``n_candidates`` whose schedule costs at most 40 trials, counted
so that its CPU time comes close to the others' (``--halving-budget``): in
training samples for svc_digits (297 candidates; an SVC fit gets much
cheaper on a smaller sample), in candidate fits summed over iterations for
hgb_breast and enet_diabetes (27 candidates, then 9, 3, 1; a boosting or
ElasticNet fit hardly gets cheaper on a smaller sample, and counting samples
there gave it 351-544 candidates and about 6x the others' time on
hgb_breast), OptunaSearchCV (its default TPESampler, and a GPSampler study) and
skopt's BayesSearchCV (``n_iter=40``) where it imports and runs.

Parallelism: every search runs with ``n_jobs=1`` (``--n-jobs``) and two
searches run at once in a process pool (``--jobs``); BLAS/OpenMP and torch
use one thread per process, so two processes keep two cores busy. The same
settings apply to every method.

Printed per task: median best CV score (HalvingRandomSearchCV's own
``best_score_`` is measured on a subsample, so its best params are
re-scored with the same 3-fold CV on the whole training set), median
held-out test score of the refitted best estimator, median wall and CPU
seconds of ``fit`` and median "overhead" seconds (wall minus the time spent
fitting and scoring folds and refitting, i.e. what the search library itself
costs). Then the mean rank by best CV score (1 = best; per task and seed,
ties averaged) and PASS/FAIL for the targets. Before running, the script
times a few fits of each task (CPU time, so the figure holds on a shared
machine) and prints an estimate of this run's and of the full run's duration
on 2 idle cores; at the end it compares the CPU the searches really used
with that estimate and rescales the full-run figure.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from _common import one_torch_thread, require_modules, verdict
from scipy.stats import loguniform, randint, rankdata, uniform
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import ElasticNet
from sklearn.metrics import get_scorer
from sklearn.model_selection import cross_validate, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

OURS = ("tpe", "gp", "cmaes", "qmc", "annealing", "random", "auto")
PEERS = ("random", "halving", "optuna-tpe", "optuna-gp", "bayes")
CV = 3
FULL = {"seeds": 5, "trials": 40, "tasks": ("svc_digits", "hgb_breast", "enet_diabetes")}
QUICK = {"seeds": 2, "trials": 15, "tasks": ("svc_digits", "enet_diabetes")}
# Rough CPU seconds a search spends per trial on top of the fits, for the
# estimate printed before a run (GP-based samplers fit a model at every ask;
# seen at 40 trials on hgb_breast; ours is a guess until measured).
SAMPLER_SECONDS = {"scout-gp": 1.0, "optuna-gp": 1.0, "bayes": 1.5}
N_CALIBRATION = 10


# -- tasks --------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "float" or "int"
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class Task:
    name: str
    load: Callable[..., Any]
    estimator: Callable[[], Any]
    scoring: str
    params: tuple[Param, ...]
    # What HalvingRandomSearchCV's budget counts by default: chosen so that its
    # CPU time is close to the other methods' (see the module docstring).
    halving_budget: str = "fits"

    def data(self, seed: int) -> tuple[Any, Any, Any, Any]:
        X, y = self.load(return_X_y=True)
        stratify = y if is_classifier(self.estimator()) else None
        split = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)
        return split[0], split[1], split[2], split[3]


def enet() -> Any:
    return make_pipeline(StandardScaler(), ElasticNet(max_iter=5000))


TASKS = {
    t.name: t
    for t in (
        Task(
            "svc_digits",
            load_digits,
            lambda: SVC(kernel="rbf"),
            "accuracy",
            (
                Param("C", "float", 1e-3, 1e3, True),
                Param("gamma", "float", 1e-5, 1.0, True),
            ),
            halving_budget="samples",
        ),
        Task(
            "hgb_breast",
            load_breast_cancer,
            lambda: HistGradientBoostingClassifier(random_state=0),
            "roc_auc",
            (
                Param("learning_rate", "float", 1e-3, 1.0, True),
                Param("max_leaf_nodes", "int", 4, 64),
                Param("min_samples_leaf", "int", 2, 64),
                Param("l2_regularization", "float", 1e-6, 10.0, True),
                Param("max_iter", "int", 20, 300),
            ),
        ),
        Task(
            "enet_diabetes",
            load_diabetes,
            enet,
            "neg_mean_squared_error",
            (
                Param("elasticnet__alpha", "float", 1e-4, 10.0, True),
                Param("elasticnet__l1_ratio", "float", 0.0, 1.0),
            ),
        ),
    )
}


# -- the spaces, in each library's own terms ----------------------------------
def scout_space(task: Task) -> dict[str, Any]:
    from scout_sklearn import Float, Int

    return {
        p.name: (Float if p.kind == "float" else Int)(p.low, p.high, log=p.log)
        for p in task.params
    }


def scipy_space(task: Task) -> dict[str, Any]:
    space: dict[str, Any] = {}
    for p in task.params:
        if p.kind == "int":
            space[p.name] = randint(int(p.low), int(p.high) + 1)
        elif p.log:
            space[p.name] = loguniform(p.low, p.high)
        else:
            space[p.name] = uniform(p.low, p.high - p.low)
    return space


def optuna_space(task: Task) -> dict[str, Any]:
    from optuna.distributions import FloatDistribution, IntDistribution

    return {
        p.name: (
            FloatDistribution(p.low, p.high, log=p.log)
            if p.kind == "float"
            else IntDistribution(int(p.low), int(p.high), log=p.log)
        )
        for p in task.params
    }


def skopt_space(task: Task) -> dict[str, Any]:
    from skopt.space import Integer, Real

    prior = {True: "log-uniform", False: "uniform"}
    return {
        p.name: (
            Real(p.low, p.high, prior=prior[p.log])
            if p.kind == "float"
            else Integer(int(p.low), int(p.high), prior=prior[p.log])
        )
        for p in task.params
    }


# -- HalvingRandomSearchCV's budget ---------------------------------------------
def halving_schedule(
    n_candidates: int, n_samples: int, min_floor: int, factor: int = 3
) -> list[tuple[int, int]]:
    """(candidates, samples) per iteration, as HalvingRandomSearchCV plans them.

    Mirrors scikit-learn's rules for ``resource="n_samples"`` and
    ``min_resources="exhaust"``: the first iteration uses as many samples as
    lets the last required iteration fit in ``n_samples``, but at least
    ``min_floor`` (2 x n_splits, times the number of classes for a
    classifier).
    """
    required = 1 + math.floor(math.log(n_candidates, factor) + 1e-9)
    min_resources = max(min_floor, n_samples // factor ** (required - 1))
    possible = 1 + math.floor(math.log(n_samples // min_resources, factor) + 1e-9)
    schedule = []
    for i in range(min(required, possible)):
        schedule.append((n_candidates, min(min_resources * factor**i, n_samples)))
        n_candidates = math.ceil(n_candidates / factor)
    return schedule


def halving_cost(schedule: list[tuple[int, int]], n_samples: int, budget: str) -> float:
    """Cost in trials: fits of (candidate, iteration) pairs, or training samples."""
    if budget == "fits":
        return float(sum(c for c, _ in schedule))
    return sum(c * r for c, r in schedule) / n_samples


def halving_candidates(n_trials: int, n_samples: int, min_floor: int, budget: str) -> int:
    """The largest n_candidates whose schedule costs at most ``n_trials`` trials."""
    best = 1
    for n in range(1, 30 * n_trials):
        schedule = halving_schedule(n, n_samples, min_floor)
        if halving_cost(schedule, n_samples, budget) <= n_trials:
            best = n
    return best


def halving_floor(task: Task, y: Any) -> int:
    classes = len(np.unique(y)) if is_classifier(task.estimator()) else 1
    return 2 * CV * classes


# -- one search ---------------------------------------------------------------
@dataclass
class RunResult:
    method: str
    task: str
    seed: int
    cv_score: float
    test_score: float
    wall: float
    cpu: float
    overhead: float
    note: str = ""


def make_search(
    method: str, task: Task, seed: int, n_trials: int, n_jobs: int, y: Any, budget: str
) -> Any:
    common = {"cv": CV, "scoring": task.scoring, "n_jobs": n_jobs}
    estimator = task.estimator()
    if method.startswith("scout-"):
        from scout_sklearn import ScoutSearchCV

        name = method.removeprefix("scout-")
        return ScoutSearchCV(
            estimator,
            scout_space(task),
            sampler=None if name == "auto" else name,
            n_trials=n_trials,
            random_state=seed,
            **common,
        )
    if method == "random":
        from sklearn.model_selection import RandomizedSearchCV

        return RandomizedSearchCV(
            estimator, scipy_space(task), n_iter=n_trials, random_state=seed, **common
        )
    if method == "halving":
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        budget = budget if budget != "auto" else task.halving_budget
        n_candidates = halving_candidates(n_trials, len(y), halving_floor(task, y), budget)
        return HalvingRandomSearchCV(
            estimator,
            scipy_space(task),
            n_candidates=n_candidates,
            factor=3,
            resource="n_samples",
            min_resources="exhaust",
            random_state=seed,
            **common,
        )
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
            estimator,
            optuna_space(task),
            n_trials=n_trials,
            random_state=seed,
            study=study,
            **common,
        )
    if method == "bayes":
        from skopt import BayesSearchCV

        return BayesSearchCV(
            estimator, skopt_space(task), n_iter=n_trials, random_state=seed, **common
        )
    raise ValueError(f"unknown method {method!r}")


def fold_seconds(search: Any) -> float:
    """Seconds spent fitting and scoring CV folds, from ``cv_results_``."""
    results = search.cv_results_
    per_candidate = np.asarray(results["mean_fit_time"]) + np.asarray(
        results["mean_score_time"]
    )
    return float(np.nansum(per_candidate) * CV)


def run_one(
    method: str, task_name: str, seed: int, n_trials: int, n_jobs: int, budget: str
) -> RunResult:
    """Fit one search and score it (in a worker process)."""
    warnings.filterwarnings("ignore")  # ConvergenceWarning, Optuna's experimental ones
    one_torch_thread()
    task = TASKS[task_name]
    X_train, X_test, y_train, y_test = task.data(seed)
    with threadpool_limits(limits=1):
        search = make_search(method, task, seed, n_trials, n_jobs, y_train, budget)
        start, cpu = time.perf_counter(), time.process_time()
        search.fit(X_train, y_train)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        note = ""
        cv_score = float(search.best_score_)
        if method == "halving":
            # best_score_ is measured on the last iteration's subsample.
            estimator = clone(task.estimator()).set_params(**search.best_params_)
            scores = cross_validate(
                estimator, X_train, y_train, cv=CV, scoring=task.scoring, n_jobs=n_jobs
            )
            cv_score = float(np.mean(scores["test_score"]))
            schedule = list(zip(search.n_candidates_, search.n_resources_))
            note = (
                f"{search.n_candidates_[0]} candidates; cost in trials: "
                f"{halving_cost(schedule, len(y_train), 'fits'):.0f} by fits, "
                f"{halving_cost(schedule, len(y_train), 'samples'):.1f} by samples"
            )
        test_score = float(get_scorer(task.scoring)(search.best_estimator_, X_test, y_test))
    overhead = wall - fold_seconds(search) - float(getattr(search, "refit_time_", 0.0))
    return RunResult(
        method, task_name, seed, cv_score, test_score, wall, cpu, overhead, note
    )


# -- set-up -------------------------------------------------------------------
def check_peers(peers: list[str]) -> list[str]:
    """Exit with the pip command when Optuna is missing; drop skopt if it fails."""
    needed = {}
    if any(p.startswith("optuna-") for p in peers):
        needed.update({"optuna": "optuna", "optuna_integration": "optuna-integration"})
    if "optuna-gp" in peers:
        needed["torch"] = "torch"
    require_modules("tasks.py", needed)
    if "optuna-gp" in peers:
        try:
            __import__("greenlet")
        except ImportError:
            print(
                "  note: Optuna's GPSampler is slower without greenlet "
                "(pip install greenlet)"
            )
    if "bayes" in peers:
        reason = skopt_problem()
        if reason:
            print(f"  leaving BayesSearchCV out: {reason}")
            peers = [p for p in peers if p != "bayes"]
    return peers


def skopt_problem() -> str | None:
    """Why BayesSearchCV cannot run here (None when a tiny search works)."""
    try:
        from skopt import BayesSearchCV
        from skopt.space import Real
    except Exception as err:  # noqa: BLE001 (ImportError, or API errors at import)
        return f"skopt does not import ({type(err).__name__}: {err})"
    try:
        X, y = load_diabetes(return_X_y=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            BayesSearchCV(
                ElasticNet(),
                {"alpha": Real(1e-3, 1.0, prior="log-uniform")},
                n_iter=3,
                cv=2,
            ).fit(X, y)
    except Exception as err:  # noqa: BLE001 (whatever breaks, say it and go on)
        return f"skopt fails with this scikit-learn/numpy ({type(err).__name__}: {err})"
    return None


def available_ours(names: list[str]) -> list[str]:
    from scout_sklearn.exceptions import InvalidParameterError
    from scout_sklearn.samplers._registry import make_sampler

    kept = []
    for name in names:
        if name != "auto":
            try:
                make_sampler(name)
            except InvalidParameterError as err:
                print(f"  skipping our {name!r}: {err}")
                continue
        kept.append(name)
    return kept


def calibrate(tasks: list[str]) -> dict[str, float]:
    """CPU seconds per trial (3-fold CV of one params) per task, from a few draws."""
    from scout_sklearn import SearchSpace

    costs = {}
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in tasks:
            task = TASKS[name]
            X_train, _, y_train, _ = task.data(0)
            space = SearchSpace.from_user(scout_space(task))
            rng = np.random.default_rng(0)
            start = time.process_time()
            for _ in range(N_CALIBRATION):
                estimator = task.estimator().set_params(**space.sample(rng))
                cross_validate(estimator, X_train, y_train, cv=CV, scoring=task.scoring)
            costs[name] = (time.process_time() - start) / N_CALIBRATION
    return costs


def estimate(
    costs: dict[str, float],
    methods: list[str],
    tasks: list[str],
    seeds: int,
    trials: int,
    jobs: int,
) -> float:
    """Wall seconds on idle cores: CPU of trials, refits and samplers, over ``jobs``."""
    total = 0.0
    for task in tasks:
        for method in methods:
            per_trial = costs[task] + SAMPLER_SECONDS.get(method, 0.01)
            total += seeds * (trials * per_trial + costs[task] / 2)
    return total / jobs


# -- report -------------------------------------------------------------------
def report(
    results: list[RunResult], methods: list[str], tasks: list[str], seeds: list[int]
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    by_key = {(r.method, r.task, r.seed): r for r in results}
    width = max(len(m) for m in methods) + 2
    ranks: dict[str, list[float]] = {m: [] for m in methods}
    for task in tasks:
        print(f"\n{task} ({TASKS[task].scoring}), medians over {len(seeds)} seeds")
        print(
            f"  {'method':<{width}}{'best CV':>12}{'test':>12}{'wall s':>9}{'CPU s':>8}"
            f"{'overhead s':>12}  note"
        )
        for seed in seeds:
            scores = np.array([by_key[m, task, seed].cv_score for m in methods])
            for method, rank in zip(methods, rankdata(-scores)):
                ranks[method].append(float(rank))
        for method in methods:
            rows = [by_key[method, task, s] for s in seeds]
            print(
                f"  {method:<{width}}"
                f"{statistics.median(r.cv_score for r in rows):>12.6g}"
                f"{statistics.median(r.test_score for r in rows):>12.6g}"
                f"{statistics.median(r.wall for r in rows):>9.1f}"
                f"{statistics.median(r.cpu for r in rows):>8.1f}"
                f"{statistics.median(r.overhead for r in rows):>12.2f}  {rows[0].note}"
            )
    mean_rank = {m: float(np.mean(ranks[m])) for m in methods}
    total_wall = {m: sum(r.wall for r in results if r.method == m) for m in methods}
    total_cpu = {m: sum(r.cpu for r in results if r.method == m) for m in methods}
    print(
        f"\nMean rank by best CV score (1 = best of {len(methods)}, over "
        f"{len(tasks)} tasks x {len(seeds)} seeds), total wall and CPU seconds"
    )
    for method in sorted(methods, key=mean_rank.__getitem__):
        print(
            f"  {method:<{width}}{mean_rank[method]:>8.2f}{total_wall[method]:>10.1f}"
            f"{total_cpu[method]:>10.1f}"
        )
    return mean_rank, total_wall, total_cpu


def targets(
    mean_rank: dict[str, float], total_wall: dict[str, float], total_cpu: dict[str, float]
) -> None:
    rows = []
    label = "ScoutSearchCV default has the best mean rank"
    if "scout-auto" in mean_rank and len(mean_rank) > 1:
        best_other = min((m for m in mean_rank if m != "scout-auto"), key=mean_rank.get)
        ok = mean_rank["scout-auto"] <= mean_rank[best_other]
        measured = (
            f"{mean_rank['scout-auto']:.2f} vs {best_other} {mean_rank[best_other]:.2f}"
        )
        rows.append((label, measured, verdict(ok)))
    else:
        rows.append((label, "needs scout-auto and peers", "n/a"))
    label = "its wall time is below OptunaSearchCV's"
    if "scout-auto" in total_wall and "optuna-tpe" in total_wall:
        a, b = total_wall["scout-auto"], total_wall["optuna-tpe"]
        measured = (
            f"{a:.1f}s vs {b:.1f}s total (CPU {total_cpu['scout-auto']:.1f}s vs "
            f"{total_cpu['optuna-tpe']:.1f}s)"
        )
        rows.append((label, measured, verdict(a < b)))
    else:
        rows.append((label, "needs scout-auto and optuna-tpe", "n/a"))
    width = max(len(r[0]) for r in rows) + 2
    print("\nTargets")
    for label, measured, result in rows:
        print(f"  {label:<{width}}{measured:<48}{result}")


def parse_list(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    if text.strip().lower() == "none":
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        sys.exit(f"Unknown {what} {unknown}; choose among {', '.join(allowed)} or 'none'.")
    return names


# Rough relative cost, to submit the slowest searches first.
def cost(task: tuple[str, str, int]) -> float:
    method, name, _ = task
    return {"hgb_breast": 10, "svc_digits": 3}.get(name, 1) + SAMPLER_SECONDS.get(method, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samplers",
        default=",".join(OURS),
        help=f"our samplers for ScoutSearchCV (default: {','.join(OURS)}; 'auto' is "
        "sampler=None)",
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"peer searches (default: {','.join(PEERS)}; 'none' for no peers)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2 seeds x 15 trials, svc_digits and enet_diabetes",
    )
    parser.add_argument("--tasks", default=None, help="comma-separated task names")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--trials", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=2, help="searches at once (default 2)")
    parser.add_argument("--n-jobs", type=int, default=1, help="n_jobs of every search")
    parser.add_argument(
        "--halving-budget",
        choices=("auto", "fits", "samples"),
        default="auto",
        help="what HalvingRandomSearchCV's trial budget counts (default: per task, "
        "samples for svc_digits, fits for the others)",
    )
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    n_seeds = args.seeds or plan["seeds"]
    n_trials = args.trials or plan["trials"]
    tasks = (
        parse_list(args.tasks, tuple(TASKS), "tasks") if args.tasks else list(plan["tasks"])
    )

    print(
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}; {os.cpu_count()} CPUs; load average "
        f"{os.getloadavg()[0]:.2f}; {args.jobs} searches at once, n_jobs={args.n_jobs} each"
    )
    if args.jobs * args.n_jobs > (os.cpu_count() or 1):
        print(f"  warning: {args.jobs} x n_jobs={args.n_jobs} is more than the CPUs")
    peers = check_peers(parse_list(args.peers, PEERS, "peers"))
    ours = available_ours(parse_list(args.samplers, OURS, "samplers"))
    methods = [f"scout-{n}" for n in ours] + peers
    if not methods:
        sys.exit("Nothing to run.")
    seeds = list(range(n_seeds))

    costs = calibrate(list(TASKS))
    print(
        f"CPU seconds per trial (3-fold CV, mean of {N_CALIBRATION} random params, one "
        "thread): " + ", ".join(f"{t} {c:.2f}" for t, c in costs.items())
    )
    this_run = estimate(costs, methods, tasks, n_seeds, n_trials, args.jobs)
    all_methods = [f"scout-{n}" for n in OURS] + list(PEERS)
    full_run = estimate(
        costs, all_methods, list(FULL["tasks"]), FULL["seeds"], FULL["trials"], 2
    )
    print(
        f"Estimated duration: this run {this_run / 60:.1f} min; the full run (all "
        f"{len(all_methods)} methods, 3 tasks x {FULL['seeds']} seeds x {FULL['trials']} "
        f"trials, 2 at once) {full_run / 60:.1f} min, on 2 idle cores"
    )

    runs = sorted(((m, t, s) for m in methods for t in tasks for s in seeds), key=cost)[
        ::-1
    ]
    print(
        f"{len(methods)} methods x {len(tasks)} tasks x {n_seeds} seeds = {len(runs)} "
        f"searches of {n_trials} trials:",
        flush=True,
    )
    start = time.perf_counter()
    results: list[RunResult] = []
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
        futures = [
            pool.submit(run_one, *run, n_trials, args.n_jobs, args.halving_budget)
            for run in runs
        ]
        for k, future in enumerate(as_completed(futures), 1):
            r = future.result()
            results.append(r)
            print(
                f"  [{time.perf_counter() - start:7.1f}s {k}/{len(runs)}] {r.method:<16} "
                f"{r.task:<14} seed {r.seed}: CV {r.cv_score:.4f}, "
                f"test {r.test_score:.4f}, {r.wall:.1f}s",
                flush=True,
            )
    targets(*report(results, methods, tasks, seeds))
    elapsed = time.perf_counter() - start
    cpu = sum(r.cpu for r in results)
    idle = cpu / args.jobs
    print(
        f"\nTotal wall time {elapsed / 60:.1f} min, load average "
        f"{os.getloadavg()[0]:.2f}. The searches used {cpu / 60:.1f} CPU-minutes: "
        f"about {idle / 60:.1f} min on {args.jobs} idle cores (estimated "
        f"{this_run / 60:.1f}). Scaled by that ratio, the full run would take about "
        f"{full_run * idle / this_run / 60:.0f} min on 2 idle cores."
    )


if __name__ == "__main__":
    main()
