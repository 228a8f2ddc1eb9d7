"""A database that stops answering, and a SQLite file whose disk fills up, mid-search.

Both must fail the fit clearly (an error, neither a hang nor a success),
keep every trial stored before the fault, and let a later fit resume to the
requested number of trials.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from storage.test_timeouts import FreezableProxy, _fit_in_thread, _proxied

from faults._harness import FaultCounts, complete_trials, knn_search, wait_until
from scout_sklearn import ScoutSearchCV, TrialState
from scout_sklearn.storage import SQLStorage

N_TRIALS = 40
FAULT_AFTER = 10  # trials finished before the fault
TIMEOUT = 3.0  # the storage's; what a healthy statement gets on a busy machine


def _search(storage: Any, *callbacks: Any) -> ScoutSearchCV:
    return knn_search(storage, "fault", N_TRIALS, *callbacks)


def _finish(storage: SQLStorage, iris: tuple[np.ndarray, np.ndarray]) -> None:
    """Resume the search to its end; check it has all its trials, COMPLETE."""
    search = _search(storage).fit(*iris)
    trials, _ = storage.read_trials("fault")
    assert [t.number for t in trials] == list(range(N_TRIALS))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    assert search.n_trials_ == N_TRIALS


@pytest.mark.parametrize("kind", ["postgresql", "mysql"])
def test_a_database_that_stops_answering_fails_the_fit_and_loses_nothing(
    database: tuple[str, str],
    kind: str,
    iris: tuple[np.ndarray, np.ndarray],
    fault_counts: FaultCounts,
) -> None:
    """Proves that a server frozen mid-search (FreezableProxy, tests/storage/
    test_timeouts.py) fails the fit with ConnectionError within the storage's
    timeout, and that a fit after the freeze loses nothing and finishes.
    """
    url, prefix = database
    real = sa.make_url(url)
    proxy = FreezableProxy(real.host or "127.0.0.1", real.port or 0)
    proxied = SQLStorage(
        _proxied(url, proxy.port), table_prefix=prefix, timeout=TIMEOUT, lease_seconds=2.0
    )
    frozen_at: list[float] = []

    def freeze(study: Any, trial: Any) -> None:
        if trial.number == FAULT_AFTER - 1:
            frozen_at.append(time.monotonic())
            proxy.freeze()

    try:
        error = _fit_in_thread(_search(proxied, freeze), *iris)
        failed_after = time.monotonic() - frozen_at[0]
    finally:
        proxy.close()  # the server sees the connections end: their transactions roll back
    fault_counts.injected += 1
    assert isinstance(error, ConnectionError), error
    assert "did not answer" in str(error)
    # Each write in flight waits for the timeout at most; one more, for the
    # heartbeat thread's, and some slack for a loaded machine.
    assert failed_after < 3 * TIMEOUT + 5, failed_after

    storage = SQLStorage(url, table_prefix=prefix)
    before = fault_counts.check({}, storage, "fault", grid=True)
    assert len(before) >= FAULT_AFTER

    def leases_ran_out() -> bool:  # the frozen search's trials, for the next fit
        trials, _ = storage.read_trials("fault")
        running = [t for t in trials if t.state is TrialState.RUNNING]
        return all((t.lease_until or 0.0) < time.time() for t in running)

    wait_until(leases_ran_out, "the frozen search's leases to run out", timeout=30)
    _finish(storage, iris)
    fault_counts.finished += 1
    fault_counts.check(before, storage, "fault", grid=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A directory on a tmpfs of 8 MiB mounted for the test (root only)."""
    if os.geteuid() != 0:
        pytest.skip("the disk-full test mounts a small tmpfs: it needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs for the disk-full test: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)


def _fill(directory: Path) -> Path:
    """Fill the file system of ``directory`` to the last block; return the filler."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1 << 9, 1):
            with contextlib.suppress(OSError):  # ENOSPC: on to smaller writes
                while os.write(fd, b"\0" * size):
                    pass
    finally:
        os.close(fd)
    assert os.statvfs(directory).f_bavail == 0
    return filler


def test_a_full_disk_fails_the_fit_and_keeps_what_was_stored(
    small_disk: Path, iris: tuple[np.ndarray, np.ndarray], fault_counts: FaultCounts
) -> None:
    """Proves that a SQLite file whose disk fills mid-search fails the fit with
    an error naming the full disk, that the trials stored before stay readable
    and unchanged, and that the search resumes once there is room again.
    """
    url = f"sqlite:///{small_disk / 'scout.db'}"
    fillers: list[Path] = []

    def fill(study: Any, trial: Any) -> None:
        if trial.number == FAULT_AFTER - 1:
            fillers.append(_fill(small_disk))

    storage = SQLStorage(url)
    with pytest.raises(OSError, match=r"disk holding the SQLite file .* is full") as info:
        _search(storage, fill).fit(*iris)
    fault_counts.injected += 1
    assert fillers, f"the fit failed before the disk was full: {info.value!r}"

    before = complete_trials(SQLStorage(url), "fault")  # readable on the full disk
    assert len(before) >= FAULT_AFTER
    fillers[0].unlink()
    fresh = SQLStorage(url)
    fault_counts.check(before, fresh, "fault", grid=True)
    _finish(fresh, iris)
    fault_counts.finished += 1
    fault_counts.check(before, fresh, "fault", grid=True)
