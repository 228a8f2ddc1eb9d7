"""Samplers: strategies that decide the params of the next trial."""

from scout_sklearn.samplers._annealing import AnnealingSampler
from scout_sklearn.samplers._auto import AutoSampler
from scout_sklearn.samplers._base import Sampler
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
