"""Plots, reports and the command line on studies with odd content.

A study can hold only RUNNING trials (its search was killed), only FAILED
ones, no trial at all, or COMPLETE trials whose scores are all NaN; what a
plot says it cannot draw must fit the study it was given.
"""

from __future__ import annotations

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from scout_sklearn import Float, ScoutSearchCV, Study, TrialState
from scout_sklearn.plotting import plot_optimization_history, plot_slice
from scout_sklearn.report import write_report


def test_only_running_trials_say_to_wait_not_to_look_at_failures() -> None:
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    study.ask()
    with pytest.raises(ValueError, match=r"\(1 RUNNING\)") as info:
        plot_slice(study)
    message = str(info.value)
    assert "failed trials" not in message
    assert "Wait for the RUNNING trials" in message


def test_no_trial_at_all_says_to_run_trials() -> None:
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    with pytest.raises(ValueError, match=r"no trial at all\)\. Run more trials\.$"):
        plot_optimization_history(study)


def test_failed_trials_still_point_at_their_errors() -> None:
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    study.tell(study.ask().number, state=TrialState.FAILED)
    study.ask()
    with pytest.raises(ValueError, match=r"1 RUNNING, 1 FAILED.*fold_results"):
        plot_slice(study)


def test_complete_trials_that_all_scored_nan_name_the_scorer() -> None:
    X, y = load_iris(return_X_y=True)
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": [0.1, 1.0]},
        scoring=lambda estimator, X, y: math.nan,
        sampler="grid",
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert [t.state for t in search.study_.trials] == [TrialState.COMPLETE] * 2
    with pytest.raises(ValueError, match=r"\(2 COMPLETE\)") as info:
        plot_slice(search)
    assert "scored NaN or an infinity" in str(info.value)
    assert "failed trials" not in str(info.value)


def test_report_shows_a_best_param_set_to_none_as_none(tmp_path) -> None:
    X, y = load_iris(return_X_y=True)
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": [0.5, 1.0], "class_weight": [None]},
        sampler="grid",
        cv=2,
    ).fit(X, y)
    assert search.best_params_["class_weight"] is None
    page = write_report(search, tmp_path / "report.html").read_text(encoding="utf-8")
    best = page.split('<ul id="best-params">', 1)[1].split("</ul>", 1)[0]
    assert "<code>class_weight</code> = <code>None</code>" in best
