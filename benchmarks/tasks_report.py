"""What ``tasks.py`` prints: ranks, the honest selection of the default's rule, targets.

The methods and budgets compared are named here; ``tasks.py`` runs the
searches and hands their records to :func:`report`.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from _common import verdict
from scipy.stats import rankdata
from spaces import scout_space
from suite import HALVES, TASKS, Task

CHECKPOINTS = (10, 20, 40, 80)
MAIN_BUDGET = 40
# Our samplers. The candidate rules of the default run to 80 trials (their
# anytime curve is part of the choice); the others to the main budget.
CANDIDATES = ("scout-auto", "scout-gp", "scout-tpe")
OTHERS = ("scout-cmaes", "scout-qmc", "scout-annealing", "scout-random")
PEERS = ("random", "halving", "optuna-tpe", "optuna-gp", "bayes")
# At n_jobs=4 these peers run exactly the same trials as at n_jobs=1 (they
# parallelise the folds of one candidate, or sample without looking at
# results), so their n_jobs=1 results stand for both.
SAME_AT_ANY_N_JOBS = ("random", "halving", "bayes")
PARALLEL_METHODS = ("scout-auto", "optuna-tpe", "optuna-gp")
PARALLEL_BUDGET = 40


# -- the report --------------------------------------------------------------------------
class Results:
    """Every record of a run, looked up by (method, task, seed, budget, n_jobs)."""

    def __init__(self, records: Iterable[dict]) -> None:
        self.by_key: dict[tuple, dict] = {}
        for r in records:
            self.by_key[r["method"], r["task"], r["seed"], r["n_trials"], r["n_jobs"]] = r

    def at(self, method: str, task: str, seed: int, k: int, n_jobs: int = 1) -> dict | None:
        """The checkpoint of ``method`` at ``k`` trials (a halving run of budget k)."""
        if method == "halving":
            r = self.by_key.get((method, task, seed, k, 1))
        else:
            r = None
            for budget in sorted(
                {
                    b
                    for (m, t, s, b, j) in self.by_key
                    if (m, t, s, j) == (method, task, seed, n_jobs)
                }
            ):
                if budget >= k:
                    r = self.by_key[method, task, seed, budget, n_jobs]
                    break
        if r is None:
            return None
        return r["checkpoints"].get(str(k))

    def record(self, method: str, task: str, seed: int, n_jobs: int = 1) -> dict | None:
        found = [
            r
            for (m, t, s, b, j), r in self.by_key.items()
            if (m, t, s, j) == (method, task, seed, n_jobs)
        ]
        return max(found, key=lambda r: r["n_trials"]) if found else None


def mean_ranks(
    res: Results,
    methods: list[str],
    tasks: list[str],
    seeds: list[int],
    k: int,
    n_jobs: dict[str, int] | None = None,
) -> dict[str, float]:
    """Mean rank by best CV at ``k`` trials, over the (task, seed) pairs of every method."""
    n_jobs = n_jobs or {}
    ranks: dict[str, list[float]] = {m: [] for m in methods}
    for task in tasks:
        for seed in seeds:
            points = [res.at(m, task, seed, k, n_jobs.get(m, 1)) for m in methods]
            if any(p is None for p in points):
                continue
            scores = np.array([p["cv"] for p in points], dtype=float)
            scores = np.where(np.isnan(scores), -np.inf, scores)
            for m, r in zip(methods, rankdata(-scores)):
                ranks[m].append(float(r))
    return {m: float(np.mean(v)) if v else math.nan for m, v in ranks.items()}


def print_ranks(title: str, ranks: dict[str, float]) -> None:
    print(f"\n{title}")
    for m in sorted(ranks, key=lambda m: (math.isnan(ranks[m]), ranks[m])):
        print(f"  {m:<18}{ranks[m]:>7.2f}")


def median(values: Iterable[float]) -> float:
    values = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(values) if values else math.nan


def report(
    res: Results, ours: list[str], peers: list[str], tasks: list[str], seeds: list[int]
) -> list[tuple[str, str, bool | None]]:
    methods = ours + peers
    width = max(len(m) for m in methods) + 2
    # 1. per task
    print(
        f"\n== 1. Per task at {MAIN_BUDGET} trials: median best CV and held-out test, "
        f"mean rank (over {len(seeds)} seeds)"
    )
    for task in tasks:
        t = TASKS[task]
        print(f"\n{task} [{t.half}] ({t.scoring}; {t.n_params()} params): {t.description}")
        ranks = mean_ranks(res, methods, [task], seeds, MAIN_BUDGET)
        for m in methods:
            points = [res.at(m, task, s, MAIN_BUDGET) for s in seeds]
            points = [p for p in points if p]
            if not points:
                continue
            print(
                f"  {m:<{width}}{median(p['cv'] for p in points):>12.6g}"
                f"{median(p['test'] for p in points):>12.6g}{ranks[m]:>7.2f}"
            )
    # 2. whole suite and halves
    whole = mean_ranks(res, methods, tasks, seeds, MAIN_BUDGET)
    print_ranks(
        f"== 2. Mean rank at {MAIN_BUDGET} trials, whole suite ({len(tasks)} tasks x "
        f"{len(seeds)} seeds; 1 = best of {len(methods)})",
        whole,
    )
    halves = {h: [t for t in tasks if TASKS[t].half == h] for h in HALVES}
    for h, names in halves.items():
        if names:
            print_ranks(
                f"   half {h} ({', '.join(names)})",
                mean_ranks(res, methods, names, seeds, MAIN_BUDGET),
            )
    targets: list[tuple[str, str, bool | None]] = []
    if "scout-auto" in whole:
        best_other = min((m for m in methods if m != "scout-auto"), key=whole.get)
        targets.append(
            (
                "default first by mean rank at 40 (whole suite)",
                f"{whole['scout-auto']:.2f} vs {best_other} {whole[best_other]:.2f}",
                whole["scout-auto"] <= whole[best_other],
            )
        )
    # 3. honest selection
    if {"scout-gp", "scout-tpe"} <= set(ours) and all(halves.values()):
        targets += honest_selection(res, methods, halves, seeds)
    # 4. anytime and n_jobs=4
    print(
        "\n== 4. Anytime: mean rank at each budget (the default, its candidate rules, "
        "the "
        "peers)"
    )
    anytime = [m for m in methods if m in CANDIDATES or m in peers]
    print("  " + f"{'method':<{width}}" + "".join(f"{k:>8}" for k in CHECKPOINTS))
    table = {k: mean_ranks(res, anytime, tasks, seeds, k) for k in CHECKPOINTS}
    for m in anytime:
        print("  " + f"{m:<{width}}" + "".join(f"{table[k][m]:>8.2f}" for k in CHECKPOINTS))
    if "scout-auto" in anytime:
        for k in (20, 40, 80):
            others = [m for m in anytime if m not in CANDIDATES]
            if not others:
                continue
            best_peer = min(others, key=table[k].get)
            targets.append(
                (
                    f"default first against the peers at {k} trials",
                    f"{table[k]['scout-auto']:.2f} vs {best_peer} "
                    f"{table[k][best_peer]:.2f}",
                    table[k]["scout-auto"] <= table[k][best_peer],
                )
            )
    parallel = [m for m in ["scout-auto", *peers]]
    jobs = {m: (4 if m in PARALLEL_METHODS else 1) for m in parallel}
    at4 = mean_ranks(res, parallel, tasks, seeds, PARALLEL_BUDGET, jobs)
    if not math.isnan(at4.get("scout-auto", math.nan)):
        print_ranks(
            f"   at n_jobs=4, {PARALLEL_BUDGET} trials (the default and Optuna at "
            f"n_jobs=4; {', '.join(SAME_AT_ANY_N_JOBS)} run the same trials at any "
            "n_jobs)",
            at4,
        )
        place = 1 + sum(at4[m] < at4["scout-auto"] for m in parallel if m != "scout-auto")
        targets.append(
            (
                "default at n_jobs=4 no worse than second",
                f"place {place} ({at4['scout-auto']:.2f})",
                place <= 2,
            )
        )
    # 5. held-out test against Optuna's TPE
    if "scout-auto" in methods and "optuna-tpe" in methods:
        print(
            f"\n== 5. Median held-out test score at {MAIN_BUDGET} trials: default vs "
            "Optuna TPE"
        )
        wins = 0
        counted = 0
        for task in tasks:
            ours_t = median(
                p["test"]
                for s in seeds
                if (p := res.at("scout-auto", task, s, MAIN_BUDGET))
            )
            theirs = median(
                p["test"]
                for s in seeds
                if (p := res.at("optuna-tpe", task, s, MAIN_BUDGET))
            )
            if math.isnan(ours_t) or math.isnan(theirs):
                continue
            counted += 1
            wins += ours_t >= theirs
            print(
                f"  {task:<22}{ours_t:>12.6g}{theirs:>12.6g}  "
                f"{'>=' if ours_t >= theirs else '<'}"
            )
        if counted:
            targets.append(
                (
                    "default's median test >= Optuna TPE's on 3 of 4 tasks",
                    f"{wins} of {counted}",
                    wins >= 0.75 * counted,
                )
            )
    # 6. time to GridSearchCV's answer
    gridded = [t for t in tasks if TASKS[t].grid is not None]
    if gridded:
        print(
            "\n== 6. Trials until the best CV score reaches GridSearchCV's (median over "
            "seeds; '>80' never within 80)"
        )
        who = [
            m
            for m in (
                "scout-auto",
                "optuna-tpe",
                "random",
                "scout-gp",
                "scout-tpe",
                "optuna-gp",
                "bayes",
            )
            if m in methods
        ]
        print("  " + f"{'task':<22}{'grid':>6}" + "".join(f"{m:>12}" for m in who))
        passed = 0
        counted = 0
        for task in gridded:
            needs = {m: [] for m in who}
            n_grid = None
            for seed in seeds:
                g = res.record("grid", task, seed)
                if g is None:
                    continue
                n_grid = len(g["cv"])
                target = np.nanmax(g["cv"])
                for m in who:
                    r = res.record(m, task, seed)
                    if r is None:
                        continue
                    reached = [i + 1 for i, v in enumerate(r["cv"]) if v >= target - 1e-12]
                    needs[m].append(reached[0] if reached else math.inf)
            if n_grid is None:
                continue
            cells = []
            for m in who:
                if needs[m]:
                    v = statistics.median(needs[m])
                    cells.append(f"{'>80' if math.isinf(v) else f'{v:.0f}':>12}")
                else:
                    cells.append(f"{'-':>12}")
            print("  " + f"{task:<22}{n_grid:>6}" + "".join(cells))
            if needs.get("scout-auto"):
                counted += 1
                passed += statistics.median(needs["scout-auto"]) <= n_grid / 4
        if counted:
            targets.append(
                (
                    "default reaches grid's best in <= 1/4 of its fits on 70% of "
                    "gridded tasks",
                    f"{passed} of {counted}",
                    passed >= 0.7 * counted,
                )
            )
    # 7. sampler time
    print(
        "\n== 7. The sampler's own seconds as a share of fold fit+score seconds (median "
        "over seeds; ms per ask)"
    )
    shares_ok = True
    for m in [m for m in ours]:
        cells = []
        worst = 0.0
        for task in tasks:
            rs = [res.record(m, task, s) for s in seeds]
            rs = [r for r in rs if r and r.get("ask_seconds") is not None]
            if not rs:
                continue
            share = median(r["ask_seconds"] / r["fold_seconds"] for r in rs)
            per_ask = median(1e3 * r["ask_seconds"] / len(r["cv"]) for r in rs)
            worst = max(worst, share)
            cells.append(f"{task} {100 * share:.1f}% ({per_ask:.1f} ms)")
        print(f"  {m:<{width}}worst {100 * worst:.1f}%: " + ", ".join(cells))
        if m == "scout-auto":
            shares_ok = worst < 0.05
            targets.append(
                (
                    "default's sampler time < 5% of fit time on every task",
                    f"worst {100 * worst:.1f}%",
                    shares_ok,
                )
            )
    return targets


# -- choosing the default's rule on one half, judging it on the other --------------------
@dataclass(frozen=True)
class Rule:
    """A rule the default could follow: the GP on some spaces, TPE on the others."""

    max_dims: float  # the GP on sub-spaces of at most this many parameters
    categorical: bool  # ... with categorical parameters too
    conditional: bool  # ... and on conditional spaces

    @property
    def name(self) -> str:
        if self.max_dims == 0:
            return "TPE always"
        dims = "any size" if math.isinf(self.max_dims) else f"<= {self.max_dims:g} params"
        kinds = [
            k
            for k, ok in (
                ("categorical", self.categorical),
                ("conditional", self.conditional),
            )
            if ok
        ]
        return f"GP on {dims}" + (
            f" incl. {' & '.join(kinds)}" if kinds else ", numeric only"
        )

    def pick(self, task: Task) -> str:
        p = space_profile(task)
        uses_gp = (
            p["max_dims"] <= self.max_dims
            and (self.categorical or p["categorical"] == 0)
            and (self.conditional or p["subspaces"] == 1)
        )
        return "scout-gp" if uses_gp else "scout-tpe"


def rule_family() -> list[Rule]:
    rules = [Rule(0, False, False)]
    for dims in (2, 4, 6, 8, 12, 16, math.inf):
        for categorical in (False, True):
            for conditional in (False, True):
                rules.append(Rule(dims, categorical, conditional))
    return rules


def space_profile(task: Task) -> dict[str, int]:
    """Sub-spaces, the most parameters in one, and the categorical ones (2+ choices)."""
    from scout_sklearn import Categorical, SearchSpace

    space = SearchSpace.from_user(scout_space(task))
    searched = [
        [
            n
            for n in sub.names
            if sub[n].is_finite is False
            or not (isinstance(sub[n], Categorical) and sub[n].n_values() < 2)
        ]
        for sub in space
    ]
    categorical = sum(
        isinstance(sub[n], Categorical) and sub[n].n_values() >= 2
        for sub in space
        for n in sub.names
    )
    return {
        "subspaces": len(space),
        "max_dims": max(len(s) for s in searched),
        "categorical": categorical,
    }


def honest_selection(
    res: Results, methods: list[str], halves: dict[str, list[str]], seeds: list[int]
) -> list[tuple[str, str, bool | None]]:
    """Choose the default's rule on one half, report it on the other, both ways.

    A rule's result on a task is the run of the sampler it picks there (runs
    at ``n_jobs=1`` are deterministic: the same sampler, seed and data give
    the same trials), ranked against every method that is not a candidate
    (the peers and our other samplers).
    """
    field = [m for m in methods if m not in CANDIDATES]
    rules = rule_family()
    seen: dict[tuple[str, ...], Rule] = {}
    every_task = [t for h in halves.values() for t in h]
    for rule in rules:  # rules that pick the same samplers everywhere are one candidate
        seen.setdefault(tuple(rule.pick(TASKS[t]) for t in every_task), rule)
    rules = list(seen.values())
    for rule in rules:
        for (m, t, s, b, j), r in list(res.by_key.items()):
            if m == rule.pick(TASKS[t]) and j == 1:
                res.by_key[f"rule: {rule.name}", t, s, b, j] = {**r, "method": rule.name}
    print(
        f"\n== 3. Choosing the default's rule on one half, judging it on the other: "
        f"{len(rules)} distinct rules (which sampler, GP or TPE, for which spaces), each "
        f"ranked against {', '.join(field)}"
    )
    targets = []
    for chooser, judge in (("A", "B"), ("B", "A")):
        score = {}
        for rule in rules:
            name = f"rule: {rule.name}"
            score[name] = (
                mean_ranks(res, [*field, name], halves[chooser], seeds, MAIN_BUDGET)[name],
                mean_ranks(res, [*field, name], halves[judge], seeds, MAIN_BUDGET),
            )
        chosen = min(score, key=lambda n: score[n][0])
        on_judge = score[chosen][1]
        best_other = min(field, key=on_judge.get)
        print(
            f"  chosen on half {chooser}: {chosen} (mean rank {score[chosen][0]:.2f} there)"
        )
        for name in sorted(score, key=lambda n: score[n][0])[:5]:
            print(
                f"      {name:<55}{score[name][0]:>6.2f} on {chooser}"
                f"{score[name][1][name]:>8.2f} on {judge}"
            )
        print(
            f"  on half {judge}, which did not choose: {on_judge[chosen]:.2f}; best of the "
            f"others there: {best_other} {on_judge[best_other]:.2f}"
        )
        targets.append(
            (
                f"rule chosen on {chooser} first on {judge}",
                f"{on_judge[chosen]:.2f} vs {best_other} {on_judge[best_other]:.2f}",
                on_judge[chosen] <= on_judge[best_other],
            )
        )
    return targets


def print_targets(targets: list[tuple[str, str, bool | None]]) -> None:
    print("\nTargets")
    width = max((len(t[0]) for t in targets), default=10) + 2
    for label, measured, ok in targets:
        print(f"  {label:<{width}}{measured:<40}{'n/a' if ok is None else verdict(ok)}")
