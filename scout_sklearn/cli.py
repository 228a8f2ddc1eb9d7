"""The ``scout-sklearn`` command: look into the studies a search kept in a database.

``scout-sklearn studies URL`` lists the studies, ``trials`` shows a study's
trials as a table, ``best`` its best trial, ``export`` writes every trial
as CSV or JSON and ``report`` writes an HTML report. ``python -m
scout_sklearn`` runs the same command.

Errors are reported as one line on stderr starting with
``scout-sklearn: error:`` and exit code 1 (2 for a wrong command line).
Nothing here writes to a database that does not exist.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from scout_sklearn._front import fingerprint_splits, stored_objectives, trial_front
from scout_sklearn._pareto import Objectives
from scout_sklearn._secrets import hide_password, mask_unparsed_url, mask_url
from scout_sklearn._stored_study import StoredStudy, list_studies, load_study
from scout_sklearn._table import (
    TIME_COLUMNS,
    describe_metric,
    metric_name,
    resource_parameter,
    table_columns,
    trial_rows,
    utc_datetime,
    value_metric,
)
from scout_sklearn._trial import Trial, TrialState
from scout_sklearn.storage import Storage

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["main"]

PROG = "scout-sklearn"

_BACKENDS = ("sqlite", "postgresql", "mysql", "mariadb")
_URL_HELP = (
    "database URL of the storage the search used, e.g. sqlite:///scout.db (a file, "
    "relative to the current directory; sqlite:////abs/path.db for an absolute "
    "path) or postgresql+psycopg://user:password@host/db"
)
_STATES = tuple(state.name for state in TrialState)
_CELL_WIDTH = 32


class CommandError(Exception):
    """A problem to report to the user as one line, without a traceback."""


def main(argv: list[str] | None = None) -> int:
    """Run the ``scout-sklearn`` command.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    status : int
        0 on success, 1 on an error (reported on stderr), 130 when
        interrupted. A wrong command line exits with status 2 (through
        ``SystemExit``, as argparse does).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    url: str | None = getattr(args, "url", None)
    try:
        run: Callable[[argparse.Namespace], None] = args.run
        run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): nothing to say
        # Point stdout at the null device, so that the flush at exit fails no more.
        with contextlib.suppress(Exception):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except CommandError as err:
        _error(str(err), url)
        return 1
    except Exception as err:  # noqa: BLE001 - the command never shows a traceback
        _error(_describe(err), url)
        return 1
    return 0


# -- the command line ----------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Look into the studies that ScoutSearchCV(storage=URL) kept in a database: "
            "list them, show their trials and best trial, export the trials as CSV "
            "or JSON, write an HTML report. Nothing is written to the database."
        ),
        epilog=f"Run '{PROG} COMMAND --help' for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    studies = commands.add_parser(
        "studies",
        help="list the studies in a database",
        description=(
            "One line per study in the database: its name, number of trials, best "
            "score (the highest value of a COMPLETE trial), the metric that value is "
            "the mean test score of, and number of trials in each state."
        ),
    )
    studies.add_argument("url", metavar="URL", help=_URL_HELP)
    studies.set_defaults(run=_run_studies)

    trials = commands.add_parser(
        "trials",
        help="show the trials of a study as a table",
        description=(
            "A fixed-width table of a study's trials: number, state, value, params, "
            "mean and standard deviation of each test score across folds, number of "
            "folds, rung and resource (for a pruned search) and duration (the seconds "
            "the trial's folds spent fitting and scoring, summed). "
            "'-' marks a missing number, an empty cell a param the trial does not "
            f"have. Long cells are cut to {_CELL_WIDTH} characters; use 'export' "
            "for everything."
        ),
    )
    trials.add_argument("url", metavar="URL", help=_URL_HELP)
    trials.add_argument("study", metavar="STUDY", help="name of the study")
    trials.add_argument(
        "--sort",
        choices=("number", "value"),
        default="number",
        help="order of the rows: trial number (default) or value, best first",
    )
    trials.add_argument(
        "--state",
        choices=_STATES,
        action="append",
        help="show only trials in this state (repeat for several states)",
    )
    trials.set_defaults(run=_run_trials)

    best = commands.add_parser(
        "best",
        help="show the best trial of a study",
        description=(
            "The COMPLETE trial with the highest value (the lowest number on ties): "
            "its number and value, the metric the value is the mean test score of "
            "(negated error metrics say so), its params (one per line, as Python "
            "literals; the resource parameter of a search pruned over one at its "
            "last rung's value, as best_params_ has it) and the mean and standard "
            "deviation of each score across folds. For a study of several "
            "objectives, its Pareto front instead: one row per trial no other "
            "beats on every objective (and within the constraints, if any), with "
            "its number, each objective's mean over the folds and its params, "
            "ordered by the first objective."
        ),
    )
    best.add_argument("url", metavar="URL", help=_URL_HELP)
    best.add_argument("study", metavar="STUDY", help="name of the study")
    best.set_defaults(run=_run_best)

    export = commands.add_parser(
        "export",
        help="write every trial of a study as CSV or JSON",
        description=(
            "One record per trial with every column of the trials table: number, "
            "state, value, params_<name>, mean_test_<metric>, std_test_<metric> "
            "(and the train scores when recorded), mean_fit_time, mean_score_time, "
            "n_folds, rung, resource, started_at, finished_at (ISO 8601 in UTC, the "
            "instants of ScoutSearchCV.trials_dataframe()) and duration (the seconds "
            "the trial's folds spent fitting and scoring, summed). JSON is a list of "
            "objects with null for "
            "missing and non-finite numbers; in CSV an empty cell is a missing value."
        ),
    )
    export.add_argument("url", metavar="URL", help=_URL_HELP)
    export.add_argument("study", metavar="STUDY", help="name of the study")
    export.add_argument(
        "--format",
        choices=("csv", "json"),
        default="csv",
        help="output format (default: csv)",
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (replaced if it exists) instead of stdout",
    )
    export.set_defaults(run=_run_export)

    report = commands.add_parser(
        "report",
        help="write an HTML report of a study",
        description=(
            "Write one self-contained HTML file describing the study: a summary, "
            "the plots and the table of every trial. The plots need matplotlib "
            '(pip install "scout-sklearn[plot]"); without it the report has the '
            "summary and the table, and says so."
        ),
    )
    report.add_argument("url", metavar="URL", help=_URL_HELP)
    report.add_argument("study", metavar="STUDY", help="name of the study")
    report.add_argument(
        "-o", "--output", metavar="FILE", required=True, help="the HTML file to write"
    )
    report.add_argument("--title", help="title of the report (default: the study name)")
    report.add_argument(
        "--interactive",
        action="store_true",
        help="the live dashboard's interactive views instead of images (needs plotly: "
        'pip install "scout-sklearn[dashboard]"; the file runs scripts, about 5 MB more)',
    )
    report.set_defaults(run=_run_report)

    dashboard = commands.add_parser(
        "dashboard",
        help="serve a live dashboard of every study in a database",
        description=(
            "Serve every study of the database to a browser, live: pages update "
            "within a second or two of each trial or fold being stored. It only "
            "reads. Needs the dashboard extra (pip install "
            '"scout-sklearn[dashboard]"). Listens on 127.0.0.1 unless --host says '
            "otherwise; beyond this machine, set --token."
        ),
    )
    dashboard.add_argument("url", metavar="URL", help=_URL_HELP)
    dashboard.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    dashboard.add_argument(
        "--port", type=int, default=8080, help="port to listen on (default: 8080; 0: any)"
    )
    dashboard.add_argument(
        "--token",
        default=os.environ.get("SCOUT_DASHBOARD_TOKEN"),
        help="require this access token (default: $SCOUT_DASHBOARD_TOKEN, else none)",
    )
    dashboard.set_defaults(run=_run_dashboard)
    return parser


def _version() -> str:
    try:
        return metadata.version("scout-sklearn")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "(version unknown)"


# -- the commands -------------------------------------------------------------------
def _run_studies(args: argparse.Namespace) -> None:
    storage = _open(args.url)
    names = list_studies(storage)
    if not names:
        print(f"{PROG}: {_masked(args.url)} holds no studies.", file=sys.stderr)
        return
    header = ["study", "trials", "best", "metric", *_STATES]
    rows: list[list[object]] = []
    for name in names:
        study = load_study(storage, name)
        counts = Counter(t.state.name for t in study.trials)
        has_best = any(t.has_value for t in study.trials)
        rows.append(
            [
                name,
                len(study.trials),
                _best_value(study),
                _metric(study, study.best_trial) if has_best else None,
                *(counts.get(state, 0) for state in _STATES),
            ]
        )
    _write_table(sys.stdout, header, rows)


def _run_trials(args: argparse.Namespace) -> None:
    study = _load(args.url, args.study)
    ladder, resource = _pruning(study)
    rows = trial_rows(study.trials, ladder=ladder, resource=resource)
    by_number = {t.number: t for t in study.trials}
    if args.state:
        rows = [row for row in rows if row["state"] in args.state]
    if args.sort == "value":
        # Best first; trials without a value last, in number order.
        rows.sort(key=_value_order)
    if not rows:
        print(f"{PROG}: study {study.name!r} has no trials to show.", file=sys.stderr)
        return
    names = table_columns(rows)
    params = [c for c in names if c.startswith("params_")]
    columns = ["number", "state", "value", *params]
    columns += [c for c in names if c.startswith(("mean_test_", "std_test_"))]
    columns.append("n_folds")
    if ladder is not None:
        columns += ["rung", "resource"]
    columns.append("duration")
    cells: list[list[object]] = []
    for row in rows:
        number = row["number"]
        assert isinstance(number, int)
        has = by_number[number].params
        cells.append(
            [
                _ABSENT if c in params and c[len("params_") :] not in has else row[c]
                for c in columns
            ]
        )
    _write_table(sys.stdout, columns, cells)


def _run_best(args: argparse.Namespace) -> None:
    study = _load(args.url, args.study)
    objectives = stored_objectives(study.fingerprint, study.trials)
    if objectives is not None:
        _print_front(study, objectives)
        return
    if not any(t.has_value for t in study.trials):
        counts = _state_counts(study)
        raise CommandError(
            f"study {study.name!r} has no COMPLETE trial with a value yet ({counts})."
        )
    best = study.best_trial
    ladder, resource = _pruning(study)
    (row,) = [
        r
        for r in trial_rows(study.trials, ladder=ladder, resource=resource)
        if r["number"] == best.number
    ]
    out = sys.stdout
    print(f"study:  {_printable(study.name)}", file=out)
    print(f"trial:  {best.number}", file=out)
    print(f"value:  {_cell(best.value)}", file=out)
    print(f"metric: {describe_metric(_metric(study, best))}", file=out)
    print("params:", file=out)
    params = dict(best.params)
    grown = resource_parameter(resource, ladder)
    if grown is not None:
        params.setdefault(*grown)
    for name in sorted(params):
        print(f"  {_printable(name)}: {_printable(repr(params[name]))}", file=out)
    print("scores:", file=out)
    for key in row:
        for part in ("test", "train"):
            prefix = f"mean_{part}_"
            if key.startswith(prefix):
                metric = key[len(prefix) :]
                std = row[f"std_{part}_{metric}"]
                print(
                    f"  {part}_{metric}: mean {_cell(row[key])}, std {_cell(std)}",
                    file=out,
                )
    print(f"folds:  {row['n_folds']}", file=out)
    if ladder is not None:
        print(f"rung:   {row['rung']} (resource {_cell(row['resource'])})", file=out)


def _print_front(study: StoredStudy, objectives: Objectives) -> None:
    """The best trials of a multi-objective study: its Pareto front, one row each.

    Ordered as ``pareto_front_`` (by the first objective's mean, ascending).
    Which trial ``refit`` chose is not stored, so no row is marked.
    """
    front = trial_front(
        study.trials, objectives, n_splits=fingerprint_splits(study.fingerprint)
    )
    bounds = study.fingerprint.get("constraints")
    within = " within the constraints" if objectives.thresholds else ""
    if not front.front:
        raise CommandError(
            f"study {study.name!r} has no Pareto front yet: no trial is COMPLETE with "
            f"a finite value of every objective{within} ({_state_counts(study)})."
        )
    out = sys.stdout
    named = zip(objectives.names, objectives.directions)
    print(f"study:  {_printable(study.name)}", file=out)
    print("objectives: " + ", ".join(f"{_printable(n)} ({d})" for n, d in named), file=out)
    if isinstance(bounds, Mapping) and objectives.thresholds:
        shown = [
            f"{name} {_cell(bound[0])} {_cell(bound[1])}" for name, bound in bounds.items()
        ]
        print(f"constraints: {_printable(', '.join(shown))}", file=out)
    feasible = f" ({front.n_feasible} within the constraints)" if within else ""
    print(
        f"front:  {len(front.front)} of {front.n_complete} COMPLETE trials{feasible}, "
        f"ordered by {_printable(objectives.names[0])} (ascending); each objective "
        "is its mean over the folds",
        file=out,
    )
    params = sorted({name for trial in front.front for name in trial.params})
    header = ["trial", *objectives.names, *(f"params_{name}" for name in params)]
    rows: list[list[object]] = []
    for i, trial in zip(front.summary.front, front.front):
        values = [float(v) for v in front.summary.values[i]]
        cells = [trial.params.get(name, _ABSENT) for name in params]
        rows.append([trial.number, *values, *cells])
    _write_table(out, header, rows)


def _run_export(args: argparse.Namespace) -> None:
    study = _load(args.url, args.study)
    ladder, resource = _pruning(study)
    rows = [
        _with_iso_times(row)
        for row in trial_rows(study.trials, ladder=ladder, resource=resource)
    ]
    with _output(args.output) as out:
        if args.format == "csv":
            columns = table_columns(rows)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([_csv_cell(name) for name in columns])
            writer.writerows([_csv_cell(row.get(name)) for name in columns] for row in rows)
        else:
            json.dump([_strict_json(row) for row in rows], out, indent=2, allow_nan=False)
            out.write("\n")
    if args.output is not None:
        noun = "trial" if len(rows) == 1 else "trials"
        print(f"Wrote {len(rows)} {noun} to {args.output}", file=sys.stderr)


def _run_report(args: argparse.Namespace) -> None:
    study = _load(args.url, args.study)
    try:
        from scout_sklearn.report import write_report
    except ModuleNotFoundError as err:
        if err.name is not None and err.name.startswith("scout_sklearn"):
            raise CommandError(
                f"this scout-sklearn has no HTML report (the module {err.name} is missing)."
            ) from None
        raise CommandError(
            f"the HTML report needs the package {err.name}, which is not installed."
        ) from None
    try:
        path = write_report(
            study, Path(args.output), title=args.title, interactive=args.interactive
        )
    except ImportError as err:
        raise CommandError(str(err)) from None
    print(f"Wrote {path}")
    try:
        import matplotlib  # noqa: F401 - only whether it is there
    except ImportError:
        from scout_sklearn.plotting._mpl import INSTALL_HINT

        print(
            f"{PROG}: the report has no plots: matplotlib is not installed "
            f"({INSTALL_HINT} adds them).",
            file=sys.stderr,
        )


def _run_dashboard(args: argparse.Namespace) -> None:
    storage = _open(args.url)
    try:
        from scout_sklearn.dashboard import serve
    except ImportError as err:  # pragma: no cover - the package ships it
        raise CommandError(f"this scout-sklearn has no dashboard ({err}).") from None
    try:
        serve(storage, host=args.host, port=args.port, token=args.token)
    except ImportError as err:
        raise CommandError(str(err)) from None
    except ValueError as err:
        raise CommandError(str(err)) from None


# -- reading the database -------------------------------------------------------------
def _open(url: str) -> Storage:
    """The storage at ``url``, refusing to create a SQLite file that is not there."""
    if "://" not in url:
        shown = mask_unparsed_url(url)
        raise CommandError(
            f"{shown!r} is not a database URL: write sqlite:///{shown} for a "
            "SQLite file, or a URL such as postgresql+psycopg://user@host/db."
        )
    # SQLAlchemy is imported here, inside main's handling of Ctrl-C, rather
    # than with the module: its import is most of the command's start-up.
    import sqlalchemy as sa
    from sqlalchemy.exc import ArgumentError

    from scout_sklearn.storage._sql import SQLStorage

    try:
        parsed = sa.make_url(url)
    except (ArgumentError, ValueError):
        raise CommandError(
            f"could not read the database URL {mask_unparsed_url(url)!r}; expected a URL "
            "such as "
            "sqlite:///scout.db or postgresql+psycopg://user@host/db."
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _BACKENDS:
        raise CommandError(
            f"unknown database {backend!r} in the URL {_masked(url)!r}; use sqlite:///"
            "PATH, postgresql+psycopg://... or mysql+pymysql://..."
        )
    if backend == "sqlite":
        _check_sqlite_file(parsed, _masked(url))
    return SQLStorage(url, read_only=True)


def _check_sqlite_file(url: sa.URL, masked: str) -> None:
    """Fail unless ``url`` names an existing SQLite file with scout-sklearn tables."""
    from scout_sklearn.storage._sql_values import _sqlite_file_path

    database = _sqlite_file_path(url)
    if database is None:
        raise CommandError(
            f"{masked!r} is an in-memory SQLite database, empty each time it is "
            "opened; give the path of a database file, as in sqlite:///scout.db."
        )
    path = Path(database)
    if not path.exists():
        raise CommandError(
            f"the SQLite database file {str(path.absolute())!r} does not exist (URL "
            f"{masked!r}); check the path (sqlite:///relative/path.db, "
            "sqlite:////absolute/path.db)."
        )
    if not path.is_file():
        raise CommandError(f"{str(path.absolute())!r} is not a file (URL {masked!r}).")
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as connection:
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
    except sqlite3.DatabaseError as err:
        if "not a database" in str(err):
            raise CommandError(
                f"{str(path)!r} is not a SQLite database ({err}; URL {masked!r})."
            ) from None
        return  # could not look (locked, ...): opening the storage tells more
    if "scout_version" not in tables:
        raise CommandError(
            f"the SQLite database {str(path)!r} holds no scout-sklearn studies (it "
            "has no scout_* tables)."
        )


def _load(url: str, name: str) -> StoredStudy:
    storage = _open(url)
    names = list_studies(storage)
    if name not in names:
        there = (
            f"the studies there are: {', '.join(repr(n) for n in names)}"
            if names
            else "it holds no studies"
        )
        raise CommandError(f"no study named {name!r} in {_masked(url)}; {there}.")
    return load_study(storage, name)


def _pruning(study: StoredStudy) -> tuple[list[float] | None, str | None]:
    """The ladder and resource of a pruned study, or (None, None)."""
    pruning = study.fingerprint.get("pruning")
    if not isinstance(pruning, Mapping):
        return None, None
    ladder = pruning.get("ladder")
    resource = pruning.get("resource")
    return (
        list(ladder) if isinstance(ladder, list) else None,
        resource if isinstance(resource, str) else None,
    )


def _metric(study: StoredStudy, trial: Trial) -> str:
    """The name of the metric whose mean test score is the values of ``study``."""
    objective = study.fingerprint.get("objective")  # ScoutSearchCV(objectives=...)
    if isinstance(objective, str):
        return objective
    _, resource = _pruning(study)
    return metric_name(
        value_metric(trial, resource=resource), study.fingerprint.get("scoring")
    )


def _best_value(study: StoredStudy) -> float | None:
    return study.best_value if any(t.has_value for t in study.trials) else None


def _state_counts(study: StoredStudy) -> str:
    counts = Counter(t.state.name for t in study.trials)
    if not counts:
        return "it has no trials"
    return ", ".join(f"{counts[s]} {s}" for s in _STATES if counts[s])


def _value_order(row: Mapping[str, object]) -> tuple[int, float, int]:
    value = row["value"]
    number = row["number"]
    assert isinstance(number, int)
    if isinstance(value, float) and math.isfinite(value):
        return 0, -value, number
    return 1, 0.0, number


# -- writing ----------------------------------------------------------------------------
class _Absent:
    """A param a trial does not have (shown as an empty cell)."""


_ABSENT = _Absent()


def _cell(value: object) -> str:
    """``value`` as a table cell."""
    if isinstance(value, _Absent):
        return ""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    text = value if isinstance(value, str) else repr(value)
    text = _printable(" ".join(text.split()))
    if len(text) > _CELL_WIDTH:
        text = text[: _CELL_WIDTH - 3] + "..."
    return text


def _write_table(
    out: TextIO, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """A fixed-width table: numbers right-aligned, everything else left-aligned."""
    texts = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(
            isinstance(row[i], (int, float, type(None), _Absent))
            and not isinstance(row[i], bool)
            for row in rows
        )
        for i in range(len(header))
    ]
    widths = [
        max([len(_printable(name)), *(len(text[i]) for text in texts)])
        for i, name in enumerate(header)
    ]

    def line(cells: Sequence[str]) -> str:
        padded = (
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(cells, widths, numeric)
        )
        return "  ".join(padded).rstrip()

    print(line([_printable(name) for name in header]), file=out)
    for text in texts:
        print(line(text), file=out)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as file:
        yield file


def _with_iso_times(row: dict[str, object]) -> dict[str, object]:
    """``row`` with its instants in ISO 8601 (UTC), as trials_dataframe() has them."""
    timed = dict(row)
    for column in TIME_COLUMNS:
        seconds = row[column]
        moment = utc_datetime(seconds if isinstance(seconds, float) else None)
        timed[column] = None if moment is None else moment.isoformat()
    return timed


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return _inert(value)
    if isinstance(value, (int, float)):
        return value
    return _inert(json.dumps(_strict_json(value)))


# A spreadsheet reads a cell starting with one of these as a formula (OWASP's
# "CSV injection"): such a text cell gets a leading single quote, which the
# spreadsheet shows as text and does not evaluate.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _printable(text: str) -> str:
    """``text`` with terminal control characters written as escapes (``\\x1b``).

    Study names and params come from the database: an escape sequence in
    one must not move the cursor, retitle the window or hide other output.
    Unicode format characters (a right-to-left override) are escaped too.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


def _strict_json(value: Any) -> Any:
    """``value`` as strict JSON data: non-finite floats become None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, Mapping):
        return {str(key): _strict_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict_json(item) for item in value]
    return repr(value)


# -- errors -----------------------------------------------------------------------------
def _error(message: str, url: str | None) -> None:
    text = _printable(" ".join(message.split()))
    if url is not None:
        text = hide_password(text, url)
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _describe(err: BaseException) -> str:
    """The message of an unexpected exception, on one line."""
    if isinstance(err, KeyError) and len(err.args) == 1 and isinstance(err.args[0], str):
        message = err.args[0]
    else:
        message = str(err)
    if isinstance(err, OSError) and err.filename is not None and err.strerror:
        message = f"{err.strerror}: {err.filename!r}"
    return message or type(err).__name__


def _masked(url: str) -> str:
    """``url`` with its password replaced by ``***``."""
    return mask_url(url)
