"""What SQLStorage checks in its arguments, and how records become column values.

Strict JSON with non-finite floats tagged (nothing is ever unpickled), times
and values split for the databases that store no NaN, and the checks of the
constructor's arguments.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy import exc
from sqlalchemy.engine import URL

from scout_sklearn._secrets import mask_unparsed_url, mask_url
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.exceptions import (
    InvalidParameterError,
)
from scout_sklearn.storage._base import StudyRecord

_T = TypeVar("_T")
#: A result row, read by position.
_Row = Sequence[Any]
_SUPPORTED = "SQLite, PostgreSQL (psycopg 3) or MySQL/MariaDB (PyMySQL)"
_URL_EXAMPLES = (
    "'sqlite:///scout.db', 'postgresql+psycopg://user:password@host/db' or "
    "'mysql+pymysql://user:password@host/db'"
)


@dataclass(frozen=True)
class _Result:
    """What a step returned: the rows of its last statement, the rowcount of its first."""

    rows: list[_Row] | None
    rowcount: int


_NAME_LENGTH = 255
#: The one driver SQLStorage uses for each database.
_DRIVERS = {
    "sqlite": "pysqlite",
    "postgresql": "psycopg",
    "mysql": "pymysql",
    "mariadb": "pymysql",
}
_RUNNING = TrialState.RUNNING.value
_PREFIX_PATTERN = re.compile(r"[a-z_][a-z0-9_]{0,31}")


# -- checks of the constructor's arguments -----------------------------------------
def _check_url(url: object) -> URL:
    if isinstance(url, URL):
        parsed = url
    elif isinstance(url, str):
        try:
            parsed = sa.make_url(url)
        except (exc.ArgumentError, ValueError):
            raise InvalidParameterError(
                f"The 'storage' parameter must be a database URL for {_SUPPORTED}, "
                f"such as {_URL_EXAMPLES}. Got {mask_unparsed_url(url)!r} instead"
                f"{_path_hint(url)}."
            ) from None
    else:
        raise InvalidParameterError(
            f"The 'storage' parameter must be a database URL (a str or a "
            f"sqlalchemy URL). Got an object of type {type(url).__name__} instead."
        )
    shown = mask_url(parsed.render_as_string(hide_password=True))
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise InvalidParameterError(
            f"The 'storage' parameter must be a database URL for {_SUPPORTED}, such "
            f"as {_URL_EXAMPLES}. Got {shown!r} instead."
        )
    driver = _DRIVERS[backend]
    if parsed.get_driver_name() != driver:
        # Another driver (psycopg2, asyncpg, mysqlclient: SQLAlchemy's default
        # for a URL that names none may be one) fails later, in the middle of
        # the storage's own calls, if it is installed at all.
        usage = "sqlite:///path.db" if backend == "sqlite" else f"{backend}+{driver}://"
        raise InvalidParameterError(
            f"The 'storage' parameter {shown!r} uses the {backend} driver "
            f"{parsed.get_driver_name()!r}, which SQLStorage does not support: "
            f"write {usage} ({_SUPPORTED})."
        )
    if backend in ("mysql", "mariadb") and not parsed.database:
        # MySQL has no default database: every query on the tables would fail
        # (SQLAlchemy's reflection asserts one).
        raise InvalidParameterError(
            f"The 'storage' parameter {shown!r} names no database: MySQL and MariaDB "
            f"need one, as in '{backend}+pymysql://user:password@host:3306/db'."
        )
    _check_sqlite_path(parsed)
    return parsed


def _path_hint(text: str) -> str:
    """For a file path given where a URL is expected, the URL to write."""
    looks_like_a_path = "/" in text or os.sep in text or os.path.splitext(text)[1]
    if not looks_like_a_path or ":" in text or "@" in text or text != text.strip():
        return ""
    return f": for a SQLite file, write 'sqlite:///{text}'"


def _check_sqlite_path(url: URL) -> None:
    """A SQLite file URL names a file in a directory that exists.

    SQLite creates the file, not its directory; without this the first
    connection fails with "unable to open database file", naming neither.
    """
    path = _sqlite_file_path(url)
    if path is None:
        return
    database = url.database or ""
    if os.path.isdir(path):
        example = (
            ""
            if _is_sqlite_uri(url)
            else f", e.g. {'sqlite:///' + os.path.join(database, 'scout.db')!r}"
        )
        raise InvalidParameterError(
            f"The 'storage' parameter names the SQLite file {database!r}, which is a "
            f"directory. Name a file in it{example}."
        )
    parent = os.path.dirname(path)
    if not os.path.isdir(parent):
        tilde = (
            " (a '~' in a URL is not your home directory: write the absolute path, "
            "as in 'sqlite:////home/me/scout.db')"
            if database.startswith("~")
            else ""
        )
        raise InvalidParameterError(
            f"The 'storage' parameter names the SQLite file {database!r}, in the "
            f"directory {parent!r}, which does not exist{tilde}. SQLite creates the "
            "file, not its directory: create the directory first, or name a file in "
            "another one."
        )


def _check_engine_kwargs(engine_kwargs: object) -> dict[str, Any]:
    if engine_kwargs is None:
        return {}
    if not isinstance(engine_kwargs, Mapping) or not all(
        isinstance(key, str) for key in engine_kwargs
    ):
        raise InvalidParameterError(
            "The 'engine_kwargs' parameter of SQLStorage must be a dict of keyword "
            f"arguments for sqlalchemy.create_engine or None. Got {engine_kwargs!r} "
            "instead."
        )
    return dict(engine_kwargs)


def _check_readable_sqlite_file(url: URL) -> None:
    """A read-only SQLite file URL names a file that exists.

    A read-only storage never creates one: without this check, the first
    connection fails with "unable to open database file", which does not
    say that the path (often a typo) names nothing.
    """
    path = _sqlite_file_path(url)
    if path is not None and not os.path.exists(path):
        raise FileNotFoundError(
            f"The SQLite database file {path!r} does not exist, "
            "and a read-only storage creates nothing: check the path "
            "(sqlite:///relative/path.db, sqlite:////absolute/path.db)."
        )


def _check_read_only(read_only: object, url: URL) -> bool:
    if not isinstance(read_only, bool):
        raise InvalidParameterError(
            f"The 'read_only' parameter of SQLStorage must be True or False. Got "
            f"{read_only!r} instead."
        )
    if read_only and _is_sqlite_memory(url):
        raise InvalidParameterError(
            "The 'read_only' parameter of SQLStorage cannot be True for an in-memory "
            "SQLite database (sqlite://), which starts empty: give the URL of a "
            "database file, as in 'sqlite:///scout.db'."
        )
    return read_only


def _check_seconds(name: str, seconds: object) -> float:
    if (
        isinstance(seconds, (int, float))
        and not isinstance(seconds, bool)
        and math.isfinite(seconds)
        and seconds > 0
    ):
        return float(seconds)
    raise InvalidParameterError(
        f"The {name!r} parameter of SQLStorage must be a positive number of "
        f"seconds; got {seconds!r}."
    )


def _check_table_prefix(table_prefix: object) -> str:
    if not isinstance(table_prefix, str) or not (
        table_prefix == "" or _PREFIX_PATTERN.fullmatch(table_prefix)
    ):
        raise InvalidParameterError(
            "The 'table_prefix' parameter of SQLStorage must be a str of at most 32 "
            "lower-case letters, digits and underscores, not starting with a digit. "
            f"Got {table_prefix!r} instead."
        )
    return table_prefix


def _is_sqlite_memory(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def _is_sqlite_uri(url: URL) -> bool:
    """Whether SQLite reads the URL's database as a URI (``file:...`` and ``?uri=true``).

    Without ``uri=true`` the driver opens ``file:x.db`` as a file of that
    very name, as SQLAlchemy documents, and so must everything that looks
    for the file.
    """
    uri = str(url.query.get("uri", "")).strip().lower()
    return (
        url.get_backend_name() == "sqlite"
        and (url.database or "").startswith("file:")
        and uri in ("true", "1", "yes", "on", "y", "t")
    )


def _sqlite_file_path(url: URL) -> str | None:
    """The absolute path of the file a SQLite URL opens.

    None for other databases, an in-memory one, or a URI whose file cannot
    be told (``mode=memory``, a host other than localhost).
    """
    if url.get_backend_name() != "sqlite" or _is_sqlite_memory(url):
        return None
    database = url.database or ""
    if not _is_sqlite_uri(url):
        return os.path.abspath(database)
    rest = database[len("file:") :].partition("?")[0].partition("#")[0]
    if rest.startswith("//"):  # file://host/path: the host must be empty or localhost
        host, _, rest = rest[2:].partition("/")
        if host not in ("", "localhost"):
            return None
        rest = "/" + rest
    path = unquote(rest)
    if not path or path == ":memory:" or url.query.get("mode") == "memory":
        return None
    return os.path.abspath(path)


def _scrub(message: str, url: URL) -> str:
    """A driver's message with the URL's password hidden."""
    if url.password:
        message = message.replace(str(url.password), "***")
    return mask_url(message)


# -- encoding of records ---------------------------------------------------------------
def _study_values(record: StudyRecord) -> dict[str, Any]:
    name = record.name
    if not isinstance(name, str) or not 0 < len(name) <= _NAME_LENGTH or "\0" in name:
        raise ValueError(
            f"A study name must be a str of 1 to {_NAME_LENGTH} characters without "
            f"NUL characters. Got {name!r} instead."
        )
    if isinstance(record.seed, bool) or not isinstance(record.seed, int):
        raise TypeError(f"A study's seed must be an int. Got {record.seed!r} instead.")
    return {
        "v_name": name,
        "v_seed": str(int(record.seed)),
        "v_space": _dumps(record.space, "space"),
        "v_fingerprint": _dumps(record.fingerprint, "fingerprint"),
        "v_created_at": _time(record.created_at, "created_at"),
    }


def _fold_values(fold_result: FoldResult) -> dict[str, Any]:
    train_scores = fold_result.train_scores
    return {
        "v_fold": int(fold_result.fold),
        "v_rung": int(fold_result.rung),
        "v_test_scores": _dumps(dict(fold_result.test_scores), "test_scores"),
        "v_train_scores": None
        if train_scores is None
        else _dumps(dict(train_scores), "train_scores"),
        "v_fit_time": _time(fold_result.fit_time, "fit_time"),
        "v_score_time": _time(fold_result.score_time, "score_time"),
        "v_n_test_samples": int(fold_result.n_test_samples),
        # A JSON string: tracebacks may hold NUL characters, which PostgreSQL
        # text cannot.
        "v_error": None if fold_result.error is None else json.dumps(fold_result.error),
        "v_n_iterations": None
        if fold_result.n_iterations is None
        else int(fold_result.n_iterations),
    }


def _fold_from(row: _Row, start: int) -> FoldResult:
    train_scores = row[start + 4]
    error = row[start + 8]
    test = _loads(row[start + 3], "test_scores")
    train = None if train_scores is None else _loads(train_scores, "train_scores")
    if not isinstance(test, dict) or not (train is None or isinstance(train, dict)):
        raise _NotJSON("the scores are not JSON objects")
    if error is not None:
        error = _loads(error, "error")
        if not isinstance(error, str):
            raise _NotJSON("the error is not a JSON string")
    return FoldResult(
        fold=row[start + 1],
        test_scores=test,
        train_scores=train,
        fit_time=row[start + 5],
        score_time=row[start + 6],
        n_test_samples=row[start + 7],
        rung=row[start + 2],
        error=error,
        n_iterations=row[start + 9],
    )


def _group_by_trial(rows: Sequence[_Row], start: int) -> list[list[_Row]]:
    """Split rows ordered by trial into one list per trial (skipping trial-less rows)."""
    groups: list[list[_Row]] = []
    current = None
    for row in rows:
        trial_id = row[start]
        if trial_id is None:
            continue
        if trial_id != current:
            groups.append([])
            current = trial_id
        groups[-1].append(row)
    return groups


def _same_fold(stored: FoldResult, written: FoldResult) -> bool:
    """Whether ``stored`` is ``written`` read back (its times are measured: unique)."""
    return (
        stored.fold == written.fold
        and stored.rung == written.rung
        and stored.fit_time == written.fit_time
        and stored.score_time == written.score_time
        and stored.n_test_samples == written.n_test_samples
    )


def _check_written(result: _Result, trial: Trial, study: str) -> None:
    """The checked write of a trial that passed the same checks must have happened."""
    if result.rowcount != 1:  # pragma: no cover - a bug if reached
        raise RuntimeError(
            f"The write to trial {trial.number} of study {study!r} changed "
            f"{result.rowcount} rows instead of one."
        )


def _time(value: float | None, field: str) -> float | None:
    """A time or duration as a float; non-finite ones do not fit every database."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(
            f"The {field} of a storage record must be a finite number of seconds. "
            f"Got {value!r} instead."
        )
    return number


def _split_value(value: float | None) -> tuple[float | None, str | None]:
    """A trial's value as (double column, non-finite column)."""
    if value is None:
        return None, None
    number = float(value)
    if math.isfinite(number):
        return number, None
    return None, _nonfinite_name(number)


# -- JSON with non-finite floats, as strict JSON -----------------------------------------
_SPECIAL_KEYS = ("__float__", "__dict__")
_DECODER = json.JSONDecoder()
_NONFINITE_NAMES = {"nan": "nan", "inf": "inf", "-inf": "-inf"}


class _NotJSON(Exception):
    """A stored payload is not JSON this storage wrote."""


def _nonfinite_name(number: float) -> str:
    if math.isnan(number):
        return "nan"
    return "inf" if number > 0 else "-inf"


def _dumps(value: object, field: str) -> str:
    """Strict JSON text for ``value``, non-finite floats included."""
    try:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"), default=_default)
    except ValueError:  # a non-finite float somewhere
        text = None
    except TypeError as err:
        raise TypeError(f"Cannot store the {field} {value!r}: {err}") from None
    if text is None or any(key in text for key in _SPECIAL_KEYS):
        try:
            text = json.dumps(
                _escape(value), allow_nan=False, separators=(",", ":"), default=_default
            )
        except TypeError as err:
            raise TypeError(f"Cannot store the {field} {value!r}: {err}") from None
    return text


def _escape(value: object) -> object:
    """``value`` with non-finite floats and look-alike dicts spelled out."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__float__": _nonfinite_name(value)}
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _SPECIAL_KEYS:
            return {"__dict__": [[key, _escape(item)] for key, item in value.items()]}
        return {key: _escape(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escape(item) for item in value]
    if _is_numpy_scalar(value):
        return _escape(value.item())  # type: ignore[attr-defined]
    return value


def _default(value: object) -> object:
    if _is_numpy_scalar(value):
        return value.item()  # type: ignore[attr-defined]
    raise TypeError(
        f"a storage keeps only JSON values (str, int, float, bool, None, lists, and "
        f"dicts with str keys); got {value!r} of type {type(value).__name__}"
    )


def _is_numpy_scalar(value: object) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "item")


def _loads(text: object, field: str) -> Any:
    """The JSON value in ``text``, as :func:`_dumps` wrote it."""
    if not isinstance(text, str):
        raise _NotJSON(f"the {field} column holds {type(text).__name__}, not JSON text")
    try:
        # "__" first: most texts (fold scores) have no escaped value, and this
        # runs once per fold when a study is read.
        if "__" in text and any(key in text for key in _SPECIAL_KEYS):
            return json.loads(text, object_hook=_unescape)
        try:  # no whitespace around what _dumps wrote: skip decode()'s two regex scans
            value, end = _DECODER.raw_decode(text)
        except ValueError:
            end = -1
        return value if end == len(text) else json.loads(text)
    except ValueError as err:
        raise _NotJSON(f"the {field} column does not hold JSON text ({err})") from None


def _unescape(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "__float__" in obj and obj["__float__"] in _NONFINITE_NAMES:
            return float(obj["__float__"])
        if "__dict__" in obj and isinstance(obj["__dict__"], list):
            return {key: item for key, item in obj["__dict__"]}
    return obj
