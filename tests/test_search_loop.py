"""ScoutSearchCV's asynchronous loop: folds as they finish, timeouts, shared data."""

from __future__ import annotations

import logging
import math
import re
import time

import joblib
import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.validation import check_is_fitted

from scout_sklearn import Float, Int, ScoutSearchCV, TrialState
from scout_sklearn.samplers import RandomSampler, Sampler


# -- the asynchronous loop -------------------------------------------------------------
class SnapshotSampler(Sampler):
    """Random params; remembers, at every ask, the folds each running trial holds."""

    def ask(self, space, history, rng):
        running = {
            t.number: len(t.fold_results) for t in history if t.state is TrialState.RUNNING
        }
        self.__dict__.setdefault("snapshots", []).append(running)
        return RandomSampler().ask(space, history, rng)


def _uneven_splits(n_samples):
    """Two folds whose training parts have 100 and 101 rows."""
    rows = np.arange(n_samples)
    return [(rows[:100], rows[100:]), (rows[49:], rows[:49])]


@pytest.mark.parametrize("slow_rows", [100, 101], ids=["fold0-slow", "fold1-slow"])
def test_each_fold_reaches_the_study_as_it_finishes(iris, fast_clf, slow_rows):
    # One fold of every trial sleeps, the other returns at once; each trial's
    # folds are recorded in the order they finish. With fold 1 slow, two
    # workers and no read-ahead, a new trial is asked when a slow fold ends,
    # long after the fast fold of the trial still running: that trial must
    # already hold its fast fold then.
    X, y = iris
    slow_fold = 0 if slow_rows == 100 else 1
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.2, slow_rows=slow_rows),
        {"a": Float(0.0, 1.0)},
        sampler=SnapshotSampler(),
        n_trials=6,
        cv=_uneven_splits(len(y)),
        n_jobs=2,
        pre_dispatch=2,
        random_state=0,
    )
    with joblib.parallel_config(backend="threading"):
        search.fit(X, y)
    snapshots = search.study_.sampler.snapshots
    assert len(snapshots) == 6
    counts = [n for snapshot in snapshots for n in snapshot.values()]
    assert all(0 <= n < 2 for n in counts), snapshots
    if slow_fold == 1:
        assert any(n == 1 for n in counts), snapshots
    # Trial 0's two folds start together: the fast one is recorded first.
    assert [f.fold for f in search.study_.trials[0].fold_results] == [
        1 - slow_fold,
        slow_fold,
    ]
    for trial in search.study_.trials:
        folds = {f.fold: f for f in trial.fold_results}
        assert sorted(folds) == [0, 1]
        assert folds[slow_fold].fit_time >= 0.2
        assert folds[0].n_test_samples == 50
        assert folds[1].n_test_samples == 49


@pytest.mark.slow
def test_no_batch_barrier_between_trials(iris, fast_clf):
    # Trial 0 is slow on every fold; with 3 folds on 2 workers one worker runs
    # its last fold alone while the other should go on with later trials.
    X, y = iris
    # Start both loky workers first, so that neither is still booting then.
    joblib.Parallel(n_jobs=2)(joblib.delayed(time.sleep)(0.2) for _ in range(2))
    grid = [
        {"delay": [0.8], "a": [0.0]},
        {"delay": [0.0], "a": list(np.linspace(0, 1, 12))},
    ]
    search = ScoutSearchCV(fast_clf, grid, sampler="grid", cv=3, n_jobs=2)
    search.fit(X, y)
    trials = search.study_.trials
    assert trials[0].params["delay"] == 0.8
    assert all(t.started_at is not None and t.finished_at is not None for t in trials)
    overlapping = [
        k
        for k in range(len(trials) - 1)
        if trials[k + 1].started_at < trials[k].finished_at
    ]
    assert overlapping
    finished_before_slow = [
        t.number for t in trials[2:] if t.finished_at < trials[0].finished_at
    ]
    assert finished_before_slow, [(t.number, t.started_at, t.finished_at) for t in trials]


def test_verbose_logs_one_line_per_trial(iris, fast_clf, caplog):
    X, y = iris
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    ScoutSearchCV(fast_clf, {"a": [0.0, 0.5, 1.0]}, cv=2, verbose=2).fit(X, y)
    trial_lines = [r.getMessage() for r in caplog.records if "[trial" in r.getMessage()]
    assert len(trial_lines) == 3
    assert [re.search(r"\[trial (\d+)\]", m).group(1) for m in sorted(trial_lines)] == [
        "0",
        "1",
        "2",
    ]
    assert all("2 folds" in m for m in trial_lines)


def test_verbose_zero_is_silent(iris, fast_clf, caplog):
    X, y = iris
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    ScoutSearchCV(fast_clf, {"a": [0.0, 0.5]}, cv=2, verbose=0).fit(X, y)
    assert [r.getMessage() for r in caplog.records if r.name == "scout_sklearn"] == []


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_timeout_stops_early_and_cuts_the_trials_in_flight(iris, fast_clf, n_jobs):
    X, y = iris
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.02),
        {"a": Float(0.0, 1.0)},
        n_trials=10_000,
        timeout=0.3,
        cv=2,
        n_jobs=n_jobs,
        random_state=0,
    )
    with joblib.parallel_config(backend="threading"):
        search.fit(X, y)
    assert 1 <= search.n_trials_ < 10_000
    finished = [t for t in search.study_.trials if t.is_finished]
    cut = [t for t in search.study_.trials if not t.is_finished]
    assert len(finished) == search.n_trials_
    assert len(search.cv_results_["params"]) == search.n_trials_
    for trial in finished:
        assert trial.state is TrialState.COMPLETE
        assert len(trial.fold_results) == 2
    # No fold starts after the limit; the folds running or already handed to
    # joblib (its pre-dispatch: 2 * n_jobs tasks) are cancelled, so at most
    # their trials are cut.
    assert len(cut) <= (1 if n_jobs == 1 else 2 * n_jobs)
    for trial in cut:
        assert len(trial.fold_results) < 2
    check_is_fitted(search.best_estimator_)


def test_timeout_without_n_trials(iris, fast_clf):
    X, y = iris
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.01),
        {"a": Float(0.0, 1.0)},
        timeout=0.2,
        cv=2,
        random_state=0,
    ).fit(X, y)
    assert search.n_trials_ >= 1
    assert search.n_trials_ == sum(t.is_finished for t in search.study_.trials)
    assert len(search.study_.trials) <= search.n_trials_ + 1  # one cut short at most


@pytest.mark.parametrize("sampler", ["grid", "random", None])
def test_n_trials_beyond_a_finite_space_warns_and_stops(iris, fast_clf, sampler):
    X, y = iris
    space = {"a": [0.0, 0.5], "kind": ["x", "y"]}
    search = ScoutSearchCV(
        fast_clf, space, sampler=sampler, n_trials=10, cv=2, random_state=0
    )
    with pytest.warns(UserWarning, match=r"n_trials=10 is more than the 4 distinct params"):
        search.fit(X, y)
    assert search.n_trials_ == 4
    seen = {(p["a"], p["kind"]) for p in search.cv_results_["params"]}
    assert seen == {(0.0, "x"), (0.0, "y"), (0.5, "x"), (0.5, "y")}


def test_grid_with_fewer_trials_takes_the_first_points(iris, fast_clf):
    X, y = iris
    grid = {"a": [0.0, 0.5, 1.0], "b": [1, 2]}
    search = ScoutSearchCV(fast_clf, grid, sampler="grid", n_trials=3, cv=2).fit(X, y)
    assert search.cv_results_["params"] == [
        {"a": 0.0, "b": 1},
        {"a": 0.0, "b": 2},
        {"a": 0.5, "b": 1},
    ]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_all_trials_failing_says_so(iris, failing_clf, n_jobs):
    X, y = iris
    search = ScoutSearchCV(failing_clf, {"parameter": [2]}, cv=3, n_jobs=n_jobs)
    with pytest.raises(
        ValueError, match=r"\nAll the 3 fits failed\.\nThey are every fold of the 1 trials"
    ) as info:
        search.fit(X, y)
    assert "Failing classifier failed as required" in str(info.value)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_error_score_raise_reraises_the_estimator_error(iris, failing_clf, n_jobs):
    X, y = iris
    search = ScoutSearchCV(
        failing_clf, {"parameter": [0, 2]}, cv=3, n_jobs=n_jobs, error_score="raise"
    )
    with pytest.raises(ValueError, match=r"^Failing classifier failed as required$"):
        search.fit(X, y)


def test_best_trial_matches_study(iris, fast_clf):
    X, y = iris
    search = ScoutSearchCV(
        fast_clf, {"a": Float(0.0, 1.0), "b": Int(1, 5)}, n_trials=20, cv=2, random_state=1
    ).fit(X, y)
    assert search.best_params_ == search.study_.best_params
    assert search.best_score_ == pytest.approx(search.study_.best_value)
    values = [t.value for t in search.study_.trials]
    assert not any(math.isnan(v) for v in values)


def test_input_is_not_modified(iris):
    X, y = iris
    X_before, y_before = X.copy(), y.copy()
    ScoutSearchCV(SVC(), {"C": [1.0]}, cv=KFold(2, shuffle=True, random_state=0)).fit(X, y)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_fit_twice_gives_fresh_results(iris, fast_clf):
    X, y = iris
    search = ScoutSearchCV(
        fast_clf, {"a": Float(0.0, 1.0)}, n_trials=4, cv=2, random_state=0
    )
    first = search.fit(X, y).study_
    second = search.fit(X, y).study_
    assert first is not second
    assert len(second.trials) == 4
    # A second fit with the same seed proposes the same params.
    assert [t.params for t in first.trials] == [t.params for t in second.trials]


def test_loguniform_and_int_log_ranges(iris, fast_clf):
    X, y = iris
    space = {"a": loguniform(1e-3, 1.0), "b": Int(1, 100, log=True)}
    search = ScoutSearchCV(fast_clf, space, n_trials=12, cv=2, random_state=0).fit(X, y)
    for p in search.cv_results_["params"]:
        assert 1e-3 <= p["a"] <= 1.0
        assert isinstance(p["b"], int)
        assert 1 <= p["b"] <= 100


def _fold(seconds):
    from scout_sklearn import FoldResult

    return FoldResult(
        fold=0,
        test_scores={"score": 1.0},
        train_scores=None,
        fit_time=seconds,
        score_time=0.0,
        n_test_samples=10,
    )


@pytest.mark.parametrize(
    ("n_jobs", "seconds", "ask_ahead", "expected"),
    [
        (2, None, False, 1),  # nothing measured yet: one task per call
        (1, 0.0001, False, 1),  # one worker: every result reaches the sampler at once
        (2, 0.0001, False, 4),  # short folds share a call, at most 4 of them
        (2, 0.0001, True, 64),  # more when the sampler does not learn from results
        (2, 0.001, True, 20),  # about 20 ms per call
        (2, 0.008, False, 2),
        (2, 0.05, True, 1),  # long folds go alone, so no worker idles at the end
    ],
)
def test_short_folds_go_to_workers_a_few_at_a_time(n_jobs, seconds, ask_ahead, expected):
    from scout_sklearn._evaluate import FoldRunner

    runner = FoldRunner(
        DecisionTreeClassifier(),
        None,
        None,
        scorer=None,
        fit_params={},
        score_params={},
        return_train_score=False,
        error_score=np.nan,
        n_jobs=n_jobs,
        pre_dispatch="2*n_jobs",
        ask_ahead=ask_ahead,
    )
    for _ in range(20 if seconds is not None else 0):
        runner._observe(_fold(seconds))
    assert runner._chunk_size() == expected


def test_chunked_folds_give_the_same_results_as_one_worker(iris):
    X, y = iris
    space = {"max_depth": [1, 2, 3, 4, 5], "min_samples_leaf": [1, 2, 4, 8]}

    def run(n_jobs):
        search = ScoutSearchCV(
            DecisionTreeClassifier(random_state=0),
            space,
            sampler="grid",
            cv=3,
            n_jobs=n_jobs,
        )
        return search.fit(X, y)

    one, two = run(1), run(2)
    for key in (
        "mean_test_score",
        "split0_test_score",
        "split2_test_score",
        "rank_test_score",
    ):
        np.testing.assert_array_equal(one.cv_results_[key], two.cv_results_[key])
    assert [t.params for t in one.study_.trials] == [t.params for t in two.study_.trials]
    assert all(len(t.fold_results) == 3 for t in two.study_.trials)


@pytest.mark.parametrize(
    ("sampler", "learns"),
    [("grid", False), ("random", False), ("qmc", False), ("tpe", True), ("gp", True)],
)
def test_only_samplers_that_learn_from_results_limit_asking_ahead(sampler, learns):
    from scout_sklearn.samplers._registry import make_sampler

    assert make_sampler(sampler, owner="test")._learns_from_results() is learns

    class Mine(RandomSampler):
        def ask(self, space, history, rng):
            return super().ask(space, history, rng)

    assert Mine()._learns_from_results()  # a user's ask is assumed to learn


def test_loky_workers_leave_their_imports_out_of_gc_the_users_process_never(iris):
    import gc

    X, y = iris
    space = {"max_depth": [1, 2, 3]}
    before = gc.get_freeze_count()
    ScoutSearchCV(DecisionTreeClassifier(), space, cv=2, n_jobs=1).fit(X, y)
    with joblib.parallel_config(backend="threading"):
        ScoutSearchCV(DecisionTreeClassifier(), space, cv=2, n_jobs=2).fit(X, y)
    assert gc.get_freeze_count() == before
    ScoutSearchCV(DecisionTreeClassifier(), space, cv=2, n_jobs=2).fit(X, y)
    assert gc.get_freeze_count() == before
    # The same loky workers, reused: those that ran folds froze once.
    counts = joblib.Parallel(n_jobs=2)(
        joblib.delayed(gc.get_freeze_count)() for _ in range(8)
    )
    assert max(counts) > 0


def test_local_workers_get_the_data_through_a_map_written_once(digits, tmp_path):
    import os

    from scout_sklearn._evaluate import FoldRunner

    X, y = digits  # 150 kB of float64: above our bar, below joblib's own (1 MB)
    space = {"max_depth": [2, 4, 6], "min_samples_leaf": [1, 5]}
    os.environ["JOBLIB_TEMP_FOLDER"] = str(tmp_path)
    try:
        two = ScoutSearchCV(
            DecisionTreeClassifier(random_state=0), space, sampler="grid", cv=3, n_jobs=2
        ).fit(X, y)
        runner = FoldRunner(
            DecisionTreeClassifier(),
            X,
            y,
            scorer=None,
            fit_params={},
            score_params={},
            return_train_score=False,
            error_score=np.nan,
            n_jobs=2,
            pre_dispatch="2*n_jobs",
        )
        with runner:
            assert isinstance(runner._X, np.memmap)
            np.testing.assert_array_equal(runner._X, X)
            assert len(list(tmp_path.iterdir())) == 1  # one folder, X's file in it
            assert runner._y is y  # small arrays are pickled with each call
        assert runner._X is X
        with joblib.parallel_config(backend="threading"), runner:
            assert runner._X is X  # threads share the process's memory already
    finally:
        del os.environ["JOBLIB_TEMP_FOLDER"]
    assert list(tmp_path.iterdir()) == []  # removed when the search ends
    one = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0), space, sampler="grid", cv=3, n_jobs=1
    ).fit(X, y)
    for key in ("mean_test_score", "split1_test_score", "rank_test_score"):
        np.testing.assert_array_equal(one.cv_results_[key], two.cv_results_[key])


def test_shared_data_falls_back_to_pickling_when_it_cannot_be_written(tmp_path):
    import os

    from scout_sklearn._transport import SharedArrays

    X = np.ones((200, 64))  # 100 kB
    os.environ["JOBLIB_TEMP_FOLDER"] = str(tmp_path / "missing" / "folder")
    try:
        shared = SharedArrays()
        assert shared.share(X) is X  # joblib pickles it with each call, as before
        shared.close()
    finally:
        del os.environ["JOBLIB_TEMP_FOLDER"]


def test_shared_data_folder_is_removed_when_the_search_process_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    script = (
        "import sys, time, numpy as np\n"
        "from scout_sklearn._transport import SharedArrays\n"
        "shared = SharedArrays()\n"
        "x = shared.share(np.ones((200, 64)))\n"
        "print(shared._folder, flush=True)\n"
        "time.sleep(60)\n"
    )
    env = dict(os.environ, JOBLIB_TEMP_FOLDER=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env
    )
    folder = process.stdout.readline().strip()
    assert folder.startswith(str(tmp_path))
    assert os.listdir(folder) == ["0.npy"]
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    deadline = time.monotonic() + 30
    while os.path.exists(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(folder)


OVERLAPPING = [
    {"kernel": ["linear"], "C": [1.0, 10.0]},
    {"kernel": ["linear", "rbf"], "C": [1.0, 10.0, 10.0]},
]


@pytest.mark.parametrize("sampler", ["random", "tpe", "qmc", "annealing", "gp", None])
def test_overlapping_dicts_are_searched_without_repeating_params(iris, sampler):
    # 8 grid points, 4 distinct params: a sampler other than the grid spends
    # no fit on params it has already tried, and says how many there are.
    X, y = iris
    search = ScoutSearchCV(SVC(), OVERLAPPING, sampler=sampler, n_trials=6, cv=2)
    with pytest.warns(UserWarning, match="more than the 4 distinct params"):
        search.fit(X, y)
    asked = [(p["kernel"], p["C"]) for p in search.cv_results_["params"]]
    assert sorted(asked) == [("linear", 1.0), ("linear", 10.0), ("rbf", 1.0), ("rbf", 10.0)]


def test_the_grid_evaluates_overlapping_dicts_like_gridsearchcv(iris):
    X, y = iris
    ours = ScoutSearchCV(SVC(), OVERLAPPING, cv=2).fit(X, y)
    theirs = GridSearchCV(SVC(), OVERLAPPING, cv=2).fit(X, y)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    assert len(ours.cv_results_["params"]) == 8
