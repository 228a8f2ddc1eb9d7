"""Every sampler on awkward spaces, and what a user's own sampler may return.

Tiny and extreme ranges, values that compare equal across types, choices
that are estimators, and the checks that stand between a user's sampler
and the study: each bad proposal is refused, naming the sampler, before a
trial is stored.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from scout_sklearn import Float, ScoutSearchCV, Study, load_study
from scout_sklearn.exceptions import SearchSpaceExhausted

SAMPLERS = ["random", "tpe", "gp", "cmaes", "qmc", "annealing", "auto"]


# -- Float ranges far below 1 ------------------------------------------------------
@pytest.mark.parametrize(
    ("dist", "outside"),
    [
        (Float(1e-13, 1e-12, log=True), [0.0, -5e-13, 1.9e-12, 9e-14]),
        (Float(1e-300, 1e300, log=True), [0.0, -1.0, 2e300]),
        (Float(0.0, 1e-6), [-5e-13, 1e-6 + 9e-13]),
        (Float(-1e-9, -1e-10), [0.0, -1.1e-9]),
    ],
    ids=["log-tiny", "log-extreme", "linear-tiny", "linear-negative-tiny"],
)
def test_a_small_float_range_holds_no_value_beyond_its_bounds(dist, outside):
    # The tolerance for rounding was at least 1e-12 whatever the bounds, so
    # Float(1e-13, 1e-12, log=True) held 0.0, negative values and 1.9e-12.
    assert [dist.contains(v) for v in outside] == [False] * len(outside)
    assert dist.contains(dist.low)
    assert dist.contains(dist.high)
    assert dist.contains(dist.from_unit(0.5))


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_a_value_below_a_tiny_log_range_is_refused_before_any_fit(diabetes, sampler):
    # enqueue=[{"alpha": 0.0}] was accepted: the random sampler fitted
    # alpha=0.0 outside the space, TPE, GP and QMC then failed with
    # "math domain error" when they took the log of it.
    X, y = diabetes
    search = ScoutSearchCV(
        Ridge(),
        {"alpha": Float(1e-13, 1e-12, log=True)},
        sampler=sampler,
        n_trials=3,
        cv=2,
        random_state=0,
        enqueue=[{"alpha": 0.0}],
    )
    with pytest.raises(ValueError, match=r"enqueue.*alpha=0\.0 is not in Float\(low=1e-13"):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def test_a_users_sampler_below_a_tiny_log_range_is_refused_naming_it():
    from scout_sklearn.samplers import Sampler

    class Zero(Sampler):
        def ask(self, space, history, rng):
            return {"alpha": 0.0}

    study = Study({"alpha": Float(1e-13, 1e-12, log=True)}, sampler=Zero(), seed=0)
    with pytest.raises(ValueError, match=r"sampler Zero\(\), for trial 0.*alpha=0\.0"):
        study.ask()
    assert study.trials == ()


# -- a user's sampler --------------------------------------------------------------
def _sampler_with_max_trials(answer):
    from scout_sklearn.samplers import Sampler

    class Counted(Sampler):
        def ask(self, space, history, rng):
            return space.sample(rng)

        def max_trials(self, space):
            return answer

    return Counted()


@pytest.mark.parametrize("answer", [-1, 2.5, "x", True, float("nan")])
@pytest.mark.parametrize("n_trials", [None, 4])
def test_a_bad_max_trials_answer_is_refused_naming_the_sampler(
    iris, fit_spy, answer, n_trials, tmp_path
):
    # -1 was reported as "'enqueue' lists 0 params, more than the -1 trials",
    # 'x' as a bare TypeError from a comparison, and 2.5 or True ran 4 trials
    # after a warning that the search "stops after 2.5 trials".
    X, y = iris
    url = f"sqlite:///{tmp_path / 'study.db'}"
    search = ScoutSearchCV(
        fit_spy,
        {"C": [1.0, 2.0, 3.0]},
        sampler=_sampler_with_max_trials(answer),
        n_trials=n_trials,
        cv=2,
        storage=url,
    )
    match = r"Counted\(\)\.max_trials\(space\) returned .*int >= 0"
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0
    assert not (tmp_path / "study.db").exists()


def test_a_max_trials_of_numpy_int_sets_the_budget(iris, fit_spy):
    import numpy as np

    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": [1.0, 2.0, 3.0]}, sampler=_sampler_with_max_trials(np.int64(2)), cv=2
    ).fit(X, y)
    assert search.n_trials_ == 2


def _proposing(params):
    from scout_sklearn.samplers import Sampler

    class Fixed(Sampler):
        def ask(self, space, history, rng):
            return dict(params)

    return Fixed()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"alpha": 1.0}, r"missing \['scaler'\], unexpected \[\]"),
        (
            {"alpha": 1.0, "scaler": "passthrough", "tol": 1e-3},
            r"missing \[\], unexpected \['tol'\]",
        ),
        ({"alpha": 1e9, "scaler": "passthrough"}, r"alpha=1000000000\.0 is not in Float"),
        ({"alpha": "1.0", "scaler": "passthrough"}, r"it is a str, and Float takes a real"),
        ({"alpha": True, "scaler": "passthrough"}, r"it is a bool, and Float takes a real"),
        ({"alpha": float("nan"), "scaler": "passthrough"}, r"alpha=nan is not in Float"),
        (
            {"alpha": 1.0, "scaler": StandardScaler()},
            r"scaler=StandardScaler\(\) is not in .*a copy of choice 0.*\.choices\[0\]",
        ),
    ],
    ids=["missing", "extra", "outside", "str", "bool", "nan", "copy-of-estimator"],
)
def test_a_users_bad_proposal_is_refused_naming_the_sampler_before_it_is_stored(
    params, match, tmp_path
):
    url = f"sqlite:///{tmp_path / 'study.db'}"
    space = {
        "alpha": Float(1e-3, 1e3, log=True),
        "scaler": [StandardScaler(), "passthrough"],
    }
    study = Study(space, sampler=_proposing(params), storage=url, name="s", seed=0)
    with pytest.raises(ValueError, match=r"The sampler Fixed\(\), for trial 0, .*" + match):
        study.ask()
    assert study.trials == ()
    assert load_study(url, "s").trials == ()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"scaler": StandardScaler(), "ridge__alpha": 1.0}, r"it is a copy of choice 0"),
        ({"scaler": "passthrough", "ridge__alpha": "1"}, r"it is a str, and Float"),
    ],
    ids=["copy-of-estimator", "str-for-float"],
)
def test_an_enqueued_look_alike_says_why_it_is_refused(diabetes, params, match):
    X, y = diabetes
    search = ScoutSearchCV(
        Pipeline([("scaler", StandardScaler()), ("ridge", Ridge())]),
        {"scaler": [StandardScaler(), "passthrough"], "ridge__alpha": Float(0.5, 2.0)},
        n_trials=3,
        cv=2,
        enqueue=[params],
    )
    with pytest.raises(ValueError, match=r"'enqueue' .*index 0.*" + match):
        search.fit(X, y)


class _Breaks(Exception):
    pass


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are 3.11+")
def test_a_users_sampler_that_raises_keeps_its_error_and_is_named(iris, fit_spy, tmp_path):
    from scout_sklearn.samplers import Sampler

    class BreaksAtThree(Sampler):
        def ask(self, space, history, rng):
            if len(history) == 3:
                raise _Breaks("no idea what to try next")
            return space.sample(rng)

    X, y = iris
    url = f"sqlite:///{tmp_path / 'study.db'}"
    search = ScoutSearchCV(
        fit_spy,
        {"C": Float(0.1, 10.0)},
        sampler=BreaksAtThree(),
        n_trials=6,
        cv=2,
        storage=url,
        study_name="s",
    )
    with pytest.raises(_Breaks, match="no idea") as caught:
        search.fit(X, y)
    assert caught.value.__notes__ == [
        "The sampler BreaksAtThree(), for trial 3, raised this while proposing its "
        "params: nothing was stored for that trial."
    ]
    assert [t.number for t in load_study(url, "s").trials] == [0, 1, 2]


# -- values listed twice -------------------------------------------------------------
def _twice_listed_space():
    # Two NaN objects and two equal lists: equal values, yet each second one
    # was found by identity at its own position, as a point of its own.
    return {"layers": [[10], [10], [20]], "missing": [np.nan, float("nan"), -1.0]}


@pytest.mark.parametrize("sampler", [*SAMPLERS, "motpe", "nsga2"])
def test_equal_nans_and_equal_lists_are_one_point_for_a_sampler(sampler):
    from scout_sklearn.samplers._registry import make_sampler

    study = Study(_twice_listed_space(), sampler=make_sampler(sampler), seed=0)
    assert study.space.n_distinct == 4
    seen = []
    for k in range(4):
        trial = study.ask()
        seen.append((trial.params["layers"], repr(trial.params["missing"])))
        study.tell(trial.number, float(k))
    assert len(set(map(repr, seen))) == 4
    with pytest.raises(SearchSpaceExhausted):
        study.ask()


def test_equal_nans_and_equal_lists_are_each_a_grid_point_as_in_parameter_grid():
    from sklearn.model_selection import ParameterGrid

    from scout_sklearn.samplers import GridSampler

    study = Study(_twice_listed_space(), sampler=GridSampler(), seed=0)
    asked = []
    for k in range(9):
        trial = study.ask()
        asked.append(trial.params)
        study.tell(trial.number, float(k))
    expected = list(ParameterGrid(_twice_listed_space()))
    assert [repr(p) for p in asked] == [repr(p) for p in expected]
    with pytest.raises(SearchSpaceExhausted):
        study.ask()


# -- Float steps beyond the largest float ----------------------------------------------
@pytest.mark.parametrize(
    ("low", "high", "step"),
    [(0.0, 1e300, 1e-10), (-1e308, 1e308, 1e300)],
    ids=["too-many-steps", "range-beyond-the-largest-float"],
)
def test_a_float_step_whose_count_overflows_is_refused_naming_it(low, high, step):
    # It raised a bare "OverflowError: cannot convert float infinity to integer".
    with pytest.raises(ValueError, match=re.escape(f"Float step={step!r} makes too many")):
        Float(low, high, step=step)


def test_a_float_step_of_1e23_values_is_searched_in_range():
    dist = Float(0.0, 1e20, step=1e-3)
    study = Study({"a": dist}, sampler=None, seed=0)
    for k in range(5):
        trial = study.ask()
        assert dist.contains(trial.params["a"])
        study.tell(trial.number, float(k))
