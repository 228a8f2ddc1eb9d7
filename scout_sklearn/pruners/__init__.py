"""Pruners: strategies that decide, rung by rung, which trials go on.

A search evaluates each trial at increasing budgets called *rungs* (training
samples, ``n_estimators``, CV folds). A pruner gives:

- ``ladder(min_resource, max_resource)``: the resource of each rung;
- ``first_rung(number, n_rungs)``: the rung trial ``number`` starts at;
- ``decide(number, rung, record, n_rungs)``: after a trial finishes a rung,
  a :class:`Decision` (CONTINUE, PRUNE or WAIT);
- ``promotions(waiting, record, n_rungs)``: which paused trials go on now.

Pruners are configuration objects (``get_params``/``set_params``, safe to
``clone``); what they decide from is the :class:`RungRecord` of rung values
the search loop keeps and passes in. The module docstring of
``scout_sklearn.pruners._base`` spells out the protocol the loop follows.
``make_pruner`` turns ``pruner=`` (None, a name of :data:`PRUNER_NAMES` or
an instance) into a pruner.
"""

from scout_sklearn.pruners._base import Decision, Pruner, RungRecord
from scout_sklearn.pruners._hyperband import HyperbandPruner
from scout_sklearn.pruners._median import MedianPruner
from scout_sklearn.pruners._nop import NopPruner
from scout_sklearn.pruners._registry import PRUNER_NAMES, make_pruner
from scout_sklearn.pruners._successive_halving import SuccessiveHalvingPruner

__all__ = [
    "PRUNER_NAMES",
    "Decision",
    "HyperbandPruner",
    "MedianPruner",
    "NopPruner",
    "Pruner",
    "RungRecord",
    "SuccessiveHalvingPruner",
    "make_pruner",
]
