"""The record of the grid points a finite space's samplers have handed out."""

from __future__ import annotations

import numpy as np
import pytest

from scout_sklearn import SearchSpace, Trial
from scout_sklearn.samplers._base import UsedPoints, random_below


def _history(space: SearchSpace, positions: list[int]) -> list[Trial]:
    return [Trial(k, space.point(p)) for k, p in enumerate(positions)]


@pytest.mark.parametrize("seed", range(5))
def test_a_free_point_is_drawn_uniformly_among_the_free_ones_in_order(seed: int) -> None:
    # random_free draws rank r uniformly and returns the r-th free position:
    # the same position, from the same draws, as listing every free one.
    space = SearchSpace.from_user({"a": list(range(40)), "b": list(range(25))})
    generator = np.random.default_rng(seed)
    taken = [int(p) for p in generator.permutation(1000)[: generator.integers(501, 999)]]
    used = UsedPoints()
    used.update(space, _history(space, taken))
    free = sorted(set(range(1000)) - set(taken))
    for k in range(50):
        expected = free[random_below(len(free), np.random.default_rng([seed, k]))]
        assert used.random_free(1000, np.random.default_rng([seed, k])) == expected


def test_every_free_point_is_drawn_and_none_when_all_are_used() -> None:
    space = SearchSpace.from_user({"a": list(range(12))})
    used = UsedPoints()
    history = _history(space, [0, 3, 4, 5, 6, 7, 8, 11])
    used.update(space, history)
    drawn = {used.random_free(12, np.random.default_rng(k)) for k in range(200)}
    assert drawn == {1, 2, 9, 10}
    rest = [1, 2, 9, 10]
    history += [Trial(len(history) + i, space.point(p)) for i, p in enumerate(rest)]
    used.update(space, history)
    assert used.random_free(12, np.random.default_rng(0)) is None


def test_a_grid_of_20_000_points_is_walked_to_its_end_in_random_order() -> None:
    # Past half the grid, free points are drawn by rank among the used ones
    # in order (kept sorted as trials come in): every point exactly once.
    space = SearchSpace.from_user({"a": list(range(200)), "b": list(range(100))})
    used = UsedPoints()
    history: list[Trial] = []
    generator = np.random.default_rng(0)
    seen = set()
    while True:
        used.update(space, history)
        position = used.random_free(space.n_points, generator)
        if position is None:
            break
        assert position not in seen
        seen.add(position)
        history.append(Trial(len(history), space.point(position)))
    assert len(seen) == 20_000
