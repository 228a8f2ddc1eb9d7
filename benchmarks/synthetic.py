"""Benchmark our samplers against Optuna's on five synthetic test functions.

Run it from the repository root with the benchmark environment, which has the
peers installed::

    python benchmarks/synthetic.py                      # all samplers, 10 seeds x 100
    python benchmarks/synthetic.py --quick              # 3 seeds x 50 evaluations
    python benchmarks/synthetic.py --samplers tpe,gp    # some of ours only

Functions (all minimised, known optimum): Branin (2-D), Hartmann6 (6-D),
Rosenbrock on [-2, 2]^5, Styblinski-Tang (10-D) and Levy (8-D). Every method
gets the same budget of evaluations per seed. Our samplers run through
``scout_sklearn.Study`` ask/tell (greater is better there, so we tell
``-f(x)``); Optuna's run through ``optuna.Study`` ask/tell with fixed
``FloatDistribution`` s: RandomSampler, TPESampler (its default, which is
multivariate since Optuna 5), TPESampler(multivariate=False), CmaEsSampler and
GPSampler, each seeded with the run's seed and otherwise at its defaults.

Printed per function: the median final regret (best f found minus the
optimum) of each method, its mean rank (methods ranked per seed by final
regret, ties averaged) and the median seconds spent in ``ask`` per run. Then
the mean rank per method over all functions and seeds, and PASS/FAIL for the
targets. Runs (method x function x seed) go to a process pool (``--jobs``,
default 2), slowest methods first; in each worker the BLAS/OpenMP pools
(threadpoolctl) and torch use one thread, so two workers use two cores.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
from _common import one_torch_thread, require_modules, verdict
from scipy.stats import rankdata
from threadpoolctl import threadpool_limits

OURS = ("tpe", "gp", "cmaes", "qmc", "annealing", "random", "auto")
PEERS = ("random", "tpe", "tpe-uni", "cmaes", "gp")


# -- test functions (minimised) ---------------------------------------------
def branin(x: np.ndarray) -> float:
    x1, x2 = x
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    return float((x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10)


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(x: np.ndarray) -> float:
    inner = np.sum(_H6_A * (x - _H6_P) ** 2, axis=1)
    return float(-np.sum(_H6_ALPHA * np.exp(-inner)))


def rosenbrock(x: np.ndarray) -> float:
    return float(np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


def styblinski_tang(x: np.ndarray) -> float:
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))


def levy(x: np.ndarray) -> float:
    w = 1 + (x - 1) / 4
    head = np.sin(np.pi * w[0]) ** 2
    body = np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2))
    tail = (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2)
    return float(head + body + tail)


@dataclass(frozen=True)
class Problem:
    name: str
    function: Callable[[np.ndarray], float]
    bounds: tuple[tuple[float, float], ...]
    optimum: float

    @property
    def names(self) -> list[str]:
        # Zero-padded so that sorted names keep the coordinate order.
        return [f"x{i:02d}" for i in range(len(self.bounds))]


PROBLEMS = {
    p.name: p
    for p in (
        Problem("branin", branin, ((-5.0, 10.0), (0.0, 15.0)), 0.397887),
        Problem("hartmann6", hartmann6, ((0.0, 1.0),) * 6, -3.32237),
        Problem("rosenbrock5", rosenbrock, ((-2.0, 2.0),) * 5, 0.0),
        Problem("styblinski10", styblinski_tang, ((-5.0, 5.0),) * 10, -39.16617 * 10),
        Problem("levy8", levy, ((-10.0, 10.0),) * 8, 0.0),
    )
}


# -- one run ------------------------------------------------------------------
@dataclass
class RunResult:
    method: str
    problem: str
    seed: int
    regret: float
    ask_seconds: float
    wall_seconds: float


def our_sampler(name: str) -> Any:
    """Our sampler registered as ``name`` (raises InvalidParameterError if none)."""
    from scout_sklearn.samplers._registry import make_sampler

    return make_sampler(name, owner="benchmarks/synthetic.py")


def run_ours(name: str, problem: Problem, seed: int, n_evals: int) -> tuple[float, float]:
    from scout_sklearn import Float, Study

    space = {n: Float(lo, hi) for n, (lo, hi) in zip(problem.names, problem.bounds)}
    study = Study(space, sampler=our_sampler(name), seed=seed)
    best, ask_seconds = np.inf, 0.0
    for _ in range(n_evals):
        start = time.perf_counter()
        trial = study.ask()
        ask_seconds += time.perf_counter() - start
        value = problem.function(np.array([trial.params[n] for n in problem.names]))
        study.tell(trial.number, -value)
        best = min(best, value)
    return best, ask_seconds


def optuna_sampler(name: str, seed: int) -> Any:
    import optuna

    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "tpe-uni":
        return optuna.samplers.TPESampler(seed=seed, multivariate=False)
    if name == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if name == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    raise ValueError(f"unknown Optuna sampler {name!r}; known: {PEERS}")


def run_optuna(name: str, problem: Problem, seed: int, n_evals: int) -> tuple[float, float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions = {
        n: optuna.distributions.FloatDistribution(lo, hi)
        for n, (lo, hi) in zip(problem.names, problem.bounds)
    }
    study = optuna.create_study(direction="minimize", sampler=optuna_sampler(name, seed))
    best, ask_seconds = np.inf, 0.0
    for _ in range(n_evals):
        start = time.perf_counter()
        trial = study.ask(distributions)
        ask_seconds += time.perf_counter() - start
        value = problem.function(np.array([trial.params[n] for n in problem.names]))
        study.tell(trial, value)
        best = min(best, value)
    return best, ask_seconds


def run_one(method: str, problem_name: str, seed: int, n_evals: int) -> RunResult:
    """Run one method on one function with one seed (in a worker process)."""
    warnings.filterwarnings("ignore")  # Optuna's ExperimentalWarning and the like
    one_torch_thread()
    problem = PROBLEMS[problem_name]
    library, name = method.split("-", 1)
    start = time.perf_counter()
    run = run_ours if library == "scout" else run_optuna
    with threadpool_limits(limits=1):
        best, ask_seconds = run(name, problem, seed, n_evals)
    wall = time.perf_counter() - start
    return RunResult(method, problem_name, seed, best - problem.optimum, ask_seconds, wall)


# -- set-up -------------------------------------------------------------------
def check_peers(peers: list[str]) -> None:
    """Exit with the pip command when a peer library is missing."""
    needed = {"optuna": "optuna"} if peers else {}
    if "cmaes" in peers:
        needed["cmaes"] = "cmaes"
    if "gp" in peers:
        needed["torch"] = "torch"
    require_modules("synthetic.py", needed)
    if "gp" in peers:
        try:
            __import__("greenlet")
        except ImportError:
            print(
                "  note: Optuna's GPSampler is slower without greenlet "
                "(pip install greenlet)"
            )


def available_ours(names: list[str]) -> list[str]:
    """Our sampler names that the registry knows; say why the others are skipped."""
    from scout_sklearn.exceptions import InvalidParameterError

    kept = []
    for name in names:
        try:
            our_sampler(name)
        except InvalidParameterError as err:
            reason = "the default sampler has no registry name" if name == "auto" else err
            print(f"  skipping our {name!r}: {reason}")
            continue
        kept.append(name)
    return kept


def parse_list(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    if text.strip().lower() == "none":
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        sys.exit(f"Unknown {what} {unknown}; choose among {', '.join(allowed)} or 'none'.")
    return names


# Rough relative cost, to submit the slowest runs first (better load balance).
_COST = {"gp": 100, "tpe": 5, "tpe-uni": 4, "cmaes": 2}


def cost(method: str) -> int:
    return _COST.get(method.split("-", 1)[1], 1)


def full_run_estimate(results: list[RunResult], n_evals: int, jobs: int) -> float:
    """Seconds for 10 seeds x 100 evaluations x all functions, from these runs."""
    total = 0.0
    for method in {r.method for r in results}:
        walls = [r.wall_seconds for r in results if r.method == method]
        power = 1 if method.endswith("random") else 2
        total += np.mean(walls) * (100 / n_evals) ** power * 10 * len(PROBLEMS)
    return float(total) / jobs


# -- report -------------------------------------------------------------------
def report(
    results: list[RunResult], methods: list[str], problems: list[str], seeds: list[int]
) -> dict[str, Any]:
    """Print the tables; return what the targets need."""
    by_key = {(r.method, r.problem, r.seed): r for r in results}
    ranks: dict[tuple[str, str], list[float]] = {}
    medians: dict[tuple[str, str], float] = {}
    width = max(len(m) for m in methods) + 2
    for problem in problems:
        regrets = np.array([[by_key[m, problem, s].regret for m in methods] for s in seeds])
        per_seed_ranks = np.vstack([rankdata(row) for row in regrets])
        print(
            f"\n{problem} (optimum {PROBLEMS[problem].optimum:g}, "
            f"{len(PROBLEMS[problem].bounds)}-D): final regret over {len(seeds)} seeds"
        )
        print(
            f"  {'method':<{width}}{'median':>11}{'q25':>11}{'q75':>11}"
            f"{'mean rank':>11}{'ask s/run':>11}"
        )
        for j, method in enumerate(methods):
            column = regrets[:, j]
            medians[method, problem] = float(np.median(column))
            ranks[method, problem] = per_seed_ranks[:, j].tolist()
            ask = np.median([by_key[method, problem, s].ask_seconds for s in seeds])
            print(
                f"  {method:<{width}}{np.median(column):>11.4g}"
                f"{np.quantile(column, 0.25):>11.4g}{np.quantile(column, 0.75):>11.4g}"
                f"{np.mean(per_seed_ranks[:, j]):>11.2f}{ask:>11.2f}"
            )
    overall = {m: float(np.mean([ranks[m, p] for p in problems])) for m in methods}
    print(
        f"\nMean rank per method (1 = best of {len(methods)}; per function, then over "
        f"all {len(problems)} x {len(seeds)} runs), and total seconds in ask"
    )
    header = "".join(f"{p[:12]:>13}" for p in problems)
    print(f"  {'method':<{width}}{header}{'overall':>10}{'ask s':>10}")
    for method in sorted(methods, key=overall.__getitem__):
        cells = "".join(f"{np.mean(ranks[method, p]):>13.2f}" for p in problems)
        total_ask = sum(r.ask_seconds for r in results if r.method == method)
        print(f"  {method:<{width}}{cells}{overall[method]:>10.2f}{total_ask:>10.1f}")
    return {"medians": medians, "overall": overall}


def targets(summary: dict[str, Any], methods: list[str], problems: list[str]) -> None:
    medians, overall = summary["medians"], summary["overall"]
    rows = []

    def compare(ours: str, peer: str, need: int, label: str) -> None:
        if ours not in methods or peer not in methods:
            rows.append((label, f"needs {ours} and {peer}", "n/a"))
            return
        wins = [p for p in problems if medians[ours, p] <= medians[peer, p]]
        rows.append(
            (label, f"{len(wins)}/{len(problems)} functions", verdict(len(wins) >= need))
        )

    compare(
        "scout-tpe",
        "optuna-tpe",
        len(problems),
        "our TPE median regret <= Optuna TPE's on every function",
    )
    compare(
        "scout-gp",
        "optuna-gp",
        min(4, len(problems)),
        "our GP median regret <= Optuna GPSampler's on >= 4 of 5",
    )
    ours = [m for m in methods if m.startswith("scout-")]
    label = "our best sampler ranks first on average"
    if ours and len(ours) < len(methods):
        best_ours = min(ours, key=overall.__getitem__)
        best_peer = min((m for m in methods if m not in ours), key=overall.__getitem__)
        ok = overall[best_ours] <= overall[best_peer]
        rows.append(
            (
                label,
                f"{best_ours} {overall[best_ours]:.2f} vs {best_peer} "
                f"{overall[best_peer]:.2f}",
                verdict(ok),
            )
        )
    else:
        rows.append((label, "needs ours and peers", "n/a"))
    width = max(len(r[0]) for r in rows) + 2
    print("\nTargets")
    for label, measured, result in rows:
        print(f"  {label:<{width}}{measured:<40}{result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samplers",
        default=",".join(OURS),
        help=f"our samplers, comma-separated (default: {','.join(OURS)}; 'auto' is "
        "skipped unless the registry knows it)",
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"Optuna samplers (default: {','.join(PEERS)}; 'none' for no peers)",
    )
    parser.add_argument("--quick", action="store_true", help="3 seeds x 50 evaluations")
    parser.add_argument("--seeds", type=int, default=None, help="number of seeds")
    parser.add_argument("--evals", type=int, default=None, help="evaluations per run")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--functions", default=",".join(PROBLEMS), help="comma-separated function names"
    )
    args = parser.parse_args()
    n_seeds = args.seeds or (3 if args.quick else 10)
    n_evals = args.evals or (50 if args.quick else 100)
    problems = parse_list(args.functions, tuple(PROBLEMS), "functions")
    peers = parse_list(args.peers, PEERS, "Optuna samplers")
    check_peers(peers)

    import scout_sklearn

    versions = f"scout_sklearn {scout_sklearn.__version__}, numpy {np.__version__}"
    if peers:
        import optuna

        versions += f", optuna {optuna.__version__}"
    print(
        f"Python {platform.python_version()}, {versions}; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}; {args.jobs} worker process(es)"
    )
    ours = available_ours(parse_list(args.samplers, OURS, "samplers"))
    methods = [f"scout-{n}" for n in ours] + [f"optuna-{n}" for n in peers]
    if not methods:
        sys.exit("Nothing to run: no sampler of ours is available and no peer was chosen.")
    seeds = list(range(n_seeds))
    tasks = [(m, p, s) for m in methods for p in problems for s in seeds]
    tasks.sort(key=lambda task: -cost(task[0]))
    print(
        f"{len(methods)} methods x {len(problems)} functions x {n_seeds} seeds = "
        f"{len(tasks)} runs of {n_evals} evaluations. Progress (per method and function, "
        "once all its seeds are done):",
        flush=True,
    )

    start = time.perf_counter()
    results: list[RunResult] = []
    pending = {(m, p): n_seeds for m in methods for p in problems}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
        futures = [pool.submit(run_one, *task, n_evals) for task in tasks]
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            key = (result.method, result.problem)
            pending[key] -= 1
            if pending[key] == 0:
                done = [r for r in results if (r.method, r.problem) == key]
                print(
                    f"  [{time.perf_counter() - start:7.1f}s] {result.method:<16} "
                    f"{result.problem:<13} median regret "
                    f"{np.median([r.regret for r in done]):.4g}, ask "
                    f"{np.median([r.ask_seconds for r in done]):.2f}s per run",
                    flush=True,
                )
    summary = report(results, methods, problems, seeds)
    targets(summary, methods, problems)
    elapsed = time.perf_counter() - start
    print(f"\nTotal wall time {elapsed:.0f}s; load average {os.getloadavg()[0]:.2f}")
    if (n_seeds, n_evals, len(problems)) != (10, 100, len(PROBLEMS)):
        full = full_run_estimate(results, n_evals, args.jobs)
        print(
            f"A full run of these methods (10 seeds x 100 evaluations x "
            f"{len(PROBLEMS)} functions) would take about {full / 60:.0f} min at this "
            "load (run time assumed to grow with the square of the evaluations for "
            "model-based samplers, linearly for random ones)."
        )


if __name__ == "__main__":
    main()
