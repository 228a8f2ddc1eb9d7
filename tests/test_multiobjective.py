"""Several objectives: ``objectives={metric: direction}`` and the Pareto front.

Deterministic objectives: a tree's accuracy against its number of leaves
(a scorer that reads the fitted tree), which grows with ``max_depth`` and
shrinks with ``min_samples_leaf``; fit_time is too noisy to rank on.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.exceptions import FitFailedWarning
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import Int, ScoutSearchCV, load_study
from scout_sklearn._pareto import hypervolume, pareto_ranks
from scout_sklearn.exceptions import InvalidParameterError, StudyMismatch
from scout_sklearn.samplers import MOTPESampler, NSGAIISampler

SPACE = {"max_depth": Int(1, 8), "min_samples_leaf": Int(1, 40)}
OBJECTIVES = {"accuracy": "maximize", "n_leaves": "minimize"}


def n_leaves(estimator, X, y):
    return float(estimator.get_n_leaves())


SCORING = {"accuracy": "accuracy", "n_leaves": n_leaves}


def _search(**kwargs):
    params = {
        "scoring": SCORING,
        "objectives": OBJECTIVES,
        "refit": "knee",
        "n_trials": 16,
        "cv": 3,
        "random_state": 0,
    }
    params.update(kwargs)
    return ScoutSearchCV(DecisionTreeClassifier(random_state=0), SPACE, **params)


def _points(search):
    """The objectives to minimise, one row per row of cv_results_."""
    results = search.cv_results_
    return np.column_stack([-results["mean_test_accuracy"], results["mean_test_n_leaves"]])


def _brute_force_ranks(points):
    ranks = np.zeros(len(points), dtype=int)
    left = set(range(len(points)))
    rank = 0
    while left:
        rank += 1
        front = {
            i
            for i in left
            if not any(
                np.all(points[j] <= points[i]) and np.any(points[j] < points[i])
                for j in left
            )
        }
        ranks[list(front)] = rank
        left -= front
    return ranks


def _brute_force_hypervolume(points, reference):
    """The union of the boxes [p, reference], by inclusion-exclusion."""
    points = [p for p in points if np.all(p < reference)]
    total = 0.0
    for k in range(1, len(points) + 1):
        for subset in itertools.combinations(points, k):
            corner = np.max(subset, axis=0)
            total += (-1) ** (k + 1) * np.prod(reference - corner)
    return total


@pytest.fixture(scope="module")
def fitted(breast_cancer):
    X, y = breast_cancer
    return _search().fit(X, y)


def test_pareto_rank_matches_a_brute_force_dominance_check(fitted):
    results = fitted.cv_results_
    expected = _brute_force_ranks(_points(fitted))
    np.testing.assert_array_equal(results["pareto_rank"], expected)
    np.testing.assert_array_equal(results["is_pareto"], expected == 1)
    assert results["is_pareto"].dtype == bool
    assert len(results["pareto_rank"]) == len(results["params"])
    assert expected.max() > 1  # the check saw dominated trials too


def test_the_front_is_ordered_by_the_first_objective(fitted):
    front = fitted.pareto_front_
    np.testing.assert_array_equal(
        np.sort(front), np.flatnonzero(fitted.cv_results_["pareto_rank"] == 1)
    )
    accuracy = fitted.cv_results_["mean_test_accuracy"][front]
    assert np.all(np.diff(accuracy) >= 0)


def test_hypervolume_history_is_that_of_the_normalised_front_after_each_trial(fitted):
    points = _points(fitted)
    low, high = points.min(axis=0), points.max(axis=0)
    normalised = (points - low) / (high - low)
    history = fitted.hypervolume_history_
    assert history.shape == (len(points),)
    assert np.all(np.diff(history) >= 0)
    for i in (0, len(points) // 2, len(points) - 1):
        prefix = normalised[: i + 1]
        front = prefix[_brute_force_ranks(prefix) == 1]
        expected = _brute_force_hypervolume(np.unique(front, axis=0), np.full(2, 1.1))
        assert history[i] == pytest.approx(expected)


@pytest.mark.parametrize("n_objectives", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ranks_and_hypervolume_on_random_points(n_objectives, seed):
    rng = np.random.default_rng(seed)
    points = rng.integers(0, 6, size=(9, n_objectives)).astype(float)
    points[rng.integers(9)] = np.nan  # a trial that is not COMPLETE
    ranks = pareto_ranks(points)
    finite = np.isfinite(points).all(axis=1)
    np.testing.assert_array_equal(ranks[finite], _brute_force_ranks(points[finite]))
    assert ranks[~finite] == ranks[finite].max() + 1
    reference = np.full(n_objectives, 6.5)
    front = np.unique(points[finite][ranks[finite] == 1], axis=0)
    assert hypervolume(points[finite], reference) == pytest.approx(
        _brute_force_hypervolume(front, reference)
    )


@given(
    st.integers(2, 3).flatmap(
        lambda k: st.lists(
            st.one_of(
                st.lists(st.integers(0, 4).map(float), min_size=k, max_size=k),
                st.just([np.nan] * k),
            ),
            min_size=1,
            max_size=8,
        )
    )
)
def test_ranks_and_hypervolume_property(rows):
    points = np.array(rows, dtype=float)
    k = points.shape[1]
    ranks = pareto_ranks(points)
    finite = np.isfinite(points).all(axis=1)
    np.testing.assert_array_equal(ranks[finite], _brute_force_ranks(points[finite]))
    assert np.all(ranks[~finite] == (ranks[finite].max() if finite.any() else 0) + 1)
    reference = np.full(k, 4.5)
    front = np.unique(points[finite][ranks[finite] == 1], axis=0)
    assert hypervolume(points[finite], reference) == pytest.approx(
        _brute_force_hypervolume(front, reference)
    )


def test_refit_knee_is_the_front_trial_nearest_the_ideal_point(fitted):
    points = _points(fitted)
    normalised = (points - points.min(axis=0)) / np.ptp(points, axis=0)
    front = fitted.pareto_front_
    distances = np.linalg.norm(normalised[front], axis=1)
    assert fitted.best_index_ == front[np.argmin(distances)]
    assert fitted.best_params_ == fitted.cv_results_["params"][fitted.best_index_]
    assert not hasattr(fitted, "best_score_")  # as for a callable refit
    assert (
        fitted.best_estimator_.get_params()["max_depth"]
        == (fitted.best_params_["max_depth"])
    )


@pytest.mark.parametrize(("refit", "column", "pick"), [
    ("accuracy", "mean_test_accuracy", np.max),
    ("n_leaves", "mean_test_n_leaves", np.min),
])  # fmt: skip
def test_refit_by_an_objective_is_the_front_best_on_it(breast_cancer, refit, column, pick):
    X, y = breast_cancer
    search = _search(refit=refit).fit(X, y)
    results = search.cv_results_
    front_values = results[column][search.pareto_front_]
    assert search.best_index_ in search.pareto_front_
    assert search.best_score_ == pick(front_values) == pick(results[column])
    assert search.best_score_ == results[column][search.best_index_]
    assert (
        search.best_estimator_.get_params()["min_samples_leaf"]
        == (search.best_params_["min_samples_leaf"])
    )


def test_refit_callable_and_refit_false(breast_cancer):
    X, y = breast_cancer
    search = _search(refit=lambda results: int(np.argmax(results["pareto_rank"])))
    search.fit(X, y)
    assert search.best_index_ == np.argmax(search.cv_results_["pareto_rank"])
    assert hasattr(search, "best_estimator_")
    assert not hasattr(search, "best_score_")
    search = _search(refit=False).fit(X, y)
    assert not hasattr(search, "best_index_")
    assert not hasattr(search, "best_estimator_")
    assert len(search.pareto_front_) >= 1


def test_the_default_sampler_is_motpe_and_grid_works(breast_cancer):
    X, y = breast_cancer
    search = _search(n_trials=4, sampler=None).fit(X, y)
    assert isinstance(search.study_.sampler, MOTPESampler)
    assert search.study_.sampler.objectives == {
        column: direction
        for column, direction in zip(
            search._objectives.columns, search._objectives.directions
        )
    }
    grid = {"max_depth": [1, 2, 3], "min_samples_leaf": [1, 20]}
    search = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0),
        param_grid=grid,
        scoring=SCORING,
        objectives=OBJECTIVES,
        refit="accuracy",
        cv=3,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    expected = _brute_force_ranks(_points(search))
    np.testing.assert_array_equal(search.cv_results_["pareto_rank"], expected)


@pytest.mark.parametrize(
    "make",
    [lambda: NSGAIISampler(population_size=4), lambda: MOTPESampler(n_startup_trials=4)],
)
def test_the_sampler_is_told_the_objectives_and_the_users_instance_is_unchanged(
    breast_cancer, make
):
    X, y = breast_cancer
    mine = make()
    search = _search(n_trials=10, sampler=mine).fit(X, y)
    assert mine.objectives is None
    assert search.study_.sampler.objectives == {
        "accuracy": "maximize",
        "n_leaves": "minimize",
    }
    assert len(search.cv_results_["params"]) == 10
    keys = {tuple(sorted(p.items())) for p in search.cv_results_["params"]}
    assert len(keys) == 10  # never the same params twice


def test_nsga2_with_one_objective_learns_from_the_value(breast_cancer):
    X, y = breast_cancer
    search = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0),
        SPACE,
        n_trials=8,
        cv=3,
        sampler=NSGAIISampler(population_size=3),
        random_state=0,
    ).fit(X, y)
    assert search.study_.sampler.objectives is None
    assert len(search.cv_results_["params"]) == 8


def test_trial_values_are_a_maximised_scored_objective(breast_cancer):
    # The refit objective when it is a maximised scorer metric, else the first one.
    X, y = breast_cancer
    both = {"accuracy": "maximize", "n_leaves": "maximize"}
    search = _search(n_trials=4, objectives=both, refit="n_leaves").fit(X, y)
    values = [t.value for t in search.study_.trials]
    np.testing.assert_allclose(values, search.cv_results_["mean_test_n_leaves"])
    for refit in ("knee", "n_leaves"):  # n_leaves is minimised: not a value
        search = _search(n_trials=4, refit=refit).fit(X, y)
        values = [t.value for t in search.study_.trials]
        np.testing.assert_allclose(values, search.cv_results_["mean_test_accuracy"])
    search = _search(
        n_trials=4,
        scoring=["accuracy", "recall"],
        objectives={"recall": "minimize", "fit_time": "minimize"},
        refit="recall",
    ).fit(X, y)
    values = [t.value for t in search.study_.trials]
    np.testing.assert_allclose(values, search.cv_results_["mean_test_accuracy"])


def test_built_in_measures_fit_time_and_score_time(breast_cancer):
    X, y = breast_cancer
    search = _search(
        scoring=None,
        objectives={"score": "maximize", "fit_time": "minimize", "score_time": "minimize"},
        refit="fit_time",
        n_trials=5,
    ).fit(X, y)
    results = search.cv_results_
    assert search.best_score_ == results["mean_fit_time"][search.best_index_]
    assert search.best_score_ == results["mean_fit_time"][search.pareto_front_].min()
    per_sample = [
        np.mean([f.score_time / f.n_test_samples for f in t.fold_results])
        for t in sorted(search.study_.trials, key=lambda t: t.number)
    ]
    points = np.column_stack(
        [-results["mean_test_score"], results["mean_fit_time"], per_sample]
    )
    np.testing.assert_array_equal(results["pareto_rank"], _brute_force_ranks(points))


def test_a_single_scoring_name_is_its_score_column(breast_cancer):
    X, y = breast_cancer
    search = _search(
        scoring="accuracy",
        objectives={"accuracy": "maximize", "fit_time": "minimize"},
        refit="accuracy",
        n_trials=4,
    ).fit(X, y)
    assert search.best_score_ == search.cv_results_["mean_test_score"].max()


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_failed_trials_rank_last_and_are_off_the_front(failing_clf, iris):
    X, y = iris
    search = ScoutSearchCV(
        failing_clf,
        {"parameter": [0, 1, 2]},
        scoring="accuracy",
        objectives={"accuracy": "maximize", "fit_time": "minimize"},
        refit="accuracy",
        cv=3,
    )
    with pytest.warns(FitFailedWarning, match="1 of 3 trials failed"):
        search.fit(X, y)
    results = search.cv_results_
    failed = results["state"] == "FAILED"
    assert failed.sum() == 1
    assert results["pareto_rank"][failed] == results["pareto_rank"][~failed].max() + 1
    assert not results["is_pareto"][failed].any()
    assert np.flatnonzero(failed)[0] not in search.pareto_front_
    assert results["params"][search.best_index_]["parameter"] != 2


@pytest.mark.parametrize(("kwargs", "message"), [
    (
        {"objectives": {"accuracy": "maximize"}},
        "The 'objectives' parameter of ScoutSearchCV is a dict of 1 objective(s): "
        "{'accuracy': 'maximize'}. A dict names 2 or 3 objectives",
    ),
    (
        {"objectives": {"accuracy": "maximize", "n_leaves": "minimize",
                        "fit_time": "minimize", "score_time": "minimize"}},
        "is a dict of 4 objective(s)",
    ),
    (
        {"objectives": {"accuracy": "maximize", "recall": "maximize"}},
        "The 'objectives' parameter of ScoutSearchCV names the objective 'recall', "
        "which is neither a metric of scoring nor a built-in measure. Allowed: "
        "['accuracy', 'n_leaves', 'fit_time', 'score_time']",
    ),
    (
        {"objectives": {"accuracy": "max", "n_leaves": "minimize"}},
        "The 'objectives' parameter of ScoutSearchCV gives the objective 'accuracy' "
        "the direction 'max'; a direction is 'maximize' or 'minimize'.",
    ),
    (
        {"refit": "recall"},
        "The 'refit' parameter of ScoutSearchCV is 'recall', but with several "
        "objectives it must name one of them (['accuracy', 'n_leaves']",
    ),
    (
        {"refit": True},
        "The 'refit' parameter of ScoutSearchCV is True, but with several objectives",
    ),
    (
        {"pruner": "successive_halving"},
        "The 'pruner' parameter of ScoutSearchCV is 'successive_halving', but "
        "'objectives' names several objectives. Pruning needs one objective",
    ),
    (
        {"sampler": "tpe"},
        "The 'sampler' parameter of ScoutSearchCV is TPESampler(), which learns from "
        "each trial's single value, but 'objectives' names several objectives. "
        "Use sampler=None (the default with several objectives), 'motpe' or "
        "'nsga2', which learn from all of them, or 'random', 'qmc' or 'grid'.",
    ),
    (
        {"sampler": "auto"},
        "Use sampler=None (the default with several objectives), 'motpe' or",
    ),
    (
        {"sampler": MOTPESampler(objectives={"accuracy": "minimize"})},
        "The 'sampler' parameter of ScoutSearchCV is MOTPESampler(objectives="
        "{'accuracy': 'minimize'}), whose objectives {'accuracy': 'minimize'} differ "
        "from the search's {'accuracy': 'maximize', 'n_leaves': 'minimize'}",
    ),
    (
        {"sampler": MOTPESampler().set_params(gamma=2.0)},
        "The 'gamma' parameter of MOTPESampler must be",
    ),
    (
        {"sampler": NSGAIISampler(objectives={"accuracy": "minimize"})},
        "The 'sampler' parameter of ScoutSearchCV is NSGAIISampler(objectives="
        "{'accuracy': 'minimize'}), whose objectives {'accuracy': 'minimize'} differ "
        "from the search's {'accuracy': 'maximize', 'n_leaves': 'minimize'}",
    ),
    (
        {"sampler": NSGAIISampler().set_params(population_size=0)},
        "The 'population_size' parameter of NSGAIISampler must be an int in the "
        "range [2, 100000]. Got 0 instead.",
    ),
    (
        {"scoring": lambda est, X, y: {"accuracy": 1.0, "n_leaves": 1.0}},
        "is a dict of several objectives, which needs the metric names before any "
        "fit, but scoring=",
    ),
    (
        {"objectives": ["accuracy", "n_leaves"]},
        "The 'objectives' parameter of ScoutSearchCV must be",
    ),
])  # fmt: skip
def test_bad_input_is_refused_before_any_fit(iris, fit_spy, kwargs, message):
    X, y = iris
    params = {"scoring": SCORING, "objectives": OBJECTIVES, "refit": "knee"}
    params.update(kwargs)
    search = ScoutSearchCV(fit_spy, {"C": [1.0, 2.0]}, n_trials=2, cv=2, **params)
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_a_stored_study_refuses_other_objectives(breast_cancer, tmp_path):
    X, y = breast_cancer
    url = f"sqlite:///{tmp_path / 'mo.db'}"
    kwargs = {"storage": url, "study_name": "mo", "n_trials": 3}
    _search(**kwargs).fit(X, y)
    assert load_study(url, "mo").fingerprint["objective"] == OBJECTIVES
    _search(**{**kwargs, "n_trials": 4}).fit(X, y)  # the same objectives resume
    assert len(load_study(url, "mo").trials) == 4
    other = {"accuracy": "maximize", "fit_time": "minimize"}
    with pytest.raises(StudyMismatch, match=r"objective changed"):
        _search(objectives=other, **kwargs).fit(X, y)
    with pytest.raises(StudyMismatch, match=r"objective changed"):
        _search(objectives="accuracy", refit="accuracy", **kwargs).fit(X, y)


def test_plot_pareto_front_draws_the_trials_the_front_and_the_refit(fitted):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scout_sklearn.plotting import plot_pareto_front

    ax = plot_pareto_front(fitted)
    try:
        by_gid = {c.get_gid(): c for c in ax.collections}
        results = fitted.cv_results_
        front = fitted.pareto_front_
        np.testing.assert_allclose(
            by_gid["front"].get_offsets(),
            np.column_stack(
                [results["mean_test_accuracy"][front], results["mean_test_n_leaves"][front]]
            ),
        )
        assert len(by_gid["complete"].get_offsets()) == len(results["params"])
        best = fitted.best_index_
        np.testing.assert_allclose(
            by_gid["refit"].get_offsets(),
            [[results["mean_test_accuracy"][best], results["mean_test_n_leaves"][best]]],
        )
        assert [line.get_gid() for line in ax.lines] == ["front-line"]
        assert ax.get_xlabel() == "accuracy (mean test score, maximize)"
        assert ax.get_ylabel() == "n_leaves (mean test score, minimize)"
    finally:
        plt.close(ax.figure)


def test_plot_pareto_front_refuses_a_single_objective_search(iris):
    pytest.importorskip("matplotlib")
    from scout_sklearn.plotting import plot_pareto_front

    X, y = iris
    search = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2]}, cv=3
    ).fit(X, y)
    with pytest.raises(ValueError, match="fitted with several objectives"):
        plot_pareto_front(search)


def test_score_uses_the_refit_metric_or_says_why_it_cannot(breast_cancer):
    X, y = breast_cancer
    search = _search(refit="accuracy", n_trials=3).fit(X, y)
    assert search.score(X, y) == search.scorer_["accuracy"](search.best_estimator_, X, y)
    search = _search(refit="knee", n_trials=3).fit(X, y)
    with pytest.raises(ValueError, match=r"refit='knee' names none of scoring's metrics"):
        search.score(X, y)
    single = _search(
        scoring="accuracy",
        objectives={"accuracy": "maximize", "fit_time": "minimize"},
        n_trials=3,
    ).fit(X, y)
    assert 0 < single.score(X, y) <= 1


def test_plot_pareto_front_of_three_objectives_on_3d_axes(breast_cancer):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scout_sklearn.plotting import plot_pareto_front

    X, y = breast_cancer
    three = {**OBJECTIVES, "fit_time": "minimize"}
    search = _search(objectives=three, n_trials=6).fit(X, y)
    ax = plot_pareto_front(search)
    try:
        assert ax.name == "3d"
        by_gid = {c.get_gid(): c for c in ax.collections}
        xs, ys, zs = by_gid["front"]._offsets3d
        results = search.cv_results_
        front = search.pareto_front_
        np.testing.assert_allclose(zs, results["mean_fit_time"][front])
        np.testing.assert_allclose(xs, results["mean_test_accuracy"][front])
        np.testing.assert_allclose(ys, results["mean_test_n_leaves"][front])
        assert ax.get_zlabel() == "fit_time (mean fit seconds, minimize)"
        assert not ax.lines  # no step line in 3-D
        _, flat = plt.subplots()
        with pytest.raises(ValueError, match="three objectives on 3-D axes"):
            plot_pareto_front(search, ax=flat)
    finally:
        plt.close("all")


def test_plot_pareto_front_of_a_stored_study(breast_cancer, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scout_sklearn.plotting import plot_pareto_front

    X, y = breast_cancer
    url = f"sqlite:///{tmp_path / 'plot.db'}"
    search = _search(storage=url, study_name="mo").fit(X, y)
    ax = plot_pareto_front(load_study(url, "mo"))
    try:
        by_gid = {c.get_gid(): c for c in ax.collections}
        results = search.cv_results_
        front = search.pareto_front_
        np.testing.assert_array_equal(
            by_gid["front"].get_offsets(),
            np.column_stack(
                [results["mean_test_accuracy"][front], results["mean_test_n_leaves"][front]]
            ),
        )
        assert "refit" not in by_gid  # a stored study does not know refit's choice
        assert ax.get_xlabel() == "accuracy (mean test score, maximize)"
        one = ScoutSearchCV(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": [1, 2]},
            cv=3,
            storage=url,
            study_name="one",
        ).fit(X, y)
        with pytest.raises(ValueError, match="stored by a search of one objective"):
            plot_pareto_front(one.study_)
    finally:
        plt.close("all")
