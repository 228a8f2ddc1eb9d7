"""Quasi-Monte Carlo search: a scrambled Sobol' or Halton sequence over the space."""

from __future__ import annotations

import inspect
import numbers
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from scipy.stats import qmc

from scout_sklearn._constraints import (
    Boolean,
    Constraint,
    Interval,
    Options,
)
from scout_sklearn.distributions import ScipyDistribution
from scout_sklearn.exceptions import SearchSpaceExhausted
from scout_sklearn.samplers._base import Sampler, used_points

if TYPE_CHECKING:
    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace, SubSpace

__all__ = ["QMCSampler"]

# On a finite space a point of the sequence may decode to params already
# tried (several points share one grid cell); this many further points of the
# sequence are tried before a uniform choice among the free points.
_MAX_SKIPS = 64

# scipy's Sobol' engine holds at most 2**30 points (30-bit direction numbers).
_MAX_SOBOL_POINTS = 2**30


class QMCSampler(Sampler):
    """Spread trials evenly over the space with a low-discrepancy sequence.

    Each trial takes the next point of a scrambled Sobol' (default) or Halton
    sequence in the unit cube of its sub-space and decodes it into params
    (see :meth:`SubSpace.decode <scout_sklearn.SearchSpace>`): linear or log
    scale for Float and Int, equal cells for steps and choices, quantiles
    for a scipy.stats distribution. Any ``n`` first trials cover the space
    more evenly than ``n`` random draws, without the grid's habit of
    repeating each value of one parameter along the others. It learns
    nothing from the scores: use it for a space-filling first look or as the
    start-up design of a model-based sampler.

    Parameters
    ----------
    qmc_type : {"sobol", "halton"}, default="sobol"
        The sequence. Sobol' points are best in blocks of a power of two
        (their balance properties hold for the first 2**m points); Halton
        points are balanced for any count.
    scramble : bool, default=True
        Randomise the sequence (Owen-type scrambling for Sobol', a random
        permutation of digits for Halton). An unscrambled Sobol' sequence
        starts at the corner of the cube (every parameter at its lower
        bound).
    seed : int, default=0
        Seed of the scrambling. The sequence is a function of ``seed`` alone
        (see Notes): two studies with the same space and ``seed`` try the
        same params in the same order. Change it for a different design.

    See Also
    --------
    RandomSampler : Independent random draws.
    GridSampler : Every point of a finite space.

    Notes
    -----
    **Which point a trial gets.** A sampler only sees the space, the history
    and the trial's own random generator, and a study seeds that generator
    per trial, so the generator cannot carry one sequence across trials.
    The sequence is therefore fixed by ``seed`` (and the sub-space), and
    trial *k* of a sub-space (*k* trials of that sub-space already in the
    history, whatever their state, running ones included) takes point *k*.
    Concurrent workers thus take consecutive points, a resumed search
    continues where it stopped, and the first 2**m trials of a one-dict
    space are a scrambled Sobol' net.

    **Conditional spaces** (a list of dicts) get one sequence per sub-space,
    of the sub-space's own dimension. Each trial goes to the sub-space with
    the fewest trials so far (the first one on a tie), skipping finite
    sub-spaces that have as many trials as points, so sub-spaces are
    explored in turn.

    **Finite spaces.** No params are tried twice: when a point decodes to
    params already given to a trial, the next points of the sequence are
    tried, then the params are drawn uniformly among the free points of the
    space. The search stops (``SearchSpaceExhausted``) when every point has
    been tried.

    A scipy.stats-like object without ``cdf``/``ppf`` cannot be placed on a
    quantile scale: its parameter is drawn with its own ``rvs`` from the
    trial's generator, the others follow the sequence.

    References
    ----------
    .. [1] I. M. Sobol', "On the distribution of points in a cube and the
       approximate evaluation of integrals", USSR Computational Mathematics
       and Mathematical Physics 7(4), 1967.
    .. [2] J. H. Halton, "On the efficiency of certain quasi-random sequences
       of points in evaluating multi-dimensional integrals", Numerische
       Mathematik 2, 1960.
    .. [3] A. B. Owen, "Randomly permuted (t, m, s)-nets and (t, s)-sequences",
       Monte Carlo and Quasi-Monte Carlo Methods in Scientific Computing,
       1995.
    .. [4] J. Bergstra and Y. Bengio, "Random search for hyper-parameter
       optimization", JMLR 13, 2012 (section 5 compares low-discrepancy
       sequences with random search).

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import Float, SearchSpace, Trial
    >>> from scout_sklearn.samplers import QMCSampler
    >>> space = SearchSpace.from_user({"x": Float(0.0, 1.0)})
    >>> sampler = QMCSampler(seed=1)
    >>> history = []
    >>> for number in range(4):
    ...     params = sampler.ask(space, history, np.random.default_rng([0, number]))
    ...     history.append(Trial(number=number, params=params))
    >>> sorted(int(t.params["x"] * 4) for t in history)  # one point per quarter
    [0, 1, 2, 3]
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "qmc_type": [Options({"sobol", "halton"})],
        "scramble": [Boolean()],
        "seed": [Interval(numbers.Integral, 0, None)],
    }

    def __init__(
        self, qmc_type: str = "sobol", scramble: bool = True, seed: int = 0
    ) -> None:
        self.qmc_type = qmc_type
        self.scramble = scramble
        self.seed = seed
        self._validate()

    def check_space(self, space: SearchSpace) -> None:
        self._validate()

    def max_trials(self, space: SearchSpace) -> int | None:
        return space.n_points if space.is_finite else None

    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        self._validate()
        counts = _trial_counts(self).update(space, history)
        index = _emptiest_subspace(space, counts)
        sub, k = space[index], counts[index]
        if not space.is_finite:
            if self.qmc_type == "sobol" and k >= _MAX_SOBOL_POINTS:
                return sub.sample(rng)
            return _decode(sub, self._points(index, len(sub), k + 1)[k], rng)
        used = used_points(self)
        used.update(space, history)
        n_available = k + _MAX_SKIPS
        if self.qmc_type == "sobol":
            n_available = min(n_available, _MAX_SOBOL_POINTS)
        if n_available > k:
            points = self._points(index, len(sub), n_available)
            for position in range(k, n_available):
                params = _decode(sub, points[position], rng)
                if used.is_free(space, params):
                    return params
        free = used.random_free(space.n_points, rng)
        if free is None:
            raise SearchSpaceExhausted(
                f"All {space.n_points} points of the space have been tried."
            )
        return space.point(free)

    def _points(self, sub_index: int, n_dims: int, n_points: int) -> np.ndarray:
        """The first ``n_points`` (at least) of sub-space ``sub_index``'s sequence."""
        # A cache of a pure function of the configuration: the key names
        # everything the points depend on, so set_params cannot make it stale.
        cache: dict[tuple[Any, ...], np.ndarray] = self.__dict__.setdefault(
            "_sequences", {}
        )
        key = (self.qmc_type, bool(self.scramble), int(self.seed), sub_index, n_dims)
        points = cache.get(key)
        if points is None or len(points) < n_points:
            # Regrow to a power of two (Sobol' balance), doubling as needed:
            # regeneration costs O(total points) over a whole search.
            n_pow2 = max(16, 1 << max(0, n_points - 1).bit_length())
            points = self._generate(sub_index, n_dims, n_pow2)
            cache[key] = points
        return points

    def _generate(self, sub_index: int, n_dims: int, n_points: int) -> np.ndarray:
        scramble_rng = np.random.default_rng([int(self.seed), sub_index])
        engine_class = qmc.Sobol if self.qmc_type == "sobol" else qmc.Halton
        # scipy 1.15 renamed the engines' ``seed`` argument to ``rng``.
        rng_argument = (
            "rng"
            if "rng" in inspect.signature(engine_class.__init__).parameters
            else "seed"
        )
        engine = engine_class(
            n_dims, scramble=bool(self.scramble), **{rng_argument: scramble_rng}
        )
        with warnings.catch_warnings():
            # Sobol' warns when a count is not a power of two; the sampler
            # hands points out one by one, so balance is the user's budget.
            warnings.simplefilter("ignore", UserWarning)
            points = engine.random(n_points)
        return np.asarray(points, dtype=np.float64)


def _decode(sub: SubSpace, x: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    """Params of a point of the unit cube; objects without quantiles draw with rvs."""
    params = {}
    for name, u in zip(sub.names, x):
        distribution = sub[name]
        if isinstance(distribution, ScipyDistribution) and not distribution.has_quantiles:
            params[name] = distribution.sample(rng)
        else:
            params[name] = distribution.from_unit(float(u))
    return params


def _emptiest_subspace(space: SearchSpace, counts: Sequence[int]) -> int:
    """The sub-space with the fewest trials, skipping finite ones already covered."""
    if len(space) == 1:
        return 0
    open_subspaces = [
        i for i, sub in enumerate(space) if not sub.is_finite or counts[i] < sub.n_points
    ]
    candidates = open_subspaces or list(range(len(space)))
    return min(candidates, key=lambda i: (counts[i], i))


class TrialCounts:
    """How many trials of a history fell in each sub-space, updated incrementally.

    Like :class:`~scout_sklearn.samplers._base.UsedPoints`, it only locates
    trials it has not seen, and notices a different history by a prefix
    check on the last trial seen.
    """

    def __init__(self) -> None:
        self._space: SearchSpace | None = None
        self._n_seen = 0
        self._last_params: object = None
        self.counts: list[int] = []

    def update(self, space: SearchSpace, history: Sequence[Trial]) -> list[int]:
        """Return the number of trials of ``history`` in each sub-space of ``space``."""
        stale = (
            space is not self._space
            or len(history) < self._n_seen
            or (self._n_seen and history[self._n_seen - 1].params is not self._last_params)
        )
        if stale:
            self._space = space
            self._n_seen = 0
            self.counts = [0] * len(space)
        for trial in history[self._n_seen :]:
            index = space.locate(trial.params)
            if index is not None:
                self.counts[index] += 1
        self._n_seen = len(history)
        self._last_params = history[-1].params if history else None
        return self.counts


def _trial_counts(sampler: Sampler) -> TrialCounts:
    counts: TrialCounts | None = sampler.__dict__.get("_trial_counts")
    if counts is None:
        counts = TrialCounts()
        sampler.__dict__["_trial_counts"] = counts
    return counts
