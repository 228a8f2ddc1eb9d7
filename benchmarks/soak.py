"""Soak: many workers on two shared studies for many minutes, with a fault every minute.

Run it from the repository root as ``python benchmarks/soak.py`` (30 minutes;
``--minutes`` to choose). It needs PostgreSQL at ``--postgres`` (default:
``SCOUT_TEST_POSTGRES_URL``, else the local test server).

8 worker processes share one study on PostgreSQL and 4 share one on a SQLite
file. Each runs ScoutSearchCV (random sampler, a decision tree on iris, 3
folds: the storage is the bottleneck) until the end of the run, and starts
its fit again if the fit fails. One PostgreSQL worker runs with
``n_jobs=2`` (real joblib worker processes). Every ``--fault-every`` seconds
(60) one fault, in turn:

1. SIGKILL of a worker process (PostgreSQL and SQLite in turn), restarted
   at once: a crash, resumed by the restarted process and its peers;
2. ``pg_terminate_backend`` of every session of the PostgreSQL study's
   workers (an administrator, a server restart);
3. SIGKILL of a joblib worker process of the ``n_jobs=2`` worker.

A fault is *survived* if its study stores a new COMPLETE trial within
``--survive-within`` seconds after it. At the end, the stored trials are
checked against (a) a snapshot of the COMPLETE trials taken before each
fault and (b) the workers' logs, where a callback writes each trial the
worker finished: a trial COMPLETE in either and not COMPLETE with the same
value at the end is *lost*; a trial holding a fold twice, or the same params
as another COMPLETE trial, is *duplicated* (the sampler draws floats: the
same params twice is a trial stored twice, not a coincidence). It prints
trials per second per study, faults injected and survived, trials lost and
duplicated, and PASS/FAIL for lost == 0, duplicated == 0 and every fault
survived. Everything runs on this machine; the PostgreSQL tables (under a
prefix made for the run) and the SQLite directory are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
# The fault suite's helpers (tests/faults, tests/storage, tests/contracts).
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from _common import verdict

N_FOLDS = 3


# -- a worker --------------------------------------------------------------------------
def worker(url: str, prefix: str, log: str, deadline: float, n_jobs: int) -> None:
    """Run searches on the shared study until ``deadline`` (a wall-clock time)."""
    from sklearn.datasets import load_iris
    from sklearn.tree import DecisionTreeClassifier

    from scout_sklearn import Float, Int, ScoutSearchCV
    from scout_sklearn.storage import SQLStorage

    X, y = load_iris(return_X_y=True)
    space = {
        "max_depth": Int(1, 12),
        "min_samples_split": Int(2, 20),
        "ccp_alpha": Float(0.0, 0.05),
    }

    def logged(study: Any, trial: Any) -> None:
        if trial.state.name == "COMPLETE":
            with open(log, "a") as out:
                out.write(json.dumps({"number": trial.number, "value": trial.value}) + "\n")

    while (left := deadline - time.time()) > 1:
        search = ScoutSearchCV(
            DecisionTreeClassifier(random_state=0),
            space,
            sampler="random",
            n_trials=10**7,
            timeout=left,
            cv=N_FOLDS,
            n_jobs=n_jobs,
            storage=SQLStorage(url, table_prefix=prefix),
            study_name="soak",
            refit=False,
            callbacks=[logged],
        )
        try:
            search.fit(X, y)
        except Exception as err:  # noqa: BLE001 - counted, and the fit starts again
            with open(log + ".errors", "a") as out:
                out.write(f"{type(err).__name__}: {err}\n")


# -- the run ---------------------------------------------------------------------------
@dataclass
class Study:
    """One shared study: its storage, its workers, what was seen COMPLETE."""

    name: str
    url: str  # what the workers connect with
    prefix: str
    directory: Path
    n_workers: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    snapshots: dict[int, tuple[Any, ...]] = field(default_factory=dict)

    def log(self, k: int) -> str:
        return str(self.directory / f"{self.name}-worker{k}.log")

    def start(self, k: int, deadline: float, n_jobs: int = 1) -> None:
        args = [self.url, self.prefix, self.log(k), repr(deadline), str(n_jobs)]
        with open(self.log(k) + ".stderr", "ab") as stderr:
            process = subprocess.Popen(
                [sys.executable, __file__, "--worker", *args],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        if k < len(self.processes):
            self.processes[k] = process
        else:
            self.processes.append(process)

    def trials(self, reader: Any) -> list[Any]:
        if reader.load_study("soak") is None:
            return []
        return list(reader.read_trials("soak")[0])

    def snapshot(self, reader: Any) -> int:
        """Remember the COMPLETE trials; return how many there are."""
        complete = [t for t in self.trials(reader) if t.state.name == "COMPLETE"]
        for trial in complete:
            self.snapshots.setdefault(trial.number, _fingerprint(trial))
        return len(complete)


def _fingerprint(trial: Any) -> tuple[Any, ...]:
    folds = sorted((f.fold, json.dumps(dict(f.test_scores))) for f in trial.fold_results)
    return json.dumps(dict(trial.params), sort_keys=True), trial.value, tuple(folds)


def run(args: argparse.Namespace) -> bool:
    from contracts.storage import end_postgres_sessions
    from faults._harness import loky_workers
    from storage.test_resume import _drop_prefixed

    from scout_sklearn.storage import SQLStorage

    rng = random.Random(args.seed)
    directory = Path(tempfile.mkdtemp(prefix="scout-soak-"))
    tag = f"scoutsoak{uuid.uuid4().hex[:8]}"
    pg = Study(
        "postgresql",
        f"{args.postgres}?application_name={tag}",
        f"soak{uuid.uuid4().hex[:6]}_",
        directory,
        args.pg_workers,
    )
    lite = Study(
        "sqlite",
        f"sqlite:///{directory / 'soak.db'}",
        "soak_",
        directory,
        args.sqlite_workers,
    )
    readers = {
        "postgresql": SQLStorage(args.postgres, table_prefix=pg.prefix),
        "sqlite": SQLStorage(lite.url, table_prefix=lite.prefix),
    }
    studies = {"postgresql": pg, "sqlite": lite}
    started = time.time()
    deadline = started + 60 * args.minutes
    print(
        f"soak: {args.minutes:g} min, {pg.n_workers} workers on PostgreSQL, "
        f"{lite.n_workers} on SQLite ({directory}), a fault every {args.fault_every:g} s; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    for study in studies.values():
        for k in range(study.n_workers):
            # One PostgreSQL worker with joblib workers of its own, for fault 3.
            study.start(k, deadline, n_jobs=2 if study is pg and k == 0 else 1)

    kinds = ["kill a worker", "terminate PostgreSQL sessions", "kill a joblib worker"]
    injected: dict[str, int] = dict.fromkeys(kinds, 0)
    survived: dict[str, int] = dict.fromkeys(kinds, 0)
    killed_kind = 0  # alternates the study of fault 1
    fault = 0
    try:
        while True:
            next_fault = started + args.fault_every * (fault + 1)
            # No fault in the last survival window: it could not be judged.
            if next_fault > deadline - args.survive_within:
                break
            time.sleep(max(0.0, next_fault - time.time()))
            kind = kinds[fault % len(kinds)]
            fault += 1
            if kind == "kill a worker":
                study = (pg, lite)[killed_kind % 2]
                killed_kind += 1
            else:
                study = pg
            for each in studies.values():  # what was COMPLETE before the fault
                each.snapshot(readers[each.name])
            before = study.snapshot(readers[study.name])
            detail = ""
            if kind == "kill a worker":
                k = rng.randrange(study.n_workers)
                study.processes[k].send_signal(signal.SIGKILL)
                study.processes[k].wait()
                study.start(k, deadline, n_jobs=2 if study is pg and k == 0 else 1)
                detail = f"{study.name} worker {k}, restarted"
            elif kind == "terminate PostgreSQL sessions":
                detail = f"{end_postgres_sessions(args.postgres, tag)} sessions"
            else:
                children = loky_workers(pg.processes[0].pid)
                if not children:
                    detail = "no joblib worker alive: skipped"
                    print(f"[{time.time() - started:6.0f} s] {kind}: {detail}", flush=True)
                    continue
                victim = rng.choice(children)
                victim.send_signal(signal.SIGKILL)
                detail = f"pid {victim.pid}"
            injected[kind] += 1
            # Survived: the study stores a new COMPLETE trial soon after.
            limit = time.time() + args.survive_within
            ok = False
            while time.time() < limit:
                if study.snapshot(readers[study.name]) > before:
                    ok = True
                    break
                time.sleep(0.5)
            survived[kind] += ok
            print(
                f"[{time.time() - started:6.0f} s] {kind} ({detail}): "
                f"{'survived' if ok else 'NOT survived'}",
                flush=True,
            )
        for study in studies.values():
            for process in study.processes:
                try:
                    process.wait(timeout=max(1.0, deadline - time.time()) + 60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        ended = time.time()
        return report(args, studies, readers, injected, survived, ended - started)
    finally:
        for study in studies.values():
            for process in study.processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        _drop_prefixed(args.postgres, pg.prefix)
        for path in sorted(directory.iterdir()):
            path.unlink()
        directory.rmdir()


def report(
    args: argparse.Namespace,
    studies: dict[str, Study],
    readers: dict[str, Any],
    injected: dict[str, int],
    survived: dict[str, int],
    seconds: float,
) -> bool:
    total_lost = total_duplicated = 0
    print(f"\nafter {seconds:.0f} s (load average {os.getloadavg()[0]:.1f}):")
    for name, study in studies.items():
        trials = study.trials(readers[name])
        final = {t.number: t for t in trials if t.state.name == "COMPLETE"}
        lost = {
            n
            for n, seen in study.snapshots.items()
            if n not in final or _fingerprint(final[n]) != seen
        }
        logged = 0
        for k in range(study.n_workers):
            path = Path(study.log(k))
            lines = path.read_text().splitlines() if path.exists() else []
            for line in lines:
                entry = json.loads(line)
                logged += 1
                trial = final.get(entry["number"])
                if trial is None or trial.value != entry["value"]:
                    lost.add(entry["number"])
        duplicated = set()
        points: set[str] = set()
        for trial in trials:
            folds = [(f.fold, f.rung) for f in trial.fold_results]
            if len(folds) != len(set(folds)):
                duplicated.add(trial.number)
            if trial.state.name == "COMPLETE":
                point = json.dumps(dict(trial.params), sort_keys=True)
                if point in points:
                    duplicated.add(trial.number)
                points.add(point)
        errors = 0
        for k in range(study.n_workers):
            path = Path(study.log(k) + ".errors")
            errors += len(path.read_text().splitlines()) if path.exists() else 0
        states: dict[str, int] = {}
        for trial in trials:
            states[trial.state.name] = states.get(trial.state.name, 0) + 1
        print(
            f"  {name}: {len(final)} COMPLETE trials, {len(final) / seconds:.1f} trials/s "
            f"({study.n_workers} workers); states {states}; {logged} trials in the "
            f"workers' logs; {errors} fits failed and started again; "
            f"lost {len(lost)}, duplicated {len(duplicated)}"
        )
        if lost:
            print(f"    lost: {sorted(lost)[:20]}")
        if duplicated:
            print(f"    duplicated: {sorted(duplicated)[:20]}")
        for trial in trials:  # why a trial failed (its folds' errors, last line)
            if trial.state.name == "FAILED":
                reasons = {
                    (fold.error or "").strip().splitlines()[-1:][0][:200]
                    for fold in trial.fold_results
                    if fold.error
                }
                shown = sorted(reasons) or "no fold error"
                print(f"    trial {trial.number} FAILED: {shown}")
        total_lost += len(lost)
        total_duplicated += len(duplicated)
    print(
        "  (RUNNING: trials asked and not finished when the workers stopped, given up\n"
        "  for a later fit to take over; a worker with n_jobs=2 asks a chunk of trials\n"
        "  ahead of its joblib workers. Not COMPLETE before, so not counted as lost.)"
    )
    n_injected, n_survived = sum(injected.values()), sum(survived.values())
    print(f"  faults injected {n_injected}, survived {n_survived}:")
    for kind in injected:
        print(f"    {kind}: {injected[kind]} injected, {survived[kind]} survived")
    checks = [
        (f"trials lost: {total_lost} (target 0)", total_lost == 0),
        (f"trials duplicated: {total_duplicated} (target 0)", total_duplicated == 0),
        (f"faults survived: {n_survived} of {n_injected}", n_survived == n_injected),
    ]
    for text, ok in checks:
        print(f"{verdict(ok)}  {text}")
    return all(ok for _, ok in checks)


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        url, prefix, log, deadline, n_jobs = sys.argv[2:7]
        worker(url, prefix, log, float(deadline), int(n_jobs))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "SCOUT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--pg-workers", type=int, default=8)
    parser.add_argument("--sqlite-workers", type=int, default=4)
    parser.add_argument("--fault-every", type=float, default=60.0, help="seconds")
    parser.add_argument(
        "--survive-within",
        type=float,
        default=30.0,
        help="seconds after a fault for its study to store a new COMPLETE trial",
    )
    parser.add_argument("--seed", type=int, default=0, help="picks the killed workers")
    args = parser.parse_args()
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
