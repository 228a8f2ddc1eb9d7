"""Which metric the sampler optimises with several metrics: ``objectives``.

Each trial's value (what the sampler maximises, what pruners compare, what
``study_.best_trial`` and the progress bar show) is the mean test score of
one metric: ``objectives`` when given, else refit's metric when refit names
one, else the first metric of ``scoring``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, make_scorer
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import Int, ScoutSearchCV, load_study
from scout_sklearn.exceptions import InvalidParameterError, StudyMismatch

# Trees: fits of a millisecond with no BLAS threads to fight over.
SPACE = {"max_depth": Int(1, 8), "min_samples_leaf": Int(1, 40)}
TWO = ["accuracy", "neg_log_loss"]


def _search(**kwargs):
    params = {"n_trials": 6, "cv": 3, "random_state": 0, "sampler": "random"}
    params.update(kwargs)
    return ScoutSearchCV(DecisionTreeClassifier(random_state=0), SPACE, **params)


def _values(search):
    return np.array([t.value for t in search.study_.trials])


@pytest.mark.parametrize("refit", [False, "accuracy", lambda results: 0])
def test_objectives_names_the_metric_the_trials_are_valued_by(iris, refit):
    X, y = iris
    search = _search(scoring=TWO, refit=refit, objectives="neg_log_loss").fit(X, y)
    results = search.cv_results_
    np.testing.assert_allclose(_values(search), results["mean_test_neg_log_loss"])
    assert not np.allclose(_values(search), results["mean_test_accuracy"])
    best = search.study_.best_trial
    assert best.value == max(results["mean_test_neg_log_loss"])


def test_without_objectives_refit_false_values_trials_by_the_first_metric(iris):
    # The documented default: refit names no metric, so the first one counts.
    X, y = iris
    search = _search(scoring=["neg_log_loss", "accuracy"], refit=False).fit(X, y)
    expected = search.cv_results_["mean_test_neg_log_loss"]
    np.testing.assert_allclose(_values(search), expected)
    search = _search(scoring=TWO, refit="neg_log_loss").fit(X, y)
    expected = search.cv_results_["mean_test_neg_log_loss"]
    np.testing.assert_allclose(_values(search), expected)


def test_objectives_may_name_the_one_metric_of_a_single_scoring(iris):
    X, y = iris
    search = _search(scoring="accuracy", objectives="accuracy").fit(X, y)
    np.testing.assert_allclose(_values(search), search.cv_results_["mean_test_score"])


def test_objectives_with_a_callable_returning_several_metrics(iris):
    X, y = iris

    def scores(estimator, X, y):
        predicted = estimator.predict(X)
        return {
            "acc": accuracy_score(y, predicted),
            "f1": f1_score(y, predicted, average="macro"),
        }

    search = _search(scoring=scores, refit=False, objectives="f1").fit(X, y)
    np.testing.assert_allclose(_values(search), search.cv_results_["mean_test_f1"])


def test_a_callable_scoring_without_the_objective_fails_at_its_first_scores(iris, fit_spy):
    # A callable's metric names are known once it has scored a fold.
    X, y = iris

    def scores(estimator, X, y):
        return {"acc": 1.0, "other": 0.0}

    search = ScoutSearchCV(
        fit_spy, {"C": [1.0, 2.0]}, cv=2, scoring=scores, refit=False, objectives="f1"
    )
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'objectives' parameter of ScoutSearchCV names the metric 'f1', but "
            "the callable scoring returned the metrics ['acc', 'other']."
        ),
    ):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 1  # stopped at the first fold


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"scoring": TWO, "refit": False, "objectives": "f1"},
            "The 'objectives' parameter of ScoutSearchCV names the metric 'f1', which "
            "is not in scoring: the metrics are ['accuracy', 'neg_log_loss']. Name one "
            "of them.",
        ),
        (
            {"scoring": "accuracy", "objectives": "f1"},
            "The 'objectives' parameter of ScoutSearchCV names the metric 'f1', but "
            "scoring='accuracy' scores only that one metric. Leave objectives=None, or "
            "score several metrics, e.g. scoring=['accuracy', 'f1'].",
        ),
        (
            {"objectives": "f1"},
            "The 'objectives' parameter of ScoutSearchCV names the metric 'f1', but "
            "scoring=None scores only the estimator's score method. Leave "
            "objectives=None, or score several metrics, e.g. scoring=['f1', ...].",
        ),
        (
            # A dict is a multi-objective search (tests/test_multiobjective.py):
            # one entry is refused, naming the str to give instead.
            {"scoring": TWO, "refit": False, "objectives": {"accuracy": "maximize"}},
            "The 'objectives' parameter of ScoutSearchCV is a dict of 1 objective(s): "
            "{'accuracy': 'maximize'}. A dict names 2 or 3 objectives (a Pareto "
            "front); for one, give its name as a str, e.g. objectives='accuracy'.",
        ),
        (
            {"scoring": TWO, "refit": False, "objectives": ["accuracy"]},
            "Got ['accuracy'] instead.",
        ),
    ],
)
def test_bad_objectives_are_refused_before_any_fit(iris, fit_spy, kwargs, message):
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0, 2.0]}, cv=2, **kwargs)
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_a_stored_study_remembers_its_objective(iris, tmp_path):
    # Resuming with another objective would mix values of two metrics.
    X, y = iris
    url = f"sqlite:///{tmp_path / 'o.db'}"
    kwargs = {"scoring": TWO, "refit": False, "storage": url, "study_name": "o"}
    _search(objectives="neg_log_loss", **kwargs).fit(X, y)
    assert load_study(url, "o").fingerprint["objective"] == "neg_log_loss"
    with pytest.raises(StudyMismatch, match=r"objective changed .*'neg_log_loss'.*'acc"):
        _search(objectives="accuracy", n_trials=8, **kwargs).fit(X, y)
    _search(objectives="neg_log_loss", n_trials=8, **kwargs).fit(X, y)


def test_the_log_lines_name_the_objective_of_a_multi_metric_search(iris, caplog):
    import logging

    X, y = iris
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    _search(scoring=TWO, refit=False, objectives="neg_log_loss", verbose=1).fit(X, y)
    messages = [r.getMessage() for r in caplog.records]
    (start,) = [m for m in messages if m.startswith("Searching")]
    assert start.endswith(
        "; each trial's value is its mean test neg_log_loss (negated: higher is better)"
    )
    (best,) = [m for m in messages if m.startswith("Best trial")]
    assert re.match(
        r"Best trial \d+ \(the highest value; refit=False\): mean test neg_log_loss -",
        best,
    )


def test_plots_and_the_cli_read_the_objective(iris, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from scout_sklearn.cli import main
    from scout_sklearn.plotting import plot_optimization_history

    X, y = iris
    url = f"sqlite:///{tmp_path / 'p.db'}"
    scoring = make_scorer_dict()
    search = _search(
        scoring=scoring, refit=False, objectives="f1", storage=url, study_name="p"
    ).fit(X, y)
    for source in (search, load_study(url, "p")):
        assert "mean test f1" in plot_optimization_history(source).get_ylabel()
    assert main(["best", url, "p"]) == 0
    assert "metric: f1 (higher is better)" in capsys.readouterr().out.splitlines()


def make_scorer_dict():
    # Both metrics score the same on these trials' folds (balanced iris), so
    # only the stored objective can tell which one the values are.
    return {
        "acc": make_scorer(accuracy_score),
        "f1": make_scorer(f1_score, average="micro"),
    }
