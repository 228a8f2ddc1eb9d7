"""SQLStorage(read_only=True), and the command-line tool that reads through it.

Reading a study (the CLI's ``studies``, ``trials``, ``best``, ``export`` and
``report``) must work on a database this process may not write: a SQLite
file on a read-only medium, another user's file, a server account with
SELECT rights only. Such a storage creates no table, upgrades no schema and
takes no lease; every write raises ``PermissionError``.

The read-only medium is real: a small tmpfs mounted here and remounted
read-only (root only; other users get the same file with its write bits
removed, which root would ignore).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import Int, ScoutSearchCV, Trial
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.storage import SQLStorage, StudyRecord
from storage.servers import fresh_server_storage, server_url
from storage.test_sql import SCHEMA_1_FILE

STUDY = "tree"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def study_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding one finished search of 5 trials."""
    path = tmp_path_factory.mktemp("ro") / "study.db"
    X, y = load_iris(return_X_y=True)
    ScoutSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Int(1, 6)},
        n_trials=5,
        cv=3,
        sampler="random",
        random_state=0,
        storage=f"sqlite:///{path}",
        study_name=STUDY,
    ).fit(X, y)
    # Move what the write-ahead log holds into the file, so that a copy of
    # the file alone holds the study (the search's connections stay open).
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@contextlib.contextmanager
def read_only_directory(source: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of ``source`` in a directory that this process cannot write."""
    directory = tmp_path / "medium"
    directory.mkdir()
    if os.geteuid() != 0:  # pragma: no cover - CI runs as root
        target = directory / source.name
        shutil.copy(source, target)
        target.chmod(0o444)
        directory.chmod(0o555)
        try:
            yield target
        finally:
            directory.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to make a read-only medium: {mounted.stderr}")
    try:
        shutil.copy(source, directory / source.name)
        subprocess.run(["mount", "-o", "remount,ro", str(directory)], check=True)
        with pytest.raises(OSError):  # the medium really is read-only
            (directory / "probe").write_text("x")
        yield directory / source.name
    finally:
        # Lazily: a connection of this process may still hold the file open.
        subprocess.run(["umount", "--lazy", str(directory)], check=True)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scout_sklearn", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_reading_command_works_on_a_read_only_medium(
    study_file: Path, tmp_path: Path
) -> None:
    with read_only_directory(study_file, tmp_path) as path:
        url = f"sqlite:///{path}"
        studies = cli("studies", url)
        assert studies.returncode == 0, studies.stderr
        assert STUDY in studies.stdout
        trials = cli("trials", url, STUDY)
        assert trials.returncode == 0, trials.stderr
        assert len(trials.stdout.strip().splitlines()) == 1 + 5  # header and 5 trials
        best = cli("best", url, STUDY)
        assert best.returncode == 0, best.stderr
        assert "max_depth" in best.stdout
        export = cli("export", url, STUDY, "--format", "csv")
        assert export.returncode == 0, export.stderr
        assert len(export.stdout.strip().splitlines()) == 1 + 5
        report = cli("report", url, STUDY, "-o", str(tmp_path / "report.html"))
        assert report.returncode == 0, report.stderr
        assert (tmp_path / "report.html").stat().st_size > 0
        # Read through the library too, as a notebook would.
        storage = SQLStorage(url, read_only=True)
        trials_read, _ = storage.read_trials(STUDY)
        assert len(trials_read) == 5


def test_reading_commands_leave_a_writable_file_unchanged(
    study_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "copy.db"
    shutil.copy(study_file, path)
    before = _digest(path)
    url = f"sqlite:///{path}"
    for args in (("studies", url), ("trials", url, STUDY), ("best", url, STUDY)):
        result = cli(*args)
        assert result.returncode == 0, result.stderr
    assert _digest(path) == before


def test_writes_through_a_read_only_storage_are_refused(study_file: Path) -> None:
    storage = SQLStorage(f"sqlite:///{study_file}", read_only=True)
    before = _digest(study_file)
    with pytest.raises(PermissionError, match=r"read-only.*without read_only=True"):
        storage.create_trial(STUDY, Trial(number=99, params={"max_depth": 2}))
    with pytest.raises(PermissionError, match="read-only"):
        storage.create_study(StudyRecord(name="other", seed=0, space=[], created_at=0.0))
    with pytest.raises(PermissionError, match="read-only"):
        storage.heartbeat(STUDY, "me", 1e12)
    assert _digest(study_file) == before
    assert "read_only=True" in repr(storage)


def test_a_read_only_storage_creates_no_tables(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")  # an empty file is an empty SQLite database
    with pytest.raises(LookupError, match=r"no tables 'scout_\*'.*does not create them"):
        SQLStorage(f"sqlite:///{path}", read_only=True)
    assert path.read_bytes() == b""


def test_a_read_only_storage_does_not_upgrade_an_old_schema(tmp_path: Path) -> None:
    path = tmp_path / "schema1.db"
    shutil.copy(SCHEMA_1_FILE, path)
    before = _digest(path)
    with pytest.raises(RuntimeError, match=r"schema 1.*does not upgrade.*writable"):
        SQLStorage(f"sqlite:///{path}", read_only=True)
    assert _digest(path) == before


def test_read_only_survives_pickling(study_file: Path) -> None:
    copy = pickle.loads(pickle.dumps(SQLStorage(f"sqlite:///{study_file}", read_only=True)))
    assert copy.read_only
    with pytest.raises(PermissionError):
        copy.heartbeat(STUDY, "me", 1e12)


@pytest.mark.parametrize(
    ("url", "read_only", "match"),
    [
        ("sqlite://", True, "in-memory"),
        ("sqlite:///x.db", "yes", r"'read_only'.*True or False.*'yes'"),
        ("sqlite:///x.db", 1, r"'read_only'.*True or False.*1"),
    ],
)
def test_bad_read_only_values_are_invalid_parameters(
    url: str, read_only: object, match: str
) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        SQLStorage(url, read_only=read_only)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_server_session_is_read_only_too(backend: str) -> None:
    """The server refuses writes on the session itself, not only our code."""
    url = server_url(backend)
    writer = fresh_server_storage(url)
    writer.create_study(StudyRecord(name="s", seed=0, space=[], created_at=0.0))
    prefix = writer.__getstate__()["table_prefix"]
    reader = SQLStorage(url, table_prefix=prefix, read_only=True)
    assert [r.name for r in reader.list_studies()] == ["s"]
    with pytest.raises(PermissionError):
        reader.create_trial("s", Trial(number=0, params={}))
    engine = reader._db().engine
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match=r"(?i)read.only"):
        conn.execute(sa.text(f"DELETE FROM {prefix}studies"))
    assert [r.name for r in writer.list_studies()] == ["s"]


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_a_read_only_server_storage_creates_no_tables(backend: str) -> None:
    url = server_url(backend)
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    with pytest.raises(LookupError, match="does not create them"):
        SQLStorage(url, table_prefix=prefix, read_only=True)
    engine = sa.create_engine(url)
    try:
        names = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert not [name for name in names if name.startswith(prefix)]


def test_reading_a_sqlite_path_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    from scout_sklearn import list_studies, load_study

    typo = tmp_path / "scuot.db"  # the user meant scout.db
    with pytest.raises(FileNotFoundError, match=r"scuot\.db' does not exist"):
        load_study(f"sqlite:///{typo}", STUDY)
    assert not typo.exists()
    # A script may ask whether there is a study to resume before the first run.
    assert list_studies(f"sqlite:///{typo}") == []
    assert not typo.exists()


def test_listing_a_database_no_search_wrote_to_finds_no_study_and_leaves_it(
    tmp_path: Path,
) -> None:
    from scout_sklearn import list_studies

    path = tmp_path / "other.db"
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
        connection.commit()
    assert list_studies(f"sqlite:///{path}") == []
    with contextlib.closing(sqlite3.connect(path)) as connection:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master")]
    assert tables == ["notes"]
