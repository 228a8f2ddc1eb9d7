"""The contract every Storage passes.

A storage's test module subclasses :class:`StorageContract` and provides
``make_storage()``::

    class TestMemoryStorageContract(StorageContract):
        def make_storage(self):
            return MemoryStorage()

Only the public interface of :class:`scout_sklearn.storage.Storage` is used,
so a SQL storage runs the same tests.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scout_sklearn import FoldResult, Trial, TrialState
from scout_sklearn.exceptions import (
    DuplicatedStudyError,
    LeaseLost,
    TrialNumberTaken,
    TrialStateError,
)
from scout_sklearn.storage import Storage, StudyRecord

PROPERTY_SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.differing_executors,
        HealthCheck.function_scoped_fixture,
    ],
)

TERMINAL = [TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAILED]

# -- strategies for records ------------------------------------------------------
FINITE = st.floats(allow_nan=False, allow_infinity=False)
TIMES = st.floats(0, 4e9, allow_nan=False)
TEXT = st.text(max_size=20)
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**53), 2**53), FINITE, TEXT
)
PARAMS = st.dictionaries(st.text(min_size=1, max_size=12), JSON_SCALARS, max_size=5)
SCORES = st.dictionaries(st.text(min_size=1, max_size=10), FINITE, max_size=3)

FOLD_RESULTS = st.builds(
    FoldResult,
    fold=st.integers(0, 1000),
    test_scores=SCORES,
    train_scores=st.none() | SCORES,
    fit_time=st.floats(0, 1e6),
    score_time=st.floats(0, 1e6),
    n_test_samples=st.integers(0, 10**9),
    rung=st.integers(0, 20),
    error=st.none() | st.text(max_size=200),
    n_iterations=st.none() | st.integers(0, 2**40),
)


@st.composite
def finished_trials(draw: st.DrawFn) -> tuple[Trial, list[FoldResult], TrialState, Any]:
    """A RUNNING trial to create, its folds and how it finishes (number set later)."""
    trial = Trial(
        number=0,
        params=draw(PARAMS),
        started_at=draw(st.none() | TIMES),
    )
    folds = draw(st.lists(FOLD_RESULTS, max_size=4))
    state = draw(st.sampled_from([*TERMINAL, TrialState.RUNNING]))
    value = draw(FINITE) if state is TrialState.COMPLETE else draw(st.none() | FINITE)
    if state is TrialState.FAILED:
        value = None
    return trial, folds, state, value


def record(name: str = "study", *, seed: int = 0, created_at: float = 1.0) -> StudyRecord:
    return StudyRecord(
        name=name,
        seed=seed,
        space=[{"C": {"type": "float", "low": 0.001, "high": 1000.0, "log": True}}],
        created_at=created_at,
    )


def new_trial(number: int, **params: Any) -> Trial:
    return Trial(number=number, params=params or {"C": float(number)}, started_at=100.0)


def held_trial(number: int, owner: str, lease_until: float) -> Trial:
    return Trial(
        number=number,
        params={"C": float(number)},
        started_at=100.0,
        owner=owner,
        lease_until=lease_until,
    )


def fold(k: int, score: float = 0.5) -> FoldResult:
    return FoldResult(
        fold=k,
        test_scores={"score": score},
        train_scores=None,
        fit_time=0.1,
        score_time=0.01,
        n_test_samples=10,
    )


def same_json(a: object, b: object) -> bool:
    """Equal as JSON values, int/float/bool kept apart."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    return bool(a == b)


def same_fold(a: FoldResult, b: FoldResult) -> bool:
    return (
        a.fold == b.fold
        and same_json(dict(a.test_scores), dict(b.test_scores))
        and (
            a.train_scores is None
            if b.train_scores is None
            else a.train_scores is not None
            and same_json(dict(a.train_scores), dict(b.train_scores))
        )
        and a.fit_time == b.fit_time
        and a.score_time == b.score_time
        and a.n_test_samples == b.n_test_samples
        and a.rung == b.rung
        and a.error == b.error
        and a.n_iterations == b.n_iterations
    )


class StorageContract:
    """Tests every Storage passes. Subclass it and define ``make_storage``."""

    def make_storage(self) -> Storage:
        raise NotImplementedError("A storage's test class defines make_storage().")

    def make_study(self, name: str = "study") -> Storage:
        storage = self.make_storage()
        storage.create_study(record(name))
        return storage

    # -- studies ----------------------------------------------------------------
    def test_is_a_storage(self) -> None:
        assert isinstance(self.make_storage(), Storage)

    def test_new_storage_is_empty(self) -> None:
        storage = self.make_storage()
        assert storage.list_studies() == []
        assert storage.load_study("study") is None

    def test_create_and_load_study(self) -> None:
        storage = self.make_storage()
        created = StudyRecord(
            name="svc",
            seed=2**127 + 5,  # Study(seed=None) draws 128-bit seeds
            space=[{"C": {"type": "categorical", "choices": [1, 10.5, "a", None, True]}}],
            created_at=1_700_000_000.25,
        )
        storage.create_study(created)
        loaded = storage.load_study("svc")
        assert loaded is not None
        assert loaded.name == "svc"
        assert loaded.seed == 2**127 + 5
        assert same_json(loaded.space, created.space)
        assert loaded.created_at == created.created_at
        assert storage.load_study("other") is None

    def test_list_studies_oldest_first(self) -> None:
        storage = self.make_storage()
        for name, created_at in [("b", 20.0), ("a", 30.0), ("c", 10.0)]:
            storage.create_study(record(name, created_at=created_at))
        assert [r.name for r in storage.list_studies()] == ["c", "b", "a"]

    def test_duplicate_study_name_raises(self) -> None:
        storage = self.make_study("svc")
        with pytest.raises(DuplicatedStudyError, match="'svc'"):
            storage.create_study(record("svc", seed=1))
        loaded = storage.load_study("svc")
        assert loaded is not None
        assert loaded.seed == 0  # the first study is untouched

    # -- trials -------------------------------------------------------------------
    def test_create_trials_with_the_next_number(self) -> None:
        storage = self.make_study()
        for number in range(4):
            storage.create_trial("study", new_trial(number))
        trials, _ = storage.read_trials("study")
        assert [t.number for t in trials] == [0, 1, 2, 3]
        assert all(t.state is TrialState.RUNNING for t in trials)
        assert [t.params for t in trials] == [{"C": float(k)} for k in range(4)]

    def test_a_taken_number_raises_trial_number_taken(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", new_trial(0, C=1.0))
        storage.create_trial("study", new_trial(1, C=2.0))
        with pytest.raises(TrialNumberTaken, match=r"\b1\b"):
            storage.create_trial("study", new_trial(1, C=3.0))
        with pytest.raises(TrialNumberTaken):
            storage.create_trial("study", new_trial(0, C=3.0))
        trials, _ = storage.read_trials("study")
        assert [t.params for t in trials] == [{"C": 1.0}, {"C": 2.0}]

    def test_trials_of_studies_are_separate(self) -> None:
        storage = self.make_study("a")
        storage.create_study(record("b", created_at=2.0))
        storage.create_trial("a", new_trial(0, C=1.0))
        storage.create_trial("b", new_trial(0, C=2.0))
        storage.create_trial("b", new_trial(1, C=3.0))
        storage.finish_trial("a", 0, TrialState.COMPLETE, 0.5)
        a, _ = storage.read_trials("a")
        b, _ = storage.read_trials("b")
        assert [(t.number, t.params, t.state) for t in a] == [
            (0, {"C": 1.0}, TrialState.COMPLETE)
        ]
        assert [(t.number, t.params, t.state) for t in b] == [
            (0, {"C": 2.0}, TrialState.RUNNING),
            (1, {"C": 3.0}, TrialState.RUNNING),
        ]

    def test_record_fold_appends_in_order(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", new_trial(0))
        folds = [fold(2, 0.1), fold(0, 0.2), fold(1, 0.3)]  # in the order they finish
        for k, result in enumerate(folds):
            returned = storage.record_fold("study", 0, result)
            assert returned.number == 0
            assert returned.state is TrialState.RUNNING
            assert list(returned.fold_results) == folds[: k + 1]
        (trial,), _ = storage.read_trials("study")
        assert list(trial.fold_results) == folds

    def test_finish_moves_running_to_a_terminal_state_once(self) -> None:
        storage = self.make_study()
        for number, state in enumerate(TERMINAL):
            storage.create_trial("study", new_trial(number))
            before = time.time()
            value = 0.75 if state is TrialState.COMPLETE else None
            finished = storage.finish_trial("study", number, state, value)
            assert finished.state is state
            assert finished.value == value
            assert finished.number == number
            assert finished.finished_at is not None
            assert before - 1 <= finished.finished_at <= time.time() + 1
            for again in TERMINAL:
                with pytest.raises(TrialStateError, match=rf"{number}.*{state.name}"):
                    storage.finish_trial("study", number, again, 1.0)
        trials, _ = storage.read_trials("study")
        assert [t.state for t in trials] == TERMINAL
        assert [t.value for t in trials] == [0.75, None, None]

    def test_finish_keeps_a_pruned_trials_value(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", new_trial(0))
        storage.finish_trial("study", 0, TrialState.PRUNED, 0.25)
        (trial,), _ = storage.read_trials("study")
        assert trial.state is TrialState.PRUNED
        assert trial.value == 0.25

    def test_finish_as_running_raises(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", new_trial(0))
        with pytest.raises(TrialStateError, match="RUNNING"):
            storage.finish_trial("study", 0, TrialState.RUNNING, None)
        (trial,), _ = storage.read_trials("study")
        assert trial.state is TrialState.RUNNING

    def test_recording_a_fold_into_a_finished_trial_raises(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", new_trial(0))
        storage.record_fold("study", 0, fold(0))
        storage.finish_trial("study", 0, TrialState.COMPLETE, 0.5)
        with pytest.raises(TrialStateError, match=r"\b0\b.*COMPLETE"):
            storage.record_fold("study", 0, fold(1))
        (trial,), _ = storage.read_trials("study")
        assert list(trial.fold_results) == [fold(0)]

    # -- leases -----------------------------------------------------------------
    def test_owner_and_lease_round_trip(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", held_trial(0, "host:1:a", 1234.5))
        storage.create_trial("study", new_trial(1))
        first, second = storage.read_trials("study")[0]
        assert (first.owner, first.lease_until) == ("host:1:a", 1234.5)
        assert (second.owner, second.lease_until) == (None, None)

    def test_heartbeat_extends_only_the_owners_running_trials(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", held_trial(0, "me", 10.0))
        storage.create_trial("study", held_trial(1, "other", 10.0))
        storage.create_trial("study", held_trial(2, "me", 10.0))
        storage.finish_trial("study", 2, TrialState.FAILED, None)
        _, stamp = storage.read_trials("study")
        assert storage.heartbeat("study", "me", 99.0) == 1
        changed, _ = storage.read_trials("study", since=stamp)
        assert [(t.number, t.lease_until) for t in changed] == [(0, 99.0)]
        trials, _ = storage.read_trials("study")
        assert [t.lease_until for t in trials] == [99.0, 10.0, 10.0]
        assert storage.heartbeat("study", "nobody", 99.0) == 0

    def test_reclaim_keeps_the_folds_and_changes_the_owner(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", held_trial(0, "dead", 10.0))
        storage.record_fold("study", 0, fold(1, 0.25), owner="dead")
        _, stamp = storage.read_trials("study")
        taken = storage.reclaim_trial(
            "study", 0, expected_owner="dead", owner="me", lease_until=50.0
        )
        assert taken is not None
        assert (taken.owner, taken.lease_until) == ("me", 50.0)
        assert list(taken.fold_results) == [fold(1, 0.25)]
        changed, _ = storage.read_trials("study", since=stamp)
        assert [(t.number, t.owner) for t in changed] == [(0, "me")]
        # The new owner writes; the old one has lost the trial.
        storage.record_fold("study", 0, fold(0, 0.5), owner="me")
        with pytest.raises(LeaseLost, match="'dead'"):
            storage.record_fold("study", 0, fold(2, 0.75), owner="dead")
        with pytest.raises(LeaseLost):
            storage.finish_trial("study", 0, TrialState.COMPLETE, 0.1, owner="dead")
        done = storage.finish_trial("study", 0, TrialState.COMPLETE, 0.375, owner="me")
        assert list(done.fold_results) == [fold(1, 0.25), fold(0, 0.5)]
        assert done.value == 0.375
        # A late write after the trial finished is still a lost lease, not a crash.
        with pytest.raises(LeaseLost):
            storage.record_fold("study", 0, fold(2, 0.75), owner="dead")

    def test_reclaim_is_a_compare_and_set(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", held_trial(0, "dead", 10.0))
        storage.create_trial("study", new_trial(1))  # enqueued: no owner
        storage.create_trial("study", held_trial(2, "dead", 10.0))
        storage.finish_trial("study", 2, TrialState.COMPLETE, 1.0)
        first = storage.reclaim_trial(
            "study", 0, expected_owner="dead", owner="a", lease_until=50.0
        )
        second = storage.reclaim_trial(
            "study", 0, expected_owner="dead", owner="b", lease_until=60.0
        )
        assert first is not None
        assert second is None  # "a" won the race
        assert (
            storage.reclaim_trial(
                "study", 1, expected_owner=None, owner="b", lease_until=60.0
            )
            is not None
        )
        assert (
            storage.reclaim_trial(
                "study", 2, expected_owner="dead", owner="b", lease_until=60.0
            )
            is None
        )  # finished trials are never reclaimed
        trials, _ = storage.read_trials("study")
        assert [t.owner for t in trials] == ["a", "b", "dead"]

    def test_reclaim_starts_an_enqueued_trial_and_keeps_a_started_ones_start(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", Trial(number=0, params={"C": 0.0}))  # enqueued
        storage.create_trial("study", held_trial(1, "dead", 10.0))
        before = time.time()
        queued = storage.reclaim_trial(
            "study", 0, expected_owner=None, owner="me", lease_until=50.0
        )
        started = storage.reclaim_trial(
            "study", 1, expected_owner="dead", owner="me", lease_until=50.0
        )
        assert queued is not None
        assert started is not None
        assert queued.started_at is not None
        assert before - 1.0 <= queued.started_at <= time.time() + 1.0
        assert started.started_at == 100.0
        trials, _ = storage.read_trials("study")
        assert trials[0].started_at == queued.started_at

    def test_reclaim_checks_the_lease_when_asked(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", held_trial(0, "slow", 10.0))
        storage.heartbeat("study", "slow", 40.0)  # renewed before we reclaim
        assert (
            storage.reclaim_trial(
                "study",
                0,
                expected_owner="slow",
                owner="me",
                lease_until=90.0,
                expired_at=20.0,
            )
            is None
        )
        taken = storage.reclaim_trial(
            "study", 0, expected_owner="slow", owner="me", lease_until=90.0, expired_at=40.0
        )
        assert taken is not None
        assert taken.owner == "me"

    def test_non_finite_scores_round_trip(self) -> None:
        storage = self.make_study()
        storage.create_trial("study", new_trial(0))
        failed = FoldResult(
            fold=0,
            test_scores={"accuracy": math.nan, "neg_log_loss": -math.inf},
            train_scores={"accuracy": math.inf, "neg_log_loss": -0.0},
            fit_time=0.5,
            score_time=0.0,
            n_test_samples=7,
            error="Traceback (most recent call last):\n  ValueError: bad 'C' \u00e9",
        )
        storage.record_fold("study", 0, failed)
        storage.finish_trial("study", 0, TrialState.FAILED, None)
        (trial,), _ = storage.read_trials("study")
        (got,) = trial.fold_results
        assert math.isnan(got.test_scores["accuracy"])
        assert got.test_scores["neg_log_loss"] == -math.inf
        assert got.train_scores == {"accuracy": math.inf, "neg_log_loss": 0.0}
        assert got.error == failed.error
        assert trial.value is None

    def test_fingerprint_round_trips(self) -> None:
        storage = self.make_storage()
        fingerprint = {
            "data": {"shape": [150, 4], "sha256": "ab" * 32},
            "cv": [[0, 1, 2], [3, 4]],
            "scoring": None,
            "nested": {"estimator": "SVC(C=1.0)", "ok": True, "n": 3.5},
        }
        created = StudyRecord(
            name="fp", seed=1, space=[], created_at=5.0, fingerprint=fingerprint
        )
        storage.create_study(created)
        loaded = storage.load_study("fp")
        assert loaded is not None
        assert same_json(loaded.fingerprint, fingerprint)
        (listed,) = storage.list_studies()
        assert same_json(listed.fingerprint, fingerprint)

    # -- reading changes --------------------------------------------------------
    def test_read_trials_since_a_stamp(self) -> None:
        storage = self.make_study()
        storage.create_study(record("other", created_at=2.0))
        for number in range(3):
            storage.create_trial("study", new_trial(number))
        everything, stamp = storage.read_trials("study")
        assert [t.number for t in everything] == [0, 1, 2]

        nothing, same = storage.read_trials("study", since=stamp)
        assert nothing == []
        assert same == stamp

        storage.record_fold("study", 2, fold(0))
        storage.finish_trial("study", 0, TrialState.COMPLETE, 1.0)
        storage.create_trial("other", new_trial(0))  # another study's change
        changed, newer = storage.read_trials("study", since=stamp)
        assert newer > stamp
        assert [t.number for t in changed] == [0, 2]  # in number order, once each
        assert changed[0].state is TrialState.COMPLETE
        assert list(changed[1].fold_results) == [fold(0)]

        storage.create_trial("study", new_trial(3))
        latest, newest = storage.read_trials("study", since=newer)
        assert [t.number for t in latest] == [3]
        assert newest > newer
        assert storage.read_trials("study", since=newest) == ([], newest)
        # Reading from the start still gives every trial, current.
        every, _ = storage.read_trials("study")
        assert [(t.number, t.state) for t in every] == [
            (0, TrialState.COMPLETE),
            (1, TrialState.RUNNING),
            (2, TrialState.RUNNING),
            (3, TrialState.RUNNING),
        ]

    def test_read_trials_of_a_study_without_trials(self) -> None:
        storage = self.make_study()
        trials, stamp = storage.read_trials("study")
        assert trials == []
        assert isinstance(stamp, int)

    # -- round trips ------------------------------------------------------------
    @PROPERTY_SETTINGS
    @given(cases=st.lists(finished_trials(), min_size=1, max_size=4))
    def test_trials_round_trip_every_field(
        self, cases: list[tuple[Trial, list[FoldResult], TrialState, Any]]
    ) -> None:
        storage = self.make_study()
        expected = []
        for number, (template, folds, state, value) in enumerate(cases):
            trial = Trial(
                number=number, params=template.params, started_at=template.started_at
            )
            storage.create_trial("study", trial)
            for result in folds:
                storage.record_fold("study", number, result)
            if state is not TrialState.RUNNING:
                storage.finish_trial("study", number, state, value)
            expected.append((trial, folds, state, value))

        stored, _ = storage.read_trials("study")
        assert len(stored) == len(expected)
        for got, (trial, folds, state, value) in zip(stored, expected):
            assert got.number == trial.number
            assert same_json(dict(got.params), dict(trial.params)), (
                got.params,
                trial.params,
            )
            assert got.state is state
            assert got.started_at == trial.started_at
            assert len(got.fold_results) == len(folds)
            assert all(same_fold(a, b) for a, b in zip(got.fold_results, folds))
            if state is TrialState.RUNNING:
                assert got.value is None
                assert got.finished_at is None
            else:
                assert got.finished_at is not None
                assert math.isfinite(got.finished_at)
                assert got.value == value
                assert type(got.value) is type(value)


def end_postgres_sessions(url: str, tag: str) -> int:
    """End every PostgreSQL session whose application_name is ``tag``; return how many.

    As a server restart or an administrator's pg_terminate_backend does.
    """
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            return len(
                connection.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :tag"
                    ),
                    {"tag": tag},
                ).all()
            )
    finally:
        engine.dispose()
