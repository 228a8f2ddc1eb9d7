"""
=====================================================================================
Per-fold early stopping with LGBMClassifier: a validation split carved from each fold
=====================================================================================

Run it with ``python examples/lightgbm_early_stopping.py`` (needs ``pip install
lightgbm``). Each of the 3 CV folds carves 15% of its *training* part off
and hands it to LGBMClassifier as ``eval_X``/``eval_y`` (``eval_set`` before
LightGBM 4.7); with ``early_stopping_round=20`` each fold stops where its
validation loss stops improving.
The fold's test part is never seen, so the CV scores do not leak. The search
records the rounds each fold kept (``split{k}_n_iterations`` in
``cv_results_``) and refits the best params on all the training data for the
median of the best trial's rounds, with early stopping off.
"""

import os
import sys

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from scout_sklearn import Float, Int, ScoutSearchCV, ValidationSplit

try:
    from lightgbm import LGBMClassifier
except ImportError:
    print("skipped: lightgbm is not installed (pip install lightgbm)")
    sys.exit(0)

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

search = ScoutSearchCV(
    LGBMClassifier(n_estimators=400, early_stopping_round=20, n_jobs=1, verbose=-1),
    {
        "learning_rate": Float(0.02, 0.3, log=True),
        "max_depth": Int(2, 6),
        "min_child_samples": Int(5, 40),
    },
    n_trials=6 if QUICK else 30,
    cv=3,
    validation=ValidationSplit(0.15),
    n_jobs=-1,
    random_state=0,
)
search.fit(X_train, y_train)

best = search.best_index_
rounds = [int(search.cv_results_[f"split{k}_n_iterations"][best]) for k in range(3)]
print(f"best params: {search.best_params_}")
print(f"best CV accuracy: {search.best_score_:.4f}")
print(f"rounds kept by the best trial's folds: {rounds}")
n_estimators = search.best_estimator_.get_params()["n_estimators"]
print(f"refit for {search.best_n_iterations_} rounds (n_estimators={n_estimators})")
print(f"held-out accuracy: {search.score(X_test, y_test):.4f}")
