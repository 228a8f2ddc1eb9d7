"""SQLStorage: the storage contract on SQLite, PostgreSQL and MySQL, and what only SQL has.

PostgreSQL and MySQL/MariaDB run when ``SCOUT_TEST_POSTGRES_URL`` and
``SCOUT_TEST_MYSQL_URL`` hold database URLs, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test`` and
``mysql+pymysql://root@127.0.0.1:3306/test``. Each storage gets its own random
table prefix, and the tables are dropped when the session ends.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from contracts.storage import (
    StorageContract,
    end_postgres_sessions,
    fold,
    held_trial,
    new_trial,
    record,
)

from scout_sklearn import FoldResult, Study, Trial, TrialState
from scout_sklearn.exceptions import InvalidParameterError, TrialNumberTaken
from scout_sklearn.storage import SQLStorage, Storage, StudyRecord
from scout_sklearn.storage import _sql_connection as sql_connection

SERVER_VARIABLES = {
    "postgresql": "SCOUT_TEST_POSTGRES_URL",
    "mysql": "SCOUT_TEST_MYSQL_URL",
}
TABLES = ("folds", "trials", "studies", "version")  # children first, to drop them

# Table prefixes created on each server during this session.
_created_prefixes: dict[str, set[str]] = {}


def server_url(backend: str) -> str:
    """The test server's URL, or skip saying which variable to set."""
    variable = SERVER_VARIABLES[backend]
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"set {variable} to a {backend} database URL to run this test")
    return url


def fresh_server_storage(url: str, **kwargs: object) -> SQLStorage:
    """A storage on ``url`` with tables of its own (a random prefix)."""
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    _created_prefixes.setdefault(url, set()).add(prefix)
    return SQLStorage(url, table_prefix=prefix, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session", autouse=True)
def _drop_server_tables() -> Iterator[None]:
    """Leave the shared test databases as they were."""
    yield
    for url, prefixes in _created_prefixes.items():
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for prefix in sorted(prefixes):
                for table in TABLES:
                    conn.execute(sa.text(f"DROP TABLE IF EXISTS {prefix}{table}"))
        engine.dispose()


# -- the contract ----------------------------------------------------------------------
class TestSQLiteFileContract(StorageContract):
    @pytest.fixture(autouse=True)
    def _directory(self, tmp_path: Path) -> None:
        self.directory = tmp_path

    def make_storage(self) -> Storage:
        # A new file each call: the contract makes several storages per test.
        return SQLStorage(f"sqlite:///{self.directory / uuid.uuid4().hex}.db")


class TestSQLiteMemoryContract(StorageContract):
    def make_storage(self) -> Storage:
        return SQLStorage("sqlite://")


class TestPostgreSQLContract(StorageContract):
    @pytest.fixture(autouse=True)
    def _url(self) -> None:
        self.url = server_url("postgresql")

    def make_storage(self) -> Storage:
        return fresh_server_storage(self.url)


class TestMySQLContract(StorageContract):
    @pytest.fixture(autouse=True)
    def _url(self) -> None:
        self.url = server_url("mysql")

    def make_storage(self) -> Storage:
        return fresh_server_storage(self.url)


# -- every backend ---------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def make(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], SQLStorage]:
    """Make storages on one backend; each call on tables of its own."""
    if request.param == "sqlite":
        return lambda: SQLStorage(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db")
    url = server_url(request.param)
    return lambda: fresh_server_storage(url)


def raw_engine(storage: SQLStorage) -> sa.Engine:
    """A plain engine on the storage's database, as another program would use."""
    state = storage.__getstate__()
    return sa.create_engine(state["url"])


def table(storage: SQLStorage, name: str) -> str:
    return f"{storage.__getstate__()['table_prefix']}{name}"


def test_tables_are_named_with_the_prefix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    SQLStorage(url, table_prefix="abc_")
    SQLStorage(url)
    names = set(sa.inspect(sa.create_engine(url)).get_table_names())
    assert names == {f"{p}{t}" for p in ("abc_", "scout_") for t in TABLES}


def test_schema_written_by_a_newer_version_is_refused(
    make: Callable[[], SQLStorage],
) -> None:
    storage = make()
    with raw_engine(storage).begin() as conn:
        conn.execute(sa.text(f"UPDATE {table(storage, 'version')} SET schema_version = 3"))
    state = storage.__getstate__()
    with pytest.raises(
        RuntimeError,
        match=r"newer scout-sklearn \(schema 3\); this one reads schema 2; upgrade "
        r"scout-sklearn",
    ):
        SQLStorage(state["url"], table_prefix=state["table_prefix"])


def test_schema_older_than_this_version_is_refused_without_an_upgrade_path(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    SQLStorage(url)
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text("UPDATE scout_version SET schema_version = 0"))
    with pytest.raises(
        RuntimeError, match=r"schema 0, older than schema 2.*no upgrade path"
    ):
        SQLStorage(url)


# A SQLite file written by scout-sklearn at schema 1 (commit 380042c, before
# fold results had n_iterations): two COMPLETE trials of two folds each.
SCHEMA_1_FILE = Path(__file__).parent / "data" / "schema1.sqlite"


def test_a_file_written_at_schema_1_is_upgraded_and_keeps_its_trials(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "old.sqlite"
    path.write_bytes(SCHEMA_1_FILE.read_bytes())
    url = f"sqlite:///{path}"
    with sa.create_engine(url).connect() as conn:
        assert (
            conn.execute(sa.text("SELECT schema_version FROM scout_version")).scalar() == 1
        )
    with caplog.at_level("WARNING", logger="scout_sklearn"):
        storage = SQLStorage(url)
    assert "from schema 1 to 2" in caplog.text
    trials, _ = storage.read_trials("written-by-schema-1")
    assert [t.number for t in trials] == [0, 1]
    assert all(t.state is TrialState.COMPLETE for t in trials)
    assert [f.test_scores["score"] for t in trials for f in t.fold_results] == [
        0.5,
        0.51,
        0.6,
        0.61,
    ]
    assert all(f.n_iterations is None for t in trials for f in t.fold_results)
    # New folds keep their count, next to the old ones.
    storage.create_trial("written-by-schema-1", new_trial(2))
    storage.record_fold("written-by-schema-1", 2, replace(fold(0), n_iterations=17))
    reopened = SQLStorage(url)
    trials, _ = reopened.read_trials("written-by-schema-1")
    assert trials[2].fold_results[0].n_iterations == 17
    with sa.create_engine(url).connect() as conn:
        assert (
            conn.execute(sa.text("SELECT schema_version FROM scout_version")).scalar() == 2
        )


def test_tables_of_schema_1_are_upgraded_on_every_database(
    make: Callable[[], SQLStorage],
) -> None:
    # Schema 1 is schema 2 without the folds' n_iterations column.
    storage = make()
    storage.create_study(record("a"))
    storage.create_trial("a", new_trial(0))
    storage.record_fold("a", 0, fold(0, 0.25))
    folds = table(storage, "folds")
    with raw_engine(storage).begin() as conn:
        conn.execute(sa.text(f"ALTER TABLE {folds} DROP COLUMN n_iterations"))
        conn.execute(sa.text(f"UPDATE {table(storage, 'version')} SET schema_version = 1"))
    state = storage.__getstate__()
    upgraded = SQLStorage(state["url"], table_prefix=state["table_prefix"])
    trial = upgraded.record_fold("a", 0, replace(fold(1), n_iterations=3))
    assert [(f.test_scores["score"], f.n_iterations) for f in trial.fold_results] == [
        (0.25, None),
        (0.5, 3),
    ]
    with raw_engine(storage).connect() as conn:
        version = table(storage, "version")
        assert conn.execute(sa.text(f"SELECT schema_version FROM {version}")).scalar() == 2


def test_reopening_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    first = SQLStorage(url)
    first.create_study(record("a", seed=2**127 + 1))
    first.create_trial("a", new_trial(0))
    second = SQLStorage(url)
    loaded = second.load_study("a")
    assert loaded is not None
    assert loaded.seed == 2**127 + 1
    assert [t.number for t in second.read_trials("a")[0]] == [0]


# -- payloads: JSON only, never pickles --------------------------------------------------
class _TouchesAFile:
    """Unpickling this creates a file: proof that something was unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (self.path, "w"))


def _study_with_a_fold(storage: SQLStorage) -> None:
    storage.create_study(record("study"))
    storage.create_trial("study", new_trial(0))
    storage.record_fold("study", 0, fold(0))


@pytest.mark.parametrize("column", ["params", "test_scores"])
def test_a_pickle_in_a_column_is_never_unpickled(tmp_path: Path, column: str) -> None:
    storage = SQLStorage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    _study_with_a_fold(storage)
    sentinel = tmp_path / "unpickled"
    payload = pickle.dumps(_TouchesAFile(sentinel))
    where = "trials" if column == "params" else "folds"
    with raw_engine(storage).begin() as conn:
        conn.execute(sa.text(f"UPDATE scout_{where} SET {column} = :p"), {"p": payload})
    with pytest.raises(ValueError, match=rf"{column}.*never unpickles"):
        storage.read_trials("study")
    assert not sentinel.exists()


def test_a_text_pickle_is_read_as_text_and_refused(
    make: Callable[[], SQLStorage], tmp_path: Path
) -> None:
    storage = make()
    _study_with_a_fold(storage)
    sentinel = tmp_path / "unpickled"
    payload = pickle.dumps(_TouchesAFile(sentinel), protocol=0).decode("ascii")
    with raw_engine(storage).begin() as conn:
        conn.execute(
            sa.text(f"UPDATE {table(storage, 'folds')} SET test_scores = :p"),
            {"p": payload},
        )
    with pytest.raises(ValueError, match=r"test_scores.*not hold JSON.*never unpickles"):
        storage.read_trials("study")
    assert not sentinel.exists()


def test_payloads_are_strict_json_and_keep_their_types(
    make: Callable[[], SQLStorage],
) -> None:
    storage = make()
    storage.create_study(record("study"))
    params = {
        "int": 3,
        "float": 3.0,
        "bool": True,
        "none": None,
        "text": "é \x00 🙂",
        "big": 2**70,
        "nested": {"__float__": "nan"},  # looks like our encoding of NaN
        "escape": {"__dict__": [["a", 1]]},
        "list": [1, 2.5, "x", None, math.inf],
    }
    storage.create_trial("study", Trial(number=0, params=params))
    traceback_text = "Traceback\x00 " + "x" * 100_000  # longer than MySQL's TEXT
    storage.record_fold(
        "study",
        0,
        FoldResult(
            fold=0,
            test_scores={"a": math.nan, "b": -math.inf},
            train_scores=None,
            fit_time=1.5,
            score_time=0.25,
            n_test_samples=3,
            error=traceback_text,
        ),
    )
    (trial,), _ = storage.read_trials("study")
    got = dict(trial.params)
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in params.items()}
    assert got["nested"] == {"__float__": "nan"}
    assert got["escape"] == {"__dict__": [["a", 1]]}
    assert got["list"][:4] == [1, 2.5, "x", None]
    assert got["list"][4] == math.inf
    assert {k: v for k, v in got.items() if k not in ("nested", "escape", "list")} == {
        k: v for k, v in params.items() if k not in ("nested", "escape", "list")
    }
    (result,) = trial.fold_results
    assert math.isnan(result.test_scores["a"])
    assert result.error == traceback_text

    def no_constants(name: str) -> object:
        raise AssertionError(f"non-standard JSON constant {name}")

    with raw_engine(storage).connect() as conn:
        stored = conn.execute(
            sa.text(
                f"SELECT params, test_scores FROM {table(storage, 'trials')} t "
                f"JOIN {table(storage, 'folds')} f ON f.trial_id = t.id"
            )
        ).one()
    for text in stored:
        json.loads(text, parse_constant=no_constants)


def test_non_finite_values_round_trip(make: Callable[[], SQLStorage]) -> None:
    storage = make()
    storage.create_study(record("study"))
    for number, value in enumerate([math.nan, math.inf, -math.inf, -0.0, 1e-300]):
        storage.create_trial("study", new_trial(number))
        finished = storage.finish_trial("study", number, TrialState.COMPLETE, value)
        assert finished.value is not None
    values = [t.value for t in storage.read_trials("study")[0]]
    assert math.isnan(values[0])
    assert values[1:] == [math.inf, -math.inf, 0.0, 1e-300]


def test_times_round_trip_exactly(make: Callable[[], SQLStorage]) -> None:
    storage = make()
    storage.create_study(record("study", created_at=1_700_000_000.123456789))
    storage.create_trial("study", held_trial(0, "me", 1_700_000_060.987654321))
    loaded = storage.load_study("study")
    assert loaded is not None
    assert loaded.created_at == 1_700_000_000.123456789
    (trial,), _ = storage.read_trials("study")
    assert trial.lease_until == 1_700_000_060.987654321


def test_study_names_are_compared_exactly(make: Callable[[], SQLStorage]) -> None:
    storage = make()
    storage.create_study(record("svc"))
    storage.create_study(record("SVC", seed=1))
    loaded = storage.load_study("SVC")
    assert loaded is not None
    assert loaded.seed == 1
    assert storage.load_study("Svc") is None


def test_unknown_studies_and_trials_raise_key_error(make: Callable[[], SQLStorage]) -> None:
    storage = make()
    with pytest.raises(KeyError, match="'nope'"):
        storage.read_trials("nope")
    with pytest.raises(KeyError, match="'nope'"):
        storage.create_trial("nope", new_trial(0))
    storage.create_study(record("study"))
    with pytest.raises(KeyError, match="no trial number 5"):
        storage.record_fold("study", 5, fold(0))
    with pytest.raises(KeyError, match="no trial number 5"):
        storage.reclaim_trial("study", 5, expected_owner=None, owner="me", lease_until=1.0)
    with pytest.raises(ValueError, match=r"next number \(0\).*got number 3"):
        storage.create_trial("study", new_trial(3))


# -- URLs, drivers and passwords ----------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://user:s3cret@127.0.0.1:1/db",
        "mysql+pymysql://user:s3cret@127.0.0.1:1/db",
    ],
)
def test_an_unreachable_server_is_reported_without_the_password(url: str) -> None:
    with pytest.raises(ConnectionError, match=r"Could not connect to SQLStorage\(") as info:
        SQLStorage(url)
    shown = "".join(traceback.format_exception(info.value))
    assert "s3cret" not in shown
    assert "user:***@127.0.0.1:1/db" in shown


def test_repr_hides_the_password() -> None:
    url = server_url("postgresql")
    with_password = sa.make_url(url).set(password="s3cret")
    storage = fresh_server_storage(with_password.render_as_string(hide_password=False))
    assert "s3cret" not in repr(storage)
    assert ":***@" in repr(storage)
    assert repr(storage).startswith("SQLStorage('postgresql+psycopg://")


@pytest.mark.parametrize(
    ("url", "module", "extra"),
    [
        ("postgresql+psycopg://user:s3cret@127.0.0.1:1/db", "psycopg", "postgres"),
        ("mysql+pymysql://user:s3cret@127.0.0.1:1/db", "pymysql", "mysql"),
    ],
)
def test_a_missing_driver_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, url: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # "import module" now fails
    with pytest.raises(
        ImportError, match=rf"pip install 'scout-sklearn\[{extra}\]'"
    ) as info:
        SQLStorage(url)
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "postgresql+psycopg://user:s3cret@host:port/db",
        "oracle://user:s3cret@host/db",
        "nosuchdialect://user:s3cret@host/db",
    ],
)
def test_a_malformed_url_is_an_invalid_parameter(url: str) -> None:
    with pytest.raises(InvalidParameterError, match=r"The 'storage' parameter") as info:
        SQLStorage(url)
    assert "s3cret" not in str(info.value)
    assert url.replace("s3cret", "***") in str(info.value)


@pytest.mark.parametrize("prefix", ["Scout", "a-b", "1a", "x" * 33, 5])
def test_a_bad_table_prefix_is_an_invalid_parameter(prefix: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"'table_prefix'.*Got"):
        SQLStorage("sqlite://", table_prefix=prefix)  # type: ignore[arg-type]


# -- concurrency ---------------------------------------------------------------------
def claim_trials(url: str, prefix: str, count: int) -> list[int]:
    """Create ``count`` trials in study "a", each under the next free number."""
    storage = SQLStorage(url, table_prefix=prefix)
    claimed = []
    for _ in range(count):
        while True:
            number = len(storage.read_trials("a")[0])
            try:
                storage.create_trial("a", new_trial(number))
            except TrialNumberTaken:  # another writer was first: retry
                continue
            claimed.append(number)
            break
    return claimed


def test_two_storages_in_two_threads_get_consecutive_numbers(
    make: Callable[[], SQLStorage],
) -> None:
    storage = make()
    storage.create_study(record("a"))
    state = storage.__getstate__()
    results: list[list[int]] = []

    def work() -> None:
        results.append(claim_trials(state["url"], state["table_prefix"], 100))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results[0] + results[1]) == list(range(200))
    trials, _ = storage.read_trials("a")
    assert [t.number for t in trials] == list(range(200))


def test_two_processes_on_one_sqlite_file_get_consecutive_numbers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    SQLStorage(url).create_study(record("a"))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.starmap(claim_trials, [(url, "scout_", 100)] * 2)
    assert sorted(results[0] + results[1]) == list(range(200))
    trials, _ = SQLStorage(url).read_trials("a")
    assert [t.number for t in trials] == list(range(200))


def test_a_write_waits_for_another_writer_to_finish(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    storage = SQLStorage(f"sqlite:///{path}")
    storage.create_study(record("a"))
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    release = threading.Timer(0.3, other.execute, args=("COMMIT",))
    release.start()
    started = time.monotonic()
    storage.create_trial("a", new_trial(0))
    assert time.monotonic() - started >= 0.25
    release.join()
    other.close()
    assert [t.number for t in storage.read_trials("a")[0]] == [0]


def test_a_dropped_connection_is_replaced() -> None:
    url = server_url("postgresql")
    name = f"scout-test-{uuid.uuid4().hex[:8]}"
    storage = fresh_server_storage(
        url, engine_kwargs={"connect_args": {"application_name": name}}
    )
    storage.create_study(record("a"))
    with sa.create_engine(url).connect() as conn:
        killed = conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": name},
        ).all()
    assert killed  # the storage's pooled connection is gone
    storage.create_trial("a", new_trial(0))  # retried once, on a new connection
    assert [t.number for t in storage.read_trials("a")[0]] == [0]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_uses_connections_of_its_own(tmp_path: Path) -> None:
    storage = SQLStorage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    storage.create_study(record("a"))
    storage.create_trial("a", new_trial(0))  # the pool now holds a connection
    child = multiprocessing.get_context("fork").Process(
        target=storage.create_trial, args=("a", new_trial(1))
    )
    child.start()
    child.join()
    assert child.exitcode == 0
    storage.create_trial("a", new_trial(2))
    assert [t.number for t in storage.read_trials("a")[0]] == [0, 1, 2]


# -- pickling ------------------------------------------------------------------------
def test_pickle_round_trip_reconnects_to_the_same_file(tmp_path: Path) -> None:
    storage = SQLStorage(f"sqlite:///{tmp_path / 'db.sqlite'}", table_prefix="p_")
    storage.create_study(record("a", created_at=1.0))
    storage.create_trial("a", new_trial(0, C=1.0))
    storage.record_fold("a", 0, fold(0, 0.9))
    trials, stamp = storage.read_trials("a")

    payload = pickle.dumps(storage)
    assert b"Engine" not in payload
    restored = pickle.loads(payload)
    assert repr(restored) == repr(storage)
    assert restored.list_studies() == storage.list_studies()
    assert restored.read_trials("a") == (trials, stamp)
    # Both write to one database.
    restored.finish_trial("a", 0, TrialState.COMPLETE, 0.9)
    changed, newer = storage.read_trials("a", since=stamp)
    assert [(t.number, t.state) for t in changed] == [(0, TrialState.COMPLETE)]
    assert newer > stamp


def test_record_defaults_are_kept(tmp_path: Path) -> None:
    storage = SQLStorage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    storage.create_study(StudyRecord(name="s", seed=-3, space=[], created_at=0.0))
    loaded = storage.load_study("s")
    assert loaded == StudyRecord(name="s", seed=-3, space=[], created_at=0.0)


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
    _created_prefixes.setdefault(url, set()).add(prefix)
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
