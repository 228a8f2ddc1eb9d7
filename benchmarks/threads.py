"""Oversubscription: boosting libraries' own threads under a parallel search.

Each of XGBoost, LightGBM and CatBoost runs a small grid (4 points x 3
folds) with the search at ``n_jobs=-1``, on each of joblib's loky and
threading backends and on Dask (a ``LocalCluster`` of one single-threaded
process worker per core), with the estimator's thread count as users leave
it (``None``: XGBoost and LightGBM then take every core through OpenMP,
CatBoost's ``thread_count=-1`` every core) and as copied code often sets it
(the core count). Timed side by side in one run:

- ``GridSearchCV``: nothing caps the estimator's threads beyond what the
  backend does (loky workers limit OpenMP through the environment; an
  explicit thread count, CatBoost's, the threading backend and Dask's
  workers are not limited);
- ``ScoutSearchCV`` at its default ``inner_max_num_threads="auto"``: each
  fold capped at ``cores // workers`` threads (the estimator's own thread
  parameter and the OpenMP/BLAS pools through threadpoolctl).

Run: ``python benchmarks/threads.py [--repeats 3] [--n-samples 3000]
[--libraries xgboost,lightgbm,catboost] [--backends loky,threading,dask]``.
Each cell is the median of ``--repeats`` runs, the two searches alternating
so that a change in load hits both. Target (issue 19): ScoutSearchCV at
least as fast as GridSearchCV in every cell (ratio <= 1), and clearly
faster where GridSearchCV oversubscribes. The load average is printed at
both ends: a run on a busy machine measures the machine.

Where neither search oversubscribes, both run the same fits and their
medians differ by the machine's noise, so the strict ratio <= 1 is a coin
toss there. Each cell therefore also pairs its runs (the k-th run of each)
and counts the pairs in which ScoutSearchCV was slower: with an exact
one-sided sign test, a cell is *measurably slower* when that count is
unlikely (p < 0.05) for two searches of equal speed. Both verdicts are
printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from joblib import cpu_count, parallel_config
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from scout_sklearn import ScoutSearchCV

# Dask's worker processes start from this file with the parent's sys.path,
# from which the lines below take this folder out: put it back for _common.
_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE))

from _common import require_modules, slower_pairs, verdict  # noqa: E402

# benchmarks/distributed.py shares Dask's package name: with this folder on
# sys.path, "import distributed" (which dask.distributed does) would find it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

ROUNDS = 80


def estimators(
    cores: int,
) -> dict[str, tuple[Callable[[int | None], Any], dict[str, list[Any]]]]:
    """Library -> (estimator for a thread count, its grid of 4 points)."""

    def xgb(threads: int | None) -> Any:
        from xgboost import XGBClassifier

        return XGBClassifier(
            n_estimators=ROUNDS, tree_method="hist", n_jobs=threads, random_state=0
        )

    def lgbm(threads: int | None) -> Any:
        from lightgbm import LGBMClassifier

        return LGBMClassifier(
            n_estimators=ROUNDS, n_jobs=threads, verbose=-1, random_state=0
        )

    def cat(threads: int | None) -> Any:
        from catboost import CatBoostClassifier

        return CatBoostClassifier(
            iterations=ROUNDS,
            thread_count=-1 if threads is None else threads,
            verbose=False,
            random_seed=0,
            allow_writing_files=False,
        )

    return {
        "xgboost": (xgb, {"max_depth": [3, 6], "learning_rate": [0.1, 0.3]}),
        "lightgbm": (lgbm, {"num_leaves": [15, 31], "learning_rate": [0.1, 0.3]}),
        "catboost": (cat, {"depth": [4, 6], "learning_rate": [0.1, 0.3]}),
    }


@contextlib.contextmanager
def backend(name: str, cores: int) -> Iterator[None]:
    if name != "dask":
        with parallel_config(backend=name):
            yield
        return
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
        parallel_config(backend="dask"),
    ):
        yield


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--n-samples", type=int, default=3000)
    parser.add_argument("--libraries", default="xgboost,lightgbm,catboost")
    parser.add_argument("--backends", default="loky,threading,dask")
    args = parser.parse_args()
    libraries = args.libraries.split(",")
    backends = args.backends.split(",")
    needed = {"xgboost": "xgboost-cpu", "lightgbm": "lightgbm", "catboost": "catboost"}
    require_modules(
        "threads.py",
        {k: v for k, v in needed.items() if k in libraries}
        | ({"dask.distributed": "distributed"} if "dask" in backends else {}),
    )
    warnings.filterwarnings("ignore")
    cores = cpu_count()
    X, y = make_classification(n_samples=args.n_samples, n_features=20, random_state=0)
    print(
        f"{cores} cores; {args.n_samples} rows x 20 features, {ROUNDS} rounds, "
        f"4 candidates x 3 folds, search n_jobs=-1; median of {args.repeats}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    table = []
    for backend_name in backends:
        with backend(backend_name, cores):
            for library in libraries:
                make, grid = estimators(cores)[library]
                for threads in (None, cores):
                    estimator = make(threads)

                    def run_grid(estimator: Any = estimator, grid: Any = grid) -> None:
                        GridSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X, y)

                    def run_scout(estimator: Any = estimator, grid: Any = grid) -> None:
                        ScoutSearchCV(estimator, grid, cv=3, n_jobs=-1).fit(X, y)

                    contenders = {"grid": run_grid, "scout": run_scout}
                    run_grid()  # warm-up: imports, workers, the first thread teams
                    times: dict[str, list[float]] = {"grid": [], "scout": []}
                    for repeat in range(args.repeats):
                        order = ["grid", "scout"] if repeat % 2 == 0 else ["scout", "grid"]
                        for name in order:
                            start = time.perf_counter()
                            contenders[name]()
                            times[name].append(time.perf_counter() - start)
                    g, s = (statistics.median(times[k]) for k in ("grid", "scout"))
                    row = (
                        backend_name,
                        library,
                        "as left" if threads is None else str(threads),
                        g,
                        s,
                        slower_pairs(times["grid"], times["scout"]),
                    )
                    table.append(row)
                    print(
                        f"  {backend_name:9s} {library:9s} threads {row[2]:7s}: "
                        f"GridSearchCV {g:6.2f}s  ScoutSearchCV {s:6.2f}s  x{s / g:.2f}  "
                        f"(runs {[round(t, 2) for t in times['grid']]} / "
                        f"{[round(t, 2) for t in times['scout']]}, "
                        f"load {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
    print(
        "\nbackend    library    estimator threads   GridSearchCV  ScoutSearchCV  ratio"
        "         pairs slower (sign test)"
    )
    for backend_name, library, threads, g, s, (slower, n, p) in table:
        print(
            f"{backend_name:10s} {library:10s} {threads:19s} {g:10.2f}s {s:12.2f}s  "
            f"x{s / g:.2f}  {verdict(s <= g)}  {slower} of {n} (p={p:.3f})"
            f"{'  measurably slower' if p < 0.05 else ''}"
        )
    n_ok = sum(row[4] <= row[3] for row in table)
    n_not_slower = sum(row[5][2] >= 0.05 for row in table)
    print(
        f"\nTarget: ScoutSearchCV at least as fast as GridSearchCV in every cell: "
        f"{n_ok} of {len(table)}  {verdict(n_ok == len(table))}"
        f"\nNot measurably slower (sign test, p >= 0.05) in every cell: "
        f"{n_not_slower} of {len(table)}  {verdict(n_not_slower == len(table))}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
