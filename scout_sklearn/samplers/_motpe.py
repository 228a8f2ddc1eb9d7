"""Multi-objective TPE: our TPE, its good set chosen by Pareto fronts."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from scout_sklearn._constraints import Constraint
from scout_sklearn._dominance import (
    crowding_distances,
    hypervolume_contributions,
    pareto_ranks,
)
from scout_sklearn.samplers._base import continues, private_cache
from scout_sklearn.samplers._history import choose_subspace
from scout_sklearn.samplers._nsga2 import (
    OBJECTIVE_CONSTRAINTS,
    constrained_ranks,
    trial_objectives,
    trial_violation,
)
from scout_sklearn.samplers._tpe import TPESampler

if TYPE_CHECKING:
    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace
    from scout_sklearn.samplers._history import EncodedHistory, Observations

__all__ = ["MOTPESampler", "good_set"]

#: The reference point of the hypervolume that splits the last front, in
#: each objective scaled to [0, 1] over the feasible complete trials (as
#: the search's own hypervolume is).
_REFERENCE = 1.1


class MOTPESampler(TPESampler):
    """Multi-objective TPE: our :class:`TPESampler`, its good set chosen by Pareto fronts.

    After ``n_startup_trials`` random trials, each ask splits the COMPLETE
    trials of one sub-space into a *good* and a *bad* set, as TPE does, but
    by their objective vectors instead of a single value (Ozaki et al.,
    2020): the good set takes whole Pareto fronts of the feasible trials
    (non-dominated sorting) until the next front would overflow it, then the
    points of that front that add the most hypervolume, chosen greedily one
    at a time. Its size is TPE's ``gamma(n)`` of the ``n`` complete trials
    (fewer when fewer are feasible). Trials outside a constraint, or with
    an objective missing or not finite, are bad, with the pruned and failed
    trials and, with ``constant_liar``, the running ones. Then it is TPE:
    the same Parzen densities ``l(x)`` (good) and ``g(x)`` (bad) on the unit
    cube, the same candidates drawn from ``l``, and the one with the
    largest ``log l(x) - log g(x)`` is proposed.

    Parameters
    ----------
    n_startup_trials : int, default=10
        Params are drawn at random (as :class:`RandomSampler` draws them)
        until this many trials are complete.
    n_ei_candidates : int, default=96
        How many params are drawn from the good density at each ask; the
        best of them by ``l(x) / g(x)`` is proposed.
    gamma : float, callable or None, default=None
        How many complete trials the good set may hold, as for
        :class:`TPESampler`: a float in ``(0, 1]`` is the fraction
        ``ceil(gamma * n)``, a callable maps ``n`` to the size, and None
        uses ``min(ceil(0.1 * n), 25)``.
    multivariate : bool, default=True
        Model the parameters of a sub-space jointly (see
        :class:`TPESampler`).
    constant_liar : bool, default=True
        Count trials still RUNNING as bad, so that workers asking at the
        same time are steered away from each other's params.
    prior_weight : float, default=1.0
        Weight of the prior kernel relative to one trial's kernel.
    consider_endpoints : bool, default=False
        In univariate mode, whether the bounds of the range count as
        neighbours when kernels take their bandwidths.
    objectives : dict or None, default=None
        What each trial is judged on: metric name to ``"maximize"`` or
        ``"minimize"``, read from each fold's test scores (the key is
        ``"score"`` for a single metric) or a built-in measure
        (``"fit_time"``, ``"score_time"`` per test sample), averaged over
        the trial's folds, exactly as :class:`NSGAIISampler` reads them.
        ScoutSearchCV sets it from its own ``objectives`` when it is None.
        None, outside a multi-objective search, judges trials on their
        value alone (greater is better), which makes it TPE.
    constraints : dict or None, default=None
        Bounds a trial must meet to be in the good set: metric name (read
        as for ``objectives``) to ``("<=", threshold)`` or
        ``(">=", threshold)``. ScoutSearchCV sets it from its own
        ``constraints`` when it is None.

    See Also
    --------
    TPESampler : The single-objective sampler this one extends.
    NSGAIISampler : The other sampler that learns from several objectives.

    Notes
    -----
    The hypervolume that splits the last front is computed exactly (2 or 3
    objectives) in objectives scaled to [0, 1] over the feasible complete
    trials of the sub-space, with the reference point 1.1 in each, so the
    ends of the front, which add the most, come first. With one objective,
    or more than three, the last front is split by crowding distance
    (its ends first) instead.

    With a conditional space, the sub-space is drawn as TPE draws it, the
    trials ranked by Pareto rank (infeasible ones after all feasible ones,
    by violation) instead of by value.

    As in TPE, everything is recomputed from the history at every ask
    (caches only keep each trial's coordinates and objectives), so a
    fresh sampler proposes what a long-lived one would and a resumed
    search carries on unchanged. A COMPLETE trial without a finite value
    is counted as failed, as TPE counts it.

    References
    ----------
    .. [1] Y. Ozaki, Y. Tanigaki, S. Watanabe and M. Onishi, "Multiobjective
       Tree-Structured Parzen Estimator for Computationally Expensive
       Optimization Problems", GECCO 2020.
    .. [2] J. Bergstra, R. Bardenet, Y. Bengio and B. Kégl, "Algorithms for
       Hyper-Parameter Optimization", NeurIPS 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import FoldResult, Float, SearchSpace, Trial, TrialState
    >>> from scout_sklearn.samplers import MOTPESampler
    >>> space = SearchSpace.from_user({"x": Float(0.0, 1.0), "y": Float(0.0, 1.0)})
    >>> sampler = MOTPESampler(objectives={"f1": "minimize", "f2": "minimize"})
    >>> history = []
    >>> for k in range(40):
    ...     params = sampler.ask(space, history, np.random.default_rng([0, k]))
    ...     f1, f2 = params["x"], 1.0 + params["y"] - params["x"] ** 0.5
    ...     fold = FoldResult(0, {"f1": f1, "f2": f2}, None, 0.0, 0.0, 1)
    ...     history.append(Trial(k, params, TrialState.COMPLETE, (fold,), value=-f1))
    >>> later = [t.params["y"] for t in history[20:]]
    >>> float(np.median(later)) < 0.1  # the front is at y = 0
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        **TPESampler._parameter_constraints,
        **OBJECTIVE_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 96,
        gamma: float | Callable[[int], int] | None = None,
        multivariate: bool = True,
        constant_liar: bool = True,
        prior_weight: float = 1.0,
        consider_endpoints: bool = False,
        objectives: Mapping[str, str] | None = None,
        constraints: Mapping[str, tuple[str, float]] | None = None,
    ) -> None:
        self.objectives = objectives
        self.constraints = constraints
        super().__init__(
            n_startup_trials=n_startup_trials,
            n_ei_candidates=n_ei_candidates,
            gamma=gamma,
            multivariate=multivariate,
            constant_liar=constant_liar,
            prior_weight=prior_weight,
            consider_endpoints=consider_endpoints,
        )

    # -- what differs from TPE ------------------------------------------------
    def _choose_subspace(
        self,
        space: SearchSpace,
        cache: EncodedHistory,
        history: Sequence[Trial],
        per_subspace: list[Observations],
        rng: np.random.Generator,
    ) -> int:
        if len(space) == 1:
            return 0
        rows = [self._objective_rows(o, history) for o in per_subspace]
        everything = np.vstack(rows)
        points, violations = everything[:, :-1], everything[:, -1].copy()
        missing = ~np.isfinite(points).all(axis=1)
        violations[missing] = math.inf
        ranks = constrained_ranks(np.where(missing[:, None], 0.0, points), violations)
        bounds = np.cumsum([0, *(len(r) for r in rows)])
        scores = [-ranks[a:b].astype(float) for a, b in itertools.pairwise(bounds)]
        return choose_subspace(space, cache, history, rng, scores=scores)

    def _split(
        self, observations: Observations, history: Sequence[Trial]
    ) -> tuple[np.ndarray, np.ndarray]:
        rows = self._objective_rows(observations, history)
        good = good_set(rows[:, :-1], rows[:, -1], self._n_good(len(rows)))
        bad = np.setdiff1d(np.arange(len(rows)), good)
        return good, bad

    def _objective_rows(
        self, observations: Observations, history: Sequence[Trial]
    ) -> np.ndarray:
        """Per complete row: its objectives to minimise (NaN if missing), its violation."""
        cache = private_cache(self, "_objective_cache", _ObjectiveCache)
        return cache.rows(history, observations.numbers, self.objectives, self.constraints)


def good_set(points: np.ndarray, violations: np.ndarray, size: int) -> np.ndarray:
    """The rows of the good set, ascending: whole fronts, then the last one split.

    ``points`` are objectives to minimise (a row with a NaN is never good),
    ``violations`` 0 for a feasible row. Among the feasible rows with finite
    objectives, the fronts of non-dominated sorting are taken whole while
    they fit in ``size``; the front that would overflow gives the points
    that add the most hypervolume, greedily (crowding distance with one
    objective or more than three).
    """
    usable = np.flatnonzero(np.isfinite(points).all(axis=1) & (violations <= 0))
    if size <= 0 or len(usable) == 0:
        return np.empty(0, dtype=np.int64)
    candidates = points[usable]
    ranks = pareto_ranks(candidates)
    chosen: list[np.ndarray] = []
    n_chosen = 0
    for rank in np.unique(ranks):
        front = np.flatnonzero(ranks == rank)
        if n_chosen + len(front) > size:
            front = front[_split_front(candidates, front, size - n_chosen)]
        chosen.append(front)
        n_chosen += len(front)
        if n_chosen >= size:
            break
    return np.sort(usable[np.concatenate(chosen)])


def _split_front(points: np.ndarray, front: np.ndarray, k: int) -> np.ndarray:
    """Positions in ``front`` of the ``k`` points it keeps (ties: trial order)."""
    low = points.min(axis=0)
    span = points.max(axis=0) - low
    scaled = (points[front] - low) / np.where(span > 0, span, 1.0)
    n_objectives = points.shape[1]
    if n_objectives not in (2, 3):
        order = np.argsort(-crowding_distances(scaled), kind="stable")
        return np.asarray(order[:k])
    reference = np.full(n_objectives, _REFERENCE)
    remaining = np.arange(len(front))
    picked: list[int] = []
    for _ in range(k):
        gains = hypervolume_contributions(
            scaled[remaining], scaled[np.array(picked, dtype=np.int64)], reference
        )
        best = int(np.argmax(gains))  # the first of equal gains
        picked.append(int(remaining[best]))
        remaining = np.delete(remaining, best)
    return np.array(picked, dtype=np.int64)


class _ObjectiveCache:
    """Each COMPLETE trial's objectives and violation, read once from its folds.

    A complete trial never changes, so its row is kept by trial number;
    another history (not an extension of the one seen) or other objectives
    start the cache afresh.
    """

    def __init__(self) -> None:
        self._reset(None)

    def _reset(self, spec: object) -> None:
        self._spec = spec
        self._n_seen = 0
        self._last_params: object = None
        self._positions: dict[int, int] = {}
        self._rows: dict[int, np.ndarray] = {}

    def rows(
        self,
        history: Sequence[Trial],
        numbers: np.ndarray,
        objectives: Mapping[str, str] | None,
        constraints: Mapping[str, tuple[str, float]] | None,
    ) -> np.ndarray:
        spec = (
            None if objectives is None else dict(objectives),
            None if constraints is None else dict(constraints),
        )
        if spec != self._spec or not continues(history, self._n_seen, self._last_params):
            self._reset(spec)
        for position in range(self._n_seen, len(history)):
            self._positions[history[position].number] = position
        self._n_seen = len(history)
        self._last_params = history[-1].params if history else None
        width = 1 if objectives is None else len(objectives)
        out = np.empty((len(numbers), width + 1))
        for i, number in enumerate(numbers.tolist()):
            row = self._rows.get(number)
            if row is None:
                trial = history[self._positions[number]]
                values = trial_objectives(trial, spec[0])
                row = np.empty(width + 1)
                row[:-1] = math.nan if values is None else values
                row[-1] = trial_violation(trial, spec[1])
                self._rows[number] = row
            out[i] = row
        return out
