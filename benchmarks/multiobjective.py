"""Multi-objective search: our samplers (MOTPE, the default, and NSGA-II) against Optuna's.

Run it from the repository root with ``python -m benchmarks.multiobjective``
(about 25 minutes on 2 cores; ``--quick`` about 4). Needs Optuna and pymoo
(for its ZDT, DTLZ and WFG problems and its hypervolume indicator). Three
parts, ours (``MOTPESampler``, what ``sampler=None`` is with several
objectives, and ``NSGAIISampler``) each against Optuna's TPESampler (its
default sampler for a multi-objective study, at its defaults) and
NSGAIISampler (at its defaults, population 50), all seeded:

(a) Synthetic problems from pymoo, all minimised: ZDT1, ZDT2, ZDT3 (10
    variables), DTLZ2 (3 objectives, 12 variables) and WFG4 (2 objectives,
    10 variables), 200 evaluations, seeds 0-9 (``--quick``: 3 seeds;
    ``--seeds 100-104`` are the seeds the default was chosen on). Ours run
    through ``scout_sklearn.Study`` ask/tell with each sampler told the
    objectives; each evaluation is stored as a one-fold result whose test
    scores are the objectives, which is what the samplers read. Per
    problem: the median final hypervolume (pymoo's HV, reference point
    printed) with quartiles, and the median after 50 and 100 evaluations.
    Target (issue 16): our default at least Optuna's default on 4 of 5
    problems.
(b) Four scikit-learn tasks on bundled data, 60 trials, 5 seeds (``--quick``:
    2 tasks, 1 seed, 30 trials): a random forest on breast cancer (accuracy
    against score time), extra trees on wine (accuracy against model size),
    gradient boosting on diabetes (R2 against fit time) and a decision tree
    on digits (accuracy against model size); ours are
    ``ScoutSearchCV(sampler="motpe" or "nsga2", objectives=...)``, Optuna's
    samplers drive the same 3-fold CV through
    ``sklearn.model_selection.cross_validate`` with the same scorers and the
    same measures (fit time in seconds; score time per test sample; model
    size as ``len(pickle.dumps(estimator))``). Hypervolume in objectives
    min-max normalised over every trial of the task (all methods and seeds),
    reference 1.1 in each. Target: our default at least both of Optuna's
    by median on 3 of 4 tasks.
(c) Seconds per ask at 1,000 complete trials (a 10-variable ZDT1 history),
    through each library's study (``Study.ask`` against ``study.ask`` plus
    the suggestions, where Optuna samples), and our samplers' ``ask``
    alone. Target: our default at most Optuna's default (TPE).

Timing objectives are measured on a shared machine: their noise is the same
for every method, but print the load average (shown) beside the results.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _common import require_modules, verdict

METHODS = ("scout-motpe", "scout-nsga2", "optuna-tpe", "optuna-nsga2")
#: What ScoutSearchCV(sampler=None) is with several objectives.
DEFAULT = "scout-motpe"
N_EVALUATIONS = 200
#: Hypervolumes are also reported after these many evaluations.
CHECKPOINTS = (50, 100, N_EVALUATIONS)


# -- (a) synthetic problems ------------------------------------------------------
def problems() -> dict[str, tuple[Any, np.ndarray]]:
    """name: (pymoo problem, hypervolume reference point)."""
    from pymoo.problems import get_problem

    return {
        "ZDT1": (get_problem("zdt1", n_var=10), np.array([1.1, 11.0])),
        "ZDT2": (get_problem("zdt2", n_var=10), np.array([1.1, 11.0])),
        "ZDT3": (get_problem("zdt3", n_var=10), np.array([1.1, 11.0])),
        "DTLZ2": (get_problem("dtlz2", n_var=12, n_obj=3), np.array([2.5, 2.5, 2.5])),
        "WFG4": (get_problem("wfg4", n_var=10, n_obj=2), np.array([3.0, 5.0])),
    }


def scout_sampler(method: str, objectives: dict[str, str]) -> Any:
    from scout_sklearn.samplers import MOTPESampler, NSGAIISampler

    if method == "scout-motpe":
        return MOTPESampler(objectives=objectives)
    return NSGAIISampler(objectives=objectives)


def run_scout(method: str, problem: Any, seed: int, n: int) -> np.ndarray:
    from scout_sklearn import Float, FoldResult, Study

    names = [f"x{i}" for i in range(problem.n_var)]
    space = {
        name: Float(float(low), float(high))
        for name, low, high in zip(names, problem.xl, problem.xu)
    }
    objectives = {f"f{j}": "minimize" for j in range(problem.n_obj)}
    study = Study(space, sampler=scout_sampler(method, objectives), seed=seed)
    values = []
    for _ in range(n):
        trial = study.ask()
        f = problem.evaluate(np.array([[trial.params[name] for name in names]]))[0]
        scores = {f"f{j}": float(v) for j, v in enumerate(f)}
        study.record(trial.number, FoldResult(0, scores, None, 0.0, 0.0, 1))
        study.tell(trial.number, -float(f[0]))
        values.append(f)
    return np.array(values)


def optuna_sampler(method: str, seed: int) -> Any:
    import optuna

    if method == "optuna-tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.NSGAIISampler(seed=seed)


def run_optuna(method: str, problem: Any, seed: int, n: int) -> np.ndarray:
    import optuna

    study = optuna.create_study(
        directions=["minimize"] * problem.n_obj, sampler=optuna_sampler(method, seed)
    )
    values = []

    def objective(trial: Any) -> tuple[float, ...]:
        x = np.array(
            [
                trial.suggest_float(f"x{i}", float(low), float(high))
                for i, (low, high) in enumerate(zip(problem.xl, problem.xu))
            ]
        )
        f = problem.evaluate(x[None, :])[0]
        values.append(f)
        return tuple(float(v) for v in f)

    study.optimize(objective, n_trials=n)
    return np.array(values)


def hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    from pymoo.indicators.hv import HV

    inside = points[(points < reference).all(axis=1)]
    return float(HV(ref_point=reference)(inside)) if len(inside) else 0.0


def synthetic(seeds: list[int]) -> tuple[int, int]:
    print(f"\n(a) Synthetic problems: {N_EVALUATIONS} evaluations, seeds {seeds}")
    print(
        "    median final hypervolume [quartiles], median after 50 and 100 "
        "evaluations; higher is better"
    )
    wins = 0
    table = problems()
    for name, (problem, reference) in table.items():
        # Per method, per seed: the hypervolume after each checkpoint.
        volumes: dict[str, list[list[float]]] = {m: [] for m in METHODS}
        seconds: dict[str, float] = dict.fromkeys(METHODS, 0.0)
        for seed in seeds:
            for method in METHODS:
                start = time.perf_counter()
                if method.startswith("scout-"):
                    points = run_scout(method, problem, seed, N_EVALUATIONS)
                else:
                    points = run_optuna(method, problem, seed, N_EVALUATIONS)
                seconds[method] += time.perf_counter() - start
                volumes[method].append(
                    [hypervolume(points[:k], reference) for k in CHECKPOINTS]
                )
        finals = {m: [v[-1] for v in runs] for m, runs in volumes.items()}
        medians = {m: float(np.median(v)) for m, v in finals.items()}
        ok = medians[DEFAULT] >= medians["optuna-tpe"]
        wins += ok
        print(f"  {name} (reference {reference.tolist()}):")
        for method in METHODS:
            q1, q3 = np.percentile(finals[method], [25, 75])
            early = np.median(np.array(volumes[method])[:, :-1], axis=0)
            print(
                f"    {method:<13} {medians[method]:9.4f} [{q1:.4f}, {q3:.4f}]"
                f"   @50 {early[0]:8.4f} @100 {early[1]:8.4f}"
                f"   {seconds[method] / len(seeds):6.2f} s/run"
            )
        print(f"    our default >= Optuna's default (TPE): {verdict(ok)}")
    return wins, len(table)


# -- (b) scikit-learn tasks ---------------------------------------------------------
def model_size(estimator: Any, X: Any, y: Any) -> float:
    """Bytes of the pickled fitted estimator (a scorer: scikit-learn's signature)."""
    return float(len(pickle.dumps(estimator)))


def tasks(quick: bool) -> dict[str, dict[str, Any]]:
    """name: estimator, data, space (ours), scoring and objectives."""
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        GradientBoostingRegressor,
        RandomForestClassifier,
    )
    from sklearn.tree import DecisionTreeClassifier

    from scout_sklearn import Float, Int

    forest_space = {
        "n_estimators": Int(2, 60),
        "max_depth": Int(1, 12),
        "min_samples_leaf": Int(1, 30),
        "max_features": Float(0.05, 1.0),
    }
    all_tasks = {
        "rf_breast acc/score_time": {
            "estimator": RandomForestClassifier(random_state=0),
            "data": load_breast_cancer(return_X_y=True),
            "space": forest_space,
            "scoring": "accuracy",
            "objectives": {"accuracy": "maximize", "score_time": "minimize"},
        },
        "et_wine acc/model_size": {
            "estimator": ExtraTreesClassifier(random_state=0),
            "data": load_wine(return_X_y=True),
            "space": forest_space,
            "scoring": {"accuracy": "accuracy", "model_size": model_size},
            "objectives": {"accuracy": "maximize", "model_size": "minimize"},
        },
        "gbr_diabetes r2/fit_time": {
            "estimator": GradientBoostingRegressor(random_state=0),
            "data": load_diabetes(return_X_y=True),
            "space": {
                "n_estimators": Int(5, 200, log=True),
                "learning_rate": Float(1e-3, 1.0, log=True),
                "max_depth": Int(1, 6),
                "subsample": Float(0.3, 1.0),
            },
            "scoring": "r2",
            "objectives": {"r2": "maximize", "fit_time": "minimize"},
        },
        "tree_digits acc/model_size": {
            "estimator": DecisionTreeClassifier(random_state=0),
            "data": load_digits(return_X_y=True),
            "space": {
                "max_depth": Int(1, 30),
                "min_samples_leaf": Int(1, 60),
                "min_samples_split": Int(2, 60),
                "criterion": ["gini", "entropy"],
                "ccp_alpha": Float(1e-5, 1e-1, log=True),
            },
            "scoring": {"accuracy": "accuracy", "model_size": model_size},
            "objectives": {"accuracy": "maximize", "model_size": "minimize"},
        },
    }
    names = list(all_tasks)
    return {n: all_tasks[n] for n in (names[:2] if quick else names)}


def scout_task(
    method: str, task: dict[str, Any], seed: int, n_trials: int, cv: Any
) -> np.ndarray:
    from scout_sklearn import ScoutSearchCV

    scoring = task["scoring"]
    search = ScoutSearchCV(
        task["estimator"],
        task["space"],
        n_trials=n_trials,
        sampler=method.removeprefix("scout-"),
        cv=cv,
        scoring=scoring,
        objectives=task["objectives"],
        refit=False,
        random_state=seed,
    ).fit(*task["data"])
    single = isinstance(scoring, str)
    rows = []
    for trial in sorted(search.study_.trials, key=lambda t: t.number):
        folds = trial.fold_results
        if trial.state.name != "COMPLETE" or not folds:
            continue
        row = []
        for name in task["objectives"]:
            if name == "fit_time":
                row.append(np.mean([f.fit_time for f in folds]))
            elif name == "score_time":  # per test sample, as cross_validate's below
                row.append(np.mean([f.score_time / f.n_test_samples for f in folds]))
            else:
                row.append(
                    np.mean([f.test_scores["score" if single else name] for f in folds])
                )
        rows.append(row)
    return np.array(rows, dtype=float)


def optuna_task(
    method: str, task: dict[str, Any], seed: int, n_trials: int, cv: Any
) -> np.ndarray:
    import optuna
    from sklearn.base import clone
    from sklearn.model_selection import cross_validate

    from scout_sklearn.distributions import Categorical, Float, Int

    X, y = task["data"]
    directions = list(task["objectives"].values())
    study = optuna.create_study(directions=directions, sampler=optuna_sampler(method, seed))
    scoring = task["scoring"]
    single = isinstance(scoring, str)
    rows = []

    def suggest(trial: Any, name: str, dist: Any) -> Any:
        if isinstance(dist, Float):
            return trial.suggest_float(name, dist.low, dist.high, log=dist.log)
        if isinstance(dist, Int):
            return trial.suggest_int(name, dist.low, dist.high, log=dist.log)
        assert isinstance(dist, list | Categorical)
        return trial.suggest_categorical(name, list(getattr(dist, "choices", dist)))

    def objective(trial: Any) -> tuple[float, ...]:
        params = {name: suggest(trial, name, d) for name, d in task["space"].items()}
        estimator = clone(task["estimator"]).set_params(**params)
        scores = cross_validate(estimator, X, y, cv=cv, scoring=scoring)
        n_test = np.array([len(test) for _, test in cv.split(X, y)])
        row = []
        for name in task["objectives"]:
            if name == "fit_time":
                row.append(float(np.mean(scores["fit_time"])))
            elif name == "score_time":
                row.append(float(np.mean(scores["score_time"] / n_test)))
            else:
                row.append(
                    float(np.mean(scores["test_score" if single else f"test_{name}"]))
                )
        rows.append(row)
        return tuple(row)

    study.optimize(objective, n_trials=n_trials)
    return np.array(rows)


def sklearn_tasks(seeds: list[int], n_trials: int, quick: bool) -> tuple[int, int]:
    from sklearn.model_selection import KFold, StratifiedKFold

    print(f"\n(b) scikit-learn tasks: {n_trials} trials, 3-fold CV, seeds {seeds}")
    print("    median hypervolume (objectives min-max normalised over the task, ref 1.1)")
    wins = 0
    chosen = tasks(quick)
    for name, task in chosen.items():
        runs: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
        seconds: dict[str, float] = dict.fromkeys(METHODS, 0.0)
        for seed in seeds:
            classifier = "acc" in name
            splitter = StratifiedKFold if classifier else KFold
            cv = splitter(n_splits=3, shuffle=True, random_state=seed)
            for method in METHODS:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if method.startswith("scout-"):
                        points = scout_task(method, task, seed, n_trials, cv)
                    else:
                        points = optuna_task(method, task, seed, n_trials, cv)
                seconds[method] += time.perf_counter() - start
                runs[method].append(points)
        signs = np.array(
            [-1.0 if d == "maximize" else 1.0 for d in task["objectives"].values()]
        )
        everything = np.concatenate([p for r in runs.values() for p in r]) * signs
        finite = np.isfinite(everything).all(axis=1)
        low, high = everything[finite].min(axis=0), everything[finite].max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        volumes = {
            m: [
                hypervolume(
                    np.nan_to_num((p * signs - low) / span, nan=9.0), np.full(2, 1.1)
                )
                for p in r
            ]
            for m, r in runs.items()
        }
        medians = {m: float(np.median(v)) for m, v in volumes.items()}
        ok = medians[DEFAULT] >= max(medians["optuna-tpe"], medians["optuna-nsga2"])
        wins += ok
        print(f"  {name}:")
        for method in METHODS:
            print(
                f"    {method:<13} {medians[method]:7.4f}   "
                f"(seeds: {', '.join(f'{v:.3f}' for v in volumes[method])})"
                f"   {seconds[method] / len(seeds):6.1f} s/run"
            )
        print(f"    our default at least Optuna's two: {verdict(ok)}")
    return wins, len(chosen)


# -- (c) seconds per ask ---------------------------------------------------------------
def ask_times(n_history: int, repeats: int) -> tuple[float, dict[str, float]]:
    import optuna
    from pymoo.problems import get_problem

    from scout_sklearn import Float, FoldResult, Study

    problem = get_problem("zdt1", n_var=10)
    rng = np.random.default_rng(0)
    X = rng.random((n_history, 10))
    F = problem.evaluate(X)
    names = [f"x{i}" for i in range(10)]
    print(f"\n(c) Seconds per ask with {n_history} COMPLETE trials (ZDT1, 10 variables)")

    objectives = {"f0": "minimize", "f1": "minimize"}
    ours: dict[str, float] = {}
    for method in METHODS[:2]:
        # A study of its own for each sampler: the asks timed are told FAILED.
        study = Study({n: Float(0.0, 1.0) for n in names}, seed=0)
        for x, f in zip(X, F):
            trial = study.ask(dict(zip(names, x.tolist())))
            scores = {"f0": float(f[0]), "f1": float(f[1])}
            study.record(trial.number, FoldResult(0, scores, None, 0.0, 0.0, 1))
            study.tell(trial.number, -float(f[0]))
        history = study.trials
        study.sampler = scout_sampler(method, objectives)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            trial = study.ask()
            times.append(time.perf_counter() - start)
            study.tell(trial.number, state=_failed())
        ours[method] = float(np.median(times))
        sampler = scout_sampler(method, objectives)
        sampler.ask(study.space, history, np.random.default_rng(0))  # warm the caches
        alone = []
        for k in range(repeats):
            start = time.perf_counter()
            sampler.ask(study.space, history, np.random.default_rng([0, k]))
            alone.append(time.perf_counter() - start)
        print(f"  {method:<13} {ours[method] * 1e3:8.2f} ms (Study.ask)")
        print(f"  {method:<13} {float(np.median(alone)) * 1e3:8.2f} ms (sampler.ask alone)")
    ours_study = ours[DEFAULT]

    distributions = {n: optuna.distributions.FloatDistribution(0.0, 1.0) for n in names}
    trials = [
        optuna.trial.create_trial(
            params=dict(zip(names, x.tolist())),
            distributions=distributions,
            values=[float(v) for v in f],
        )
        for x, f in zip(X, F)
    ]
    peers = {}
    for method in ("optuna-tpe", "optuna-nsga2"):
        optuna_study = optuna.create_study(
            directions=["minimize", "minimize"], sampler=optuna_sampler(method, 0)
        )
        optuna_study.add_trials(trials)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            trial = optuna_study.ask(distributions)
            times.append(time.perf_counter() - start)
            optuna_study.tell(trial, state=optuna.trial.TrialState.FAIL)
        peers[method] = float(np.median(times))
        print(f"  {method:<13} {peers[method] * 1e3:8.2f} ms (study.ask with the space)")
    return ours_study, peers


def _failed() -> Any:
    from scout_sklearn import TrialState

    return TrialState.FAILED


def _seed_range(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--parts", default="abc", help="which of a, b, c to run")
    parser.add_argument(
        "--seeds",
        type=_seed_range,
        default=None,
        help="seeds of part (a), e.g. 100-104 (the seeds the default was chosen on)",
    )
    args = parser.parse_args()
    require_modules("multiobjective.py", {"optuna": "optuna", "pymoo": "pymoo"})
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    print(f"load average at start: {load()}")
    started = time.perf_counter()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)  # one BLAS/OpenMP thread: timings less disturbed
    verdicts = []
    if "a" in args.parts:
        seeds = args.seeds or list(range(3 if args.quick else 10))
        wins, total = synthetic(seeds)
        verdicts.append(
            (
                f"(a) our default >= Optuna TPE on >= 4 of 5 problems: {wins}/{total}",
                wins >= 4,
            )
        )
    if "b" in args.parts:
        seeds = [0] if args.quick else [0, 1, 2, 3, 4]
        wins, total = sklearn_tasks(seeds, 30 if args.quick else 60, args.quick)
        needed = 3 if total == 4 else total
        verdicts.append(
            (
                f"(b) our default first on >= 3 of 4 tasks: {wins}/{total}",
                wins >= needed,
            )
        )
    if "c" in args.parts:
        ours, peers = ask_times(300 if args.quick else 1000, 5 if args.quick else 20)
        verdicts.append(
            (
                f"(c) our default's ask at most Optuna TPE's: {ours * 1e3:.2f} ms vs "
                f"{peers['optuna-tpe'] * 1e3:.2f} ms",
                ours <= peers["optuna-tpe"],
            )
        )
    print(f"\nload average at end: {load()}; {time.perf_counter() - started:.0f} s")
    for text, ok in verdicts:
        print(f"{verdict(ok)}  {text}")


if __name__ == "__main__":
    main()
