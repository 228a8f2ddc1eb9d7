"""The search on a Dask cluster: bytes to the workers, efficiency, a lost worker.

Run it from the repository root with ``python benchmarks/distributed.py``
(about five minutes on 2 cores; ``--workers`` for another cluster size,
``--rows`` for another data size). Everything runs on a ``LocalCluster`` of
process workers (one thread each) on 127.0.0.1, through joblib's Dask
backend (``parallel_config(backend="dask")``), with the same grid of a
LogisticRegression (12 values of C x 2 of ``class_weight``, 3 folds: 72
fits of about a tenth of a second) on ``make_classification`` data of
``--rows`` x 100 float64 (8 MB at the default 10,000 rows).

It prints, for ScoutSearchCV and for GridSearchCV on the same cluster:

- the bytes the worker processes read from their Dask connections (from
  the scheduler, the client and each other: Dask's TCP reads, counted in
  each worker), beside the size of X and y: "X and y once per worker, not
  per task" means about ``workers x (X + y)`` plus the tasks' own small
  payloads;
- the wall time on ``--workers`` workers and on one core (the same search
  in this process at ``n_jobs=1`` with one BLAS thread, no Dask), and the
  parallel efficiency ``T(1 core) / (workers x T(workers))``;
- then a ScoutSearchCV search during which one worker process is killed
  with SIGKILL once some folds are done: the fits run in all (counted by the
  estimator itself in a file) against the 72 the grid needs; the difference
  is what the lost worker cost.

Targets (issue 19): X sent once per worker; efficiency at least
GridSearchCV's on the same cluster.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GridSearchCV

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import require_modules, verdict

HERE = Path(__file__).resolve().parent

# This file is named distributed.py, like Dask's package: with its folder on
# sys.path (where Python puts a script's folder), "import distributed"
# would import this file again.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

GRID = {"learning_rate": list(np.logspace(-2, 0, 12)), "max_leaf_nodes": [7, 31]}
N_FITS = 12 * 2 * 3


class CountedBoosting(HistGradientBoostingClassifier):
    """30 rounds of gradient boosting that append a line to ``log`` at every fit."""

    def __init__(
        self, learning_rate: float = 0.1, max_leaf_nodes: int = 31, log: str = ""
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            max_leaf_nodes=max_leaf_nodes,
            max_iter=30,
            early_stopping=False,
            random_state=0,
        )
        self.log = log

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> CountedBoosting:
        if self.log:
            with open(self.log, "a") as handle:
                handle.write(f"{os.getpid()}\n")
        return super().fit(X, y, sample_weight=sample_weight)


def _count_reads() -> None:
    """In a worker: count the bytes its Dask connections read from now on."""
    import distributed.comm.tcp as tcp

    if hasattr(tcp, "scout_bytes_read"):
        return
    original = tcp.read_bytes_rw
    tcp.scout_bytes_read = 0  # type: ignore[attr-defined]

    async def counted(stream: Any, n: int) -> Any:
        tcp.scout_bytes_read += n  # type: ignore[attr-defined]
        return await original(stream, n)

    tcp.read_bytes_rw = counted


def _bytes_read() -> int:
    import distributed.comm.tcp as tcp

    return int(getattr(tcp, "scout_bytes_read", 0))


def received(client: Any) -> int:
    """Bytes the workers have read from Dask connections (from anyone) so far."""
    client.run(_count_reads)
    return sum(client.run(_bytes_read).values())


def cluster(n_workers: int) -> Any:
    import distributed

    local = distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    return local, distributed.Client(local)


def run(
    kind: str,
    X: np.ndarray,
    y: np.ndarray,
    client: Any,
    log: str = "",
    scatter: bool = False,
) -> Any:
    """One search: (seconds, bytes the workers read, the fitted search).

    On the client's cluster, or with ``client=None`` in this process at
    ``n_jobs=1`` with one BLAS thread (the baseline: one core, no Dask).
    """
    from joblib import parallel_config
    from threadpoolctl import threadpool_limits

    from scout_sklearn import ScoutSearchCV

    estimator = CountedBoosting(log=log)
    n_jobs = 1 if client is None else -1
    if kind.startswith("scout"):
        search: Any = ScoutSearchCV(estimator, GRID, cv=3, n_jobs=n_jobs, refit=False)
    else:
        search = GridSearchCV(estimator, GRID, cv=3, n_jobs=n_jobs, refit=False)
    if client is None:
        started = time.perf_counter()
        with threadpool_limits(limits=1):
            search.fit(X, y)
        return time.perf_counter() - started, 0, search
    config = {"scatter": [X, y]} if scatter else {}
    before = received(client)
    started = time.perf_counter()
    with parallel_config(backend="dask", **config):
        search.fit(X, y)
    seconds = time.perf_counter() - started
    return seconds, received(client) - before, search


def killed_worker(X: np.ndarray, y: np.ndarray, n_workers: int) -> tuple[int, str]:
    """Fits run when one worker is SIGKILLed mid-search, and how the search ended."""
    local, client = cluster(n_workers)
    with tempfile.TemporaryDirectory() as directory:
        log = os.path.join(directory, "fits.log")
        Path(log).touch()
        outcome: dict[str, Any] = {}

        def search() -> None:
            try:
                outcome["result"] = run("scout", X, y, client, log=log)
            except BaseException as error:  # noqa: BLE001 - reported below
                outcome["error"] = error

        thread = threading.Thread(target=search)
        thread.start()
        deadline = time.monotonic() + 300
        while len(Path(log).read_text().splitlines()) < N_FITS // 3:
            if time.monotonic() > deadline or not thread.is_alive():
                break
            time.sleep(0.02)
        victim = next(iter(client.run(os.getpid).values()))
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=600)
        fits = len(Path(log).read_text().splitlines())
    client.close()
    local.close()
    if "error" in outcome:
        return fits, f"failed: {type(outcome['error']).__name__}: {outcome['error']}"
    search = outcome["result"][2]
    complete = sum(state == "COMPLETE" for state in search.cv_results_["state"])
    return fits, f"finished, {complete} of 24 trials COMPLETE"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    require_modules("distributed.py", {"distributed": "distributed"})
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    X, y = make_classification(n_samples=args.rows, n_features=100, random_state=0)
    data_bytes = X.nbytes + y.nbytes
    print(
        f"X {X.shape} + y: {data_bytes / 1e6:.1f} MB; {N_FITS // 3} params x 3 "
        f"folds = {N_FITS} fits; LocalCluster of process workers, 1 thread each; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    results: dict[tuple[str, int], tuple[float, int]] = {}
    local, client = cluster(args.workers)
    for kind in ("scout", "scout-scatter", "grid"):
        run(kind, X[:200], y[:200], client)  # warm the workers up (imports)
        scatter = kind == "scout-scatter"
        results[(kind, args.workers)] = run(kind, X, y, client, scatter=scatter)[:2]
        results[(kind, 1)] = run(kind, X, y, None)[:2]
    client.close()
    local.close()
    w = args.workers
    print(
        f"\n{'':<16}{f'{w} workers':>10}{'1 core':>8}{'efficiency':>12}{'MB read':>9}"
        f"{'/ (X + y)':>11}"
    )
    efficiency = {}
    names = {
        "scout": "ScoutSearchCV",
        "scout-scatter": "  scatter=[X, y]",
        "grid": "GridSearchCV",
    }
    for kind, name in names.items():
        many, read = results[(kind, w)]
        one, _ = results[(kind, 1)]
        efficiency[kind] = one / (w * many)
        print(
            f"{name:<16}{many:9.2f}s{one:7.2f}s{efficiency[kind]:12.2f}"
            f"{read / 1e6:9.1f}{read / data_bytes:11.2f}"
        )
    scout_read = results[("scout-scatter", w)][1]
    once = scout_read <= (w + 0.5) * data_bytes
    print(
        f"\nwith scatter=[X, y], X and y sent at most once per worker ({w} x "
        f"{data_bytes / 1e6:.1f} MB; the workers read {scout_read / 1e6:.1f} MB): "
        f"{verdict(once)}"
    )
    print(
        f"efficiency at least GridSearchCV's ({efficiency['scout']:.2f} vs "
        f"{efficiency['grid']:.2f}): {verdict(efficiency['scout'] >= efficiency['grid'])}"
    )
    fits, outcome = killed_worker(X, y, w)
    print(
        f"\none of {w} workers killed with SIGKILL after about {N_FITS // 3} fits: "
        f"{outcome}; {fits} fits run for the {N_FITS} the grid needs "
        f"({fits - N_FITS} run again)"
    )


if __name__ == "__main__":
    main()
