"""Pareto dominance of points to minimise: non-dominated sorting, crowding, hypervolume.

Shared by the search's Pareto summary (``_pareto``) and the samplers that
learn from several objectives (NSGA-II, MOTPE), so it sits below both. Pure
numpy; sorting and crowding take any number of objectives with memory
linear in the number of points, the hypervolume 2 or 3 objectives.
"""

from __future__ import annotations

import bisect

import numpy as np

__all__ = [
    "crowding_distances",
    "hypervolume",
    "hypervolume_contributions",
    "pareto_ranks",
]

# Points compared at once against the points before them: a block's boolean
# comparison holds _BLOCK * n * n_objectives bytes (4 MB at 10,000 points and
# 3 objectives), instead of the n * n matrix of a pairwise comparison.
_BLOCK = 128


def pareto_ranks(points: np.ndarray) -> np.ndarray:
    """Non-dominated sorting of ``points`` (to minimise): 1 is the front.

    A point dominates another when it is no worse on every objective and
    better on one. Rank r + 1 is the front of what ranks 1..r leave. Rows
    with a NaN (trials that are not COMPLETE) rank after every other row:
    the highest rank of the others, plus one. Equal rows share their rank.

    The rank of a point is the length of the longest chain of points, each
    dominating the next, that ends at it. In lexicographic order every
    point comes after all the points that dominate it, so one pass in that
    order finds every rank: with 2 objectives in O(n log n) time (each front
    keeps its lowest second objective so far, and those are sorted), and
    with more by comparing blocks of points with those before them, in
    O(n^2) time and O(n) memory.
    """
    points = np.asarray(points, dtype=float)
    n = len(points)
    ranks = np.zeros(n, dtype=np.int64)
    valid = np.isfinite(points).all(axis=1) if points.ndim == 2 else np.zeros(n, bool)
    if valid.any():
        # Equal points share a rank and never dominate each other: sort the
        # distinct points once (np.unique sorts them lexicographically).
        unique, inverse = np.unique(points[valid], axis=0, return_inverse=True)
        if unique.shape[1] == 1:
            unique_ranks = np.arange(1, len(unique) + 1, dtype=np.int64)
        elif unique.shape[1] == 2:
            unique_ranks = _ranks_two(unique)
        else:
            unique_ranks = _ranks_blocked(unique)
        ranks[valid] = unique_ranks[np.ravel(inverse)]
    ranks[~valid] = (ranks.max() if valid.any() else 0) + 1
    return ranks


def _ranks_two(unique: np.ndarray) -> np.ndarray:
    """Ranks of distinct 2-objective points in lexicographic order.

    A point is dominated by an earlier one exactly when that one's second
    objective is no greater. ``lowest[k]`` is the lowest second objective
    of front k + 1 so far; it grows with k, so a binary search finds the
    first front that does not dominate the point.
    """
    lowest: list[float] = []
    ranks = np.empty(len(unique), dtype=np.int64)
    for i, y in enumerate(unique[:, 1].tolist()):
        k = bisect.bisect_right(lowest, y)
        if k == len(lowest):
            lowest.append(y)
        else:
            lowest[k] = y
        ranks[i] = k + 1
    return ranks


def _ranks_blocked(unique: np.ndarray) -> np.ndarray:
    """Ranks of distinct points in lexicographic order, a block at a time.

    An earlier point is no greater on the first objective (the sort's key),
    so it dominates exactly when it is no greater on each of the others.
    """
    n = len(unique)
    ranks = np.zeros(n, dtype=np.int64)
    columns = [np.ascontiguousarray(unique[:, j]) for j in range(1, unique.shape[1])]
    for start in range(0, n, _BLOCK):
        stop = min(start + _BLOCK, n)
        earlier = _no_greater(columns, slice(0, start), slice(start, stop))
        base = np.where(earlier, ranks[None, :start], 0).max(axis=1, initial=0)
        # [i, j]: block point j comes before i and dominates it.
        inside = _no_greater(columns, slice(start, stop), slice(start, stop))
        inside &= np.tri(stop - start, k=-1, dtype=bool)
        # Within the block, relax until no rank changes: as many rounds as
        # the block's longest chain (a few), each one vectorised.
        block_ranks = base + 1
        while True:
            chained = np.where(inside, block_ranks[None, :], 0).max(axis=1) + 1
            updated = np.maximum(block_ranks, chained)
            if np.array_equal(updated, block_ranks):
                break
            block_ranks = updated
        ranks[start:stop] = block_ranks
    return ranks


def _no_greater(columns: list[np.ndarray], before: slice, rows: slice) -> np.ndarray:
    """[i, j]: point ``before[j]`` is no greater than ``rows[i]`` on every column."""
    result = columns[0][None, before] <= columns[0][rows, None]
    for column in columns[1:]:
        result &= column[None, before] <= column[rows, None]
    return result


def crowding_distances(points: np.ndarray) -> np.ndarray:
    """NSGA-II's crowding distance of each point of one front (Deb et al., 2002).

    The sum over objectives of the gap between a point's two neighbours in
    that objective, divided by the objective's range; the extreme points of
    each objective get infinity, so the front's ends are always kept.
    """
    n, n_objectives = points.shape
    distances = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for j in range(n_objectives):
        order = np.argsort(points[:, j], kind="stable")
        values = points[order, j]
        span = values[-1] - values[0]
        distances[order[0]] = distances[order[-1]] = np.inf
        if span > 0:
            distances[order[1:-1]] += (values[2:] - values[:-2]) / span
    return distances


def hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    """The volume dominated by ``points`` (to minimise) and bounded by ``reference``.

    Exact, for 2 objectives (a sweep along the first) or 3 (the 2-objective
    area of each slice between consecutive values of the third).
    """
    points = points[(points < reference).all(axis=1)]
    if len(points) == 0:
        return 0.0
    if points.shape[1] == 2:
        return _area(points, reference)
    if points.shape[1] != 3:
        raise ValueError(f"hypervolume takes 2 or 3 objectives, got {points.shape[1]}.")
    order = np.argsort(points[:, 2], kind="stable")
    levels = [*points[order, 2], reference[2]]
    volume = 0.0
    for i in range(len(order)):
        height = levels[i + 1] - levels[i]
        if height > 0:
            volume += height * _area(points[order[: i + 1], :2], reference[:2])
    return volume


def _area(points: np.ndarray, reference: np.ndarray) -> float:
    area, lowest = 0.0, float(reference[1])
    for x, y in points[np.lexsort((points[:, 1], points[:, 0]))]:
        if y < lowest:
            area += (reference[0] - x) * (lowest - y)
            lowest = float(y)
    return float(area)


def hypervolume_contributions(
    candidates: np.ndarray, selected: np.ndarray, reference: np.ndarray
) -> np.ndarray:
    """The hypervolume each candidate would add to that of ``selected``.

    The volume that a candidate ``p`` dominates (bounded by ``reference``)
    and no point of ``selected`` does: the volume of ``p``'s box less the
    hypervolume of the points ``max(p, s)`` over ``s`` in ``selected`` (the
    part of the box that ``selected`` dominates too). Exact, for 2 or 3
    objectives, every candidate at once: O(m s log s) for 2 objectives and
    O(m s^2 log s) for 3, with ``m`` candidates and ``s`` selected points.
    """
    candidates = np.minimum(np.asarray(candidates, dtype=float), reference)
    selected = np.asarray(selected, dtype=float).reshape(-1, candidates.shape[1])
    if candidates.shape[1] not in (2, 3):
        raise ValueError(f"hypervolume takes 2 or 3 objectives, got {candidates.shape[1]}.")
    boxes = np.prod(reference - candidates, axis=1)
    if len(selected) == 0 or len(candidates) == 0:
        return np.asarray(boxes)
    shared = np.minimum(np.maximum(candidates[:, None, :], selected[None, :, :]), reference)
    if candidates.shape[1] == 2:
        covered = _areas(shared[..., 0], shared[..., 1], reference)
    else:
        covered = _volumes(shared, reference)
    return np.asarray(np.maximum(boxes - covered, 0.0))


def _areas(x: np.ndarray, y: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The 2-objective hypervolume of each row's points (coordinates below reference).

    Along the first objective, between a point and the next, the area
    covered reaches down to the lowest second objective so far.
    """
    order = np.argsort(x, axis=-1, kind="stable")
    x = np.take_along_axis(x, order, axis=-1)
    lowest = np.minimum.accumulate(np.take_along_axis(y, order, axis=-1), axis=-1)
    last = np.full((*x.shape[:-1], 1), reference[0])
    widths = np.concatenate([x[..., 1:], last], axis=-1) - x
    return np.asarray((widths * (reference[1] - lowest)).sum(axis=-1))


def _volumes(points: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The 3-objective hypervolume of each row's points: slices along the third.

    Slice i (between the i-th and the next lowest third objective) is the
    area of the first i + 1 points in that order; the others are moved to
    the reference point, where they cover nothing.
    """
    m, s, _ = points.shape
    order = np.argsort(points[..., 2], axis=1, kind="stable")
    ordered = np.take_along_axis(points, order[..., None], axis=1)
    levels = np.concatenate([ordered[..., 2], np.full((m, 1), reference[2])], axis=1)
    heights = np.diff(levels, axis=1)
    active = np.tri(s, dtype=bool)  # [slice, point]
    x = np.where(active[None], ordered[:, None, :, 0], reference[0])
    y = np.where(active[None], ordered[:, None, :, 1], reference[1])
    return np.asarray((heights * _areas(x, y, reference)).sum(axis=1))
