"""Folds on a Dask cluster: a LocalCluster of 2 worker processes on loopback."""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.svm import SVC

from scout_sklearn import ScoutSearchCV
from scout_sklearn.storage import MemoryStorage

distributed = pytest.importorskip(
    "distributed", reason="install dask's distributed (the test extra has it)"
)

SPACE = {"C": [0.1, 1.0, 10.0], "gamma": [1e-4, 1e-3, 1e-2]}


@pytest.fixture(scope="module")
def client() -> Any:
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def digits_data() -> tuple[np.ndarray, np.ndarray]:
    return load_digits(return_X_y=True)


def _search(**kwargs: Any) -> ScoutSearchCV:
    return ScoutSearchCV(SVC(), SPACE, cv=3, n_jobs=-1, **kwargs)


@pytest.mark.slow
def test_dask_gives_the_results_of_loky(
    client: Any, digits_data: tuple[np.ndarray, np.ndarray], monkeypatch: Any
) -> None:
    X, y = digits_data
    scattered: list[int] = []
    original = distributed.Client.scatter

    def counting_scatter(self: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        scattered.append(id(data))
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "scatter", counting_scatter)
    with joblib.parallel_config(backend="dask"):
        on_dask = _search().fit(X, y)
    monkeypatch.undo()
    on_loky = ScoutSearchCV(SVC(), SPACE, cv=3, n_jobs=2).fit(X, y)
    assert on_dask.best_params_ == on_loky.best_params_
    assert on_dask.cv_results_["params"] == on_loky.cv_results_["params"]
    for k in range(3):
        key = f"split{k}_test_score"
        np.testing.assert_array_equal(on_dask.cv_results_[key], on_loky.cv_results_[key])
    # X and y travel to the cluster once each, not with every one of the 27 folds.
    assert scattered.count(id(X)) == 1
    assert scattered.count(id(y)) == 1


@pytest.mark.slow
def test_a_worker_killed_mid_search_does_not_stop_it(
    client: Any, digits_data: tuple[np.ndarray, np.ndarray]
) -> None:
    X, y = digits_data
    storage = MemoryStorage()
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            with joblib.parallel_config(backend="dask"):
                outcome["search"] = _search(storage=storage, study_name="dask").fit(X, y)
        except BaseException as error:  # noqa: BLE001 - reported below
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 120
    while True:  # wait until some folds are done, then kill a worker process
        study = storage.load_study("dask")
        done = (
            0
            if study is None
            else sum(len(t.fold_results) for t in storage.read_trials("dask")[0])
        )
        if done >= 4:
            break
        assert time.monotonic() < deadline, "the search made no progress"
        time.sleep(0.05)
    pids = client.run(os.getpid)
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    thread.join(timeout=300)
    assert "error" not in outcome, outcome.get("error")
    search = outcome["search"]
    assert search.n_trials_ == 9
    assert all(state == "COMPLETE" for state in search.cv_results_["state"])
    reference = ScoutSearchCV(SVC(), SPACE, cv=3).fit(X, y)
    assert search.best_params_ == reference.best_params_
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
