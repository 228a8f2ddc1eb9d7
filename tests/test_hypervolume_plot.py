"""plot_hypervolume_history: the search's hypervolume_history_, from a search or a study."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import Int, ScoutSearchCV, load_study

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from scout_sklearn.plotting import plot_hypervolume_history  # noqa: E402


def n_leaves(estimator, X, y):
    return float(estimator.get_n_leaves())


def _search(**kwargs):
    return ScoutSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Int(1, 8), "min_samples_leaf": Int(1, 40)},
        scoring={"accuracy": "accuracy", "n_leaves": n_leaves},
        objectives={"accuracy": "maximize", "n_leaves": "minimize"},
        refit="knee",
        n_trials=14,
        cv=3,
        random_state=0,
        **kwargs,
    )


def _drawn(ax):
    (step, _points) = ax.lines
    return np.asarray(step.get_xdata()), np.asarray(step.get_ydata())


def test_the_search_and_its_stored_study_draw_hypervolume_history(breast_cancer, tmp_path):
    X, y = breast_cancer
    url = f"sqlite:///{tmp_path / 'hv.db'}"
    search = _search(storage=url, study_name="mo").fit(X, y)
    try:
        numbers, history = _drawn(plot_hypervolume_history(search))
        np.testing.assert_array_equal(numbers, search.cv_results_["trial_number"])
        np.testing.assert_array_equal(history, search.hypervolume_history_)
        assert np.all(np.diff(history) >= 0)
        assert history[-1] > 0
        # Read back from the SQLite file: the same history, from the stored folds.
        numbers, stored = _drawn(plot_hypervolume_history(load_study(url, "mo")))
        np.testing.assert_array_equal(numbers, search.cv_results_["trial_number"])
        np.testing.assert_allclose(stored, search.hypervolume_history_, rtol=1e-12)
    finally:
        plt.close("all")


def test_a_single_objective_or_an_unfitted_search_is_refused(iris, tmp_path):
    X, y = iris
    url = f"sqlite:///{tmp_path / 'one.db'}"
    one = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": [1, 2]},
        cv=3,
        storage=url,
        study_name="one",
    ).fit(X, y)
    with pytest.raises(ValueError, match="fitted with a single objective"):
        plot_hypervolume_history(one)
    with pytest.raises(ValueError, match="'one' was not searched for several objectives"):
        plot_hypervolume_history(load_study(url, "one"))
    with pytest.raises(ValueError, match="fit it first"):
        plot_hypervolume_history(_search())
