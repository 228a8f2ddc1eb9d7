"""The search's own process killed by SIGKILL at seeded random moments, then resumed.

The "knn" task of ``tests/storage/search_worker.py`` (a grid of
KNeighborsClassifier on iris, folds of a millisecond: the storage is the
bottleneck, so a kill lands mid-write as often as mid-fold) runs in a
subprocess; it is killed ``N_KILLS`` times at delays drawn from a seeded
RNG, then run once more to the end. After each kill and at the end the
storage is read: no trial that was COMPLETE is lost or changed, no grid
point is COMPLETE twice, no fold is stored twice; and the resumed search
ends with exactly the requested trials, all COMPLETE.
"""

from __future__ import annotations

import random
import signal
import subprocess

import pytest
from storage.test_resume import _finish, _run_worker

from faults._harness import FaultCounts, wait_until
from scout_sklearn import Trial, TrialState
from scout_sklearn.storage import SQLStorage

SEED = 17
N_KILLS = 3
N_TRIALS = 120
# Kills land up to this long after the run has stored its first new trial
# (this task stores some 100 trials a second on SQLite here: a run is cut
# after a few dozen trials, and the kills leave trials to resume).
MAX_DELAY = 0.25


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_search_killed_at_random_moments_resumes_without_losing_a_trial(
    database: tuple[str, str], kind: str, fault_counts: FaultCounts
) -> None:
    """Proves that SIGKILL at any moment of a run loses and duplicates nothing.

    The delays come from ``random.Random(SEED)``: another seed is another
    sweep, and a failure names its seed and kill to replay it.
    """
    url, prefix = database
    storage = SQLStorage(url, table_prefix=prefix)
    rng = random.Random(SEED)
    complete: dict[int, Trial] = {}
    for kill in range(N_KILLS):
        delay = rng.uniform(0.0, MAX_DELAY)
        started = len(storage.read_trials("sweep")[0]) if kill else 0
        process = _run_worker("knn", url, prefix, "sweep", "grid", N_TRIALS)

        def progressed(started: int = started) -> bool:
            if storage.load_study("sweep") is None:
                return False
            return len(storage.read_trials("sweep")[0]) > started

        wait_until(progressed, f"kill {kill} (seed {SEED}): a new trial", process=process)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            fault_counts.injected += 1
        process.communicate()
        assert process.returncode == -signal.SIGKILL, "the search ended before its kill"
        complete = fault_counts.check(complete, storage, "sweep", grid=True)

    result = _finish(_run_worker("knn", url, prefix, "sweep", "grid", N_TRIALS))
    fault_counts.finished += 1
    fault_counts.check(complete, storage, "sweep", grid=True)
    trials, _ = storage.read_trials("sweep")
    assert [t.number for t in trials] == list(range(N_TRIALS))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    assert all(sorted(f.fold for f in t.fold_results) == [0, 1] for t in trials)
    assert result["n_trials"] == N_TRIALS
