"""Storages: where studies and their trials are kept."""

from scout_sklearn.storage._base import Storage, StudyRecord
from scout_sklearn.storage._memory import MemoryStorage

__all__ = ["MemoryStorage", "Storage", "StudyRecord"]
