"""Simulated annealing: a random walk that accepts worse trials less and less often."""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from scout_sklearn._constraints import Constraint, Interval
from scout_sklearn._trial import TrialState
from scout_sklearn.distributions import Categorical, ScipyDistribution
from scout_sklearn.exceptions import InvalidParameterError, SearchSpaceExhausted
from scout_sklearn.samplers._base import Sampler, continues, private_cache, used_points
from scout_sklearn.samplers._history import choose_subspace, encoded_history
from scout_sklearn.samplers._random import RandomSampler

if TYPE_CHECKING:
    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import Distribution, SearchSpace, SubSpace

__all__ = ["AnnealingSampler"]

# Tag mixed into the seed of each trial's acceptance draw, so that it is not
# the stream a study gives the trial itself (default_rng([seed, number])).
_ACCEPTANCE_TAG = 0x5A17

# On a finite space a proposal may hit params already tried: propose again
# with a neighbourhood this much wider each time, this many times, then draw
# uniformly among the free points.
_MAX_PROPOSALS = 32
_WIDENING = 1.25


class AnnealingSampler(Sampler):
    """Simulated annealing: walk from the current trial, cooling as it goes.

    After ``n_startup_trials`` random trials, the sampler keeps a *current*
    trial (at first the best start-up trial) and proposes params near it: a
    Gaussian step in the unit-cube encoding of each numeric parameter (log
    scales, integer cells and quantiles of scipy.stats distributions
    included), a switch to another choice for a categorical one. Every
    complete trial is then judged against the current one by the Metropolis
    rule: a better trial always becomes current, a worse one with
    probability ``exp(delta / temperature)``. The temperature and the step
    both shrink geometrically with the number of complete trials, so the
    walk explores widely first and refines around a good region later.

    Parameters
    ----------
    n_startup_trials : int, default=10
        Complete trials drawn at random before annealing starts.
    initial_temperature : float, default=0.2
        Temperature of the first Metropolis step, in units of the standard
        deviation of the values seen so far (so it does not depend on the
        scale of the score): at 0.2, a trial worse than the current one by
        0.1 standard deviation is accepted with probability
        ``exp(-0.5) = 0.61``, one worse by a whole standard deviation with
        probability ``exp(-5) = 0.007``.
    cooling : float, default=0.95
        Geometric cooling factor in (0, 1]: after *j* Metropolis steps the
        temperature is ``initial_temperature * cooling**j``.
    initial_scale : float, default=0.25
        Standard deviation of the first steps, in unit-cube coordinates (1 is
        the whole range of a parameter); also the probability that a
        categorical parameter switches to another choice.
    final_scale : float, default=0.02
        What the step shrinks to: after *j* Metropolis steps it is
        ``final_scale + (initial_scale - final_scale) * cooling**j``. At most
        ``initial_scale``.
    jump_probability : float, default=0.1
        For a conditional space (a list of dicts): probability of leaving the
        sub-space of the current trial, for one drawn by how often each
        sub-space produced good trials. The proposal then starts from the
        best trial of that sub-space, or is drawn at random if it has none.

    See Also
    --------
    RandomSampler : Independent random draws (the start-up trials).
    CmaEsSampler : Covariance matrix adaptation, for smooth numeric spaces.

    Notes
    -----
    **State from the history.** The current trial is not stored: each ask
    replays the Metropolis rule over the complete trials, in number order.
    The acceptance draw of a trial comes from a generator seeded by the
    trial's number, so the replay always takes the same decisions and a
    fresh sampler (a resumed search, a clone) proposes what a long-lived one
    would. The replay of the longest prefix of the history whose trials are
    all finished is cached, so an ask only replays the trials after it.

    **Running trials** do not move the walk; proposals for concurrent
    workers start from the same current trial with each trial's own
    generator, so they differ.

    **Finite spaces** never repeat params: a proposal that hits params
    already given to a trial is drawn again with a wider step, then uniformly
    among the free points; the search ends when every point was tried.
    Failed and pruned trials are never accepted.

    A scipy.stats-like object without ``cdf``/``ppf`` has no unit
    encoding: its parameter is treated like a categorical one (kept, or
    redrawn with its own ``rvs`` with the categorical switch probability).

    References
    ----------
    .. [1] N. Metropolis, A. W. Rosenbluth, M. N. Rosenbluth, A. H. Teller
       and E. Teller, "Equation of state calculations by fast computing
       machines", J. Chem. Phys. 21, 1953.
    .. [2] S. Kirkpatrick, C. D. Gelatt and M. P. Vecchi, "Optimization by
       simulated annealing", Science 220(4598), 1983.

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import Float, SearchSpace, Trial, TrialState
    >>> from scout_sklearn.samplers import AnnealingSampler
    >>> space = SearchSpace.from_user({"x": Float(-5.0, 5.0), "y": Float(-5.0, 5.0)})
    >>> sampler = AnnealingSampler(n_startup_trials=5)
    >>> history = []
    >>> for number in range(60):
    ...     params = sampler.ask(space, history, np.random.default_rng([0, number]))
    ...     value = -(params["x"] - 1.0) ** 2 - (params["y"] + 2.0) ** 2
    ...     history.append(Trial(number, params, TrialState.COMPLETE, value=value))
    >>> max(t.value for t in history) > -0.1
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "n_startup_trials": [Interval(numbers.Integral, 1, None)],
        "initial_temperature": [
            Interval(numbers.Real, 0, None, closed="neither", finite=True)
        ],
        "cooling": [Interval(numbers.Real, 0, 1, closed="right")],
        "initial_scale": [Interval(numbers.Real, 0, 1, closed="right")],
        "final_scale": [Interval(numbers.Real, 0, 1, closed="right")],
        "jump_probability": [Interval(numbers.Real, 0, 1)],
    }

    def __init__(
        self,
        n_startup_trials: int = 10,
        initial_temperature: float = 0.2,
        cooling: float = 0.95,
        initial_scale: float = 0.25,
        final_scale: float = 0.02,
        jump_probability: float = 0.1,
    ) -> None:
        self.n_startup_trials = n_startup_trials
        self.initial_temperature = initial_temperature
        self.cooling = cooling
        self.initial_scale = initial_scale
        self.final_scale = final_scale
        self.jump_probability = jump_probability
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        owner = type(self).__name__
        if self.final_scale > self.initial_scale:
            raise InvalidParameterError(
                f"The 'final_scale' parameter of {owner} must be at most "
                f"initial_scale={self.initial_scale!r} (the step shrinks towards it). "
                f"Got {self.final_scale!r} instead."
            )

    def check_space(self, space: SearchSpace) -> None:
        self._validate()

    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        self._validate()
        walk = self._replay(space, history)
        if walk.current is None or walk.n_complete < self.n_startup_trials:
            return self._random(space, history, rng)
        scale = self.final_scale + (self.initial_scale - self.final_scale) * (
            self.cooling**walk.n_steps
        )
        sub_index = walk.current_subspace
        start: Mapping[str, Any] | None = walk.current.params
        if len(space) > 1 and rng.random() < self.jump_probability:
            chosen = _draw_subspace(self, space, history, rng)
            if chosen != sub_index:
                sub_index = chosen
                best = walk.best_by_subspace.get(chosen)
                start = best[1].params if best is not None else None
        sub = space[sub_index]
        if not space.is_finite:
            if start is None:
                return sub.sample(rng)
            return _neighbour(sub, start, scale, rng)
        used = used_points(self)
        used.update(space, history)
        for attempt in range(_MAX_PROPOSALS):
            width = min(1.0, scale * _WIDENING**attempt)
            params = (
                sub.sample(rng) if start is None else _neighbour(sub, start, width, rng)
            )
            if used.is_free(space, params):
                return params
        free = used.random_free(space.n_points, rng)
        if free is None:
            raise SearchSpaceExhausted(
                f"All {space.n_points} points of the space have been tried."
            )
        return space.point(free)

    def _random(
        self, space: SearchSpace, history: Sequence[Trial], rng: np.random.Generator
    ) -> dict[str, Any]:
        # A private RandomSampler keeps its own cache of used grid points.
        random = private_cache(self, "_random_sampler", RandomSampler)
        return random.ask(space, history, rng)

    def _replay(self, space: SearchSpace, history: Sequence[Trial]) -> Walk:
        """The walk after every complete trial of ``history``, in number order."""
        config = (
            self.n_startup_trials,
            self.initial_temperature,
            self.cooling,
        )
        cache: ReplayCache | None = self.__dict__.get("_replay_cache")
        if cache is None or not cache.extends(space, config, history):
            cache = ReplayCache(space, config)
            self.__dict__["_replay_cache"] = cache
        # Trials after the first running one may be overtaken by it (it will
        # be replayed before them once it completes): replay them on a copy.
        while cache.n_replayed < len(history) and history[cache.n_replayed].is_finished:
            self._step(cache.walk, space, history[cache.n_replayed])
            cache.n_replayed += 1
        cache.last_params = (
            history[cache.n_replayed - 1].params if cache.n_replayed else None
        )
        walk = cache.walk
        if cache.n_replayed < len(history):
            walk = walk.copy()
            for trial in history[cache.n_replayed :]:
                if trial.state is TrialState.COMPLETE:
                    self._step(walk, space, trial)
        return walk

    def _step(self, walk: Walk, space: SearchSpace, trial: Trial) -> None:
        """One Metropolis step: judge ``trial`` against the current trial."""
        if not trial.has_value or trial.value is None:
            return
        sub_index = space.locate(trial.params)
        if sub_index is None:
            return
        value = float(trial.value)
        walk.add_value(value)
        best = walk.best_by_subspace.get(sub_index)
        if best is None or value > best[0]:
            walk.best_by_subspace[sub_index] = (value, trial)
        if walk.n_complete <= self.n_startup_trials:
            # Start-up: the walk starts from the best random trial.
            if walk.current is None or value > walk.current_value:
                walk.move_to(trial, value, sub_index)
            return
        delta = (value - walk.current_value) / walk.spread()
        temperature = self.initial_temperature * self.cooling**walk.n_steps
        walk.n_steps += 1
        if delta >= 0 or _acceptance_draw(trial.number) < math.exp(delta / temperature):
            walk.move_to(trial, value, sub_index)


@dataclasses.dataclass
class Walk:
    """The annealing state after a replayed prefix of the history."""

    current: Trial | None = None
    current_value: float = -math.inf
    current_subspace: int = 0
    n_complete: int = 0
    n_steps: int = 0
    # Running mean and sum of squared deviations of the values (Welford).
    mean: float = 0.0
    m2: float = 0.0
    # Best (value, trial) of each sub-space, where a jump starts from.
    best_by_subspace: dict[int, tuple[float, Trial]] = dataclasses.field(
        default_factory=dict
    )

    def move_to(self, trial: Trial, value: float, sub_index: int) -> None:
        self.current, self.current_value, self.current_subspace = trial, value, sub_index

    def add_value(self, value: float) -> None:
        self.n_complete += 1
        delta = value - self.mean
        self.mean += delta / self.n_complete
        self.m2 += delta * (value - self.mean)

    def spread(self) -> float:
        """Standard deviation of the values so far (1 when there is none)."""
        if self.n_complete < 2:
            return 1.0
        std = math.sqrt(max(self.m2, 0.0) / (self.n_complete - 1))
        return std if std > 0 and math.isfinite(std) else 1.0

    def copy(self) -> Walk:
        return dataclasses.replace(self, best_by_subspace=dict(self.best_by_subspace))


class ReplayCache:
    """The walk after the longest all-finished prefix of a history."""

    def __init__(self, space: SearchSpace, config: tuple[Any, ...]) -> None:
        self.space = space
        self.config = config
        self.n_replayed = 0
        self.last_params: object = None
        self.walk = Walk()

    def extends(
        self, space: SearchSpace, config: tuple[Any, ...], history: Sequence[Trial]
    ) -> bool:
        """Whether ``history`` starts with the trials already replayed."""
        return (
            space is self.space
            and config == self.config
            and continues(history, self.n_replayed, self.last_params)
        )


def _acceptance_draw(number: int) -> float:
    """The uniform draw of trial ``number``'s Metropolis test (same at every replay)."""
    return float(np.random.default_rng([_ACCEPTANCE_TAG, number]).random())


def _neighbour(
    sub: SubSpace, params: Mapping[str, Any], scale: float, rng: np.random.Generator
) -> dict[str, Any]:
    """Params near ``params``: a Gaussian step per numeric parameter, switches otherwise."""
    proposal = {}
    for name in sub.names:
        distribution, value = sub[name], params[name]
        if isinstance(distribution, Categorical):
            n_choices = distribution.n_values()
            if n_choices > 1 and rng.random() < scale:
                found = distribution.index_of(value)
                index = 0 if found is None else found
                # Uniform among the other choices.
                other = int(rng.integers(n_choices - 1))
                value = distribution.value_at(other + (other >= index))
        elif not _has_unit_encoding(distribution):
            if rng.random() < scale:
                value = distribution.sample(rng)
        else:
            # A discrete parameter moves by at least about half a cell.
            width = scale
            if distribution.is_finite:
                width = max(scale, 0.5 / distribution.n_values())
            u = distribution.to_unit(value) + width * float(rng.standard_normal())
            value = distribution.from_unit(_reflect(u))
        proposal[name] = value
    return proposal


def _reflect(u: float) -> float:
    """Fold a coordinate back into [0, 1] (mirror at the bounds, no pile-up)."""
    u = abs(u) % 2.0
    return 2.0 - u if u > 1.0 else u


def _draw_subspace(
    sampler: Sampler, space: SearchSpace, history: Sequence[Trial], rng: np.random.Generator
) -> int:
    """A sub-space drawn by its record of good trials, uniform if it cannot be encoded."""
    if not all(_has_unit_encoding(sub[name]) for sub in space for name in sub.names):
        return int(rng.integers(len(space)))
    cache = encoded_history(sampler, space, history)
    return choose_subspace(space, cache, history, rng)


def _has_unit_encoding(distribution: Distribution) -> bool:
    """Whether ``to_unit``/``from_unit`` work (not for objects without quantiles)."""
    return not isinstance(distribution, ScipyDistribution) or distribution.has_quantiles
