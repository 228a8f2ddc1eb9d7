"""The history as arrays, for model-based samplers (TPE, GP, CMA-ES, annealing).

Model-based samplers need, for one sub-space, the unit-cube coordinates of
every past trial with its value and state. Encoding params is a Python call
per parameter, so re-encoding the whole history at every ask would cost
O(n_trials * n_params) Python calls per trial. :class:`EncodedHistory`
encodes each trial once (params never change after a trial is asked) and
keeps the rows of each sub-space in one growing array; an ask only reads the
trials' states and values, which do change (RUNNING -> COMPLETE).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from scout_sklearn._trial import TrialState
from scout_sklearn.samplers._base import continues, private_cache

if TYPE_CHECKING:
    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace, SubSpace
    from scout_sklearn.samplers._base import Sampler

__all__ = [
    "EncodedHistory",
    "Observations",
    "choose_subspace",
    "encoded_history",
    "unit_coordinates",
]

_STATE_CODE = {
    TrialState.RUNNING: 0,
    TrialState.COMPLETE: 1,
    TrialState.PRUNED: 2,
    TrialState.FAILED: 3,
}


@dataclass(frozen=True)
class Observations:
    """The trials of one sub-space, as unit-cube coordinates.

    Attributes
    ----------
    X : ndarray of shape (n_complete, n_params)
        Coordinates of the COMPLETE trials with a finite value, in trial
        order; columns follow ``space[sub_index].names``.
    y : ndarray of shape (n_complete,)
        Their values; greater is better.
    X_running : ndarray of shape (n_running, n_params)
        Coordinates of the trials still RUNNING (being evaluated now).
    X_pruned : ndarray of shape (n_pruned, n_params)
        Coordinates of the PRUNED trials (stopped early: worse than the
        complete ones, as far as the pruner could tell).
    y_pruned : ndarray of shape (n_pruned,)
        The last value a pruned trial reported, NaN when it had none.
    X_failed : ndarray of shape (n_failed, n_params)
        Coordinates of trials that FAILED or completed without a finite
        value.
    numbers : ndarray of shape (n_complete,)
        Trial numbers of the rows of ``X``.
    """

    X: np.ndarray
    y: np.ndarray
    X_running: np.ndarray
    X_pruned: np.ndarray
    y_pruned: np.ndarray
    X_failed: np.ndarray
    numbers: np.ndarray

    @property
    def n_complete(self) -> int:
        return len(self.y)


class EncodedHistory:
    """Unit-cube rows of a history, per sub-space, encoded once per trial.

    States and values are kept too: a finished trial never changes again, so
    an ask re-reads only the trials that were still RUNNING the last time.
    """

    def __init__(self) -> None:
        self._space: SearchSpace | None = None
        self._n_seen = 0
        self._last_params: object = None
        # Per sub-space: coordinates, state codes, values and trial numbers
        # (capacity-doubling arrays, the first n_rows in use), the position
        # in the history of each row, and the rows still RUNNING.
        self._rows: list[np.ndarray] = []
        self._states: list[np.ndarray] = []
        self._values: list[np.ndarray] = []
        self._numbers: list[np.ndarray] = []
        self._n_rows: list[int] = []
        self._positions: list[list[int]] = []
        self._running: list[list[int]] = []

    def _reset(self, space: SearchSpace) -> None:
        self._space = space
        self._n_seen = 0
        self._last_params = None
        self._rows = [np.empty((16, len(sub)), dtype=np.float64) for sub in space]
        self._states = [np.empty(16, dtype=np.int8) for _ in space]
        self._values = [np.empty(16, dtype=np.float64) for _ in space]
        self._numbers = [np.empty(16, dtype=np.int64) for _ in space]
        self._n_rows = [0] * len(space)
        self._positions = [[] for _ in space]
        self._running = [[] for _ in space]

    def _grow(self, index: int) -> None:
        self._rows[index] = np.concatenate(
            [self._rows[index], np.empty_like(self._rows[index])]
        )
        for arrays in (self._states, self._values, self._numbers):
            arrays[index] = np.concatenate([arrays[index], np.empty_like(arrays[index])])

    def _read(self, index: int, row: int, trial: Trial) -> None:
        self._states[index][row] = _STATE_CODE[trial.state]
        value = trial.value
        self._values[index][row] = math.nan if value is None else value

    def update(self, space: SearchSpace, history: Sequence[Trial]) -> None:
        """Encode the trials of ``history`` not encoded yet."""
        if space is not self._space or not continues(
            history, self._n_seen, self._last_params
        ):
            self._reset(space)
        for position in range(self._n_seen, len(history)):
            trial = history[position]
            index = space.locate(trial.params)
            if index is None:
                # Params from outside the space (e.g. a study whose space was
                # narrowed): no sampler can learn from them here.
                continue
            n = self._n_rows[index]
            if n == len(self._rows[index]):
                self._grow(index)
            self._rows[index][n] = unit_coordinates(space[index], trial.params)
            self._numbers[index][n] = trial.number
            self._read(index, n, trial)
            if trial.state is TrialState.RUNNING:
                self._running[index].append(n)
            self._n_rows[index] = n + 1
            self._positions[index].append(position)
        self._n_seen = len(history)
        self._last_params = history[-1].params if history else None

    def counts(self) -> list[int]:
        """How many trials of the history fell in each sub-space."""
        return list(self._n_rows)

    def observations(self, history: Sequence[Trial], sub_index: int) -> Observations:
        """Coordinates, values and states of the trials of one sub-space.

        Call :meth:`update` with the same history first.
        """
        positions = self._positions[sub_index]
        still_running = []
        for row in self._running[sub_index]:
            trial = history[positions[row]]
            self._read(sub_index, row, trial)
            if trial.state is TrialState.RUNNING:
                still_running.append(row)
        self._running[sub_index] = still_running
        n = self._n_rows[sub_index]
        rows = self._rows[sub_index][:n]
        states = self._states[sub_index][:n]
        values = self._values[sub_index][:n]
        finite = np.isfinite(values)
        complete = (states == 1) & finite
        pruned = states == 2
        failed = (states == 3) | ((states == 1) & ~finite)
        return Observations(
            X=rows[complete],
            y=values[complete],
            X_running=rows[still_running],
            X_pruned=rows[pruned],
            y_pruned=values[pruned],
            X_failed=rows[failed],
            numbers=self._numbers[sub_index][:n][complete],
        )


def unit_coordinates(sub: SubSpace, params: Mapping[str, Any]) -> np.ndarray:
    """``sub.encode(params)``, with NaN for a parameter that has no unit coordinate."""
    return np.array(
        [
            sub[name].to_unit(params[name]) if sub[name].has_unit_coordinate else math.nan
            for name in sub.names
        ],
        dtype=np.float64,
    )


def encoded_history(
    sampler: Sampler, space: SearchSpace, history: Sequence[Trial]
) -> EncodedHistory:
    """The up-to-date encoded history cache of ``sampler`` (created on first use)."""
    cache = private_cache(sampler, "_encoded_history", EncodedHistory)
    cache.update(space, history)
    return cache


def choose_subspace(
    space: SearchSpace,
    cache: EncodedHistory,
    history: Sequence[Trial],
    rng: np.random.Generator,
    *,
    top_fraction: float = 0.25,
    scores: Sequence[np.ndarray] | None = None,
) -> int:
    """Draw which sub-space of a conditional space the next trial searches.

    Each sub-space is weighted by the posterior mean of "a trial here lands
    in the best ``top_fraction`` of all complete trials" under a uniform
    prior, ``(n_good + 1) / (n_trials + 2)``: a sub-space nobody tried yet
    weighs 1/2, one whose trials are all among the best weighs close to 1,
    and one that never produced a good trial fades without ever reaching 0,
    so every sub-space keeps being explored a little. Running trials count
    as tried and not good, so concurrent workers spread over the
    sub-spaces. A single sub-space returns 0 without drawing.

    A good value counts once in ``n_good`` however many trials of the
    sub-space repeat it (values closer than a thousandth of the spread of
    all values are the same): a sub-space on a plateau, such as a Ridge
    branch whose ``alpha`` has stopped mattering, reaches the same best
    value trial after trial and has nothing left to find; counted trial by
    trial, it drew more and more of the trials away from the branches that
    could still improve (``docs/benchmarks.md``, section 3).

    ``scores``, per sub-space, rank its complete trials instead of their
    values (one per row of ``Observations.y``, greater is better): a
    sampler of several objectives passes minus each trial's Pareto rank.
    Ranks tie by design, so each good trial counts then.
    """
    if len(space) == 1:
        return 0
    observations = [cache.observations(history, i) for i in range(len(space))]
    merge_ties = scores is None
    if scores is None:
        scores = [o.y for o in observations]
    all_values = np.concatenate(list(scores))
    if len(all_values):
        n_good = max(1, math.ceil(top_fraction * len(all_values)))
        threshold = np.sort(all_values)[-n_good]
        tolerance = 1e-3 * float(np.ptp(all_values))
    else:
        threshold, tolerance = math.inf, 0.0

    def count_good(score: np.ndarray) -> int:
        good = score[score >= threshold]
        if not merge_ties or len(good) < 2:
            return len(good)
        return 1 + int(np.count_nonzero(np.diff(np.sort(good)) > tolerance))

    weights = np.array(
        [
            (count_good(score) + 1.0)
            / (o.n_complete + len(o.X_running) + len(o.X_pruned) + len(o.X_failed) + 2.0)
            for o, score in zip(observations, scores)
        ]
    )
    return int(rng.choice(len(space), p=weights / weights.sum()))
