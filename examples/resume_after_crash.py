"""
=============================================================================
Resume after a crash: a search killed with SIGKILL continues where it stopped
=============================================================================

With ``storage="sqlite:///resume_demo.db"`` every fold result is written to
a SQLite file as soon as it finishes. This script:

1. starts the search in a child process (this same script with
   ``--child``);
2. watches the database and kills the child with SIGKILL, which no Python
   code can catch, once a few trials are stored, in the middle of a trial;
3. runs the very same search again in this process. It finds the study,
   keeps the finished trials, takes back the trial the child was running
   (its owner process no longer exists) with the folds it had finished, and
   runs only what is missing: ``n_trials`` is the study's total.

The database is deleted first, so every run shows a crash. Run it with
``python examples/resume_after_crash.py`` (POSIX only: it uses SIGKILL);
``SCOUT_EXAMPLES_QUICK=1`` runs a tiny budget.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Float, ScoutSearchCV, list_studies, load_study
from scout_sklearn.storage import SQLStorage

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"
DB = Path("resume_demo.db")  # in the current directory
STORAGE = f"sqlite:///{DB}"
STUDY = "resume-demo"
N_TRIALS = 10 if QUICK else 40
KILL_AFTER = 3 if QUICK else 15  # finished trials stored before the SIGKILL


def run_search(n_jobs):
    """The search both processes run: same data, estimator, space and seed."""
    X, y = load_digits(return_X_y=True)
    X, y = X[::2], y[::2]
    search = ScoutSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {
            "svc__C": Float(1e-2, 1e3, log=True),
            "svc__gamma": Float(1e-5, 1e-1, log=True),
        },
        n_trials=N_TRIALS,
        cv=3,
        n_jobs=n_jobs,
        random_state=0,
        storage=STORAGE,
        study_name=STUDY,
    )
    return search.fit(X, y)


def stored_trials(storage):
    """The study's trials as stored, or () before the child has created it."""
    if STUDY not in list_studies(storage):
        return ()
    return load_study(storage, STUDY).trials


def crash_a_search(storage):
    """Run the search in a child process and SIGKILL it mid-way."""
    # This file again; the docs' gallery runs it without __file__, from its folder.
    script = globals().get("__file__", "resume_after_crash.py")
    child = subprocess.Popen([sys.executable, script, "--child"])
    print(f"child process {child.pid} searches {N_TRIALS} trials into {DB}")
    while child.poll() is None:
        trials = stored_trials(storage)
        n_finished = sum(t.is_finished for t in trials)
        # Kill it in the middle of a trial: some of its folds stored, not all.
        if n_finished >= KILL_AFTER and any(
            t.fold_results and not t.is_finished for t in trials
        ):
            os.kill(child.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    # Reap the child: a dead process that was never waited for still exists.
    code = child.wait()
    if code == -signal.SIGKILL:
        print(f"killed the child with SIGKILL after {n_finished} finished trials")
    else:
        print(f"the child ended by itself (exit code {code}) before it was killed")


def main():
    for path in DB.parent.glob(f"{DB.name}*"):  # the file and its -wal/-shm
        path.unlink()
    # One storage object for every look: it connects once, and it creates the
    # tables before the child starts.
    storage = SQLStorage(STORAGE)
    crash_a_search(storage)

    before = stored_trials(storage)
    states = Counter(t.state.name for t in before)
    print(f"already stored: {len(before)} trials {dict(states)}")
    interrupted = [t for t in before if not t.is_finished]
    for trial in interrupted:
        n_folds = len(trial.fold_results)
        print(f"  trial {trial.number} was RUNNING with {n_folds} of its 3 folds stored")

    start = time.perf_counter()
    search = run_search(n_jobs=1 if QUICK else -1)
    seconds = time.perf_counter() - start
    after = stored_trials(storage)
    finished_before = sum(t.is_finished for t in before)
    print(
        f"resumed in this process: {search.n_trials_ - finished_before} trials finished "
        f"in {seconds:.1f}s, {search.n_trials_} finished in all"
    )
    for trial in interrupted:
        again = after[trial.number]
        print(
            f"  trial {trial.number} is now {again.state.name} with "
            f"{len(again.fold_results)} folds: only its missing folds ran"
        )
    reached = "reached" if search.n_trials_ == N_TRIALS == len(after) else "NOT reached"
    print(f"n_trials={N_TRIALS} {reached}: the study holds {len(after)} trials")
    print(f"best CV accuracy {search.best_score_:.4f} with {search.best_params_}")


if __name__ == "__main__":
    if "--child" in sys.argv:
        run_search(n_jobs=1)
    else:
        main()
