"""Random search: independent draws from the space."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from scout_sklearn._constraints import Constraint, Interval, IsNone
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
    RandomizedSearchCV; and when ``n_trials`` is at least the number of
    grid points, every point is evaluated in grid order, as
    RandomizedSearchCV does when ``n_iter`` is at least the grid's size
    (its sample without replacement is then the grid itself, in order).
    Either way trial *k*'s params depend only on the seed, *k* and the
    points already taken, so a resumed search proposes what an
    uninterrupted one would have. When the space is otherwise finite (Int, Float with a
    step), no point is evaluated twice either: a draw that hits a point
    already given to a trial is drawn again (a few times, so the draws keep
    each distribution's shape, log scales included), then taken uniformly
    among the points left. A finite search stops once every point has been
    tried.

    Parameters
    ----------
    n_trials : int or None, default=None
        The search's budget; ScoutSearchCV passes its own ``n_trials`` when
        this is None. Only used on a space of lists: a budget of at least the
        number of grid points evaluates them in grid order. None (unknown,
        e.g. a search bounded by ``timeout`` only) draws in random order.

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import Float, SearchSpace
    >>> from scout_sklearn.samplers import RandomSampler
    >>> space = SearchSpace.from_user({"alpha": Float(1e-4, 1.0, log=True)})
    >>> params = RandomSampler().ask(space, [], np.random.default_rng(0))
    >>> 1e-4 <= params["alpha"] <= 1.0
    True

    With a budget that covers a grid, the grid comes in order:

    >>> grid = SearchSpace.from_user({"C": [1, 10, 100]})
    >>> RandomSampler(n_trials=3).ask(grid, [], np.random.default_rng(0))
    {'C': 1}
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "n_trials": [Interval(numbers.Integral, 1, None), IsNone()],
    }

    def __init__(self, n_trials: int | None = None) -> None:
        self.n_trials = n_trials
        self._validate()

    def check_space(self, space: SearchSpace) -> None:
        self._validate()

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
        all_lists = _all_lists(space)
        if all_lists and self.n_trials is not None and self.n_trials >= space.n_points:
            # RandomizedSearchCV's rule: sampling n_iter >= grid size points
            # without replacement gives the whole grid, in grid order.
            position = used.lowest_free(space.n_points)
            if position is None:
                raise SearchSpaceExhausted(
                    f"All {space.n_points} points of the space have been tried."
                )
            return space.point(position)
        if not all_lists:
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
