"""
==============================================================
CatBoost with categorical features and per-fold early stopping
==============================================================

Run it with ``python examples/catboost_categorical.py`` (needs ``pip install
catboost pandas``). scikit-learn's diabetes data (``as_frame=True``) has one
categorical column, ``sex``; a second one, ``age_band``, is made here by
cutting ``age`` into five bands, as users often do. CatBoost encodes both
itself (ordered target statistics), so the pipeline needs no one-hot step.

What ``clone`` needs: every fold and the refit fit a *clone* of the
estimator, which keeps exactly what ``get_params()`` returns, and for
CatBoost that is what its constructor was given. So ``cat_features`` is a
constructor argument here, not a ``fit`` argument (which would have to be
routed to every fold). It is a *tuple*: CatBoost copies a list it is
given, and scikit-learn's ``clone`` then refuses the estimator ("Cannot
clone object ... the constructor either does not set or modifies parameter
cat_features"). The categories are strings (CatBoost refuses float
categories).

Each of the 3 CV folds carves 15% of its *training* part off for CatBoost's
``eval_set`` (``ValidationSplit``); with ``early_stopping_rounds=30`` each
fold stops where its validation loss stops improving, and the refit uses
the median of the best trial's rounds. ``thread_count`` is left as users
often leave it (all cores): the search caps each worker's threads so that
workers times threads stay within the cores.
"""

import os
import sys

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from scout_sklearn import Float, Int, ScoutSearchCV, ValidationSplit

try:
    from catboost import CatBoostRegressor
except ImportError:
    print("skipped: catboost is not installed (pip install catboost)")
    sys.exit(0)

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"

data = load_diabetes(as_frame=True, scaled=False)
X, y = data.data.copy(), data.target
X["sex"] = X["sex"].map({1.0: "first", 2.0: "second"})
X["age_band"] = np.digitize(X.pop("age"), [30, 40, 50, 60]).astype(str)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

search = ScoutSearchCV(
    CatBoostRegressor(
        iterations=200 if QUICK else 1000,
        early_stopping_rounds=30,
        cat_features=("sex", "age_band"),  # a tuple: clone() refuses a list
        verbose=0,
        random_seed=0,
    ),
    {
        "learning_rate": Float(0.01, 0.3, log=True),
        "depth": Int(2, 8),
        "l2_leaf_reg": Float(1.0, 30.0, log=True),
    },
    n_trials=4 if QUICK else 30,
    cv=3,
    scoring="r2",
    validation=ValidationSplit(0.15),
    n_jobs=-1,
    random_state=0,
)
search.fit(X_train, y_train)

best = search.best_index_
rounds = [int(search.cv_results_[f"split{k}_n_iterations"][best]) for k in range(3)]
print(f"best params: {search.best_params_}")
print(f"best CV R^2: {search.best_score_:.4f}")
print(f"rounds kept by the best trial's folds: {rounds}")
print(f"refit for {search.best_n_iterations_} rounds")
print(f"held-out R^2: {search.score(X_test, y_test):.4f}")
