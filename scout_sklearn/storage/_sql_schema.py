"""SQLStorage's tables, their upgrades from older schemas, and its statements.

Every statement is built with SQLAlchemy Core and compiled once per storage
for its dialect; a write is a tuple of compiled statements run in one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection
from sqlalchemy.sql.compiler import SQLCompiler

from scout_sklearn.storage._sql_values import _NAME_LENGTH, _RUNNING

#: The layout of the tables this code reads and writes. Bump it when the
#: layout changes, and register in ``_MIGRATIONS`` how to upgrade from the
#: previous one.
SCHEMA_VERSION = 2


# -- the tables ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Tables:
    metadata: sa.MetaData
    studies: sa.Table
    trials: sa.Table
    folds: sa.Table
    version: sa.Table


def _build_tables(prefix: str) -> _Tables:
    metadata = sa.MetaData()
    # SQLite autoincrements only an INTEGER primary key.
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    # MySQL's TEXT stops at 64 KiB: tracebacks and CV splits can be longer.
    text = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
    double = sa.Double[float]()
    # InnoDB, 4-byte UTF-8 and exact (binary) comparison of study names and owners.
    options: dict[str, Any] = {
        f"{dialect}_{key}": value
        for dialect in ("mysql", "mariadb")
        for key, value in [
            ("engine", "InnoDB"),
            ("charset", "utf8mb4"),
            ("collate", "utf8mb4_bin"),
        ]
    }
    studies = sa.Table(
        f"{prefix}studies",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(_NAME_LENGTH), nullable=False),
        sa.Column("seed", sa.Text, nullable=False),  # decimal: seeds exceed 64 bits
        sa.Column("space", text, nullable=False),
        sa.Column("fingerprint", text, nullable=False),
        sa.Column("created_at", double, nullable=False),
        sa.Column("stamp", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("name", name=f"{prefix}studies_name"),
        **options,
    )
    trials = sa.Table(
        f"{prefix}trials",
        metadata,
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "study_id",
            sa.Integer,
            sa.ForeignKey(studies.c.id, ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("params", text, nullable=False),
        sa.Column("value", double),
        sa.Column("value_nonfinite", sa.String(8)),
        sa.Column("started_at", double),
        sa.Column("finished_at", double),
        sa.Column("owner", sa.String(_NAME_LENGTH)),
        sa.Column("lease_until", double),
        sa.Column("stamp", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("study_id", "number", name=f"{prefix}trials_number"),
        sa.Index(f"{prefix}trials_stamp", "study_id", "stamp"),
        sa.Index(f"{prefix}trials_owner", "study_id", "owner"),
        **options,
    )
    folds = sa.Table(
        f"{prefix}folds",
        metadata,
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column(
            "trial_id",
            big_id,
            sa.ForeignKey(trials.c.id, ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),  # order of arrival
        sa.Column("fold", sa.Integer, nullable=False),
        sa.Column("rung", sa.Integer, nullable=False),
        sa.Column("test_scores", text, nullable=False),
        sa.Column("train_scores", text),
        sa.Column("fit_time", double, nullable=False),
        sa.Column("score_time", double, nullable=False),
        sa.Column("n_test_samples", sa.BigInteger, nullable=False),
        sa.Column("error", text),  # a JSON string: tracebacks may hold NUL characters
        # Rounds kept by early stopping on a validation split (schema 2).
        sa.Column("n_iterations", sa.BigInteger),
        sa.UniqueConstraint("trial_id", "position", name=f"{prefix}folds_position"),
        **options,
    )
    version = sa.Table(
        f"{prefix}version",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        **options,
    )
    return _Tables(metadata, studies, trials, folds, version)


# -- upgrades from older schemas ---------------------------------------------------------
def _add_n_iterations(conn: Connection, tables: _Tables) -> None:
    """Schema 1 -> 2: the folds get ``n_iterations`` (NULL for the folds already there)."""
    preparer = conn.dialect.identifier_preparer
    column = tables.folds.c.n_iterations
    existing = {c["name"] for c in sa.inspect(conn).get_columns(tables.folds.name)}
    if column.name in existing:
        # MySQL commits before any ALTER TABLE, releasing the version row's
        # lock: an opener that waited on it may find the column added.
        return
    conn.execute(
        sa.text(
            f"ALTER TABLE {preparer.format_table(tables.folds)} ADD COLUMN "
            f"{preparer.format_column(column)} "
            f"{column.type.compile(dialect=conn.dialect)} NULL"
        )
    )


#: ``_MIGRATIONS[n]`` upgrades tables of schema ``n`` to schema ``n + 1`` inside
#: the transaction it is given (schema 1 was the first).
_MIGRATIONS: dict[int, Callable[[Connection, _Tables], None]] = {
    1: _add_n_iterations,
}


# Columns in the order every statement selects them (rows are read by position).
_TRIAL_COLUMNS = (
    "id",
    "number",
    "state",
    "params",
    "value",
    "value_nonfinite",
    "started_at",
    "finished_at",
    "owner",
    "lease_until",
)
_FOLD_COLUMNS = (
    "id",
    "fold",
    "rung",
    "test_scores",
    "train_scores",
    "fit_time",
    "score_time",
    "n_test_samples",
    "error",
    "n_iterations",
)
_N_TRIAL_COLUMNS = len(_TRIAL_COLUMNS)


# -- statements, compiled once -----------------------------------------------------------
class _Compiled:
    """One statement compiled for a dialect, with named parameters only."""

    __slots__ = ("names", "text")

    def __init__(self, statement: sa.ClauseElement, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):  # pragma: no cover - our statements
            raise TypeError(f"Not a SQL statement: {statement}")
        unnamed = [name for name in compiled.binds if not name.startswith(("p_", "v_"))]
        if unnamed:  # statements of one batch share one dict of parameters
            raise AssertionError(f"Unnamed bound parameters {unnamed} in {compiled}")
        self.text = str(compiled)
        self.names = tuple(compiled.positiontup or ()) if compiled.positional else None

    def args(self, params: Mapping[str, Any]) -> Any:
        if self.names is None:
            return params
        return tuple(params[name] for name in self.names)


#: A logical step of a transaction: one statement, or (without RETURNING) an
#: UPDATE followed by the SELECT that reads what it changed.
_Step = tuple[_Compiled, ...]


class _Statements:
    """Every statement of the storage, compiled for its database."""

    def __init__(self, tables: _Tables, dialect: sa.Dialect) -> None:
        self._tables = tables
        self._dialect = dialect
        self._returning = bool(dialect.update_returning)
        self._reclaims: dict[tuple[bool, bool], _Step] = {}
        studies, trials, folds = tables.studies, tables.trials, tables.folds
        one = sa.literal_column("1", sa.Integer())
        zero = sa.literal_column("0", sa.Integer())
        running = sa.literal_column(f"'{_RUNNING}'", sa.String())
        name = sa.bindparam("p_name", type_=sa.String())
        study_columns = [
            studies.c.name,
            studies.c.seed,
            studies.c.space,
            studies.c.fingerprint,
            studies.c.created_at,
        ]
        self.trial_columns = [trials.c[column] for column in _TRIAL_COLUMNS]
        fold_columns = [folds.c[column] for column in _FOLD_COLUMNS]
        # Statements after the study's bump find it by name: on PostgreSQL a
        # whole batch goes to the server before any result comes back.
        self.study_id = (
            sa.select(studies.c.id).where(studies.c.name == name).scalar_subquery()
        )
        self.study_stamp = (
            sa.select(studies.c.stamp).where(studies.c.name == name).scalar_subquery()
        )
        self.this_trial = sa.and_(
            trials.c.study_id == self.study_id,
            trials.c.number == sa.bindparam("p_number", type_=sa.Integer()),
        )
        # SQLite prints RETURNING columns without their table: a correlated
        # subquery there must name the outer table in full.
        counted = folds.alias("counted")
        self.n_folds = (
            sa.select(sa.func.count())
            .select_from(counted)
            .where(counted.c.trial_id == sa.literal_column(f"{trials.name}.id"))
            .scalar_subquery()
        )
        others = trials.alias("others")
        next_number = (
            sa.select(sa.func.coalesce(sa.func.max(others.c.number) + one, zero))
            .where(others.c.study_id == sa.literal_column(f"{studies.name}.id"))
            .scalar_subquery()
        )

        # -- studies
        self.insert_study = self._step(
            sa.insert(studies).values(
                name=sa.bindparam("v_name"),
                seed=sa.bindparam("v_seed"),
                space=sa.bindparam("v_space"),
                fingerprint=sa.bindparam("v_fingerprint"),
                created_at=sa.bindparam("v_created_at"),
                stamp=zero,
            )
        )
        self.load_study = self._step(
            sa.select(*study_columns).where(studies.c.name == name)
        )
        self.list_studies = self._step(
            sa.select(*study_columns).order_by(studies.c.created_at, studies.c.id)
        )
        # -- the bump that starts every write: lock the study, count one more change
        bump = (
            sa.update(studies)
            .where(studies.c.name == name)
            .values(stamp=studies.c.stamp + one)
        )
        bumped = sa.select(studies.c.id, studies.c.stamp).where(studies.c.name == name)
        # Creating a trial bumps only if its number is not taken: a writer that
        # lost the race for a number then writes nothing at all. (Not "is the
        # next": the insert must never find a number free that the claim saw
        # taken, or it would write without the study's lock.)
        claim = bump.where(next_number <= sa.bindparam("v_number", type_=sa.Integer()))
        if self._returning:
            self.bump = self._step(bump.returning(studies.c.id, studies.c.stamp))
            self.claim = self._step(claim.returning(studies.c.id, studies.c.stamp))
        else:
            self.bump = self._step(bump, bumped)
            self.claim = self._step(claim, bumped)
        self.next_number = self._step(bumped.add_columns(next_number))

        # -- trials. Writes check in SQL what the caller checks again in Python
        # on the rows read back (to say why a write did not happen), so that
        # each write is one batch.
        def typed(name: str, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
            # PostgreSQL must know the type of a parameter in a SELECT list;
            # SQLAlchemy adds casts for every type but floats.
            parameter = sa.bindparam(name, type_=column.type)
            if dialect.name == "postgresql" and isinstance(column.type, sa.Double):
                return sa.cast(parameter, column.type)
            return parameter

        t = trials.c
        self.insert_trial = self._step(
            sa.insert(trials).from_select(
                [
                    "study_id",
                    "number",
                    "state",
                    "params",
                    "started_at",
                    "owner",
                    "lease_until",
                    "stamp",
                ],
                sa.select(
                    studies.c.id,
                    typed("v_number", t.number),
                    running,
                    typed("v_params", t.params),
                    typed("v_started_at", t.started_at),
                    typed("v_owner", t.owner),
                    typed("v_lease_until", t.lease_until),
                    studies.c.stamp,
                ).where(studies.c.name == name, next_number == typed("v_number", t.number)),
            )
        )
        # Stamping the trial locks its row: the owner and state read back
        # cannot change before this transaction ends.
        self.lock_trial = self._changed(
            sa.update(trials).where(self.this_trial).values(stamp=self.study_stamp)
        )
        self.trial_exists = self._step(sa.select(trials.c.id).where(self.this_trial))
        writable = [
            sa.and_(self.this_trial, t.state == running),
            sa.and_(
                self.this_trial, t.state == running, t.owner == typed("p_owner", t.owner)
            ),
        ]
        #: Indexed by whether an owner is checked.
        self.finish_trial = tuple(
            self._step(
                sa.update(trials)
                .where(condition)
                .values(
                    state=typed("p_state", t.state),
                    value=typed("p_value", t.value),
                    value_nonfinite=typed("p_nonfinite", t.value_nonfinite),
                    finished_at=typed("p_finished_at", t.finished_at),
                )
            )
            for condition in writable
        )
        self.heartbeat = self._step(
            sa.update(trials)
            .where(
                trials.c.study_id == self.study_id,
                trials.c.owner == sa.bindparam("p_owner"),
                trials.c.state == running,
            )
            .values(lease_until=sa.bindparam("p_lease"), stamp=self.study_stamp)
        )
        # -- folds, appended at the next position
        position = (
            sa.select(sa.func.count())
            .select_from(counted)
            .where(counted.c.trial_id == trials.c.id)
            .scalar_subquery()
        )
        fold_values = [
            typed(f"v_{column}", folds.c[column]) for column in _FOLD_COLUMNS[1:]
        ]
        #: Indexed by whether an owner is checked.
        self.insert_fold = tuple(
            self._step(
                sa.insert(folds).from_select(
                    ["trial_id", "position", *_FOLD_COLUMNS[1:]],
                    sa.select(trials.c.id, position, *fold_values).where(condition),
                )
            )
            for condition in writable
        )
        self.select_folds = self._step(
            sa.select(*fold_columns)
            .where(
                folds.c.trial_id
                == sa.select(trials.c.id).where(self.this_trial).scalar_subquery()
            )
            .order_by(folds.c.position)
        )
        # -- reading changes
        changed = trials.outerjoin(folds, folds.c.trial_id == trials.c.id)
        self.read_trials = self._step(
            sa.select(studies.c.stamp, *self.trial_columns, *fold_columns)
            .select_from(
                studies.outerjoin(
                    changed,
                    sa.and_(
                        trials.c.study_id == studies.c.id,
                        trials.c.stamp > sa.bindparam("p_since", type_=sa.BigInteger()),
                    ),
                )
            )
            .where(studies.c.name == name)
            .order_by(trials.c.number, folds.c.position)
        )

    def reclaim(self, unowned: bool, check_lease: bool) -> _Step:
        """The compare-and-set of ``reclaim_trial`` (four variants, built on first use)."""
        key = (unowned, check_lease)
        if key not in self._reclaims:
            trials = self._tables.trials
            conditions = [
                self.this_trial,
                trials.c.state == sa.literal_column(f"'{_RUNNING}'"),
                trials.c.owner.is_(None)
                if unowned
                else trials.c.owner == sa.bindparam("p_expected"),
            ]
            if check_lease:
                lease = sa.func.coalesce(trials.c.lease_until, sa.literal_column("0"))
                conditions.append(lease <= sa.bindparam("p_expired", type_=sa.Double()))
            self._reclaims[key] = self._changed(
                sa.update(trials)
                .where(*conditions)
                .values(
                    owner=sa.bindparam("p_owner"),
                    lease_until=sa.bindparam("p_lease"),
                    # An enqueued trial starts when a worker first takes it.
                    started_at=sa.func.coalesce(
                        trials.c.started_at, sa.bindparam("p_now", type_=sa.Double())
                    ),
                    stamp=self.study_stamp,
                )
            )
        return self._reclaims[key]

    def _changed(self, update: sa.Update) -> _Step:
        """``update`` returning the trial's columns and fold count (its rowcount first)."""
        if self._returning:
            return self._step(update.returning(*self.trial_columns, self.n_folds))
        read = sa.select(*self.trial_columns, self.n_folds).where(self.this_trial)
        return self._step(update, read)

    def _step(self, *statements: sa.ClauseElement) -> _Step:
        return tuple(_Compiled(statement, self._dialect) for statement in statements)
