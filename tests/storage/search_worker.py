"""A search run in its own process by the crash and concurrency tests.

    python search_worker.py TASK URL PREFIX STUDY SAMPLER N_TRIALS [LEASE_SECONDS]

TASK "svc" runs ScoutSearchCV(SVC) on the bundled digits data (folds of a
tenth of a second or more: a kill lands mid-fold); "knn" runs a 200-point
grid of KNeighborsClassifier on iris (folds of a millisecond: the storage
is the bottleneck). Then it prints one JSON line: the best trial's number,
params and score, and how many trials the fitted search saw.
"""

from __future__ import annotations

import json
import sys

from sklearn.datasets import load_digits, load_iris
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

from scout_sklearn import ScoutSearchCV
from scout_sklearn.storage import SQLStorage

TASKS = {
    "svc": (
        SVC,
        load_digits,
        {
            "C": [0.1, 1.0, 10.0, 100.0],
            "gamma": [1e-4, 1e-3, 1e-2],
            "kernel": ["rbf", "sigmoid"],
        },
    ),
    "knn": (
        KNeighborsClassifier,
        load_iris,
        {
            "n_neighbors": list(range(1, 51)),
            "weights": ["uniform", "distance"],
            "p": [1, 2],
        },
    ),
}


def main(argv: list[str]) -> None:
    task, url, prefix, study, sampler, n_trials = argv[:6]
    lease = float(argv[6]) if len(argv) > 6 else None
    kwargs = {} if lease is None else {"lease_seconds": lease}
    storage = SQLStorage(url, table_prefix=prefix, **kwargs)
    estimator, load, space = TASKS[task]
    X, y = load(return_X_y=True)
    search = ScoutSearchCV(
        estimator(),
        space,
        sampler=sampler,
        n_trials=int(n_trials),
        cv=3 if task == "svc" else 2,
        random_state=0,
        storage=storage,
        study_name=study,
        refit=False,
    ).fit(X, y)
    best = search.study_.best_trial
    print(
        json.dumps(
            {
                "best_number": best.number,
                "best_params": dict(best.params),
                "best_score": search.best_score_,
                "n_trials": search.n_trials_,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
