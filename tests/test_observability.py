"""Watching a search: progress bar, log levels, enqueued params and the trials
table (callbacks, early stopping, timeout and interrupts: test_stopping.py)."""

from __future__ import annotations

import fcntl
import logging
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import textwrap
import time

import numpy as np
import pytest
from sklearn.base import clone

from scout_sklearn import Float, ScoutSearchCV, TrialState
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


def test_progress_in_a_log_file_is_whole_lines_a_tenth_of_the_total_apart(tmp_path):
    # A batch job's stderr is a file: tqdm's redraws with carriage returns
    # made one line of hundreds of bars there.
    code = textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("ignore")
        from sklearn.datasets import load_iris
        from sklearn.tree import DecisionTreeClassifier
        from scout_sklearn import ScoutSearchCV, Int
        X, y = load_iris(return_X_y=True)
        search = ScoutSearchCV(
            DecisionTreeClassifier(random_state=0), {"max_depth": Int(1, 30)},
            sampler="random", n_trials=20, cv=2, random_state=0, verbose=1,
        ).fit(X, y)
        print("BEST", search.best_score_)
        """
    )
    log = tmp_path / "job.log"
    with log.open("w") as stderr:
        done = subprocess.run(
            [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=stderr, timeout=120
        )
    text = log.read_text()
    assert done.returncode == 0, text
    assert "\r" not in text
    lines = [line for line in text.splitlines() if line.startswith("trials:")]
    # At the start, after the first trial, at every 2 trials (a tenth of 20),
    # nothing twice.
    counts = [
        re.match(r"trials: (\d+)/20 \((\d+)%\) after \d:\d\d:\d\d", line) for line in lines
    ]
    assert all(counts), lines
    assert [int(m.group(1)) for m in counts] == [0, 1, *range(2, 21, 2)]
    best = float(done.stdout.split()[-1])
    assert f"best={best:.4g} (trial " in lines[-1]
    assert lines[-1].startswith("trials: 20/20 (100%)")


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


def test_stop_line_names_the_trials_another_worker_still_holds(
    iris, fast_clf, tmp_path, caplog
):
    # Another live worker holds trial 2 under its lease: this fit stops at
    # n_trials=4 without it, and its stop line says so.
    from scout_sklearn import Study

    X, y = iris
    url = f"sqlite:///{tmp_path / 'held.db'}"
    first = ScoutSearchCV(fast_clf, SPACE, n_trials=2, cv=2, random_state=0, storage=url)
    first.fit(X, y)
    other = Study(
        first.study_.space,
        storage=first.study_.storage,
        name=first.study_.name,
        load_if_exists=True,
        ignore_fingerprint=True,
    )
    held = other.ask()
    caplog.set_level(logging.INFO, logger="scout_sklearn")
    search = ScoutSearchCV(
        fast_clf, SPACE, n_trials=4, cv=2, random_state=0, storage=url, verbose=1
    ).fit(X, y)
    (stop,) = [m for m in _messages(caplog) if m.startswith("Stopped")]
    assert search.study_.trials[held.number].state is TrialState.RUNNING
    assert search.n_trials_ == 3
    assert stop.endswith(
        "; 1 trial RUNNING under another worker's lease is not in cv_results_ "
        "(left to that worker, or to a later fit once the lease runs out)"
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
