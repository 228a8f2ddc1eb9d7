"""The ``scout_sklearn`` logger and the verbosity levels of a search.

Every message goes through the standard ``logging`` logger named
``scout_sklearn``, so applications route it as they route any other.
When a search runs with ``verbose > 0`` and nobody configured that logger,
a handler writing to standard error is attached for the duration of the fit.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator

__all__ = ["logger", "verbose_logging"]

logger = logging.getLogger("scout_sklearn")


@contextlib.contextmanager
def verbose_logging(verbose: int) -> Iterator[None]:
    """Show INFO messages on stderr during a fit when ``verbose > 0``.

    Does nothing when ``verbose == 0`` or when the application has configured
    a handler for the logger (or the root logger) itself.
    """
    configured = logger.handlers or logging.getLogger().handlers
    if verbose <= 0 or configured:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
