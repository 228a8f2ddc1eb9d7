"""The default sampler: the Gaussian process while it is cheap, TPE after."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from scout_sklearn._constraints import Constraint, Interval, IsNone
from scout_sklearn.samplers._base import Sampler, private_cache
from scout_sklearn.samplers._gp import GPSampler
from scout_sklearn.samplers._random import RandomSampler
from scout_sklearn.samplers._tpe import TPESampler

if TYPE_CHECKING:
    import numpy as np

    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace

__all__ = ["AutoSampler"]


class AutoSampler(Sampler):
    """The sampler ScoutSearchCV uses when ``sampler=None`` and a budget is set.

    It hands every ask to one of three samplers:

    - :class:`GPSampler` (Bayesian optimisation with a Gaussian process and
      expected improvement) on every space, numeric, categorical or
      conditional, until the study has ``max_gp_trials`` complete trials;
    - :class:`TPESampler` (multivariate) after that, where the Gaussian
      process's cost per ask (cubic in the number of trials) would no longer
      be small next to a fit, and on sub-spaces of more than
      ``max_gp_dims`` parameters if that is set;
    - :class:`RandomSampler` when a scipy.stats distribution has no
      ``cdf``/``ppf``: neither model can place it in the unit cube.

    The choice depends on the space and the history only, never on the
    budget: a search of 40 trials makes the same first 20 asks as one of 20,
    and a resumed search makes the same choices again. ``docs/benchmarks.md``
    shows how the rule was chosen on one half of the benchmark tasks and how
    it fares on the other half.

    Parameters
    ----------
    max_gp_trials : int, default=200
        Complete trials after which TPE takes over from the Gaussian process
        (with the whole history: nothing is lost by the switch).
    max_gp_dims : int or None, default=None
        Sub-spaces of more parameters than this are searched with TPE from
        the start; None puts no limit.

    Examples
    --------
    >>> from scout_sklearn import Float, SearchSpace
    >>> from scout_sklearn.samplers import AutoSampler
    >>> space = SearchSpace.from_user({"C": Float(1e-3, 1e3, log=True), "k": ["a", "b"]})
    >>> AutoSampler().delegate(space)
    GPSampler()
    >>> AutoSampler(max_gp_dims=1).delegate(space)
    TPESampler()
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "max_gp_trials": [Interval(numbers.Integral, 0, None)],
        "max_gp_dims": [Interval(numbers.Integral, 0, None), IsNone()],
    }

    def __init__(self, *, max_gp_trials: int = 200, max_gp_dims: int | None = None) -> None:
        self.max_gp_trials = max_gp_trials
        self.max_gp_dims = max_gp_dims
        self._validate()

    def choice(self, space: SearchSpace, history: Sequence[Trial] = ()) -> str:
        """Which sampler answers the next ask: "gp", "tpe" or "random"."""
        if space.without_unit_coordinate():
            return "random"
        too_wide = self.max_gp_dims is not None and max(len(sub) for sub in space) > int(
            self.max_gp_dims
        )
        if too_wide or _has_complete(history, int(self.max_gp_trials)):
            return "tpe"
        return "gp"

    def delegate(self, space: SearchSpace, history: Sequence[Trial] = ()) -> Sampler:
        """The sampler that answers the next ask on ``space`` after ``history``.

        Each kind is created once and kept (its caches of the encoded history
        with it), so that switching from one to the other costs nothing.
        """
        samplers: dict[str, Sampler] = private_cache(self, "_delegates", dict)
        kind = self.choice(space, history)
        if kind not in samplers:
            samplers[kind] = _DELEGATES[kind]()
        return samplers[kind]

    def check_space(self, space: SearchSpace) -> None:
        self._validate()
        self.delegate(space).check_space(space)

    def max_trials(self, space: SearchSpace) -> int | None:
        return self.delegate(space).max_trials(space)

    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        self._validate()
        return self.delegate(space, history).ask(space, history, rng)


_DELEGATES: dict[str, type[Sampler]] = {
    "gp": GPSampler,
    "random": RandomSampler,
    "tpe": TPESampler,
}


def _has_complete(history: Sequence[Trial], n: int) -> bool:
    """Whether ``history`` holds at least ``n`` complete trials.

    A history shorter than ``n`` is not scanned: counting at every ask cost
    a twentieth of a GP ask on an 80-trial search.
    """
    if len(history) < n:
        return False
    return sum(1 for trial in history if trial.has_value) >= n
