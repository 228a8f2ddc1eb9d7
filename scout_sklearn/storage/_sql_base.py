"""Opening SQLStorage's database, and running a transaction on it with retries."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import PoolProxiedConnection

from scout_sklearn._secrets import PasswordFilter, mask_url
from scout_sklearn._trial import FoldResult
from scout_sklearn.exceptions import (
    InvalidParameterError,
    StorageFileLost,
)
from scout_sklearn.storage._sql_connection import (
    _Claim,
    _create_engine,
    _Database,
    _dropped_at_connect,
    _file_identity,
    _NoAnswer,
    _timed_out,
    _Transaction,
)
from scout_sklearn.storage._sql_schema import (
    _MIGRATIONS,
    SCHEMA_VERSION,
    _build_tables,
    _Statements,
    _Step,
)
from scout_sklearn.storage._sql_values import (
    _T,
    _is_sqlite_memory,
    _Row,
    _scrub,
    _sqlite_file_path,
)
from scout_sklearn.storage._watchdog import Watchdog

logger = logging.getLogger(__name__)
logger.addFilter(PasswordFilter())

#: A pooled server connection idle for longer is pinged before use.
_PING_AFTER_SECONDS = 10.0


#: A query whose connection drops is run again on a new one; this many drops
#: in a row fail it (a server that ends every session is down, not flaky).
_MAX_DROPS_IN_A_ROW = 3


class _SQLBase:
    """What SQLStorage does with its database: open it, check its schema, run
    transactions with retries, notice a lost file or a dead server.

    SQLStorage sets the attributes read here (``_url``, ``timeout``,
    ``read_only``, ``_engine_kwargs``, ``_table_prefix``) before ``_setup``.
    """

    _url: URL
    timeout: float
    read_only: bool
    _engine_kwargs: dict[str, Any]
    _table_prefix: str

    # -- opening --------------------------------------------------------------------
    def _setup(self) -> None:
        # SQLAlchemy hides a user:password@ password only; ?password= too.
        self._masked_url = mask_url(self._url.render_as_string(hide_password=True))
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
        # Set when unpickled: the SQLite file it had must exist here, not be
        # created afresh (a fitted search loaded on another machine).
        self._unpickled = False
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
                if self._unpickled:
                    self._require_existing_file()
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
            except (TypeError, ValueError, AttributeError) as err:
                # The driver refused an option of the URL's query (PyMySQL's
                # ?port=abc, or ?charset=nope, which fails as an AttributeError).
                raise InvalidParameterError(
                    f"The 'storage' parameter {self._masked_url!r} has a query "
                    "argument (or engine option) its driver refused when connecting: "
                    f"{type(err).__name__}: {_scrub(str(err), self._url)}."
                ) from None
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
        drops = 0
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
                drops += 1
                if drops >= _MAX_DROPS_IN_A_ROW:
                    raise ConnectionError(
                        f"Lost the connection to {self!r} {drops} times in a row: {message}"
                    ) from None
                if drops > 1:
                    # Dropped again at once (a server restarting, a failover,
                    # sessions ended in a burst): a moment before the next try.
                    time.sleep(min(0.1 * drops, max(0.0, self.timeout / 10)))
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

    def _require_existing_file(self) -> None:
        """Fail, creating nothing, if an unpickled storage's SQLite file is absent."""
        path = _sqlite_file_path(self._url)
        if path is None or os.path.exists(path):
            return
        raise StorageFileLost(
            f"The SQLite file {path!r} of {self!r} does not exist "
            "in this process (the storage was pickled where it did): nothing is "
            "created in its place. A fitted search keeps the trials it read in "
            "search.study_.trials (and search.trials_dataframe()); copy the file here "
            "to read the rest."
        )

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
        if self._url.get_backend_name() == "sqlite":
            return message + self._sqlite_failure(reason)
        if "timeout" in reason or "timed out" in reason:
            # At most 10 s to reach the server; PyMySQL then reads the
            # server's greeting under read_timeout, which is the timeout.
            waited = (
                "at most 10 s to reach it, then up to the timeout for its greeting"
                if self._url.get_backend_name() == "mysql"
                else "at most 10 s to connect"
            )
            message += (
                f" The server did not answer in time (timeout={self.timeout:g} s, "
                f"{waited}): check that it is up and reachable from this "
                "machine; SQLStorage(url, timeout=...) or engine_kwargs="
                "{'connect_args': {'connect_timeout': ...}} waits longer."
            )
        return message

    def _sqlite_failure(self, reason: str) -> str:
        """What to check when SQLite cannot open the URL's file."""
        path = _sqlite_file_path(self._url)
        if path is None:
            return ""
        if "not a database" in reason or "malformed" in reason:
            return (
                f". The file {path!r} is not a SQLite database, or is damaged: "
                "give storage= the path of a new file, or of a file a search wrote."
            )
        if "unable to open" not in reason:
            return ""
        directory = os.path.dirname(path)
        if not os.path.exists(path) and not os.access(directory, os.W_OK | os.X_OK):
            return (
                f". The file {path!r} does not exist and the directory {directory!r} "
                "is not writable, so SQLite cannot create it there: name a file in a "
                "directory you may write to."
            )
        if not os.access(path, os.R_OK | os.W_OK) or (
            not self.read_only and not os.access(directory, os.W_OK | os.X_OK)
        ):
            return (
                f". Check that the file {path!r} can be read and written, and that "
                f"its directory {directory!r} is writable: SQLite keeps its -wal and "
                "-shm files beside it."
            )
        return ""

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
