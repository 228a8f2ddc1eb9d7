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
    IsNone,
    Options,
)
from scout_sklearn.distributions import ScipyDistribution
from scout_sklearn.exceptions import SearchSpaceExhausted
from scout_sklearn.samplers._base import Sampler, used_points
from scout_sklearn.samplers._history import encoded_history, unit_coordinates

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
    seed : int or None, default=None
        Seed of the scrambling. None takes it from the study: the first
        trial is drawn at random from its own generator (so from the study's
        ``random_state``), and the scrambling of every later point is seeded
        by that first trial's params; two studies with different seeds get
        different designs. An int fixes the sequence: two studies with the
        same space and ``seed`` try the same params in the same order, and
        the first 2**m trials are exactly a scrambled Sobol' net.

    See Also
    --------
    RandomSampler : Independent random draws.
    GridSampler : Every point of a finite space.

    Notes
    -----
    **Which point a trial gets.** A sampler only sees the space, the history
    and the trial's own random generator, and a study seeds that generator
    per trial, so the generator cannot carry one sequence across trials.
    The sequence is therefore fixed by the history (``seed=None``: the
    study's first trial, which the study's seed drew) or by ``seed``, and
    the sub-space; trial *k* of a sub-space (*k* trials of that sub-space
    already in the history, whatever their state, running ones included)
    takes point *k* (with ``seed=None``, the study's first trial stands in
    for point 0 of its sub-space). Concurrent workers thus take consecutive
    points and a resumed search continues where it stopped.

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
        "seed": [Interval(numbers.Integral, 0, None), IsNone()],
    }

    def __init__(
        self, qmc_type: str = "sobol", scramble: bool = True, seed: int | None = None
    ) -> None:
        self.qmc_type = qmc_type
        self.scramble = scramble
        self.seed = seed
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
        self._validate()
        counts = encoded_history(self, space, history).counts()
        index = _emptiest_subspace(space, counts)
        sub, k = space[index], counts[index]
        scramble_seed = self._scramble_seed(space, history, index)
        if scramble_seed is None:
            # The study's first trial: drawn from its generator, it seeds
            # the scrambling of every later point (see the seed parameter).
            return _decode(sub, rng.random(len(sub)), rng)
        if not space.is_finite:
            if self.qmc_type == "sobol" and k >= _MAX_SOBOL_POINTS:
                return sub.sample(rng)
            return _decode(sub, self._points(scramble_seed, len(sub), k + 1)[k], rng)
        used = used_points(self)
        used.update(space, history)
        n_available = k + _MAX_SKIPS
        if self.qmc_type == "sobol":
            n_available = min(n_available, _MAX_SOBOL_POINTS)
        if n_available > k:
            points = self._points(scramble_seed, len(sub), n_available)
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

    def _scramble_seed(
        self, space: SearchSpace, history: Sequence[Trial], sub_index: int
    ) -> tuple[int, ...] | None:
        """Seed of sub-space ``sub_index``'s sequence; None for the study's first trial."""
        if self.seed is not None:
            return (int(self.seed), sub_index)
        first = next((t for t in history if space.locate(t.params) is not None), None)
        if first is None:
            return None
        where = space.locate(first.params)
        assert where is not None
        coordinates = unit_coordinates(space[where], first.params)
        return (*np.frombuffer(coordinates.tobytes(), dtype=np.uint32).tolist(), sub_index)

    def _points(
        self, scramble_seed: tuple[int, ...], n_dims: int, n_points: int
    ) -> np.ndarray:
        """The first ``n_points`` (at least) of the sequence of ``scramble_seed``."""
        # A cache of a pure function of the configuration: the key names
        # everything the points depend on, so set_params cannot make it stale.
        cache: dict[tuple[Any, ...], np.ndarray] = self.__dict__.setdefault(
            "_sequences", {}
        )
        key = (self.qmc_type, bool(self.scramble), scramble_seed, n_dims)
        points = cache.get(key)
        if points is None or len(points) < n_points:
            # Regrow to a power of two (Sobol' balance), doubling as needed:
            # regeneration costs O(total points) over a whole search.
            n_pow2 = max(16, 1 << max(0, n_points - 1).bit_length())
            points = self._generate(scramble_seed, n_dims, n_pow2)
            cache[key] = points
        return points

    def _generate(
        self, scramble_seed: tuple[int, ...], n_dims: int, n_points: int
    ) -> np.ndarray:
        scramble_rng = np.random.default_rng(list(scramble_seed))
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
