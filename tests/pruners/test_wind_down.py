"""A pruned search with a timeout winds down in time to finish its best trials.

The loop runs for real (scout_sklearn._loop.run_search) with a runner that
fits nothing: each fold "takes" seconds proportional to its rung's resource
on a virtual clock, so the test is exact and takes no time.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pytest

from scout_sklearn import Float, FoldResult, Study, TrialState, _loop
from scout_sklearn._evaluate import FoldTask
from scout_sklearn._results import RungPlan
from scout_sklearn.pruners import HyperbandPruner, SuccessiveHalvingPruner
from scout_sklearn.samplers import RandomSampler

LADDER = (1.0, 3.0, 9.0)
SECONDS_PER_UNIT = 0.5  # a fold at resource r takes r * 0.5 s
TIMEOUT = 60.0


class VirtualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class VirtualRunner:
    """Runs fold tasks one at a time, advancing the clock by each fold's cost.

    ``folds`` keeps (clock after the fold, trial number, rung) of each fold.
    """

    n_workers = 1

    def __init__(
        self, clock: VirtualClock, seconds: Any = None, ladder: tuple = LADDER
    ) -> None:
        self.clock = clock
        self.folds: list[tuple[float, int, int]] = []
        self.seconds = seconds or (lambda resource: SECONDS_PER_UNIT * resource)
        self.ladder = ladder

    def run(self, tasks: Iterable[FoldTask]) -> Iterator[tuple[int, FoldResult, Any]]:
        for task in tasks:
            rung = task.rung
            seconds = self.seconds(self.ladder[rung])
            self.clock.now += seconds
            self.folds.append((self.clock.now, task.number, rung))
            # The closer x is to 0.3, the better; more resource, better scores.
            score = -abs(task.params["x"] - 0.3) - 1.0 / self.ladder[rung]
            yield (
                task.number,
                FoldResult(
                    fold=task.fold,
                    test_scores={"score": score},
                    train_scores=None,
                    fit_time=seconds,
                    score_time=0.0,
                    n_test_samples=10,
                    rung=rung,
                ),
                None,
            )


class Search:
    """A pruned search on the virtual clock, with a timeout and no trial count."""

    def __init__(
        self,
        pruner: Any,
        *,
        n_trials: int | None = None,
        timeout: float | None = TIMEOUT,
        seconds: Any = None,
        ladder: tuple = LADDER,
    ) -> None:
        self.clock = VirtualClock()
        self.runner = VirtualRunner(self.clock, seconds, ladder)
        self.study = Study({"x": Float(0.0, 1.0)}, sampler=RandomSampler(), seed=0)
        splits = [(np.arange(10), np.arange(10, 20)), (np.arange(10, 20), np.arange(10))]
        plan = RungPlan(kind="parameter", ladder=ladder, n_splits=2, name="n")
        self.reason = _loop.run_search(
            self.study,
            self.runner,  # type: ignore[arg-type]
            splits,
            _loop.Budget(n_trials=n_trials, timeout=timeout),
            metric=None,
            on_trial_finished=lambda trial: None,
            pruning=_loop.Pruning(pruner=pruner, plan=plan, min_values=5),
            clock=self.clock,
        )

    def first_fold_of_last_trial(self) -> float:
        """When the last trial asked ran its first fold."""
        last = max(t.number for t in self.study.trials)
        return min(at for at, number, _ in self.runner.folds if number == last)

    def top_rung_folds_after(self, at: float) -> list[tuple[float, int, int]]:
        top = len(LADDER) - 1
        return [f for f in self.runner.folds if f[0] > at and f[2] == top]


PRUNERS = pytest.mark.parametrize(
    "pruner",
    [SuccessiveHalvingPruner(), HyperbandPruner()],
    ids=["successive_halving", "hyperband"],
)


@PRUNERS
def test_it_stops_asking_in_time_to_carry_a_paused_trial_to_the_top(pruner) -> None:
    search = Search(pruner)
    assert search.reason == _loop.StopReason.TIMEOUT
    trials = {t.number: t for t in search.study.trials}
    stopped = search.first_fold_of_last_trial()
    # Time was left for a full ladder: from rung 1 (2 folds x 1.5 s) and the
    # top (2 x 4.5 s), the time of a trial paused at the first rung.
    assert stopped <= TIMEOUT - 12.0
    # The time left went to carrying trials to the top rung: one that ran
    # there after the last ask completed within the timeout.
    carried = {
        number for at, number, _ in search.top_rung_folds_after(stopped) if at <= TIMEOUT
    }
    assert any(trials[n].state is TrialState.COMPLETE for n in carried)


def test_without_the_wind_down_it_asks_until_the_deadline(monkeypatch) -> None:
    # What the wind-down changes: asking until the timeout leaves no time to
    # carry a paused trial on; the last trial starts within one top-rung fold
    # of the deadline.
    monkeypatch.setattr(_loop, "WIND_DOWN_MARGIN", 0.0)
    search = Search(SuccessiveHalvingPruner())
    assert search.reason == _loop.StopReason.TIMEOUT
    assert search.first_fold_of_last_trial() > TIMEOUT - SECONDS_PER_UNIT * LADDER[-1]
    assert search.clock.now >= TIMEOUT


def test_without_a_timeout_nothing_winds_down() -> None:
    search = Search(SuccessiveHalvingPruner(), n_trials=20, timeout=None)
    assert search.reason == _loop.StopReason.N_TRIALS
    assert len(search.study.trials) == 20
    assert all(t.is_finished for t in search.study.trials)


# Fold seconds as a function of the resource: in proportion, flat (an
# estimator that converges before max_iter), like its square root, and
# flat past the third rung.
COSTS = {
    "linear": lambda r: 0.05 * r,
    "flat": lambda r: 0.3,
    "sqrt": lambda r: 0.1 * math.sqrt(r),
    "saturating": lambda r: 0.05 * min(r, 9.0),
}


@PRUNERS
@pytest.mark.parametrize("cost", list(COSTS))
@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_a_timeout_of_two_ladders_or_more_always_completes_a_trial(
    pruner, cost: str, noise: float
) -> None:
    # Five rungs: the first trial to reach the top otherwise comes after 81
    # at rung 0 (no rung promotes before 3 trials reported it), so under a
    # timeout it is the wind-down's final promotions that complete one. The
    # time kept in hand must cover what one more trial can set off: its
    # first rung and the promotions its value opens, which can cascade up
    # the ladder. Without that (the time in hand was the best paused
    # trial's climb only), 8 of these 320 searches, in 7 of the 16 cases,
    # ended with no trial at the full budget (the noiseless flat cost at 8
    # and 16 ladders among them).
    ladder = (1.0, 3.0, 9.0, 27.0, 50.0)
    base = COSTS[cost]
    one_ladder = sum(2 * base(r) for r in ladder)
    empty = []
    for k in range(0, 40, 2):
        draws = random.Random(k)

        def seconds(r: float, base: Any = base, draws: random.Random = draws) -> float:
            return float(base(r) * math.exp(noise * draws.uniform(-1.0, 1.0)))

        timeout = one_ladder * (2.0 + 0.5 * k)
        search = Search(pruner, timeout=timeout, seconds=seconds, ladder=ladder)
        assert search.reason == _loop.StopReason.TIMEOUT
        if not any(t.state is TrialState.COMPLETE for t in search.study.trials):
            empty.append(round(timeout / one_ladder, 1))
    assert empty == [], f"no trial at the full budget with timeouts of {empty} ladders"
