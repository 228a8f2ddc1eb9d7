"""Non-dominated sorting, crowding distances and hypervolume contributions."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from scout_sklearn._dominance import (
    crowding_distances,
    hypervolume,
    hypervolume_contributions,
    pareto_ranks,
)


def simple_ranks(points: np.ndarray) -> np.ndarray:
    """The n x n pairwise version: peel off the non-dominated points, front by front."""
    n = len(points)
    ranks = np.zeros(n, dtype=np.int64)
    valid = np.isfinite(points).all(axis=1)
    finite = points[valid]
    no_worse = (finite[:, None, :] <= finite[None, :, :]).all(axis=2)
    better = (finite[:, None, :] < finite[None, :, :]).any(axis=2)
    dominates = no_worse & better
    left = np.ones(len(finite), dtype=bool)
    finite_ranks = np.zeros(len(finite), dtype=np.int64)
    rank = 0
    while left.any():
        rank += 1
        dominated = dominates[np.ix_(left, left)].any(axis=0)
        current = np.flatnonzero(left)[~dominated]
        finite_ranks[current] = rank
        left[current] = False
    ranks[valid] = finite_ranks
    ranks[~valid] = rank + 1
    return ranks


@pytest.mark.parametrize("n_objectives", [1, 2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("kind", ["ties", "continuous", "anticorrelated"])
def test_matches_the_pairwise_version(n_objectives, seed, kind):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))  # blocks of 128: several, and a partial one
    if kind == "ties":  # few distinct values: ties on each objective, duplicates
        points = rng.integers(0, 5, size=(n, n_objectives)).astype(float)
    elif kind == "continuous":
        points = rng.random((n, n_objectives))
    else:  # most points on or near a front
        points = rng.random((n, n_objectives))
        points[:, -1] = 1.0 - points[:, :-1].sum(axis=1) + 0.05 * rng.random(n)
    points = np.concatenate([points, points[rng.integers(n, size=n // 4)]])  # duplicates
    points[rng.random(len(points)) < 0.05] = np.nan  # trials that are not COMPLETE
    points[rng.random(len(points)) < 0.02, 0] = np.inf
    np.testing.assert_array_equal(pareto_ranks(points), simple_ranks(points))


def test_edge_cases():
    assert pareto_ranks(np.empty((0, 2))).tolist() == []
    assert pareto_ranks(np.full((3, 2), np.nan)).tolist() == [1, 1, 1]
    assert pareto_ranks(np.array([[1.0, 2.0]] * 3)).tolist() == [1, 1, 1]
    points = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    assert pareto_ranks(points).tolist() == [1, 1, 2]


def test_memory_stays_linear_at_ten_thousand_points():
    # The pairwise version builds n x n matrices: ~300 MB here.
    points = np.random.default_rng(0).random((10_000, 3))
    tracemalloc.start()
    try:
        pareto_ranks(points)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30e6, peak


def test_crowding_distances():
    points = np.array([[0.0, 4.0], [1.0, 2.0], [2.0, 1.5], [4.0, 0.0]])
    distances = crowding_distances(points)
    assert np.isinf(distances[[0, 3]]).all()
    # (2 - 0) / 4 + (4 - 1.5) / 4 and (4 - 1) / 4 + (2 - 0) / 4
    np.testing.assert_allclose(distances[1:3], [0.5 + 0.625, 0.75 + 0.5])
    assert np.isinf(crowding_distances(points[:2])).all()


@pytest.mark.parametrize("n_objectives", [2, 3])
@pytest.mark.parametrize("seed", range(3))
def test_hypervolume_contributions_are_differences_of_hypervolumes(n_objectives, seed):
    # What each candidate adds: hypervolume(selected + candidate) - hypervolume(selected),
    # with ties (rounded coordinates) and points beyond the reference.
    rng = np.random.default_rng(seed)
    reference = np.full(n_objectives, 1.1)
    for size in range(6):
        selected = np.round(rng.random((size, n_objectives)) * 1.2, 1)
        candidates = np.round(rng.random((5, n_objectives)) * 1.2, 1)
        base = hypervolume(selected, reference) if size else 0.0
        expected = [
            hypervolume(np.vstack([selected, c[None]]), reference) - base
            for c in candidates
        ]
        got = hypervolume_contributions(candidates, selected, reference)
        np.testing.assert_allclose(got, expected, atol=1e-12)
    with pytest.raises(ValueError, match="2 or 3 objectives, got 4"):
        hypervolume_contributions(np.zeros((1, 4)), np.zeros((0, 4)), np.ones(4))
