"""What a search tells its user while it runs, at each ``verbose`` level.

``verbose=1``: the start (the sampler, and the one ``AutoSampler`` chose;
the workers; the rungs of a pruned search), the stop (why, how many trials
this fit finished, how many the study holds, how many a timeout cut short)
and the best trial in full. ``verbose=2`` adds one line per finished trial,
``verbose=3`` one per finished fold. Everything goes through the
``scout_sklearn`` logger (:mod:`scout_sklearn.reporting`); nothing is printed
at ``verbose=0``, and the counts are kept at every level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from scout_sklearn._table import describe_metric, trial_duration
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.distributions import SearchSpace
from scout_sklearn.reporting import logger
from scout_sklearn.samplers import AutoSampler, Sampler

__all__ = ["Narrator"]


class Narrator:
    """The log lines of one fit, and the count of the trials it finished.

    Parameters
    ----------
    verbose : int
        The search's ``verbose``.
    n_splits : int
        Number of CV folds (for the fold lines).
    pruned : bool
        Whether the search runs rungs (the fold lines name them).
    """

    def __init__(self, verbose: int, n_splits: int, *, pruned: bool) -> None:
        self.verbose = int(verbose)
        self.n_splits = n_splits
        self.pruned = pruned
        #: Trials this fit finished (COMPLETE, PRUNED or FAILED).
        self.n_finished = 0

    def start(
        self,
        sampler: Sampler,
        space: SearchSpace,
        n_workers: int,
        n_trials: int | None,
        pruning: tuple[Any, str | None, Sequence[float]] | None,
        *,
        objective: str | None = None,
    ) -> None:
        """The first line: budget, sampler (and AutoSampler's choice), workers, rungs.

        ``pruning`` is (pruner, resource, ladder) for a pruned search;
        ``objective`` the metric of the trials' values when several are scored.
        """
        if self.verbose < 1:
            return
        described = repr(sampler)
        if isinstance(sampler, AutoSampler):
            described += f", which chose {sampler.delegate(space)!r} for this space"
        valued = (
            ""
            if objective is None
            else f"; each trial's value is its mean test {describe_metric(objective)}"
        )
        logger.info(
            "Searching %s trials of %d folds each with %s on %d workers%s",
            f"up to {n_trials}" if n_trials is not None else "an open number of",
            self.n_splits,
            described,
            n_workers,
            valued,
        )
        if pruning is not None:
            pruner, resource, ladder = pruning
            logger.info("Pruning with %r over %s: rungs %s", pruner, resource, ladder)

    def fold(self, number: int, fold: FoldResult) -> None:
        """One line per finished fold (``verbose >= 3``)."""
        if self.verbose < 3:
            return
        if fold.is_failed:
            outcome = "FAILED"
        else:
            outcome = " ".join(f"{k}={v:.4f}" for k, v in fold.test_scores.items())
        logger.info(
            "[trial %d fold %d/%d%s] %s (fit %.2fs, score %.2fs)",
            number,
            fold.fold + 1,
            self.n_splits,
            f" rung {fold.rung}" if self.pruned else "",
            outcome,
            fold.fit_time,
            fold.score_time,
        )

    def trial(self, trial: Trial) -> None:
        """Count a trial this fit finished; one line for it (``verbose >= 2``)."""
        self.n_finished += 1
        if self.verbose < 2:
            return
        outcome = (
            f"score={trial.value:.4f}" if trial.value is not None else trial.state.name
        )
        if trial.state is TrialState.PRUNED:
            rung = max((f.rung for f in trial.fold_results), default=0)
            outcome = f"PRUNED at rung {rung} ({outcome})"
        logger.info(
            "[trial %d] %s %s, %d folds in %.2fs",
            trial.number,
            outcome,
            dict(trial.params),
            len(trial.fold_results),
            trial_duration(trial) or 0.0,
        )

    def stop(
        self,
        reason: str,
        trials: Sequence[Trial],
        *,
        n_before: int,
        owner: str,
        seconds: float,
    ) -> None:
        """The stop line: this fit's trials, the study's, those cut short or held.

        ``n_before`` is the number of finished trials the study held when
        the fit started; ``owner`` identifies this fit's RUNNING trials. The
        study's count of finished trials is what ``n_trials_`` reports.
        """
        if self.verbose < 1:
            return
        n_total = sum(t.is_finished for t in trials)
        n_cut = sum(not t.is_finished and t.owner == owner for t in trials)
        n_held = sum(not t.is_finished and t.owner != owner for t in trials)
        line = (
            f"Stopped ({reason}): {_trials(self.n_finished)} finished in this fit in "
            f"{seconds:.1f}s"
        )
        if n_total != self.n_finished:
            n_others = n_total - self.n_finished - n_before
            origins = [f"{n_before} from before this fit"] if n_before else []
            if n_others:
                origins.append(f"{n_others} from other workers")
            line += f"; the study holds {n_total} finished trials ({', '.join(origins)})"
        if n_cut:
            line += (
                f"; {_trials(n_cut)} cut short by the timeout "
                f"{'stays' if n_cut == 1 else 'stay'} RUNNING for a resume"
            )
        if n_held:
            line += (
                f"; {_trials(n_held)} RUNNING under another worker's lease "
                f"{'is' if n_held == 1 else 'are'} not in cv_results_ (left to "
                "that worker, or to a later fit once the lease runs out)"
            )
        logger.info("%s", line)

    def best(
        self,
        number: int,
        params: Mapping[str, Any],
        *,
        score: float | None,
        metric: str,
        chosen_by: str | None = None,
    ) -> None:
        """The best trial in full, once, at the end (``verbose >= 1``)."""
        if self.verbose < 1:
            return
        how = "" if chosen_by is None else f" ({chosen_by})"
        scored = "" if score is None else f": mean test {metric} {score:.6g}"
        if score is not None and metric.startswith("neg_"):
            scored += " (negated: higher is better)"
        logger.info("Best trial %d%s%s with %r", number, how, scored, dict(params))


def _trials(n: int) -> str:
    return f"{n} trial" if n == 1 else f"{n} trials"
