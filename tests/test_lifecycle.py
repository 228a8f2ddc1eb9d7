"""The life of one search object: refits, resumes on a storage, limits and failures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import Float, Int, ScoutSearchCV, load_study
from scout_sklearn.exceptions import InvalidParameterError, StudyMismatch
from scout_sklearn.samplers import GridSampler


# -- timeout ----------------------------------------------------------------------
def test_an_infinite_timeout_is_no_limit_and_needs_an_end(iris, fit_spy):
    # timeout=inf with n_trials=None on an unbounded sampler ran forever; it is
    # refused as n_trials=None without a timeout is, before any fit.
    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": Float(0.1, 10.0)}, sampler="random", timeout=math.inf
    )
    with pytest.raises(InvalidParameterError, match=r"timeout=inf sets no limit"):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_an_infinite_timeout_on_a_grid_runs_the_grid_as_none_does(iris):
    X, y = iris
    grid = {"strategy": ["prior", "most_frequent", "stratified"]}
    search = ScoutSearchCV(
        DummyClassifier(random_state=0), grid, cv=3, timeout=math.inf
    ).fit(X, y)
    assert isinstance(search.study_.sampler, GridSampler)
    assert [p["strategy"] for p in search.cv_results_["params"]] == grid["strategy"]


# -- error_score across fits of one stored study ------------------------------------
def _negative_c_search(url, n_trials, error_score):
    # A negative C fails LogisticRegression's fit on every fold.
    return ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": [1.0, -1.0, 2.0]},
        sampler="grid",
        n_trials=n_trials,
        cv=3,
        error_score=error_score,
        storage=url,
        study_name="failing",
    )


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_error_score_raise_refuses_a_study_holding_scored_failures(iris, tmp_path):
    # A first run scored the failed fits with nan; resuming with 'raise' ran
    # the missing trials and then crashed with "could not convert string to
    # float: 'raise'" while building cv_results_.
    X, y = iris
    url = f"sqlite:///{tmp_path / 'failing.db'}"
    with pytest.warns(FitFailedWarning):
        _negative_c_search(url, 2, np.nan).fit(X, y)
    with pytest.raises(
        StudyMismatch,
        match=r"error_score='raise', but study 'failing'.*1 trials with a failed "
        r"fit \(trials \[1\]\)(.|\n)*Got -1.0 instead",
    ):
        _negative_c_search(url, 3, "raise").fit(X, y)
    assert len(load_study(url, "failing").trials) == 2  # refused before any fit
    # A number as error_score resumes it.
    with pytest.warns(FitFailedWarning):
        search = _negative_c_search(url, 3, 0.0).fit(X, y)
    assert search.cv_results_["mean_test_score"][1] == 0.0
    assert search.best_params_ == {"C": 1.0}


# -- ignore_fingerprint cannot mix fold layouts ------------------------------------
def _tree_search(url, n_trials, **kwargs):
    params = {
        "sampler": "random",
        "n_trials": n_trials,
        "cv": 3,
        "random_state": 0,
        "storage": url,
        "study_name": "tree",
        "ignore_fingerprint": True,
    }
    params.update(kwargs)
    return ScoutSearchCV(
        DecisionTreeClassifier(random_state=0), {"max_depth": Int(1, 6)}, **params
    )


@pytest.mark.parametrize("cv", [2, 4])
def test_the_override_refuses_trials_of_another_number_of_splits(iris, tmp_path, cv):
    # Fewer splits crashed with an IndexError after the new trials ran; more
    # gave the stored trials NaN means next to the new trials' scores.
    X, y = iris
    url = f"sqlite:///{tmp_path / 'tree.db'}"
    _tree_search(url, 2).fit(X, y)
    with pytest.raises(StudyMismatch, match=rf"scored on 3 CV splits.*cv has {cv}:"):
        _tree_search(url, 3, cv=cv).fit(X, y)
    assert len(load_study(url, "tree").trials) == 2


@pytest.mark.parametrize(
    ("scoring", "refit", "shown"),
    [
        (["accuracy", "f1_macro"], "accuracy", r"\['accuracy', 'f1_macro'\]"),
        ({"acc": "accuracy"}, "acc", r"\['acc'\]"),
    ],
)
def test_the_override_refuses_trials_of_other_metric_names(
    iris, tmp_path, scoring, refit, shown
):
    # One metric stored as "score", then several: a KeyError ('rank_test_accuracy')
    # after the new trials ran.
    X, y = iris
    url = f"sqlite:///{tmp_path / 'tree.db'}"
    _tree_search(url, 2).fit(X, y)
    with pytest.raises(StudyMismatch, match=rf"metrics \['score'\].*gives {shown}"):
        _tree_search(url, 3, scoring=scoring, refit=refit).fit(X, y)
    assert len(load_study(url, "tree").trials) == 2
    # The same metric names under another scorer is the override's to allow.
    resumed = _tree_search(url, 3, scoring="balanced_accuracy").fit(X, y)
    assert resumed.n_trials_ == 3


# -- return_train_score across fits of one stored study ------------------------------
@pytest.mark.filterwarnings("ignore:One or more of the train scores are non-finite")
def test_train_scores_a_resumed_study_never_computed_are_nan_and_said(iris, tmp_path):
    # They got error_score (0.0 here: a train score nobody measured) silently.
    X, y = iris
    url = f"sqlite:///{tmp_path / 'train.db'}"
    _tree_search(url, 2, error_score=0.0).fit(X, y)
    with pytest.warns(UserWarning, match=r"2 trials of study 'tree' \(trials \[0, 1\]\)"):
        search = _tree_search(url, 3, error_score=0.0, return_train_score=True).fit(X, y)
    results = search.cv_results_
    assert np.isnan(results["split0_train_score"][:2]).all()
    assert np.isnan(results["mean_train_score"][:2]).all()
    assert results["mean_train_score"][2] > 0.5  # the new trial's, measured
    # The test scores are untouched, and the best is among every trial.
    assert not np.isnan(results["mean_test_score"]).any()
    assert search.best_score_ == results["mean_test_score"].max()


# -- callbacks ------------------------------------------------------------------------
@pytest.mark.parametrize("storage", ["memory", "sqlite"])
def test_a_callback_changing_its_trial_in_place_leaves_the_results_alone(
    iris, tmp_path, storage
):
    # The callback got the study's own trial: cv_results_, best_params_ and the
    # refit took max_depth=99 (never evaluated, outside the space), and in
    # memory the fold scores it wrote as well.
    X, y = iris

    def tamper(study, trial):
        trial.params["max_depth"] = 99
        trial.fold_results[0].test_scores["score"] = 5.0

    url = None if storage == "memory" else f"sqlite:///{tmp_path / 'cb.db'}"
    search = _tree_search(url, 3, callbacks=[tamper]).fit(X, y)
    plain = _tree_search(None, 3).fit(X, y)
    assert search.cv_results_["params"] == plain.cv_results_["params"]
    assert 99 not in [p["max_depth"] for p in search.cv_results_["params"]]
    np.testing.assert_array_equal(
        search.cv_results_["split0_test_score"], plain.cv_results_["split0_test_score"]
    )
    assert search.best_params_ == plain.best_params_
    assert search.best_estimator_.max_depth == plain.best_params_["max_depth"]
    assert [t.params for t in search.study_.trials] == [
        t.params for t in plain.study_.trials
    ]
