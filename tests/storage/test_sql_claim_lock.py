"""SQLStorage's claim lock on PostgreSQL and MySQL: how workers wait for a trial number."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from contracts.storage import (
    end_postgres_sessions,
)

from scout_sklearn import Study, Trial
from scout_sklearn.exceptions import TrialNumberTaken
from scout_sklearn.storage import SQLStorage, StudyRecord
from scout_sklearn.storage import _sql_connection as sql_connection
from storage.servers import created_prefixes, fresh_server_storage, server_url


# -- the claim lock --------------------------------------------------------------------
@pytest.fixture(params=["postgresql", "mysql"])
def server_pair(request: pytest.FixtureRequest) -> tuple[SQLStorage, SQLStorage]:
    """Two storages on the same server tables, as two workers hold them."""
    first = fresh_server_storage(server_url(request.param))
    second = SQLStorage(
        first.__getstate__()["url"], table_prefix=first.__getstate__()["table_prefix"]
    )
    first.create_study(StudyRecord(name="study", seed=0, space=[], created_at=1.0))
    return first, second


def test_the_claim_lock_makes_another_worker_wait(
    server_pair: tuple[SQLStorage, SQLStorage],
) -> None:
    first, second = server_pair
    entered = threading.Event()
    times: dict[str, float] = {}

    # As Study.ask does: read the trials under the lock (on PostgreSQL the
    # lock is taken with that read).
    def other_worker() -> None:
        entered.wait()
        with second.claim_lock("study"):
            second.read_trials("study")
            times["second in"] = time.monotonic()

    thread = threading.Thread(target=other_worker)
    thread.start()
    with first.claim_lock("study"):
        first.read_trials("study")
        entered.set()
        time.sleep(0.5)
        times["first out"] = time.monotonic()
    thread.join(timeout=30)
    assert times["second in"] >= times["first out"]
    # Another study's lock is another lock: no wait.
    second.create_study(StudyRecord(name="another study", seed=0, space=[], created_at=1.0))
    with first.claim_lock("study"):
        first.read_trials("study")
        start = time.monotonic()
        with second.claim_lock("another study"):
            second.read_trials("another study")
            assert time.monotonic() - start < 0.4


def test_creating_the_trial_releases_the_claim_lock_a_failed_create_does_not(
    server_pair: tuple[SQLStorage, SQLStorage], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_connection, "_CLAIM_WAIT_SECONDS", 1.0)
    first, second = server_pair

    def second_waits() -> float:
        start = time.monotonic()
        with second.claim_lock("study"):
            second.read_trials("study")
        return time.monotonic() - start

    with first.claim_lock("study"):
        first.read_trials("study")
        assert second_waits() >= 0.9  # held: the other worker gave up waiting
        second.create_trial("study", Trial(number=0, params={}))  # unlocked
        with pytest.raises(TrialNumberTaken):
            first.create_trial("study", Trial(number=0, params={}))
        first.read_trials("study")  # Study.ask reads again before its next try
        assert second_waits() >= 0.9  # held again
        first.create_trial("study", Trial(number=1, params={}))
        if first._db().backend == "postgresql":  # released with the create's commit
            assert second_waits() < 0.5
    assert second_waits() < 0.5
    assert [t.number for t in second.read_trials("study")[0]] == [0, 1]


def test_a_worker_stuck_in_the_claim_lock_delays_the_others_at_most_the_wait(
    server_pair: tuple[SQLStorage, SQLStorage], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_connection, "_CLAIM_WAIT_SECONDS", 0.3)
    first, second = server_pair
    with first.claim_lock("study"):
        first.read_trials("study")
        start = time.monotonic()
        with second.claim_lock("study"):  # gives up waiting, goes on unlocked
            second.read_trials("study")
            waited = time.monotonic() - start
        # ... and creating trials stays safe: numbers are still claimed once.
        second.create_trial("study", Trial(number=0, params={}))
        with pytest.raises(TrialNumberTaken):
            first.create_trial("study", Trial(number=0, params={}))
    assert 0.25 <= waited < 5.0
    # The lock still works afterwards, on both.
    with second.claim_lock("study"), first.claim_lock("other"):
        pass


def test_sqlite_takes_no_claim_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    first, second = SQLStorage(url), SQLStorage(url)
    with first.claim_lock("study"):
        start = time.monotonic()
        with second.claim_lock("study"):
            assert time.monotonic() - start < 0.2


def test_a_postgresql_session_ended_by_the_server_is_retried_on_a_new_one() -> None:
    # The server ends the session (pg_terminate_backend, as a restart or an
    # administrator does) between two writes; the next batch, pipelined,
    # reads the shutdown notice as an error before psycopg marks the
    # connection broken. It must count as a dropped connection, retried.
    url = server_url("postgresql")
    tag = f"scoutend{uuid.uuid4().hex[:8]}"
    storage = fresh_server_storage(f"{url}?application_name={tag}")
    storage.create_study(StudyRecord(name="study", seed=0, space=[], created_at=1.0))

    def end_sessions() -> int:
        ended = end_postgres_sessions(url, tag)
        time.sleep(0.05)  # the notice reaches the client's socket
        return ended

    assert end_sessions() >= 1
    storage.create_trial("study", Trial(number=0, params={}))  # a pipeline
    with storage.claim_lock("study"):
        storage.read_trials("study")
        assert end_sessions() >= 1  # the lock's connection too
        storage.create_trial("study", Trial(number=1, params={}))
    # Ended in the middle of a batch: this one waits for the claim lock
    # that another worker holds when its session ends.
    other = SQLStorage(url, table_prefix=storage.__getstate__()["table_prefix"])
    with other.claim_lock("study"):
        other.read_trials("study")
        ender = threading.Timer(0.3, end_sessions)
        ender.start()
        with storage.claim_lock("study"):
            storage.read_trials("study")
        ender.join()
    assert [t.number for t in storage.read_trials("study")[0]] == [0, 1]


def test_the_claim_locks_wait_limit_ends_with_its_transaction() -> None:
    # The lock is taken with a lock_timeout local to the statements sent with
    # it: later statements on that connection wait as long as they need.
    storage = fresh_server_storage(server_url("postgresql"))
    storage.create_study(StudyRecord(name="study", seed=0, space=[], created_at=1.0))
    with storage.claim_lock("study"):
        storage.read_trials("study")  # takes the lock
        connection = storage._local.claim.raw.driver_connection
        assert connection.execute("SHOW lock_timeout").fetchone() == ("0",)


_ENDED_SESSIONS_SCRIPT = """
import sys, time
from contracts.storage import end_postgres_sessions
from scout_sklearn import Trial
from scout_sklearn.storage import SQLStorage, StudyRecord
url, tag, prefix = sys.argv[1:4]
storage = SQLStorage(f"{url}?application_name={tag}", table_prefix=prefix)
storage.create_study(StudyRecord(name="study", seed=0, space=[], created_at=1.0))
for number in range(3):
    assert end_postgres_sessions(url, tag) >= 1
    time.sleep(0.05)  # the notice reaches the client's socket
    storage.create_trial("study", Trial(number=number, params={}))  # a pipeline
print(len(storage.read_trials("study")[0]))
"""


def test_an_ended_postgresql_session_prints_nothing_on_stderr() -> None:
    # psycopg logs "error ignored terminating <psycopg.Pipeline [BAD]>" when
    # a pipeline's block fails; with no logging configured Python printed it
    # on stderr, at verbose=0, for an error the storage handles by retrying.
    url = server_url("postgresql")
    tag = f"scoutend{uuid.uuid4().hex[:8]}"
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    created_prefixes.setdefault(url, set()).add(prefix)
    tests = str(Path(__file__).parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", _ENDED_SESSIONS_SCRIPT, url, tag, prefix],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([tests, *sys.path])},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3"
    assert result.stderr == ""


def test_a_pipeline_that_fails_to_end_after_the_session_ended_is_a_dropped_connection() -> (
    None
):
    # psycopg raises "cannot exit pipeline mode while busy" (no SQLSTATE)
    # while handling the server's AdminShutdown, sometimes before it marks the
    # connection broken: the chain says the connection was dropped (the
    # fault suite's cut connections failed a search once on this).
    psycopg = pytest.importorskip("psycopg")
    from types import SimpleNamespace

    from scout_sklearn.storage._sql_connection import _Database

    engine = sa.create_engine("postgresql+psycopg://user@127.0.0.1:9/none")  # never used
    db = _Database(engine, tables=None)  # type: ignore[arg-type]
    raw = SimpleNamespace(
        driver_connection=SimpleNamespace(broken=False), dbapi_connection=None
    )
    try:
        try:
            raise psycopg.errors.AdminShutdown("terminating connection")
        except psycopg.Error:
            raise psycopg.OperationalError("cannot exit pipeline mode while busy")  # noqa: B904
    except psycopg.Error as err:
        ended = err
    assert db.is_disconnect(ended, raw)
    # The same message on its own, with a healthy connection, is not a drop.
    alone = psycopg.OperationalError("cannot exit pipeline mode while busy")
    assert not db.is_disconnect(alone, raw)


@pytest.mark.parametrize(("n_drops", "survives"), [(2, True), (3, False)])
def test_a_read_survives_two_drops_in_a_row_and_fails_at_the_third(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n_drops: int, survives: bool
) -> None:
    # Sessions ended in a burst (a restart, a failover, the fault suite's
    # cuts) can drop a query's retry too: two drops in a row are retried,
    # the third fails the query with a ConnectionError naming the storage.
    from scout_sklearn.storage import _sql

    storage = SQLStorage(f"sqlite:///{tmp_path / 'drops.db'}")
    Study({"C": [0.1, 1.0]}, storage=storage, name="s", seed=0).ask()
    original = _sql._Transaction.run
    drops: list[int] = []

    def dropping(self: object, *args: object, **kwargs: object) -> object:
        if len(drops) < n_drops:
            drops.append(1)
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(_sql._Transaction, "run", dropping)
    if survives:
        trials, _ = storage.read_trials("s")
        assert [t.number for t in trials] == [0]
    else:
        with pytest.raises(ConnectionError, match=r"Lost the connection to .* 3 times"):
            storage.read_trials("s")
    assert len(drops) == n_drops
