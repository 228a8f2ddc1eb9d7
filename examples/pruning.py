"""
==========================================================================
Pruning: stop unpromising trials on small subsamples of the training folds
==========================================================================

The same 60 random params of an RBF SVC on scikit-learn's digits dataset
are evaluated three ways:

- without pruning: every trial fits on whole training folds;
- with asynchronous successive halving (``pruner="asha"``): every trial
  starts on a small subsample, and only the top third of each rung moves on
  to three times as many rows;
- with Hyperband (``pruner="hyperband"``): several successive-halving
  brackets that start their trials at different subsample sizes.

``resource="n_samples"`` makes the number of training rows the budget that
grows from rung to rung (it is also the default with a pruner). With
``sampler="random"`` and one ``random_state``, trial *k* gets the same
params in the three searches, so the difference is only what pruning
skipped. The script prints, for each, the number of fits, the seconds spent
fitting, the wall time, how many trials were COMPLETE and PRUNED, and the
best scores. A pruned search makes more fits (one per fold and rung) but
most of them on a fraction of the rows, so it spends fewer seconds
fitting; the scores say whether it still found params as good.

Run it with ``python examples/pruning.py``; ``SCOUT_EXAMPLES_QUICK=1`` runs
a tiny budget.
"""

import os
import time
from collections import Counter

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Float, ScoutSearchCV

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"

X, y = load_digits(return_X_y=True)
if QUICK:
    X, y = X[::3], y[::3]
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
space = {
    "svc__C": Float(1e-2, 1e3, log=True),
    "svc__gamma": Float(1e-5, 1e-1, log=True),
}

print(
    f"{'pruner':<10} {'fits':>5} {'fit s':>7} {'wall s':>7} {'COMPLETE':>9} "
    f"{'PRUNED':>7} {'best CV':>8} {'held-out':>9}  training rows of the last rungs"
)
for pruner in [None, "asha", "hyperband"]:
    search = ScoutSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        space,
        sampler="random",
        n_trials=9 if QUICK else 60,
        cv=3,
        n_jobs=1 if QUICK else -1,  # quick: no worker processes to start
        random_state=0,
        pruner=pruner,
        resource=None if pruner is None else "n_samples",
    )
    start = time.perf_counter()
    search.fit(X_train, y_train)
    wall = time.perf_counter() - start
    folds = [f for t in search.study_.trials for f in t.fold_results]
    states = Counter(t.state.name for t in search.study_.trials)
    rungs = (
        sorted(set(search.cv_results_["n_resources"].tolist()))
        if pruner is not None
        else "whole folds"
    )
    print(
        f"{pruner or 'none':<10} {len(folds):>5} {sum(f.fit_time for f in folds):>7.2f} "
        f"{wall:>7.2f} {states['COMPLETE']:>9} {states['PRUNED']:>7} "
        f"{search.best_score_:>8.4f} {search.score(X_test, y_test):>9.4f}  {rungs}"
    )
print("best CV is the mean accuracy over 3 folds of the best COMPLETE trial.")
