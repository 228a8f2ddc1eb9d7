"""Oversubscription: a LightGBM grid on joblib's threading backend.

LightGBM with ``n_jobs=2`` (as copied code often sets it) under a search of
``n_jobs=-1`` on the threading backend runs workers x 2 OpenMP threads on
the cores: on 2 cores, 4 threads. The same grid, backend and estimator,
timed side by side:

- ``GridSearchCV``: nothing caps the estimator's threads;
- ``ScoutSearchCV`` with ``inner_max_num_threads=None``: neither (the same
  oversubscription, our loop);
- ``ScoutSearchCV`` with the default ``inner_max_num_threads="auto"``:
  each fold capped at cores // workers threads (estimator ``n_jobs`` and
  the OpenMP/BLAS pools).

Run: ``python benchmarks/threads.py [--repeats 3] [--n-samples 4000]``.
Prints each run's wall seconds, the medians, and the load average (the
machine may be shared: compare the columns of one run, not runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from joblib import cpu_count, parallel_config
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from scout_sklearn import ScoutSearchCV

GRID = {"num_leaves": [15, 31], "learning_rate": [0.05, 0.1, 0.2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-samples", type=int, default=4000)
    parser.add_argument("--estimator-n-jobs", type=int, default=2)
    args = parser.parse_args()
    from lightgbm import LGBMClassifier

    X, y = make_classification(n_samples=args.n_samples, n_features=20, random_state=0)
    estimator = LGBMClassifier(
        n_estimators=100, n_jobs=args.estimator_n_jobs, verbose=-1, random_state=0
    )

    def grid() -> object:
        return GridSearchCV(estimator, GRID, cv=3, n_jobs=-1).fit(X, y)

    def scout(inner: str | None) -> Callable[[], object]:
        def run() -> object:
            return ScoutSearchCV(
                estimator, GRID, cv=3, n_jobs=-1, inner_max_num_threads=inner
            ).fit(X, y)

        return run

    contenders = {
        "GridSearchCV": grid,
        "Scout inner=None": scout(None),
        "Scout inner=auto": scout("auto"),
    }
    print(
        f"LightGBM grid of {len(GRID['num_leaves']) * len(GRID['learning_rate'])} x "
        f"3 folds, {args.n_samples} rows, estimator n_jobs={args.estimator_n_jobs}, "
        f"search n_jobs=-1, threading backend, {cpu_count()} cores"
    )
    times: dict[str, list[float]] = {name: [] for name in contenders}
    with parallel_config(backend="threading"):
        grid()  # warm-up: imports, the first OpenMP team
        for repeat in range(args.repeats):
            # Rotate the order so that a change in the machine's load hits all.
            names = list(contenders)
            names = names[repeat % len(names) :] + names[: repeat % len(names)]
            for name in names:
                start = time.perf_counter()
                contenders[name]()
                times[name].append(time.perf_counter() - start)
            print(
                f"run {repeat}: "
                + "  ".join(f"{name} {times[name][-1]:.2f}s" for name in contenders)
                + f"  (load {os.getloadavg()[0]:.1f})"
            )
    reference = statistics.median(times["GridSearchCV"])
    for name in contenders:
        median = statistics.median(times[name])
        print(
            f"{name:18s} median {median:6.2f}s  x{median / reference:.2f} of GridSearchCV"
        )


if __name__ == "__main__":
    main()
