"""Resuming a search from its storage, and sharing one study between processes.

These tests use real SVC fits on the bundled digits data and real databases:
a SQLite file always, PostgreSQL when SCOUT_TEST_POSTGRES_URL is set. The
crash tests start the search in a subprocess and kill it with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from contracts.storage import end_postgres_sessions
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import Float, ScoutSearchCV, TrialState
from scout_sklearn.exceptions import DuplicatedStudyError, StudyMismatch
from scout_sklearn.storage import SQLStorage

WORKER = Path(__file__).with_name("search_worker.py")
SPACE_WORKER = Path(__file__).with_name("space_worker.py")
POSTGRES_URL = os.environ.get("SCOUT_TEST_POSTGRES_URL")


def _drop_prefixed(url: str, prefix: str) -> None:
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine, only=lambda name, _: name.startswith(prefix))
        meta.drop_all(engine)
    finally:
        engine.dispose()


def _fresh_database(kind: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(url, table prefix) of a fresh database; its tables dropped afterwards."""
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'scout.db'}", prefix
        return
    if not POSTGRES_URL:
        pytest.skip("set SCOUT_TEST_POSTGRES_URL to run the PostgreSQL variant")
    yield POSTGRES_URL, prefix
    _drop_prefixed(POSTGRES_URL, prefix)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A fresh SQLite file, then a fresh set of PostgreSQL tables."""
    yield from _fresh_database(request.param, tmp_path)


@pytest.fixture
def crash_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, str]]:
    """A fresh database of the kind the test is parametrized with."""
    yield from _fresh_database(request.node.callspec.params["kind"], tmp_path)


@pytest.fixture(scope="module")
def cancer() -> tuple[Any, Any]:
    return load_breast_cancer(return_X_y=True)


def _search(storage: Any, n_trials: int, **kwargs: Any) -> ScoutSearchCV:
    params: dict[str, Any] = {
        "sampler": "random",
        "n_trials": n_trials,
        "cv": 3,
        "random_state": 0,
        "storage": storage,
        "study_name": "lr",
    }
    params.update(kwargs)
    return ScoutSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)),
        {"logisticregression__C": Float(1e-3, 1e2, log=True)},
        **params,
    )


# -- resume in one process ------------------------------------------------------------
def test_a_resumed_fit_runs_only_the_missing_trials(
    tmp_path: Path, cancer: tuple[Any, Any]
) -> None:
    X, y = cancer
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    first = _search(url, 4).fit(X, y)
    assert first.n_trials_ == 4
    second = _search(url, 7).fit(X, y)
    trials = second.study_.trials
    assert [t.number for t in trials] == list(range(7))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    assert second.n_trials_ == 7
    assert len(second.cv_results_["params"]) == 7
    # The first four are the stored ones, not re-run: same params, same fold times.
    stored = first.study_.trials
    for old, new in zip(stored, trials[:4]):
        assert new.params == old.params
        assert [f.fit_time for f in new.fold_results] == [
            f.fit_time for f in old.fold_results
        ]
    # A third fit with the same total has nothing left to run.
    third = _search(url, 7).fit(X, y)
    assert [t.finished_at for t in third.study_.trials] == [t.finished_at for t in trials]

    # ... and the whole equals one uninterrupted search with the same seed.
    whole = _search(None, 7).fit(X, y)
    assert [t.params for t in whole.study_.trials] == [t.params for t in trials]
    assert whole.best_params_ == second.best_params_
    assert whole.best_score_ == second.best_score_


def test_a_restarted_container_takes_back_its_killed_runs_trial_at_once(
    database: tuple[str, str], cancer: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A container restarted after SIGKILL has the same host name and PID (the
    # search is PID 1 again): the killed run's RUNNING trial, leased for 60 s,
    # is an earlier process run's and is taken back by the next fit at once.
    from scout_sklearn import Study, _study

    X, y = cancer
    url, prefix = database
    storage = SQLStorage(url, table_prefix=prefix)
    first = _search(storage, 3).fit(X, y)
    monkeypatch.setattr(_study, "_run", (os.getpid(), "0123456789ab"))
    killed = Study(
        first.study_.space,
        storage=storage,
        name="lr",
        load_if_exists=True,
        ignore_fingerprint=True,
    )
    held = killed.ask()
    monkeypatch.undo()
    assert held.lease_until is not None
    assert held.lease_until > time.time() + 50
    start = time.monotonic()
    second = _search(storage, 5).fit(X, y)
    assert time.monotonic() - start < 30  # not after the lease
    trials = second.study_.trials
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 5
    assert trials[held.number].params == held.params
    assert second.n_trials_ == 5
    assert len(second.cv_results_["params"]) == 5


def test_resuming_with_other_data_or_splits_names_what_changed(
    tmp_path: Path, cancer: tuple[Any, Any]
) -> None:
    X, y = cancer
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    _search(url, 2).fit(X, y)
    with pytest.raises(StudyMismatch, match=r"'lr'.*data changed.*shape.*\[569, 30\]"):
        _search(url, 3).fit(X[:500], y[:500])
    with pytest.raises(StudyMismatch, match=r"cv changed"):
        _search(url, 3, cv=KFold(4)).fit(X, y)
    with pytest.raises(StudyMismatch, match=r"random_state: stored seed 0, now 1"):
        _search(url, 3, random_state=1).fit(X, y)
    with pytest.raises(StudyMismatch, match="ignore_fingerprint=True"):
        _search(url, 3, scoring="balanced_accuracy").fit(X, y)
    # Nothing was added by the refused fits.
    assert len(SQLStorage(url).read_trials("lr")[0]) == 2
    # The explicit override resumes anyway: other splits, as many of them.
    resumed = _search(url, 3, cv=KFold(3), ignore_fingerprint=True).fit(X, y)
    assert resumed.n_trials_ == 3
    # Not another number of splits: the stored fold scores have no place in
    # the columns of 4 splits (they were NaN means, or an IndexError for fewer).
    with pytest.raises(StudyMismatch, match=r"scored on 3 CV splits.*cv has 4"):
        _search(url, 4, cv=KFold(4), ignore_fingerprint=True).fit(X, y)
    assert len(SQLStorage(url).read_trials("lr")[0]) == 3


def test_another_space_is_refused_even_with_the_override(
    tmp_path: Path, cancer: tuple[Any, Any]
) -> None:
    X, y = cancer
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    _search(url, 2).fit(X, y)
    other = ScoutSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)),
        {"logisticregression__C": Float(1e-2, 1e2, log=True)},
        n_trials=3,
        cv=3,
        random_state=0,
        storage=url,
        study_name="lr",
        ignore_fingerprint=True,
    )
    with pytest.raises(StudyMismatch, match=r"another space.*another study name"):
        other.fit(X, y)


def test_load_if_exists_false_refuses_an_existing_study(
    tmp_path: Path, cancer: tuple[Any, Any]
) -> None:
    X, y = cancer
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    _search(url, 2).fit(X, y)
    with pytest.raises(DuplicatedStudyError, match=r"'lr' already exists.*load_if_exists"):
        _search(url, 3, load_if_exists=False).fit(X, y)


def test_estimator_choices_are_stored_by_index_and_restored(
    tmp_path: Path, cancer: tuple[Any, Any]
) -> None:
    X, y = cancer
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    choices = [LogisticRegression(max_iter=300), DecisionTreeClassifier(max_depth=2)]
    space = {"clf": choices, "scaler": [StandardScaler(), "passthrough"]}
    from sklearn.pipeline import Pipeline

    def search(n: int) -> ScoutSearchCV:
        pipe = Pipeline([("scaler", StandardScaler()), ("clf", LogisticRegression())])
        return ScoutSearchCV(
            pipe, space, sampler="grid", n_trials=n, cv=3, storage=url, study_name="pick"
        )

    search(2).fit(X, y)
    # In the database: the index and a readable text, never a pickle.
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        (trials_table,) = [t for t in tables if t.endswith("trials")]
        rows = connection.execute(sa.text(f"SELECT params FROM {trials_table}")).all()
    engine.dispose()
    stored = [json.loads(row[0]) for row in rows]
    assert stored[0]["clf"]["index"] == 0
    assert "LogisticRegression" in stored[0]["clf"]["repr"]
    resumed = search(4).fit(X, y)
    objects = [t.params["clf"] for t in resumed.study_.trials]
    assert all(any(o is c for c in choices) for o in objects)
    assert (
        len({(id(t.params["clf"]), str(t.params["scaler"])) for t in resumed.study_.trials})
        == 4
    )


# -- resume in a fresh process ------------------------------------------------------
def _run_space_worker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SPACE_WORKER), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _printed(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_space_of_functions_resumes_in_a_fresh_process(tmp_path: Path) -> None:
    # A function's repr holds its address, which differs in every process:
    # the stored space must not, or re-running the script is refused.
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    first = _printed(_run_space_worker("functions", url, "3"))
    assert len(first["trials"]) == 3
    resumed = _printed(_run_space_worker("functions", url, "8"))
    # The stored trials came back as the same functions, not re-run ...
    assert resumed["trials"][:3] == first["trials"]
    # ... as the very choice objects, in the trials, cv_results_ and best_params_.
    assert resumed["trials_hold_choices"]
    assert resumed["cv_results_hold_choices"]
    assert resumed["best_params_hold_choices"]
    # Different functions stay different choices: the grid's 8 points, once each.
    points = {json.dumps(params, sort_keys=True) for params in resumed["trials"]}
    assert len(points) == 8
    assert {p["selectkbest__score_func"] for p in resumed["trials"]} == {
        "f_classif",
        "mutual_info_classif",
    }
    # In the database: module paths, no address.
    storage = SQLStorage(url)
    record = storage.load_study("functions")
    assert record is not None
    space = json.dumps(record.space)
    assert "0x" not in space
    assert "sklearn.feature_selection._univariate_selection.f_classif" in space
    assert "__main__.manhattan" in space
    trials, _ = storage.read_trials("functions")
    assert len(trials) == 8
    assert "0x" not in json.dumps([t.params for t in trials])


def test_a_changed_users_distribution_is_another_space(tmp_path: Path) -> None:
    # A user's own distribution object is described by its attributes too:
    # LogUniform(1e-3, 1e-2) and LogUniform(10, 1000) are two spaces.
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    first = _printed(_run_space_worker("user_distribution", url, "3", "low"))
    assert all(1e-3 <= c <= 1e-2 for c in first["C"])
    refused = _run_space_worker("user_distribution", url, "6", "high")
    assert refused.returncode != 0
    assert "StudyMismatch" in refused.stderr
    assert "searches another space" in refused.stderr
    assert "LogUniform(high=1000.0, low=10.0)" in refused.stderr
    assert len(SQLStorage(url).read_trials("user_distribution")[0]) == 3
    # The same distribution resumes, in another process.
    resumed = _printed(_run_space_worker("user_distribution", url, "5", "low"))
    assert resumed["C"][:3] == first["C"]
    assert len(resumed["C"]) == 5
    assert all(1e-3 <= c <= 1e-2 for c in resumed["C"])


# -- crashes ----------------------------------------------------------------------------
def _run_worker(
    task: str, url: str, prefix: str, study: str, sampler: str, n_trials: int, *extra: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(WORKER),
            task,
            url,
            prefix,
            study,
            sampler,
            str(n_trials),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _n_folds(storage: SQLStorage, study: str) -> int:
    if storage.load_study(study) is None:
        return 0
    trials, _ = storage.read_trials(study)
    return sum(len(t.fold_results) for t in trials)


def _finish(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "sampler"),
    # Both samplers on SQLite, one on PostgreSQL: the suite's time is counted.
    [("sqlite", "grid"), ("sqlite", "random"), ("postgresql", "random")],
)
def test_a_search_killed_three_times_finishes_as_if_never_killed(
    crash_database: tuple[str, str], kind: str, sampler: str
) -> None:
    url, prefix = crash_database
    n_trials = 5
    storage = SQLStorage(url, table_prefix=prefix)
    for kill_after in (2, 6, 10):  # folds recorded before the kill (of 15)
        process = _run_worker("svc", url, prefix, "crash", sampler, n_trials)
        deadline = time.monotonic() + 120
        while _n_folds(storage, "crash") < kill_after:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
        trials, _ = storage.read_trials("crash")
        assert sum(len(t.fold_results) for t in trials) >= kill_after
    resumed = _finish(_run_worker("svc", url, prefix, "crash", sampler, n_trials))
    reference = _finish(_run_worker("svc", url, prefix, "reference", sampler, n_trials))

    trials, _ = storage.read_trials("crash")
    assert [t.number for t in trials] == list(range(n_trials))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    # Each trial has each fold exactly once: nothing lost, nothing duplicated.
    assert all(sorted(f.fold for f in t.fold_results) == [0, 1, 2] for t in trials)
    assert resumed["n_trials"] == n_trials
    expected, _ = storage.read_trials("reference")
    assert [t.params for t in trials] == [t.params for t in expected]
    assert resumed["best_number"] == reference["best_number"]
    assert resumed["best_params"] == reference["best_params"]
    assert resumed["best_score"] == pytest.approx(reference["best_score"], abs=1e-12)


# -- many workers ---------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("sampler", ["grid", "tpe"])
def test_workers_share_one_study(database: tuple[str, str], sampler: str) -> None:
    url, prefix = database
    n_workers = 4 if url.startswith("sqlite") else 8
    n_trials = 200  # the whole grid
    workers = [
        _run_worker("knn", url, prefix, "shared", sampler, n_trials)
        for _ in range(n_workers)
    ]
    results = [_finish(w) for w in workers]
    storage = SQLStorage(url, table_prefix=prefix)
    trials, _ = storage.read_trials("shared")
    assert [t.number for t in trials] == list(range(n_trials))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    owners = {t.owner for t in trials}
    assert len(owners) >= 2, "one worker did everything: nothing was shared"
    if sampler == "grid":
        points = [tuple(sorted(t.params.items())) for t in trials]
        assert len(set(points)) == n_trials  # every grid point exactly once
    # Each worker chose among every worker's trials finished by its end; the
    # last to end saw them all and chose the study's best.
    best = max(trials, key=lambda t: (t.value, -t.number))
    assert max(r["n_trials"] for r in results) == n_trials
    last = [r for r in results if r["n_trials"] == n_trials]
    assert all(r["best_number"] == best.number for r in last)


# -- faults beyond a crash -------------------------------------------------------------
@pytest.mark.slow
def test_a_worker_paused_past_its_lease_loses_its_trial_without_crashing(
    tmp_path: Path,
) -> None:
    url, prefix = f"sqlite:///{tmp_path / 'scout.db'}", "p_"
    lease = "2"
    storage = SQLStorage(url, table_prefix=prefix)
    paused = _run_worker("svc", url, prefix, "pause", "grid", 4, lease)
    deadline = time.monotonic() + 120
    while True:  # until the first trial has a fold: the worker is mid-trial
        assert paused.poll() is None, paused.communicate()[1]
        assert time.monotonic() < deadline, "the worker made no progress"
        if storage.load_study("pause") is not None:
            trials, _ = storage.read_trials("pause")
            if trials and trials[0].fold_results and not trials[0].is_finished:
                break
        time.sleep(0.01)
    paused.send_signal(signal.SIGSTOP)
    try:
        time.sleep(float(lease) + 0.5)  # its lease runs out while it is stopped
        other = _finish(_run_worker("svc", url, prefix, "pause", "grid", 4, lease))
    finally:
        paused.send_signal(signal.SIGCONT)
    _, err = paused.communicate(timeout=120)
    assert paused.returncode == 0, err
    assert "reclaimed by another worker" in err

    trials, _ = storage.read_trials("pause")
    assert [t.number for t in trials] == [0, 1, 2, 3]
    assert all(t.state is TrialState.COMPLETE for t in trials)
    # The late fold was not written over the other worker's: one result per fold.
    assert all(sorted(f.fold for f in t.fold_results) == [0, 1, 2] for t in trials)
    assert other["n_trials"] == 4


def test_two_workers_racing_for_an_enqueued_trial(tmp_path: Path) -> None:
    from scout_sklearn import Study

    url = f"sqlite:///{tmp_path / 'scout.db'}"
    space = {"C": [0.1, 1.0, 10.0]}
    queue = Study(space, storage=SQLStorage(url), name="q", seed=0)
    for _ in range(20):
        queue.enqueue({"C": 1.0})
    workers = [
        Study(space, storage=SQLStorage(url), name="q", load_if_exists=True)
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    taken: dict[int, list[int]] = {0: [], 1: []}

    def work(k: int) -> None:
        barrier.wait()
        while (trial := workers[k].reclaim()) is not None:
            taken[k].append(trial.number)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Every queued trial went to exactly one worker; none was lost.
    assert sorted(taken[0] + taken[1]) == list(range(20))
    trials, _ = SQLStorage(url).read_trials("q")
    owners = {t.number: t.owner for t in trials}
    assert all(owners[n] == workers[0].owner for n in taken[0])
    assert all(owners[n] == workers[1].owner for n in taken[1])


@pytest.mark.skipif(not POSTGRES_URL, reason="set SCOUT_TEST_POSTGRES_URL to run it")
# Run once more on failure: in 1 of 3 CI runs on 2026-12-06 the search ended
# with 11 of its 12 trials after the drop. The likely cause, found later that
# day by tests/faults: a write whose connection dropped after its COMMIT was
# applied twice (ask left its trial RUNNING and took the next number), fixed
# since with a deterministic test (tests/faults/test_connections_cut.py). The
# rerun stays until CI has run clean without it for a while.
@pytest.mark.flaky(reruns=1)
def test_a_dropped_postgresql_connection_does_not_stop_the_search(
    cancer: tuple[Any, Any],
) -> None:
    assert POSTGRES_URL is not None
    tag = f"scoutdrop{uuid.uuid4().hex[:8]}"
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    url = f"{POSTGRES_URL}?application_name={tag}"
    storage = SQLStorage(url, table_prefix=prefix)
    X, y = cancer
    dropped: list[int] = []

    def drop_connections() -> None:
        deadline = time.monotonic() + 60
        observer = SQLStorage(POSTGRES_URL, table_prefix=prefix)
        while time.monotonic() < deadline:
            if observer.load_study("lr") is not None:
                trials, _ = observer.read_trials("lr")
                if sum(len(t.fold_results) for t in trials) >= 4:
                    break
            time.sleep(0.01)
        dropped.append(end_postgres_sessions(POSTGRES_URL, tag))

    thread = threading.Thread(target=drop_connections)
    thread.start()
    try:
        search = _search(storage, 12).fit(X, y)
    finally:
        thread.join()
        _drop_prefixed(POSTGRES_URL, prefix)
    assert dropped == [dropped[0]]
    assert dropped[0] >= 1, "no connection of the search was dropped"
    assert search.n_trials_ == 12
    assert all(state == "COMPLETE" for state in search.cv_results_["state"])
