"""How what a fold needs crosses to joblib's worker processes, and back.

The search's data (X, y) is written once to a shared file and sent as a
memory map (:class:`SharedArrays`); each task's train and test rows travel
as a bit mask where that is exact (:class:`PackedRows`); a fitted
estimator kept for a warm start travels back and forth as pickle bytes
(:class:`PackedEstimator`). :mod:`scout_sklearn._evaluate` decides when each
applies (process workers, a Dask cluster) and unpacks them in the worker.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from typing import Any

import numpy as np

__all__ = ["PackedEstimator", "PackedRows", "SharedArrays"]


class PackedEstimator:
    """A fitted estimator as pickle bytes, made in the worker that fitted it.

    A warm-started trial's estimators travel from the worker to the search's
    process and back at every rung. As objects, each of their arrays (one
    per tree of a boosting) goes through joblib's array reducers in the
    search's process, once each way: in a 50-trial boosting search at
    ``n_jobs=2`` that was about 1 s of its CPU, taken from two workers on
    two cores. As bytes they cross as one buffer, and only workers pickle
    and unpickle them. The bytes live in memory only, never in a file.
    """

    def __init__(self, estimator: Any) -> None:
        self.data = pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self) -> Any:
        return pickle.loads(self.data)


class PackedRows:
    """Increasing row indices as a bit mask: the same rows, a 64th of the bytes.

    Every fold task carries its train and test rows; as int64 arrays they
    weigh 8 bytes a row of X, which on a cluster is sent with every task
    (a 10,000-row X: 80 kB a task, as much as X itself every hundred tasks).
    Indices that only increase (KFold, StratifiedKFold, GroupKFold,
    TimeSeriesSplit) are a set, which a mask holds exactly; others (a
    shuffled or repeated order) travel as they are, since the order of the
    training rows can change a fit.
    """

    def __init__(self, rows: np.ndarray) -> None:
        self.dtype = rows.dtype
        self.count = int(rows[-1]) + 1
        mask = np.zeros(self.count, dtype=bool)
        mask[rows] = True
        self.bits = np.packbits(mask)

    @classmethod
    def pack(cls, rows: Any) -> Any:
        """``rows`` packed when that is exact and worth it, else ``rows``."""
        if (
            isinstance(rows, np.ndarray)
            and rows.ndim == 1
            and rows.dtype.kind in "iu"
            and len(rows) >= _PACK_ROWS_FROM
            and rows[0] >= 0
            and bool(np.all(np.diff(rows) > 0))
        ):
            return cls(rows)
        return rows

    def unpack(self) -> np.ndarray:
        mask = np.unpackbits(self.bits, count=self.count).astype(bool)
        return np.flatnonzero(mask).astype(self.dtype, copy=False)


#: Fewer rows than this travel as indices (a mask would save little).
_PACK_ROWS_FROM = 256


# Every joblib call pickles its arguments, the data included. joblib writes
# arrays above its max_nbytes (1 MB) to a shared file and sends the file's
# name instead; arrays below it are pickled whole into every call: a 650 kB
# X (digits) costs a worker about 2 ms of every call. A search sends the same
# X and y with every call, so FoldRunner writes them to a file once and sends
# a memory map of it, which joblib passes by name. Not through joblib's own
# max_nbytes: loky starts new workers whenever a call's memmapping settings
# differ from the previous call's (a GridSearchCV's, say).
_SHARE_BYTES = 64 * 1024


class SharedArrays:
    """Numpy arrays written once to a temporary folder, for local worker processes.

    :meth:`share` returns a copy-on-write memory map of an array: a worker
    that writes into it (folds index rows out of X, so they seldom do)
    changes its own pages only, as it would a pickled copy, never the file.
    :meth:`close` removes the folder; if this process is killed first,
    loky's resource tracker (the process joblib uses to clean up its own
    shared files) removes it.
    """

    def __init__(self) -> None:
        self._folder: str | None = None
        self._n_files = 0

    def share(self, value: Any) -> Any:
        if (
            type(value) is not np.ndarray  # subclasses and memmaps go as they are
            or value.dtype.hasobject
            or value.nbytes < _SHARE_BYTES
        ):
            return value
        path = None
        try:
            if self._folder is None:
                self._folder = tempfile.mkdtemp(
                    prefix="scout_sklearn_", dir=_shared_base(value.nbytes)
                )
                _track_folder(self._folder, register=True)
            path = os.path.join(self._folder, f"{self._n_files}.npy")
            self._n_files += 1
            np.save(path, value, allow_pickle=False)
            shared = np.load(path, mmap_mode="c", allow_pickle=False)
        except OSError:  # no space, no folder: joblib pickles it, as before
            if path is not None:
                with contextlib.suppress(OSError):
                    os.remove(path)
            return value
        return shared

    def close(self) -> None:
        if self._folder is not None:
            # Workers that still map a file keep its data until they unmap it.
            shutil.rmtree(self._folder, ignore_errors=True)
            _track_folder(self._folder, register=False)
            self._folder = None


def _shared_base(nbytes: int) -> str | None:
    """Where to write shared arrays: joblib's folder if set, else shared memory.

    ``/dev/shm`` only if it has room for twice ``nbytes`` and joblib's own
    minimum (2 GB): a container's is often 64 MB.
    """
    configured = os.environ.get("JOBLIB_TEMP_FOLDER")
    if configured:
        return configured
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK) and hasattr(os, "statvfs"):
        stats = os.statvfs(shm)
        if stats.f_bsize * stats.f_bavail > max(2 * nbytes, int(2e9)):
            return shm
    return None  # the system's temporary folder


def _track_folder(folder: str, *, register: bool) -> None:
    """Tell loky's resource tracker to remove ``folder`` if this process dies."""
    try:
        from joblib.externals.loky.backend import resource_tracker
    except ImportError:  # pragma: no cover - a joblib without loky
        return
    if register:
        resource_tracker.register(folder, "folder")
    else:
        resource_tracker.unregister(folder, "folder")
