"""SQL storage: studies kept in SQLite, PostgreSQL or MySQL/MariaDB.

With ``_sql_base`` (opening, transactions with retries), ``_sql_connection``
(engines, DBAPI connections, batches, the claim lock), ``_sql_schema``
(tables, upgrades, compiled statements) and ``_sql_values`` (argument
checks, JSON and record encoding), the only modules that import
SQLAlchemy. This one holds SQLStorage's interface: studies, trials, folds,
leases. SQLAlchemy builds the engine, the
connection pool, the tables and every statement (Core, no ORM); statements
are compiled once per storage and run on the pool's DBAPI connections, which
costs a few microseconds per statement instead of tens. Each write is one
transaction sent as one batch of statements (the checks it needs are in the
SQL), and on PostgreSQL a batch is one round trip to the server.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL

from scout_sklearn._secrets import PasswordFilter
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.exceptions import (
    DuplicatedStudyError,
    StudyNameClash,
    TrialNumberTaken,
    TrialStateError,
)
from scout_sklearn.storage._base import Storage, StudyRecord, check_running
from scout_sklearn.storage._sql_base import _SQLBase
from scout_sklearn.storage._sql_connection import (
    _Claim,
    _claim_key,
    _release_claim_lock,
    _take_claim_lock,
    _Transaction,
)
from scout_sklearn.storage._sql_schema import (
    _N_TRIAL_COLUMNS,
    SCHEMA_VERSION,
    _Statements,
    _Step,
)
from scout_sklearn.storage._sql_values import (
    _check_engine_kwargs,
    _check_read_only,
    _check_readable_sqlite_file,
    _check_seconds,
    _check_table_prefix,
    _check_url,
    _check_written,
    _dumps,
    _fold_from,
    _fold_values,
    _group_by_trial,
    _loads,
    _NotJSON,
    _Result,
    _Row,
    _same_fold,
    _scrub,
    _split_value,
    _study_values,
    _time,
)

__all__ = ["SCHEMA_VERSION", "SQLStorage"]

logger = logging.getLogger(__name__)
logger.addFilter(PasswordFilter())

#: Trials whose fold results this process keeps, to return them from writes.
_CACHED_TRIALS = 4096


class SQLStorage(_SQLBase, Storage):
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
        10 s, to connect (MySQL/MariaDB: 10 s to reach the server, then the
        timeout for its greeting). A server that stops answering, or a proxy that
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
        if self.read_only:
            _check_readable_sqlite_file(self._url)
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
        self._unpickled = True

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

        try:
            self._run(work, write=True)
        except DuplicatedStudyError:
            clash = self._name_clash(record.name)
            if clash is None:
                raise
            why = (
                "MySQL and MariaDB compare study names without their trailing "
                "spaces, so the two cannot both exist"
                if clash.rstrip(" ") == record.name.rstrip(" ")
                else "the database's collation compares the two names as equal"
            )
            raise StudyNameClash(
                f"Cannot create study {record.name!r} in {self!r}: it holds the "
                f"study {clash!r}, and {why}. Choose a name that differs otherwise."
            ) from None

    def load_study(self, name: str) -> StudyRecord | None:
        rows = self._read(lambda st: st.load_study, {"p_name": name})
        # MySQL compares strings ignoring trailing spaces: keep the exact name.
        records = [self._study_record(row) for row in rows if row[0] == name]
        return records[0] if records else None

    def _name_clash(self, name: str) -> str | None:
        """A stored study name that the database takes for ``name``, if any."""
        rows = self._read(lambda st: st.load_study, {"p_name": name})
        return next((row[0] for row in rows if row[0] != name), None)

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
            check_running(trial, study, action, owner)
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
