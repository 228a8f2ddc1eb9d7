"""Random search: independent draws from the space."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scout_sklearn.exceptions import SearchSpaceExhausted
from scout_sklearn.samplers._base import Sampler, used_points

if TYPE_CHECKING:
    import numpy as np

    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace

__all__ = ["RandomSampler"]


class RandomSampler(Sampler):
    """Draw params at random, as RandomizedSearchCV does.

    With a conditional space, a sub-space is drawn uniformly first. Each
    parameter is drawn from its distribution: uniformly (on a log scale with
    ``log=True``) for Float and Int, uniformly among the choices of a list,
    with its own ``rvs`` for a scipy.stats distribution.

    When the whole space is finite (lists, Int, Float with a step), points
    are drawn without replacement, uniformly over the union of the
    sub-spaces' grids, like RandomizedSearchCV with lists: no point is
    evaluated twice, and the search stops once every point has been tried.

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import Float, SearchSpace
    >>> from scout_sklearn.samplers import RandomSampler
    >>> space = SearchSpace.from_user({"alpha": Float(1e-4, 1.0, log=True)})
    >>> params = RandomSampler().ask(space, [], np.random.default_rng(0))
    >>> 1e-4 <= params["alpha"] <= 1.0
    True
    """

    def __init__(self) -> None:
        pass

    def max_trials(self, space: SearchSpace) -> int | None:
        return space.n_points if space.is_finite else None

    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        if not space.is_finite:
            return space.sample(rng)
        used = used_points(self)
        used.update(space, history)
        position = used.random_free(space.n_points, rng)
        if position is None:
            raise SearchSpaceExhausted(
                f"All {space.n_points} points of the space have been tried."
            )
        return space.point(position)
