"""
========================================================================
Conditional search spaces: a list of dicts, each with its own parameters
========================================================================

A list of dicts is a conditional space, as in GridSearchCV: each trial takes
its params from one dict. Two uses:

1. SVC kernels with the parameters that matter to each: ``gamma`` for
   "rbf", ``degree`` and ``coef0`` for "poly", neither for "linear". No
   trial is spent on a ``degree`` that a non-polynomial kernel ignores.
2. A choice between two estimators for one pipeline step, each with its
   own parameters: a logistic regression (after scaling) or a random forest
   (which needs no scaling, so that step is skipped with "passthrough").

Both run on scikit-learn's breast-cancer dataset. Run it with
``python examples/conditional_space.py``; ``SCOUT_EXAMPLES_QUICK=1`` runs a
tiny budget.
"""

import os
from collections import Counter

from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Float, Int, ScoutSearchCV

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"
N_TRIALS = 6 if QUICK else 40
N_JOBS = 1 if QUICK else -1  # quick: no worker processes to start

X, y = load_breast_cancer(return_X_y=True)


def report(title, search, label):
    """Print how many trials each sub-space got and the best of the search."""
    finished = [t for t in search.study_.trials if t.is_finished]
    counts = Counter(label(t.params) for t in finished)
    print(title)
    print(f"  trials per sub-space: {dict(sorted(counts.items()))}")
    print(f"  best CV accuracy {search.best_score_:.4f} with {search.best_params_}")


# 1. SVC kernels, each with its own parameters.
svc_space = [
    {"svc__kernel": ["linear"], "svc__C": Float(1e-3, 1e2, log=True)},
    {
        "svc__kernel": ["rbf"],
        "svc__C": Float(1e-3, 1e3, log=True),
        "svc__gamma": Float(1e-5, 1.0, log=True),
    },
    {
        "svc__kernel": ["poly"],
        "svc__C": Float(1e-3, 1e3, log=True),
        "svc__degree": Int(2, 4),
        "svc__coef0": Float(0.0, 1.0),
    },
]
svc_search = ScoutSearchCV(
    make_pipeline(StandardScaler(), SVC()),
    svc_space,
    n_trials=N_TRIALS,
    cv=3,
    n_jobs=N_JOBS,
    random_state=0,
).fit(X, y)
report("SVC kernels:", svc_search, lambda params: params["svc__kernel"])

# 2. Two estimators for the "clf" step, each with its own parameters.
model_space = [
    {
        "clf": [LogisticRegression(max_iter=2000)],
        "clf__C": Float(1e-3, 1e3, log=True),
    },
    {
        "scale": ["passthrough"],
        "clf": [RandomForestClassifier(random_state=0)],
        "clf__n_estimators": Int(20, 200, log=True),
        "clf__max_depth": Int(2, 12),
        "clf__max_features": Float(0.1, 1.0),
    },
]
model_search = ScoutSearchCV(
    Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]),
    model_space,
    n_trials=N_TRIALS,
    cv=3,
    n_jobs=N_JOBS,
    random_state=0,
).fit(X, y)
report(
    "Logistic regression or random forest:",
    model_search,
    lambda params: type(params["clf"]).__name__,
)
