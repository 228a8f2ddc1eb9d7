"""
=============================================================================
Plots: look at a search with scout_sklearn.plotting, and write an HTML report
=============================================================================

Run it with ``python examples/plots.py`` (it needs matplotlib:
``pip install "scout-sklearn[plot]"``). It runs two searches of a scaled
SVC on scikit-learn's breast-cancer dataset with 3-fold CV: a TPE search,
and a random search pruned with ASHA over training-set sizes. Then it saves
each plot as a PNG file in the working directory:

- ``optimization_history.png``: each trial's score and the best so far;
- ``param_importances.png``: how much each parameter matters;
- ``slice.png``: the score against each parameter;
- ``parallel_coordinate.png``: every trial across all parameters;
- ``contour.png``: the score over C and gamma;
- ``intermediate_values.png``: the pruned search's scores rung by rung;

and writes ``report.html``, one self-contained page with all of them and
the table of trials. Set ``SCOUT_EXAMPLES_QUICK=1`` for a small budget.
"""

import os

import matplotlib

matplotlib.use("Agg")  # write files; no window needed

from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Float, Int, ScoutSearchCV
from scout_sklearn.plotting import (
    param_importances,
    plot_contour,
    plot_intermediate_values,
    plot_optimization_history,
    plot_parallel_coordinate,
    plot_param_importances,
    plot_slice,
)
from scout_sklearn.report import write_report

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"

X, y = load_breast_cancer(return_X_y=True)
space = {
    "svc__C": Float(1e-3, 1e3, log=True),
    "svc__gamma": Float(1e-5, 1.0, log=True),
    "svc__kernel": ["rbf", "poly", "sigmoid"],
    "svc__degree": Int(2, 5),
}
search = ScoutSearchCV(
    make_pipeline(StandardScaler(), SVC()),
    space,
    sampler="tpe",
    n_trials=12 if QUICK else 80,
    cv=3,
    random_state=0,
).fit(X, y)
pruned = ScoutSearchCV(
    make_pipeline(StandardScaler(), SVC()),
    space,
    sampler="random",
    n_trials=12 if QUICK else 60,
    cv=3,
    random_state=0,
    pruner="asha",
    resource="n_samples",
).fit(X, y)


def save(figure, name):
    """Write the figure to a PNG file (the docs' gallery also shows it below)."""
    figure.savefig(name, dpi=110)
    print(f"wrote {name}")


# %%
# Each trial's value by trial number, and the best so far.
save(plot_optimization_history(search).figure, "optimization_history.png")

# %%
# How much of the value's variation each parameter explains, from a random
# forest fitted to the trials.
save(plot_param_importances(search).figure, "param_importances.png")

# %%
# The value against each parameter, coloured by trial number.
save(plot_slice(search), "slice.png")

# %%
# Every COMPLETE trial as a line across its parameters, coloured by value.
save(plot_parallel_coordinate(search).figure, "parallel_coordinate.png")

# %%
# The value over the two numeric parameters, interpolated between the trials.
save(plot_contour(search, "svc__C", "svc__gamma").figure, "contour.png")

# %%
# The pruned search: each trial's mean test score at every rung it reached.
save(plot_intermediate_values(pruned).figure, "intermediate_values.png")

# %%
# All of them, the summary and the trials table in one HTML file.
print(f"wrote {write_report(search, 'report.html', title='SVC on breast cancer')}")

print()
print("parameter importances:")
for name, share in param_importances(search).items():
    print(f"  {name:<12} {share:.2f}")
print(f"best CV accuracy: {search.best_score_:.4f}")
print(f"best params:      {search.best_params_}")
