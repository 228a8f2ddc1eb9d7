"""NSGA-II, steady state: a genetic algorithm that learns from several objectives."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from scout_sklearn._constraints import Constraint, Interval, IsNone, Predicate
from scout_sklearn._dominance import crowding_distances, pareto_ranks
from scout_sklearn._trial import TrialState
from scout_sklearn.distributions import Categorical
from scout_sklearn.exceptions import SearchSpaceExhausted
from scout_sklearn.samplers._base import (
    MAX_POPULATION,
    Sampler,
    continues,
    private_cache,
    require_unit_coordinates,
    used_points,
)
from scout_sklearn.samplers._history import unit_coordinates
from scout_sklearn.samplers._random import RandomSampler

if TYPE_CHECKING:
    from scout_sklearn._trial import FoldResult, Trial
    from scout_sklearn.distributions import SearchSpace, SubSpace

__all__ = [
    "NSGAIISampler",
    "constrained_ranks",
    "trial_objectives",
    "trial_violation",
]

MAXIMIZE, MINIMIZE = "maximize", "minimize"
#: Objectives every trial measures without a scorer (as ScoutSearchCV's).
BUILTIN_MEASURES = ("fit_time", "score_time")
# Offspring drawn again when one equals a tried trial's params, before a
# random draw takes over.
_MAX_REDRAWS = 32


def _is_objectives_spec(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and len(value) >= 1
        and all(isinstance(name, str) and name for name in value)
        and all(direction in (MAXIMIZE, MINIMIZE) for direction in value.values())
    )


def _is_constraints_spec(value: object) -> bool:
    return (
        isinstance(value, Mapping)
        and len(value) >= 1
        and all(isinstance(name, str) and name for name in value)
        and all(
            isinstance(bound, (tuple, list))
            and len(bound) == 2
            and bound[0] in ("<=", ">=")
            and isinstance(bound[1], numbers.Real)
            and not isinstance(bound[1], bool)
            and math.isfinite(bound[1])
            for bound in value.values()
        )
    )


#: The constraints of the ``objectives`` and ``constraints`` parameters of the
#: samplers that read several objectives (NSGA-II, MOTPE).
OBJECTIVE_CONSTRAINTS: dict[str, list[Constraint]] = {
    "objectives": [
        Predicate(
            _is_objectives_spec,
            "a non-empty dict of metric name (str) to 'maximize' or 'minimize'",
        ),
        IsNone(),
    ],
    "constraints": [
        Predicate(
            _is_constraints_spec,
            "a non-empty dict of metric name (str) to a pair (operator, "
            "threshold), the operator '<=' or '>=' and the threshold a finite "
            "real number",
        ),
        IsNone(),
    ],
}


class NSGAIISampler(Sampler):
    """NSGA-II, asynchronous: every ask breeds one child from the best trials so far.

    The sampler ScoutSearchCV uses by default when ``objectives`` names
    several objectives. It learns from all of them: each ask ranks the
    COMPLETE trials by non-dominated sorting, breaks ties within a front by
    crowding distance, keeps the best ``population_size`` of them as the
    population (NSGA-II's elitist survival, over every trial so far), and
    breeds one child from two parents chosen by binary tournaments on
    (rank, crowding). Nobody waits for a generation: a worker that frees
    up asks at once, and the child comes from the trials complete by then.

    Variation happens on the unit-cube coordinates of one sub-space (the
    first parent's): simulated binary crossover (SBX) and polynomial
    mutation for numeric parameters, uniform crossover and a uniform
    redraw for categorical ones. Params equal to a tried trial's (RUNNING
    ones included) are not proposed: the child is bred again, then drawn
    at random. On a finite space that holds until it is exhausted; a space
    with a scipy.stats distribution is not enumerated, and when a discrete
    one has few values (``randint(0, 3)``) and 32 random draws were all
    tried, the last of them is proposed again.

    Parameters
    ----------
    population_size : int, default=10
        Trials kept as parents; the first ``population_size`` complete
        trials are drawn at random. From 2 to 100,000.
    crossover_prob : float, default=0.9
        Probability that a child mixes two parents; otherwise it is a
        mutated copy of the first.
    swapping_prob : float, default=0.5
        With crossover, the probability that each numeric parameter takes
        part in SBX, and that each categorical one comes from the second
        parent.
    mutation_prob : float or None, default=None
        Probability that each parameter mutates; None is one over the
        number of parameters of the sub-space.
    eta_crossover, eta_mutation : float, default=15.0 and 2.0
        Distribution indices of SBX and polynomial mutation: larger values
        keep children closer to their parents.
    objectives : dict or None, default=None
        What each trial is judged on: metric name to ``"maximize"`` or
        ``"minimize"``. A name is read from each fold's test scores (the
        key is ``"score"`` for a single metric), or is a built-in measure:
        ``"fit_time"`` (seconds) or ``"score_time"`` (seconds per test
        sample), averaged over the trial's folds. ScoutSearchCV sets it
        from its own ``objectives`` when it is None. None, outside a
        multi-objective search, judges trials on their value alone
        (greater is better).
    constraints : dict or None, default=None
        Bounds a trial should meet: metric name (read as for
        ``objectives``) to ``("<=", threshold)`` or ``(">=", threshold)``.
        Constrained domination (Deb et al., 2002): a trial within every
        bound beats any outside one, and among those outside, the smaller
        total violation (relative to each threshold) wins. ScoutSearchCV
        sets it from its own ``constraints`` when it is None.

    See Also
    --------
    RandomSampler : What NSGA-II starts with.

    Notes
    -----
    The defaults (a population of 10 and wide mutations, ``eta_mutation=2``
    where Deb's codes use 20) suit budgets of tens to hundreds of trials.
    They were chosen on ZDT1-3, DTLZ2 and WFG4 at 200 evaluations, on seeds
    100-103 (``benchmarks/multiobjective.py`` reports seeds 0-9): against
    a population of 20 and ``eta_mutation=20``, the hypervolume grew on all
    five problems.

    The population is recomputed from the history at every ask, so a fresh
    sampler proposes what a long-lived one would, and a resumed search
    carries on unchanged. Non-dominated sorting takes O(n log n) time for
    two objectives and O(n^2) for more (under 10 ms at 1,000 trials).

    References
    ----------
    .. [1] K. Deb, A. Pratap, S. Agarwal and T. Meyarivan, "A Fast and
       Elitist Multiobjective Genetic Algorithm: NSGA-II", IEEE Transactions
       on Evolutionary Computation 6(2), 2002.
    .. [2] K. Deb and R. B. Agrawal, "Simulated Binary Crossover for
       Continuous Search Space", Complex Systems 9, 1995.
    .. [3] K. Deb and D. Deb, "Analysing mutation schemes for real-parameter
       genetic algorithms", International Journal of Artificial
       Intelligence and Soft Computing 4(1), 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import FoldResult, Float, SearchSpace, Trial, TrialState
    >>> from scout_sklearn.samplers import NSGAIISampler
    >>> space = SearchSpace.from_user({"x": Float(0.0, 1.0), "y": Float(0.0, 1.0)})
    >>> sampler = NSGAIISampler(
    ...     population_size=10, objectives={"f1": "minimize", "f2": "minimize"}
    ... )
    >>> history = []
    >>> for k in range(60):
    ...     params = sampler.ask(space, history, np.random.default_rng([0, k]))
    ...     f1, f2 = params["x"], 1.0 + params["y"] - params["x"] ** 0.5
    ...     fold = FoldResult(0, {"f1": f1, "f2": f2}, None, 0.0, 0.0, 1)
    ...     history.append(Trial(k, params, TrialState.COMPLETE, (fold,), value=-f1))
    >>> later = [t.params["y"] for t in history[40:]]
    >>> float(np.median(later)) < 0.25  # the front is at y = 0
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "population_size": [Interval(numbers.Integral, 2, MAX_POPULATION)],
        "crossover_prob": [Interval(numbers.Real, 0, 1)],
        "swapping_prob": [Interval(numbers.Real, 0, 1)],
        "mutation_prob": [Interval(numbers.Real, 0, 1), IsNone()],
        "eta_crossover": [Interval(numbers.Real, 0, None, closed="neither", finite=True)],
        "eta_mutation": [Interval(numbers.Real, 0, None, closed="neither", finite=True)],
        **OBJECTIVE_CONSTRAINTS,
    }

    def __init__(
        self,
        *,
        population_size: int = 10,
        crossover_prob: float = 0.9,
        swapping_prob: float = 0.5,
        mutation_prob: float | None = None,
        eta_crossover: float = 15.0,
        eta_mutation: float = 2.0,
        objectives: Mapping[str, str] | None = None,
        constraints: Mapping[str, tuple[str, float]] | None = None,
    ) -> None:
        self.population_size = population_size
        self.crossover_prob = crossover_prob
        self.swapping_prob = swapping_prob
        self.mutation_prob = mutation_prob
        self.eta_crossover = eta_crossover
        self.eta_mutation = eta_mutation
        self.objectives = objectives
        self.constraints = constraints
        self._validate()

    def check_space(self, space: SearchSpace) -> None:
        self._validate()
        require_unit_coordinates(space, type(self).__name__)

    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        self.check_space(space)
        cache = private_cache(self, "_population_cache", _PopulationCache)
        members = cache.update(space, history, self.objectives, self.constraints)
        if len(members.points) < int(self.population_size):
            return private_cache(self, "_startup_sampler", RandomSampler).ask(
                space, history, rng
            )
        ranks, crowding, chosen = _population(
            members.points, members.violations, int(self.population_size)
        )
        tried = cache.tried
        for _ in range(_MAX_REDRAWS):
            first = _tournament(chosen, ranks, crowding, rng)
            index = int(members.subspaces[first])
            same = chosen[members.subspaces[chosen] == index]
            second = _tournament(same, ranks, crowding, rng) if len(same) > 1 else first
            sub = space[index]
            x = self._breed(sub, members.rows[first], members.rows[second], rng)
            params = sub.decode(x)
            if not _is_tried(space, index, sub, params, tried, self, history):
                return params
        return _free_random(space, history, rng, tried, self)

    # -- variation ------------------------------------------------------------
    def _breed(
        self, sub: SubSpace, x1: np.ndarray, x2: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """One child of two parents' unit coordinates: crossover, then mutation."""
        categorical = np.array([isinstance(sub[name], Categorical) for name in sub.names])
        child = x1.copy()
        if rng.random() < float(self.crossover_prob):
            swap = rng.random(len(child)) < float(self.swapping_prob)
            child[categorical & swap] = x2[categorical & swap]
            numeric = ~categorical & swap
            child[numeric] = _sbx(x1[numeric], x2[numeric], float(self.eta_crossover), rng)
        mutation_prob = (
            1.0 / max(len(child), 1)
            if self.mutation_prob is None
            else float(self.mutation_prob)
        )
        mutate = rng.random(len(child)) < mutation_prob
        numeric = ~categorical & mutate
        child[numeric] = _polynomial_mutation(child[numeric], float(self.eta_mutation), rng)
        for j in np.flatnonzero(categorical & mutate):
            distribution = sub[sub.names[j]]
            assert isinstance(distribution, Categorical)
            n_choices = len(distribution.choices)
            child[j] = (rng.integers(n_choices) + 0.5) / n_choices
        return np.asarray(np.clip(child, 0.0, 1.0))


def _sbx(
    x1: np.ndarray, x2: np.ndarray, eta: float, rng: np.random.Generator
) -> np.ndarray:
    """Simulated binary crossover in [0, 1] (Deb and Agrawal, 1995): one child.

    The bounded form of Deb's NSGA-II code: the spread factor's distribution
    is cut so that both children stay inside the bounds.
    """
    low, high = np.minimum(x1, x2), np.maximum(x1, x2)
    gap = high - low
    u = rng.random(len(x1))
    pick_low = rng.random(len(x1)) < 0.5
    child = np.where(pick_low, x1, x2)
    apart = gap > 1e-14
    if not apart.any():
        return child
    low, high, gap, u = low[apart], high[apart], gap[apart], u[apart]

    def spread(distance_to_bound: np.ndarray) -> np.ndarray:
        beta = 1.0 + 2.0 * distance_to_bound / gap
        alpha = 2.0 - beta ** -(eta + 1.0)
        inside = u <= 1.0 / alpha
        return np.asarray(
            np.where(
                inside,
                (u * alpha) ** (1.0 / (eta + 1.0)),
                (1.0 / np.maximum(2.0 - u * alpha, 1e-300)) ** (1.0 / (eta + 1.0)),
            )
        )

    c1 = 0.5 * (low + high - spread(low) * gap)
    c2 = 0.5 * (low + high + spread(1.0 - high) * gap)
    child[apart] = np.where(pick_low[apart], c1, c2)
    return child


def _polynomial_mutation(x: np.ndarray, eta: float, rng: np.random.Generator) -> np.ndarray:
    """Polynomial mutation in [0, 1], the bounded form (Deb and Deb, 2014)."""
    u = rng.random(len(x))
    power = 1.0 / (eta + 1.0)
    low_side = u < 0.5
    below = 2.0 * u + (1.0 - 2.0 * u) * (1.0 - x) ** (eta + 1.0)
    above = 2.0 * (1.0 - u) + 2.0 * (u - 0.5) * x ** (eta + 1.0)
    delta = np.where(low_side, below**power - 1.0, 1.0 - above**power)
    return np.asarray(np.clip(x + delta, 0.0, 1.0))


# -- selection ------------------------------------------------------------------
def _population(
    points: np.ndarray, violations: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NSGA-II's survival: the ``size`` best points by rank, then crowding.

    Feasible points (no violation) are ranked by non-dominated sorting;
    infeasible ones come after all of them, ranked by their violation
    (constrained domination). Returns every point's rank and crowding
    distance (within its front), and the indices of the chosen points.
    """
    ranks = constrained_ranks(points, violations)
    crowding = np.zeros(len(points))
    chosen: list[np.ndarray] = []
    n_chosen = 0
    for rank in np.unique(ranks):
        front = np.flatnonzero(ranks == rank)
        crowding[front] = crowding_distances(points[front])
        if n_chosen + len(front) > size:
            # The front that overflows keeps its least crowded points
            # (stable: ties keep trial order).
            order = np.argsort(-crowding[front], kind="stable")
            front = np.sort(front[order[: size - n_chosen]])
        chosen.append(front)
        n_chosen += len(front)
        if n_chosen >= size:
            break
    return ranks, crowding, np.concatenate(chosen)


def constrained_ranks(points: np.ndarray, violations: np.ndarray) -> np.ndarray:
    """Pareto ranks under constrained domination (1 is the best).

    Feasible points (no violation) are ranked by non-dominated sorting;
    infeasible ones come after all of them, ranked by their violation.
    """
    feasible = violations <= 0
    ranks = np.zeros(len(points), dtype=np.int64)
    ranks[feasible] = pareto_ranks(points[feasible])
    if not feasible.all():
        _, by_violation = np.unique(violations[~feasible], return_inverse=True)
        ranks[~feasible] = ranks.max(initial=0) + 1 + np.ravel(by_violation)
    return ranks


def _tournament(
    candidates: np.ndarray,
    ranks: np.ndarray,
    crowding: np.ndarray,
    rng: np.random.Generator,
) -> int:
    """Binary tournament: the lower rank wins, then the larger crowding distance."""
    a, b = candidates[rng.integers(len(candidates), size=2)]
    if (ranks[b], -crowding[b]) < (ranks[a], -crowding[a]):
        return int(b)
    return int(a)


# -- the history, as the population needs it --------------------------------------
class _Members:
    """The COMPLETE trials with every objective finite, as arrays."""

    def __init__(self) -> None:
        self.points = np.empty((0, 0))
        self.violations = np.empty(0)
        self.rows: list[np.ndarray] = []
        self.subspaces = np.empty(0, dtype=np.int64)


class _PopulationCache:
    """Per trial: its sub-space, unit coordinates and objectives, computed once.

    A trial's params never change and a finished trial's folds neither, so
    only new trials and those RUNNING at the last ask are read again.
    ``tried`` holds every trial's (sub-space, coordinates) key.
    """

    def __init__(self) -> None:
        self._reset(None, None)

    def _reset(self, space: SearchSpace | None, objectives: object) -> None:
        self._space = space
        self._objectives = objectives
        self._n_seen = 0
        self._last_params: object = None
        self._entries: list[tuple[int, np.ndarray] | None] = []
        self._values: list[np.ndarray | None] = []
        self._pending: list[int] = []
        self.tried: set[tuple[int, tuple[float, ...]]] = set()

    def update(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        objectives: Mapping[str, str] | None,
        constraints: Mapping[str, Any] | None,
    ) -> _Members:
        spec = (
            None if objectives is None else dict(objectives),
            None if constraints is None else dict(constraints),
        )
        if (
            space is not self._space
            or spec != self._objectives
            or not continues(history, self._n_seen, self._last_params)
        ):
            self._reset(space, spec)
        for position in range(self._n_seen, len(history)):
            trial = history[position]
            index = space.locate(trial.params)
            entry = None
            if index is not None:
                x = unit_coordinates(space[index], trial.params)
                entry = (index, x)
                self.tried.add((index, tuple(x.tolist())))
            self._entries.append(entry)
            self._values.append(None)
            self._pending.append(position)
        still_pending = []
        for position in self._pending:
            trial = history[position]
            if trial.state is TrialState.RUNNING:
                still_pending.append(position)
            elif trial.state is TrialState.COMPLETE:
                values = trial_objectives(trial, spec[0])
                if values is not None:
                    values = np.append(values, trial_violation(trial, spec[1]))
                self._values[position] = values
        self._pending = still_pending
        self._n_seen = len(history)
        self._last_params = history[-1].params if history else None
        return self._members()

    def _members(self) -> _Members:
        members = _Members()
        kept = [
            (entry, values)
            for entry, values in zip(self._entries, self._values)
            if entry is not None and values is not None
        ]
        if kept:
            rows = np.array([values for _, values in kept])
            members.points, members.violations = rows[:, :-1], rows[:, -1]
            members.rows = [entry[1] for entry, _ in kept]
            members.subspaces = np.array([entry[0] for entry, _ in kept], dtype=np.int64)
        return members


def trial_objectives(
    trial: Trial, objectives: Mapping[str, str] | None
) -> np.ndarray | None:
    """A COMPLETE trial's objectives, to minimise; None if one is missing or not finite.

    Each is the mean over the trial's folds (those of its highest rung) of
    the metric's test score, or of a built-in measure (``fit_time``;
    ``score_time`` per test sample). Without ``objectives``: the trial's
    value, maximised.
    """
    if objectives is None:
        value = trial.value
        return np.array([-value]) if trial.has_value and value is not None else None
    folds = _last_rung_folds(trial)
    values = []
    for name, direction in objectives.items():
        value = _metric_mean(folds, name)
        if not math.isfinite(value):
            return None
        values.append(-value if direction == MAXIMIZE else value)
    return np.array(values, dtype=float)


def trial_violation(trial: Trial, constraints: Mapping[str, Any] | None) -> float:
    """How far a trial is outside its constraints: 0 within all of them.

    The sum over constraints of the distance past the threshold, relative to
    the threshold (absolute when it is 0); infinite when a metric is missing.
    """
    if not constraints:
        return 0.0
    folds = _last_rung_folds(trial)
    violation = 0.0
    for name, (op, threshold) in constraints.items():
        value = _metric_mean(folds, name)
        if not math.isfinite(value):
            return math.inf
        past = value - threshold if op == "<=" else threshold - value
        violation += max(past, 0.0) / (abs(threshold) or 1.0)
    return violation


def _last_rung_folds(trial: Trial) -> list[FoldResult]:
    folds = [f for f in trial.fold_results if not f.is_failed]
    if not folds:
        return []
    top = max(f.rung for f in folds)
    return [f for f in folds if f.rung == top]


def _metric_mean(folds: Sequence[FoldResult], name: str) -> float:
    """A metric's mean over ``folds``: a test score, else a built-in measure (or NaN)."""
    if not folds:
        return math.nan
    if all(name in f.test_scores for f in folds):
        return sum(f.test_scores[name] for f in folds) / len(folds)
    if name == "fit_time":
        return sum(f.fit_time for f in folds) / len(folds)
    if name == "score_time":
        return sum(f.score_time / max(f.n_test_samples, 1) for f in folds) / len(folds)
    return math.nan


def _is_tried(
    space: SearchSpace,
    index: int,
    sub: SubSpace,
    params: Mapping[str, Any],
    tried: set[tuple[int, tuple[float, ...]]],
    sampler: Sampler,
    history: Sequence[Trial],
) -> bool:
    """Whether ``params`` equal a tried trial's (RUNNING ones included)."""
    if space.is_finite:
        used = used_points(sampler)
        used.update(space, history)
        return not used.is_free(space, params)
    return (index, tuple(unit_coordinates(sub, params).tolist())) in tried


def _free_random(
    space: SearchSpace,
    history: Sequence[Trial],
    rng: np.random.Generator,
    tried: set[tuple[int, tuple[float, ...]]],
    sampler: Sampler,
) -> dict[str, Any]:
    """A random draw no trial has tried (a free grid point on a finite space).

    On a space not known to be finite, a tried draw once _MAX_REDRAWS draws
    all were tried.
    """
    if space.is_finite:
        used = used_points(sampler)
        used.update(space, history)
        position = used.random_free(space.n_points, rng)
        if position is None:
            raise SearchSpaceExhausted(
                f"All {space.n_points} points of the space have been tried."
            )
        return space.point(position)
    # A space not known to be finite can still hold few values (a scipy
    # discrete distribution such as randint(0, 2) is not enumerated): once
    # they are all tried no draw is new, so after a bounded number of draws
    # a tried one is returned rather than looping for ever.
    for _ in range(_MAX_REDRAWS):
        params = space.sample(rng)
        index = space.locate(params)
        assert index is not None
        if not _is_tried(space, index, space[index], params, tried, sampler, history):
            return params
    return params
