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
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
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
POSTGRES_URL = os.environ.get("SCOUT_TEST_POSTGRES_URL")


def _drop_prefixed(url: str, prefix: str) -> None:
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine, only=lambda name, _: name.startswith(prefix))
        meta.drop_all(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(url, table prefix) of a fresh database."""
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scout.db'}", prefix
        return
    if not POSTGRES_URL:
        pytest.skip("set SCOUT_TEST_POSTGRES_URL to run the PostgreSQL variant")
    yield POSTGRES_URL, prefix
    _drop_prefixed(POSTGRES_URL, prefix)


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
    # The explicit override resumes anyway.
    resumed = _search(url, 3, cv=KFold(4), ignore_fingerprint=True).fit(X, y)
    assert resumed.n_trials_ == 3


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
@pytest.mark.parametrize("sampler", ["grid", "random"])
def test_a_search_killed_three_times_finishes_as_if_never_killed(
    database: tuple[str, str], sampler: str
) -> None:
    url, prefix = database
    n_trials = 6
    storage = SQLStorage(url, table_prefix=prefix)
    for kill_after in (2, 7, 12):  # folds recorded before the kill (of 18)
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
