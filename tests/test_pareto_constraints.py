"""Several objectives with ``constraints``: infeasible trials never enter the front."""

from __future__ import annotations

import re

import numpy as np
import pytest
from test_multiobjective import OBJECTIVES, SCORING
from test_multiobjective import _search as _unconstrained

from scout_sklearn import ScoutSearchCV, load_study
from scout_sklearn.exceptions import InvalidParameterError, StudyMismatch
from scout_sklearn.samplers import MOTPESampler, NSGAIISampler


def _search(**kwargs):
    """test_multiobjective's search (same space, scorers and objectives), constrained."""
    params = {"n_trials": 24, "constraints": {"n_leaves": (">=", 6.0)}}
    params.update(kwargs)
    return _unconstrained(**params)


def test_infeasible_trials_never_enter_the_front(breast_cancer):
    X, y = breast_cancer
    search = _search().fit(X, y)
    results = search.cv_results_
    feasible = results["mean_test_n_leaves"] >= 6.0
    np.testing.assert_array_equal(results["is_feasible"], feasible)
    assert feasible.any()
    assert not feasible.all()  # the bound cuts the front of small trees
    assert results["is_feasible"][search.pareto_front_].all()
    assert (results["pareto_rank"][~feasible] == results["pareto_rank"].max()).all()
    assert results["is_feasible"][search.best_index_]
    # The unconstrained search's front holds the trees the bound excludes.
    free = _search(constraints=None).fit(X, y)
    assert "is_feasible" not in free.cv_results_
    assert (free.cv_results_["mean_test_n_leaves"][free.pareto_front_] < 6.0).any()


@pytest.mark.parametrize("sampler_class", [NSGAIISampler, MOTPESampler])
def test_the_sampler_is_told_the_constraints(breast_cancer, sampler_class):
    X, y = breast_cancer
    search = _search(n_trials=4, refit=False).fit(X, y)
    assert search.study_.sampler.constraints == {"n_leaves": (">=", 6.0)}
    mine = sampler_class()
    search = _search(n_trials=4, sampler=mine, refit=False).fit(X, y)
    assert mine.constraints is None
    assert search.study_.sampler.constraints == {"n_leaves": (">=", 6.0)}


def test_no_feasible_trial_is_a_clear_error(breast_cancer):
    X, y = breast_cancer
    search = _search(n_trials=3, constraints={"accuracy": (">=", 1.5)})
    with pytest.raises(ValueError, match="within the constraints: there is no Pareto"):
        search.fit(X, y)
    search = _search(n_trials=3, constraints={"accuracy": (">=", 1.5)}, refit=False)
    results = search.fit(X, y).cv_results_
    assert not results["is_feasible"].any()
    assert not results["is_pareto"].any()
    assert len(search.pareto_front_) == 0


@pytest.mark.parametrize(("kwargs", "message"), [
    (
        {"constraints": [("n_leaves", "<=", 3)]},
        "The 'constraints' parameter of ScoutSearchCV must be a dict {metric: "
        "(operator, threshold)} or None. Got [('n_leaves', '<=', 3)] instead.",
    ),
    (
        {"constraints": {}},
        "The 'constraints' parameter of ScoutSearchCV must be None or a non-empty "
        "dict of metric to (operator, threshold)",
    ),
    (
        {"constraints": {"recall": ("<=", 3)}},
        "The 'constraints' parameter of ScoutSearchCV constrains 'recall', which is "
        "neither a metric of scoring nor a built-in measure. Allowed: ['accuracy', "
        "'n_leaves', 'fit_time', 'score_time'].",
    ),
    (
        {"constraints": {"n_leaves": ("<", 3)}},
        "The 'constraints' parameter of ScoutSearchCV gives 'n_leaves' the bound "
        "('<', 3); a bound is a pair (operator, threshold) with the operator one of "
        "['<=', '>=']",
    ),
    (
        {"constraints": {"n_leaves": 3}},
        "gives 'n_leaves' the bound 3; a bound is a pair (operator, threshold)",
    ),
    (
        {"constraints": {"n_leaves": ("<=", "3")}},
        "gives 'n_leaves' the bound ('<=', '3'); a bound is a pair",
    ),
    (
        {"constraints": {"fit_time": ("<=", float("inf"))}},
        "gives 'fit_time' the threshold inf; a threshold is a finite real number.",
    ),
    (
        {"objectives": "accuracy", "refit": "accuracy"},
        "The 'constraints' parameter of ScoutSearchCV is {'n_leaves': ('>=', 6.0)}, "
        "but objectives='accuracy' is not a dict of several objectives",
    ),
    (
        {"sampler": NSGAIISampler(constraints={"n_leaves": ("<=", 1.0)})},
        "whose constraints differ from the search's {'n_leaves': ('>=', 6.0)}",
    ),
])  # fmt: skip
def test_bad_constraints_are_refused_before_any_fit(iris, fit_spy, kwargs, message):
    X, y = iris
    params = {
        "scoring": SCORING,
        "objectives": OBJECTIVES,
        "refit": "knee",
        "constraints": {"n_leaves": (">=", 6.0)},
    }
    params.update(kwargs)
    search = ScoutSearchCV(fit_spy, {"C": [1.0, 2.0]}, n_trials=2, cv=2, **params)
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_a_stored_study_refuses_other_constraints(breast_cancer, tmp_path):
    X, y = breast_cancer
    url = f"sqlite:///{tmp_path / 'constrained.db'}"
    kwargs = {"storage": url, "study_name": "c", "n_trials": 3, "refit": False}
    _search(**kwargs).fit(X, y)
    stored = load_study(url, "c").fingerprint
    assert stored["constraints"] == {"n_leaves": [">=", 6.0]}
    # The same bound resumes, however it is written (an int threshold, a list).
    _search(**{**kwargs, "n_trials": 4, "constraints": {"n_leaves": [">=", 6]}}).fit(X, y)
    assert len(load_study(url, "c").trials) == 4
    message = (
        "constraints changed (constraints: stored {'n_leaves': ['>=', 6.0]}, now "
        "{'n_leaves': ['>=', 7.0]})"
    )
    with pytest.raises(StudyMismatch, match=re.escape(message)):
        _search(**{**kwargs, "constraints": {"n_leaves": (">=", 7.0)}}).fit(X, y)
    with pytest.raises(StudyMismatch, match=r"constraints changed"):
        _search(**{**kwargs, "constraints": None}).fit(X, y)
    assert len(load_study(url, "c").trials) == 4  # nothing ran after a refusal


def test_a_study_stored_without_constraints_resumes_without_them(breast_cancer, tmp_path):
    X, y = breast_cancer
    url = f"sqlite:///{tmp_path / 'free.db'}"
    kwargs = {"storage": url, "study_name": "free", "constraints": None, "refit": False}
    _search(**kwargs, n_trials=3).fit(X, y)
    assert "constraints" not in load_study(url, "free").fingerprint
    _search(**kwargs, n_trials=4).fit(X, y)
    assert len(load_study(url, "free").trials) == 4
    with pytest.raises(StudyMismatch, match=r"constraints changed"):
        _search(**{**kwargs, "constraints": {"n_leaves": (">=", 6.0)}}).fit(X, y)
