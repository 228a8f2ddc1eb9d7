"""Storages: where studies and their trials are kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scout_sklearn.storage._base import Storage, StudyRecord
from scout_sklearn.storage._memory import MemoryStorage

if TYPE_CHECKING:
    from scout_sklearn.storage._sql import SQLStorage

__all__ = ["MemoryStorage", "SQLStorage", "Storage", "StudyRecord"]


def __getattr__(name: str) -> Any:
    # SQLStorage imports SQLAlchemy (a third of a second): only when asked for.
    if name == "SQLStorage":
        from scout_sklearn.storage._sql import SQLStorage

        return SQLStorage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
