"""Threads inside one fold: so that workers x threads stay within the cores.

joblib's process workers (loky) already cap the BLAS and OpenMP pools of the
processes they start. Threads (``parallel_config(backend="threading")``),
Dask workers, and an estimator told to use every core (``n_jobs=-1``,
``nthread``, ``thread_count``) escape that: two workers each running an
estimator with two threads on two cores lose time to switching and
spinning. :func:`limited_threads` caps the pools while one fold runs and
:func:`capped_thread_params` the estimator's own thread parameters.
"""

from __future__ import annotations

import numbers
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threadpoolctl import ThreadpoolController

__all__ = ["capped_thread_params", "inner_threads", "limited_threads"]

#: Estimator parameters that set a library's thread count (scikit-learn and
#: joblib, XGBoost, LightGBM, CatBoost).
THREAD_PARAMS = frozenset({"n_jobs", "nthread", "num_threads", "n_threads", "thread_count"})


def inner_threads(
    setting: int | str | None,
    n_workers: int,
    n_cores: int,
    configured: int | None = None,
) -> int | None:
    """Threads one fold may use: ``ScoutSearchCV(inner_max_num_threads=...)`` resolved.

    ``"auto"``: None (no limit) with one worker; with several,
    ``configured`` (joblib's ``parallel_config(inner_max_num_threads=...)``,
    the user's own choice for the workers) when it is set, else the cores
    shared out among the workers (at least 1). An int: itself, at most the
    cores (more threads than cores run no faster, and a C library asked for
    10**30 threads fails, for 2**31 - 1 stalls). None: no limit.
    """
    if setting is None:
        return None
    if setting == "auto":
        if n_workers <= 1:
            return None
        if configured is None:
            return max(1, n_cores // n_workers)
        setting = configured
    return max(1, min(int(setting), max(1, n_cores)))


#: Libraries whose estimators read a thread parameter of None as "every
#: core" and set that count themselves, past the OpenMP limit: LightGBM
#: (since 4.0, the physical cores) and XGBoost.
_NONE_IS_EVERY_CORE = frozenset({"lightgbm", "xgboost"})


def capped_thread_params(estimator: Any, n_threads: int) -> dict[str, int]:
    """Thread parameters of ``estimator`` (and its steps) set above ``n_threads``.

    A value of -1 or less (every core, in joblib's and the libraries'
    convention) or above ``n_threads`` becomes ``n_threads``, and so does
    None on a LightGBM or XGBoost estimator (their default, every core,
    which the OpenMP limit does not reach: measured with LightGBM on the
    threading and Dask backends, where the folds ran as slowly as with no
    limit at all). None elsewhere (scikit-learn's default, one job or what
    ``joblib.parallel_config`` says) and smaller values are kept.
    """
    params = estimator.get_params(deep=True)
    capped = {}
    for name, value in params.items():
        owner_name, _, param = name.rpartition("__")
        if param not in THREAD_PARAMS:
            continue
        if value is None:
            owner = params.get(owner_name, estimator) if owner_name else estimator
            library = type(owner).__module__.partition(".")[0]
            if library in _NONE_IS_EVERY_CORE:
                capped[name] = n_threads
            continue
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            continue
        if int(value) < 0 or int(value) > n_threads:
            capped[name] = n_threads
    return capped


# The BLAS pools (OpenBLAS, MKL) are one per process: with several folds
# running in threads of one process (the threading backend, a Dask worker),
# the first fold to start sets their limit and the last to end restores it;
# each fold setting and restoring its own would restore a neighbour's limit
# as the "original". OpenMP's limit is a per-thread setting, set and restored
# by each fold in its own thread. Each library is set on its own
# (threadpoolctl's limiters restore every library they saw, which undoes a
# neighbour's BLAS limit from another thread).
_blas_lock = threading.Lock()
_blas_users = 0
_blas_restore: list[tuple[Any, int]] = []
_controllers: dict[int, ThreadpoolController] = {}


def _pools(user_api: str) -> list[Any]:
    """This process's pools of one API, found again when modules were imported since."""
    key = len(sys.modules)
    controller = _controllers.get(key)
    if controller is None:
        controller = ThreadpoolController()  # scans the loaded libraries
        _controllers.clear()
        _controllers[key] = controller
    return list(controller.select(user_api=user_api).lib_controllers)


def _set(pools: list[Any], n_threads: int) -> list[tuple[Any, int]]:
    """Set each pool to ``n_threads``; what to restore, pool by pool."""
    previous = [(pool, pool.num_threads) for pool in pools]
    for pool in pools:
        pool.set_num_threads(n_threads)
    return previous


@contextmanager
def limited_threads(n_threads: int | None) -> Iterator[None]:
    """Cap the BLAS and OpenMP pools at ``n_threads`` while the block runs."""
    if n_threads is None:
        yield
        return
    global _blas_users, _blas_restore
    with _blas_lock:
        # A library loaded while others folds hold the limit (scipy's own
        # OpenBLAS, say) joins it now.
        limited = {pool.filepath for pool, _ in _blas_restore}
        fresh = [pool for pool in _pools("blas") if pool.filepath not in limited]
        _blas_restore += _set(fresh, n_threads)
        _blas_users += 1
    openmp = _set(_pools("openmp"), n_threads)
    try:
        yield
    finally:
        for pool, num_threads in openmp:
            pool.set_num_threads(num_threads)
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                for pool, num_threads in _blas_restore:
                    pool.set_num_threads(num_threads)
                _blas_restore = []
