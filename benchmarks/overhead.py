"""Benchmark ScoutSearchCV (whole grid) against scikit-learn's GridSearchCV.

Run it with ``python benchmarks/overhead.py`` (about 3 minutes on 2 idle
cores) or ``python benchmarks/overhead.py --quick`` (about 1.5 minutes). It
measures, in one run:

1. Overhead: both searches on one 300-candidate x 3-fold grid of a cheap
   estimator (a decision tree on the wine dataset, ~2 ms per fit), at
   n_jobs=1 and n_jobs=2. Target: ScoutSearchCV / GridSearchCV <= 1.05.
2. Parallel efficiency, T1 / (2 * T2): both searches on a gradient-boosting
   grid whose fold fit times vary about 10x (n_estimators from 10 to 100).
   Target: >= 0.85 for ScoutSearchCV; GridSearchCV is the reference.
3. Storage: ScoutSearchCV on the overhead grid at n_jobs=1 in memory and
   with ``storage="sqlite:///<new file>"``: the cost per trial (the file's
   tables and the study's fingerprint included). Target: at most 3 ms per
   trial. ``benchmarks/storage.py`` compares it with OptunaSearchCV's.

Fairness: loky workers and imports are warmed up before any timing, the two
libraries alternate (in ABBA order) within every repeat, each number is the
median of the repeats, and both searches must agree exactly (same
``best_params_``, same candidates, same split scores) or the script fails.
Wall times on a shared machine are noisy: look at the spread, at the load
average, and at where the fit processes' time went (on Linux, from
/proc/<pid>/schedstat): "idle" is time with nothing to run (the library's
fault), "waiting for a core" is time lost to other load. ``--profile`` adds
a cProfile breakdown of ScoutSearchCV's own bookkeeping at n_jobs=1.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import math
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
import sklearn
from _common import verdict
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import ScoutSearchCV

OVERHEAD_TARGET = 1.05
STORAGE_TARGET_MS = 3.0
EFFICIENCY_TARGET = 0.85
N_FOLDS = 3

# 20 x 15 = 300 candidates, 900 fits of ~1.5-4 ms each.
OVERHEAD_GRID = {
    "max_depth": list(range(1, 21)),
    "min_samples_leaf": list(range(1, 16)),
}
# 2 x 10 = 20 candidates, 60 fits; a fit costs ~10x more at 100 trees than at 10.
EFFICIENCY_GRID = {
    "learning_rate": [0.1, 0.3],
    "n_estimators": list(range(10, 101, 10)),
}
LIBRARIES: dict[str, Callable[..., Any]] = {
    "ScoutSearchCV": lambda est, grid, n_jobs: ScoutSearchCV(
        est, grid, cv=N_FOLDS, n_jobs=n_jobs
    ),
    "GridSearchCV": lambda est, grid, n_jobs: GridSearchCV(
        est, grid, cv=N_FOLDS, n_jobs=n_jobs
    ),
}


def overhead_problem() -> tuple[Any, dict[str, list[Any]], Any, Any]:
    X, y = load_wine(return_X_y=True)
    return DecisionTreeClassifier(random_state=0), OVERHEAD_GRID, X, y


def efficiency_problem() -> tuple[Any, dict[str, list[Any]], Any, Any]:
    X, y = load_breast_cancer(return_X_y=True)
    return GradientBoostingClassifier(max_depth=2, random_state=0), EFFICIENCY_GRID, X, y


@dataclass
class Run:
    """One timed search, with where its fit processes spent the wall time.

    ``busy`` and ``waiting`` come from Linux's /proc/<pid>/schedstat for the
    processes that run the fits (this process at n_jobs=1, the loky workers
    at n_jobs=2): seconds on a CPU, and seconds runnable but waiting for a
    core (taken by other load). ``n_jobs * wall - busy - waiting`` is the
    time they had nothing to run. NaN where /proc is unavailable.
    """

    wall: float
    cpu: float
    busy: float
    waiting: float
    n_jobs: int
    search: Any

    @property
    def idle_share(self) -> float:
        return max(0.0, self.n_jobs * self.wall - self.busy - self.waiting) / (
            self.n_jobs * self.wall
        )

    @property
    def waiting_share(self) -> float:
        return self.waiting / (self.n_jobs * self.wall)


def fit_processes(n_jobs: int) -> list[str]:
    """The /proc names of the processes that run the fits."""
    if n_jobs == 1:
        return ["self"]
    me, pids = str(os.getpid()), []
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        try:
            with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/cmdline") as cmd:
                parent = stat.read().rsplit(")", 1)[1].split()[1]
                if parent == me and "popen_loky_posix" in cmd.read():
                    pids.append(pid)
        except (OSError, IndexError, ValueError):
            continue
    return pids


def schedstat(pids: list[str]) -> dict[str, tuple[int, int]]:
    """Nanoseconds on a CPU and waiting for one, per process."""
    stats = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat") as file:
                on_cpu, waiting = file.read().split()[:2]
        except (OSError, ValueError):
            continue
        stats[pid] = (int(on_cpu), int(waiting))
    return stats


def timed_fit(library: str, problem: tuple[Any, Any, Any, Any], n_jobs: int) -> Run:
    """Fit one search and time it."""
    estimator, grid, X, y = problem
    search = LIBRARIES[library](estimator, grid, n_jobs)
    gc.collect()
    before = schedstat(fit_processes(n_jobs))
    wall, cpu = time.perf_counter(), time.process_time()
    search.fit(X, y)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = schedstat(fit_processes(n_jobs))
    busy = waiting = math.nan
    if after:
        busy = sum(a[0] - before.get(pid, (0, 0))[0] for pid, a in after.items()) / 1e9
        waiting = sum(a[1] - before.get(pid, (0, 0))[1] for pid, a in after.items()) / 1e9
    return Run(wall, cpu, busy, waiting, n_jobs, search)


def check_same_results(scout: Any, grid: Any) -> None:
    """Fail loudly unless both searches evaluated the same candidates identically."""
    assert scout.best_params_ == grid.best_params_, (scout.best_params_, grid.best_params_)
    assert scout.cv_results_["params"] == grid.cv_results_["params"]
    for k in range(N_FOLDS):
        key = f"split{k}_test_score"
        np.testing.assert_array_equal(scout.cv_results_[key], grid.cv_results_[key])
    np.testing.assert_array_equal(
        scout.cv_results_["rank_test_score"], grid.cv_results_["rank_test_score"]
    )


def abba(repeat: int) -> list[str]:
    names = list(LIBRARIES)
    return names if repeat % 2 == 0 else names[::-1]


def warm_up() -> None:
    """Start the loky workers and import everything in them, untimed."""
    estimator, _, X, y = overhead_problem()
    small = {"max_depth": [1, 2], "min_samples_leaf": [1, 2, 3]}
    for n_jobs in (1, 2):
        for library in LIBRARIES:
            timed_fit(library, (estimator, small, X, y), n_jobs)
    with tempfile.TemporaryDirectory() as folder:  # imports SQLAlchemy
        storage = f"sqlite:///{folder}/warm.db"
        ScoutSearchCV(estimator, small, cv=N_FOLDS, storage=storage).fit(X, y)
    estimator, _, X, y = efficiency_problem()
    for library in LIBRARIES:
        timed_fit(library, (estimator, {"n_estimators": [5, 10]}, X, y), 2)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"[{min(values):.3f} .. {max(values):.3f}]"


def describe(runs: list[Run]) -> str:
    """Median wall time, its spread, and where the fit processes' time went."""
    walls = [run.wall for run in runs]
    text = f"median {median(walls):.3f}s {spread(walls)}"
    if runs[0].n_jobs > 1:
        text += f", this process {median([run.cpu for run in runs]):.2f} CPU-s"
    if not math.isnan(runs[0].busy):
        text += (
            f" (fit processes: {100 * median([r.idle_share for r in runs]):.0f}% idle, "
            f"{100 * median([r.waiting_share for r in runs]):.0f}% waiting for a core)"
        )
    return text


def run_overhead(repeats: int) -> dict[int, dict[str, float]]:
    problem = overhead_problem()
    runs: dict[int, dict[str, list[Run]]] = {
        n: {lib: [] for lib in LIBRARIES} for n in (1, 2)
    }
    for repeat in range(repeats):
        for n_jobs in (1, 2):
            for library in abba(repeat):
                runs[n_jobs][library].append(timed_fit(library, problem, n_jobs))
            check_same_results(
                runs[n_jobs]["ScoutSearchCV"][-1].search,
                runs[n_jobs]["GridSearchCV"][-1].search,
            )
        print(
            f"  repeat {repeat + 1}/{repeats}: "
            + ", ".join(
                f"n_jobs={n} {lib} {runs[n][lib][-1].wall:.2f}s"
                for n in (1, 2)
                for lib in LIBRARIES
            ),
            flush=True,
        )
    reference = runs[1]["GridSearchCV"][0].search
    fit_times = reference.cv_results_["mean_fit_time"]
    print(
        f"  {len(reference.cv_results_['params'])} candidates x {N_FOLDS} folds; "
        f"mean fit time per fold {1e3 * fit_times.mean():.2f} ms "
        f"(range {1e3 * fit_times.min():.2f}-{1e3 * fit_times.max():.2f} ms); "
        f"best_params_ {reference.best_params_} (identical in both)"
    )
    summary: dict[int, dict[str, float]] = {}
    for n_jobs in (1, 2):
        scout = [run.wall for run in runs[n_jobs]["ScoutSearchCV"]]
        grid = [run.wall for run in runs[n_jobs]["GridSearchCV"]]
        paired = [s / g for s, g in zip(scout, grid)]
        summary[n_jobs] = {"ratio": median(scout) / median(grid)}
        print(f"  n_jobs={n_jobs}:")
        for library in LIBRARIES:
            print(f"    {library:<14} {describe(runs[n_jobs][library])}")
        print(
            f"    ratio of medians {summary[n_jobs]['ratio']:.3f}; median of paired "
            f"ratios {median(paired):.3f} {spread(paired)}"
        )
    cpus = {lib: [run.cpu for run in runs[1][lib]] for lib in LIBRARIES}
    summary[1]["cpu_ratio"] = median(cpus["ScoutSearchCV"]) / median(cpus["GridSearchCV"])
    print(
        "  n_jobs=1 CPU time of this process (less sensitive to other load): "
        + ", ".join(f"{lib} median {median(v):.3f}s {spread(v)}" for lib, v in cpus.items())
        + f"; ratio {summary[1]['cpu_ratio']:.3f}"
    )
    return summary


def run_efficiency(repeats: int) -> dict[str, float]:
    problem = efficiency_problem()
    runs: dict[str, dict[int, list[Run]]] = {lib: {1: [], 2: []} for lib in LIBRARIES}
    for repeat in range(repeats):
        for library in abba(repeat):
            for n_jobs in (1, 2) if repeat % 2 == 0 else (2, 1):
                runs[library][n_jobs].append(timed_fit(library, problem, n_jobs))
        for n_jobs in (1, 2):
            check_same_results(
                runs["ScoutSearchCV"][n_jobs][-1].search,
                runs["GridSearchCV"][n_jobs][-1].search,
            )
        print(
            f"  repeat {repeat + 1}/{repeats}: "
            + ", ".join(
                f"{lib} n_jobs={n} {runs[lib][n][-1].wall:.2f}s"
                for lib in LIBRARIES
                for n in (1, 2)
            ),
            flush=True,
        )
    reference = runs["GridSearchCV"][1][0].search
    fit_times = reference.cv_results_["mean_fit_time"]
    print(
        f"  {len(reference.cv_results_['params'])} candidates x {N_FOLDS} folds; "
        f"fold fit time {1e3 * fit_times.min():.0f}-{1e3 * fit_times.max():.0f} ms "
        f"({fit_times.max() / fit_times.min():.1f}x, measured at n_jobs=1); "
        f"best_params_ {reference.best_params_} (identical in both)"
    )
    summary = {}
    for library in LIBRARIES:
        t1 = median([run.wall for run in runs[library][1]])
        t2 = median([run.wall for run in runs[library][2]])
        summary[library] = t1 / (2 * t2)
        # Estimate: what the efficiency would be if time spent waiting for a
        # core (other load) vanished; time with nothing to run still counts.
        free1 = median([r.wall * (1 - r.waiting_share) for r in runs[library][1]])
        free2 = median([r.wall * (1 - r.waiting_share) for r in runs[library][2]])
        adjusted = free1 / (2 * free2) if not math.isnan(free1 + free2) else math.nan
        print(
            f"  {library}: efficiency T1 / (2 * T2) = {summary[library]:.3f} "
            f"(estimate without the time spent waiting for a core: {adjusted:.3f})"
        )
        for n_jobs, name in ((1, "T1"), (2, "T2")):
            print(f"    {name} {describe(runs[library][n_jobs])}")
    return summary


def run_profile() -> None:
    """cProfile one ScoutSearchCV at n_jobs=1; print its own bookkeeping per call."""
    estimator, grid, X, y = overhead_problem()
    search = ScoutSearchCV(estimator, grid, cv=N_FOLDS, n_jobs=1)
    profiler = cProfile.Profile()
    profiler.enable()
    search.fit(X, y)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    wanted = {
        ("_loop.py", "run_search"): "whole search loop",
        ("_study.py", "ask"): "Study.ask (sampler, checks, storage, rng)",
        ("_base.py", "__repr__"): "  of which Sampler.__repr__",
        ("_study.py", "rng"): "  of which Study.rng",
        ("_grid.py", "ask"): "  of which GridSampler.ask",
        ("_loop.py", "record"): "Scheduler.record (record, summarize, tell)",
        ("_results.py", "summarize_trial"): "  of which summarize_trial",
        ("_evaluate.py", "_jobs"): "FoldRunner._jobs (clone + next task)",
        ("_evaluate.py", "fit_and_score"): "fit_and_score (fit + score)",
        ("_results.py", "build_cv_results"): "build_cv_results",
    }
    rows = {}
    for (filename, _, function), (_, ncalls, _, cumtime, _) in stats.items():
        key = (os.path.basename(filename), function)
        if "scout_sklearn" in filename and key in wanted:
            rows[key] = (ncalls, cumtime)
    print("  cProfile of one ScoutSearchCV fit at n_jobs=1 (profiler inflates times):")
    for key, label in wanted.items():
        if key in rows:
            ncalls, cumtime = rows[key]
            print(
                f"    {label:<44} {ncalls:>5} calls {1e3 * cumtime:>8.1f} ms "
                f"{1e6 * cumtime / ncalls:>9.1f} us/call"
            )


def run_storage(repeats: int) -> float:
    """Milliseconds per trial that a new SQLite file adds to a fit at n_jobs=1."""
    estimator, grid, X, y = overhead_problem()
    n_trials = len(grid["max_depth"]) * len(grid["min_samples_leaf"])
    memory, stored = [], []
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(repeats):
            for kind in ("memory", "sqlite") if repeat % 2 == 0 else ("sqlite", "memory"):
                storage = None if kind == "memory" else f"sqlite:///{folder}/r{repeat}.db"
                search = ScoutSearchCV(
                    estimator, grid, cv=N_FOLDS, n_jobs=1, storage=storage
                )
                gc.collect()
                start = time.perf_counter()
                search.fit(X, y)
                (memory if kind == "memory" else stored).append(time.perf_counter() - start)
            print(
                f"  repeat {repeat + 1}/{repeats}: in memory {memory[-1]:.2f}s, "
                f"with SQLite {stored[-1]:.2f}s",
                flush=True,
            )
    cost = 1000 * (median(stored) - median(memory)) / n_trials
    print(
        f"  {n_trials} trials: in memory median {median(memory):.3f}s {spread(memory)}, "
        f"with SQLite median {median(stored):.3f}s {spread(stored)}: "
        f"{cost:+.2f} ms per trial"
    )
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (~1.5 min)")
    parser.add_argument("--profile", action="store_true", help="add a cProfile breakdown")
    args = parser.parse_args()
    overhead_repeats, efficiency_repeats = (3, 1) if args.quick else (5, 3)

    start = time.perf_counter()
    print(
        f"Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"joblib {joblib.__version__}, numpy {np.__version__}; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print("Warming up (loky workers, imports)...", flush=True)
    warm_up()

    print(
        f"\n1. Overhead: 300 candidates x {N_FOLDS} folds, DecisionTreeClassifier on "
        f"wine, {overhead_repeats} repeats (medians, [min .. max])",
        flush=True,
    )
    overhead = run_overhead(overhead_repeats)

    print(
        f"\n2. Parallel efficiency: 20 candidates x {N_FOLDS} folds, "
        f"GradientBoostingClassifier on breast cancer, n_estimators 10-100, "
        f"{efficiency_repeats} repeat(s)",
        flush=True,
    )
    efficiency = run_efficiency(efficiency_repeats)

    print(
        f"\n3. Storage: the overhead grid at n_jobs=1, in memory and with a new "
        f"SQLite file, {overhead_repeats} repeats",
        flush=True,
    )
    storage_ms = run_storage(overhead_repeats)

    if args.profile:
        print("\n4. Profile")
        run_profile()

    scout_eff = efficiency["ScoutSearchCV"]
    grid_eff = efficiency["GridSearchCV"]
    rows = [
        (
            "overhead ratio Scout/Grid, n_jobs=1",
            f"{overhead[1]['ratio']:.3f}",
            f"<= {OVERHEAD_TARGET}",
            verdict(overhead[1]["ratio"] <= OVERHEAD_TARGET),
        ),
        (
            "overhead ratio Scout/Grid, n_jobs=2",
            f"{overhead[2]['ratio']:.3f}",
            f"<= {OVERHEAD_TARGET}",
            verdict(overhead[2]["ratio"] <= OVERHEAD_TARGET),
        ),
        (
            "parallel efficiency ScoutSearchCV",
            f"{scout_eff:.3f}",
            f">= {EFFICIENCY_TARGET}",
            verdict(scout_eff >= EFFICIENCY_TARGET),
        ),
        ("parallel efficiency GridSearchCV", f"{grid_eff:.3f}", "(reference)", "-"),
        (
            "SQLite storage cost per trial",
            f"{storage_ms:+.2f} ms",
            f"<= {STORAGE_TARGET_MS} ms",
            verdict(storage_ms <= STORAGE_TARGET_MS),
        ),
    ]
    print(f"\nSummary (medians; load average now {os.getloadavg()[0]:.2f})")
    header = ("measure", "value", "target", "result")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    print(f"Total time {time.perf_counter() - start:.0f}s")


if __name__ == "__main__":
    sys.exit(main())
