"""Turn what a user passes as ``storage=`` into a Storage."""

from __future__ import annotations

from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.storage._base import Storage

__all__ = ["open_storage"]


def open_storage(
    spec: object, *, owner: str = "ScoutSearchCV", read_only: bool = False
) -> Storage:
    """A Storage for a database URL or a Storage instance.

    Parameters
    ----------
    spec : str or Storage
        A SQLAlchemy database URL (``"sqlite:///scout.db"``,
        ``"postgresql+psycopg://user@host/db"``, ``"mysql+pymysql://..."``)
        or a storage object, returned as it is.
    owner : str, default="ScoutSearchCV"
        Named in the error message.
    read_only : bool, default=False
        Open a URL read-only: nothing is created (no SQLite file, no
        tables), for the functions that only read.
    """
    if isinstance(spec, Storage):
        return spec
    if isinstance(spec, str):
        from scout_sklearn.storage._sql import SQLStorage

        return SQLStorage(spec, read_only=read_only)
    raise InvalidParameterError(
        f"The 'storage' parameter of {owner} must be a database URL (str), a "
        f"Storage instance or None. Got an object of type {type(spec).__name__} "
        "instead."
    )
