"""Compare two versions of the default sampler on the 20 tasks, half by half.

A change to the default (a cheaper fit, fewer candidates, another rule) is
kept only if it is no worse on the half of the suite that chooses, and the
other half is then reported. Run each version of the code into its own
file, then compare them::

    git worktree add /tmp/base <revision>
    PYTHONPATH=/tmp/base python benchmarks/default_ab.py run base.jsonl
    python benchmarks/default_ab.py run new.jsonl
    python benchmarks/default_ab.py compare base.jsonl new.jsonl

``run`` tunes every task of ``suite.py`` with ScoutSearchCV's default
(``sampler=None``) for ``--trials`` trials on each of ``--seeds``, with the
same data, folds and threads as ``tasks.py``, and writes a line per task
and seed: the best CV score and the held-out score of its params after 10,
20 and 40 trials (and ``--trials``), the sampler's own seconds and the fold
seconds. A file that has a line already is not measured again, so a run
that was stopped continues. ``compare`` counts, per half and checkpoint,
the (task, seed) pairs where the second file did better and worse, and
prints both versions' sampler share per task (median over seeds).

``run --n-jobs 4`` runs the searches with four trials in flight instead
(one search at a time: ``--jobs 1``), and ``rank`` prints the mean rank of
each file's searches at ``--trials`` against the peers stored in
``results/peers.jsonl``, as ``tasks.py`` ranks the default at
``n_jobs=4``. Such runs are not reproducible (which trial finishes first
changes the history the next ask sees), so compare versions over several
runs of each::

    python benchmarks/default_ab.py run par1.jsonl --seeds 0,1,2,3,4 --n-jobs 4 --jobs 1
    python benchmarks/default_ab.py rank par1.jsonl par2.jsonl
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from suite import HALVES, TASKS
from tasks import load_store, run_one
from tasks_report import PARALLEL_METHODS, PEERS, Results, mean_ranks

sys.path.pop(0)  # this folder: distributed.py would shadow Dask

CHECKPOINTS = (10, 20, 40)


def _measure(task: str, seed: int, n_trials: int, n_jobs: int) -> dict:
    record = run_one("scout-auto", task, seed, n_trials, n_jobs, (*CHECKPOINTS, n_trials))
    return {
        "method": "scout-auto",
        "task": task,
        "seed": seed,
        "n_trials": n_trials,
        "n_jobs": n_jobs,
        "checkpoints": record["checkpoints"],
        "ask_seconds": record["ask_seconds"],
        "fold_seconds": record["fold_seconds"],
    }


def run(path: Path, seeds: list[int], n_trials: int, jobs: int, n_jobs: int) -> None:
    done = set()
    if path.exists():
        for line in path.read_text().splitlines():
            r = json.loads(line)
            done.add((r["task"], r["seed"], r["n_trials"]))
    todo = [
        (task, seed)
        for seed in seeds
        for task in TASKS
        if (task, seed, n_trials) not in done
    ]
    print(f"{len(todo)} searches to run, {len(done)} in {path}", flush=True)
    with ProcessPoolExecutor(max_workers=jobs) as pool, path.open("a") as out:
        futures = {pool.submit(_measure, t, s, n_trials, n_jobs): (t, s) for t, s in todo}
        for future in as_completed(futures):
            record = future.result()
            out.write(json.dumps(record) + "\n")
            out.flush()
            print(f"  {record['task']} seed {record['seed']}", flush=True)


def _load(path: Path) -> dict[tuple[str, int], dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line]
    return {(r["task"], r["seed"]): r for r in rows}


def compare(first: Path, second: Path) -> None:
    a, b = _load(first), _load(second)
    keys = sorted(set(a) & set(b))
    points = sorted({int(k) for r in b.values() for k in r["checkpoints"]})
    print(f"{len(keys)} (task, seed) pairs in both; cells: {second.name} better / worse")
    header = ["half"] + [f"CV at {k}" for k in points] + [f"held-out at {points[-1]}"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for half in ("A", "B"):
        cells = [half]
        for k, field in [(k, "cv") for k in points] + [(points[-1], "test")]:
            better = worse = 0
            for key in keys:
                if key[0] not in HALVES[half]:
                    continue
                x = a[key]["checkpoints"].get(str(k), {}).get(field)
                y = b[key]["checkpoints"].get(str(k), {}).get(field)
                if x is None or y is None:
                    continue
                better += y > x
                worse += y < x
            cells.append(f"{better} / {worse}")
        print("| " + " | ".join(cells) + " |")
    print("\nSampler seconds as a share of fold seconds (median over seeds):")
    print(f"| task | {first.name} | {second.name} |\n|---|---|---|")
    for task in TASKS:
        shares = []
        for runs in (a, b):
            rs = [r for (t, _), r in runs.items() if t == task and r["ask_seconds"]]
            shares.append(
                statistics.median(r["ask_seconds"] / r["fold_seconds"] for r in rs)
                if rs
                else float("nan")
            )
        print(f"| {task} | {100 * shares[0]:.1f}% | {100 * shares[1]:.1f}% |")


def rank(paths: list[Path]) -> None:
    """Mean rank by best CV of each file's searches against the stored peers."""
    peers = list(load_store().values())
    for path in paths:
        ours = list(_load(path).values())
        n_jobs = ours[0].get("n_jobs", 1)
        budget = ours[0]["n_trials"]
        seeds = sorted({r["seed"] for r in ours})
        methods = ["scout-auto", *PEERS]
        jobs = {m: (n_jobs if m in PARALLEL_METHODS else 1) for m in methods}
        ranks = mean_ranks(Results(peers + ours), methods, list(TASKS), seeds, budget, jobs)
        line = ", ".join(f"{m} {ranks[m]:.2f}" for m in sorted(ranks, key=ranks.get))
        print(f"{path.name} (n_jobs={n_jobs}, {budget} trials, seeds {seeds}): {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("out", type=Path)
    run_parser.add_argument("--seeds", default="0,1,2")
    run_parser.add_argument("--trials", type=int, default=40)
    run_parser.add_argument("--jobs", type=int, default=2, help="searches at once")
    run_parser.add_argument("--n-jobs", type=int, default=1, help="each search's n_jobs")
    rank_parser = sub.add_parser("rank")
    rank_parser.add_argument("paths", type=Path, nargs="+")
    compare_parser = sub.add_parser("compare")
    compare_parser.add_argument("first", type=Path)
    compare_parser.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "run":
        seeds = [int(s) for s in args.seeds.split(",")]
        run(args.out, seeds, args.trials, args.jobs, args.n_jobs)
    elif args.command == "rank":
        rank(args.paths)
    else:
        compare(args.first, args.second)


if __name__ == "__main__":
    main()
