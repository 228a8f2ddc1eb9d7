"""Random search: independent draws from the space."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scout_sklearn.distributions import Categorical
from scout_sklearn.exceptions import SearchSpaceExhausted
from scout_sklearn.samplers._base import Sampler, used_points

if TYPE_CHECKING:
    import numpy as np

    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace

__all__ = ["RandomSampler"]

# Redraws from the distributions before falling back to a uniform choice
# among the free points of a finite space.
_MAX_REDRAWS = 32


class RandomSampler(Sampler):
    """Draw params at random, as RandomizedSearchCV does.

    With a conditional space, a sub-space is drawn uniformly first. Each
    parameter is drawn from its distribution: uniformly (on a log scale with
    ``log=True``) for Float and Int, uniformly among the choices of a list,
    with its own ``rvs`` for a scipy.stats distribution.

    When every parameter is a list, params are drawn uniformly without
    replacement from the union of the sub-spaces' grids, exactly like
    RandomizedSearchCV. When the space is otherwise finite (Int, Float with a
    step), no point is evaluated twice either: a draw that hits a point
    already given to a trial is drawn again (a few times, so the draws keep
    each distribution's shape, log scales included), then taken uniformly
    among the points left. A finite search stops once every point has been
    tried.

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

    _ask_learns = False  # the history only says which points are taken

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
        if not _all_lists(space):
            for _ in range(_MAX_REDRAWS):
                params = space.sample(rng)
                if used.is_free(space, params):
                    return params
        position = used.random_free(space.n_points, rng)
        if position is None:
            raise SearchSpaceExhausted(
                f"All {space.n_points} points of the space have been tried."
            )
        return space.point(position)


def _all_lists(space: SearchSpace) -> bool:
    return all(isinstance(sub[name], Categorical) for sub in space for name in sub.names)
