"""Benchmark our SQL storage against Optuna's RDBStorage, in one run.

Run it with ``python benchmarks/storage.py`` (a few minutes; needs Optuna
and optuna-integration, and PostgreSQL at ``--postgres`` for that part).

1. Throughput: trials per second written through the storage for a trivial
   objective (params from a random sampler, the value returned at once),
   1,000 trials, on a SQLite file and on PostgreSQL; one process, then 4
   processes sharing one study. Same database, same sampler kind for both
   libraries: only the storage cost differs. The clock runs from the first
   process's first trial to the last process's last one (process start,
   imports and schema creation are left out, for both). Target: at least
   5x Optuna. PostgreSQL runs in a database created for the run and
   dropped after it.
   Ours is also shown with 5 fold results written per trial (what a
   5-fold ScoutSearchCV writes), which Optuna's trivial objective does not.
2. Inside a fit: what ``storage="sqlite:///..."`` adds per trial to a
   search of a cheap estimator (a decision tree on wine, 3 folds), over the
   same search in memory, for ScoutSearchCV and for OptunaSearchCV. Target:
   ours at most a tenth of Optuna's, and at most 3 ms per trial. Imports
   are paid before timing; the per-fit setup (creating the tables in a new
   file, the study's fingerprint) is in the timing, spread over the trials.

Each number is the median of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import require_modules, verdict

N_TRIALS = 1000
N_PROCESSES = 4


# -- 1. throughput -------------------------------------------------------------------
def ours_worker(
    url: str, prefix: str, study: str, n_trials: int, n_folds: int, clock: Any
) -> None:
    from scout_sklearn import FoldResult, Study
    from scout_sklearn.distributions import Float
    from scout_sklearn.samplers import RandomSampler
    from scout_sklearn.storage import SQLStorage

    storage = SQLStorage(url, table_prefix=prefix)
    space = {"x": Float(-10.0, 10.0)}
    study_ = Study(
        space,
        sampler=RandomSampler(),
        storage=storage,
        name=study,
        seed=0,
        load_if_exists=True,
    )
    start = time.time()
    for _ in range(n_trials):
        trial = study_.ask()
        value = -(trial.params["x"] ** 2)
        for k in range(n_folds):
            study_.record(
                trial.number,
                FoldResult(
                    fold=k,
                    test_scores={"score": value},
                    train_scores=None,
                    fit_time=0.001,
                    score_time=0.0001,
                    n_test_samples=30,
                ),
            )
        study_.tell(trial.number, value)
    clock.put((start, time.time()))


def optuna_worker(url: str, study: str, n_trials: int, clock: Any) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(url)
    s = optuna.create_study(
        study_name=study,
        storage=storage,
        load_if_exists=True,
        direction="maximize",
        sampler=optuna.samplers.RandomSampler(seed=0),
    )
    start = time.time()
    s.optimize(lambda t: -(t.suggest_float("x", -10.0, 10.0) ** 2), n_trials=n_trials)
    clock.put((start, time.time()))


def prepare_optuna(url: str, study: str) -> None:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    optuna.create_study(
        study_name=study, storage=optuna.storages.RDBStorage(url), direction="maximize"
    )


def run_processes(target: Any, args_list: list[tuple[Any, ...]]) -> float:
    """Seconds from the first process's first trial to the last one's last."""
    context = multiprocessing.get_context("spawn")
    clock = context.Queue()
    processes = [context.Process(target=target, args=(*args, clock)) for args in args_list]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a benchmark process failed ({process.exitcode})")
    spans = [clock.get() for _ in processes]
    return max(end for _, end in spans) - min(start for start, _ in spans)


def throughput(url: str, label: str, n_processes: int, repeats: int) -> dict[str, float]:
    """Trials per second for each library on ``url``."""
    rates: dict[str, list[float]] = {"scout": [], "scout (5 folds)": [], "optuna": []}
    per_process = N_TRIALS // n_processes
    for _ in range(repeats):
        # Startup (imports, engine, schema) is paid once per process by both;
        # it is timed too, as a user waiting for a worker pays it.
        name, prefix = f"b{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:6]}_"
        args: list[tuple[Any, ...]] = [(url, prefix, name, per_process, 0)] * n_processes
        rates["scout"].append(N_TRIALS / run_processes(ours_worker, args))
        name = f"b{uuid.uuid4().hex[:8]}"
        args = [(url, prefix, name, per_process, 5)] * n_processes
        rates["scout (5 folds)"].append(N_TRIALS / run_processes(ours_worker, args))
        name = f"b{uuid.uuid4().hex[:8]}"
        # Optuna's RDBStorage cannot be opened on a fresh database by several
        # processes at once (they race to create its tables and its
        # alembic_version row, and all but one crash): create it here first.
        prepare_optuna(url, name)
        args = [(url, name, per_process)] * n_processes
        rates["optuna"].append(N_TRIALS / run_processes(optuna_worker, args))
    result = {k: statistics.median(v) for k, v in rates.items()}
    ratio = result["scout"] / result["optuna"]
    print(
        f"{label:<28} {n_processes} proc  scout {result['scout']:7.0f}/s   "
        f"scout+5 folds {result['scout (5 folds)']:7.0f}/s   optuna "
        f"{result['optuna']:6.0f}/s   ratio {ratio:5.1f}x  "
        f"{verdict(ratio >= 5)} (target >= 5x)",
        flush=True,
    )
    return result


# -- 2. inside a fit -----------------------------------------------------------------
def fit_cost(storage: str | None, library: str, n_trials: int) -> float:
    """Seconds for one search of n_trials trials."""
    from sklearn.datasets import load_wine
    from sklearn.tree import DecisionTreeClassifier

    X, y = load_wine(return_X_y=True)
    estimator = DecisionTreeClassifier(random_state=0)
    if library == "scout":
        from scout_sklearn import Int, ScoutSearchCV

        search: Any = ScoutSearchCV(
            estimator,
            {"max_depth": Int(1, 20), "min_samples_leaf": Int(1, 20)},
            sampler="random",
            n_trials=n_trials,
            cv=3,
            random_state=0,
            refit=False,
            storage=storage,
            study_name=f"fit-{uuid.uuid4().hex[:8]}",
        )
    else:
        import optuna
        from optuna.distributions import IntDistribution
        from optuna_integration import OptunaSearchCV

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(
            storage=storage,
            direction="maximize",
            sampler=optuna.samplers.RandomSampler(seed=0),
        )
        search = OptunaSearchCV(
            estimator,
            {
                "max_depth": IntDistribution(1, 20),
                "min_samples_leaf": IntDistribution(1, 20),
            },
            n_trials=n_trials,
            cv=3,
            refit=False,
            study=study,
            random_state=0,
        )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return time.perf_counter() - start


def in_fit(directory: Path, n_trials: int, repeats: int) -> None:
    costs: dict[str, float] = {}
    for library in ("scout", "optuna"):
        # Imports (SQLAlchemy, the storage modules) are paid once per process,
        # not per trial: pay them before timing, for both libraries.
        fit_cost(f"sqlite:///{directory / f'warm-{library}.db'}", library, 2)
        memory, stored = [], []
        for r in range(repeats):
            url = f"sqlite:///{directory / f'fit-{library}-{r}.db'}"
            # Alternate which goes first, so drift hurts both alike.
            if r % 2 == 0:
                memory.append(fit_cost(None, library, n_trials))
                stored.append(fit_cost(url, library, n_trials))
            else:
                stored.append(fit_cost(url, library, n_trials))
                memory.append(fit_cost(None, library, n_trials))
        extra = (statistics.median(stored) - statistics.median(memory)) / n_trials * 1e3
        costs[library] = extra
        print(
            f"{library:<7} in memory {statistics.median(memory):6.2f} s, with SQLite "
            f"{statistics.median(stored):6.2f} s for {n_trials} trials: "
            f"+{extra:5.2f} ms per trial",
            flush=True,
        )
    ours, theirs = costs["scout"], costs["optuna"]
    print(
        f"storage cost per trial: scout {ours:.2f} ms, optuna {theirs:.2f} ms; "
        f"{verdict(ours <= 3.0)} (target <= 3 ms), "
        f"{verdict(ours <= theirs / 10)} (target <= a tenth of Optuna's)"
    )


class ScratchDatabase:
    """A PostgreSQL database made for this run, dropped (with all in it) after."""

    def __init__(self, server_url: str) -> None:
        import sqlalchemy as sa

        self._sa = sa
        self._server = sa.make_url(server_url)
        self.name = f"scout_bench_{uuid.uuid4().hex[:8]}"
        self.url = self._server.set(database=self.name).render_as_string(
            hide_password=False
        )

    def _admin(self, statement: str) -> None:
        engine = self._sa.create_engine(self._server, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(self._sa.text(statement))
        engine.dispose()

    def __enter__(self) -> str:
        self._admin(f"CREATE DATABASE {self.name}")
        return self.url

    def __exit__(self, *exc_info: object) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "SCOUT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="PostgreSQL URL for the PostgreSQL rows ('' to skip them)",
    )
    parser.add_argument("--fit-trials", type=int, default=200)
    args = parser.parse_args()
    require_modules(
        "storage.py", {"optuna": "optuna", "optuna_integration": "optuna-integration"}
    )
    print(f"{N_TRIALS} trivial trials per measurement, median of {args.repeats} runs")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for n_processes in (1, N_PROCESSES):
            url = f"sqlite:///{directory / f'throughput-{n_processes}.db'}"
            throughput(url, "SQLite file", n_processes, args.repeats)
        if args.postgres:
            with ScratchDatabase(args.postgres) as url:
                for n_processes in (1, N_PROCESSES):
                    throughput(url, "PostgreSQL", n_processes, args.repeats)
        in_fit(directory, args.fit_trials, args.repeats)


if __name__ == "__main__":
    main()
