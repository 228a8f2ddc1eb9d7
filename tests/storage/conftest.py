"""Fixtures shared by the storage tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage.servers import drop_created_tables


@pytest.fixture(scope="session", autouse=True)
def _drop_server_tables() -> Iterator[None]:
    """Drop the tables the tests created on the database servers, at the end."""
    yield
    drop_created_tables()
