"""How long the report and the plots of a large study take, beside Optuna's plots.

Run it from the repository root with ``python benchmarks/report.py`` (about
a minute; ``--trials`` for another size than 10,000, ``--peers none`` to
skip Optuna). It builds two studies of ``--trials`` trials through the
Study API, in memory, with the values and fold results a real search
stores (4 parameters: two log-scaled floats, an int and a categorical;
3 folds): one whose trials all COMPLETE, and one pruned by successive
halving over 3 rungs (about 90 % PRUNED). No estimator is fitted: what is
timed is the drawing. For each it prints the seconds of every plot of
``scout_sklearn.plotting`` (drawn and saved as a PNG, as the report does)
and of ``write_report`` (every plot plus the trials table, one HTML file),
then the same plots by ``optuna.visualization.matplotlib`` on an Optuna
study holding the same trials (Optuna's importances use its default
evaluator, fANOVA). Target (issue 17): ``write_report`` of a 10,000-trial
study within 5 s; it took 17 s before the plots drew their lines as one
collection and the report fitted the importance forest once.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _common import require_modules, verdict

TARGET_SECONDS = 5.0
N_SPLITS = 3
RUNGS = (0, 1, 2)


def _value(params: dict[str, Any], rung: int, rng: np.random.Generator) -> float:
    """A plausible CV score: a smooth function of the params, better at later rungs."""
    centre = -((math.log10(params["alpha"]) + 3) ** 2) / 8 - (params["l1_ratio"] - 0.3) ** 2
    bonus = {"l2": 0.02, "l1": 0.0, "elasticnet": 0.01}[params["penalty"]]
    return 0.9 + 0.05 * centre + bonus + 0.02 * rung + float(rng.normal(0, 0.01))


def space() -> dict[str, Any]:
    """The studies' search space: two floats (one on a log scale), an int, a categorical."""
    from scout_sklearn import Categorical, Float, Int

    return {
        "alpha": Float(1e-6, 1e-1, log=True),
        "l1_ratio": Float(0.0, 1.0),
        "max_iter": Int(5, 50),
        "penalty": Categorical(["l2", "l1", "elasticnet"]),
    }


def build(
    n_trials: int, *, pruned: bool, storage: Any = None, fingerprint: Any = None
) -> Any:
    """A Study of ``n_trials`` trials with fold results, in ``storage`` (None: memory)."""
    from scout_sklearn import FoldResult, Study, TrialState

    study = Study(
        space(),
        name="pruned" if pruned else "complete",
        seed=0,
        storage=storage,
        fingerprint=fingerprint,
    )
    rng = np.random.default_rng(0)
    for _ in range(n_trials):
        trial = study.ask()
        # Successive halving keeps a third at each rung: 1/9 reach the last.
        last = int(rng.choice(RUNGS, p=[2 / 3, 2 / 9, 1 / 9])) if pruned else 0
        for rung in range(last + 1):
            for fold in range(N_SPLITS):
                score = _value(trial.params, rung, rng)
                result = FoldResult(
                    fold, {"score": score}, None, 0.01, 0.001, 50, rung=rung
                )
                study.record(trial.number, result)
        value = study.trials[trial.number].fold_results[-1].test_scores["score"]
        done = not pruned or last == RUNGS[-1]
        study.tell(
            trial.number, value, state=TrialState.COMPLETE if done else TrialState.PRUNED
        )
    return study


def timed(draw: Callable[[], Any]) -> float:
    """Seconds to draw a figure and save it as a PNG at the report's resolution."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    started = time.perf_counter()
    drawn = draw()
    figure = drawn if isinstance(drawn, Figure) else getattr(drawn, "figure", None)
    while figure is not None and not isinstance(figure, Figure):
        figure = figure.figure
    if isinstance(drawn, np.ndarray):  # Optuna's slice: an array of axes
        figure = drawn.flat[0].figure
    if figure is not None:
        figure.savefig(io.BytesIO(), format="png", dpi=96)
        plt.close(figure)
    return time.perf_counter() - started


def ours(study: Any, *, pruned: bool) -> dict[str, float]:
    from scout_sklearn import plotting
    from scout_sklearn.report import write_report

    plots: dict[str, Callable[[], Any]] = {
        "history": lambda: plotting.plot_optimization_history(study),
        "importances": lambda: plotting.plot_param_importances(study),
        "slice": lambda: plotting.plot_slice(study),
        "parallel": lambda: plotting.plot_parallel_coordinate(study),
        "contour": lambda: plotting.plot_contour(study, "alpha", "l1_ratio"),
    }
    if pruned:
        plots["intermediate"] = lambda: plotting.plot_intermediate_values(study)
    seconds = {name: timed(draw) for name, draw in plots.items()}
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        write_report(study, os.path.join(directory, "report.html"))
        seconds["write_report"] = time.perf_counter() - started
    return seconds


def optuna_study(study: Any) -> Any:
    """An Optuna study holding the same trials (params, values, intermediate values)."""
    import optuna
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )
    from optuna.trial import TrialState as OptunaState

    from scout_sklearn import TrialState

    distributions = {
        "alpha": FloatDistribution(1e-6, 1e-1, log=True),
        "l1_ratio": FloatDistribution(0.0, 1.0),
        "max_iter": IntDistribution(5, 50),
        "penalty": CategoricalDistribution(["l2", "l1", "elasticnet"]),
    }
    trials = []
    for trial in study.trials:
        by_rung: dict[int, list[float]] = {}
        for fold in trial.fold_results:
            by_rung.setdefault(fold.rung, []).append(fold.test_scores["score"])
        complete = trial.state is TrialState.COMPLETE
        trials.append(
            optuna.trial.create_trial(
                params=dict(trial.params),
                distributions=distributions,
                value=trial.value if complete else None,
                intermediate_values={r: float(np.mean(v)) for r, v in by_rung.items()},
                state=OptunaState.COMPLETE if complete else OptunaState.PRUNED,
            )
        )
    peer = optuna.create_study(direction="maximize")
    peer.add_trials(trials)
    return peer


def theirs(study: Any, *, pruned: bool) -> dict[str, float]:
    from optuna.visualization import matplotlib as vis

    peer = optuna_study(study)
    plots: dict[str, Callable[[], Any]] = {
        "history": lambda: vis.plot_optimization_history(peer),
        "importances": lambda: vis.plot_param_importances(peer),
        "slice": lambda: vis.plot_slice(peer),
        "parallel": lambda: vis.plot_parallel_coordinate(peer),
        "contour": lambda: vis.plot_contour(peer, params=["alpha", "l1_ratio"]),
    }
    if pruned:
        plots["intermediate"] = lambda: vis.plot_intermediate_values(peer)
    return {name: timed(draw) for name, draw in plots.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--peers", choices=["optuna", "none"], default="optuna")
    args = parser.parse_args()
    if args.peers == "optuna":
        require_modules("report.py", {"optuna": "optuna"})
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
    import matplotlib

    matplotlib.use("Agg")
    warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning for its matplotlib plots
    ok = True
    for pruned in (False, True):
        started = time.perf_counter()
        study = build(args.trials, pruned=pruned)
        kind = "pruned (SHA, 3 rungs)" if pruned else "all COMPLETE"
        built = time.perf_counter() - started
        print(
            f"\n{args.trials} trials, {kind}: built in {built:.1f} s "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        mine = ours(study, pruned=pruned)
        peer = theirs(study, pruned=pruned) if args.peers == "optuna" else {}
        print(f"{'seconds':<14}{'scout-sklearn':>15}{'optuna':>10}")
        for name, seconds in mine.items():
            other = f"{peer[name]:10.2f}" if name in peer else f"{'':>10}"
            print(f"{name:<14}{seconds:15.2f}{other}")
        fast = mine["write_report"] <= TARGET_SECONDS
        ok = ok and fast
        print(f"write_report within {TARGET_SECONDS:g} s: {verdict(fast)}")
    print(f"\nOverall: {verdict(ok)}")


if __name__ == "__main__":
    main()
