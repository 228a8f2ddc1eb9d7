"""The fault suite's tally: faults injected, searches finished, trials lost and duplicated.

Each test feeds the ``fault_counts`` fixture. Its counts travel with the
test's report (``user_properties``, which pytest-xdist sends from its
workers to the controller), are added up by ``pytest_runtest_logreport``
and printed in one line at the end of the session. The hooks live in
``tests/conftest.py`` (a pytest-xdist controller never loads this file);
this file only defines the fixture and the fresh databases of the suite.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from storage.test_resume import _drop_prefixed

from faults._harness import COUNTS_PROPERTY, FaultCounts

VARIABLES = {"postgresql": "SCOUT_TEST_POSTGRES_URL", "mysql": "SCOUT_TEST_MYSQL_URL"}
SERVERS = {kind: os.environ.get(variable) for kind, variable in VARIABLES.items()}


@pytest.fixture
def fault_counts(request: pytest.FixtureRequest) -> Iterator[FaultCounts]:
    """This test's counts, handed to the session's tally when it ends."""
    counts = FaultCounts()
    yield counts
    request.node.user_properties.append((COUNTS_PROPERTY, counts.as_dict()))


def fresh_database(kind: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(url, table prefix) of a fresh SQLite file, PostgreSQL or MariaDB; dropped after.

    Skips, naming the variable to set, when the server's URL is not set.
    """
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'scout.db'}", prefix
        return
    url = SERVERS[kind]
    if not url:
        pytest.skip(f"set {VARIABLES[kind]} to run the {kind} variant")
    yield url, prefix
    _drop_prefixed(url, prefix)


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A fresh database of the kind in the test's ``kind`` parameter."""
    yield from fresh_database(request.node.callspec.params["kind"], tmp_path)


@pytest.fixture
def mysql_database() -> Iterator[str]:
    """The URL of a MariaDB database created for this test (and dropped after it).

    A database of its own, so that ``KILL`` can pick the search's connections
    by their database without touching another test's.
    """
    url = SERVERS["mysql"]
    if not url:
        pytest.skip(f"set {VARIABLES['mysql']} to run the mysql variant")
    name = f"scout_faults_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
        yield sa.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
