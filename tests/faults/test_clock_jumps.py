"""The wall clock jumps while workers share a study: leases must hold, and run out.

Leases are stored as wall-clock times (``time.time()``), so that workers on
several machines can read them. A step of the clock (NTP, a suspended
virtual machine, an administrator) must not let a second worker take a
trial whose owner is alive and renewing (a jump forward), nor keep a dead
owner's trial from everybody for as long as the jump (a jump backward).

Two ``Study`` objects in this process stand for two workers (this process
is alive, so only the lease can make a trial an orphan); the jump is
``time.time`` patched, as every reader of the wall clock sees it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from faults._harness import FaultCounts, wait_until
from scout_sklearn import FoldResult, Study, Trial, TrialState
from scout_sklearn.storage import SQLStorage

SPACE = {"C": [0.1, 1.0, 10.0]}
JUMP = 3600.0


def _workers(tmp_path: Path, lease: float) -> tuple[Study, Study]:
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    owner = Study(SPACE, storage=SQLStorage(url), name="clock", seed=0, lease_seconds=lease)
    other = Study(
        SPACE,
        storage=SQLStorage(url),
        name="clock",
        load_if_exists=True,
        lease_seconds=lease,
    )
    return owner, other


def _jump(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + seconds)


def _fold(k: int) -> FoldResult:
    return FoldResult(
        fold=k,
        test_scores={"score": 0.5},
        train_scores=None,
        fit_time=0.01,
        score_time=0.001,
        n_test_samples=10,
    )


def test_a_jump_forward_does_not_hand_a_live_owners_trial_to_another_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault_counts: FaultCounts
) -> None:
    """Proves that a lease seen running keeps running on the monotonic clock.

    The other worker has seen the owner's lease (60 s left); the clock jumps
    an hour forward, so that the stored lease looks an hour past. Before the
    fix the other worker took the trial at once, and the live owner's next
    write failed with LeaseLost.
    """
    owner, other = _workers(tmp_path, lease=60.0)
    trial = owner.ask()
    assert other.reclaim() is None  # seen, and running
    _jump(monkeypatch, JUMP)
    fault_counts.injected += 1

    assert other.reclaim() is None
    owner.record(trial.number, _fold(0))
    done = owner.tell(trial.number, 0.5)
    assert done.state is TrialState.COMPLETE
    assert done.owner == owner.owner
    fault_counts.finished += 1
    assert isinstance(other.storage, SQLStorage)
    fault_counts.check({}, other.storage, "clock", grid=True)


def test_a_jump_forward_still_lets_a_dead_owners_lease_run_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault_counts: FaultCounts
) -> None:
    """Proves that the lease of an owner that stopped renewing runs out after
    the jump as it would have without it: once its time has passed on the
    other worker's monotonic clock."""
    owner, other = _workers(tmp_path, lease=0.5)
    trial = owner.ask()  # and the owner never writes again
    assert other.reclaim() is None
    _jump(monkeypatch, JUMP)
    fault_counts.injected += 1

    taken: list[Trial | None] = []
    wait_until(lambda: bool(taken.append(other.reclaim()) or taken[-1]), "the reclaim")
    assert taken[-1] is not None
    assert taken[-1].number == trial.number
    fault_counts.finished += 1


def test_a_jump_backward_does_not_keep_a_dead_owners_lease_for_the_jump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault_counts: FaultCounts
) -> None:
    """Proves that a lease reaching further ahead than a lease can (the other
    worker's clock went back an hour) runs out one lease after it is first
    seen, not an hour later. Before the fix the trial stayed out of reach for
    the whole hour: the stored lease was in the future, and the
    compare-and-set compared it with the clock."""
    owner, other = _workers(tmp_path, lease=0.5)
    trial = owner.ask()  # and the owner never writes again
    _jump(monkeypatch, -JUMP)
    fault_counts.injected += 1

    started = time.monotonic()
    taken: list[Trial | None] = []
    wait_until(
        lambda: bool(taken.append(other.reclaim()) or taken[-1]), "the reclaim", timeout=30
    )
    assert taken[-1] is not None
    assert taken[-1].number == trial.number
    assert time.monotonic() - started >= 0.5
    fault_counts.finished += 1
