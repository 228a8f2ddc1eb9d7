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
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from contracts.storage import (
    StorageContract,
    fold,
    held_trial,
    new_trial,
    record,
)

from scout_sklearn import FoldResult, Study, Trial, TrialState
from scout_sklearn.exceptions import (
    DuplicatedStudyError,
    InvalidParameterError,
    StudyNameClash,
    TrialNumberTaken,
)
from scout_sklearn.storage import SQLStorage, Storage, StudyRecord
from storage.servers import TABLES, fresh_server_storage, server_url


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


@pytest.mark.parametrize("names", [("exp", "exp "), ("exp  ", "exp")])
def test_names_differing_by_trailing_spaces_are_two_studies_or_a_clear_error(
    make: Callable[[], SQLStorage], names: tuple[str, str]
) -> None:
    first, second = names
    storage = make()
    storage.create_study(record(first))
    if raw_engine(storage).dialect.name not in ("mysql", "mariadb"):
        storage.create_study(record(second, seed=1))
        loaded = [storage.load_study(n) for n in names]
        assert [r.seed if r else None for r in loaded] == [0, 1]
        return
    # MySQL and MariaDB compare names without trailing spaces (PAD SPACE).
    with pytest.raises(StudyNameClash) as caught:
        storage.create_study(record(second, seed=1))
    message = str(caught.value)
    assert f"Cannot create study {second!r}" in message
    assert f"it holds the study {first!r}" in message
    assert "compare study names without their trailing spaces" in message
    assert isinstance(caught.value, DuplicatedStudyError)
    assert isinstance(caught.value, ValueError)
    assert storage.load_study(second) is None
    assert [r.name for r in storage.list_studies()] == [first]


@pytest.mark.parametrize("load_if_exists", [False, True])
def test_a_study_whose_name_mysql_takes_for_another_is_refused_clearly(
    load_if_exists: bool,
) -> None:
    storage = fresh_server_storage(server_url("mysql"))
    Study({"C": [0.1, 1.0]}, storage=storage, name="exp", seed=0)
    with pytest.raises(StudyNameClash, match=r"'exp '.*'exp'.*trailing spaces"):
        Study(
            {"C": [0.1, 1.0]},
            storage=storage,
            name="exp ",
            seed=0,
            load_if_exists=load_if_exists,
        )


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
