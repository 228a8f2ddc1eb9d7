"""Study: the trials of one named search, kept in a storage, with ask/tell."""

from __future__ import annotations

import functools
import math
import numbers
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.distributions import SearchSpace
from scout_sklearn.exceptions import InvalidParameterError, TrialNumberTaken
from scout_sklearn.samplers import RandomSampler, Sampler
from scout_sklearn.storage import MemoryStorage, Storage, StudyRecord

__all__ = ["Study"]

# Claiming a trial number can lose a race against another writer; each loss
# means someone else made progress, so a bounded retry always suffices in
# practice.
_MAX_CLAIM_ATTEMPTS = 100


class Study:
    """The trials of one search, with an ask/tell interface.

    ``ScoutSearchCV`` drives a study for you; use one directly to search any
    objective, cross-validated or not.

    Parameters
    ----------
    space : SearchSpace or dict or list of dicts
        What to search, in any form :meth:`SearchSpace.from_user` accepts.
    sampler : Sampler, default=None
        Decides the params of each new trial; ``RandomSampler()`` when None.
    storage : Storage, default=None
        Where trials are kept; a private :class:`MemoryStorage` when None.
    name : str, default=None
        The study's name in the storage; a fresh unique one when None.
    seed : int, default=None
        Root seed: trial *k* gets ``numpy.random.default_rng([seed, k])``.
        When None, one is drawn from the operating system and kept with the
        study, so the study stays reproducible once created.

    Attributes
    ----------
    seed : int
        The root seed in use.

    Examples
    --------
    >>> from scout_sklearn import Float, Study
    >>> study = Study({"x": Float(-5.0, 5.0)}, seed=0)
    >>> for _ in range(20):
    ...     trial = study.ask()
    ...     _ = study.tell(trial.number, -(trial.params["x"] - 1.0) ** 2)
    >>> len(study.trials), abs(study.best_params["x"] - 1.0) < 1.0
    (20, True)
    """

    def __init__(
        self,
        space: Any,
        *,
        sampler: Sampler | None = None,
        storage: Storage | None = None,
        name: str | None = None,
        seed: int | None = None,
    ) -> None:
        self.space = SearchSpace.from_user(space)
        if sampler is not None and not isinstance(sampler, Sampler):
            raise InvalidParameterError(
                f"The 'sampler' parameter of Study must be a Sampler instance or "
                f"None. Got {sampler!r} instead."
            )
        self.sampler: Sampler = sampler if sampler is not None else RandomSampler()
        self.sampler.check_space(self.space)
        self.storage: Storage = storage if storage is not None else MemoryStorage()
        self.name = name if name is not None else f"study-{uuid.uuid4().hex[:12]}"
        self.seed = _check_seed(seed)
        self.storage.create_study(
            StudyRecord(
                name=self.name,
                seed=self.seed,
                space=self.space.to_json(),
                created_at=time.time(),
            )
        )
        self._trials: list[Trial] = []
        self._stamp = 0

    # -- reading --------------------------------------------------------------
    @property
    def trials(self) -> tuple[Trial, ...]:
        """Every trial, in number order."""
        self._refresh()
        return tuple(self._trials)

    @property
    def best_trial(self) -> Trial:
        """The COMPLETE trial with the highest value (the lowest number on ties)."""
        scored = [t for t in self.trials if t.has_value]
        if not scored:
            raise ValueError(
                f"Study {self.name!r} has no COMPLETE trial with a finite value yet."
            )
        return max(scored, key=lambda t: (t.value, -t.number))

    @property
    def best_params(self) -> dict[str, Any]:
        """Params of :attr:`best_trial`."""
        return dict(self.best_trial.params)

    @property
    def best_value(self) -> float:
        """Value of :attr:`best_trial`."""
        value = self.best_trial.value
        assert value is not None  # has_value guarantees it
        return value

    def rng(self, number: int) -> np.random.Generator:
        """The random generator of trial ``number``."""
        return np.random.default_rng([self.seed, number])

    # -- writing --------------------------------------------------------------
    def ask(self, params: Mapping[str, Any] | None = None) -> Trial:
        """Start a new RUNNING trial.

        Parameters
        ----------
        params : dict, default=None
            Evaluate these params (they must lie in the space) instead of
            asking the sampler.

        Returns
        -------
        trial : Trial
            The new trial, with its number and params.

        Raises
        ------
        SearchSpaceExhausted
            When the sampler has nothing new to propose.
        """
        if params is not None:
            self._check_params(params, source=lambda: "Study.ask(params=...)")
        for _ in range(_MAX_CLAIM_ATTEMPTS):
            self._refresh()
            number = len(self._trials)
            proposed: Mapping[str, Any]
            if params is None:
                proposed = self.sampler.ask(
                    self.space, tuple(self._trials), self.rng(number)
                )
                # The message names the sampler by its repr: built only on error.
                self._check_params(
                    proposed,
                    source=functools.partial(self._sampler_source, number),
                )
            else:
                proposed = params
            trial = Trial(number=number, params=dict(proposed), started_at=time.time())
            try:
                self.storage.create_trial(self.name, trial)
            except TrialNumberTaken:
                continue
            self._trials.append(trial)
            return trial
        raise RuntimeError(
            f"Could not claim a trial number in study {self.name!r} after "
            f"{_MAX_CLAIM_ATTEMPTS} attempts: other writers took every one."
        )

    def record(self, number: int, fold_result: FoldResult) -> Trial:
        """Add one finished fold to RUNNING trial ``number``."""
        return self._keep(self.storage.record_fold(self.name, number, fold_result))

    def tell(
        self,
        number: int,
        value: float | None = None,
        *,
        state: TrialState = TrialState.COMPLETE,
    ) -> Trial:
        """Finish RUNNING trial ``number``.

        Parameters
        ----------
        number : int
        value : float, default=None
            The objective (higher is better). Required for COMPLETE.
        state : TrialState, default=TrialState.COMPLETE
            COMPLETE, PRUNED or FAILED.

        Returns
        -------
        trial : Trial
            The finished trial.
        """
        if not isinstance(state, TrialState) or state is TrialState.RUNNING:
            named = isinstance(state, str) and state in ("COMPLETE", "PRUNED", "FAILED")
            hint = f" Use TrialState.{state}." if named else ""
            raise InvalidParameterError(
                f"The 'state' parameter of Study.tell must be a terminal TrialState "
                f"(COMPLETE, PRUNED or FAILED); got state={state!r}.{hint}"
            )
        is_real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if state is TrialState.COMPLETE and not is_real:
            raise InvalidParameterError(
                f"A COMPLETE trial needs a real value; got value={value!r}. "
                "Pass state=TrialState.FAILED for a trial that has none."
            )
        if value is not None and not is_real:
            raise InvalidParameterError(
                f"The 'value' parameter of Study.tell must be a real number or None; "
                f"got value={value!r}."
            )
        if value is not None:
            value = float(value)
            if state is not TrialState.COMPLETE and math.isnan(value):
                value = None
        return self._keep(self.storage.finish_trial(self.name, number, state, value))

    # -- helpers ------------------------------------------------------------
    def _sampler_source(self, number: int) -> str:
        return f"The sampler {self.sampler!r}, for trial {number},"

    def _check_params(
        self, params: Mapping[str, Any], *, source: Callable[[], str]
    ) -> None:
        if not isinstance(params, Mapping):
            raise InvalidParameterError(
                f"{source()} gave {params!r} ({type(params).__name__}) as params; params "
                "must be a dict of parameter name to value."
            )
        if not self.space.contains(params):
            raise InvalidParameterError(
                f"{source()} gave params outside the search space: {dict(params)!r} "
                f"({self.space.explain_mismatch(params)}). Params must name exactly "
                "the parameters of one sub-space, each value inside its distribution."
            )

    def _refresh(self) -> None:
        changed, self._stamp = self.storage.read_trials(self.name, since=self._stamp)
        for trial in changed:
            if trial.number < len(self._trials):
                self._trials[trial.number] = trial
            else:
                self._trials.append(trial)

    def _keep(self, trial: Trial) -> Trial:
        if trial.number < len(self._trials):
            self._trials[trial.number] = trial
        return trial


def _check_seed(seed: object) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and int(seed) >= 0:
        return int(seed)
    raise InvalidParameterError(
        f"The 'seed' parameter of Study must be a non-negative int or None. Got "
        f"{seed!r} instead."
    )
