"""What watching a search costs: progress bar, log lines, callbacks.

Run it from the repository root with ``python benchmarks/observability.py``
(about a minute; ``--repeats`` to change the 9 repeats). It fits the same
200-candidate x 3-fold grid of a DummyClassifier on wine (fits of a fraction
of a millisecond, so that what the search itself does is most of the time)
at ``n_jobs=1`` with
``verbose=0`` (the reference), ``verbose=1`` (the progress bar), ``verbose=2``
(plus one log line per trial), ``verbose=3`` (plus one per fold) and with
``callbacks=[EarlyStopping(patience=10**6)]`` (a callback that never stops
the search), and GridSearchCV with ``verbose=0`` and ``verbose=3`` (its own
per-fold prints) as the peer. Runs are interleaved; each figure is the
median process CPU time over the repeats (the spread, max - min over the
repeats, is printed beside it), so other load on the machine disturbs it
less than wall time. Output (bar, log lines, prints) goes to
/dev/null. Target: every option adds at most 0.2 ms of CPU per trial over
``verbose=0``, i.e. watching a search costs nothing next to its fits.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import verdict

TARGET_MS = 0.2


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """Send file descriptors 1 and 2 (and Python's streams) to /dev/null."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()

    from sklearn.datasets import load_wine
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import GridSearchCV

    from scout_sklearn import ScoutSearchCV
    from scout_sklearn.callbacks import EarlyStopping

    X, y = load_wine(return_X_y=True)
    grid = {
        "strategy": ["most_frequent", "prior", "stratified", "uniform"],
        "random_state": list(range(50)),
    }
    n_trials = 4 * 50
    estimator = DummyClassifier()

    def scout(**kwargs: Any) -> Callable[[], Any]:
        return lambda: ScoutSearchCV(estimator, grid, cv=3, n_jobs=1, **kwargs).fit(X, y)

    def grid_search(verbose: int) -> Callable[[], Any]:
        return lambda: GridSearchCV(estimator, grid, cv=3, n_jobs=1, verbose=verbose).fit(
            X, y
        )

    methods: dict[str, Callable[[], Any]] = {
        "ScoutSearchCV verbose=0": scout(),
        "ScoutSearchCV verbose=1 (bar)": scout(verbose=1),
        "ScoutSearchCV verbose=2 (+trial lines)": scout(verbose=2),
        "ScoutSearchCV verbose=3 (+fold lines)": scout(verbose=3),
        "ScoutSearchCV callbacks=[EarlyStopping]": scout(
            callbacks=[EarlyStopping(patience=10**6)]
        ),
        "GridSearchCV verbose=0": grid_search(0),
        "GridSearchCV verbose=3 (prints)": grid_search(3),
    }
    print(f"load average at start: {os.getloadavg()}")
    print(f"{n_trials} candidates x 3 folds, n_jobs=1, {args.repeats} repeats\n")
    times: dict[str, list[float]] = {name: [] for name in methods}
    warnings.simplefilter("ignore")
    with silenced():
        for fit in methods.values():  # warm-up: imports, first-call caches
            fit()
        for _ in range(args.repeats):
            for name, fit in methods.items():
                start = time.process_time()
                fit()
                times[name].append(time.process_time() - start)

    direct = per_trial_path(X, y, grid, estimator)

    base = statistics.median(times["ScoutSearchCV verbose=0"])
    grid_base = statistics.median(times["GridSearchCV verbose=0"])
    print(f"{'method':42s} {'CPU s':>8s} {'spread':>8s} {'+ms/trial':>10s}")
    rows = []
    for name, values in times.items():
        median = statistics.median(values)
        reference = grid_base if name.startswith("GridSearchCV") else base
        extra_ms = (median - reference) / n_trials * 1000
        rows.append((name, extra_ms))
        spread = max(values) - min(values)
        print(f"{name:42s} {median:8.3f} {spread:8.3f} {extra_ms:+10.3f}")
    print(f"\nload average at end: {os.getloadavg()}")
    print("\nThe per-trial path alone (3 folds a trial), CPU ms per trial:")
    reference = direct["ScoutSearchCV verbose=0"]
    for name, ms in direct.items():
        print(f"  {name:42s} {ms:7.4f}  ({ms - reference:+.4f} over verbose=0)")
    print(f"\nTarget: each ScoutSearchCV option adds <= {TARGET_MS} ms CPU per trial")
    for name, ms in direct.items():
        if name != "ScoutSearchCV verbose=0":
            extra = ms - reference
            print(f"  {name:42s} {extra:+.4f} ms  {verdict(extra <= TARGET_MS)}")
    del rows


def per_trial_path(X: Any, y: Any, grid: Any, estimator: Any) -> dict[str, float]:
    """CPU ms per trial of what a search does when a trial and its 3 folds finish."""
    from scout_sklearn import ScoutSearchCV
    from scout_sklearn._compat import TaskEvents
    from scout_sklearn.callbacks import EarlyStopping
    from scout_sklearn.reporting import Progress, verbose_logging

    configs: dict[str, dict[str, Any]] = {
        "ScoutSearchCV verbose=0": {},
        "ScoutSearchCV verbose=1 (bar)": {"verbose": 1},
        "ScoutSearchCV verbose=2 (+trial lines)": {"verbose": 2},
        "ScoutSearchCV verbose=3 (+fold lines)": {"verbose": 3},
        "ScoutSearchCV callbacks=[EarlyStopping]": {
            "callbacks": [EarlyStopping(patience=10**6)]
        },
    }
    n_calls = 2000
    out = {}
    with silenced():
        fitted = ScoutSearchCV(estimator, grid, cv=3).fit(X, y)
        trials = [t for t in fitted.study_.trials if t.is_finished]
        for name, kwargs in configs.items():
            search = ScoutSearchCV(estimator, grid, cv=3, **kwargs).fit(X, y)
            study = search.study_
            callbacks = list(search.callbacks or ())
            events = TaskEvents(search, X, y, None)
            with verbose_logging(search.verbose):
                progress = Progress(n_calls, enabled=bool(search.verbose))
                start = time.process_time()
                for i in range(n_calls):
                    trial = trials[i % len(trials)]
                    for fold in trial.fold_results:
                        search._fold_finished(events, trial.number, fold)
                    search._trial_finished(study, progress, callbacks, trial)
                elapsed = time.process_time() - start
                progress.close()
            out[name] = elapsed / n_calls * 1000
    return out


if __name__ == "__main__":
    main()
