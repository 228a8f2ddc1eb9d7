"""
========================================================================
Quickstart: tune an SVC pipeline on a bundled dataset with ScoutSearchCV
========================================================================

Run it with ``python examples/quickstart.py``. It searches 60 trials of a
scaled SVC on scikit-learn's breast-cancer dataset with 5-fold CV on every
core, then reports the best params and the held-out accuracy. With
``verbose=1`` a progress bar counts the trials on standard error (with the
best score so far), and the search says which sampler it uses, why it
stopped and which trial was best.

Every fold is saved as it finishes in ``scout.db``, a SQLite file in the
working directory (the embedded storage). Stop the script half way (Ctrl-C,
or kill it) and run it again: it resumes, and only the missing trials run.
Run it once more and nothing is left to run. Delete ``scout.db`` to start
over.
"""

import os
import sys

from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Float, ScoutSearchCV, list_studies, load_study

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"

STORAGE = "sqlite:///scout.db"
STUDY = "quickstart-svc"
stored = len(load_study(STORAGE, STUDY).trials) if STUDY in list_studies(STORAGE) else 0

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

search = ScoutSearchCV(
    make_pipeline(StandardScaler(), SVC()),
    {
        "svc__C": Float(1e-3, 1e3, log=True),
        "svc__gamma": loguniform(1e-5, 1),
        "svc__kernel": ["rbf", "poly"],
    },
    sampler="random",
    n_trials=12 if QUICK else 60,
    cv=5,
    scoring="accuracy",
    n_jobs=-1,
    random_state=0,
    storage=STORAGE,
    study_name=STUDY,
    verbose=1,
)
try:
    search.fit(X_train, y_train)
except KeyboardInterrupt:
    # Ctrl-C: fit has said what it kept (every finished trial is in scout.db).
    sys.exit(130)

print(f"trials in the study: {search.n_trials_} ({stored} were already in {STORAGE})")
print(f"best params:        {search.best_params_}")
print(f"best CV accuracy:   {search.best_score_:.4f}")
print(f"held-out accuracy:  {search.score(X_test, y_test):.4f}")
print()
print("top 5 trials (cv_results_ has GridSearchCV's layout):")
results = search.cv_results_
order = results["rank_test_score"].argsort()[:5]
for i in order:
    print(
        f"  rank {results['rank_test_score'][i]:>2}  "
        f"mean {results['mean_test_score'][i]:.4f} "
        f"+/- {results['std_test_score'][i]:.4f}  {results['params'][i]}"
    )
