"""Markers scikit-learn's own test suite uses (its conftest registers them)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "thread_unsafe: scikit-learn's mark for single-threaded tests"
    )
