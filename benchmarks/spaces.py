"""Each library's form of a task's search space (see ``suite.py`` for the tasks).

ScoutSearchCV's Float/Int/lists, scipy.stats distributions for
RandomizedSearchCV and HalvingRandomSearchCV, Optuna's distributions and
scikit-optimize's dimensions; Optuna and scikit-optimize get the flat form
of a conditional space (see ``suite.py``'s docstring).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sklearn.base import BaseEstimator, clone

if TYPE_CHECKING:
    from suite import P, Task

__all__ = [
    "flat_estimator",
    "flat_params",
    "optuna_space",
    "scipy_space",
    "scout_space",
    "skopt_space",
]


# -- each library's space ------------------------------------------------------------
def scout_space(task: Task) -> Any:
    from scout_sklearn import Float, Int

    def one(p: P) -> Any:
        if p.kind == "cat":
            return list(p.choices)
        return (Float if p.kind == "float" else Int)(p.low, p.high, log=p.log)

    if not task.branches:
        return {p.name: one(p) for p in task.params}
    return [
        {
            **{k: [_fresh(v)] for k, v in b.fixed.items()},
            **{p.name: one(p) for p in b.params},
        }
        for b in task.branches
    ]


def scipy_space(task: Task) -> Any:
    from scipy.stats import loguniform, randint, uniform

    def one(p: P) -> Any:
        if p.kind == "cat":
            return list(p.choices)
        if p.kind == "int":
            if p.log:
                return _LogInt(int(p.low), int(p.high))
            return randint(int(p.low), int(p.high) + 1)
        if p.log:
            return loguniform(p.low, p.high)
        return uniform(p.low, p.high - p.low)

    if not task.branches:
        return {p.name: one(p) for p in task.params}
    return [
        {
            **{k: [_fresh(v)] for k, v in b.fixed.items()},
            **{p.name: one(p) for p in b.params},
        }
        for b in task.branches
    ]


class _LogInt:
    """A log-uniform integer for scikit-learn's samplers (``rvs`` only)."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def rvs(self, random_state: Any = None) -> int:
        from scipy.stats import loguniform

        value = loguniform(self.low - 0.5 + 1e-9, self.high + 0.5).rvs(
            random_state=random_state
        )
        return int(min(max(round(value), self.low), self.high))


def flat_params(task: Task) -> tuple[P, ...]:
    return task.flat_params if task.branches else task.params


def flat_estimator(task: Task) -> Any:
    return (
        task.flat_estimator() if task.branches and task.flat_estimator else task.estimator()
    )


def optuna_space(task: Task) -> dict[str, Any]:
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    space: dict[str, Any] = {}
    for p in flat_params(task):
        if p.kind == "cat":
            space[p.name] = CategoricalDistribution(list(p.choices))
        elif p.kind == "int":
            space[p.name] = IntDistribution(int(p.low), int(p.high), log=p.log)
        else:
            space[p.name] = FloatDistribution(p.low, p.high, log=p.log)
    return space


def skopt_space(task: Task) -> dict[str, Any]:
    from skopt.space import Categorical, Integer, Real

    prior = {True: "log-uniform", False: "uniform"}
    space: dict[str, Any] = {}
    for p in flat_params(task):
        if p.kind == "cat":
            space[p.name] = Categorical(list(p.choices))
        elif p.kind == "int":
            space[p.name] = Integer(int(p.low), int(p.high), prior=prior[p.log])
        else:
            space[p.name] = Real(p.low, p.high, prior=prior[p.log])
    return space


def _fresh(value: Any) -> Any:
    """An estimator given as a branch's fixed value is cloned for every space."""
    return clone(value) if isinstance(value, BaseEstimator) else value
