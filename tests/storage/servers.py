"""The test database servers: their URLs, storages with tables of their own, cleanup.

PostgreSQL and MySQL/MariaDB run when ``SCOUT_TEST_POSTGRES_URL`` and
``SCOUT_TEST_MYSQL_URL`` hold database URLs; a test that needs one skips
otherwise, naming the variable. ``tests/storage/conftest.py`` drops every
table created here when the session ends.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from scout_sklearn.storage import SQLStorage

SERVER_VARIABLES = {
    "postgresql": "SCOUT_TEST_POSTGRES_URL",
    "mysql": "SCOUT_TEST_MYSQL_URL",
}
TABLES = ("folds", "trials", "studies", "version")  # children first, to drop them

# Table prefixes created on each server during this session.
created_prefixes: dict[str, set[str]] = {}


def server_url(backend: str) -> str:
    """The test server's URL, or skip saying which variable to set."""
    variable = SERVER_VARIABLES[backend]
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"set {variable} to a {backend} database URL to run this test")
    return url


def fresh_server_storage(url: str, **kwargs: object) -> SQLStorage:
    """A storage on ``url`` with tables of its own (a random prefix)."""
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    created_prefixes.setdefault(url, set()).add(prefix)
    return SQLStorage(url, table_prefix=prefix, **kwargs)  # type: ignore[arg-type]


def drop_created_tables() -> None:
    """Leave the shared test databases as they were."""
    for url, prefixes in created_prefixes.items():
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for prefix in sorted(prefixes):
                for table in TABLES:
                    conn.execute(sa.text(f"DROP TABLE IF EXISTS {prefix}{table}"))
        engine.dispose()
