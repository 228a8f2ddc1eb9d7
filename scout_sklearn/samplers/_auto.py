"""The default sampler: GP-based Bayesian optimisation where it wins, TPE elsewhere."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from scout_sklearn._constraints import Constraint, Interval, IsNone
from scout_sklearn.distributions import Categorical
from scout_sklearn.samplers._base import Sampler
from scout_sklearn.samplers._gp import GPSampler
from scout_sklearn.samplers._random import RandomSampler
from scout_sklearn.samplers._tpe import TPESampler

if TYPE_CHECKING:
    import numpy as np

    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace

__all__ = ["AutoSampler"]

_DELEGATES: dict[str, type[Sampler]] = {
    "gp": GPSampler,
    "random": RandomSampler,
    "tpe": TPESampler,
}


class AutoSampler(Sampler):
    """The sampler ScoutSearchCV uses when ``sampler=None`` and a budget is set.

    It delegates every ask to one of two samplers, chosen from the space and
    the budget alone (so the choice is the same at every ask, and a resumed
    search makes it again):

    - :class:`GPSampler` when the space is a single sub-space of at most
      ``max_gp_dims`` numeric parameters (Float, Int, or a scipy.stats
      distribution with quantiles; no categorical list) and the budget
      ``n_trials`` is at most ``max_gp_trials``: on such spaces a Gaussian
      process finds better params in few trials, and its cost per ask stays
      small next to a fit;
    - :class:`TPESampler` (multivariate) otherwise: categorical or
      conditional spaces, many parameters, large or unknown budgets, where
      TPE's cheaper, assumption-light model wins;
    - :class:`RandomSampler` when a scipy.stats distribution has no
      ``cdf``/``ppf``: neither model can place it in the unit cube.

    ``docs/benchmarks.md`` shows the measurements behind the thresholds.

    Parameters
    ----------
    n_trials : int or None, default=None
        The search's budget; ScoutSearchCV passes its own ``n_trials``. None
        (unknown, e.g. a search bounded by ``timeout`` only) picks TPE.
    max_gp_dims : int, default=8
        Largest number of parameters searched with the Gaussian process.
    max_gp_trials : int, default=200
        Largest budget searched with the Gaussian process.

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import Float, SearchSpace
    >>> from scout_sklearn.samplers import AutoSampler
    >>> space = SearchSpace.from_user({"C": Float(1e-3, 1e3, log=True)})
    >>> AutoSampler(n_trials=40).delegate(space)
    GPSampler()
    >>> AutoSampler(n_trials=40).delegate(SearchSpace.from_user({"k": ["a", "b"]}))
    TPESampler()
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "n_trials": [Interval(numbers.Integral, 1, None), IsNone()],
        "max_gp_dims": [Interval(numbers.Integral, 0, None)],
        "max_gp_trials": [Interval(numbers.Integral, 0, None)],
    }

    def __init__(
        self, *, n_trials: int | None = None, max_gp_dims: int = 8, max_gp_trials: int = 200
    ) -> None:
        self.n_trials = n_trials
        self.max_gp_dims = max_gp_dims
        self.max_gp_trials = max_gp_trials
        self._validate()

    def choice(self, space: SearchSpace) -> str:
        """Which sampler searches ``space``: "gp", "tpe" or "random" (the class rule)."""
        if space.without_unit_coordinate():
            return "random"
        if (
            self.n_trials is None
            or self.n_trials > self.max_gp_trials
            or len(space) != 1
            or len(space[0]) > self.max_gp_dims
            or any(isinstance(space[0][name], Categorical) for name in space[0].names)
        ):
            return "tpe"
        return "gp"

    def delegate(self, space: SearchSpace) -> Sampler:
        """The sampler that searches ``space`` (created once per space, then reused)."""
        config = (self.n_trials, self.max_gp_dims, self.max_gp_trials)
        cached = self.__dict__.get("_delegate")
        if cached is not None and cached[0] is space and cached[1] == config:
            return cached[2]  # type: ignore[no-any-return]
        sampler = _DELEGATES[self.choice(space)]()
        self.__dict__["_delegate"] = (space, config, sampler)
        return sampler

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
        return self.delegate(space).ask(space, history, rng)
