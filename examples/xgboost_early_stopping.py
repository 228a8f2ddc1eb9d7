"""
====================================================================================
Per-fold early stopping with XGBClassifier: a validation split carved from each fold
====================================================================================

Run it with ``python examples/xgboost_early_stopping.py`` (needs ``pip install
xgboost-cpu``). Each of the 3 CV folds carves 15% of its *training* part off
and hands it to XGBClassifier as ``eval_set=[(X_val, y_val)]``; with
``early_stopping_rounds=20`` each fold stops where its validation loss stops improving.
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
    from xgboost import XGBClassifier
except ImportError:
    print("skipped: xgboost is not installed (pip install xgboost-cpu)")
    sys.exit(0)

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

search = ScoutSearchCV(
    XGBClassifier(n_estimators=400, early_stopping_rounds=20, n_jobs=1),
    {
        "learning_rate": Float(0.02, 0.3, log=True),
        "max_depth": Int(2, 6),
        "subsample": Float(0.6, 1.0),
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
