"""Time the default sampler's asks on recorded histories of real searches.

The sampler's share of a search's time (``tasks.py``, section 7) moves
with the machine and with the trials a version of the code happens to
propose. This script takes the second cause away: it records, once, the
trials of an 80-trial search of each task (params and CV scores, as JSON),
then replays each history through a fresh default sampler, asking for
trial k with the first k trials as history, and prints the median over
repeats of the milliseconds per ask and a digest of the 80 proposals (a
change that leaves the digest alone proposes the same params). Replaying
the same file with two versions of the code compares their cost on the
same inputs::

    python benchmarks/ask_replay.py record histories.jsonl
    PYTHONPATH=/tmp/base python benchmarks/ask_replay.py replay histories.jsonl
    python benchmarks/ask_replay.py replay histories.jsonl

Between two asks of a search, the fold fits evict the sampler's data and
code from the CPU caches: on the recorded ``enet_wide`` history an ask took
0.79 ms back to back and 1.17 ms with a 64 MB array summed before each ask
(about what the search's own asks take). ``--cold`` does that sum before
every ask, so that the times are the ones a search sees; the sum is not
timed.

Only tasks whose params are numbers, strings, booleans or None can be
recorded as JSON (the estimator-choice tasks hold estimators in their
params); the default list is the four tasks with the largest sampler
share in the suite's runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from spaces import scout_space
from suite import TASKS
from tasks import make_search, trials_in_order

sys.path.pop(0)  # this folder: distributed.py would shadow Dask

from scout_sklearn import SearchSpace, Trial, TrialState
from scout_sklearn.samplers import AutoSampler

DEFAULT_TASKS = ("enet_wide", "svc_kernels", "knn_digits", "spline_ridge")


def record(path: Path, tasks: list[str], n_trials: int) -> None:
    with path.open("w") as out:
        for name in tasks:
            task = TASKS[name]
            X_train, _, y_train, _ = task.data(0)
            search = make_search("scout-auto", task, 0, n_trials, 1, y_train)
            search.fit(X_train, y_train)
            trials = [
                {"params": params, "value": None if math.isnan(value) else value}
                for params, value in trials_in_order("scout-auto", search)
            ]
            out.write(json.dumps({"task": name, "trials": trials}) + "\n")
            print(f"recorded {name}: {len(trials)} trials", flush=True)


def replay(path: Path, repeats: int, cold: bool = False) -> None:
    import threadpoolctl

    print(
        f"load average {os.getloadavg()[0]:.2f}; median of {repeats} replays, "
        "and the fastest (the least disturbed by other processes)"
        + ("; caches evicted before each ask" if cold else "")
    )
    # Larger than the last-level cache of the machines this ran on (32 MB).
    evict = np.ones(8_000_000) if cold else None
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        space = SearchSpace.from_user(scout_space(TASKS[entry["task"]]))
        history = [
            Trial(k, t["params"], state=TrialState.COMPLETE, value=t["value"])
            if t["value"] is not None
            else Trial(k, t["params"], state=TrialState.FAILED)
            for k, t in enumerate(entry["trials"])
        ]
        seconds = []
        with threadpoolctl.threadpool_limits(1):
            for _ in range(repeats):
                sampler, proposals, total = AutoSampler(), [], 0.0
                for k in range(len(history)):
                    if evict is not None:
                        evict.sum()
                    rng = np.random.default_rng([0, k])
                    start = time.perf_counter()
                    proposals.append(sampler.ask(space, history[:k], rng))
                    total += time.perf_counter() - start
                seconds.append(total)
        digest = hashlib.sha1(repr(proposals).encode()).hexdigest()[:10]
        per_ask = 1e3 * statistics.median(seconds) / len(history)
        fastest = 1e3 * min(seconds) / len(history)
        print(
            f"  {entry['task']:<16} {per_ask:6.2f} ms per ask (fastest replay "
            f"{fastest:5.2f})  proposals {digest}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["record", "replay"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--tasks", default=",".join(DEFAULT_TASKS))
    parser.add_argument("--trials", type=int, default=80)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--cold", action="store_true", help="evict the CPU caches before each ask"
    )
    args = parser.parse_args()
    if args.command == "record":
        record(args.path, args.tasks.split(","), args.trials)
    else:
        replay(args.path, args.repeats, args.cold)


if __name__ == "__main__":
    main()
