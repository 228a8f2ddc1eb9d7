"""Fixtures of the dashboard's tests: stored studies, a running dashboard, a browser.

The studies are stored once per session by real searches (``_studies.py``)
in a SQLite file and, when ``SCOUT_TEST_POSTGRES_URL`` is set, in tables of
their own on the PostgreSQL test server (dropped at the end). The dashboard
runs in this process on a free port of 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

pytest.importorskip(
    "starlette",
    reason='the dashboard extra is not installed (pip install "scout-sklearn[dashboard]")',
)
pytest.importorskip(
    "uvicorn",
    reason='the dashboard extra is not installed (pip install "scout-sklearn[dashboard]")',
)

from dashboard._studies import Backend, build
from scout_sklearn.dashboard import DashboardServer, serve

TABLES = ("folds", "trials", "studies", "version")  # children first, to drop them
CHROMIUM = os.environ.get("SCOUT_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def sqlite_studies(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Backend, dict[str, Any]]:
    path = tmp_path_factory.mktemp("dashboard") / "studies.db"
    backend = Backend("sqlite", f"sqlite:///{path}")
    return backend, build(backend.storage)


def _server_studies(variable: str, name: str) -> Iterator[tuple[Backend, dict[str, Any]]]:
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"set {variable} to a {name} database URL to run this test")
    backend = Backend(name, url, prefix=f"d{uuid.uuid4().hex[:8]}_")
    try:
        yield backend, build(backend.storage)
    finally:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for table in TABLES:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {backend.prefix}{table}"))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_studies() -> Iterator[tuple[Backend, dict[str, Any]]]:
    yield from _server_studies("SCOUT_TEST_POSTGRES_URL", "postgresql")


@pytest.fixture(scope="session")
def mysql_studies() -> Iterator[tuple[Backend, dict[str, Any]]]:
    yield from _server_studies("SCOUT_TEST_MYSQL_URL", "mysql")


@pytest.fixture(scope="session", params=["sqlite", "postgres", "mysql"])
def studies(request: pytest.FixtureRequest) -> tuple[Backend, dict[str, Any]]:
    """The stored studies on each backend (a server skips without its URL)."""
    return request.getfixturevalue(f"{request.param}_studies")  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def dashboard(studies: tuple[Backend, dict[str, Any]]) -> Iterator[DashboardServer]:
    backend, _ = studies
    server = serve(backend.storage(read_only=True), port=0, block=False, quiet=True)
    assert server is not None
    yield server
    server.stop()


@pytest.fixture
def start_dashboard() -> Iterator[Callable[..., DashboardServer]]:
    """Start dashboards for one test; all stopped after it."""
    started: list[DashboardServer] = []

    def start(storage: Any, **kwargs: Any) -> DashboardServer:
        kwargs.setdefault("quiet", True)
        server = serve(storage, port=0, block=False, **kwargs)
        assert server is not None
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _browser_missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return (
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set SCOUT_CHROMIUM)"
        )
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Chromium driven by Playwright; SCOUT_REQUIRE_BROWSER=1 (CI) fails, never skips."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("SCOUT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SCOUT_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable)
        yield chromium
        chromium.close()


class Page:
    """A browser page that records console errors, page errors and dialogs."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on(
            "console", lambda m: self.errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda err: self.errors.append(str(err)))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[], Page]]:
    contexts: list[Any] = []

    def make() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return Page(context.new_page())

    yield make
    for context in contexts:
        context.close()
