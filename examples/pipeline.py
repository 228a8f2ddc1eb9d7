"""
=================================================================
Search a whole pipeline: the preprocessing and the model together
=================================================================

A pipeline's steps are parameters like any other: ``"pca__n_components"``
tunes a step's parameter, and ``"scale"`` (a step's name alone) chooses the
step itself from a list, ``"passthrough"`` skipping it. This script searches
a scaler, the number of PCA components and a logistic regression's
regularisation on scikit-learn's digits dataset, then scores the best
pipeline on held-out data.

Run it with ``python examples/pipeline.py``; ``SCOUT_EXAMPLES_QUICK=1``
runs a tiny budget.
"""

import os

from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from threadpoolctl import threadpool_limits  # installed with scikit-learn

from scout_sklearn import Float, Int, ScoutSearchCV

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"

X, y = load_digits(return_X_y=True)
if QUICK:
    X, y = X[::4], y[::4]
    # Matrices this small gain nothing from several BLAS threads, and on a
    # busy machine (a test run) the threads mostly wait for each other.
    threadpool_limits(limits=1, user_api="blas")
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

pipeline = Pipeline(
    [
        ("scale", StandardScaler()),
        ("pca", PCA(random_state=0)),
        ("clf", LogisticRegression(max_iter=500)),
    ]
)
space = {
    "scale": [StandardScaler(), MinMaxScaler(), "passthrough"],
    "pca__n_components": Int(5, 60),
    "pca__whiten": [False, True],
    "clf__C": Float(1e-3, 1e2, log=True),
}

search = ScoutSearchCV(
    pipeline,
    space,
    n_trials=5 if QUICK else 40,
    cv=3,
    n_jobs=1 if QUICK else -1,  # quick: no worker processes to start
    random_state=0,
).fit(X_train, y_train)

auto = search.study_.sampler  # sampler=None with a budget is AutoSampler
print(f"sampler chosen:    {auto.delegate(search.study_.space)!r} (by {auto!r})")
print(f"best CV accuracy:  {search.best_score_:.4f} after {search.n_trials_} trials")
print("best params:")
for name, value in sorted(search.best_params_.items()):
    print(f"  {name:<18} {value!r}")
print(f"held-out accuracy: {search.score(X_test, y_test):.4f}")
