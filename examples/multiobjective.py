"""
=============================================================
Several objectives: accuracy against prediction time, a front
=============================================================

A bigger random forest predicts a little better and a lot slower. With
``objectives={"accuracy": "maximize", "score_time": "minimize"}`` the
search keeps both: ``cv_results_`` gets ``pareto_rank`` (1 for the trials
no other trial beats on both) and ``is_pareto``, the search
``pareto_front_`` (those trials, by accuracy) and ``hypervolume_history_``
(how much of the trade-off the front covers after each trial).
``score_time`` is measured, not scored: the mean seconds per test sample
over the folds, so no scorer is needed for it.

``refit="knee"`` refits the front's trial nearest the ideal point (best
accuracy and fastest prediction at once, each objective scaled to the
range the trials span); ``refit="accuracy"`` would take the most accurate
trial of the front, and a callable can apply any rule of your own.
With several objectives, ``sampler=None`` is a multi-objective TPE, which
learns from both: the first 10 trials are random, the others are drawn
where the trials of the first Pareto fronts are dense and the others
sparse.

Run it with ``python examples/multiobjective.py`` (it needs matplotlib for
the plot: ``pip install "scout-sklearn[plot]"``);
``SCOUT_EXAMPLES_QUICK=1`` runs a small budget.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write a file; no window needed

from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

from scout_sklearn import Int, ScoutSearchCV
from scout_sklearn.plotting import plot_pareto_front

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

search = ScoutSearchCV(
    RandomForestClassifier(random_state=0),
    {"n_estimators": Int(2, 300, log=True), "max_depth": Int(2, 20)},
    scoring="accuracy",
    objectives={"accuracy": "maximize", "score_time": "minimize"},
    refit="knee",
    n_trials=8 if QUICK else 40,
    cv=3,
    random_state=0,
).fit(X_train, y_train)

results = search.cv_results_
print("the front (accuracy, about how long one sample takes to predict, params):")
test_rows = len(y_train) / 3  # each of the 3 folds scores about a third of the rows
for i in search.pareto_front_:
    seconds = results["mean_score_time"][i] / test_rows
    print(
        f"  {results['mean_test_score'][i]:.4f}  {1e6 * seconds:7.2f} us  "
        f"{results['params'][i]}"
    )
print(f"trials on the front: {len(search.pareto_front_)} of {len(results['params'])}")
history = [round(float(h), 3) for h in search.hypervolume_history_]
print(f"hypervolume after each trial: {history}")
print(f"best params (the knee, refitted): {search.best_params_}")
print(f"held-out accuracy of the refitted model: {search.score(X_test, y_test):.4f}")

# %%
# Every COMPLETE trial, the front as a step line, the refitted model starred.
ax = plot_pareto_front(search)
ax.figure.savefig("pareto_front.png", dpi=110)
print("wrote pareto_front.png")
