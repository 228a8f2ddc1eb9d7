"""Grid search: every point of a finite space, once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scout_sklearn.distributions import ScipyDistribution
from scout_sklearn.exceptions import InvalidParameterError, SearchSpaceExhausted
from scout_sklearn.samplers._base import Sampler, used_points

if TYPE_CHECKING:
    import numpy as np

    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace

__all__ = ["GridSampler"]


class GridSampler(Sampler):
    """Try every point of a finite space once, as GridSearchCV does.

    Points come in scikit-learn's ParameterGrid order (sub-spaces in order,
    names sorted, the last name varying fastest), so with the same grid and
    ``cv`` a search reproduces GridSearchCV's candidates, scores and best
    params. Points already given to a trial (finished or running, by this
    process or another one on the same study) are skipped.

    Parameters
    ----------
    shuffle : bool, default=False
        Visit the points in a random order (drawn from each trial's
        generator) instead of grid order: useful when ``n_trials`` is smaller
        than the grid.

    Examples
    --------
    >>> from scout_sklearn import SearchSpace
    >>> from scout_sklearn.samplers import GridSampler
    >>> space = SearchSpace.from_user({"C": [1, 10], "kernel": ["rbf", "poly"]})
    >>> GridSampler().max_trials(space)
    4
    """

    def __init__(self, shuffle: bool = False) -> None:
        self.shuffle = shuffle

    def check_space(self, space: SearchSpace) -> None:
        for i, sub in enumerate(space):
            for name in sub.names:
                distribution = sub[name]
                if distribution.is_finite:
                    continue
                where = f" (sub-space {i})" if len(space) > 1 else ""
                kind = (
                    "a scipy.stats distribution"
                    if isinstance(distribution, ScipyDistribution)
                    else "a continuous range"
                )
                raise InvalidParameterError(
                    f"The grid sampler needs a finite list of values for every "
                    f"parameter, but {name!r}{where} is {distribution!r}, {kind}. "
                    "Give a list of values, an Int, a Float with step=..., or use "
                    "another sampler such as sampler='random' with n_trials=..."
                )

    def max_trials(self, space: SearchSpace) -> int | None:
        return space.n_points

    def _uses_rng(self) -> bool:
        """Whether :meth:`ask` draws from its ``rng`` (only with ``shuffle``).

        A Study skips building each trial's generator when it will not be
        drawn from. A subclass that overrides ``ask`` is assumed to draw.
        """
        return bool(self.shuffle) or type(self).ask is not GridSampler.ask

    _ask_learns = False  # the history only says which points are taken

    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        # Equal params listed at several points are evaluated at each, as in
        # GridSearchCV (whose cv_results_ a grid search reproduces).
        used = used_points(self, distinct_equal=True)
        used.update(space, history)
        n_points = space.n_points
        if self.shuffle:
            position = used.random_free(n_points, rng)
        else:
            position = used.lowest_free(n_points)
        if position is None:
            raise SearchSpaceExhausted(f"All {n_points} grid points have been tried.")
        return space.point(position)
