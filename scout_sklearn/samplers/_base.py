"""The sampler interface: narrow data in, params out."""

from __future__ import annotations

import bisect
import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from scout_sklearn._constraints import Configurable
from scout_sklearn.exceptions import InvalidParameterError

if TYPE_CHECKING:
    import numpy as np

    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace

__all__ = [
    "Sampler",
    "UsedPoints",
    "continues",
    "private_cache",
    "random_below",
    "require_unit_coordinates",
    "single_blas_thread",
    "used_points",
]


class Sampler(Configurable, ABC):
    """Base class of samplers: decide the params of the next trial.

    A sampler is a plain configuration object. Its constructor stores its
    arguments and nothing else; whatever it learns comes from the history it
    is given, so the same space, history and random generator always give
    the same params, and ``sklearn.base.clone`` copies a sampler safely.

    To write your own, subclass it and implement :meth:`ask`::

        class CoordinateSampler(Sampler):
            def ask(self, space, history, rng):
                done = [t for t in history if t.has_value]
                if not done:
                    return space.sample(rng)
                best = max(done, key=lambda t: t.value)
                sub = space[space.locate(best.params)]
                x = sub.encode(best.params)
                i = rng.integers(len(x))
                x[i] = rng.random()
                return sub.decode(x)

    See Also
    --------
    GridSampler, RandomSampler
    """

    # Samplers call ``_validate`` at construction, and in ``check_space`` and
    # ``ask`` to catch a bad ``set_params``, which, as in scikit-learn, only sets.
    _kind: ClassVar[str] = "sampler"

    @abstractmethod
    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        """Propose the params of the next trial.

        Parameters
        ----------
        space : SearchSpace
            Where the params must lie: the returned dict must name exactly the
            parameters of one sub-space, each value inside its distribution.
        history : sequence of Trial
            Every trial of the study so far, in number order, RUNNING ones
            included (several trials are evaluated at once; do not hand a
            running trial's params out again).
        rng : numpy.random.Generator
            The generator of this trial, seeded from the study seed and the
            trial number. Use it, and no other source of randomness, so that
            a search is reproducible and a resumed search proposes what an
            uninterrupted one would have.

        Returns
        -------
        params : dict
            Parameter name to value.

        Raises
        ------
        SearchSpaceExhausted
            When no new params are left (a finite space fully visited).
        """

    def check_space(self, space: SearchSpace) -> None:
        """Raise ``InvalidParameterError`` if this sampler cannot search ``space``.

        Called once before any fit. The default accepts every space.
        """

    def max_trials(self, space: SearchSpace) -> int | None:
        """The most trials this sampler can propose on ``space``, or None if unbounded.

        The default is the number of distinct params of a finite space (a
        sampler must not propose the same params twice) and None otherwise.
        """
        return space.n_distinct if space.is_finite else None

    # Set to False by a class whose own ``ask`` uses the history only to know
    # which points are taken (grid, random, QMC).
    _ask_learns: ClassVar[bool] = True

    def _learns_from_results(self) -> bool:
        """Whether the scores of finished trials steer what :meth:`ask` proposes.

        A search sends short folds to its workers in larger chunks when they
        do not, since asking ahead of the results then costs nothing. The
        class that defines the ``ask`` in use says (``_ask_learns``): a
        user's sampler, or a subclass overriding ``ask``, is assumed to learn.
        """
        for cls in type(self).__mro__:
            if "ask" in vars(cls):
                return bool(vars(cls).get("_ask_learns", True))
        return True

    def __getstate__(self) -> dict[str, Any]:
        # Caches derived from a history (underscored attributes) are not
        # configuration: a pickled or copied sampler starts without them.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


class UsedPoints:
    """Grid positions already handed to trials, updated incrementally.

    A finite space's samplers must not repeat a point. Recomputing the set
    from the whole history at every ask costs O(n) per trial; this keeps it
    and only looks at trials it has not seen. History is append-only within a
    study (trial numbers grow, params never change), so a prefix check on the
    last trial seen is enough to notice a different or rewritten history.

    Equal params can sit at several grid points: a value listed twice, or
    the params that overlapping dicts of a list share. With
    ``distinct_equal=True`` (the grid sampler, which evaluates the grid as
    ``GridSearchCV`` does) each is a point of its own, and a trial uses the
    first of them still free. Otherwise a trial uses all of them at once:
    a sampler never proposes params equal to a tried trial's, which would
    spend a fit on a result it already has.
    """

    def __init__(self, *, distinct_equal: bool = False) -> None:
        self.distinct_equal = distinct_equal
        self._space: SearchSpace | None = None
        self._n_seen = 0
        self._last_params: object = None
        self.positions: set[int] = set()
        # The same positions in increasing order, for random_free.
        self._ordered: list[int] = []
        self._cursor = 0

    def update(self, space: SearchSpace, history: Sequence[Trial]) -> set[int]:
        """Return the grid positions of the params of every trial in ``history``."""
        if space is not self._space or not continues(
            history, self._n_seen, self._last_params
        ):
            self._space = space
            self._n_seen = 0
            self.positions = set()
            self._ordered = []
            self._cursor = 0
        for trial in history[self._n_seen :]:
            equal = space.equivalent_positions(trial.params)
            for position in equal:
                if position not in self.positions:
                    self.positions.add(position)
                    bisect.insort(self._ordered, position)
                    if self.distinct_equal:  # the first of its equal points still free
                        break
        self._n_seen = len(history)
        self._last_params = history[-1].params if history else None
        return self.positions

    def is_free(self, space: SearchSpace, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` may be proposed: a grid point equal to it is free."""
        return self.any_free(space.equivalent_positions(params))

    def any_free(self, positions: Iterable[int]) -> bool:
        """Whether one of ``positions`` (the grid points of equal params) is free."""
        # Without distinct_equal, equal points are used together: one free
        # point means that all of them are.
        return any(p not in self.positions for p in positions)

    def lowest_free(self, n_points: int) -> int | None:
        """The smallest grid position not used yet, or None when all are."""
        # Positions below the cursor are known to be used: the set only grows
        # until the history changes, and that resets the cursor with it.
        while self._cursor < n_points and self._cursor in self.positions:
            self._cursor += 1
        return self._cursor if self._cursor < n_points else None

    def random_free(self, n_points: int, rng: np.random.Generator) -> int | None:
        """A grid position drawn uniformly among the unused ones, or None."""
        n_free = n_points - len(self.positions)
        if n_free <= 0:
            return None
        if n_free * 2 >= n_points:
            # Mostly free: rejection takes fewer than two draws on average.
            while True:
                position = random_below(n_points, rng)
                if position not in self.positions:
                    return position
        # The r-th free position, r uniform: it is r + k, where k counts the
        # used positions below it, i.e. the first k with used[k] - k > r
        # (used[k] - k free positions lie below used[k]). A binary search
        # over the used positions in order, not a list of every free one:
        # that took time in the size of the grid at every ask (a property
        # test walking a large shuffled grid to its end ran for 10 minutes).
        rank = random_below(n_free, rng)
        used = self._ordered
        below = bisect.bisect_right(range(len(used)), rank, key=lambda k: used[k] - k)
        return rank + below


def random_below(n: int, rng: np.random.Generator) -> int:
    """A uniform integer in ``[0, n)``, for any Python int ``n`` (grids may pass 2**63)."""
    if n < 2**63:
        return int(rng.integers(n))
    n_bytes = (n.bit_length() + 7) // 8
    excess_bits = 8 * n_bytes - n.bit_length()
    while True:
        candidate = int.from_bytes(rng.bytes(n_bytes), "little") >> excess_bits
        if candidate < n:
            return candidate


def require_unit_coordinates(space: SearchSpace, owner: str) -> None:
    """Raise InvalidParameterError if a parameter of ``space`` has no unit coordinate.

    Model-based samplers place every parameter in [0, 1]; a scipy.stats-like
    object without ``cdf``/``ppf`` has no such place.
    """
    missing = space.without_unit_coordinate()
    if missing:
        index, name = missing[0]
        where = f" (sub-space {index})" if len(space) > 1 else ""
        raise InvalidParameterError(
            f"{owner} cannot model the parameter {name!r}{where}: "
            f"{space[index][name]!r} has no cdf/ppf, so it has no unit coordinate. "
            "Use a scipy.stats distribution or Float/Int for it, or sampler='random'."
        )


def continues(history: Sequence[Trial], n_seen: int, last_params: object) -> bool:
    """Whether ``history`` extends the one a cache has seen ``n_seen`` trials of.

    History is append-only within a study (trial numbers grow, params never
    change), so the length and the identity of the last params seen are
    enough to notice a different or rewritten history.
    """
    return len(history) >= n_seen and (
        n_seen == 0 or history[n_seen - 1].params is last_params
    )


# Upper bounds of the samplers' size settings. Their memory grows with the
# setting times the trials (the GP's candidates) or the parameters (a
# population): a mistyped 10**9 would exhaust memory or run for hours
# before the first fit. 100,000 is about a hundred times the defaults and
# an ask still takes seconds, not hours.
MAX_CANDIDATES = 100_000
MAX_POPULATION = 100_000

_T = TypeVar("_T")


def private_cache(sampler: Sampler, name: str, factory: Callable[[], _T]) -> _T:
    """The underscored attribute ``name`` of ``sampler``, created on first use.

    For what a sampler derives from the history (caches, helper samplers),
    not configuration: ``Sampler.__getstate__`` drops underscored attributes,
    so copies and unpickled samplers start without them.
    """
    value: _T | None = sampler.__dict__.get(name)
    if value is None:
        value = factory()
        sampler.__dict__[name] = value
    return value


_CONTROLLER: list[Any] = []


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """A context in which BLAS and OpenMP run on one thread (threadpoolctl).

    A model-based sampler's matrices are small (a few hundred rows): BLAS
    threads cost more to wake than they save, and on a machine busy with the
    search's own workers an ask could take seconds instead of milliseconds.
    The controller (which lists the loaded libraries) is made once, and only
    the pools with more than one thread are set and restored (each set costs
    tens of microseconds, and inside a search's workers every pool has one
    thread already).
    """
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    changed = []
    for library in _CONTROLLER[0].lib_controllers:
        n_threads = library.num_threads
        if n_threads != 1:
            library.set_num_threads(1)
            changed.append((library, n_threads))
    try:
        yield
    finally:
        for library, n_threads in changed:
            library.set_num_threads(n_threads)


def used_points(sampler: Sampler, *, distinct_equal: bool = False) -> UsedPoints:
    """The grid positions cache of ``sampler`` (created on first use).

    ``distinct_equal``: whether equal params at several grid points are
    several points (see :class:`UsedPoints`).
    """
    return private_cache(
        sampler, "_used_points", lambda: UsedPoints(distinct_equal=distinct_equal)
    )
