"""Time one ask of our samplers and of Optuna's, with 100, 300 and 1,000 trials done.

Run it from the repository root with the benchmark environment, which has the
peers installed::

    python benchmarks/latency.py                 # all sizes, 20 timed asks per cell
    python benchmarks/latency.py --quick         # sizes 100 and 300, 5 timed asks
    python benchmarks/latency.py --samplers tpe  # some of ours only

The space has 10 parameters: 7 floats (3 on a log scale), 2 ints (one on a
log scale) and 1 categorical of 3 choices. A history of ``n`` COMPLETE trials
is built cheaply: random params with a synthetic objective value (no model is
fitted). What is timed:

- ours: ``sampler.ask(space, history, rng)`` on our ``Trial`` records. Our
  samplers cache an encoding of the history in the sampler object, so three
  numbers are given. "first": a fresh sampler, which encodes the whole
  history (what a resumed study pays once). "+1 trial": the steady state of a
  real study, where each ask sees one more COMPLETE trial than the previous
  one. "same history": repeated asks on an unchanged history, with a new rng
  each time (what the cache alone saves).
- Optuna: ``study.ask(distributions)`` on a study filled with
  ``study.add_trials`` (the fixed distributions make the sampler sample every
  parameter at ask time). "first": the first ask on the filled study. "+1
  trial": a COMPLETE trial is added, then one ask is timed. Every asked trial
  is told FAIL afterwards, so it never enters the model (Optuna 5's TPE
  treats RUNNING trials as "constant liars").

Each cell is the median over ``--repeats`` asks (default 20, at least 3 and
stopping early once a cell has taken 20 s) after one untimed warm-up ask;
"first" is the median of 3 fresh starts (1 when it takes over a second). GP
samplers at 1,000 trials are timed only if the "+1 trial" time measured at
300 predicts less than 15 s per ask (assuming cost grows with the square of
the history), so that such a cell stays around a minute; ``--gp-max`` sets
the largest size tried instead. All
samplers use one thread (threadpoolctl for BLAS/OpenMP, torch.set_num_threads
for Optuna's GPSampler): the machine is shared and runs two workers elsewhere.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import require_modules, verdict
from threadpoolctl import threadpool_limits

from scout_sklearn import Categorical, Float, Int, SearchSpace, Trial, TrialState
from scout_sklearn.exceptions import InvalidParameterError

OURS = ("tpe", "gp", "cmaes", "qmc", "annealing", "random", "auto")
PEERS = ("tpe-uni", "tpe-mv", "gp")
SIZES = (100, 300, 1000)
CELL_BUDGET = 20.0  # seconds of timed asks per cell before stopping early
GP_LIMIT = 15.0  # predicted seconds per ask above which a GP cell is skipped

# (name, kind, low, high, log); kind "float", "int" or "cat" (then low = choices).
SPACE: list[tuple[str, str, Any, Any, bool]] = [
    ("learning_rate", "float", 1e-4, 1.0, True),
    ("alpha", "float", 1e-6, 10.0, True),
    ("c", "float", 1e-3, 1e3, True),
    ("subsample", "float", 0.1, 1.0, False),
    ("momentum", "float", 0.0, 0.99, False),
    ("shift", "float", -5.0, 5.0, False),
    ("dropout", "float", 0.0, 0.5, False),
    ("depth", "int", 1, 32, False),
    ("n_units", "int", 8, 1024, True),
    ("kind", "cat", ("relu", "tanh", "gelu"), None, False),
]


def our_space() -> SearchSpace:
    dists: dict[str, Any] = {}
    for name, kind, low, high, log in SPACE:
        if kind == "float":
            dists[name] = Float(low, high, log=log)
        elif kind == "int":
            dists[name] = Int(low, high, log=log)
        else:
            dists[name] = Categorical(list(low))
    return SearchSpace.from_user(dists)


def optuna_distributions() -> dict[str, Any]:
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    dists: dict[str, Any] = {}
    for name, kind, low, high, log in SPACE:
        if kind == "float":
            dists[name] = FloatDistribution(low, high, log=log)
        elif kind == "int":
            dists[name] = IntDistribution(low, high, log=log)
        else:
            dists[name] = CategoricalDistribution(list(low))
    return dists


def objective(
    space: SearchSpace, params: dict[str, Any], rng: np.random.Generator
) -> float:
    """A smooth synthetic score of the params' unit coordinates, plus noise."""
    sub = space[0]
    u = sub.encode(params)
    return float(-np.sum((u - 0.3) ** 2) + 0.05 * rng.standard_normal())


def make_params(
    space: SearchSpace, count: int, seed: int
) -> list[tuple[dict[str, Any], float]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        params = space.sample(rng)
        out.append((params, objective(space, params, rng)))
    return out


# -- our samplers ---------------------------------------------------------------
def our_methods(names: list[str]) -> dict[str, Callable[[], Any]]:
    """Label -> factory of a fresh sampler, for the names the registry knows."""
    from scout_sklearn.samplers._registry import make_sampler

    methods: dict[str, Callable[[], Any]] = {}
    for name in names:
        try:
            make_sampler(name)
        except InvalidParameterError as err:
            reason = "the default sampler has no registry name" if name == "auto" else err
            print(f"  skipping our {name!r}: {reason}")
            continue
        if name == "tpe":
            for label, flag in (("scout-tpe-uni", False), ("scout-tpe-mv", True)):
                methods[label] = lambda flag=flag: make_sampler("tpe").set_params(
                    multivariate=flag
                )
        else:
            methods[f"scout-{name}"] = lambda name=name: make_sampler(name)
    return methods


def as_trials(rows: list[tuple[dict[str, Any], float]]) -> list[Trial]:
    return [
        Trial(number=k, params=p, state=TrialState.COMPLETE, value=v)
        for k, (p, v) in enumerate(rows)
    ]


def time_ours(
    factory: Callable[[], Any],
    space: SearchSpace,
    rows: list[tuple[dict[str, Any], float]],
    extra: list[tuple[dict[str, Any], float]],
    repeats: int,
) -> dict[str, float]:
    """Seconds per ask: first (fresh sampler), +1 trial, same history."""
    history = as_trials(rows)
    n = len(history)
    first: list[float] = []
    while len(first) < first_repeats(first):
        sampler = factory()
        start = time.perf_counter()
        sampler.ask(space, history, np.random.default_rng([7, n, len(first)]))
        first.append(time.perf_counter() - start)
    # ``sampler`` has now seen ``history``: the warm-up ask is done.
    same = timed_loop(
        lambda i: sampler.ask(space, history, np.random.default_rng([8, n, i])), repeats
    )
    sampler = factory()
    sampler.ask(space, history, np.random.default_rng([9, n]))
    grown = list(history)

    def one_more(i: int) -> None:
        params, value = extra[i]
        grown.append(
            Trial(number=len(grown), params=params, state=TrialState.COMPLETE, value=value)
        )
        sampler.ask(space, tuple(grown), np.random.default_rng([10, n, i]))

    plus_one = timed_loop(one_more, min(repeats, len(extra)))
    return {"first": statistics.median(first), "+1 trial": plus_one, "same history": same}


# -- Optuna -------------------------------------------------------------------
def optuna_methods(peers: list[str]) -> dict[str, Callable[[], Any]]:
    import optuna

    factories: dict[str, Callable[[], Any]] = {
        "optuna-tpe-uni": lambda: optuna.samplers.TPESampler(seed=0, multivariate=False),
        "optuna-tpe-mv": lambda: optuna.samplers.TPESampler(seed=0, multivariate=True),
        "optuna-gp": lambda: optuna.samplers.GPSampler(seed=0),
    }
    return {f"optuna-{p}": factories[f"optuna-{p}"] for p in peers}


def time_optuna(
    factory: Callable[[], Any],
    rows: list[tuple[dict[str, Any], float]],
    extra: list[tuple[dict[str, Any], float]],
    repeats: int,
) -> dict[str, float]:
    """Seconds per ask: first (fresh study), +1 trial."""
    import optuna

    dists = optuna_distributions()

    def filled_study() -> Any:
        study = optuna.create_study(direction="maximize", sampler=factory())
        study.add_trials(
            [
                optuna.trial.create_trial(params=p, distributions=dists, value=v)
                for p, v in rows
            ]
        )
        return study

    def ask_and_fail(study: Any) -> None:
        trial = study.ask(dists)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)

    first: list[float] = []
    while len(first) < first_repeats(first):
        study = filled_study()
        start = time.perf_counter()
        ask_and_fail(study)
        first.append(time.perf_counter() - start)

    def one_more(i: int) -> None:
        params, value = extra[i]
        study.add_trial(
            optuna.trial.create_trial(params=params, distributions=dists, value=value)
        )
        ask_and_fail(study)

    plus_one = timed_loop(one_more, min(repeats, len(extra)))
    return {"first": statistics.median(first), "+1 trial": plus_one}


# -- timing helpers -------------------------------------------------------------
def first_repeats(times: list[float]) -> int:
    """Fresh starts to time: 3, or 1 when the first took over a second."""
    return 1 if times and times[0] > 1.0 else 3


def timed_loop(call: Callable[[int], None], repeats: int) -> float:
    """Median seconds of ``call(i)``: at least 3 calls, at most ``repeats``.

    Stops early once the calls have taken ``CELL_BUDGET`` seconds. For the
    "+1 trial" measure the call includes adding one trial to the history (a
    list append for ours, a storage write for Optuna), as a real study pays it.
    """
    times: list[float] = []
    spent = 0.0
    for i in range(repeats):
        start = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - start)
        spent += times[-1]
        if len(times) >= 3 and spent > CELL_BUDGET:
            break
    return statistics.median(times)


def check_peers(peers: list[str]) -> None:
    needed = {"optuna": "optuna"} if peers else {}
    if "gp" in peers:
        needed["torch"] = "torch"
    require_modules("latency.py", needed)


def parse_list(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    if text.strip().lower() == "none":
        return []
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        sys.exit(f"Unknown {what} {unknown}; choose among {', '.join(allowed)} or 'none'.")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samplers",
        default=",".join(OURS),
        help="our samplers, comma-separated ('tpe' is timed with multivariate False "
        "and True; 'auto' is skipped unless the registry knows it)",
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"Optuna samplers (default: {','.join(PEERS)}; 'none' for no peers)",
    )
    parser.add_argument("--quick", action="store_true", help="sizes 100 and 300, 5 asks")
    parser.add_argument("--repeats", type=int, default=None, help="timed asks per cell")
    parser.add_argument(
        "--gp-max", type=int, default=None, help="largest history for GP samplers"
    )
    args = parser.parse_args()
    sizes = SIZES[:2] if args.quick else SIZES
    repeats = args.repeats or (5 if args.quick else 20)
    peers = parse_list(args.peers, PEERS, "Optuna samplers")
    check_peers(peers)
    warnings.filterwarnings("ignore")  # Optuna's ExperimentalWarning and the like

    versions = f"numpy {np.__version__}"
    if peers:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        versions += f", optuna {optuna.__version__}"
    if "gp" in peers:
        import torch

        torch.set_num_threads(1)
        versions += f", torch {torch.__version__}"
    print(
        f"Python {platform.python_version()}, {versions}; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.2f}; one thread per sampler"
    )
    methods: dict[str, tuple[str, Callable[[], Any]]] = {}
    for label, factory in our_methods(parse_list(args.samplers, OURS, "samplers")).items():
        methods[label] = ("ours", factory)
    if peers:
        for label, factory in optuna_methods(peers).items():
            methods[label] = ("optuna", factory)
    if not methods:
        sys.exit("Nothing to time: no sampler of ours is available and no peer was chosen.")

    space = our_space()
    rows = make_params(space, max(sizes), seed=0)
    extra = make_params(space, repeats, seed=1)
    results: dict[tuple[str, int], dict[str, float]] = {}
    start_all = time.perf_counter()
    with threadpool_limits(limits=1):
        for label, (library, factory) in methods.items():
            for n in sizes:
                if not gp_allowed(label, n, results, args.gp_max):
                    continue
                start = time.perf_counter()
                if library == "ours":
                    cell = time_ours(factory, space, rows[:n], extra, repeats)
                else:
                    cell = time_optuna(factory, rows[:n], extra, repeats)
                results[label, n] = cell
                print(
                    f"  {label:<16} n={n:<5} "
                    + ", ".join(f"{k} {1e3 * v:.1f} ms" for k, v in cell.items())
                    + f"  ({time.perf_counter() - start:.1f}s)",
                    flush=True,
                )
    report(results, list(methods), sizes)
    targets(results)
    print(
        f"\nTotal wall time {time.perf_counter() - start_all:.0f}s; load average "
        f"{os.getloadavg()[0]:.2f}"
    )


def gp_allowed(
    label: str, n: int, results: dict[tuple[str, int], dict[str, float]], gp_max: int | None
) -> bool:
    """Whether to time a GP sampler at history size ``n`` (see the module docstring)."""
    if not label.endswith("-gp"):
        return True
    if gp_max is not None:
        if n > gp_max:
            print(f"  {label:<16} n={n:<5} skipped (--gp-max {gp_max})")
        return n <= gp_max
    smaller = [m for (lab, m) in results if lab == label and m < n]
    if n <= 300 or not smaller:
        return True
    m = max(smaller)
    predicted = results[label, m]["+1 trial"] * (n / m) ** 2
    if predicted > GP_LIMIT:
        print(
            f"  {label:<16} n={n:<5} skipped: {1e3 * results[label, m]['+1 trial']:.0f} ms "
            f"at n={m} predicts {predicted:.0f}s per ask (limit {GP_LIMIT:.0f}s)"
        )
        return False
    return True


def report(
    results: dict[tuple[str, int], dict[str, float]],
    methods: list[str],
    sizes: tuple[int, ...],
) -> None:
    print("\nMilliseconds per ask (median) by number of COMPLETE trials in the history")
    header = "".join(f"{f'n={n}':>11}" for n in sizes)
    print(f"  {'method':<16}{'measure':<14}{header}")
    for label in methods:
        measures = ["first", "+1 trial"] + (
            ["same history"] if label.startswith("scout-") else []
        )
        for k, measure in enumerate(measures):
            cells = ""
            for n in sizes:
                value = results.get((label, n), {}).get(measure)
                cells += f"{'-':>11}" if value is None else f"{1e3 * value:>11.1f}"
            print(f"  {label if k == 0 else '':<16}{measure:<14}{cells}")


def targets(results: dict[tuple[str, int], dict[str, float]]) -> None:
    rows = []
    for ours, peer in (
        ("scout-tpe-uni", "optuna-tpe-uni"),
        ("scout-tpe-mv", "optuna-tpe-mv"),
    ):
        label = f"{ours} <= 1/10 of {peer} at n=1000 (+1 trial)"
        if (ours, 1000) in results and (peer, 1000) in results:
            a, b = results[ours, 1000]["+1 trial"], results[peer, 1000]["+1 trial"]
            rows.append((label, f"{1e3 * a:.1f} vs {1e3 * b:.1f} ms", verdict(a <= b / 10)))
        else:
            rows.append((label, "not measured", "n/a"))
    label = "scout-gp <= optuna-gp at n=100 (+1 trial)"
    if ("scout-gp", 100) in results and ("optuna-gp", 100) in results:
        a, b = results["scout-gp", 100]["+1 trial"], results["optuna-gp", 100]["+1 trial"]
        rows.append((label, f"{1e3 * a:.1f} vs {1e3 * b:.1f} ms", verdict(a <= b)))
    else:
        rows.append((label, "not measured", "n/a"))
    width = max(len(r[0]) for r in rows) + 2
    # The TPE ratios move with the machine's load (Optuna's asks slow down
    # more than ours): the target is meant for a quiet machine.
    print(f"\nTargets (load average now {os.getloadavg()[0]:.2f}; quiet is below 1)")
    for label, measured, result in rows:
        print(f"  {label:<{width}}{measured:<28}{result}")


if __name__ == "__main__":
    main()
