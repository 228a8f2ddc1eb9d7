"""A database that does not answer: connect and statement timeouts, real servers.

A loopback port that accepts TCP connections and never answers stands for a
server that hangs at connect; a loopback proxy in front of the real
PostgreSQL or MariaDB, frozen in the middle of a fit, for one that stops
answering mid-run. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.storage import SQLStorage

SERVERS = {
    "postgresql": os.environ.get("SCOUT_TEST_POSTGRES_URL"),
    "mysql": os.environ.get("SCOUT_TEST_MYSQL_URL"),
}
DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql"}
SECRET = "s3cret"
# Long enough for a busy CI machine to answer a healthy statement.
TIMEOUT = 3.0
# What a hang would exceed: the test fails instead of waiting forever.
GIVE_UP_SECONDS = 120.0


class Silent:
    """A loopback port that accepts connections and never answers."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.held: list[socket.socket] = []
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.closed.set()
        self.server.close()
        for conn in self.held:
            conn.close()


class FreezableProxy:
    """A loopback TCP proxy to ``upstream`` that stops forwarding on ``freeze()``.

    Frozen, it keeps every connection open and reads nothing: the client's
    kernel still sees its data acknowledged, as behind a hung server.
    """

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.frozen = threading.Event()
        self.closed = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        self.frozen.set()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        while not self.closed.is_set():
            if self.frozen.is_set():
                self.closed.wait(0.2)
                continue
            try:
                ready, _, _ = select.select(list(peers), [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self.closed.set()
        self.server.close()
        for sock in self.sockets:
            sock.close()


def _proxied(url: str, port: int) -> str:
    """``url`` through the proxy; PostgreSQL's gets a password (the test server
    trusts local connections, so it is sent and never checked; MariaDB checks)."""
    parsed = sa.make_url(url).set(host="127.0.0.1", port=port)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(password=SECRET)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(params=["postgresql", "mysql"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """(kind, URL) of a real server; its tables with our prefix dropped after."""
    kind = request.param
    url = SERVERS[kind]
    if not url:
        pytest.skip(f"set SCOUT_TEST_{kind.upper()}_URL to run the {kind} variant")
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    yield url, prefix
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table in ("folds", "trials", "studies", "version"):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {prefix}{table}"))
    engine.dispose()


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_a_server_that_never_answers_fails_the_connect_with_our_error(kind: str) -> None:
    silent = Silent()
    url = f"{DRIVERS[kind]}://scout:{SECRET}@127.0.0.1:{silent.port}/db"
    try:
        with pytest.raises(ConnectionError) as info:
            SQLStorage(url, timeout=TIMEOUT)
    finally:
        silent.close()

    message = str(info.value)
    assert f"Could not connect to SQLStorage('{DRIVERS[kind]}://scout:***@" in message
    assert "did not answer in time" in message
    assert "timeout=..." in message
    assert SECRET not in message


def test_timeout_is_checked() -> None:
    with pytest.raises(InvalidParameterError, match="'timeout' parameter of SQLStorage"):
        SQLStorage("sqlite://", timeout=0)
    assert "timeout=5.0" in repr(SQLStorage("sqlite://", timeout=5))


def _fit_in_thread(search: ScoutSearchCV, X: Any, y: Any) -> BaseException | None:
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            search.fit(X, y)
            outcome.append(None)
        except BaseException as err:  # noqa: BLE001 - handed to the test
            outcome.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(GIVE_UP_SECONDS)
    assert not thread.is_alive(), "the fit hangs on a database that stopped answering"
    return outcome[0]


def test_a_database_that_stops_answering_mid_fit_fails_it_clearly(
    server: tuple[str, str],
    iris: tuple[np.ndarray, np.ndarray],
    fast_clf: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url, prefix = server
    real = sa.make_url(url)
    proxy = FreezableProxy(real.host or "127.0.0.1", real.port or 0)
    proxied = _proxied(url, proxy.port)
    storage = SQLStorage(proxied, table_prefix=prefix, timeout=TIMEOUT, lease_seconds=2.0)

    def freeze_after_two(study: Any, trial: Any) -> None:
        if trial.number == 1:
            proxy.freeze()

    search = ScoutSearchCV(
        fast_clf.set_params(delay=0.5),  # heartbeats (every 0.5 s) meet the freeze too
        {"a": Float(0.0, 1.0)},
        sampler="random",
        n_trials=20,
        cv=2,
        storage=storage,
        random_state=0,
        callbacks=[freeze_after_two],
    )
    try:
        error = _fit_in_thread(search, *iris)
    finally:
        proxy.close()

    assert isinstance(error, ConnectionError), error
    message = str(error)
    assert (
        f"did not answer within {TIMEOUT:g} s" in message
        or "did not answer in time" in (message)
    )
    assert f"@127.0.0.1:{proxy.port}/" in message
    assert SECRET not in message
    assert SECRET not in caplog.text
