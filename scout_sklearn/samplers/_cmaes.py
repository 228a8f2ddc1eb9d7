"""CMA-ES: an evolution strategy that learns a Gaussian over the numeric parameters."""

from __future__ import annotations

import hashlib
import importlib
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from scout_sklearn._constraints import (
    Constraint,
    InstanceOf,
    Interval,
    IsNone,
    Options,
)
from scout_sklearn.distributions import Categorical, ScipyDistribution
from scout_sklearn.exceptions import SearchSpaceExhausted
from scout_sklearn.samplers._base import (
    MAX_POPULATION,
    Sampler,
    continues,
    private_cache,
    used_points,
)
from scout_sklearn.samplers._random import RandomSampler

if TYPE_CHECKING:
    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import Distribution, SearchSpace, SubSpace

__all__ = ["CmaEsSampler"]

_MISSING_CMAES = "CmaEsSampler needs the cmaes package: pip install 'scout-sklearn[cmaes]'"

# On a finite space CMA-ES may propose params already tried (several
# proposals fall in one grid cell): draw again this many times, then take a
# free point uniformly.
_MAX_PROPOSALS = 32


def _import_cma() -> Any:
    """The ``cmaes.CMA`` class, or an ImportError that names the extra to install."""
    try:
        module = importlib.import_module("cmaes")
    except ImportError as err:
        raise ImportError(_MISSING_CMAES) from err
    return module.CMA


class CmaEsSampler(Sampler):
    """CMA-ES: adapt a Gaussian search distribution to the best trials.

    The covariance matrix adaptation evolution strategy [1]_ keeps a
    multivariate normal distribution over the numeric parameters (in the
    unit-cube encoding of the space: log scales, integer cells and the
    quantiles of scipy.stats distributions included). Trials come in
    generations of ``population_size``; once a generation is finished its
    best members pull the mean towards them and stretch the covariance along
    the directions that paid off. It suits smooth numeric spaces with a
    budget of a few hundred trials or more. The ``cmaes`` package [3]_ does
    the updates.

    Parameters
    ----------
    sigma0 : float or None, default=None
        Initial step size in unit-cube coordinates (1 is a parameter's whole
        range). None means 1/6: the initial distribution, centred in the
        cube, reaches the bounds at three standard deviations.
    population_size : int or None, default=None
        Trials per generation. None uses the usual ``4 + floor(3 ln n)`` for
        ``n`` numeric parameters (6 for 2 parameters, 10 for 10). From 2 to
        100,000.
    n_startup_trials : int, default=0
        Trials drawn by ``independent_sampler`` before CMA-ES starts. They
        are not told to CMA-ES, which starts from the centre of the cube.
    restart_strategy : {"ipop"} or None, default="ipop"
        What to do when CMA-ES has converged (its stopping criteria hold):
        "ipop" restarts it from a random point with a population
        ``inc_popsize`` times larger [2]_, which makes it more global at each
        restart; None keeps sampling from the converged distribution.
    inc_popsize : int, default=2
        Factor by which each IPOP restart multiplies the population size
        (which stops growing at 100,000).
    independent_sampler : Sampler or None, default=None
        Proposes what CMA-ES does not model (see Notes). None means
        :class:`RandomSampler`.

    See Also
    --------
    RandomSampler : The default ``independent_sampler``.
    AnnealingSampler : A local random walk, for mixed or small spaces.

    Notes
    -----
    **What CMA-ES models.** The numeric parameters (Float, Int, scipy.stats
    distributions with ``cdf``/``ppf``) of a space with a single sub-space.
    Parameters it cannot place on a continuous axis (lists of choices,
    objects without quantiles) take the values ``independent_sampler``
    proposes for the same trial. A conditional space (a list of dicts), a
    space without numeric parameters and the start-up trials are left to
    ``independent_sampler`` entirely. A single numeric parameter is
    modelled too (CMA-ES then adapts one step size).

    **State from the history.** Nothing is stored but a cache: CMA-ES is
    rebuilt by replaying the history. The trials of the space, in number
    order and after the start-up ones, are cut into consecutive generations
    of ``population_size`` (the population in force at that point, so
    restarts are replayed too), and each generation whose trials are all
    finished is told to CMA-ES in order. Failed and pruned trials, and
    trials without a finite value, are told as the worst value of their
    generation (or of all trials so far). CMA-ES minimises; it is told
    ``-value``. The state after the last generation told is cached with the
    history prefix it consumed; a history that does not extend it is
    replayed from scratch, which gives the same state.

    **Proposals.** A trial is drawn from the current distribution with a
    generator seeded from the trial's own generator, so concurrent trials
    (a generation not finished yet, running trials) get different members,
    and the same history and trial generator always give the same params.
    Trials asked while a generation still has running members join the
    next generations, drawn from the distribution known at the time.

    **Finite spaces** never repeat params: a proposal that hits params
    already given to a trial is drawn again, then a free point is taken
    uniformly; the search ends when every point was tried.

    References
    ----------
    .. [1] N. Hansen, "The CMA evolution strategy: a tutorial",
       arXiv:1604.00772, 2016.
    .. [2] A. Auger and N. Hansen, "A restart CMA evolution strategy with
       increasing population size", IEEE Congress on Evolutionary
       Computation, 2005.
    .. [3] M. Nomura and M. Shibata, "cmaes: a simple yet practical Python
       library for CMA-ES", arXiv:2402.01373, 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import Float, SearchSpace, Trial, TrialState
    >>> from scout_sklearn.samplers import CmaEsSampler
    >>> space = SearchSpace.from_user({"x": Float(-5.0, 5.0), "y": Float(-5.0, 5.0)})
    >>> sampler = CmaEsSampler()
    >>> history = []
    >>> for number in range(120):
    ...     params = sampler.ask(space, history, np.random.default_rng([0, number]))
    ...     value = -(params["x"] - 1.0) ** 2 - (params["y"] + 2.0) ** 2
    ...     history.append(Trial(number, params, TrialState.COMPLETE, value=value))
    >>> max(t.value for t in history) > -1e-3
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "sigma0": [
            Interval(numbers.Real, 0, None, closed="neither", finite=True),
            IsNone(),
        ],
        "population_size": [Interval(numbers.Integral, 2, MAX_POPULATION), IsNone()],
        "n_startup_trials": [Interval(numbers.Integral, 0, None)],
        "restart_strategy": [Options({"ipop"}), IsNone()],
        "inc_popsize": [Interval(numbers.Integral, 2, MAX_POPULATION)],
        "independent_sampler": [
            InstanceOf(Sampler, description="a Sampler instance"),
            IsNone(),
        ],
    }

    def __init__(
        self,
        sigma0: float | None = None,
        population_size: int | None = None,
        n_startup_trials: int = 0,
        restart_strategy: str | None = "ipop",
        inc_popsize: int = 2,
        independent_sampler: Sampler | None = None,
    ) -> None:
        self.sigma0 = sigma0
        self.population_size = population_size
        self.n_startup_trials = n_startup_trials
        self.restart_strategy = restart_strategy
        self.inc_popsize = inc_popsize
        self.independent_sampler = independent_sampler
        self._validate()
        # Fail before any fit when the optional dependency is missing.
        _import_cma()

    def check_space(self, space: SearchSpace) -> None:
        self._validate()
        self._independent().check_space(space)

    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        self._validate()
        numeric = _numeric_names(space)
        if not numeric:
            return self._independent().ask(space, history, rng)
        sub = space[0]
        state = self._replay(space, sub, numeric, history)
        if state.n_trials < self.n_startup_trials:
            return self._independent().ask(space, history, rng)
        cma = state.cma
        # The shared CMA object's generator is reseeded from this trial's
        # generator before each draw: draws depend on the trial, not on
        # which asks came before in this process.
        cma.reseed_rng(int(rng.integers(2**32)))
        used = used_points(self) if space.is_finite else None
        if used is not None:
            used.update(space, history)
        for _ in range(_MAX_PROPOSALS):
            params = self._propose(space, sub, numeric, cma.ask(), history, rng)
            if used is None or used.is_free(space, params):
                return params
        assert used is not None  # an infinite space returns at the first proposal
        free = used.random_free(space.n_points, rng)
        if free is None:
            raise SearchSpaceExhausted(
                f"All {space.n_points} points of the space have been tried."
            )
        return space.point(free)

    def _propose(
        self,
        space: SearchSpace,
        sub: SubSpace,
        numeric: tuple[str, ...],
        x: np.ndarray,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        """CMA-ES's numeric params merged with the independent sampler's others."""
        params = {name: sub[name].from_unit(float(u)) for name, u in zip(numeric, x)}
        if len(numeric) < len(sub):
            others = self._independent().ask(space, history, rng)
            for name in sub.names:
                if name not in params:
                    params[name] = others[name]
        return params

    def _independent(self) -> Sampler:
        if self.independent_sampler is not None:
            return self.independent_sampler
        return private_cache(self, "_default_independent", RandomSampler)

    def _replay(
        self,
        space: SearchSpace,
        sub: SubSpace,
        numeric: tuple[str, ...],
        history: Sequence[Trial],
    ) -> CmaState:
        """CMA-ES after every finished generation of ``history``."""
        config = (
            self.sigma0,
            self.population_size,
            self.n_startup_trials,
            self.restart_strategy,
            self.inc_popsize,
        )
        state: CmaState | None = self.__dict__.get("_cma_state")
        if state is None or not state.extends(space, config, history):
            state = CmaState(space, config, self._new_cma(len(numeric), None, 0))
            self.__dict__["_cma_state"] = state
        # Trials of the space after the part already told, in number order.
        pending: list[int] = []
        n_trials = state.n_trials_told
        position = state.n_consumed
        while position < len(history):
            trial = history[position]
            position += 1
            if not sub.contains(trial.params):
                continue
            n_trials += 1
            if n_trials <= self.n_startup_trials:
                state.consume(history, position, n_trials)
                continue
            pending.append(position - 1)
            if len(pending) < state.cma.population_size:
                continue
            members = [history[p] for p in pending]
            if any(not member.is_finished for member in members):
                # This generation waits for its running trials; count the
                # trials after it without telling anything more.
                n_trials += sum(sub.contains(t.params) for t in history[position:])
                break
            self._tell(state, sub, numeric, members)
            state.consume(history, position, n_trials)
            pending = []
        state.n_trials = n_trials
        return state

    def _tell(
        self,
        state: CmaState,
        sub: SubSpace,
        numeric: tuple[str, ...],
        members: list[Trial],
    ) -> None:
        """Tell one finished generation, then restart CMA-ES if it has converged."""
        X = np.array(
            [[sub[name].to_unit(t.params[name]) for name in numeric] for t in members]
        )
        losses = np.array(
            [
                -float(t.value) if t.has_value and t.value is not None else np.nan
                for t in members
            ]
        )
        finite = np.isfinite(losses)
        if finite.any():
            state.worst_loss = max(state.worst_loss, float(losses[finite].max()))
            penalty = float(losses[finite].max())
        else:
            penalty = state.worst_loss if np.isfinite(state.worst_loss) else 0.0
        losses[~finite] = penalty
        cma = state.cma
        cma.tell([(x, float(loss)) for x, loss in zip(X, losses)])
        if self.restart_strategy == "ipop" and cma.should_stop():
            state.n_restarts += 1
            population_size = min(
                cma.population_size * int(self.inc_popsize), MAX_POPULATION
            )
            # A restart point every replay agrees on, yet different from one
            # study to the next: drawn from a hash of the last generation.
            digest = hashlib.sha256(X.tobytes() + losses.tobytes()).digest()
            restart_rng = np.random.default_rng(np.frombuffer(digest, dtype=np.uint32))
            mean = restart_rng.random(len(numeric))
            state.cma = self._new_cma(len(numeric), mean, population_size)

    def _new_cma(self, n_dims: int, mean: np.ndarray | None, population_size: int) -> Any:
        cma_class = _import_cma()
        sigma0 = 1.0 / 6.0 if self.sigma0 is None else float(self.sigma0)
        size = population_size or (
            None if self.population_size is None else int(self.population_size)
        )
        with np.errstate(divide="ignore"):
            # cmaes divides by a zero learning rate when the population has
            # a single parent (population_size 2 or 3); the minimum it takes
            # then ignores the infinite term.
            return cma_class(
                mean=np.full(n_dims, 0.5) if mean is None else mean,
                sigma=sigma0,
                bounds=np.tile([0.0, 1.0], (n_dims, 1)),
                population_size=size,
                seed=0,
            )


class CmaState:
    """CMA-ES after the told part of a history, and where that part ends."""

    def __init__(self, space: SearchSpace, config: tuple[Any, ...], cma: Any) -> None:
        self.space = space
        self.config = config
        self.cma = cma
        self.n_restarts = 0
        self.worst_loss = -np.inf
        # History positions consumed (start-up and told generations) and the
        # trials of the space among them.
        self.n_consumed = 0
        self.n_trials_told = 0
        self.last_params: object = None
        # Trials of the space in the whole history, after the last replay.
        self.n_trials = 0

    def extends(
        self, space: SearchSpace, config: tuple[Any, ...], history: Sequence[Trial]
    ) -> bool:
        """Whether ``history`` starts with the trials already consumed."""
        return (
            space is self.space
            and config == self.config
            and continues(history, self.n_consumed, self.last_params)
        )

    def consume(self, history: Sequence[Trial], n_consumed: int, n_trials: int) -> None:
        self.n_consumed = n_consumed
        self.n_trials_told = n_trials
        self.last_params = history[n_consumed - 1].params


def _numeric_names(space: SearchSpace) -> tuple[str, ...]:
    """The parameters CMA-ES models: numeric ones, in a space of one sub-space."""
    if len(space) != 1:
        return ()
    sub = space[0]
    return tuple(name for name in sub.names if _is_numeric(sub[name]))


def _is_numeric(distribution: Distribution) -> bool:
    if isinstance(distribution, Categorical):
        return False
    if isinstance(distribution, ScipyDistribution):
        return distribution.has_quantiles
    return True


def _loss(trial: Trial) -> float:
    """What CMA-ES minimises: ``-value``, NaN for a trial without a finite value."""
    if trial.has_value and trial.value is not None:
        return -float(trial.value)
    return float("nan")
