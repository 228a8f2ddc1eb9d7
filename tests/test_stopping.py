"""Steering a running search: callbacks, early stopping, timeout and interrupts."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.utils.validation import check_is_fitted

from scout_sklearn import Float, Int, ScoutSearchCV, Study, TrialState, load_study
from scout_sklearn.callbacks import EarlyStopping
from scout_sklearn.exceptions import InvalidParameterError

SPACE = {"a": Float(0.0, 1.0)}


# -- callbacks and early stopping ---------------------------------------------
def test_callbacks_see_every_finished_trial_in_order(iris, fast_clf):
    X, y = iris
    seen = []

    def record(study, trial):
        assert trial.is_finished
        seen.append((study, trial.number, trial.state))

    search = ScoutSearchCV(
        fast_clf, SPACE, n_trials=5, cv=2, random_state=0, callbacks=[record, record]
    ).fit(X, y)
    assert [number for _, number, _ in seen] == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert all(study is search.study_ for study, _, _ in seen)
    assert all(state is TrialState.COMPLETE for _, _, state in seen)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_callback_stops_the_search(iris, fast_clf, n_jobs):
    X, y = iris

    stopped = []

    def stop_after_trial_3(study, trial):
        if trial.number == 3:
            study.stop()
            stopped.append(time.time())

    search = ScoutSearchCV(
        fast_clf,
        SPACE,
        n_trials=50,
        cv=2,
        random_state=0,
        n_jobs=n_jobs,
        callbacks=[stop_after_trial_3],
    )
    search.fit(X, y)
    trials = search.study_.trials
    assert all(t.is_finished for t in trials)  # the ones running finished
    if n_jobs == 1:
        assert len(trials) == 4
    else:
        # joblib may have pulled folds of later trials ahead (pre-dispatch and
        # auto-batching); none was asked for after the stop, but for one ask
        # joblib's dispatch thread may have had under way at that moment.
        assert sum(t.started_at > stopped[0] for t in trials) <= 1
        assert len(trials) < 50
    check_is_fitted(search.best_estimator_)


def test_a_failing_callback_ends_fit_with_its_error(iris, fast_clf):
    X, y = iris

    def broken(study, trial):
        raise RuntimeError("callback broke")

    with pytest.raises(RuntimeError, match="callback broke"):
        ScoutSearchCV(fast_clf, SPACE, n_trials=3, cv=2, callbacks=[broken]).fit(X, y)


def test_early_stopping_on_a_known_sequence():
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    stop = EarlyStopping(patience=3, min_delta=0.005)
    values = [0.5, 0.6, 0.6, 0.55, 0.61, 0.6, 0.609, 0.3, 0.9]
    asked_to_stop = []
    for value in values:
        trial = study.ask()
        stop(study, study.tell(trial.number, value))
        asked_to_stop.append(study.stop_requested)
    # 0.61 beats 0.6 by more than 0.005 (trial 4); 0.609 does not beat 0.61 by
    # more than it: trials 5, 6 and 7 do not improve, so patience ends at trial 7.
    assert stop.stopped_at_ == 7
    assert asked_to_stop == [False] * 7 + [True, True]


def test_early_stopping_counts_pruned_and_failed_trials_as_no_improvement():
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    stop = EarlyStopping(patience=2)
    for state, value in [
        (TrialState.COMPLETE, 0.5),
        (TrialState.PRUNED, 0.9),
        (TrialState.FAILED, None),
    ]:
        trial = study.ask()
        stop(study, study.tell(trial.number, value, state=state))
    assert stop.stopped_at_ == 2


def test_early_stopping_stops_a_real_search_at_the_expected_trial(iris):
    # Every trial of a DummyClassifier scores the same: trial 0 sets the best,
    # and with patience=4 trials 1..4 do not improve it: the search ends after 4.
    X, y = iris
    stop = EarlyStopping(patience=4)
    search = ScoutSearchCV(
        DummyClassifier(strategy="prior"),
        {"random_state": Int(0, 1000)},
        n_trials=50,
        cv=3,
        random_state=0,
        callbacks=[stop],
    ).fit(X, y)
    assert stop.stopped_at_ == 4
    assert search.n_trials_ == 5
    # The same callback object starts afresh in a new fit.
    search.fit(X, y)
    assert search.n_trials_ == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"patience": 0},
            "The 'patience' parameter of EarlyStopping must be an int >= 1; "
            "got patience=0.",
        ),
        ({"patience": 2.5}, "got patience=2.5"),
        (
            {"min_delta": -0.1},
            "The 'min_delta' parameter of EarlyStopping must be a finite float >= 0; "
            "got min_delta=-0.1.",
        ),
        ({"min_delta": float("nan")}, "got min_delta=nan"),
    ],
)
def test_early_stopping_rejects_bad_parameters(kwargs, message):
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        EarlyStopping(**kwargs)


def test_callbacks_must_be_callables(iris, fast_clf, fit_spy):
    X, y = iris
    with pytest.raises(InvalidParameterError, match=r"The 'callbacks' parameter"):
        ScoutSearchCV(fit_spy, SPACE, n_trials=2, callbacks=["print"]).fit(X, y)
    assert fit_spy.calls["fit"] == 0


# -- timeout --------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_timeout_stops_within_one_fold_of_the_limit(iris, fast_clf, n_jobs):
    # Folds of 0.6 s, 5 per trial. With n_jobs=1 the limit (1.5 s) falls in
    # trial 0's fourth fold: finishing the trial would end at 3.0 s, cutting it
    # ends when that fold does (1.8 s). The bound leaves 0.5 s of slack for a
    # busy machine, less than the 1.2 s that finishing the trial would add.
    X, y = iris
    fold_seconds, limit = 0.6, 1.5
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=fold_seconds),
        SPACE,
        timeout=limit,
        cv=5,
        n_jobs=n_jobs,
        refit=False,
        random_state=0,
    )
    # Start the worker processes first: their start (over a second when they
    # import scikit-learn) is not the search's doing.
    clone(search).set_params(timeout=None, n_trials=1, cv=2).fit(X, y)
    try:
        search.fit(X, y)
    except ValueError as error:  # n_jobs=1: trial 0 is cut, nothing finished
        assert "No trial finished (timeout reached)" in str(error)  # noqa: PT017
    ended = time.time()
    trials = search.study_.trials
    # From the first trial's start (the search's clock starts just before it).
    elapsed = ended - trials[0].started_at
    assert elapsed <= limit + fold_seconds + 0.5
    cut = [t for t in trials if not t.is_finished]
    assert cut, "a trial was running at the limit"
    assert all(len(t.fold_results) < 5 for t in cut)
    if n_jobs == 1:
        assert len(trials) == 1


def test_timeout_keeps_the_cut_trials_folds_for_a_resume(iris, fast_clf, tmp_path):
    X, y = iris
    url = f"sqlite:///{tmp_path / 't.db'}"
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.25),
        SPACE,
        timeout=0.6,
        cv=4,
        refit=False,
        random_state=0,
        storage=url,
        study_name="cut",
    )
    with pytest.raises(ValueError, match="No trial finished"):
        search.fit(X, y)
    cut = load_study(url, "cut").trials[0]
    assert cut.state is TrialState.RUNNING
    assert 1 <= len(cut.fold_results) < 4
    assert cut.lease_until is not None
    assert cut.lease_until < time.time()  # released at once
    resumed = clone(search).set_params(timeout=None, n_trials=1).fit(X, y)
    trial = resumed.study_.trials[0]
    assert trial.state is TrialState.COMPLETE
    assert sorted(f.fold for f in trial.fold_results) == [0, 1, 2, 3]
    # The folds finished before the cut were kept, not run again.
    before = {f.fold: f.fit_time for f in cut.fold_results}
    assert {f.fold: f.fit_time for f in trial.fold_results if f.fold in before} == before


# -- interrupt ------------------------------------------------------------------
def test_keyboard_interrupt_leaves_a_fitted_search_then_reraises(iris, fast_clf, tmp_path):
    X, y = iris
    url = f"sqlite:///{tmp_path / 'ctrl_c.db'}"

    def interrupt_after_trial_2(study, trial):
        if trial.number == 2:
            raise KeyboardInterrupt

    search = ScoutSearchCV(
        fast_clf,
        SPACE,
        n_trials=20,
        cv=2,
        random_state=0,
        storage=url,
        study_name="ctrl-c",
        callbacks=[interrupt_after_trial_2],
    )
    with pytest.raises(KeyboardInterrupt) as interrupt:
        search.fit(X, y)
    # The interrupt is raised again from fit, without the frames below it
    # (the loop, joblib's dispatch) where it happened to land, nor a context.
    assert interrupt.traceback[-1].path.name == "_search.py"
    assert interrupt.value.__context__ is None
    assert search.n_trials_ == 3
    assert len(search.cv_results_["params"]) == 3
    check_is_fitted(search.best_estimator_)
    assert search.predict(X[:5]).shape == (5,)
    stored = load_study(url, "ctrl-c")
    assert sum(t.is_finished for t in stored.trials) == 3
    # Resuming finishes the budget, keeping the three trials.
    resumed = clone(search).set_params(callbacks=None).fit(X, y)
    assert resumed.n_trials_ == 20
    assert [p["a"] for p in resumed.cv_results_["params"][:3]] == [
        p["a"] for p in search.cv_results_["params"]
    ]


def test_an_interrupt_after_only_failed_trials_is_still_a_keyboard_interrupt(iris):
    # What finished makes no result (every trial FAILED): fit still raises
    # KeyboardInterrupt, which scripts catch, not "All the fits failed".
    from sklearn.linear_model import LogisticRegression

    X, y = iris

    def interrupt_after_trial_1(study, trial):
        if trial.number == 1:
            raise KeyboardInterrupt

    search = ScoutSearchCV(
        LogisticRegression(),
        {"C": [-1.0, -2.0, -3.0, -4.0]},  # a negative C fails every fit
        cv=2,
        error_score=float("nan"),
        callbacks=[interrupt_after_trial_1],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fits' own failure warnings
        with pytest.raises(KeyboardInterrupt):
            search.fit(X, y)


@pytest.mark.slow
def test_sigint_in_a_real_process_keeps_what_finished(tmp_path):
    url = f"sqlite:///{tmp_path / 'sigint.db'}"
    code = textwrap.dedent(
        f"""
        import json, sys
        from sklearn.datasets import load_digits
        from sklearn.svm import SVC
        from scout_sklearn import ScoutSearchCV, Float

        X, y = load_digits(return_X_y=True)
        def tell(study, trial):
            print("finished", trial.number, flush=True)
        search = ScoutSearchCV(
            SVC(), {{"C": Float(0.1, 100.0, log=True)}}, n_trials=200, cv=3,
            random_state=0, storage={url!r}, study_name="sigint", callbacks=[tell],
        )
        try:
            search.fit(X, y)
        except KeyboardInterrupt:
            print(json.dumps({{
                "n_trials_": search.n_trials_,
                "best_params_": search.best_params_,
                "accuracy": float(search.score(X, y)),
            }}), flush=True)
            sys.exit(130)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell's background job ignores SIGINT, and so would the child.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    finished = 0
    for line in proc.stdout:
        if line.startswith("finished"):
            finished += 1
            if finished == 3:
                proc.send_signal(signal.SIGINT)
                break
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["n_trials_"] >= 3
    assert report["accuracy"] > 0.9
    stored = load_study(url, "sigint")
    n_finished = sum(t.is_finished for t in stored.trials)
    assert n_finished == report["n_trials_"]
    # Whatever was cut short is free for the next run to take over at once.
    for trial in stored.trials:
        if not trial.is_finished:
            assert trial.lease_until is not None
            assert trial.lease_until < time.time()
