"""The live dashboard on a 10,000-trial study, beside optuna-dashboard on the same trials.

Run it from the repository root with ``python benchmarks/dashboard.py``
(``--trials`` for another size, ``--backends sqlite`` to skip PostgreSQL,
``--peers none`` to skip optuna-dashboard; PostgreSQL is read from
``SCOUT_TEST_POSTGRES_URL``). For each backend it stores a study of
``--trials`` trials through the Study API (the report benchmark's study:
4 parameters, 3 folds, pruned by successive halving over 3 rungs), then:

- starts ``scout_sklearn.dashboard.serve`` in a process of its own, as
  ``scout-sklearn dashboard`` does, and times its start-up (launch to the
  first answer: imports and the read of every study);
- **first load**: every request a browser makes to open the study page
  (page, CSS, script, plotly.min.js, the study's trials, the table's first
  page, the fold comparison, the rungs; importances apart, as the issue
  lists them apart), gzip accepted as browsers do: the server time (the
  sum of the ``Server-Timing`` headers), the wall time and the bytes;
- **live updates**: a writer adds ``--updates`` trials, one every 0.3 s,
  while an event stream is open: the server time each update took (it
  reports it), its bytes, and the delay from the writer's commit to the
  event's arrival; with Playwright and Chromium, also the delay to the
  new count on an open page (what the user sees);
- **optuna-dashboard** (``--peers optuna-dashboard``): the same trials in an
  Optuna RDB storage of the same backend (PostgreSQL: a database of its own,
  dropped after), served by optuna-dashboard in a subprocess: the wall time
  and bytes of its first load (page, bundle.js, /api/meta, /api/studies,
  the study's detail), of a refresh after a new trial (the poll it makes
  every 10 s, once its 10-second trial cache has run out), and of its
  importances. Both servers run on this machine, one at a time.

Targets (issue 15): first load at most 1 s of server time and 6 MB; each
live update at most 50 ms of server time and 50 kB; a new trial on screen
within 2 s at the 95th percentile; at least 5x optuna-dashboard on first
load and on refresh.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _common import require_modules, verdict

FIRST_LOAD_SECONDS = 1.0
FIRST_LOAD_BYTES = 6e6
UPDATE_MS = 50.0
UPDATE_BYTES = 50e3
ON_SCREEN_P95 = 2.0
PEER_RATIO = 5.0
#: What a pruned search stores of itself (report.build's rungs 0-2, 3 folds).
FINGERPRINT = {
    "cv": {"n_splits": 3},
    "scoring": "accuracy",
    "pruning": {
        "pruner": "SuccessiveHalvingPruner()",
        "resource": "n_samples",
        "ladder": [111, 333, 1000],
    },
}
CHROMIUM = os.environ.get("SCOUT_CHROMIUM", "/usr/bin/chromium")


def fetch(base: str, path: str) -> tuple[float, float | None, int, bytes]:
    """(wall seconds, server seconds or None, bytes on the wire, body) of one GET."""
    request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        body = response.read()
        timing = response.headers.get("Server-Timing")
        encoding = response.headers.get("Content-Encoding")
    wall = time.perf_counter() - started
    server = None
    if timing and "dur=" in timing:
        server = float(timing.split("dur=")[1].split(",")[0]) / 1000
    return wall, server, len(body), gzip.decompress(body) if encoding == "gzip" else body


# -- our side ---------------------------------------------------------------------------
def our_first_load(base: str, study: str) -> dict[str, Any]:
    name = urllib.parse.quote(study)
    paths = [
        f"/study?name={name}",
        "/static/style.css",
        "/static/app.js",
        "/static/plotly.min.js",
        f"/api/study?name={name}",
        f"/api/study/table?name={name}&sort=value&order=desc&page=1&per_page=25",
        f"/api/study/folds?name={name}",
        f"/api/study/rungs?name={name}",
    ]
    wall = server = 0.0
    size = 0
    for path in paths:
        w, s, n, _ = fetch(base, path)
        wall += w
        server += s or 0.0
        size += n
    w, s, n, _ = fetch(base, f"/api/study/importances?name={name}")
    return {"server": server, "wall": wall, "bytes": size, "importances": s or w}


class EventReader:
    """Server-sent events on a thread: (arrival time, raw size, data) per event."""

    def __init__(self, url: str) -> None:
        self.events: list[tuple[float, int, dict[str, Any]]] = []
        self.response = urllib.request.urlopen(url, timeout=600)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        size = 0
        with contextlib.suppress(OSError, ValueError, AttributeError):
            for raw in self.response:
                size += len(raw)
                line = raw.decode()
                if line.startswith("data: "):
                    self.events.append((time.monotonic(), size, json.loads(line[6:])))
                if line == "\n":
                    size = 0

    def close(self) -> None:
        self.response.close()


def writer_of(storage: Any, study_name: str) -> Any:
    """The stored study, opened for writing as a search resuming it would."""
    from report import space

    from scout_sklearn import Study

    return Study(
        space(),
        storage=storage,
        name=study_name,
        load_if_exists=True,
        fingerprint=fingerprint_of(study_name),
    )


def fingerprint_of(study_name: str) -> dict[str, Any]:
    """What report.build's study named ``study_name`` was stored with."""
    if study_name == "pruned":
        return FINGERPRINT
    return {key: value for key, value in FINGERPRINT.items() if key != "pruning"}


def finish(study: Any, number: int, rng: np.random.Generator) -> float:
    """Store 3 folds of trial ``number`` and tell it COMPLETE; when that committed."""
    from scout_sklearn import FoldResult, TrialState

    for fold in range(3):
        score = float(0.9 + rng.normal(0, 0.01))
        study.record(number, FoldResult(fold, {"score": score}, None, 0.01, 0.001, 50))
    study.tell(number, score, state=TrialState.COMPLETE)
    return time.monotonic()


def add_trial(study: Any, rng: np.random.Generator) -> tuple[int, float]:
    """A new COMPLETE trial with 3 folds; its number and when its last write committed."""
    number = study.ask().number
    return number, finish(study, number, rng)


def our_updates(
    base: str, storage: Any, study_name: str, n_updates: int, rng: np.random.Generator
) -> dict[str, Any]:
    """Server ms, bytes and delay of the updates pushed while a writer adds trials."""
    state = json.loads(fetch(base, f"/api/study?name={urllib.parse.quote(study_name)}")[3])
    events = EventReader(
        base
        + f"/api/study/events?name={urllib.parse.quote(study_name)}&since={state['stamp']}"
    )
    writer = writer_of(storage, study_name)
    committed: dict[int, float] = {}
    for _ in range(n_updates):
        number, at = add_trial(writer, rng)
        committed[number] = at
        time.sleep(0.3)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done = {
            n
            for _, _, data in events.events
            for n, s in zip(data["trials"]["number"], data["trials"]["state"])
            if s == "COMPLETE"
        }
        if set(committed) <= done:
            break
        time.sleep(0.05)
    events.close()
    delays = []
    for number, at in committed.items():
        arrivals = [
            t
            for t, _, data in events.events
            for n, s in zip(data["trials"]["number"], data["trials"]["state"])
            if n == number and s == "COMPLETE"
        ]
        if arrivals:
            delays.append(arrivals[0] - at)
    return {
        "server_ms": [data["server_ms"] for _, _, data in events.events],
        "bytes": [size for _, size, _ in events.events],
        "delays": delays,
        "missed": len(committed) - len(delays),
    }


def on_screen(
    base: str, storage: Any, study_name: str, n_updates: int
) -> list[float] | None:
    """Seconds from a trial's commit to the new count on an open page (Chromium)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if executable is None:
        return None
    rng = np.random.default_rng(1)
    writer = writer_of(storage, study_name)
    delays: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        page = browser.new_page()
        page.goto(base + f"/study?name={urllib.parse.quote(study_name)}")
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        for _ in range(n_updates):
            before = page.locator("#n-trials").inner_text()
            trial = writer.ask()  # the count grows when the new trial is stored
            at = time.monotonic()
            while page.locator("#n-trials").inner_text() == before:
                if time.monotonic() - at > 30:
                    break
                time.sleep(0.01)
            delays.append(time.monotonic() - at)
            finish(writer, trial.number, rng)
            time.sleep(float(rng.uniform(0.2, 0.8)))
        browser.close()
    return delays


def start_dashboard(
    stack: contextlib.ExitStack, url: str, prefix: str
) -> tuple[str, float]:
    """Serve the storage from a subprocess; its address and seconds to its first answer.

    The seconds run from the launch to the end of the server's start-up
    read: Python's start, the imports, and the read of every study (the
    server answers ``warmed_up`` in /api/studies once it is done).
    """
    code = (
        "import sys; from scout_sklearn.dashboard import serve; "
        "from scout_sklearn.storage import SQLStorage; "
        f"serve(SQLStorage({url!r}, table_prefix={prefix!r}, read_only=True), port=0)"
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, text=True
    )
    stack.callback(process.wait, 30)
    stack.callback(process.terminate)
    assert process.stderr is not None
    line = process.stderr.readline()
    if " at http://" not in line:
        raise RuntimeError(f"the dashboard did not start: {line}{process.stderr.read()}")
    base = line.split(" at ")[1].split()[0].rstrip("/")
    threading.Thread(target=process.stderr.read, daemon=True).start()  # never fills
    while not json.loads(fetch(base, "/api/studies")[3])["warmed_up"]:
        time.sleep(0.05)  # the start-up read of every study, on the server's thread
    return base, time.perf_counter() - started


# -- optuna-dashboard -------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def optuna_database(backend: str) -> Iterator[str]:
    """An empty database for Optuna's tables: a SQLite file, or a PostgreSQL database."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/optuna.db"
        return
    import sqlalchemy as sa

    url = sa.make_url(os.environ["SCOUT_TEST_POSTGRES_URL"])
    name = f"scout_bench_optuna_{os.getpid()}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def their_side(study: Any, backend: str, n_refresh: int) -> dict[str, Any]:
    import optuna
    from report import optuna_study

    with optuna_database(backend) as url:
        started = time.perf_counter()
        peer = optuna.create_study(storage=url, study_name=study.name, direction="maximize")
        peer.add_trials(optuna_study(study).trials)
        copied = time.perf_counter() - started
        port = free_port()
        command = [
            sys.executable,
            "-c",
            "import sys; from optuna_dashboard._cli import main; sys.argv[1:] = "
            f"[{url!r}, '--port', '{port}', '--host', '127.0.0.1', '--server', 'wsgiref', "
            "'--quiet']; main()",
        ]
        server = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    fetch(base, "/api/meta")
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("optuna-dashboard did not start") from None
                    time.sleep(0.1)
            time.sleep(11)  # its trial cache (10 s for large studies) starts empty
            wall = 0.0
            size = 0
            for path in (
                "/dashboard",
                "/static/bundle.js",
                "/api/meta",
                "/api/studies",
                f"/api/studies/{peer._study_id}?after=0",
            ):
                w, _, n, _ = fetch(base, path)
                wall += w
                size += n
            refresh = []
            n_trials = len(peer.trials)
            for _ in range(n_refresh):
                time.sleep(10.5)  # its cache runs out: the next poll re-reads the study
                peer.add_trial(
                    optuna.trial.create_trial(
                        params=peer.trials[0].params,
                        distributions=peer.trials[0].distributions,
                        value=0.9,
                    )
                )
                w, _, n, _ = fetch(base, f"/api/studies/{peer._study_id}?after={n_trials}")
                n_trials += 1
                refresh.append((w, n))
            w, _, _, _ = fetch(base, f"/api/studies/{peer._study_id}/param_importances")
        finally:
            server.terminate()
            server.wait(30)
    return {
        "copied": copied,
        "wall": wall,
        "bytes": size,
        "refresh": refresh,
        "importances": w,
    }


# -- the run ----------------------------------------------------------------------------
def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95)) if values else float("nan")


def run_backend(backend: str, args: argparse.Namespace) -> bool:
    import report

    from scout_sklearn.storage import SQLStorage

    with contextlib.ExitStack() as stack:
        if backend == "sqlite":
            directory = stack.enter_context(tempfile.TemporaryDirectory())
            url, prefix = f"sqlite:///{directory}/scout.db", "scout_"
        else:
            url = os.environ["SCOUT_TEST_POSTGRES_URL"]
            prefix = f"bench{os.getpid()}_"
            stack.callback(drop_tables, url, prefix)
        started = time.perf_counter()
        name = args.study
        study = report.build(
            args.trials,
            pruned=name == "pruned",
            storage=SQLStorage(url, table_prefix=prefix),
            fingerprint=fingerprint_of(name),
        )
        built = time.perf_counter() - started
        print(
            f"\n== {backend}: {args.trials} trials ({name}) stored in {built:.0f} s "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        # The dashboard runs in a process of its own, as `scout-sklearn
        # dashboard` does (in this one, the writer below would hold the GIL).
        base, warm = start_dashboard(stack, url, prefix)
        first = our_first_load(base, name)
        updates = our_updates(
            base,
            SQLStorage(url, table_prefix=prefix),
            name,
            args.updates,
            np.random.default_rng(0),
        )
        screen = (
            on_screen(base, SQLStorage(url, table_prefix=prefix), name, args.updates)
            if args.browser
            else None
        )
        peer = their_side(study, backend, args.refresh) if args.peers != "none" else None

    ok = True
    print(f"start-up, launch to the end of its read of every study: {warm:.2f} s")
    print(f"{'':<34}{'scout-sklearn':>15}{'optuna-dashboard':>19}")
    theirs = f"{peer['wall']:19.2f}" if peer else ""
    print(f"{'first load, server s':<34}{first['server']:15.3f}")
    print(f"{'first load, wall s':<34}{first['wall']:15.3f}{theirs}")
    theirs = f"{peer['bytes'] / 1e6:19.2f}" if peer else ""
    print(f"{'first load, MB on the wire':<34}{first['bytes'] / 1e6:15.2f}{theirs}")
    refresh_ours = (
        float(np.median(updates["server_ms"])) / 1000
        if updates["server_ms"]
        else float("nan")
    )
    theirs = f"{np.median([w for w, _ in peer['refresh']]):19.3f}" if peer else ""
    print(f"{'refresh (one new trial), s':<34}{refresh_ours:15.4f}{theirs}")
    theirs = f"{np.median([n for _, n in peer['refresh']]) / 1e3:19.1f}" if peer else ""
    print(f"{'refresh, kB':<34}{np.median(updates['bytes']) / 1e3:15.1f}{theirs}")
    theirs = f"{peer['importances']:19.2f}" if peer else ""
    print(f"{'importances, s':<34}{first['importances']:15.2f}{theirs}")
    fits = first["server"] <= FIRST_LOAD_SECONDS and first["bytes"] <= FIRST_LOAD_BYTES
    print(
        f"first load within {FIRST_LOAD_SECONDS:g} s of server time and "
        f"{FIRST_LOAD_BYTES / 1e6:g} MB: {verdict(fits)}"
    )
    ok &= fits
    worst_ms = max(updates["server_ms"], default=float("nan"))
    worst_bytes = max(updates["bytes"], default=0)
    fits = worst_ms <= UPDATE_MS and worst_bytes <= UPDATE_BYTES and not updates["missed"]
    print(
        f"live updates ({len(updates['server_ms'])} pushed for {args.updates} trials, "
        f"{updates['missed']} missed): server ms median "
        f"{np.median(updates['server_ms']):.1f}, "
        f"max {worst_ms:.1f}; bytes max {worst_bytes}; "
        f"commit to event p95 {p95(updates['delays']):.2f} s: within {UPDATE_MS:g} ms and "
        f"{UPDATE_BYTES / 1e3:g} kB: {verdict(fits)}"
    )
    ok &= fits
    if screen is not None:
        fits = p95(screen) <= ON_SCREEN_P95
        print(
            f"new trial on screen (Chromium): median {np.median(screen):.2f} s, "
            f"p95 {p95(screen):.2f} s, max {max(screen):.2f} s, within {ON_SCREEN_P95:g} s "
            f"at p95: {verdict(fits)}"
        )
        ok &= fits
    else:
        print("new trial on screen: not measured (no Playwright/Chromium, or --no-browser)")
    if peer:
        load_ratio = peer["wall"] / first["wall"]
        refresh_ratio = float(np.median([w for w, _ in peer["refresh"]])) / max(
            refresh_ours, 1e-9
        )
        fits = load_ratio >= PEER_RATIO and refresh_ratio >= PEER_RATIO
        print(
            f"against optuna-dashboard (trials copied in {peer['copied']:.0f} s): "
            f"first load {load_ratio:.1f}x, refresh {refresh_ratio:.0f}x faster; "
            f"at least {PEER_RATIO:g}x on both: {verdict(fits)}"
        )
        ok &= fits
    return ok


def drop_tables(url: str, prefix: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table in ("folds", "trials", "studies", "version"):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {prefix}{table}"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--peers", choices=["optuna-dashboard", "none"], default="optuna-dashboard"
    )
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument(
        "--study",
        choices=["pruned", "complete"],
        default="pruned",
        help="report.build's study: pruned (SHA, about 90%% PRUNED; the default) or "
        "complete (every trial COMPLETE: every view draws 10,000 points)",
    )
    parser.add_argument("--refresh", type=int, default=3)
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    args = parser.parse_args()
    require_modules("dashboard.py", {"starlette": "scout-sklearn[dashboard]"})
    if args.peers != "none":
        require_modules(
            "dashboard.py", {"optuna_dashboard": "optuna-dashboard", "optuna": "optuna"}
        )
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if "postgresql" in backends and not os.environ.get("SCOUT_TEST_POSTGRES_URL"):
        print("postgresql skipped: set SCOUT_TEST_POSTGRES_URL")
        backends.remove("postgresql")
    ok = all([run_backend(backend, args) for backend in backends])
    print(f"\nOverall: {verdict(ok)}")


if __name__ == "__main__":
    main()
