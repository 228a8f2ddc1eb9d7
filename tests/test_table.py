"""The trials table: trial_rows on hand-built trials, and against a real search."""

from __future__ import annotations

import math
import re
import sys

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import FoldResult, Int, ScoutSearchCV, Trial, TrialState
from scout_sklearn._table import table_columns, trial_rows, trials_dataframe


def fold(
    k: int,
    score: float | None,
    *,
    rung: int = 0,
    fit_time: float = 1.0,
    score_time: float = 0.25,
    train: float | None = None,
    error: str | None = None,
) -> FoldResult:
    return FoldResult(
        fold=k,
        test_scores={} if score is None else {"score": score},
        train_scores=None if train is None else {"score": train},
        fit_time=fit_time,
        score_time=score_time,
        n_test_samples=50,
        rung=rung,
        error=error,
    )


def complete(number: int, params: dict[str, object], scores: list[float]) -> Trial:
    folds = tuple(fold(k, s) for k, s in enumerate(scores))
    return Trial(
        number=number,
        params=params,
        state=TrialState.COMPLETE,
        fold_results=folds,
        value=sum(scores) / len(scores),
        started_at=100.0,
        finished_at=102.5,
    )


def test_complete_trial_gives_means_population_std_times_and_duration() -> None:
    folds = (
        fold(0, 0.5, fit_time=1.0, score_time=0.5),
        fold(1, 0.75, fit_time=2.0, score_time=0.25),
        fold(2, 1.0, fit_time=3.0, score_time=0.75),
    )
    trial = Trial(0, {"C": 1.0}, TrialState.COMPLETE, folds, 0.75, 100.0, 102.5)

    (row,) = trial_rows([trial])

    assert row == {
        "number": 0,
        "state": "COMPLETE",
        "value": 0.75,
        "params_C": 1.0,
        "mean_test_score": 0.75,
        "std_test_score": pytest.approx(math.sqrt(0.125 / 3), abs=1e-15),
        "mean_fit_time": 2.0,
        "mean_score_time": 0.5,
        "n_folds": 3,
        "rung": 0,
        "resource": None,
        "started_at": 100.0,
        "finished_at": 102.5,
        # The folds' fit and score seconds, summed; not the 2.5 s between the
        # start and the finish (see trial_duration).
        "duration": 7.5,
    }
    # The population standard deviation, as numpy's default and cv_results_.
    assert row["std_test_score"] == pytest.approx(float(np.std([0.5, 0.75, 1.0])))
    assert list(row) == table_columns([row])


def test_failed_folds_are_left_out_of_scores_but_counted_and_timed() -> None:
    folds = (
        fold(0, 0.625, fit_time=1.0),
        # Scored, then failed (say, in the train score): still left out.
        fold(1, 0.0, fit_time=4.0, error="Traceback: ValueError"),
        fold(2, 0.875, fit_time=1.0),
    )
    failed = Trial(0, {"C": 1.0}, TrialState.FAILED, folds, None, 10.0, 16.0)
    all_failed = Trial(
        1,
        {"C": 2.0},
        TrialState.FAILED,
        (fold(0, None, error="boom"), fold(1, None, error="boom")),
        None,
        20.0,
        21.0,
    )

    first, second = trial_rows([failed, all_failed])

    assert first["state"] == "FAILED"
    assert first["value"] is None
    assert first["mean_test_score"] == 0.75
    assert first["std_test_score"] == 0.125
    assert first["n_folds"] == 3
    assert first["mean_fit_time"] == 2.0
    assert first["duration"] == 6.75  # every fold's fit and score, the failed one too
    assert second["mean_test_score"] is None
    assert second["std_test_score"] is None
    assert second["n_folds"] == 2
    assert second["mean_fit_time"] == 1.0


def test_pruned_trials_show_their_highest_rung_and_its_resource() -> None:
    ladder = [20, 60, 150]
    pruned = Trial(
        0,
        {"C": 0.5},
        TrialState.PRUNED,
        (
            fold(0, 0.25, rung=0),
            fold(1, 0.75, rung=0),
            fold(0, 0.5, rung=1, fit_time=3.0),
            fold(1, 1.0, rung=1, fit_time=5.0),
        ),
        None,
        0.0,
        1.0,
    )
    early = Trial(
        1,
        {"C": 8.0},
        TrialState.PRUNED,
        (fold(0, 0.125, rung=0), fold(1, 0.375, rung=0)),
        None,
        0.0,
        1.0,
    )
    no_fold = Trial(2, {"C": 1.0}, TrialState.RUNNING, (), None, 5.0, None)

    rows = trial_rows([pruned, early, no_fold], ladder=ladder)

    assert [(r["rung"], r["resource"], r["n_folds"]) for r in rows] == [
        (1, 60, 2),
        (0, 20, 2),
        (0, 20, 0),
    ]
    assert rows[0]["mean_test_score"] == 0.75
    assert rows[0]["std_test_score"] == 0.25
    assert rows[0]["mean_fit_time"] == 4.0
    assert rows[1]["mean_test_score"] == 0.25
    assert rows[2]["mean_test_score"] is None
    assert rows[2]["mean_fit_time"] is None
    # Without the ladder the rung is still known, the resource is not.
    without = trial_rows([pruned], ladder=None)[0]
    assert (without["rung"], without["resource"]) == (1, None)


def test_rungs_of_folds_add_up() -> None:
    # resource="folds": rung 0 ran fold 0, rung 1 added folds 1 and 2.
    trial = Trial(
        0,
        {"C": 1.0},
        TrialState.COMPLETE,
        (fold(0, 0.5, rung=0), fold(1, 0.75, rung=1), fold(2, 1.0, rung=1)),
        0.75,
        0.0,
        1.0,
    )

    (cumulative,) = trial_rows([trial], ladder=[1, 3], resource="folds")
    (per_rung,) = trial_rows([trial], ladder=[1, 3], resource="n_samples")

    assert (cumulative["mean_test_score"], cumulative["n_folds"]) == (0.75, 3)
    assert (cumulative["rung"], cumulative["resource"]) == (1, 3)
    assert (per_rung["mean_test_score"], per_rung["n_folds"]) == (0.875, 2)


def test_conditional_params_are_the_union_and_missing_ones_are_none() -> None:
    linear = complete(0, {"kernel": "linear"}, [0.5, 0.5])
    rbf = complete(1, {"kernel": "rbf", "gamma": 0.25}, [0.75, 0.75])
    degree = complete(2, {"kernel": "poly", "degree": 3}, [0.25, 0.25])

    rows = trial_rows([linear, rbf, degree])

    params = [c for c in rows[0] if c.startswith("params_")]
    assert params == ["params_degree", "params_gamma", "params_kernel"]
    assert [[r[p] for p in params] for r in rows] == [
        [None, None, "linear"],
        [None, 0.25, "rbf"],
        [3, None, "poly"],
    ]
    assert all(list(r) == list(rows[0]) for r in rows)


def test_train_scores_get_columns_only_when_recorded() -> None:
    with_train = Trial(
        0,
        {"C": 1.0},
        TrialState.COMPLETE,
        (fold(0, 0.5, train=0.75), fold(1, 0.75, train=1.0)),
        0.625,
        0.0,
        1.0,
    )
    without_train = complete(1, {"C": 2.0}, [0.5, 0.5])

    rows = trial_rows([with_train, without_train])

    assert rows[0]["mean_train_score"] == 0.875
    assert rows[0]["std_train_score"] == 0.125
    assert rows[1]["mean_train_score"] is None
    assert rows[1]["std_train_score"] is None
    assert "mean_train_score" not in trial_rows([without_train])[0]


def test_running_trial_has_no_value_finish_or_duration() -> None:
    running = Trial(
        4,
        {"C": 1.0},
        TrialState.RUNNING,
        (fold(1, 0.5),),
        None,
        started_at=50.0,
        owner="host:1:abc",
        lease_until=110.0,
    )

    (row,) = trial_rows([running])

    assert row["state"] == "RUNNING"
    assert row["value"] is None
    assert row["started_at"] == 50.0
    assert row["finished_at"] is None
    assert row["duration"] is None
    assert (row["n_folds"], row["mean_test_score"]) == (1, 0.5)


def test_rows_come_in_number_order_with_metrics_in_scoring_order() -> None:
    def scored(number: int) -> Trial:
        folds = (
            FoldResult(0, {"recall": 0.5, "accuracy": 0.25}, None, 1.0, 1.0, 10),
            FoldResult(1, {"recall": 1.0, "accuracy": 0.75}, None, 1.0, 1.0, 10),
        )
        return Trial(number, {"C": float(number)}, TrialState.COMPLETE, folds, 0.75)

    rows = trial_rows([scored(2), scored(0), scored(1)])

    assert [r["number"] for r in rows] == [0, 1, 2]
    metrics = [c for c in rows[0] if c.startswith(("mean_test_", "std_test_"))]
    assert metrics == [
        "mean_test_recall",
        "std_test_recall",
        "mean_test_accuracy",
        "std_test_accuracy",
    ]
    assert (rows[0]["mean_test_recall"], rows[0]["mean_test_accuracy"]) == (0.75, 0.5)


def test_numpy_numbers_come_out_as_python_numbers() -> None:
    folds = (
        fold(0, 0.5),
        FoldResult(1, {"score": np.float64(0.75)}, None, np.float64(1.0), 0.5, 10),
    )
    trial = Trial(
        np.int64(3),
        {"C": np.float64(0.5), "depth": np.int64(4), "kind": "a"},
        TrialState.COMPLETE,
        folds,
        np.float64(0.625),
        started_at=np.float64(1.0),
        finished_at=2.0,
    )

    (row,) = trial_rows([trial])

    assert type(row["number"]) is int
    assert type(row["params_C"]) is float
    assert type(row["params_depth"]) is int
    assert row["params_kind"] == "a"
    for key in (
        "value",
        "mean_test_score",
        "std_test_score",
        "mean_fit_time",
        "started_at",
    ):
        assert type(row[key]) is float, key
    assert row["mean_test_score"] == 0.625


def test_no_trials_give_no_rows_and_the_fixed_columns() -> None:
    assert trial_rows([]) == []
    columns = table_columns([])
    assert columns[:3] == ["number", "state", "value"]
    assert "duration" in columns


def test_dataframe_has_number_column_and_utc_times() -> None:
    pd = pytest.importorskip("pandas")
    trials = [
        complete(0, {"C": 1.0}, [0.5, 1.0]),
        Trial(1, {"C": 2.0}, TrialState.RUNNING, (), None, started_at=86400.0),
    ]

    frame = trials_dataframe(trials)

    assert list(frame.columns) == list(trial_rows(trials)[0])
    assert frame["number"].tolist() == [0, 1]
    assert frame.index.tolist() == [0, 1]
    for column in ("started_at", "finished_at"):
        dtype = frame[column].dtype
        assert isinstance(dtype, pd.DatetimeTZDtype), column
        assert str(dtype.tz) == "UTC"
    assert frame.loc[1, "started_at"] == pd.Timestamp("1970-01-02", tz="UTC")
    assert frame.loc[0, "finished_at"] == pd.Timestamp(102.5, unit="s", tz="UTC")
    assert pd.isna(frame.loc[1, "finished_at"])
    assert frame.loc[0, "mean_test_score"] == 0.75
    assert math.isnan(frame.loc[1, "value"])
    assert frame.loc[0, "duration"] == 2.5


def test_dataframe_without_trials_has_the_fixed_columns() -> None:
    pytest.importorskip("pandas")
    frame = trials_dataframe([])
    assert frame.empty
    assert list(frame.columns) == table_columns([])


def test_dataframe_without_pandas_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match=r'pip install "scout-sklearn\[pandas\]"'):
        trials_dataframe([complete(0, {"C": 1.0}, [0.5])])


def test_rows_of_a_real_pruned_search_match_its_cv_results(
    iris: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = iris
    search = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Int(1, 6), "min_samples_leaf": Int(1, 10)},
        n_trials=9,
        sampler="random",
        cv=3,
        random_state=0,
        pruner="successive_halving",
        storage="sqlite://",
    ).fit(X, y)
    pruning = search.study_.fingerprint["pruning"]

    rows = trial_rows(search.study_.trials, ladder=pruning["ladder"])

    results = search.cv_results_
    assert [r["number"] for r in rows] == results["trial_number"].tolist()
    assert {r["state"] for r in rows} == {"COMPLETE", "PRUNED"}
    assert [r["state"] for r in rows] == results["state"].tolist()
    assert [r["resource"] for r in rows] == results["n_resources"].tolist()
    for key in ("mean_test_score", "std_test_score", "mean_fit_time"):
        assert [r[key] for r in rows] == pytest.approx(results[key].tolist(), abs=1e-12)
    assert [r["params_max_depth"] for r in rows] == [
        p["max_depth"] for p in results["params"]
    ]


def test_duration_of_an_interrupted_and_resumed_trial_leaves_out_the_dead_time(
    iris, fast_clf, tmp_path, capsys
) -> None:
    # Trial 0 is cut by a timeout after some of its 4 folds (0.25 s each),
    # nothing runs for a second (the process "dead"), then a resumed fit runs
    # its missing folds. Its duration is the seconds its folds took, the same
    # figure in trials_dataframe(), the CLI's table and export, and the report.
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    import json
    import time

    from sklearn.base import clone

    from scout_sklearn import load_study
    from scout_sklearn.cli import main
    from scout_sklearn.report import write_report

    X, y = iris
    url = f"sqlite:///{tmp_path / 'd.db'}"
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.25),
        {"a": [0.3]},
        timeout=0.6,
        cv=4,
        refit=False,
        storage=url,
        study_name="cut",
    )
    with pytest.raises(ValueError, match="No trial finished"):
        search.fit(X, y)
    time.sleep(1.0)
    resumed = search.set_params(timeout=None).fit(X, y)
    trial = load_study(url, "cut").trials[0]
    assert trial.state is TrialState.COMPLETE
    work = math.fsum(f.fit_time + f.score_time for f in trial.fold_results)
    assert trial.finished_at - trial.started_at > work + 0.9  # the dead second

    assert resumed.trials_dataframe().loc[0, "duration"] == work
    assert main(["export", url, "cut", "--format", "json"]) == 0
    (exported,) = json.loads(capsys.readouterr().out)
    assert exported["duration"] == work
    assert main(["trials", url, "cut"]) == 0
    header, row = capsys.readouterr().out.splitlines()
    assert row.split()[header.split().index("duration")] == f"{work:.6g}"
    page = write_report(load_study(url, "cut"), tmp_path / "r.html").read_text("utf-8")
    columns = re.findall(r'<th scope="col">([^<]*)</th>', page)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", page.split('id="best-trial"')[1])
    assert cells[columns.index("duration")] == f"{work:.6g}"
