"""SQLStorage's engine, connections and transactions.

The engine of each dialect (timeouts, SQLite's pragmas, read-only
sessions), the batch of statements of one write on a DBAPI connection
(libpq's pipeline mode on PostgreSQL), the claim lock, and how a failure
is told apart: a dropped connection, a lock to retry, a server that does
not answer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import PoolProxiedConnection, StaticPool

from scout_sklearn._secrets import PasswordFilter
from scout_sklearn.exceptions import (
    InvalidParameterError,
)
from scout_sklearn.storage._sql_schema import SCHEMA_VERSION, _Statements, _Step, _Tables
from scout_sklearn.storage._sql_values import (
    _SUPPORTED,
    _URL_EXAMPLES,
    _is_sqlite_memory,
    _is_sqlite_uri,
    _Result,
    _Row,
    _scrub,
    _sqlite_file_path,
)

logger = logging.getLogger(__name__)
logger.addFilter(PasswordFilter())

# How long Study.ask waits for another worker's claim lock before it goes on
# without it (a worker stopped while holding it must not stop the others).
_CLAIM_WAIT_SECONDS = 2.0


# -- transactions on DBAPI connections ---------------------------------------------------
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
logging.getLogger("psycopg").addFilter(_PIPELINE_FILTER)  # inert outside our blocks


@contextlib.contextmanager
def _quiet_pipeline_exit() -> Iterator[None]:
    """Within the block, this thread's "error ignored terminating" lines are dropped."""
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
            # A session ended while a pipeline was open fails the pipeline's
            # exit with "cannot exit pipeline mode while busy", no SQLSTATE,
            # and no message the dialect knows: the server's error is the
            # one it was raised while handling (seen in the fault suite,
            # before psycopg had marked the connection broken), or the
            # connection says it.
            cause: BaseException | None = err
            for _ in range(5):
                if cause is None:
                    break
                state = getattr(cause, "sqlstate", None) or ""
                if isinstance(cause, self.dbapi.Error) and state.startswith(("08", "57P")):
                    return True
                cause = cause.__cause__ or cause.__context__
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
    path = _sqlite_file_path(url)
    if path is None:
        return None
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
    if _is_sqlite_uri(url):  # a URI filename already
        uri = database + ("&" if "?" in database else "?") + "mode=ro"
        path = _sqlite_file_path(url) or database[len("file:") :].partition("?")[0]
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
