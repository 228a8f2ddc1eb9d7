"""MemoryStorage: the storage contract, plus pickling."""

from __future__ import annotations

import pickle
import threading

from contracts.storage import StorageContract, fold, new_trial, record

from scout_sklearn import TrialState
from scout_sklearn.exceptions import TrialNumberTaken
from scout_sklearn.storage import MemoryStorage, Storage


class TestMemoryStorageContract(StorageContract):
    def make_storage(self) -> Storage:
        return MemoryStorage()


def test_pickle_round_trips_studies_trials_and_stamps() -> None:
    storage = MemoryStorage()
    storage.create_study(record("a", created_at=1.0))
    storage.create_study(record("b", seed=7, created_at=2.0))
    storage.create_trial("a", new_trial(0, C=1.0))
    storage.record_fold("a", 0, fold(0, 0.9))
    storage.finish_trial("a", 0, TrialState.COMPLETE, 0.9)
    storage.create_trial("a", new_trial(1, C=2.0))
    trials, stamp = storage.read_trials("a")

    restored = pickle.loads(pickle.dumps(storage))
    assert restored.list_studies() == storage.list_studies()
    assert restored.read_trials("a") == (trials, stamp)
    assert restored.read_trials("b") == storage.read_trials("b")
    # The copy is independent and fully usable (its lock was recreated).
    restored.finish_trial("a", 1, TrialState.FAILED, None)
    assert storage.read_trials("a", since=stamp) == ([], stamp)
    changed, newer = restored.read_trials("a", since=stamp)
    assert [(t.number, t.state) for t in changed] == [(1, TrialState.FAILED)]
    assert newer > stamp


def test_concurrent_writers_never_share_a_number() -> None:
    storage = MemoryStorage()
    storage.create_study(record("a"))
    claimed: list[int] = []

    def claim() -> None:
        for _ in range(50):
            while True:
                number = len(storage.read_trials("a")[0])
                try:
                    storage.create_trial("a", new_trial(number))
                except TrialNumberTaken:  # another thread was first: retry
                    continue
                claimed.append(number)
                break

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == list(range(200))
    trials, _ = storage.read_trials("a")
    assert [t.number for t in trials] == list(range(200))
