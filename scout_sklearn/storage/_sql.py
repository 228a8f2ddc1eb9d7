"""SQL storage: studies kept in SQLite, PostgreSQL or MySQL/MariaDB.

The only module that imports SQLAlchemy. SQLAlchemy builds the engine, the
connection pool, the tables and every statement (Core, no ORM); statements
are compiled once per storage and run on the pool's DBAPI connections, which
costs a few microseconds per statement instead of tens. Each write is one
transaction sent as one batch of statements (the checks it needs are in the
SQL), and on PostgreSQL a batch is one round trip to the server.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import logging
import math
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection, StaticPool
from sqlalchemy.sql.compiler import SQLCompiler

from scout_sklearn._secrets import PasswordFilter, mask_url
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.exceptions import (
    DuplicatedStudyError,
    InvalidParameterError,
    LeaseLost,
    StorageFileLost,
    TrialNumberTaken,
    TrialStateError,
)
from scout_sklearn.storage._base import Storage, StudyRecord
from scout_sklearn.storage._watchdog import Watchdog

__all__ = ["SQLStorage"]

logger = logging.getLogger(__name__)
logger.addFilter(PasswordFilter())

#: The layout of the tables this code reads and writes. Bump it when the
#: layout changes, and register in ``_MIGRATIONS`` how to upgrade from the
#: previous one.
SCHEMA_VERSION = 2

#: A pooled server connection idle for longer is pinged before use.
_PING_AFTER_SECONDS = 10.0
# How long Study.ask waits for another worker's claim lock before it goes on
# without it (a worker stopped while holding it must not stop the others).
_CLAIM_WAIT_SECONDS = 2.0
#: Trials whose fold results this process keeps, to return them from writes.
_CACHED_TRIALS = 4096

_SUPPORTED = "SQLite, PostgreSQL (psycopg 3) or MySQL/MariaDB (PyMySQL)"
_URL_EXAMPLES = (
    "'sqlite:///scout.db', 'postgresql+psycopg://user:password@host/db' or "
    "'mysql+pymysql://user:password@host/db'"
)
_PREFIX_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,31}")
_NAME_LENGTH = 255
_RUNNING = TrialState.RUNNING.value

_T = TypeVar("_T")
#: A result row, read by position.
_Row = Sequence[Any]


class SQLStorage(Storage):
    """Keep studies in a SQL database: SQLite, PostgreSQL or MySQL/MariaDB.

    Several processes, on one machine or many, can share a study through one
    database. Tables are created on first use; every write is one short
    transaction, retried while the database is briefly locked.

    Parameters
    ----------
    url : str or sqlalchemy.engine.URL
        A SQLAlchemy database URL: ``"sqlite:///scout.db"`` (a file),
        ``"sqlite://"`` (in memory, private to this object),
        ``"postgresql+psycopg://user:password@host/db"`` (needs
        ``pip install 'scout-sklearn[postgres]'``) or
        ``"mysql+pymysql://user:password@host/db"`` (needs
        ``pip install 'scout-sklearn[mysql]'``). The password never appears
        in the storage's repr, its errors or its log messages.
    engine_kwargs : dict, default=None
        Extra keyword arguments for :func:`sqlalchemy.create_engine`; they
        override the defaults chosen here.
    table_prefix : str, default= ``"scout_"``
        Prefix of the four table names (``{prefix}studies``,
        ``{prefix}trials``, ``{prefix}folds``, ``{prefix}version``):
        lower-case letters, digits and underscores, at most 32 characters.
        Storages with different prefixes share a database without seeing
        each other.
    lease_seconds : float, default=60.0
        How long a worker holds a RUNNING trial without renewing its lease
        (it renews it every quarter of that while alive). A trial whose
        lease has run out is taken over by another worker, which runs its
        missing folds; a worker killed on this host is noticed at once.
    timeout : float, default=60.0
        Seconds to wait for the database: for an answer to each statement,
        for a lock (SQLite's ``busy_timeout``; retries of a write that meets
        a locked database or a deadlock stop after that long) and, capped at
        10 s, to connect. A server that stops answering, or a proxy that
        holds the connection open without forwarding, then fails the
        operation with a ``ConnectionError`` saying so instead of hanging.
        PostgreSQL connections are cut by a watchdog thread (psycopg has no
        read timeout); MySQL/MariaDB use PyMySQL's ``read_timeout`` and
        ``write_timeout``. Give it more than a statement may legitimately
        wait for a lock held by another writer.
    read_only : bool, default=False
        Open the database for reading only, as the command-line tool does:
        no table is created or upgraded, no lease is taken, and any write
        raises ``PermissionError``. A SQLite file is opened with SQLite's
        ``mode=ro`` (so a file this process may not write, or one on a
        read-only medium, can be read; where the directory is read-only
        too and no ``-shm`` file exists, with SQLite's ``immutable`` flag,
        which assumes that no other process writes meanwhile); PostgreSQL
        sessions get ``default_transaction_read_only``, MySQL sessions
        ``SET SESSION TRANSACTION READ ONLY``. The tables must exist and
        hold this scout-sklearn's schema.

    See Also
    --------
    MemoryStorage : Studies kept in this process only.

    Notes
    -----
    Every payload (params, search space, fingerprint, scores, tracebacks) is
    stored as strict JSON text that other tools can read: a non-finite float
    is written as ``{"__float__": "nan"}`` (or ``"inf"``, ``"-inf"``), and a
    dict whose only key is ``"__float__"`` or ``"__dict__"`` as
    ``{"__dict__": [[key, value]]}``. Nothing is ever unpickled. Numpy
    scalars are stored as the matching Python scalar. Seeds are decimal
    text, since they can exceed 64 bits. A trial's value is a double
    precision column; a non-finite value is kept in ``value_nonfinite``
    (``"nan"``, ``"inf"`` or ``"-inf"``) with ``value`` NULL, since neither
    MySQL nor SQLite stores NaN.

    Writes to one study queue on its row in ``{prefix}studies``: each write
    increments the study's ``stamp`` in its own transaction and copies it
    onto the trials it changes, so stamps follow commit order, and
    :meth:`read_trials` asks for the trials whose stamp exceeds the last one
    seen. A write to a trial first locks its row, and happens only if the
    trial is still RUNNING and, when an owner is given, still held by that
    owner. Writes that meet a locked database, a deadlock or a serialization
    failure are retried with jittered exponential backoff for up to a
    minute; one that meets a dropped connection is retried once on a fresh
    one. Server connections idle for more than 10 s are pinged before use.

    On SQLite, file databases use write-ahead logging (readers never block
    the writer) with ``synchronous=NORMAL``, and writes take the write lock
    at once (``BEGIN IMMEDIATE``), waiting up to 60 s for it, so concurrent
    writers queue instead of deadlocking.

    A pickled storage carries its URL and options, not its connections: the
    copy reconnects on first use, and a forked child drops the connections
    it inherited. A copy of an in-memory ``sqlite://`` storage is a new,
    empty database.

    Examples
    --------
    >>> from scout_sklearn import Trial, TrialState
    >>> from scout_sklearn.storage import SQLStorage, StudyRecord
    >>> storage = SQLStorage("sqlite://")
    >>> storage
    SQLStorage('sqlite://')
    >>> storage.create_study(StudyRecord(name="svc", seed=0, space=[], created_at=0.0))
    >>> storage.create_trial("svc", Trial(number=0, params={"C": 1.0}))
    >>> trial = storage.finish_trial("svc", 0, TrialState.COMPLETE, 0.5)
    >>> trials, stamp = storage.read_trials("svc")
    >>> [(t.number, t.params, t.state.name, t.value) for t in trials]
    [(0, {'C': 1.0}, 'COMPLETE', 0.5)]
    >>> storage.read_trials("svc", since=stamp)
    ([], 2)
    """

    def __init__(
        self,
        url: str | URL,
        *,
        engine_kwargs: dict[str, Any] | None = None,
        table_prefix: str = "scout_",
        lease_seconds: float = 60.0,
        timeout: float = 60.0,
        read_only: bool = False,
    ) -> None:
        self._url = _check_url(url)
        self.timeout = _check_seconds("timeout", timeout)
        self.read_only = _check_read_only(read_only, self._url)
        self._engine_kwargs = _check_engine_kwargs(engine_kwargs)
        self._table_prefix = _check_table_prefix(table_prefix)
        self.lease_seconds = _check_seconds("lease_seconds", lease_seconds)
        self._setup()
        # Open now, so that a wrong URL, a missing driver or an unreachable
        # server is reported where the storage is created.
        self._db()

    # -- pickling: the URL and options travel, never the engine ---------------
    def __getstate__(self) -> dict[str, Any]:
        return {
            "url": self._url.render_as_string(hide_password=False),
            "engine_kwargs": self._engine_kwargs,
            "table_prefix": self._table_prefix,
            "lease_seconds": self.lease_seconds,
            "timeout": self.timeout,
            "read_only": self.read_only,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._url = sa.make_url(state["url"])
        self._engine_kwargs = dict(state["engine_kwargs"])
        self._table_prefix = state["table_prefix"]
        self.lease_seconds = state["lease_seconds"]
        self.timeout = state.get("timeout", 60.0)
        self.read_only = state.get("read_only", False)
        self._setup()

    def __repr__(self) -> str:
        prefix = self._table_prefix
        options = "" if prefix == "scout_" else f", table_prefix={prefix!r}"
        if self.lease_seconds != 60.0:
            options += f", lease_seconds={self.lease_seconds!r}"
        if self.timeout != 60.0:
            options += f", timeout={self.timeout!r}"
        if self.read_only:
            options += ", read_only=True"
        return f"{type(self).__name__}({self._masked_url!r}{options})"

    # -- studies ----------------------------------------------------------------
    def create_study(self, record: StudyRecord) -> None:
        values = _study_values(record)

        def work(tx: _Transaction) -> None:
            try:
                tx.run([tx.statements.insert_study], values, commit=True)
            except tx.db.dbapi.IntegrityError:
                raise DuplicatedStudyError(
                    f"A study named {record.name!r} already exists in {self!r}."
                ) from None

        self._run(work, write=True)

    def load_study(self, name: str) -> StudyRecord | None:
        rows = self._read(lambda st: st.load_study, {"p_name": name})
        # MySQL compares strings ignoring trailing spaces: keep the exact name.
        records = [self._study_record(row) for row in rows if row[0] == name]
        return records[0] if records else None

    def list_studies(self) -> list[StudyRecord]:
        rows = self._read(lambda st: st.list_studies, {})
        return [self._study_record(row) for row in rows]

    # -- trials -------------------------------------------------------------------
    def create_trial(self, study: str, trial: Trial) -> None:
        if trial.state is not TrialState.RUNNING:
            raise ValueError(
                f"Trials are created RUNNING; got trial {trial.number} of study "
                f"{study!r} in state {trial.state.name}."
            )
        params = {
            "p_name": study,
            "v_number": int(trial.number),
            "v_params": _dumps(dict(trial.params), "params"),
            "v_started_at": _time(trial.started_at, "started_at"),
            "v_owner": trial.owner,
            "v_lease_until": _time(trial.lease_until, "lease_until"),
        }

        def work(tx: _Transaction) -> None:
            statements = tx.statements
            try:
                _, inserted, after = tx.run(
                    [statements.claim, statements.insert_trial, statements.next_number],
                    params,
                    commit=True,
                )
            except tx.db.dbapi.IntegrityError:
                # The unique (study_id, number): another writer has the number
                # (only possible by bypassing the study's lock).
                raise TrialNumberTaken(
                    f"Trial number {trial.number} of study {study!r} is taken."
                ) from None
            _, _, next_number = self._bumped(after, study)
            if inserted.rowcount == 1:
                return
            # The insert checked that the number was the next one: say why not.
            # (Read last: a number read by the claim itself could predate a
            # trial committed while it waited for the study's lock.)
            if trial.number < next_number:
                raise TrialNumberTaken(
                    f"Trial number {trial.number} of study {study!r} is taken."
                )
            raise ValueError(
                f"Trials are created with the next number ({next_number}) of study "
                f"{study!r}; got number {trial.number}."
            )

        def applied() -> tuple[None] | None:
            stored = self._stored_trial(study, trial.number)
            if (
                stored is not None
                and stored.owner == trial.owner
                and stored.started_at == params["v_started_at"]
                and stored.lease_until == params["v_lease_until"]
                and _dumps(dict(stored.params), "params") == params["v_params"]
            ):
                return (None,)
            return None

        self._run(work, write=True, applied=applied)
        self._cache_folds(study, trial.number, ())

    def reclaim_trial(
        self,
        study: str,
        number: int,
        *,
        expected_owner: str | None,
        owner: str,
        lease_until: float,
        expired_at: float | None = None,
    ) -> Trial | None:
        params = {
            "p_name": study,
            "p_number": int(number),
            "p_expected": expected_owner,
            "p_owner": owner,
            "p_lease": _time(lease_until, "lease_until"),
            "p_expired": None if expired_at is None else float(expired_at),
            "p_now": time.time(),
        }
        cached = self._folds.get((study, number))

        def work(tx: _Transaction) -> tuple[_Result, _Result | None]:
            statements = tx.statements
            batch = [
                statements.bump,
                statements.reclaim(expected_owner is None, expired_at is not None),
            ]
            if cached is None:
                batch.append(statements.select_folds)
            bumped, taken, *folds = tx.run(batch, params, commit=True)
            self._bumped(bumped, study)
            return taken, folds[0] if folds else None

        recovered: list[Trial] = []

        def applied() -> tuple[tuple[_Result, _Result | None]] | None:
            stored = self._stored_trial(study, number)
            if (
                stored is not None
                and stored.state is TrialState.RUNNING
                and stored.owner == owner
                and stored.lease_until == params["p_lease"]
            ):
                recovered.append(stored)
                return ((_Result(None, 0), None),)
            return None

        taken, fold_rows = self._run(work, write=True, applied=applied)
        if recovered:
            self._cache_folds(study, number, recovered[0].fold_results)
            return recovered[0]
        if taken.rowcount == 0 or not taken.rows:
            # Absent, or changed by another writer first: only the first is an error.
            exists = self._read(
                lambda st: st.trial_exists, {"p_name": study, "p_number": number}
            )
            if not exists:
                raise KeyError(f"Study {study!r} has no trial number {number}.")
            return None
        trial, n_folds = self._locked(taken, study, number)
        folds = self._current_folds(study, number, n_folds, cached, fold_rows)
        return dataclasses.replace(trial, fold_results=folds)

    def record_fold(
        self, study: str, number: int, fold_result: FoldResult, *, owner: str | None = None
    ) -> Trial:
        params = {
            **_fold_values(fold_result),
            "p_name": study,
            "p_number": int(number),
            "p_owner": owner,
        }

        def before(stored: Trial) -> tuple[FoldResult, ...] | None:
            # The fold's measured times make it this write's, not a like one's.
            mine = [f for f in stored.fold_results if _same_fold(f, fold_result)]
            if not mine:
                return None
            return tuple(f for f in stored.fold_results if f is not mine[-1])

        trial, folds = self._write_running(
            study,
            number,
            params,
            lambda st: st.insert_fold[owner is not None],
            "record a fold result on",
            owner,
            before,
        )
        folds = (*folds, fold_result)
        self._cache_folds(study, number, folds)
        return dataclasses.replace(trial, fold_results=folds)

    def finish_trial(
        self,
        study: str,
        number: int,
        state: TrialState,
        value: float | None,
        *,
        owner: str | None = None,
    ) -> Trial:
        if not state.is_finished:
            raise TrialStateError(
                f"Cannot finish trial {number} of study {study!r} as {state.name}: "
                "a trial finishes COMPLETE, PRUNED or FAILED."
            )
        stored_value, nonfinite = _split_value(value)
        finished_at = time.time()
        params = {
            "p_name": study,
            "p_number": int(number),
            "p_owner": owner,
            "p_state": state.value,
            "p_value": stored_value,
            "p_nonfinite": nonfinite,
            "p_finished_at": finished_at,
        }

        def before(stored: Trial) -> tuple[FoldResult, ...] | None:
            if stored.state is state and stored.finished_at == finished_at:
                return stored.fold_results
            return None

        trial, folds = self._write_running(
            study,
            number,
            params,
            lambda st: st.finish_trial[owner is not None],
            "finish",
            owner,
            before,
        )
        self._folds.pop((study, number), None)  # finished: no more writes to answer
        return dataclasses.replace(
            trial,
            state=state,
            fold_results=folds,
            value=None if value is None else float(value),
            finished_at=finished_at,
        )

    @contextlib.contextmanager
    def claim_lock(self, study: str) -> Iterator[None]:
        """A server-side lock on claiming ``study``'s trial numbers.

        PostgreSQL: a session advisory lock; MySQL/MariaDB: ``GET_LOCK``.
        Both belong to one pooled connection, held for the block, and die
        with it if the process does. Waits at most 2 s for another worker,
        then goes on without the lock. SQLite takes no lock here: its
        writes already take the whole database in turn.

        On PostgreSQL the block's reads and writes (in this thread) run on
        the lock's connection; the lock is taken in the round trip of the
        first of them, released in that of a committed write, and taken
        again by a statement after that write. A block that reads the
        trials and creates one, as :meth:`Study.ask` does, holds the lock
        for two round trips and needs none of its own.
        """
        db = self._db()
        if db.backend not in ("postgresql", "mysql"):
            yield
            return
        digest = hashlib.sha1(f"{self._table_prefix}\0{study}".encode()).digest()
        raw = self._connect(db)
        claim = None
        held = False
        try:
            if db.backend == "postgresql":  # taken with the block's first statement
                claim = self._local.claim = _Claim(raw, _claim_key(digest))
            else:
                try:
                    held = _take_claim_lock(raw, digest)
                except db.dbapi.Error as err:  # go on without it: claims stay safe
                    logger.debug(
                        "No claim lock on %r: %s", study, _scrub(str(err), self._url)
                    )
                    raw.invalidate()
            yield
        finally:
            if claim is not None:
                self._local.claim = None
                held = claim.held
            if held:
                try:
                    _release_claim_lock(db.backend, raw, digest)
                except db.dbapi.Error:  # closing the connection drops the lock
                    raw.invalidate()
            raw.close()

    def heartbeat(self, study: str, owner: str, lease_until: float) -> int:
        params = {
            "p_name": study,
            "p_owner": owner,
            "p_lease": _time(lease_until, "lease_until"),
        }

        def work(tx: _Transaction) -> int:
            statements = tx.statements
            bumped, renewed = tx.run(
                [statements.bump, statements.heartbeat], params, commit=True
            )
            self._bumped(bumped, study)
            return renewed.rowcount

        return self._run(work, write=True)

    def read_trials(self, study: str, since: int = 0) -> tuple[list[Trial], int]:
        # One statement, so one consistent snapshot on every database: the
        # study's stamp and the trials (with their folds) changed after ``since``.
        rows = self._read(
            lambda st: st.read_trials, {"p_name": study, "p_since": int(since)}
        )
        if not rows:
            raise KeyError(f"No study named {study!r} in {self!r}.")
        first_fold = 1 + _N_TRIAL_COLUMNS
        trials = []
        for group in _group_by_trial(rows, start=1):
            head = group[0]
            with_folds = [row for row in group if row[first_fold] is not None]
            folds = self._folds_from(with_folds, study, head[2], start=first_fold)
            trials.append(self._trial(head, folds, study, start=1))
        return trials, int(rows[0][0])

    # -- opening --------------------------------------------------------------------
    def _setup(self) -> None:
        self._masked_url = self._url.render_as_string(hide_password=True)
        self._is_memory = _is_sqlite_memory(self._url)
        # An in-memory database is one connection shared by every thread:
        # each transaction holds this lock. Other databases have a pool.
        self._guard: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if self._is_memory else contextlib.nullcontext()
        )
        self._setup_lock = threading.Lock()
        self._watchdog = Watchdog(self.timeout)
        # A SQLite file's path and (device, inode) when opened: a file deleted
        # or replaced under an open connection takes the writes into the
        # unlinked inode, and nothing would be left on disk.
        self._file: tuple[str, tuple[int, int]] | None = None
        self._opened: _Database | None = None
        # The claim lock this thread holds (PostgreSQL), see claim_lock.
        self._local = threading.local()
        # Fold results of the RUNNING trials this object writes, by (study,
        # number), to return them from writes without reading them back.
        self._folds: dict[tuple[str, int], tuple[FoldResult, ...]] = {}

    def _db(self) -> _Database:
        """The open database of this process (reopened after a fork or unpickling)."""
        opened = self._opened
        if opened is not None and opened.pid == os.getpid():
            return opened
        with self._setup_lock:
            opened = self._opened
            if opened is not None and opened.pid != os.getpid():
                # Forked: the pool's connections belong to the parent. Drop
                # them without closing them under its feet (an in-memory
                # database is this process's own copy: keep it).
                if not self._is_memory:
                    opened.engine.dispose(close=False)
                opened.pid = os.getpid()
            if opened is None:
                engine = _create_engine(
                    self._url, self._engine_kwargs, self.timeout, read_only=self.read_only
                )
                opened = _Database(engine, _build_tables(self._table_prefix))
                self._prepare_schema(opened)
                self._file = _file_identity(self._url)
                opened.compile_statements()
                self._opened = opened
            return opened

    def _prepare_schema(self, db: _Database) -> None:
        """Create the tables if absent, then check the schema version."""
        stored = self._schema_step(db, db.stored_version)
        if self.read_only:
            self._check_readable_schema(stored)
            return
        for attempt in range(5):
            if stored is not None:
                break
            try:
                self._schema_step(db, db.create_schema, write=True)
            except (exc.DBAPIError, db.dbapi.Error) as err:
                # Another process created the tables meanwhile ("already
                # exists", a duplicate version row): look again.
                if attempt == 4:
                    raise RuntimeError(
                        f"Could not create the tables '{self._table_prefix}*' in "
                        f"{self!r}: {_scrub(str(err), self._url)}"
                    ) from None
                time.sleep(random.uniform(0.01, 0.1) * (attempt + 1))
            stored = self._schema_step(db, db.stored_version)
        if stored is None:  # pragma: no cover - the loop breaks or raises first
            raise RuntimeError(f"Could not create the tables in {self!r}.")
        if stored > SCHEMA_VERSION:
            raise RuntimeError(
                f"The tables '{self._table_prefix}*' in {self!r} were written by a "
                f"newer scout-sklearn (schema {stored}); this one reads schema "
                f"{SCHEMA_VERSION}; upgrade scout-sklearn "
                "(pip install --upgrade scout-sklearn)."
            )
        if stored < SCHEMA_VERSION:
            self._upgrade_schema(db, stored)

    def _check_readable_schema(self, stored: int | None) -> None:
        """Fail unless a read-only storage finds tables of this schema."""
        tables = f"tables '{self._table_prefix}*' in {self!r}"
        if stored is None:
            raise LookupError(
                f"There are no {tables}: no search has stored a study there (check "
                "the URL and table_prefix). A read_only storage does not create them."
            )
        if stored > SCHEMA_VERSION:
            raise RuntimeError(
                f"The {tables} were written by a newer scout-sklearn (schema "
                f"{stored}); this one reads schema {SCHEMA_VERSION}; upgrade "
                "scout-sklearn (pip install --upgrade scout-sklearn)."
            )
        if stored < SCHEMA_VERSION:
            raise RuntimeError(
                f"The {tables} hold schema {stored}, older than schema "
                f"{SCHEMA_VERSION} which this scout-sklearn reads, and a read_only "
                "storage does not upgrade them: open the storage once writable "
                "(SQLStorage(url), or any search with storage=url) to upgrade them "
                "in place."
            )

    def _upgrade_schema(self, db: _Database, stored: int) -> None:
        missing = [v for v in range(stored, SCHEMA_VERSION) if v not in _MIGRATIONS]
        if missing:
            raise RuntimeError(
                f"The tables '{self._table_prefix}*' in {self!r} hold schema "
                f"{stored}, older than schema {SCHEMA_VERSION} which this "
                f"scout-sklearn reads, and there is no upgrade path from schema "
                f"{missing[0]}. Open them with the scout-sklearn that wrote them, "
                "or use another database or table_prefix for new studies."
            )

        def work(conn: Connection) -> None:
            # The version row is locked: concurrent openers upgrade only once.
            current = db.stored_version(conn, lock=True)
            if current is None or current >= SCHEMA_VERSION:
                return
            for version in range(current, SCHEMA_VERSION):
                logger.warning(
                    "Upgrading the tables '%s*' in %r from schema %d to %d.",
                    self._table_prefix,
                    self,
                    version,
                    version + 1,
                )
                _MIGRATIONS[version](conn, db.tables)
            conn.execute(sa.update(db.tables.version).values(schema_version=SCHEMA_VERSION))

        self._schema_step(db, work, write=True)

    def _schema_step(
        self, db: _Database, work: Callable[[Connection], _T], *, write: bool = False
    ) -> _T:
        """Run ``work`` on a SQLAlchemy connection: one transaction if ``write``."""
        with self._guard:
            try:
                conn = db.engine.connect()
            except exc.DBAPIError as err:
                raise ConnectionError(self._connect_failure(err.orig)) from None
            except db.dbapi.Error as err:  # raised by a new connection's first queries
                raise ConnectionError(self._connect_failure(err)) from None
            with conn:
                if not write:
                    return work(conn)
                if db.begin_sql:
                    conn.exec_driver_sql(db.begin_sql)
                try:
                    result = work(conn)
                except BaseException:
                    conn.rollback()
                    raise
                if db.begin_sql:  # begun by us: the driver would not commit it
                    conn.exec_driver_sql("COMMIT")
                conn.commit()
                return result

    # -- transactions ---------------------------------------------------------------
    def _read(
        self, statement: Callable[[_Statements], _Step], params: dict[str, Any]
    ) -> list[_Row]:
        """The rows of one statement, run outside any transaction."""

        def work(tx: _Transaction) -> list[_Row]:
            (result,) = tx.run([statement(tx.statements)], params)
            return result.rows or []

        return self._run(work, write=False)

    def _run(
        self,
        work: Callable[[_Transaction], _T],
        *,
        write: bool,
        applied: Callable[[], tuple[_T] | None] | None = None,
    ) -> _T:
        """Run ``work`` in one transaction, retried while the database is busy.

        A write whose connection drops may have committed all the same (the
        server applied the COMMIT, its answer was lost): before running it
        again, ``applied`` reads whether it is stored, and returns what
        ``work`` would have returned (in a 1-tuple) if it is, else None.
        Without it, the write is run again: a write that is not idempotent
        (an insert, a compare-and-set) would then be applied twice, or fail
        against its own first application.
        """
        if write and self.read_only:
            raise PermissionError(
                f"{self!r} is read-only: it reads studies and trials and writes "
                "nothing; open SQLStorage(url) without read_only=True to write."
            )
        db = self._db()
        self._check_file()
        started = time.monotonic()
        attempt = 0
        reconnected = False
        while True:
            with self._guard:
                claim: _Claim | None = getattr(self._local, "claim", None)
                if claim is not None and claim.dead:
                    claim = None
                raw = self._connect(db) if claim is None else claim.raw
                tx = _Transaction(db, raw, write, claim)
                try:
                    with self._watched(db, raw) as was_cut:
                        try:
                            result = work(tx)
                            tx.finish()
                            return result
                        except BaseException as err:
                            if was_cut() or _timed_out(db, err):
                                raise _NoAnswer from err
                            raise
                except _NoAnswer as no_answer:
                    tx.abort(invalidate=True)
                    if claim is not None:
                        claim.dead = True
                        claim.held = claim.pending = False
                    raise ConnectionError(self._no_answer()) from no_answer.__cause__
                except BaseException as err:
                    dropped = isinstance(err, db.dbapi.Error) and db.is_disconnect(err, raw)
                    tx.abort(invalidate=dropped)
                    if (dropped or tx.poisoned) and claim is not None:
                        # The lock went with the connection: the block goes
                        # on without it (claims stay safe, see claim_lock).
                        claim.dead = True
                        claim.held = claim.pending = False
                    reason = "the connection was dropped" if dropped else db.transient(err)
                    if reason is None:
                        self._raise_if_disk_full(db, err)
                        raise
                    failure = err
                finally:
                    if claim is None:
                        raw.close()
            message = _scrub(str(failure), self._url)
            if dropped:
                if reconnected:
                    raise ConnectionError(
                        f"Lost the connection to {self!r} twice in a row: {message}"
                    ) from None
                reconnected = True
                db.engine.dispose()  # the other pooled connections are likely dead too
                if write and applied is not None:
                    done = applied()
                    if done is not None:
                        logger.info(
                            "A write to %r committed before its connection dropped: "
                            "not run again.",
                            self,
                        )
                        return done[0]
                continue
            attempt += 1
            elapsed = time.monotonic() - started
            delay = min(1.0, 0.002 * 2**attempt) * random.uniform(0.5, 1.5)
            if elapsed + delay > self.timeout:
                raise RuntimeError(
                    f"Gave up writing to {self!r} after {attempt} attempts in "
                    f"{elapsed:.1f} s: {reason} ({message}). Another process holds "
                    "the database for too long (a SQLite file: a program with an open "
                    "write transaction), or too many processes write at once; "
                    "SQLStorage(url, timeout=...) waits longer."
                ) from None
            logger.debug(
                "Retrying a write to %r in %.3f s: %s (attempt %d).",
                self,
                delay,
                reason,
                attempt,
            )
            time.sleep(delay)

    def _raise_if_disk_full(self, db: _Database, err: BaseException) -> None:
        """Turn SQLite's "database or disk is full" into an error that says what to do."""
        if db.backend != "sqlite" or "disk is full" not in str(err):
            return
        where = self._file[0] if self._file is not None else self._masked_url
        raise OSError(
            errno.ENOSPC,
            f"The disk holding the SQLite file {where!r} of {self!r} is full: the "
            "last write was not stored (what was stored before is intact). Free "
            "some space there (or give storage= a file on another disk) and run "
            "the search again: it resumes from what was stored.",
        ) from err

    def _check_file(self) -> None:
        """Fail if this storage's SQLite file was deleted or replaced since it opened."""
        if self._file is None:
            return
        path, identity = self._file
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            what = "was deleted"
        else:
            if (stat.st_dev, stat.st_ino) == identity:
                return
            what = "was replaced by another file"
        raise StorageFileLost(
            f"The SQLite file {path!r} of {self!r} {what} while this storage had it "
            "open: what is written now would be lost with it, so the storage stops. "
            "The trials read and written so far are still in memory: a search that "
            "fails with this error keeps them in search.study_.trials (and "
            "search.trials_dataframe()); write them to a new storage to keep them."
        )

    def _watched(
        self, db: _Database, raw: PoolProxiedConnection
    ) -> contextlib.AbstractContextManager[Callable[[], bool]]:
        """A watchdog over one transaction on PostgreSQL (no read timeout there)."""
        if db.backend != "postgresql":
            return contextlib.nullcontext(lambda: False)
        return self._watchdog.watch(lambda: raw.driver_connection.pgconn.socket)  # type: ignore[union-attr]

    def _no_answer(self) -> str:
        return (
            f"{self!r} did not answer within {self.timeout:g} s. Check that the "
            "database server is up and reachable from this machine (a server that "
            "stopped, a firewall or proxy that holds connections open); "
            "SQLStorage(url, timeout=...) sets how long to wait."
        )

    def _connect_failure(self, err: BaseException | None) -> str:
        reason = _scrub(str(err), self._url)
        message = f"Could not connect to {self!r}: {reason}"
        if "timeout" in reason or "timed out" in reason:
            message += (
                f" The server did not answer in time (timeout={self.timeout:g} s, at "
                "most 10 s to connect): check that it is up and reachable from this "
                "machine; SQLStorage(url, timeout=...) or engine_kwargs="
                "{'connect_args': {'connect_timeout': ...}} waits longer."
            )
        return message

    def _connect(self, db: _Database) -> PoolProxiedConnection:
        """A pooled DBAPI connection, pinged first if it sat idle for a while."""
        for attempt in range(2):
            try:
                raw = db.engine.raw_connection()
            except (exc.DBAPIError, db.dbapi.Error) as err:
                # DBAPIError: from the connect; dbapi.Error: from a new
                # connection's first queries. A session ended by the server
                # while it was set up (an administrator's KILL) is tried again.
                cause = err.orig if isinstance(err, exc.DBAPIError) else err
                if attempt == 0 and _dropped_at_connect(db, cause):
                    continue
                raise ConnectionError(self._connect_failure(cause)) from None
            now = time.monotonic()
            last_used = raw.info.get("scout_last_used")
            raw.info["scout_last_used"] = now
            if (
                db.is_server
                and last_used is not None
                and now - last_used > _PING_AFTER_SECONDS
            ):
                try:
                    db.engine.dialect.do_ping(raw.driver_connection)  # type: ignore[arg-type]
                except db.dbapi.Error:
                    raw.invalidate()
                    raw.close()
                    continue
            return raw
        raise ConnectionError(f"Could not connect to {self!r}: the server dropped it.")

    # -- helpers --------------------------------------------------------------------
    def _write_running(
        self,
        study: str,
        number: int,
        params: dict[str, Any],
        write: Callable[[_Statements], _Step],
        action: str,
        owner: str | None,
        before: Callable[[Trial], tuple[FoldResult, ...] | None],
    ) -> tuple[Trial, tuple[FoldResult, ...]]:
        """One checked write to a RUNNING trial; the trial before it and its folds.

        The checks (RUNNING, held by ``owner``) are in the write statement
        itself, so the whole write is one batch; they are repeated on the
        rows read back only to say why a write did not happen. ``before``
        tells, from the stored trial, whether the write is in it (after a
        dropped connection) and if so the trial's folds before it.
        """
        cached = self._folds.get((study, number))

        def work(tx: _Transaction) -> tuple[Trial, int, _Result | None]:
            statements = tx.statements
            batch = [statements.bump, statements.lock_trial]
            if cached is None:
                batch.append(statements.select_folds)
            batch.append(write(statements))
            bumped, locked, *rest = tx.run(batch, params, commit=True)
            self._bumped(bumped, study)
            trial, n_folds = self._locked(locked, study, number)
            _check_running(trial, study, action, owner)
            _check_written(rest[-1], trial, study)
            return trial, n_folds, rest[0] if cached is None else None

        recovered: list[tuple[FoldResult, ...]] = []

        def applied() -> tuple[tuple[Trial, int, _Result | None]] | None:
            stored = self._stored_trial(study, number)
            if stored is None or (owner is not None and stored.owner != owner):
                return None
            folds = before(stored)
            if folds is None:
                return None
            recovered.append(folds)
            running = dataclasses.replace(
                stored, state=TrialState.RUNNING, value=None, finished_at=None
            )
            return ((dataclasses.replace(running, fold_results=()), len(folds), None),)

        trial, n_folds, fold_rows = self._run(work, write=True, applied=applied)
        if recovered:
            return trial, recovered[0]
        return trial, self._current_folds(study, number, n_folds, cached, fold_rows)

    def _stored_trial(self, study: str, number: int) -> Trial | None:
        """Trial ``number`` as stored now, with its folds (None if not there)."""
        trials, _ = self.read_trials(study)
        return next((t for t in trials if t.number == number), None)

    def _bumped(self, result: _Result, study: str) -> tuple[int, int, int]:
        """(study id, new stamp, next trial number) from a bump; KeyError if no study."""
        if not result.rows:
            raise KeyError(f"No study named {study!r} in {self!r}.")
        row = result.rows[0]
        return int(row[0]), int(row[1]), int(row[2]) if len(row) > 2 else -1

    def _locked(self, result: _Result, study: str, number: int) -> tuple[Trial, int]:
        """The trial (without folds) and its number of folds, from a locking step."""
        if not result.rows:
            raise KeyError(f"Study {study!r} has no trial number {number}.")
        row = result.rows[0]
        return self._trial(row, (), study), int(row[_N_TRIAL_COLUMNS])

    def _current_folds(
        self,
        study: str,
        number: int,
        n_folds: int,
        cached: tuple[FoldResult, ...] | None,
        rows: _Result | None,
    ) -> tuple[FoldResult, ...]:
        """The trial's ``n_folds`` folds: from the cache, the rows read, or a new read."""
        if rows is not None:
            return self._folds_from(rows.rows, study, number)
        if cached is not None and len(cached) == n_folds:
            # Folds are only ever appended: the same count means the same folds.
            return cached
        # Another worker added folds since (it reclaimed the trial): read them.
        folds = self._read(
            lambda st: st.select_folds, {"p_name": study, "p_number": number}
        )
        return self._folds_from(folds, study, number)[:n_folds]

    def _cache_folds(self, study: str, number: int, folds: tuple[FoldResult, ...]) -> None:
        if len(self._folds) >= _CACHED_TRIALS:
            self._folds.clear()
        self._folds[study, number] = folds

    def _folds_from(
        self, rows: Sequence[_Row] | None, study: str, number: int, *, start: int = 0
    ) -> tuple[FoldResult, ...]:
        try:
            return tuple(_fold_from(row, start) for row in rows or ())
        except _NotJSON as err:
            raise self._foreign_data(f"Trial {number} of study {study!r}", err) from None

    def _trial(
        self, row: _Row, folds: tuple[FoldResult, ...], study: str, *, start: int = 0
    ) -> Trial:
        """A trial from its folds and its columns (``_TRIAL_COLUMNS`` from ``start``)."""
        try:
            params = _loads(row[start + 3], "params")
            if not isinstance(params, dict):
                raise _NotJSON(
                    f"the params column holds {type(params).__name__}, not an object"
                )
            state = TrialState(row[start + 2])
        except (_NotJSON, ValueError) as err:
            raise self._foreign_data(
                f"Trial {row[start + 1]} of study {study!r}", err
            ) from None
        nonfinite = row[start + 5]
        return Trial(
            number=row[start + 1],
            params=params,
            state=state,
            fold_results=folds,
            value=row[start + 4] if nonfinite is None else float(nonfinite),
            started_at=row[start + 6],
            finished_at=row[start + 7],
            owner=row[start + 8],
            lease_until=row[start + 9],
        )

    def _study_record(self, row: _Row) -> StudyRecord:
        name = row[0]
        try:
            space = _loads(row[2], "space")
            fingerprint = _loads(row[3], "fingerprint")
            if not isinstance(space, list) or not isinstance(fingerprint, dict):
                raise _NotJSON("the space is not a list or the fingerprint not an object")
            seed = int(row[1])
        except (_NotJSON, ValueError, TypeError) as err:
            raise self._foreign_data(f"Study {name!r}", err) from None
        return StudyRecord(
            name=name, seed=seed, space=space, created_at=row[4], fingerprint=fingerprint
        )

    def _foreign_data(self, what: str, err: Exception) -> ValueError:
        return ValueError(
            f"{what} in {self!r} holds data this storage did not write: {err}. "
            "scout-sklearn stores only JSON text and never unpickles; were the "
            "tables changed by another program?"
        )


# -- the tables ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tables:
    metadata: sa.MetaData
    studies: sa.Table
    trials: sa.Table
    folds: sa.Table
    version: sa.Table


def _build_tables(prefix: str) -> _Tables:
    metadata = sa.MetaData()
    # SQLite autoincrements only an INTEGER primary key.
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    # MySQL's TEXT stops at 64 KiB: tracebacks and CV splits can be longer.
    text = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
    double = sa.Double[float]()
    # InnoDB, 4-byte UTF-8 and exact (binary) comparison of study names and owners.
    options: dict[str, Any] = {
        f"{dialect}_{key}": value
        for dialect in ("mysql", "mariadb")
        for key, value in [
            ("engine", "InnoDB"),
            ("charset", "utf8mb4"),
            ("collate", "utf8mb4_bin"),
        ]
    }
    studies = sa.Table(
        f"{prefix}studies",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(_NAME_LENGTH), nullable=False),
        sa.Column("seed", sa.Text, nullable=False),  # decimal: seeds exceed 64 bits
        sa.Column("space", text, nullable=False),
        sa.Column("fingerprint", text, nullable=False),
        sa.Column("created_at", double, nullable=False),
        sa.Column("stamp", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("name", name=f"{prefix}studies_name"),
        **options,
    )
    trials = sa.Table(
        f"{prefix}trials",
        metadata,
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "study_id",
            sa.Integer,
            sa.ForeignKey(studies.c.id, ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("params", text, nullable=False),
        sa.Column("value", double),
        sa.Column("value_nonfinite", sa.String(8)),
        sa.Column("started_at", double),
        sa.Column("finished_at", double),
        sa.Column("owner", sa.String(_NAME_LENGTH)),
        sa.Column("lease_until", double),
        sa.Column("stamp", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("study_id", "number", name=f"{prefix}trials_number"),
        sa.Index(f"{prefix}trials_stamp", "study_id", "stamp"),
        sa.Index(f"{prefix}trials_owner", "study_id", "owner"),
        **options,
    )
    folds = sa.Table(
        f"{prefix}folds",
        metadata,
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "trial_id",
            big_id,
            sa.ForeignKey(trials.c.id, ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),  # order of arrival
        sa.Column("fold", sa.Integer, nullable=False),
        sa.Column("rung", sa.Integer, nullable=False),
        sa.Column("test_scores", text, nullable=False),
        sa.Column("train_scores", text),
        sa.Column("fit_time", double, nullable=False),
        sa.Column("score_time", double, nullable=False),
        sa.Column("n_test_samples", sa.BigInteger, nullable=False),
        sa.Column("error", text),  # a JSON string: tracebacks may hold NUL characters
        # Rounds kept by early stopping on a validation split (schema 2).
        sa.Column("n_iterations", sa.BigInteger),
        sa.UniqueConstraint("trial_id", "position", name=f"{prefix}folds_position"),
        **options,
    )
    version = sa.Table(
        f"{prefix}version",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        **options,
    )
    return _Tables(metadata, studies, trials, folds, version)


# -- upgrades from older schemas ---------------------------------------------------------
def _add_n_iterations(conn: Connection, tables: _Tables) -> None:
    """Schema 1 -> 2: the folds get ``n_iterations`` (NULL for the folds already there)."""
    preparer = conn.dialect.identifier_preparer
    column = tables.folds.c.n_iterations
    existing = {c["name"] for c in sa.inspect(conn).get_columns(tables.folds.name)}
    if column.name in existing:
        # MySQL commits before any ALTER TABLE, releasing the version row's
        # lock: an opener that waited on it may find the column added.
        return
    conn.execute(
        sa.text(
            f"ALTER TABLE {preparer.format_table(tables.folds)} ADD COLUMN "
            f"{preparer.format_column(column)} "
            f"{column.type.compile(dialect=conn.dialect)} NULL"
        )
    )


#: ``_MIGRATIONS[n]`` upgrades tables of schema ``n`` to schema ``n + 1`` inside
#: the transaction it is given (schema 1 was the first).
_MIGRATIONS: dict[int, Callable[[Connection, _Tables], None]] = {
    1: _add_n_iterations,
}


# Columns in the order every statement selects them (rows are read by position).
_TRIAL_COLUMNS = (
    "id",
    "number",
    "state",
    "params",
    "value",
    "value_nonfinite",
    "started_at",
    "finished_at",
    "owner",
    "lease_until",
)
_FOLD_COLUMNS = (
    "id",
    "fold",
    "rung",
    "test_scores",
    "train_scores",
    "fit_time",
    "score_time",
    "n_test_samples",
    "error",
    "n_iterations",
)
_N_TRIAL_COLUMNS = len(_TRIAL_COLUMNS)


# -- statements, compiled once -----------------------------------------------------------
class _Compiled:
    """One statement compiled for a dialect, with named parameters only."""

    __slots__ = ("names", "text")

    def __init__(self, statement: sa.ClauseElement, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):  # pragma: no cover - our statements
            raise TypeError(f"Not a SQL statement: {statement}")
        unnamed = [name for name in compiled.binds if not name.startswith(("p_", "v_"))]
        if unnamed:  # statements of one batch share one dict of parameters
            raise AssertionError(f"Unnamed bound parameters {unnamed} in {compiled}")
        self.text = str(compiled)
        self.names = tuple(compiled.positiontup or ()) if compiled.positional else None

    def args(self, params: Mapping[str, Any]) -> Any:
        if self.names is None:
            return params
        return tuple(params[name] for name in self.names)


#: A logical step of a transaction: one statement, or (without RETURNING) an
#: UPDATE followed by the SELECT that reads what it changed.
_Step = tuple[_Compiled, ...]


class _Statements:
    """Every statement of the storage, compiled for its database."""

    def __init__(self, tables: _Tables, dialect: sa.Dialect) -> None:
        self._tables = tables
        self._dialect = dialect
        self._returning = bool(dialect.update_returning)
        self._reclaims: dict[tuple[bool, bool], _Step] = {}
        studies, trials, folds = tables.studies, tables.trials, tables.folds
        one = sa.literal_column("1", sa.Integer())
        zero = sa.literal_column("0", sa.Integer())
        running = sa.literal_column(f"'{_RUNNING}'", sa.String())
        name = sa.bindparam("p_name", type_=sa.String())
        study_columns = [
            studies.c.name,
            studies.c.seed,
            studies.c.space,
            studies.c.fingerprint,
            studies.c.created_at,
        ]
        self.trial_columns = [trials.c[column] for column in _TRIAL_COLUMNS]
        fold_columns = [folds.c[column] for column in _FOLD_COLUMNS]
        # Statements after the study's bump find it by name: on PostgreSQL a
        # whole batch goes to the server before any result comes back.
        self.study_id = (
            sa.select(studies.c.id).where(studies.c.name == name).scalar_subquery()
        )
        self.study_stamp = (
            sa.select(studies.c.stamp).where(studies.c.name == name).scalar_subquery()
        )
        self.this_trial = sa.and_(
            trials.c.study_id == self.study_id,
            trials.c.number == sa.bindparam("p_number", type_=sa.Integer()),
        )
        # SQLite prints RETURNING columns without their table: a correlated
        # subquery there must name the outer table in full.
        counted = folds.alias("counted")
        self.n_folds = (
            sa.select(sa.func.count())
            .select_from(counted)
            .where(counted.c.trial_id == sa.literal_column(f"{trials.name}.id"))
            .scalar_subquery()
        )
        others = trials.alias("others")
        next_number = (
            sa.select(sa.func.coalesce(sa.func.max(others.c.number) + one, zero))
            .where(others.c.study_id == sa.literal_column(f"{studies.name}.id"))
            .scalar_subquery()
        )

        # -- studies
        self.insert_study = self._step(
            sa.insert(studies).values(
                name=sa.bindparam("v_name"),
                seed=sa.bindparam("v_seed"),
                space=sa.bindparam("v_space"),
                fingerprint=sa.bindparam("v_fingerprint"),
                created_at=sa.bindparam("v_created_at"),
                stamp=zero,
            )
        )
        self.load_study = self._step(
            sa.select(*study_columns).where(studies.c.name == name)
        )
        self.list_studies = self._step(
            sa.select(*study_columns).order_by(studies.c.created_at, studies.c.id)
        )
        # -- the bump that starts every write: lock the study, count one more change
        bump = (
            sa.update(studies)
            .where(studies.c.name == name)
            .values(stamp=studies.c.stamp + one)
        )
        bumped = sa.select(studies.c.id, studies.c.stamp).where(studies.c.name == name)
        # Creating a trial bumps only if its number is not taken: a writer that
        # lost the race for a number then writes nothing at all. (Not "is the
        # next": the insert must never find a number free that the claim saw
        # taken, or it would write without the study's lock.)
        claim = bump.where(next_number <= sa.bindparam("v_number", type_=sa.Integer()))
        if self._returning:
            self.bump = self._step(bump.returning(studies.c.id, studies.c.stamp))
            self.claim = self._step(claim.returning(studies.c.id, studies.c.stamp))
        else:
            self.bump = self._step(bump, bumped)
            self.claim = self._step(claim, bumped)
        self.next_number = self._step(bumped.add_columns(next_number))

        # -- trials. Writes check in SQL what the caller checks again in Python
        # on the rows read back (to say why a write did not happen), so that
        # each write is one batch.
        def typed(name: str, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
            # PostgreSQL must know the type of a parameter in a SELECT list;
            # SQLAlchemy adds casts for every type but floats.
            parameter = sa.bindparam(name, type_=column.type)
            if dialect.name == "postgresql" and isinstance(column.type, sa.Double):
                return sa.cast(parameter, column.type)
            return parameter

        t = trials.c
        self.insert_trial = self._step(
            sa.insert(trials).from_select(
                [
                    "study_id",
                    "number",
                    "state",
                    "params",
                    "started_at",
                    "owner",
                    "lease_until",
                    "stamp",
                ],
                sa.select(
                    studies.c.id,
                    typed("v_number", t.number),
                    running,
                    typed("v_params", t.params),
                    typed("v_started_at", t.started_at),
                    typed("v_owner", t.owner),
                    typed("v_lease_until", t.lease_until),
                    studies.c.stamp,
                ).where(studies.c.name == name, next_number == typed("v_number", t.number)),
            )
        )
        # Stamping the trial locks its row: the owner and state read back
        # cannot change before this transaction ends.
        self.lock_trial = self._changed(
            sa.update(trials).where(self.this_trial).values(stamp=self.study_stamp)
        )
        self.trial_exists = self._step(sa.select(trials.c.id).where(self.this_trial))
        writable = [
            sa.and_(self.this_trial, t.state == running),
            sa.and_(
                self.this_trial, t.state == running, t.owner == typed("p_owner", t.owner)
            ),
        ]
        #: Indexed by whether an owner is checked.
        self.finish_trial = tuple(
            self._step(
                sa.update(trials)
                .where(condition)
                .values(
                    state=typed("p_state", t.state),
                    value=typed("p_value", t.value),
                    value_nonfinite=typed("p_nonfinite", t.value_nonfinite),
                    finished_at=typed("p_finished_at", t.finished_at),
                )
            )
            for condition in writable
        )
        self.heartbeat = self._step(
            sa.update(trials)
            .where(
                trials.c.study_id == self.study_id,
                trials.c.owner == sa.bindparam("p_owner"),
                trials.c.state == running,
            )
            .values(lease_until=sa.bindparam("p_lease"), stamp=self.study_stamp)
        )
        # -- folds, appended at the next position
        position = (
            sa.select(sa.func.count())
            .select_from(counted)
            .where(counted.c.trial_id == trials.c.id)
            .scalar_subquery()
        )
        fold_values = [
            typed(f"v_{column}", folds.c[column]) for column in _FOLD_COLUMNS[1:]
        ]
        #: Indexed by whether an owner is checked.
        self.insert_fold = tuple(
            self._step(
                sa.insert(folds).from_select(
                    ["trial_id", "position", *_FOLD_COLUMNS[1:]],
                    sa.select(trials.c.id, position, *fold_values).where(condition),
                )
            )
            for condition in writable
        )
        self.select_folds = self._step(
            sa.select(*fold_columns)
            .where(
                folds.c.trial_id
                == sa.select(trials.c.id).where(self.this_trial).scalar_subquery()
            )
            .order_by(folds.c.position)
        )
        # -- reading changes
        changed = trials.outerjoin(folds, folds.c.trial_id == trials.c.id)
        self.read_trials = self._step(
            sa.select(studies.c.stamp, *self.trial_columns, *fold_columns)
            .select_from(
                studies.outerjoin(
                    changed,
                    sa.and_(
                        trials.c.study_id == studies.c.id,
                        trials.c.stamp > sa.bindparam("p_since", type_=sa.BigInteger()),
                    ),
                )
            )
            .where(studies.c.name == name)
            .order_by(trials.c.number, folds.c.position)
        )

    def reclaim(self, unowned: bool, check_lease: bool) -> _Step:
        """The compare-and-set of ``reclaim_trial`` (four variants, built on first use)."""
        key = (unowned, check_lease)
        if key not in self._reclaims:
            trials = self._tables.trials
            conditions = [
                self.this_trial,
                trials.c.state == sa.literal_column(f"'{_RUNNING}'"),
                trials.c.owner.is_(None)
                if unowned
                else trials.c.owner == sa.bindparam("p_expected"),
            ]
            if check_lease:
                lease = sa.func.coalesce(trials.c.lease_until, sa.literal_column("0"))
                conditions.append(lease <= sa.bindparam("p_expired", type_=sa.Double()))
            self._reclaims[key] = self._changed(
                sa.update(trials)
                .where(*conditions)
                .values(
                    owner=sa.bindparam("p_owner"),
                    lease_until=sa.bindparam("p_lease"),
                    # An enqueued trial starts when a worker first takes it.
                    started_at=sa.func.coalesce(
                        trials.c.started_at, sa.bindparam("p_now", type_=sa.Double())
                    ),
                    stamp=self.study_stamp,
                )
            )
        return self._reclaims[key]

    def _changed(self, update: sa.Update) -> _Step:
        """``update`` returning the trial's columns and fold count (its rowcount first)."""
        if self._returning:
            return self._step(update.returning(*self.trial_columns, self.n_folds))
        read = sa.select(*self.trial_columns, self.n_folds).where(self.this_trial)
        return self._step(update, read)

    def _step(self, *statements: sa.ClauseElement) -> _Step:
        return tuple(_Compiled(statement, self._dialect) for statement in statements)


# -- transactions on DBAPI connections ---------------------------------------------------
@dataclass(frozen=True)
class _Result:
    """What a step returned: the rows of its last statement, the rowcount of its first."""

    rows: list[_Row] | None
    rowcount: int


class _Transaction:
    """One transaction (or, for reads, one statement) on a pooled DBAPI connection."""

    def __init__(
        self,
        db: _Database,
        raw: PoolProxiedConnection,
        write: bool,
        claim: _Claim | None = None,
    ) -> None:
        self.db = db
        self.statements = db.statements
        self.raw = raw
        self.connection: Any = raw.driver_connection
        self.write = write
        self.open = False
        self.claim = claim
        self.poisoned = False  # see _send

    def run(
        self, steps: Sequence[_Step], params: Mapping[str, Any], *, commit: bool = False
    ) -> list[_Result]:
        """Run ``steps`` (beginning the transaction if needed), then commit if asked."""
        begin = self.write and not self.open
        self.open = self.write
        if self.db.batched:
            results = self._run_batch(steps, params, begin, commit)
        else:
            results = self._run_each(steps, params, begin)
            if commit:
                self.connection.commit()
        if commit:
            self.open = False
        return results

    def finish(self) -> None:
        if self.open:
            self.connection.commit()
            self.open = False

    def abort(self, *, invalidate: bool) -> None:
        self.open = False
        if invalidate or self.poisoned:
            self.raw.invalidate()
            return
        try:
            self.connection.rollback()
        except self.db.dbapi.Error:
            self.raw.invalidate()

    def _run_each(
        self, steps: Sequence[_Step], params: Mapping[str, Any], begin: bool
    ) -> list[_Result]:
        cursor = self.connection.cursor()
        try:
            if begin and self.db.begin_sql:
                cursor.execute(self.db.begin_sql)
            results = []
            for step in steps:
                rows = None
                rowcount = -1
                for index, compiled in enumerate(step):
                    cursor.execute(compiled.text, compiled.args(params))
                    rows = cursor.fetchall() if cursor.description is not None else None
                    if index == 0:
                        rowcount = cursor.rowcount
                results.append(_Result(rows, rowcount))
            return results
        finally:
            cursor.close()

    def _run_batch(
        self, steps: Sequence[_Step], params: Mapping[str, Any], begin: bool, commit: bool
    ) -> list[_Result]:
        """PostgreSQL: the whole batch, BEGIN and COMMIT included, in one round trip."""
        texts = [compiled.text for step in steps for compiled in step]
        claim = self.claim
        # The claim lock rides on the first statements of its block, and is
        # released by the first commit (after it: a failed write skips it).
        take = claim is not None and claim.pending
        release = claim is not None and commit and (take or claim.held)
        prefix, suffix = [], []
        if claim is not None:
            if take:
                prefix = _take_claim_sql(claim.key)
                # Counted as held from now on: if a later statement fails,
                # the lock (a session's, kept through a rollback) may be held,
                # and the block releases it at its end (harmless if not held).
                claim.pending, claim.held = False, True
            if release:
                suffix = [_unlock_sql(claim.key)]
        if begin and commit and not suffix and self.db.pipeline:
            # A pipeline's statements are one transaction already (until its
            # sync): BEGIN and COMMIT would only cost two more statements.
            before, after = prefix, []
        else:
            before = [*prefix, "BEGIN"] if begin else prefix
            after = ["COMMIT", *suffix] if commit else suffix
        try:
            outputs = self._send(before, texts, after, params)
        except Exception as err:
            if not prefix or type(err).__name__ != "LockNotAvailable":
                raise
            # Waited long enough: go on without the lock (nothing ran).
            assert claim is not None
            claim.held = False
            if self.poisoned:  # its connection is dropped: retried on another
                raise
            suffix = []
            outputs = self._send(
                ["BEGIN"] if begin else [], texts, ["COMMIT"] if commit else [], params
            )
        if suffix and claim is not None:  # every statement ran, the release too
            # A statement after this write in the block takes the lock again.
            claim.held, claim.pending = False, True
        results = []
        position = 0
        for step in steps:
            last = position + len(step) - 1
            results.append(_Result(outputs[last][0], outputs[position][1]))
            position = last + 1
        return results

    def _send(
        self,
        before: list[str],
        texts: list[str],
        after: list[str],
        params: Mapping[str, Any],
    ) -> list[tuple[list[_Row] | None, int]]:
        """Run the statements in one round trip; the rows and rowcount of ``texts``.

        ``before`` and ``after`` are parameterless statements (BEGIN, COMMIT,
        the claim lock's) whose results are not kept.
        """
        connection = self.connection
        if not before and not after and len(texts) == 1:
            # A lone statement: server-side binding, prepared once it repeats.
            cursors = [connection.cursor()]
            cursors[0].execute(texts[0], params)
        elif self.db.pipeline:
            # libpq's pipeline mode: every statement sent at once, each one
            # prepared once per connection and bound on the server, which
            # then parses and plans none of them again.
            cursors = []
            try:
                with _quiet_pipeline_exit(), connection.pipeline():
                    for text in before:
                        connection.execute(text)
                    for text in texts:
                        cursor = connection.cursor()
                        cursors.append(cursor)
                        cursor.execute(text, params, prepare=True)
                    for text in after:
                        connection.execute(text)
            except BaseException:
                for cursor in cursors:
                    cursor.close()
                # The statements after a failed one were skipped, their
                # preparation too, which psycopg's cache of prepared
                # statements does not always notice: the connection is
                # dropped rather than trusted (a failure is rare here).
                self.poisoned = True
                raise
        else:
            # One message of several statements, bound on the client.
            cursor = self.db.dbapi.ClientCursor(connection)
            try:
                cursor.execute(";\n".join([*before, *texts, *after]), params)
                outputs = []
                while True:
                    rows = cursor.fetchall() if cursor.description is not None else None
                    outputs.append((rows, cursor.rowcount))
                    if not cursor.nextset():
                        break
            finally:
                cursor.close()
            return outputs[len(before) : len(before) + len(texts)]
        outputs = []
        for cursor in cursors:
            try:
                rows = cursor.fetchall() if cursor.description is not None else None
                outputs.append((rows, cursor.rowcount))
            finally:
                cursor.close()
        return outputs


@dataclasses.dataclass
class _Claim:
    """The claim lock of a :meth:`SQLStorage.claim_lock` block on PostgreSQL.

    ``pending``: not asked for yet (it goes with the block's first
    statements); ``held``: taken and not released; ``dead``: its connection
    was dropped, and the lock with it.
    """

    raw: PoolProxiedConnection
    key: int
    pending: bool = True
    held: bool = False
    dead: bool = False


def _claim_key(digest: bytes) -> int:
    """PostgreSQL: the advisory lock key of a claim lock's digest."""
    return int.from_bytes(digest[:8], "big", signed=True)


def _unlock_sql(key: int) -> str:
    return f"SELECT pg_advisory_unlock({key})"


def _take_claim_sql(key: int) -> list[str]:
    # The timeout is the transaction's own (the statements sent with it are
    # one transaction); the lock is the session's, kept until released.
    wait_ms = int(_CLAIM_WAIT_SECONDS * 1000)
    return [
        f"SELECT set_config('lock_timeout', '{wait_ms}', true)",
        f"SELECT pg_advisory_lock({key})",
    ]


def _take_claim_lock(raw: PoolProxiedConnection, digest: bytes) -> bool:
    """MySQL: wait up to ``_CLAIM_WAIT_SECONDS`` for the claim lock of ``digest``.

    (PostgreSQL takes its lock with the block's first statements.)
    """
    cursor = raw.cursor()
    try:
        cursor.execute(
            "SELECT GET_LOCK(%s, %s)", (f"scout:{digest.hex()[:40]}", _CLAIM_WAIT_SECONDS)
        )
        row = cursor.fetchone()
        return bool(row and row[0] == 1)
    finally:
        cursor.close()


def _release_claim_lock(backend: str, raw: PoolProxiedConnection, digest: bytes) -> None:
    cursor = raw.cursor()
    try:
        if backend == "postgresql":
            cursor.execute(_unlock_sql(_claim_key(digest)))
        else:
            cursor.execute("SELECT RELEASE_LOCK(%s)", (f"scout:{digest.hex()[:40]}",))
        cursor.fetchall()
    finally:
        cursor.close()


class _PipelineExitFilter(logging.Filter):
    """Drop psycopg's "error ignored terminating <Pipeline>" inside our own blocks.

    When a pipeline's block raises (a dropped connection, an ended session),
    psycopg logs the pipeline's own failure to end at WARNING on the
    "psycopg" logger, which, with no logging configured, Python prints on
    stderr even at ``verbose=0``. The error it ignores is the one the block
    raised, which SQLStorage handles (a retry on a new connection, or a
    clear error): the line says nothing to the user.
    """

    active = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            getattr(self.active, "on", False)
            and isinstance(record.msg, str)
            and record.msg.startswith("error ignored terminating")
        )


_PIPELINE_FILTER = _PipelineExitFilter()


@contextlib.contextmanager
def _quiet_pipeline_exit() -> Iterator[None]:
    """Within the block, this thread's "error ignored terminating" lines are dropped."""
    psycopg_logger = logging.getLogger("psycopg")
    if _PIPELINE_FILTER not in psycopg_logger.filters:
        psycopg_logger.addFilter(_PIPELINE_FILTER)
    _PIPELINE_FILTER.active.on = True
    try:
        yield
    finally:
        _PIPELINE_FILTER.active.on = False


class _Database:
    """An engine with its tables and statements, and the process that opened it."""

    def __init__(self, engine: Engine, tables: _Tables) -> None:
        self.engine = engine
        self.tables = tables
        self.pid = os.getpid()
        self.backend = engine.dialect.name
        self.dbapi: Any = engine.dialect.loaded_dbapi
        self.is_server = self.backend != "sqlite"
        self.batched = self.backend == "postgresql"
        self.pipeline = self.batched and bool(self.dbapi.Pipeline.is_supported())
        # Writes begin explicitly where the driver does not: SQLite takes the
        # write lock at once, PostgreSQL connections are in autocommit mode.
        self.begin_sql = {"sqlite": "BEGIN IMMEDIATE", "postgresql": "BEGIN"}.get(
            self.backend
        )
        self._statements: _Statements | None = None

    @property
    def statements(self) -> _Statements:
        if self._statements is None:  # pragma: no cover - compiled when opened
            raise RuntimeError("The storage's statements are not compiled yet.")
        return self._statements

    def compile_statements(self) -> None:
        """Compile every statement (after connecting: RETURNING depends on the server)."""
        self._statements = _Statements(self.tables, self.engine.dialect)

    def stored_version(self, conn: Connection, *, lock: bool = False) -> int | None:
        """The schema version in the version table, or None if there is none yet."""
        version = self.tables.version
        if not sa.inspect(conn).has_table(version.name):
            return None
        statement = sa.select(version.c.schema_version).where(version.c.id == 1)
        if lock:
            statement = statement.with_for_update()
        stored = conn.execute(statement).scalar()
        return None if stored is None else int(stored)

    def create_schema(self, conn: Connection) -> None:
        self.tables.metadata.create_all(conn, checkfirst=True)
        if self.stored_version(conn) is None:
            conn.execute(
                sa.insert(self.tables.version).values(id=1, schema_version=SCHEMA_VERSION)
            )

    def is_disconnect(self, err: BaseException, raw: PoolProxiedConnection) -> bool:
        if self.backend == "postgresql" and isinstance(err, self.dbapi.Error):
            # Connection exceptions, and the server ending the session
            # (admin_shutdown, crash_shutdown...): in pipeline mode psycopg
            # may raise these before it marks the connection broken.
            state = getattr(err, "sqlstate", None) or ""
            if state.startswith(("08", "57P")):
                return True
            # A session ended while a pipeline was open fails the pipeline's
            # exit with "cannot exit pipeline mode while busy", no SQLSTATE,
            # and no message the dialect knows: the connection says it.
            if getattr(raw.driver_connection, "broken", False):
                return True
        return bool(self.engine.dialect.is_disconnect(err, raw.dbapi_connection, None))  # type: ignore[arg-type]

    def transient(self, err: BaseException) -> str | None:
        """Why ``err`` is worth retrying (a lock or a conflict), or None."""
        if not isinstance(err, self.dbapi.Error):
            return None
        if self.backend == "sqlite":
            message = str(err).lower()
            if isinstance(err, self.dbapi.OperationalError) and (
                "locked" in message or "busy" in message
            ):
                return "the database is locked"
        elif self.backend == "postgresql":
            # serialization_failure, deadlock_detected, lock_not_available
            if getattr(err, "sqlstate", None) in {"40001", "40P01", "55P03"}:
                return "a conflicting transaction"
        elif err.args and err.args[0] in {1205, 1213}:  # MySQL: lock wait timeout, deadlock
            return "a conflicting transaction"
        return None


def _file_identity(url: URL) -> tuple[str, tuple[int, int]] | None:
    """The absolute path and (device, inode) of a SQLite file URL's file."""
    if url.get_backend_name() != "sqlite" or _is_sqlite_memory(url):
        return None
    database = url.database or ""
    if database.startswith("file:"):  # a URI filename: left unchecked
        return None
    path = os.path.abspath(database)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return path, (stat.st_dev, stat.st_ino)


def _dropped_at_connect(db: _Database, err: BaseException | None) -> bool:
    """Whether ``err``, raised while connecting, says the server ended the session.

    Not a server that did not answer in time: trying again would wait as long.
    """
    if err is None or _timed_out(db, err) or "timeout" in str(err):
        return False
    state = getattr(err, "sqlstate", None) or ""
    if db.backend == "postgresql" and state.startswith("57P"):
        return True
    try:
        return bool(db.engine.dialect.is_disconnect(err, None, None))  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - a dialect that needs the connection: no
        return False


class _NoAnswer(Exception):
    """A statement outlived the storage's timeout (internal, never raised out)."""


def _timed_out(db: _Database, err: BaseException) -> bool:
    """Whether ``err`` is a MySQL driver's socket timeout (read_timeout)."""
    return (
        db.backend in ("mysql", "mariadb")
        and isinstance(err, db.dbapi.OperationalError)
        and "timed out" in str(err)
    )


def _create_engine(
    url: URL, engine_kwargs: dict[str, Any], timeout: float, *, read_only: bool = False
) -> Engine:
    masked = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    memory = _is_sqlite_memory(url)
    defaults: dict[str, Any] = {}
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        connect_args["check_same_thread"] = False
        if read_only:
            defaults["creator"] = _read_only_sqlite(url)
        if memory:
            # One connection, so that every use sees the same database.
            defaults["poolclass"] = StaticPool
    elif backend == "postgresql":
        # Transactions are begun and committed by the statements themselves,
        # so that a whole batch is one round trip.
        defaults["isolation_level"] = "AUTOCOMMIT"
        # libpq counts whole seconds, and takes anything under 2 as 2.
        connect_args["connect_timeout"] = max(2, math.ceil(min(timeout, 10.0)))
    else:
        # Each statement sees what committed before it; writes to one study
        # queue on its row anyway.
        defaults["isolation_level"] = "READ COMMITTED"
        if url.get_driver_name() == "pymysql":
            # Without read_timeout, a server that accepts the connection and
            # never answers holds even the handshake forever.
            connect_args["connect_timeout"] = min(timeout, 10.0)
            connect_args["read_timeout"] = timeout
            connect_args["write_timeout"] = timeout
            if read_only:
                connect_args["init_command"] = "SET SESSION TRANSACTION READ ONLY"
    kwargs = {**defaults, **engine_kwargs}
    kwargs["connect_args"] = {**connect_args, **engine_kwargs.get("connect_args", {})}
    if read_only and backend == "postgresql":  # added to the user's options, if any
        options = [kwargs["connect_args"].get("options"), READ_ONLY_OPTION]
        kwargs["connect_args"]["options"] = " ".join(o for o in options if o)
    try:
        engine = sa.create_engine(url, **kwargs)
    except ImportError as err:
        raise ImportError(_missing_driver_message(url, masked)) from err
    except exc.ArgumentError as err:
        raise InvalidParameterError(
            f"The 'storage' parameter must be a database URL for {_SUPPORTED}, "
            f"such as {_URL_EXAMPLES}. Got {masked!r} instead "
            f"({_scrub(str(err), url)})."
        ) from None
    except (ValueError, TypeError) as err:
        # The dialect coerces the URL's query arguments (?timeout=abc).
        raise InvalidParameterError(
            f"The 'storage' parameter {masked!r} has a query argument (or engine "
            f"option) its driver cannot read: {type(err).__name__}: "
            f"{_scrub(str(err), url)}."
        ) from None
    if backend == "sqlite":
        _configure_sqlite(
            engine, memory=memory, busy_ms=int(timeout * 1000), read_only=read_only
        )
    return engine


#: The libpq option that makes every transaction of a session read-only.
READ_ONLY_OPTION = "-c default_transaction_read_only=on"


def _read_only_sqlite(url: URL) -> Callable[[], Any]:
    """A connection factory opening a SQLite file with ``mode=ro``.

    SQLite reads a write-ahead-logged file through its ``-shm`` file, which
    it must be able to create: in a directory it may not write (a read-only
    medium, another user's files) with no ``-shm`` left, ``mode=ro`` cannot
    open the file, and the ``immutable`` flag (no locking, no ``-shm``) is
    the only way to read it.
    """
    import sqlite3

    database = url.database or ""
    if database.startswith("file:"):  # a URI filename already
        uri = database + ("&" if "?" in database else "?") + "mode=ro"
        path = database[len("file:") :].partition("?")[0]
    else:
        path = os.path.abspath(database)
        uri = Path(path).as_uri() + "?mode=ro"
    directory = os.path.dirname(os.path.abspath(path))

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        try:
            connection.execute("PRAGMA schema_version").fetchone()
        except sqlite3.OperationalError as err:
            connection.close()
            if "unable to open" not in str(err) or os.access(directory, os.W_OK):
                raise
            connection = sqlite3.connect(
                uri + "&immutable=1", uri=True, check_same_thread=False
            )
        return connection

    return connect


def _configure_sqlite(
    engine: Engine, *, memory: bool, busy_ms: int, read_only: bool = False
) -> None:
    """Take transaction control away from the sqlite3 module.

    The module begins transactions lazily and DEFERRED, so two writers that
    both read first can deadlock on the upgrade to a write lock. With its
    ``isolation_level`` None it begins none, and writes begin with ``BEGIN
    IMMEDIATE`` (waiting up to ``busy_timeout`` for the lock); reads, single
    statements, run outside any transaction.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")  # first: the next ones may wait
        if not memory and not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


def _missing_driver_message(url: URL, masked: str) -> str:
    backend = url.get_backend_name()
    driver = url.get_driver_name()
    if backend == "postgresql":
        hint = "pip install 'scout-sklearn[postgres]'"
        if driver != "psycopg":
            hint += " and use a postgresql+psycopg:// URL"
    elif backend in ("mysql", "mariadb"):
        hint = "pip install 'scout-sklearn[mysql]'"
        if driver != "pymysql":
            hint += f" and use a {backend}+pymysql:// URL"
    else:
        hint = f"install the {driver} package"
    return (
        f"The storage URL {masked!r} needs the {driver} database driver, which "
        f"is not installed: {hint}."
    )


# -- checks of the constructor's arguments -----------------------------------------
def _check_url(url: object) -> URL:
    if isinstance(url, URL):
        parsed = url
    elif isinstance(url, str):
        try:
            parsed = sa.make_url(url)
        except (exc.ArgumentError, ValueError):
            raise InvalidParameterError(
                f"The 'storage' parameter must be a database URL for {_SUPPORTED}, "
                f"such as {_URL_EXAMPLES}. Got {mask_url(url)!r} instead."
            ) from None
    else:
        raise InvalidParameterError(
            f"The 'storage' parameter must be a database URL (a str or a "
            f"sqlalchemy URL). Got an object of type {type(url).__name__} instead."
        )
    if parsed.get_backend_name() not in ("sqlite", "postgresql", "mysql", "mariadb"):
        raise InvalidParameterError(
            f"The 'storage' parameter must be a database URL for {_SUPPORTED}, such "
            f"as {_URL_EXAMPLES}. Got {parsed.render_as_string(hide_password=True)!r} "
            "instead."
        )
    _check_sqlite_path(parsed)
    return parsed


def _check_sqlite_path(url: URL) -> None:
    """A SQLite file URL names a file in a directory that exists.

    SQLite creates the file, not its directory; without this the first
    connection fails with "unable to open database file", naming neither.
    """
    if url.get_backend_name() != "sqlite" or _is_sqlite_memory(url):
        return
    database = url.database or ""
    if database.startswith("file:"):  # a URI filename: left to SQLite
        return
    path = os.path.abspath(database)
    if os.path.isdir(path):
        example = "sqlite:///" + os.path.join(database, "scout.db")
        raise InvalidParameterError(
            f"The 'storage' parameter names the SQLite file {database!r}, which is a "
            f"directory. Name a file in it, e.g. {example!r}."
        )
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        raise InvalidParameterError(
            f"The 'storage' parameter names the SQLite file {database!r}, in the "
            f"directory {parent!r}, which does not exist. SQLite creates the file, not "
            "its directory: create the directory first, or name a file in another one."
        )


def _check_engine_kwargs(engine_kwargs: object) -> dict[str, Any]:
    if engine_kwargs is None:
        return {}
    if not isinstance(engine_kwargs, Mapping) or not all(
        isinstance(key, str) for key in engine_kwargs
    ):
        raise InvalidParameterError(
            "The 'engine_kwargs' parameter of SQLStorage must be a dict of keyword "
            f"arguments for sqlalchemy.create_engine or None. Got {engine_kwargs!r} "
            "instead."
        )
    return dict(engine_kwargs)


def _check_read_only(read_only: object, url: URL) -> bool:
    if not isinstance(read_only, bool):
        raise InvalidParameterError(
            f"The 'read_only' parameter of SQLStorage must be True or False. Got "
            f"{read_only!r} instead."
        )
    if read_only and _is_sqlite_memory(url):
        raise InvalidParameterError(
            "The 'read_only' parameter of SQLStorage cannot be True for an in-memory "
            "SQLite database (sqlite://), which starts empty: give the URL of a "
            "database file, as in 'sqlite:///scout.db'."
        )
    return read_only


def _check_seconds(name: str, seconds: object) -> float:
    if (
        isinstance(seconds, (int, float))
        and not isinstance(seconds, bool)
        and math.isfinite(seconds)
        and seconds > 0
    ):
        return float(seconds)
    raise InvalidParameterError(
        f"The {name!r} parameter of SQLStorage must be a positive number of "
        f"seconds; got {seconds!r}."
    )


def _check_table_prefix(table_prefix: object) -> str:
    if not isinstance(table_prefix, str) or not (
        table_prefix == "" or _PREFIX_PATTERN.fullmatch(table_prefix)
    ):
        raise InvalidParameterError(
            "The 'table_prefix' parameter of SQLStorage must be a str of at most 32 "
            "lower-case letters, digits and underscores, not starting with a digit. "
            f"Got {table_prefix!r} instead."
        )
    return table_prefix


def _is_sqlite_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _scrub(message: str, url: URL) -> str:
    """A driver's message with the URL's password hidden."""
    if url.password:
        message = message.replace(str(url.password), "***")
    return mask_url(message)


# -- encoding of records ---------------------------------------------------------------
def _study_values(record: StudyRecord) -> dict[str, Any]:
    name = record.name
    if not isinstance(name, str) or not 0 < len(name) <= _NAME_LENGTH or "\0" in name:
        raise ValueError(
            f"A study name must be a str of 1 to {_NAME_LENGTH} characters without "
            f"NUL characters. Got {name!r} instead."
        )
    if isinstance(record.seed, bool) or not isinstance(record.seed, int):
        raise TypeError(f"A study's seed must be an int. Got {record.seed!r} instead.")
    return {
        "v_name": name,
        "v_seed": str(int(record.seed)),
        "v_space": _dumps(record.space, "space"),
        "v_fingerprint": _dumps(record.fingerprint, "fingerprint"),
        "v_created_at": _time(record.created_at, "created_at"),
    }


def _fold_values(fold_result: FoldResult) -> dict[str, Any]:
    train_scores = fold_result.train_scores
    return {
        "v_fold": int(fold_result.fold),
        "v_rung": int(fold_result.rung),
        "v_test_scores": _dumps(dict(fold_result.test_scores), "test_scores"),
        "v_train_scores": None
        if train_scores is None
        else _dumps(dict(train_scores), "train_scores"),
        "v_fit_time": _time(fold_result.fit_time, "fit_time"),
        "v_score_time": _time(fold_result.score_time, "score_time"),
        "v_n_test_samples": int(fold_result.n_test_samples),
        # A JSON string: tracebacks may hold NUL characters, which PostgreSQL
        # text cannot.
        "v_error": None if fold_result.error is None else json.dumps(fold_result.error),
        "v_n_iterations": None
        if fold_result.n_iterations is None
        else int(fold_result.n_iterations),
    }


def _fold_from(row: _Row, start: int) -> FoldResult:
    train_scores = row[start + 4]
    error = row[start + 8]
    test = _loads(row[start + 3], "test_scores")
    train = None if train_scores is None else _loads(train_scores, "train_scores")
    if not isinstance(test, dict) or not (train is None or isinstance(train, dict)):
        raise _NotJSON("the scores are not JSON objects")
    if error is not None:
        error = _loads(error, "error")
        if not isinstance(error, str):
            raise _NotJSON("the error is not a JSON string")
    return FoldResult(
        fold=row[start + 1],
        test_scores=test,
        train_scores=train,
        fit_time=row[start + 5],
        score_time=row[start + 6],
        n_test_samples=row[start + 7],
        rung=row[start + 2],
        error=error,
        n_iterations=row[start + 9],
    )


def _group_by_trial(rows: Sequence[_Row], start: int) -> list[list[_Row]]:
    """Split rows ordered by trial into one list per trial (skipping trial-less rows)."""
    groups: list[list[_Row]] = []
    current = None
    for row in rows:
        trial_id = row[start]
        if trial_id is None:
            continue
        if trial_id != current:
            groups.append([])
            current = trial_id
        groups[-1].append(row)
    return groups


def _same_fold(stored: FoldResult, written: FoldResult) -> bool:
    """Whether ``stored`` is ``written`` read back (its times are measured: unique)."""
    return (
        stored.fold == written.fold
        and stored.rung == written.rung
        and stored.fit_time == written.fit_time
        and stored.score_time == written.score_time
        and stored.n_test_samples == written.n_test_samples
    )


def _check_written(result: _Result, trial: Trial, study: str) -> None:
    """The checked write of a trial that passed the same checks must have happened."""
    if result.rowcount != 1:  # pragma: no cover - a bug if reached
        raise RuntimeError(
            f"The write to trial {trial.number} of study {study!r} changed "
            f"{result.rowcount} rows instead of one."
        )


def _check_running(trial: Trial, study: str, action: str, owner: str | None) -> None:
    # The owner first: a late write to a trial that the reclaiming worker has
    # since finished is a lost lease, not a state error.
    if owner is not None and trial.owner != owner:
        raise LeaseLost(
            f"Cannot {action} trial {trial.number} of study {study!r}: {owner!r} no "
            f"longer holds it ({trial.owner!r} does)."
        )
    if trial.state is not TrialState.RUNNING:
        raise TrialStateError(
            f"Cannot {action} trial {trial.number} of study {study!r}: it is "
            f"{trial.state.name}, not RUNNING."
        )


def _time(value: float | None, field: str) -> float | None:
    """A time or duration as a float; non-finite ones do not fit every database."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(
            f"The {field} of a storage record must be a finite number of seconds. "
            f"Got {value!r} instead."
        )
    return number


def _split_value(value: float | None) -> tuple[float | None, str | None]:
    """A trial's value as (double column, non-finite column)."""
    if value is None:
        return None, None
    number = float(value)
    if math.isfinite(number):
        return number, None
    return None, _nonfinite_name(number)


# -- JSON with non-finite floats, as strict JSON -----------------------------------------
_SPECIAL_KEYS = ("__float__", "__dict__")
_NONFINITE_NAMES = {"nan": "nan", "inf": "inf", "-inf": "-inf"}


class _NotJSON(Exception):
    """A stored payload is not JSON this storage wrote."""


def _nonfinite_name(number: float) -> str:
    if math.isnan(number):
        return "nan"
    return "inf" if number > 0 else "-inf"


def _dumps(value: object, field: str) -> str:
    """Strict JSON text for ``value``, non-finite floats included."""
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"), default=_default)
    except ValueError:  # a non-finite float somewhere
        text = None
    except TypeError as err:
        raise TypeError(f"Cannot store the {field} {value!r}: {err}") from None
    if text is None or any(key in text for key in _SPECIAL_KEYS):
        try:
            text = json.dumps(
                _escape(value), allow_nan=False, separators=(",", ":"), default=_default
            )
        except TypeError as err:
            raise TypeError(f"Cannot store the {field} {value!r}: {err}") from None
    return text


def _escape(value: object) -> object:
    """``value`` with non-finite floats and look-alike dicts spelled out."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__float__": _nonfinite_name(value)}
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _SPECIAL_KEYS:
            return {"__dict__": [[key, _escape(item)] for key, item in value.items()]}
        return {key: _escape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escape(item) for item in value]
    if _is_numpy_scalar(value):
        return _escape(value.item())  # type: ignore[attr-defined]
    return value


def _default(value: object) -> object:
    if _is_numpy_scalar(value):
        return value.item()  # type: ignore[attr-defined]
    raise TypeError(
        f"a storage keeps only JSON values (str, int, float, bool, None, lists, and "
        f"dicts with str keys); got {value!r} of type {type(value).__name__}"
    )


def _is_numpy_scalar(value: object) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "item")


def _loads(text: object, field: str) -> Any:
    """The JSON value in ``text``, as :func:`_dumps` wrote it."""
    if not isinstance(text, str):
        raise _NotJSON(f"the {field} column holds {type(text).__name__}, not JSON text")
    try:
        if any(key in text for key in _SPECIAL_KEYS):
            return json.loads(text, object_hook=_unescape)
        return json.loads(text)
    except ValueError as err:
        raise _NotJSON(f"the {field} column does not hold JSON text ({err})") from None


def _unescape(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "__float__" in obj and obj["__float__"] in _NONFINITE_NAMES:
            return float(obj["__float__"])
        if "__dict__" in obj and isinstance(obj["__dict__"], list):
            return {key: item for key, item in obj["__dict__"]}
    return obj
