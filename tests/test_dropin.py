"""Code written for GridSearchCV or RandomizedSearchCV runs unchanged on ScoutSearchCV.

Each case here failed scikit-learn's own search tests (tests/sklearn_port)
before it was fixed; these tests hold it in our suite too.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_validate,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from test_search import assert_same_search

from scout_sklearn import ScoutSearchCV
from scout_sklearn.exceptions import InvalidParameterError

GRID = {"C": [0.1, 1.0, 10.0], "kernel": ["linear", "rbf"]}


# -- param_grid and param_distributions --------------------------------------------
def test_param_grid_keyword_runs_as_on_gridsearchcv(iris):
    X, y = iris
    theirs = GridSearchCV(estimator=SVC(), param_grid=GRID, cv=3).fit(X, y)
    ours = ScoutSearchCV(estimator=SVC(), param_grid=GRID, cv=3).fit(X, y)
    assert_same_search(ours, theirs, X)


def test_both_names_and_the_positional_argument_give_the_same_search(iris):
    X, y = iris
    searches = [
        ScoutSearchCV(SVC(), GRID, cv=3),
        ScoutSearchCV(SVC(), param_grid=GRID, cv=3),
        ScoutSearchCV(estimator=SVC(), param_distributions=GRID, cv=3),
    ]
    results = [s.fit(X, y).cv_results_ for s in searches]
    for other in results[1:]:
        assert other["params"] == results[0]["params"]
        np.testing.assert_array_equal(
            other["mean_test_score"], results[0]["mean_test_score"]
        )


def test_get_params_lists_both_names_and_clone_keeps_the_one_given():
    search = ScoutSearchCV(SVC(), param_grid=GRID, cv=3)
    params = search.get_params(deep=False)
    assert params["param_grid"] is GRID
    assert params["param_distributions"] is None
    copy = clone(search)
    assert copy.param_grid == GRID
    assert copy.param_distributions is None
    assert "param_grid=" in repr(search)
    assert "param_distributions" not in repr(search)
    assert "param_grid" in search._repr_html_()
    positional = clone(ScoutSearchCV(SVC(), GRID))
    assert positional.param_distributions == GRID
    assert positional.param_grid is None


def test_set_params_switches_names_and_both_set_is_refused_at_fit(iris):
    X, y = iris
    search = ScoutSearchCV(SVC(), param_grid=GRID, cv=3)
    search.set_params(param_grid=None, param_distributions={"C": [1.0]}).fit(X, y)
    assert search.cv_results_["params"] == [{"C": 1.0}]
    both = ScoutSearchCV(SVC(), {"C": [1.0]}, param_grid={"C": [2.0]}, cv=3)
    with pytest.raises(
        InvalidParameterError, match=r"got both param_grid=.* give only one"
    ):
        both.fit(X, y)
    assert not hasattr(both, "cv_results_")


# -- GridSearchCV(estimator, {}) ------------------------------------------------------
def test_an_empty_grid_cross_validates_the_defaults_and_refits(iris):
    X, y = iris
    estimator = make_pipeline(StandardScaler(), LogisticRegression())
    theirs = GridSearchCV(estimator, {}, cv=3).fit(X, y)
    ours = ScoutSearchCV(estimator, {}, cv=3).fit(X, y)
    assert_same_search(ours, theirs, X)
    assert ours.cv_results_["params"] == [{}]
    assert ours.best_params_ == {}
    expected = cross_validate(estimator, X, y, cv=3)["test_score"].mean()
    assert ours.best_score_ == pytest.approx(expected)
    assert ours.n_trials_ == 1


@pytest.mark.parametrize("sampler", ["random", "tpe", "gp", "qmc", "annealing"])
def test_an_empty_grid_is_one_trial_for_any_sampler(iris, sampler):
    X, y = iris
    search = ScoutSearchCV(LogisticRegression(), {}, sampler=sampler, n_trials=3, cv=3)
    with pytest.warns(UserWarning, match="more than the 1 distinct params"):
        search.fit(X, y)
    assert search.cv_results_["params"] == [{}]


def test_a_conditional_space_may_hold_an_empty_dict(iris):
    X, y = iris
    grid = [{}, {"C": [0.1, 10.0]}]
    theirs = GridSearchCV(LogisticRegression(), grid, cv=3).fit(X, y)
    ours = ScoutSearchCV(LogisticRegression(), grid, cv=3).fit(X, y)
    assert_same_search(ours, theirs, X)


# -- refit with one metric ----------------------------------------------------------
@pytest.mark.parametrize("refit", ["accuracy", "recall", "anything"])
def test_any_truthy_refit_with_one_metric_refits_on_it(breast_cancer, refit):
    # GridSearchCV treats refit as a bool when one metric is scored.
    X, y = breast_cancer
    grid = {"logisticregression__C": [0.01, 1.0, 100.0]}
    estimator = make_pipeline(StandardScaler(), LogisticRegression())
    kwargs = {"scoring": "recall", "refit": refit, "cv": 3}
    theirs = GridSearchCV(estimator, grid, **kwargs).fit(X, y)
    ours = ScoutSearchCV(estimator, grid, **kwargs).fit(X, y)
    assert_same_search(ours, theirs, X)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y))


# -- parameters set_params takes but get_params does not list -------------------------
class _OpenClassifier(ClassifierMixin, BaseEstimator):
    """Takes any parameter in set_params; lists only ``shift`` (as skorch's module__*)."""

    def __init__(self, shift=0.0):
        self.shift = shift

    def set_params(self, **params):
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.fitted_extra_ = getattr(self, "extra", None)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y):
        return float(getattr(self, "extra", 0))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_parameter_only_set_params_accepts_is_searched(iris, n_jobs):
    X, y = iris
    pipeline = Pipeline([("scale", StandardScaler()), ("clf", _OpenClassifier())])
    assert "clf__extra" not in pipeline.get_params()
    search = ScoutSearchCV(pipeline, {"clf__extra": [1, 3, 2]}, cv=3, n_jobs=n_jobs)
    search.fit(X, y)
    assert search.best_params_ == {"clf__extra": 3}
    assert search.best_estimator_[-1].fitted_extra_ == 3


def test_a_name_set_params_refuses_is_an_error_naming_it_before_any_fit(iris):
    X, y = iris
    pipeline = Pipeline([("scale", StandardScaler()), ("svc", SVC())])
    with pytest.raises(
        InvalidParameterError,
        match=r"param_grid names 'svc__gama', which is not a parameter of Pipeline\. "
        r"Did you mean 'svc__gamma'.*Pipeline\.set_params refuses 'svc__gama' too",
    ) as info:
        ScoutSearchCV(pipeline, param_grid={"svc__gama": [0.1]}, cv=3).fit(X, y)
    assert isinstance(info.value.__cause__, ValueError)
    assert not hasattr(pipeline[-1], "support_")  # nothing was fitted


# -- sampler="random" with a budget that covers a grid of lists -----------------------
@pytest.mark.parametrize("extra", [0, 3])
def test_random_search_covering_the_grid_runs_it_in_grid_order(iris, extra):
    # RandomizedSearchCV's ParameterSampler returns the whole grid in grid
    # order when n_iter >= its size: the same trials as GridSearchCV's.
    X, y = iris
    grid = [{"kernel": ["linear"], "C": [0.1, 1.0]}, {"kernel": ["rbf"], "C": [1.0, 10.0]}]
    n_iter = 4 + extra
    kwargs = {"cv": 3, "random_state": 0}
    randomized = RandomizedSearchCV(SVC(), grid, n_iter=n_iter, **kwargs)
    ours = ScoutSearchCV(SVC(), grid, sampler="random", n_trials=n_iter, **kwargs)
    for search in (randomized, ours):
        too_many = pytest.warns(UserWarning, match=r"(smaller than|more than the 4)")
        with too_many if extra else contextlib.nullcontext():
            search.fit(X, y)
    assert_same_search(ours, GridSearchCV(SVC(), grid, cv=3).fit(X, y), X)
    assert ours.cv_results_["params"] == randomized.cv_results_["params"]
    np.testing.assert_array_equal(
        ours.cv_results_["mean_test_score"], randomized.cv_results_["mean_test_score"]
    )


class _KernelNames:
    """A distribution as RandomizedSearchCV users write one: rvs only."""

    def rvs(self, random_state=None):
        from sklearn.utils import check_random_state

        # check_random_state refuses a numpy Generator: a RandomState is due.
        return ["rbf", "linear"][check_random_state(random_state).randint(2)]


def test_a_users_rvs_object_drawing_strings_is_searched_as_by_randomized_search(iris):
    X, y = iris
    search = ScoutSearchCV(
        SVC(),
        {"kernel": _KernelNames(), "C": [0.5, 1.0]},
        sampler="random",
        n_trials=8,
        cv=3,
        random_state=0,
    ).fit(X, y)
    kernels = list(search.cv_results_["param_kernel"])
    assert set(kernels) == {"rbf", "linear"}
    assert search.best_params_["kernel"] in ("rbf", "linear")


def test_a_callable_scoring_returning_a_dict_of_score_gives_a_number_from_score(iris):
    X, y = iris
    scoring = lambda est, X, y: {"score": est.score(X, y)}  # noqa: E731
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": [0.1, 1.0]},
        cv=3,
        scoring=scoring,
        refit="score",
    ).fit(X, y)
    expected = search.best_estimator_.score(X, y)
    assert search.score(X, y) == expected
    assert search.cv_results_["mean_test_score"].shape == (2,)


def test_a_dict_scoring_may_map_a_metric_to_none_for_the_estimators_score(iris):
    X, y = iris
    kwargs = dict(scoring={"own": None, "accuracy": "accuracy"}, refit="own", cv=3)
    ours = ScoutSearchCV(LogisticRegression(max_iter=200), {"C": [0.1, 1.0]}, **kwargs)
    theirs = GridSearchCV(LogisticRegression(max_iter=200), {"C": [0.1, 1.0]}, **kwargs)
    ours.fit(X, y)
    theirs.fit(X, y)
    for key in ("mean_test_own", "mean_test_accuracy"):
        np.testing.assert_array_equal(ours.cv_results_[key], theirs.cv_results_[key])
    assert ours.score(X, y) == theirs.score(X, y)


def test_the_searchs_warnings_name_the_line_that_called_fit(iris):
    # As GridSearchCV's do: not a line inside scout_sklearn or scikit-learn's
    # callback wrapper around fit.
    from sklearn.exceptions import FitFailedWarning

    X, y = iris
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": [-1.0, 1.0]},  # a negative C fails
        sampler="random",
        n_trials=5,
        cv=2,
        error_score=np.nan,
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        search.fit(X, y)
    ours = [
        w
        for w in record
        if issubclass(w.category, FitFailedWarning)
        or "distinct params" in str(w.message)
        or "non-finite" in str(w.message)
    ]
    assert len(ours) == 3
    assert {w.filename for w in ours} == {__file__}
