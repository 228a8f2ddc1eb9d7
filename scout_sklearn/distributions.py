"""Search spaces: the domain of each searched parameter, and their encodings.

A user describes a space the way scikit-learn's searches take it (a dict, or a
list of dicts for a conditional space) with lists of values, scipy.stats
distributions, or the :class:`Float`, :class:`Int` and :class:`Categorical`
of this module. :meth:`SearchSpace.from_user` converts that once; everything
after it sees only :class:`SearchSpace`.

Samplers work on a numeric encoding: every distribution maps its values to
the unit interval and back (:meth:`Distribution.to_unit`,
:meth:`Distribution.from_unit`) so that a uniform draw in the unit interval
is a draw from the distribution: linear or log scale for numbers, equal cells
for integers, steps and categorical choices, the quantile (CDF) scale for a
scipy.stats distribution.

The code lives in two private modules, ``_distributions`` (the distributions)
and ``_space`` (:class:`SubSpace`, :class:`SearchSpace`); this module is their
public home.
"""

from __future__ import annotations

from scout_sklearn._distributions import (
    Categorical,
    Distribution,
    Float,
    Int,
    ScipyDistribution,
)
from scout_sklearn._space import SearchSpace, SubSpace

__all__ = [
    "Categorical",
    "Distribution",
    "Float",
    "Int",
    "ScipyDistribution",
    "SearchSpace",
    "SubSpace",
]

# The classes keep the module name they had before their code moved: the API
# reference names them here, and a pickle (so joblib's hash, with which a
# stored study fingerprints an estimator that holds a space) refers to them
# by it.
for _class in (
    Categorical,
    Distribution,
    Float,
    Int,
    ScipyDistribution,
    SearchSpace,
    SubSpace,
):
    _class.__module__ = __name__
del _class
