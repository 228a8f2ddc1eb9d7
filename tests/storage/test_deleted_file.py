"""A SQLite file deleted or replaced during a fit: the fit fails loudly.

Before, the writes went on into the unlinked file and the fit reported
success with nothing left on disk.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scout_sklearn import Float, ScoutSearchCV, TrialState
from scout_sklearn.exceptions import StorageFileLost


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")


@pytest.mark.parametrize("replace", [False, True])
def test_a_sqlite_file_gone_mid_fit_fails_it_and_keeps_the_trials_in_memory(
    replace: bool, tmp_path: Path, iris: tuple[np.ndarray, np.ndarray], fast_clf: Any
) -> None:
    path = tmp_path / "scout.db"

    def delete_after_two(study: Any, trial: Any) -> None:
        if trial.number == 1:
            _remove(path)
            if replace:
                path.write_bytes(b"")

    search = ScoutSearchCV(
        fast_clf,
        {"a": Float(0.0, 1.0)},
        sampler="random",
        n_trials=10,
        cv=2,
        storage=f"sqlite:///{path}",
        callbacks=[delete_after_two],
    )
    what = "was replaced by another file" if replace else "was deleted"
    with pytest.raises(StorageFileLost, match=f"{what} while this storage had it open"):
        search.fit(*iris)

    kept = [t for t in search.study_.trials if t.state is TrialState.COMPLETE]
    assert [t.number for t in kept][:2] == [0, 1]
    assert len(search.trials_dataframe()) == len(search.study_.trials)
