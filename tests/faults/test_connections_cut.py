"""Database connections cut again and again while a search runs.

PostgreSQL's ``pg_terminate_backend`` and MariaDB's ``KILL``, sent from a
connection of their own at moments drawn from a seeded RNG, end the
search's sessions wherever they are: mid-transaction, mid-commit, idle in
the pool. The search must finish with every requested trial COMPLETE, each
grid point once and each fold once. The last test makes the worst case of a
cut happen every time: a COMMIT applied by the server whose answer is lost.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from contracts.storage import end_postgres_sessions
from sklearn.datasets import load_iris

from faults._harness import FaultCounts, knn_search
from faults.conftest import fresh_database
from scout_sklearn import FoldResult, Study, TrialState
from scout_sklearn.storage import SQLStorage, _sql

SEED = 23
N_TRIALS = 200  # the whole grid: some 2 s of writes, and a dozen cuts or more
# Seconds between two cuts: drawn in this range, so that they land at every
# stage of a trial's writes (a trial takes some 10 to 30 ms here).
BETWEEN_CUTS = (0.02, 0.15)
# Cuts that ended a session, at most: each costs reconnects (MariaDB's are
# slow), and the suite's time is counted.
MAX_CUTS = 15


def _kill_mariadb_sessions(url: str) -> int:
    """KILL every session on ``url``'s database but the killer's own; return how many."""
    database = sa.make_url(url).database
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            ids = conn.execute(
                sa.text(
                    "SELECT id FROM information_schema.processlist "
                    "WHERE db = :db AND id <> CONNECTION_ID()"
                ),
                {"db": database},
            ).scalars()
            killed = 0
            for session in list(ids):
                try:
                    conn.execute(sa.text(f"KILL {int(session)}"))
                    killed += 1
                except sa.exc.OperationalError:  # ended meanwhile
                    pass
            return killed
    finally:
        engine.dispose()


@pytest.fixture
def target(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, str, Callable[[], int]]]:
    """(url for the search, table prefix, a function that cuts its connections)."""
    kind = request.node.callspec.params["kind"]
    if kind == "mysql":
        url = request.getfixturevalue("mysql_database")
        yield url, "c_", lambda: _kill_mariadb_sessions(url)
        return
    for url, prefix in fresh_database(kind, tmp_path):
        tag = f"scoutcut{uuid.uuid4().hex[:8]}"
        yield (
            f"{url}?application_name={tag}",
            prefix,
            lambda url=url, tag=tag: end_postgres_sessions(url, tag),
        )


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_connections_cut_mid_batch_lose_and_duplicate_nothing(
    target: tuple[str, str, Callable[[], int]], kind: str, fault_counts: FaultCounts
) -> None:
    """Proves that a search survives its sessions being ended every few tens of ms.

    Each cut that ended at least one session counts as a fault. The check
    compares the stored trials with themselves (nothing was COMPLETE before)
    and with the requested count: all there, all COMPLETE, none twice.
    """
    url, prefix, cut = target
    X, y = load_iris(return_X_y=True)
    storage = SQLStorage(url, table_prefix=prefix)
    finished = threading.Semaphore(0)  # released at each trial's end

    def count(study: Any, trial: Any) -> None:
        finished.release()

    search = knn_search(storage, "cut", N_TRIALS, count)
    rng = random.Random(SEED)
    done = threading.Event()
    cuts: list[int] = []
    errors: list[BaseException] = []

    def cut_repeatedly() -> None:
        # After a cut that landed, the next waits for a trial to finish: the
        # storage retries a write once on a fresh connection, and on a busy
        # machine a delay alone could cut that retry too (a server that ends
        # every session faster than one write runs is down, not faulty).
        try:
            while not done.wait(rng.uniform(*BETWEEN_CUTS)):
                while finished.acquire(blocking=False):  # trials ended before it
                    pass
                cuts.append(cut())
                if sum(1 for n in cuts if n) >= MAX_CUTS:
                    return
                while cuts[-1] and not done.is_set() and not finished.acquire(timeout=0.1):
                    pass
        except BaseException as err:  # noqa: BLE001 - handed to the test
            errors.append(err)

    cutter = threading.Thread(target=cut_repeatedly)
    cutter.start()
    try:
        search.fit(X, y)
    finally:
        done.set()
        cutter.join()
    assert not errors, errors
    fault_counts.injected += sum(1 for n in cuts if n)
    fault_counts.finished += 1

    assert sum(1 for n in cuts if n) >= 3, f"too few cuts landed: {cuts}"
    fault_counts.check({}, storage, "cut", grid=True)
    trials, _ = storage.read_trials("cut")
    assert [t.number for t in trials] == list(range(N_TRIALS))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    assert all(sorted(f.fold for f in t.fold_results) == [0, 1] for t in trials)
    assert search.n_trials_ == N_TRIALS


def _dropped_error(kind: str) -> Exception:
    """What the driver raises when the server ends the session (or the file closes)."""
    if kind == "postgresql":
        import psycopg

        return psycopg.errors.AdminShutdown("terminating connection (a test's)")
    import sqlite3

    return sqlite3.ProgrammingError("Cannot operate on a closed database.")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_write_whose_connection_drops_after_its_commit_is_not_applied_twice(
    database: tuple[str, str],
    kind: str,
    monkeypatch: pytest.MonkeyPatch,
    fault_counts: FaultCounts,
) -> None:
    """Proves, without timing luck, what the cuts above find by chance: each
    write of a trial's life, committed and then told "connection lost", is
    recognised on the retry. Before the fix: ``ask`` left its trial RUNNING
    and took the next number, ``record`` stored the fold twice, ``tell``
    failed with TrialStateError, and ``reclaim`` returned None.
    """
    url, prefix = database
    storage = SQLStorage(url, table_prefix=prefix)
    original = _sql._Transaction.run
    drops: list[int] = []

    def commit_then_drop(
        self: Any, steps: Any, params: Any, *, commit: bool = False
    ) -> Any:
        results = original(self, steps, params, commit=commit)
        if commit and not drops:
            drops.append(1)
            raise _dropped_error(kind)
        return results

    def dropping(write: Callable[[], Any]) -> Any:
        drops.clear()
        with monkeypatch.context() as patch:
            patch.setattr(_sql._Transaction, "run", commit_then_drop)
            result = write()
        assert drops, "the write was not cut"
        fault_counts.injected += 1
        return result

    study = Study({"C": [0.1, 1.0, 10.0]}, storage=storage, name="ambiguous", seed=0)
    trial = dropping(study.ask)
    assert trial.number == 0
    fold = FoldResult(
        fold=0,
        test_scores={"score": 0.5},
        train_scores=None,
        fit_time=0.0123,
        score_time=0.001,
        n_test_samples=10,
    )
    assert len(dropping(lambda: study.record(0, fold)).fold_results) == 1
    assert dropping(lambda: study.tell(0, 0.5)).state is TrialState.COMPLETE
    queued = study.enqueue({"C": 1.0})
    taken = dropping(study.reclaim)
    assert taken is not None
    assert taken.number == queued.number == 1
    fault_counts.finished += 1

    fault_counts.check({}, storage, "ambiguous", grid=True)
    trials, _ = storage.read_trials("ambiguous")
    assert [(t.number, t.state, t.owner) for t in trials] == [
        (0, TrialState.COMPLETE, study.owner),
        (1, TrialState.RUNNING, study.owner),
    ]
    assert [f.fold for f in trials[0].fold_results] == [0]
