"""Plots of a study's trials, drawn with matplotlib (the optional extra ``plot``).

Install matplotlib with ``pip install "scout-sklearn[plot]"``; it is imported
only when a plot is drawn, never by ``import scout_sklearn``. Every function
takes a fitted :class:`~scout_sklearn.ScoutSearchCV`, a
:class:`~scout_sklearn.Study` or a :class:`~scout_sklearn.StoredStudy` (read
with :func:`~scout_sklearn.load_study`), and returns the matplotlib axes it
drew on, or the figure for a multi-panel plot.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn.svm import SVC
>>> from scout_sklearn import Float, ScoutSearchCV
>>> from scout_sklearn.plotting import param_importances
>>> X, y = load_iris(return_X_y=True)
>>> search = ScoutSearchCV(
...     SVC(), {"C": Float(1e-3, 1e3, log=True), "kernel": ["rbf", "linear"]},
...     sampler="random", n_trials=10, cv=3, random_state=0,
... ).fit(X, y)
>>> importances = param_importances(search)
>>> sorted(importances), round(sum(importances.values()), 6)
(['C', 'kernel'], 1.0)
"""

from scout_sklearn.plotting._hypervolume import plot_hypervolume_history
from scout_sklearn.plotting._importance import param_importances, plot_param_importances
from scout_sklearn.plotting._pareto_front import plot_pareto_front
from scout_sklearn.plotting._plots import (
    plot_contour,
    plot_intermediate_values,
    plot_optimization_history,
    plot_parallel_coordinate,
    plot_slice,
)

__all__ = [
    "param_importances",
    "plot_contour",
    "plot_hypervolume_history",
    "plot_intermediate_values",
    "plot_optimization_history",
    "plot_parallel_coordinate",
    "plot_param_importances",
    "plot_pareto_front",
    "plot_slice",
]
