"""Watching and steering a search: progress bar, log levels, callbacks, early
stopping, timeout, interrupts, enqueued params and the trials table."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import textwrap
import time

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.utils.validation import check_is_fitted

from scout_sklearn import Float, Int, ScoutSearchCV, Study, TrialState, load_study
from scout_sklearn.callbacks import EarlyStopping
from scout_sklearn.exceptions import InvalidParameterError

SPACE = {"a": Float(0.0, 1.0)}


def _messages(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "scout_sklearn"]


# -- logging levels -----------------------------------------------------------
@pytest.mark.parametrize("verbose", [0, 1, 2, 3])
def test_each_verbose_level_logs_its_records(iris, fast_clf, caplog, verbose):
    X, y = iris
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    ScoutSearchCV(fast_clf, SPACE, n_trials=4, cv=3, random_state=0, verbose=verbose).fit(
        X, y
    )
    messages = _messages(caplog)
    starts = [m for m in messages if m.startswith("Searching up to 4 trials of 3 folds")]
    stops = [m for m in messages if m.startswith("Stopped (n_trials reached)")]
    trials = [m for m in messages if re.match(r"\[trial \d+\] score=", m)]
    folds = [m for m in messages if re.match(r"\[trial \d+ fold \d/3\] score=", m)]
    bests = [m for m in messages if re.match(r"Best trial \d: mean test score 0\.\d+ ", m)]
    assert len(starts) == len(stops) == len(bests) == (1 if verbose >= 1 else 0)
    assert len(trials) == (4 if verbose >= 2 else 0)
    assert len(folds) == (12 if verbose >= 3 else 0)
    assert len(messages) == len(starts) + len(stops) + len(bests) + len(trials) + len(folds)


@pytest.mark.parametrize(
    ("space", "chosen"),
    [({"a": Float(0.0, 1.0)}, "GPSampler()"), ({"kind": ["x", "y", "z"]}, "GPSampler()")],
)
def test_the_start_line_names_the_sampler_autosampler_chose(
    iris, fast_clf, caplog, space, chosen
):
    X, y = iris
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    ScoutSearchCV(fast_clf, space, n_trials=3, cv=2, random_state=0, verbose=1).fit(X, y)
    (start,) = [m for m in _messages(caplog) if m.startswith("Searching")]
    assert f"with AutoSampler(), which chose {chosen} for this space" in start


def test_verbose_zero_prints_nothing(iris, fast_clf, capfd):
    X, y = iris
    ScoutSearchCV(fast_clf, SPACE, n_trials=3, cv=2, random_state=0).fit(X, y)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_verbose_lines_reach_stderr_when_logging_is_not_configured(iris, fast_clf):
    # In a fresh interpreter nobody configured logging: the search shows its
    # lines itself, on stderr, and nothing on stdout.
    code = textwrap.dedent(
        """
        import numpy as np
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        from scout_sklearn import ScoutSearchCV, Float
        X, y = load_iris(return_X_y=True)
        ScoutSearchCV(LogisticRegression(), {"C": Float(0.1, 10.0, log=True)},
                      n_trials=3, cv=2, random_state=0, verbose=2).fit(X, y)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "Searching up to 3 trials of 2 folds" in done.stderr
    assert len(re.findall(r"\[trial \d\] score=0\.\d{4} \{'C': ", done.stderr)) == 3


class _Collect(logging.Handler):
    """A handler an application might add: keeps every record it is given."""

    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_verbose_records_reach_a_handler_the_application_put_on_the_logger(iris, fast_clf):
    # The application configured the scout_sklearn logger with a handler but
    # no level: the level is inherited from the root (WARNING), below which
    # the INFO records of verbose=2 used to be dropped before any handler.
    X, y = iris
    scout_logger = logging.getLogger("scout_sklearn")
    handler = _Collect()
    scout_logger.addHandler(handler)
    try:
        assert scout_logger.getEffectiveLevel() > logging.INFO
        ScoutSearchCV(fast_clf, SPACE, n_trials=3, cv=2, random_state=0, verbose=2).fit(
            X, y
        )
        # Once fit returns, the application's configuration is as it was.
        assert scout_logger.level == logging.NOTSET
        assert scout_logger.handlers == [handler]
    finally:
        scout_logger.removeHandler(handler)
    messages = [r.getMessage() for r in handler.records]
    assert len([m for m in messages if re.match(r"\[trial \d\] score=", m)]) == 3
    assert any(m.startswith("Searching up to 3 trials") for m in messages)


def test_verbose_records_reach_logging_configured_by_basicconfig():
    # logging.basicConfig() puts a handler on the root logger at WARNING: the
    # search's explicit verbose=2 must still show each trial, through the
    # application's handler (its format), and leave the levels as they were.
    code = textwrap.dedent(
        """
        import logging
        logging.basicConfig(format="APP %(name)s %(levelname)s %(message)s")
        from sklearn.datasets import load_iris
        from sklearn.tree import DecisionTreeClassifier
        from scout_sklearn import ScoutSearchCV, Int
        X, y = load_iris(return_X_y=True)
        ScoutSearchCV(DecisionTreeClassifier(), {"max_depth": Int(1, 5)},
                      n_trials=3, cv=2, random_state=0, verbose=2).fit(X, y)
        print("levels", logging.getLogger("scout_sklearn").level,
              logging.getLogger().level)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    trials = [line for line in lines if re.match(r"APP scout_sklearn INFO \[trial ", line)]
    assert len(trials) == 3, done.stderr
    assert done.stdout.strip() == f"levels {logging.NOTSET} {logging.WARNING}"


# -- the progress bar ---------------------------------------------------------
def _run_in_a_terminal(code: str, timeout: float = 120, columns: int = 160) -> str:
    """Run ``code`` with stdout and stderr on a pseudo-terminal; return what it drew."""
    leader, follower = pty.openpty()
    # A new pseudo-terminal is 0x0 characters: give it a real terminal's size.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {**os.environ, "TERM": "xterm"}
    env.pop("COLUMNS", None)  # tqdm reads the terminal's own width
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(leader)
    assert proc.wait(timeout=30) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


def test_progress_bar_in_a_terminal_shows_trials_best_and_counts():
    code = textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("ignore")
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        from scout_sklearn import ScoutSearchCV, Float
        X, y = load_iris(return_X_y=True)
        search = ScoutSearchCV(
            LogisticRegression(), {"C": Float(1e-4, 10.0, log=True)},
            sampler="random", n_trials=6, cv=3, random_state=0, verbose=1,
            pruner="successive_halving", min_resource=30,
        ).fit(X, y)
        print("RESULT", search.best_score_, (search.cv_results_["state"] == "PRUNED").sum())
        """
    )
    drawn = _run_in_a_terminal(code)
    best, n_pruned = re.search(r"RESULT (\S+) (\d+)", drawn).groups()
    # The bar is redrawn in place with carriage returns: its last state counts.
    last = [line for line in re.split(r"[\r\n]", drawn) if line.startswith("trials:")][-1]
    assert "6/6" in last
    assert "100%" in last
    assert re.search(rf"best={float(best):.4g} \(trial \d+\)", last)
    if int(n_pruned):
        assert f"pruned={n_pruned}" in last
    else:
        assert "pruned=" not in last
    assert "[00:" in last  # elapsed time (and the ETA while it ran)


def test_progress_bar_starts_from_the_trials_a_resumed_study_holds(tmp_path, iris):
    url = f"sqlite:///{tmp_path / 's.db'}"
    X, y = iris
    from sklearn.linear_model import LogisticRegression

    ScoutSearchCV(
        LogisticRegression(),
        {"C": Float(0.1, 10.0)},
        n_trials=3,
        cv=2,
        random_state=0,
        storage=url,
    ).fit(X, y)
    code = textwrap.dedent(
        f"""
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        from scout_sklearn import ScoutSearchCV, Float
        X, y = load_iris(return_X_y=True)
        ScoutSearchCV(LogisticRegression(), {{"C": Float(0.1, 10.0)}}, n_trials=5, cv=2,
                      random_state=0, storage={url!r}, verbose=1).fit(X, y)
        """
    )
    drawn = _run_in_a_terminal(code)
    bars = [line for line in re.split(r"[\r\n]", drawn) if line.startswith("trials:")]
    assert "3/5" in bars[0]
    assert "5/5" in bars[-1]


def _last_bar(text: str) -> str:
    """The last state of a tqdm bar redrawn in place with carriage returns."""
    return [line for line in re.split(r"[\r\n]", text) if line.startswith("trials:")][-1]


def test_progress_bar_of_a_resumed_study_shows_the_study_best_and_pruned_counts(
    iris, fast_clf, tmp_path, capfd
):
    # The first fit holds the best trial (FastClassifier's optimum, a=0.3) and
    # some PRUNED ones; the resumed fit's own trials are all worse. The bar of
    # the resumed fit speaks of the study: its best and every PRUNED trial.
    X, y = iris
    search = ScoutSearchCV(
        fast_clf,
        SPACE,
        n_trials=9,
        cv=3,
        random_state=0,
        storage=f"sqlite:///{tmp_path / 'r.db'}",
        pruner="successive_halving",
        min_resource=30,
        enqueue=[{"a": 0.3}],
    ).fit(X, y)
    stored_pruned = sum(t.state is TrialState.PRUNED for t in search.study_.trials)
    assert stored_pruned
    capfd.readouterr()
    search.set_params(n_trials=18, verbose=1).fit(X, y)
    bar = _last_bar(capfd.readouterr().err)
    states = [t.state for t in search.study_.trials]
    assert search.study_.best_trial.number == 0  # found by the first fit
    assert f"best={search.best_score_:.4g}" in bar
    assert f"pruned={states.count(TrialState.PRUNED)}" in bar
    assert "18/18" in bar


def test_stop_line_counts_this_fit_s_trials_apart_from_stored_and_cut_ones(
    iris, fast_clf, tmp_path, caplog
):
    # Two trials are stored; the resumed fit runs out of time in the first
    # fold of its first trial (folds of 0.2 s, a 0.5 s timeout, 5 folds): no
    # trial finished in this fit, two are in the study, one was cut short.
    X, y = iris
    url = f"sqlite:///{tmp_path / 'stop.db'}"
    ScoutSearchCV(
        fast_clf, SPACE, n_trials=2, cv=5, random_state=0, storage=url, refit=False
    ).fit(X, y)
    search = ScoutSearchCV(
        clone(fast_clf).set_params(delay=0.2),
        SPACE,
        n_trials=10,
        timeout=0.5,
        cv=5,
        random_state=0,
        storage=url,
        refit=False,
        verbose=1,
        ignore_fingerprint=True,  # the delay changed the estimator, not the problem
    )
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    search.fit(X, y)
    (stop,) = [m for m in _messages(caplog) if m.startswith("Stopped")]
    running = [t for t in search.study_.trials if not t.is_finished]
    assert search.n_trials_ == 2
    assert len(running) == 1
    assert stop.startswith("Stopped (timeout reached): 0 trials finished in this fit in ")
    assert "the study holds 2 finished trials (2 from before this fit)" in stop
    assert "1 trial cut short by the timeout stays RUNNING for a resume" in stop


def test_stop_line_of_a_fresh_search_counts_its_trials(iris, fast_clf, caplog):
    X, y = iris
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    search = ScoutSearchCV(fast_clf, SPACE, n_trials=4, cv=2, random_state=0, verbose=1)
    search.fit(X, y)
    (stop,) = [m for m in _messages(caplog) if m.startswith("Stopped")]
    assert re.fullmatch(
        r"Stopped \(n_trials reached\): 4 trials finished in this fit in \d+\.\ds", stop
    )


def test_the_bar_shows_the_best_value_and_the_end_shows_the_best_params():
    # Six parameters with long names in a 100-column terminal: the bar keeps
    # its cells and shows the best value with its trial; the best params are
    # written in full once, when the search ends.
    space = {
        "standardscaler__with_mean": [True, False],
        "standardscaler__with_std": [True, False],
        "decisiontreeclassifier__criterion": ["gini", "entropy"],
        "decisiontreeclassifier__max_depth": [1, 2, 3, 4],
        "decisiontreeclassifier__min_samples_leaf": [1, 5, 10],
        "decisiontreeclassifier__max_features": [0.5, 1.0],
    }
    names = list(space)
    code = textwrap.dedent(
        f"""
        import warnings
        warnings.simplefilter("ignore")
        from sklearn.datasets import load_iris
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.tree import DecisionTreeClassifier
        from scout_sklearn import ScoutSearchCV
        X, y = load_iris(return_X_y=True)
        pipeline = make_pipeline(StandardScaler(), DecisionTreeClassifier(random_state=0))
        search = ScoutSearchCV(pipeline, {space!r}, sampler="random", n_trials=5, cv=2,
                               random_state=0, verbose=1).fit(X, y)
        print("RESULT", search.best_index_, repr(search.best_params_))
        """
    )
    drawn = _run_in_a_terminal(code, columns=100)
    best_params = re.search(r"RESULT \d+ (\{.*\})", drawn).group(1)
    bar = _last_bar(drawn)
    assert len(bar) <= 100
    cells = re.search(r"\|([^|]*)\|", bar).group(1)
    assert len(cells) >= 10, bar  # the bar keeps room to grow
    assert "best=" in bar
    assert not any(name in bar for name in names)
    best_line = re.search(r"Best trial (\d+): mean test score \S+ with (\{.*\})", drawn)
    assert best_line is not None, drawn
    assert best_line.group(2) == best_params


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


# -- enqueue --------------------------------------------------------------------
def test_enqueued_params_run_first(iris, fast_clf):
    X, y = iris
    first = [{"a": 0.3}, {"a": 0.9}]
    search = ScoutSearchCV(
        fast_clf, SPACE, n_trials=5, cv=2, random_state=0, enqueue=first
    ).fit(X, y)
    trials = search.study_.trials
    assert [dict(t.params) for t in trials[:2]] == first
    assert len(trials) == 5
    assert search.best_params_ == {"a": 0.3}  # the known optimum of FastClassifier


def test_study_enqueue_through_the_fitted_study(iris, fast_clf):
    X, y = iris
    search = ScoutSearchCV(fast_clf, SPACE, n_trials=3, cv=2, random_state=0).fit(X, y)
    study = search.study_
    study.enqueue({"a": 0.3})
    assert study.trials[-1].params == {"a": 0.3}
    assert study.trials[-1].state is TrialState.RUNNING


@pytest.mark.parametrize(
    ("enqueue", "message"),
    [
        (
            [{"C": 2.0}],
            "The 'enqueue' parameter of ScoutSearchCV holds params outside the search "
            "space at index 0: {'C': 2.0}",
        ),
        ([{"C": 0.1}, {"b": 0.1}], "outside the search space at index 1: {'b': 0.1}"),
        ([{"C": 0.1}] * 4, "lists 4 params, more than the 3 trials of the search"),
        ({"C": 0.1}, "The 'enqueue' parameter of ScoutSearchCV must be a list of dicts"),
    ],
)
def test_bad_enqueue_is_refused_before_any_fit(iris, fit_spy, enqueue, message):
    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": Float(0.0, 1.0)}, n_trials=3, cv=2, enqueue=enqueue
    )
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_a_resumed_study_does_not_queue_its_params_twice(iris, fast_clf, tmp_path):
    X, y = iris
    url = f"sqlite:///{tmp_path / 'q.db'}"
    search = ScoutSearchCV(
        fast_clf,
        SPACE,
        n_trials=3,
        cv=2,
        random_state=0,
        storage=url,
        enqueue=[{"a": 0.3}],
    )
    search.fit(X, y)
    search.set_params(n_trials=6).fit(X, y)
    params = [t.params["a"] for t in search.study_.trials]
    assert len(params) == 6
    assert params.count(0.3) == 1


# -- trials table ---------------------------------------------------------------
def test_trials_dataframe_matches_cv_results(iris, fast_clf):
    pytest.importorskip("pandas")
    X, y = iris
    search = ScoutSearchCV(
        fast_clf,
        {"a": Float(0.0, 1.0), "kind": ["x", "y"]},
        n_trials=6,
        cv=3,
        random_state=0,
        return_train_score=True,
    ).fit(X, y)
    frame = search.trials_dataframe()
    assert len(frame) == 6
    assert list(frame["number"]) == list(search.cv_results_["trial_number"])
    np.testing.assert_allclose(
        frame["mean_test_score"], search.cv_results_["mean_test_score"]
    )
    np.testing.assert_allclose(
        frame["std_test_score"], search.cv_results_["std_test_score"]
    )
    assert list(frame["params_kind"]) == list(search.cv_results_["param_kind"])
    assert set(frame["state"]) == {"COMPLETE"}
    assert "mean_train_score" in frame.columns


def test_trials_dataframe_needs_a_fitted_search(fast_clf):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        ScoutSearchCV(fast_clf, SPACE, n_trials=2).trials_dataframe()


# -- scikit-learn's own callback API (set_callbacks, scikit-learn >= 1.9) ------------
class _TaskRecorder:
    """A scikit-learn FitCallback that records every task event it sees."""

    def __init__(self):
        self.events = []

    def setup(self, estimator, context):
        self.events.append(("setup",))

    def teardown(self, estimator, context):
        self.events.append(("teardown",))

    def on_fit_task_begin(self, estimator, context):
        self.events.append(("begin", context.task_name, context.task_id))

    def on_fit_task_end(self, estimator, context):
        self.events.append(("end", context.task_name, context.task_id))


def test_sklearn_callbacks_see_the_same_task_events_as_on_gridsearchcv(iris):
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    X, y = iris
    grid = {"C": [0.1, 1.0, 10.0]}
    theirs, ours = _TaskRecorder(), _TaskRecorder()
    GridSearchCV(LogisticRegression(max_iter=500), grid, cv=3).set_callbacks(theirs).fit(
        X, y
    )
    search = ScoutSearchCV(LogisticRegression(max_iter=500), grid, cv=3)
    search.set_callbacks(ours).fit(X, y)
    assert ours.events == theirs.events
    assert ours.events.count(("end", "search", 0)) == 1
    assert sum(e[1:2] == ("candidate-split-evaluation",) for e in ours.events) == 18


def test_sklearn_progress_bar_runs_on_a_search(iris, capsys, monkeypatch):
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9 has no callbacks")
    pytest.importorskip("rich", reason="scikit-learn's ProgressBar needs rich")
    # The bar is propagated to the fold fits, whose rows widen the description
    # column: in rich's default 80 columns the percentages are cut to "10…".
    monkeypatch.setenv("COLUMNS", "200")
    from sklearn.callback import ProgressBar
    from sklearn.linear_model import LogisticRegression

    X, y = iris
    search = ScoutSearchCV(
        LogisticRegression(max_iter=500),
        {"C": Float(0.1, 10.0)},
        n_trials=4,
        cv=2,
        random_state=0,
    ).set_callbacks(ProgressBar())
    search.fit(X, y)
    shown = capsys.readouterr().out
    assert "ScoutSearchCV - search" in shown
    assert "LogisticRegression - fit" in shown  # propagated to the fold fits
    assert "100%" in shown


def test_trials_dataframe_of_a_pruned_search_shows_rungs_and_resources(iris, fast_clf):
    pytest.importorskip("pandas")
    X, y = iris
    search = ScoutSearchCV(
        fast_clf,
        SPACE,
        n_trials=8,
        cv=3,
        random_state=0,
        pruner="successive_halving",
        min_resource=30,
    ).fit(X, y)
    frame = search.trials_dataframe().set_index("number")
    results = search.cv_results_
    for number, n_resources, mean in zip(
        results["trial_number"], results["n_resources"], results["mean_test_score"]
    ):
        assert frame.loc[number, "resource"] == n_resources
        assert frame.loc[number, "mean_test_score"] == pytest.approx(mean)
