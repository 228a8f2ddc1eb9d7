"""One of several processes sharing a study, for test_shared_and_urls.py.

    python shared_worker.py URL PREFIX STUDY DATA

Runs a 24-point grid of KNeighborsClassifier with n_trials=12 and no
random_state on DATA ("iris" or "wine"), then prints one JSON line: its
cv_results_ (trial numbers, params, mean scores), best_* and n_trials_, or
the error that stopped it.
"""

from __future__ import annotations

import json
import sys

from sklearn.datasets import load_iris, load_wine
from sklearn.neighbors import KNeighborsClassifier

from scout_sklearn import ScoutSearchCV
from scout_sklearn.storage import SQLStorage


def main(url: str, prefix: str, study: str, data: str) -> None:
    X, y = (load_iris if data == "iris" else load_wine)(return_X_y=True)
    search = ScoutSearchCV(
        KNeighborsClassifier(),
        {"n_neighbors": list(range(1, 13)), "weights": ["uniform", "distance"]},
        n_trials=12,
        cv=3,
        storage=SQLStorage(url, table_prefix=prefix),
        study_name=study,
        refit=False,
    )
    try:
        search.fit(X, y)
    except Exception as err:  # noqa: BLE001 - reported to the test
        print(json.dumps({"error": type(err).__name__, "message": str(err)}))
        return
    results = search.cv_results_
    print(
        json.dumps(
            {
                "numbers": [int(n) for n in results["trial_number"]],
                "params": [dict(p) for p in results["params"]],
                "scores": [float(s) for s in results["mean_test_score"]],
                "best_index": int(search.best_index_),
                "best_params": search.best_params_,
                "best_score": float(search.best_score_),
                "n_trials": search.n_trials_,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])
