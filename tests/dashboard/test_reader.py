"""The dashboard's reader: incremental reads and the tallies kept trial by trial."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from scout_sklearn import Float, FoldResult, Study, TrialState
from scout_sklearn.dashboard._reader import STATES, StorageReader
from scout_sklearn.storage import MemoryStorage


def brute_force(trials: dict) -> dict:
    counts = Counter(t.state.name for t in trials.values())
    valued = [t for t in trials.values() if t.has_value]
    best = max(valued, key=lambda t: (t.value, -t.number)) if valued else None
    return {
        "n_trials": len(trials),
        "states": {s: counts.get(s, 0) for s in STATES},
        "best_number": best.number if best else None,
        "best_value": best.value if best else None,
    }


@pytest.mark.parametrize("seed", range(5))
def test_tallies_match_a_full_count_after_every_refresh(seed: int) -> None:
    rng = np.random.default_rng(seed)
    storage = MemoryStorage()
    study = Study({"x": Float(0.0, 1.0)}, storage=storage, name="s", seed=seed)
    reader = StorageReader(storage, min_interval=0.0)
    state = reader.study("s")
    running: list[int] = []
    seen_stamp = 0
    for _ in range(300):
        action = rng.integers(4)
        if action == 0 or not running:
            running.append(study.ask().number)
        elif action == 1:
            number = running[int(rng.integers(len(running)))]
            study.record(number, FoldResult(0, {"score": 0.5}, None, 0.01, 0.001, 10))
        else:
            number = running.pop(int(rng.integers(len(running))))
            # Few distinct values: ties decide the best by the lower number.
            value = float(rng.integers(5)) / 4
            kind = rng.choice(["COMPLETE", "PRUNED", "FAILED"], p=[0.6, 0.3, 0.1])
            if kind == "FAILED":
                study.tell(number, None, state=TrialState.FAILED)
            else:
                study.tell(number, value, state=TrialState[kind])
        if rng.random() < 0.3:
            changed = reader.refresh(state)
            assert all(state.changed[n] > seen_stamp for n in changed)
            seen_stamp = state.stamp
            summary = state.summary()
            expected = brute_force(state.trials)
            for key, value in expected.items():
                assert summary[key] == value, key
    reader.refresh(state)
    stored, _ = storage.read_trials("s")
    assert {t.number: t.state for t in stored} == {
        n: t.state for n, t in state.trials.items()
    }


def test_a_refresh_reads_only_what_changed() -> None:
    storage = MemoryStorage()
    study = Study({"x": Float(0.0, 1.0)}, storage=storage, name="s", seed=0)
    for _ in range(5):
        trial = study.ask()
        study.tell(trial.number, 0.1, state=TrialState.COMPLETE)
    reader = StorageReader(storage, min_interval=0.0)
    state = reader.study("s")
    assert reader.refresh(state) == []
    trial = study.ask()
    assert reader.refresh(state) == [trial.number]
    assert state.summary()["states"]["RUNNING"] == 1
