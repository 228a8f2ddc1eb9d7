"""Samplers: strategies that decide the params of the next trial."""

from scout_sklearn.samplers._base import Sampler
from scout_sklearn.samplers._grid import GridSampler
from scout_sklearn.samplers._random import RandomSampler

__all__ = ["GridSampler", "RandomSampler", "Sampler"]
