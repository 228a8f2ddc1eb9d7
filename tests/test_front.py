"""The Pareto front of a stored study, read back without the search (``_front.py``)."""

from __future__ import annotations

import numpy as np
import pytest
from test_multiobjective import OBJECTIVES
from test_multiobjective import _search as _multiobjective

from scout_sklearn import load_study
from scout_sklearn._front import stored_objectives, trial_front


def _front_numbers(search):
    results = search.cv_results_
    return results["trial_number"][search.pareto_front_].tolist()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"constraints": {"n_leaves": (">=", 6.0)}, "n_trials": 24},
        {"objectives": {**OBJECTIVES, "fit_time": "minimize"}, "refit": False},
        {
            "scoring": "accuracy",
            "objectives": {"accuracy": "maximize", "score_time": "minimize"},
            "constraints": {"fit_time": ("<=", 10.0)},
        },
    ],
    ids=["two", "constrained", "three", "single-scoring"],
)
def test_the_stored_front_is_the_search_s(breast_cancer, tmp_path, kwargs):
    X, y = breast_cancer
    url = f"sqlite:///{tmp_path / 'f.db'}"
    search = _multiobjective(storage=url, study_name="f", **kwargs).fit(X, y)
    stored = load_study(url, "f")
    objectives = stored_objectives(stored.fingerprint, stored.trials)
    assert objectives is not None
    assert objectives.names == tuple(search.objectives)
    front = trial_front(stored.trials, objectives, n_splits=3)
    assert front.front  # a front to compare
    assert [t.number for t in front.front] == _front_numbers(search)
    np.testing.assert_array_equal(front.summary.ranks, search.cv_results_["pareto_rank"])
    # Without the fingerprint's number of splits: the folds say it.
    assert [t.number for t in trial_front(stored.trials, objectives).front] == (
        _front_numbers(search)
    )


def test_a_single_objective_study_has_no_stored_objectives(breast_cancer, tmp_path):
    X, y = breast_cancer
    url = f"sqlite:///{tmp_path / 'one.db'}"
    _multiobjective(
        storage=url, study_name="one", objectives="accuracy", refit="accuracy", n_trials=2
    ).fit(X, y)
    stored = load_study(url, "one")
    assert stored_objectives(stored.fingerprint, stored.trials) is None
    assert stored_objectives({}, stored.trials) is None
    # Objectives this version cannot read are not guessed at.
    odd = {"objective": {"accuracy": "sideways", "n_leaves": "minimize"}}
    assert stored_objectives(odd, stored.trials) is None
