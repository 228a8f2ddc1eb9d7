"""Samplers: strategies that decide the params of the next trial.

Each sampler's module is imported when the sampler is first asked for:
the model-based ones import scipy's optimisers and QMC engines (about a
second), which reading a storage (the ``scout-sklearn`` command,
``load_study``) does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scout_sklearn.samplers._base import Sampler

if TYPE_CHECKING:
    from scout_sklearn.samplers._annealing import AnnealingSampler
    from scout_sklearn.samplers._auto import AutoSampler
    from scout_sklearn.samplers._cmaes import CmaEsSampler
    from scout_sklearn.samplers._gp import GPSampler
    from scout_sklearn.samplers._grid import GridSampler
    from scout_sklearn.samplers._motpe import MOTPESampler
    from scout_sklearn.samplers._nsga2 import NSGAIISampler
    from scout_sklearn.samplers._qmc import QMCSampler
    from scout_sklearn.samplers._random import RandomSampler
    from scout_sklearn.samplers._tpe import TPESampler

__all__ = [
    "AnnealingSampler",
    "AutoSampler",
    "CmaEsSampler",
    "GPSampler",
    "GridSampler",
    "MOTPESampler",
    "NSGAIISampler",
    "QMCSampler",
    "RandomSampler",
    "Sampler",
    "TPESampler",
]

_MODULES = {
    "AnnealingSampler": "_annealing",
    "AutoSampler": "_auto",
    "CmaEsSampler": "_cmaes",
    "GPSampler": "_gp",
    "GridSampler": "_grid",
    "MOTPESampler": "_motpe",
    "NSGAIISampler": "_nsga2",
    "QMCSampler": "_qmc",
    "RandomSampler": "_random",
    "TPESampler": "_tpe",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
