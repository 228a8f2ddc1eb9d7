"""The dashboard's JSON on studies of odd shapes: conditional spaces, failed trials."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from dashboard.test_api import api, get
from scout_sklearn import Float, FoldResult, ScoutSearchCV, Study, TrialState
from scout_sklearn.storage import SQLStorage


def _no_bare_constants(body: bytes) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"bare {token} in JSON")

    return json.loads(body, parse_constant=refuse)


def test_estimator_choice_study_shows_every_sub_space(
    tmp_path: Path, start_dashboard: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'choice.db'}"
    space = [
        {"clf": [DecisionTreeClassifier(random_state=0)], "clf__max_depth": [None, 2]},
        {"clf": [LogisticRegression(max_iter=200)], "clf__C": Float(0.01, 10, log=True)},
    ]
    pipe = Pipeline([("sc", StandardScaler()), ("clf", LogisticRegression())])
    search = ScoutSearchCV(
        pipe, space, n_trials=8, cv=3, random_state=0, refit=False, study_name="choice"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.set_params(storage=SQLStorage(url)).fit(*load_iris(return_X_y=True))
    chosen = {type(e).__name__ for e in search.cv_results_["param_clf"]}
    assert chosen == {"DecisionTreeClassifier", "LogisticRegression"}  # both were tried

    server = start_dashboard(SQLStorage(url, read_only=True))
    meta = api(server.url, "/api/study", name="choice")["meta"]
    clf = next(p for p in meta["params"] if p["name"] == "clf")
    # Both sub-spaces' estimators, so that each trial has its place on an axis.
    assert clf["choices"] == [
        "DecisionTreeClassifier(random_state=0)",
        "LogisticRegression(max_iter=200)",
    ]

    page = api(server.url, "/api/study/table", name="choice", sort="number", order="asc")
    columns = page["columns"]
    # Every param of any trial, not the first trial's only (as cv_results_).
    assert {"params_clf", "params_clf__C", "params_clf__max_depth"} <= set(columns)
    assert columns.index("params_clf__max_depth") < columns.index("mean_test_score")
    for row in page["rows"]:
        cells = dict(zip(columns, row))
        if cells["params_clf"].startswith("Logistic"):
            assert isinstance(cells["params_clf__C"], float)
            assert cells["params_clf__max_depth"] is None  # absent: null
        else:
            assert cells["params_clf__C"] is None
            assert cells["params_clf__max_depth"] in ("None", 2)  # None is a value


def test_table_of_a_study_whose_first_trial_failed_keeps_its_scores(
    tmp_path: Path, start_dashboard: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'failed.db'}"
    storage = SQLStorage(url)
    study = Study({"x": Float(0.0, 1.0)}, storage=storage, name="first failed", seed=0)
    failed = study.ask().number
    study.record(failed, FoldResult(0, {}, None, 0.1, 0.0, 10, error="ValueError: x"))
    study.tell(failed, None, state=TrialState.FAILED)
    for score in (0.5, math.nan, math.inf):
        number = study.ask().number
        study.record(number, FoldResult(0, {"score": score}, None, 0.1, 0.0, 10))
        study.tell(number, score)

    server = start_dashboard(SQLStorage(url, read_only=True))
    status, _, body = get(
        server.url.rstrip("/") + "/api/study/table?name=first+failed&sort=mean_test_score"
    )
    assert status == 200
    page = _no_bare_constants(body)
    columns = page["columns"]
    assert "mean_test_score" in columns  # trial 0 has no score; the others do
    by_number = {row[0]: dict(zip(columns, row)) for row in page["rows"]}
    assert by_number[1]["mean_test_score"] == 0.5
    assert by_number[0]["mean_test_score"] is None
    assert by_number[0]["value"] is None  # no value: null, not the text "None"
    assert page["sort"] == "mean_test_score"
    # +inf above 0.5; the NaN score and the failed trial's none after both.
    assert [row[0] for row in page["rows"]][:2] == [3, 1]
    assert {row[0] for row in page["rows"][2:]} == {0, 2}
