"""Serving the dashboard: uvicorn in the foreground (the CLI) or in a thread (notebooks)."""

from __future__ import annotations

import ipaddress
import sys
import threading
from typing import Any

from scout_sklearn._secrets import mask_url
from scout_sklearn.storage import Storage

_INSTALL_HINT = 'pip install "scout-sklearn[dashboard]"'
_LOOPBACK_NAMES = ("localhost",)


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_server_args(host: object, port: object, token: object, poll: object) -> None:
    if not isinstance(host, str) or not host:
        raise ValueError(
            f"host must be a non-empty string such as '127.0.0.1', got {host!r}."
        )
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(
            f"port must be a whole number from 0 to 65535 (0: any free port), got {port!r}."
        )
    if token is not None and (not isinstance(token, str) or len(token) < 8):
        raise ValueError(
            "token must be None or a string of at least 8 characters "
            f"(got {type(token).__name__} of length {len(str(token))})."
        )
    if (
        isinstance(poll, bool)
        or not isinstance(poll, (int, float))
        or not 0.05 <= float(poll) <= 10
    ):
        raise ValueError(f"poll_interval must be seconds from 0.05 to 10, got {poll!r}.")


def _open_storage(storage: Storage | str) -> tuple[Storage, str]:
    """A read-only storage and how to name it in messages (password masked)."""
    if isinstance(storage, str):
        from scout_sklearn.storage import SQLStorage

        if "://" not in storage:
            raise ValueError(
                f"storage {mask_url(storage)!r} is not a database URL: write "
                f"sqlite:///{mask_url(storage)} for a SQLite file."
            )
        return SQLStorage(storage, read_only=True), mask_url(storage)
    if isinstance(storage, Storage):
        return storage, repr(storage)
    raise TypeError(
        f"storage must be a database URL or a Storage, got {type(storage).__name__}."
    )


class DashboardServer:
    """A dashboard served by uvicorn on a thread of its own.

    Use :func:`serve` with ``block=False`` to get one; ``url`` is the address
    to open, ``stop()`` ends it.
    """

    def __init__(self, server: Any, thread: threading.Thread, url: str) -> None:
        self._server = server
        self._thread = thread
        self.url = url

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the server's thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout)

    def __repr__(self) -> str:
        return f"DashboardServer(url={self.url.split('?')[0]!r})"

    def _repr_html_(self) -> str:  # a link in a notebook
        from html import escape

        return f'<a href="{escape(self.url)}" target="_blank">scout-sklearn dashboard</a>'


def serve(
    storage: Storage | str,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    token: str | None = None,
    poll_interval: float = 0.5,
    block: bool = True,
    quiet: bool = False,
    warm_up: bool = True,
) -> DashboardServer | None:
    """Serve a live dashboard of every study in ``storage``.

    Parameters
    ----------
    storage : str or Storage
        A database URL (``sqlite:///scout.db``, ``postgresql+psycopg://...``,
        ``mysql+pymysql://...``), opened read-only, or a storage object.
    host : str, default="127.0.0.1"
        The address to listen on. Anything but a loopback address makes the
        studies visible to other machines: a warning is printed, and a
        ``token`` should be set.
    port : int, default=8080
        0 picks a free port (``DashboardServer.url`` tells which).
    token : str or None, default=None
        When set, every request must carry it once (``?token=...``, then a
        cookie): the URL printed at start-up has it.
    poll_interval : float, default=0.5
        Seconds between two reads of what changed, per open page.
    block : bool, default=True
        True serves until Ctrl-C (a script, the CLI); False serves on a
        background thread and returns a :class:`DashboardServer` (a notebook).
    quiet : bool, default=False
        Print nothing (not even the address).
    warm_up : bool, default=True
        Read every study on a background thread as the server starts, so
        that the first page opened finds them read.

    Returns
    -------
    server : DashboardServer or None
        With ``block=False``; None once a blocking server stops.
    """
    _check_server_args(host, port, token, poll_interval)
    try:
        import uvicorn

        from scout_sklearn.dashboard._app import create_app
    except ImportError as err:
        raise ImportError(
            f"The dashboard needs the package {err.name}, which is not installed: "
            f"{_INSTALL_HINT}."
        ) from None
    from scout_sklearn.dashboard._reader import StorageReader

    opened, shown = _open_storage(storage)
    reader = StorageReader(opened)
    reader.study_names()  # fails here, before serving, on a storage it cannot read
    app = create_app(reader, token=token, poll_interval=poll_interval)
    if warm_up:
        threading.Thread(
            target=app.state.dashboard.warm_up, name="scout-dashboard-warm-up", daemon=True
        ).start()
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # request lines would carry the token
        timeout_graceful_shutdown=1,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    if not _is_loopback(host) and not quiet:
        print(
            f"scout-sklearn dashboard: WARNING: listening on {host}, beyond this "
            "machine: anyone who can reach it sees the studies"
            + ("." if token else "; set a token (--token) to require one."),
            file=sys.stderr,
        )

    def url_of(bound_port: int) -> str:
        shown_host = f"[{host}]" if ":" in host else host
        base = f"http://{shown_host}:{bound_port}/"
        return base + (f"?token={token}" if token else "")

    # Served on a thread in both modes: the address is known (port 0 picks
    # one) before it is printed; blocking, this thread waits for Ctrl-C.
    thread = threading.Thread(target=server.run, name="scout-dashboard", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(
                f"The dashboard could not start on {host}:{port} (is the port in use?)."
            )
        thread.join(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    handle = DashboardServer(server, thread, url_of(bound))
    if not quiet:
        ending = " (Ctrl-C stops it)" if block else ""
        print(f"scout-sklearn dashboard: {shown} at {handle.url}{ending}", file=sys.stderr)
    if not block:
        return handle
    try:
        while thread.is_alive():
            thread.join(0.5)
    finally:
        handle.stop()
    return None
