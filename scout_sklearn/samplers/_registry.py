"""Sampler names accepted by ``sampler=``."""

from __future__ import annotations

import difflib

from scout_sklearn.exceptions import InvalidParameterError
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

__all__ = ["SAMPLER_NAMES", "make_sampler"]

SAMPLER_NAMES: dict[str, type[Sampler]] = {
    "annealing": AnnealingSampler,
    "auto": AutoSampler,
    "cmaes": CmaEsSampler,
    "gp": GPSampler,
    "grid": GridSampler,
    "motpe": MOTPESampler,
    "nsga2": NSGAIISampler,
    "qmc": QMCSampler,
    "random": RandomSampler,
    "tpe": TPESampler,
}


# Names users bring from other libraries, and what we call that sampler.
_FAMILIAR_NAMES = {
    "bayes": "gp",
    "bayesian": "gp",
    "gaussian_process": "gp",
    "skopt": "gp",
    "optuna": "tpe",
    "hyperopt": "tpe",
    "cma": "cmaes",
    "cma-es": "cmaes",
    "nsga-ii": "nsga2",
    "nsgaii": "nsga2",
    "genetic": "nsga2",
    "mo-tpe": "motpe",
    "motpesampler": "motpe",
    "sobol": "qmc",
    "halton": "qmc",
    "anneal": "annealing",
    "randomized": "random",
    "default": "auto",
}


def make_sampler(spec: object, *, owner: str = "ScoutSearchCV") -> Sampler:
    """Return a sampler for a name or an instance; raise for anything else."""
    if isinstance(spec, Sampler):
        return spec
    if isinstance(spec, str):
        if spec in SAMPLER_NAMES:
            return SAMPLER_NAMES[spec]()
        raise InvalidParameterError(
            f"The 'sampler' parameter of {owner} got the unknown name {spec!r}. "
            f"Known names are {sorted(SAMPLER_NAMES)}.{_hint(spec)} A Sampler instance is "
            "also accepted."
        )
    # Another library's sampler (Optuna's TPESampler) is not read: its name
    # says which of ours to ask for.
    hint = _hint(spec.__name__ if isinstance(spec, type) else type(spec).__name__)
    raise InvalidParameterError(
        f"The 'sampler' parameter of {owner} must be a str among "
        f"{sorted(SAMPLER_NAMES)}, a Sampler instance or None. Got {spec!r} "
        f"instead.{hint}"
    )


def _hint(name: str) -> str:
    """`` Did you mean 'tpe'?`` for "TPE", "TPESampler", "bayes"..., or ''."""
    lowered = name.strip().lower()
    if lowered.endswith("sampler") and lowered != "sampler":
        lowered = lowered[: -len("sampler")]
    if lowered in SAMPLER_NAMES:
        close = [lowered]
    elif lowered in _FAMILIAR_NAMES:
        close = [_FAMILIAR_NAMES[lowered]]
    else:
        close = difflib.get_close_matches(lowered, SAMPLER_NAMES, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
