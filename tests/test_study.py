"""Study: ask/tell over a storage."""

from __future__ import annotations

import dataclasses
import math
import os
import socket
import time
from typing import Any

import numpy as np
import pytest
from contracts.sampler import PROPERTY_SETTINGS, same_params, search_spaces
from hypothesis import given
from hypothesis import strategies as st
from sklearn.model_selection import ParameterGrid

from scout_sklearn import (
    Float,
    FoldResult,
    Int,
    SearchSpace,
    Study,
    Trial,
    TrialState,
    _study,
)
from scout_sklearn._trial import replace_trial
from scout_sklearn.exceptions import (
    DuplicatedStudyError,
    InvalidParameterError,
    SearchSpaceExhausted,
    TrialStateError,
)
from scout_sklearn.samplers import GridSampler, RandomSampler, Sampler
from scout_sklearn.storage import MemoryStorage, StudyRecord


def test_ask_tell_loop_like_the_docstring() -> None:
    study = Study({"x": Float(-5.0, 5.0)}, seed=0)
    for _ in range(20):
        trial = study.ask()
        assert trial.state is TrialState.RUNNING
        assert -5.0 <= trial.params["x"] <= 5.0
        finished = study.tell(trial.number, -((trial.params["x"] - 1.0) ** 2))
        assert finished.state is TrialState.COMPLETE
    trials = study.trials
    assert [t.number for t in trials] == list(range(20))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    best = max(trials, key=lambda t: t.value)
    assert study.best_trial == best
    assert study.best_params == dict(best.params)
    assert study.best_value == best.value == -((best.params["x"] - 1.0) ** 2)
    assert abs(study.best_params["x"] - 1.0) < 1.0


def test_defaults() -> None:
    study = Study({"x": [1, 2]})
    assert isinstance(study.sampler, RandomSampler)
    assert isinstance(study.storage, MemoryStorage)
    assert study.name.startswith("study-")
    assert Study({"x": [1]}).name != study.name
    assert study.space == SearchSpace.from_user({"x": [1, 2]})
    assert study.trials == ()


def test_the_study_is_kept_in_its_storage() -> None:
    storage = MemoryStorage()
    study = Study({"C": Float(1e-3, 1e3, log=True)}, storage=storage, name="svc", seed=7)
    loaded = storage.load_study("svc")
    assert loaded is not None
    assert loaded.seed == 7
    assert loaded.space == study.space.to_json()
    trial = study.ask()
    study.record(trial.number, _fold(0))
    stored, _ = storage.read_trials("svc")
    assert stored[0].params == trial.params
    assert list(stored[0].fold_results) == [_fold(0)]


def test_a_study_name_can_be_used_once_per_storage() -> None:
    storage = MemoryStorage()
    Study({"x": [1]}, storage=storage, name="s")
    with pytest.raises(ValueError, match="'s'"):
        Study({"x": [1]}, storage=storage, name="s")


def test_rng_of_a_trial_is_reproducible() -> None:
    study = Study({"x": [1]}, seed=42)
    expected = np.random.default_rng([42, 3]).random(5)
    assert np.array_equal(study.rng(3).random(5), expected)
    assert np.array_equal(study.rng(3).random(5), expected)
    assert not np.array_equal(study.rng(4).random(5), expected)


def test_trials_use_their_own_generator() -> None:
    # Trial k's params are what the sampler proposes with rng([seed, k]).
    space = {"x": Float(0.0, 1.0), "n": Int(1, 1000, log=True)}
    study = Study(space, seed=11)
    asked = [study.ask() for _ in range(5)]
    history: list[Trial] = []
    for k, trial in enumerate(asked):
        expected = RandomSampler().ask(
            SearchSpace.from_user(space), tuple(history), np.random.default_rng([11, k])
        )
        assert same_params(trial.params, expected)
        history.append(trial)


def test_same_seed_gives_the_same_trials() -> None:
    space = [{"k": ["a"], "x": Float(0.0, 1.0)}, {"k": ["b"], "n": Int(1, 50)}]

    def run(seed: int) -> list[dict[str, Any]]:
        study = Study(space, sampler=RandomSampler(), seed=seed)
        out = []
        for i in range(15):
            trial = study.ask()
            out.append(trial.params)
            study.tell(trial.number, float(i))
        return out

    first = run(5)
    assert all(same_params(a, b) for a, b in zip(first, run(5)))
    assert not all(same_params(a, b) for a, b in zip(first, run(6)))


def test_seed_none_draws_a_seed_that_is_kept() -> None:
    storage = MemoryStorage()
    study = Study({"x": Float(0.0, 1.0)}, storage=storage, name="s")
    assert isinstance(study.seed, int)
    assert study.seed >= 0
    loaded = storage.load_study("s")
    assert loaded is not None
    assert loaded.seed == study.seed
    first = study.ask().params
    # The kept seed reproduces the study.
    again = Study({"x": Float(0.0, 1.0)}, seed=study.seed).ask().params
    assert first == again
    assert Study({"x": Float(0.0, 1.0)}).seed != study.seed


@pytest.mark.parametrize(
    ("seed", "shown"), [(-1, "-1"), (1.5, "1.5"), ("0", "'0'"), (True, "True")]
)
def test_bad_seed(seed: Any, shown: str) -> None:
    expected = r"'seed' parameter of Study must be a non-negative int or None\. Got "
    with pytest.raises(InvalidParameterError, match=expected + shown):
        Study({"x": [1]}, seed=seed)


def test_numpy_integer_seed() -> None:
    assert Study({"x": [1]}, seed=np.int64(3)).seed == 3


def test_bad_sampler() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"'sampler' parameter of Study .*Got 'grid' instead"
    ):
        Study({"x": [1]}, sampler="grid")  # type: ignore[arg-type]


def test_the_sampler_checks_the_space() -> None:
    with pytest.raises(InvalidParameterError, match=r"'x' is Float\(.*continuous range"):
        Study({"x": Float(0.0, 1.0)}, sampler=GridSampler())


def test_a_finite_study_is_exhausted() -> None:
    study = Study({"x": [1, 2, 3]}, sampler=GridSampler(), seed=0)
    numbers = [study.ask().number for _ in range(3)]  # all RUNNING at once
    assert numbers == [0, 1, 2]
    assert sorted(t.params["x"] for t in study.trials) == [1, 2, 3]
    with pytest.raises(SearchSpaceExhausted):
        study.ask()
    assert len(study.trials) == 3


# -- enqueued params -------------------------------------------------------------
def test_ask_with_params_enqueues_them() -> None:
    study = Study({"x": Float(0.0, 1.0), "k": ["a", "b"]}, seed=0)
    trial = study.ask(params={"x": 0.25, "k": "b"})
    assert trial.number == 0
    assert trial.params == {"x": 0.25, "k": "b"}
    assert study.trials[0].params == {"x": 0.25, "k": "b"}
    assert study.ask().number == 1


def test_enqueued_params_are_skipped_by_the_grid() -> None:
    study = Study({"x": [1, 2, 3]}, sampler=GridSampler(), seed=0)
    study.ask(params={"x": 2})
    assert [study.ask().params for _ in range(2)] == [{"x": 1}, {"x": 3}]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"x": 2.0, "k": "a"}, r"x=2\.0 is not in Float\(low=0\.0, high=1\.0"),
        ({"x": 0.5, "k": "c"}, r"k='c' is not in Categorical\(\['a', 'b'\]\)"),
        ({"x": 0.5}, r"missing \['k'\], unexpected \[\]"),
        ({"x": 0.5, "k": "a", "y": 1}, r"missing \[\], unexpected \['y'\]"),
    ],
)
def test_ask_with_params_outside_the_space(params: dict[str, Any], match: str) -> None:
    study = Study({"x": Float(0.0, 1.0), "k": ["a", "b"]}, seed=0)
    with pytest.raises(InvalidParameterError, match=rf"outside the search space.*{match}"):
        study.ask(params=params)
    assert study.trials == ()


def test_ask_with_params_that_are_not_a_dict() -> None:
    study = Study({"x": [1]}, seed=0)
    with pytest.raises(
        InvalidParameterError, match=r"\[\('x', 1\)\] \(list\).*must be a dict"
    ):
        study.ask(params=[("x", 1)])  # type: ignore[arg-type]


# -- samplers that misbehave ---------------------------------------------------------
class OutOfRangeSampler(Sampler):
    def ask(self, space: Any, history: Any, rng: Any) -> dict[str, Any]:
        return {"x": 10.0}


class NotADictSampler(Sampler):
    def ask(self, space: Any, history: Any, rng: Any) -> Any:
        return [0.5]


def test_a_sampler_proposing_params_outside_the_space_is_named() -> None:
    study = Study({"x": Float(0.0, 1.0)}, sampler=OutOfRangeSampler(), seed=0)
    with pytest.raises(
        InvalidParameterError,
        match=r"OutOfRangeSampler\(\), for trial 0, gave params outside the search space: "
        r"\{'x': 10\.0\} \(x=10\.0 is not in Float\(low=0\.0, high=1\.0",
    ):
        study.ask()
    assert study.trials == ()


def test_a_sampler_returning_something_else_than_a_dict() -> None:
    study = Study({"x": Float(0.0, 1.0)}, sampler=NotADictSampler(), seed=0)
    with pytest.raises(
        InvalidParameterError, match=r"NotADictSampler\(\).*\[0\.5\] \(list\)"
    ):
        study.ask()


# -- best trial ------------------------------------------------------------------
def test_best_trial_breaks_ties_by_lowest_number() -> None:
    study = Study({"x": list(range(10))}, sampler=GridSampler(), seed=0)
    values = [0.1, 0.7, 0.3, 0.7, 0.7, 0.2]
    for value in values:
        study.tell(study.ask().number, value)
    assert study.best_trial.number == 1
    assert study.best_value == 0.7
    assert study.best_params == {"x": 1}


def test_best_trial_ignores_unfinished_failed_pruned_and_nan() -> None:
    study = Study({"x": list(range(10))}, sampler=GridSampler(), seed=0)
    study.ask()  # 0 stays RUNNING
    study.tell(study.ask().number, state=TrialState.FAILED)  # 1
    study.tell(study.ask().number, 5.0, state=TrialState.PRUNED)  # 2
    study.tell(study.ask().number, math.nan)  # 3
    study.tell(study.ask().number, -1.0)  # 4
    assert study.best_trial.number == 4
    assert study.best_value == -1.0


def test_best_trial_without_a_complete_trial() -> None:
    study = Study({"x": [1, 2]}, name="empty", seed=0)
    with pytest.raises(ValueError, match="'empty' has no COMPLETE trial"):
        _ = study.best_trial
    study.tell(study.ask().number, state=TrialState.FAILED)
    with pytest.raises(ValueError, match="no COMPLETE trial"):
        _ = study.best_params
    with pytest.raises(ValueError, match="no COMPLETE trial"):
        _ = study.best_value


# -- tell ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "None"), ("0.5", "'0.5'"), (True, "True"), ([1.0], r"\[1\.0\]")],
)
def test_complete_needs_a_real_value(value: Any, shown: str) -> None:
    study = Study({"x": [1]}, seed=0)
    trial = study.ask()
    with pytest.raises(
        InvalidParameterError,
        match=rf"COMPLETE trial needs a real value; got value={shown}\..*FAILED",
    ):
        study.tell(trial.number, value)
    assert study.trials[0].state is TrialState.RUNNING


def test_tell_normalises_values() -> None:
    study = Study({"x": list(range(5))}, sampler=GridSampler(), seed=0)
    complete = study.tell(study.ask().number, np.float32(0.5))
    assert type(complete.value) is float
    assert complete.value == 0.5
    as_int = study.tell(study.ask().number, 2)
    assert type(as_int.value) is float
    failed = study.tell(study.ask().number, math.nan, state=TrialState.FAILED)
    assert failed.value is None
    pruned = study.tell(study.ask().number, np.float64(0.25), state=TrialState.PRUNED)
    assert pruned.value == 0.25


def test_tell_twice_raises() -> None:
    study = Study({"x": [1]}, seed=0)
    trial = study.ask()
    study.tell(trial.number, 1.0)
    with pytest.raises(TrialStateError, match=r"trial 0 .*COMPLETE, not RUNNING"):
        study.tell(trial.number, 2.0)
    assert study.best_value == 1.0


def test_record_into_a_finished_trial_raises() -> None:
    study = Study({"x": [1]}, seed=0)
    trial = study.ask()
    study.tell(trial.number, state=TrialState.FAILED)
    with pytest.raises(TrialStateError, match="FAILED, not RUNNING"):
        study.record(trial.number, _fold(0))


def test_tell_an_unknown_trial() -> None:
    study = Study({"x": [1]}, seed=0)
    with pytest.raises(KeyError, match="no trial number 3"):
        study.tell(3, 1.0)


def test_tell_running_state_raises() -> None:
    study = Study({"x": [1]}, seed=0)
    trial = study.ask()
    with pytest.raises(InvalidParameterError, match=r"terminal TrialState.*RUNNING"):
        study.tell(trial.number, 1.0, state=TrialState.RUNNING)


def test_tell_with_a_state_that_is_not_a_trial_state() -> None:
    study = Study({"x": [1]}, seed=0)
    trial = study.ask()
    with pytest.raises(InvalidParameterError, match=r"state.*'COMPLETE'.*TrialState"):
        study.tell(trial.number, 1.0, state="COMPLETE")  # type: ignore[arg-type]


def test_tell_pruned_with_a_value_that_is_not_a_number() -> None:
    study = Study({"x": [1]}, seed=0)
    trial = study.ask()
    with pytest.raises(InvalidParameterError, match=r"value='high'"):
        study.tell(trial.number, "high", state=TrialState.PRUNED)  # type: ignore[arg-type]


def test_record_and_trials_see_fold_results() -> None:
    study = Study({"x": [1]}, seed=0)
    trial = study.ask()
    study.record(trial.number, _fold(0))
    study.record(trial.number, _fold(1))
    assert [f.fold for f in study.trials[0].fold_results] == [0, 1]


def test_two_studies_on_one_storage_see_each_others_trials_only_by_name() -> None:
    storage = MemoryStorage()
    a = Study({"x": [1, 2]}, storage=storage, name="a", seed=0)
    b = Study({"x": [1, 2]}, storage=storage, name="b", seed=0)
    a.tell(a.ask().number, 1.0)
    assert len(a.trials) == 1
    assert b.trials == ()
    assert b.ask().number == 0


class RaceStorage(MemoryStorage):
    """Another writer takes the number a study is about to claim, once."""

    def __init__(self, foreign_params: dict[str, Any]) -> None:
        super().__init__()
        self.foreign_params = foreign_params
        self.raced = False

    def create_trial(self, study: str, trial: Trial) -> None:
        if not self.raced:
            self.raced = True
            super().create_trial(
                study, Trial(number=trial.number, params=self.foreign_params)
            )
        super().create_trial(study, trial)


def test_a_lost_race_for_a_trial_number_is_retried_with_the_next_one() -> None:
    storage = RaceStorage({"x": 1})
    study = Study({"x": [1, 2, 3]}, sampler=GridSampler(), storage=storage, seed=0)
    trial = study.ask()
    # The other writer got number 0 and point x=1; the sampler, asked again
    # with the fresh history, skips that point.
    assert trial.number == 1
    assert trial.params == {"x": 2}
    assert [(t.number, t.params) for t in study.trials] == [(0, {"x": 1}), (1, {"x": 2})]
    assert study.ask().params == {"x": 3}


def test_trials_written_by_another_writer_are_seen() -> None:
    storage = MemoryStorage()
    study = Study({"x": [1, 2, 3]}, sampler=GridSampler(), storage=storage, name="s")
    study.tell(study.ask().number, 0.5)
    storage.create_trial("s", Trial(number=1, params={"x": 3}))
    storage.finish_trial("s", 1, TrialState.COMPLETE, 0.9)
    assert [t.params for t in study.trials] == [{"x": 1}, {"x": 3}]
    assert study.best_params == {"x": 3}
    assert study.ask().params == {"x": 2}


# -- the Sampler docstring example ----------------------------------------------------
class CoordinateSampler(Sampler):
    """The example of the Sampler docstring, as written there."""

    def ask(self, space, history, rng):  # type: ignore[no-untyped-def]
        done = [t for t in history if t.has_value]
        if not done:
            return space.sample(rng)
        best = max(done, key=lambda t: t.value)
        sub = space[space.locate(best.params)]
        x = sub.encode(best.params)
        i = rng.integers(len(x))
        x[i] = rng.random()
        return sub.decode(x)


def test_the_sampler_docstring_example_works() -> None:
    space = {"x": Float(-5.0, 5.0), "y": Float(1e-3, 1e3, log=True), "k": ["a", "b"]}

    def objective(params: dict[str, Any]) -> float:
        penalty = 0.0 if params["k"] == "b" else 1.0
        return -((params["x"] - 1.0) ** 2) - np.log10(params["y"]) ** 2 - penalty

    study = Study(space, sampler=CoordinateSampler(), seed=0)
    for _ in range(60):
        trial = study.ask()
        study.tell(trial.number, objective(dict(trial.params)))
    trials = study.trials
    assert len(trials) == 60
    assert all(study.space.contains(t.params) for t in trials)
    # A coordinate search from the best trial improves on where it started.
    assert study.best_value > trials[0].value
    assert study.best_value > -0.5
    # Each proposal after the first changes at most one coordinate of the
    # best trial so far.
    for k in range(1, 60):
        best = max(trials[:k], key=lambda t: (t.value, -t.number))
        changed = [
            n for n in best.params if not _close(trials[k].params[n], best.params[n])
        ]
        assert len(changed) <= 1
    # Reproducible: a fresh study with the same seed proposes the same.
    again = Study(space, sampler=CoordinateSampler(), seed=0)
    for expected in trials[:10]:
        trial = again.ask()
        assert same_params(trial.params, expected.params)
        again.tell(trial.number, objective(dict(trial.params)))
    assert repr(CoordinateSampler()) == "CoordinateSampler()"


def test_the_sampler_docstring_example_on_a_conditional_space() -> None:
    space = [
        {"kind": ["linear"], "C": Float(1e-3, 1e3, log=True)},
        {"kind": ["tree"], "depth": Int(1, 10), "criterion": ["gini", "entropy"]},
    ]
    study = Study(space, sampler=CoordinateSampler(), seed=1)
    for _ in range(30):
        trial = study.ask()
        study.tell(trial.number, float(len(trial.params)))
    assert all(study.space.contains(t.params) for t in study.trials)


# -- properties ------------------------------------------------------------------
@PROPERTY_SETTINGS
@given(space=search_spaces(), seed=st.integers(0, 2**64), n=st.integers(1, 6))
def test_study_trials_lie_in_the_space_and_are_numbered(
    space: SearchSpace, seed: int, n: int
) -> None:
    study = Study(space, seed=seed)
    for _ in range(n):
        try:
            trial = study.ask()
        except SearchSpaceExhausted:
            assert space.is_finite
            break
        study.tell(trial.number, float(trial.number))
    trials = study.trials
    assert [t.number for t in trials] == list(range(len(trials)))
    assert all(space.contains(t.params) for t in trials)
    again = Study(space, seed=seed)
    for trial in trials:
        assert same_params(again.ask().params, trial.params)


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9)
    return bool(a == b)


def _fold(k: int) -> FoldResult:
    return FoldResult(
        fold=k,
        test_scores={"score": 0.5},
        train_scores=None,
        fit_time=0.1,
        score_time=0.01,
        n_test_samples=10,
    )


def test_an_enqueued_trial_is_taken_by_exactly_one_study() -> None:
    storage = MemoryStorage()
    first = Study({"x": [1, 2, 3]}, storage=storage, name="q", seed=0)
    second = Study({"x": [1, 2, 3]}, storage=storage, name="q", seed=0, load_if_exists=True)
    queued = first.enqueue({"x": 2})
    assert queued.owner is None
    assert queued.state is TrialState.RUNNING
    taken = [second.reclaim(), first.reclaim()]
    assert taken[0] is not None
    assert taken[0].owner == second.owner
    assert taken[0].params == {"x": 2}
    assert taken[1] is None  # the queue had one trial; the other study moves on
    with pytest.raises(InvalidParameterError, match=r"Study.enqueue.*outside"):
        first.enqueue({"x": 5})


def test_a_trial_of_an_earlier_run_with_this_pid_is_taken_back_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A container restarted by its restart policy: same host name, and the
    # search is PID 1 again. Its killed run's trial holds a lease of 60 s.
    storage = MemoryStorage()
    monkeypatch.setattr(_study, "_run", (os.getpid(), "0123456789ab"))
    killed = Study({"x": [1, 2, 3]}, storage=storage, name="r", seed=0)
    held = killed.ask()
    monkeypatch.undo()
    assert killed.owner.startswith(f"{socket.gethostname()}:{os.getpid()}:0123456789ab:")
    assert held.lease_until is not None
    assert held.lease_until > time.time() + 50
    restarted = Study({"x": [1, 2, 3]}, storage=storage, name="r", load_if_exists=True)
    assert restarted.owner.split(":")[2] != "0123456789ab"
    taken = restarted.reclaim()
    assert taken is not None
    assert (taken.number, taken.owner) == (held.number, restarted.owner)


@pytest.mark.parametrize(
    "owner",
    [
        # another Study of this very process run: alive
        f"{socket.gethostname()}:{os.getpid()}:{_study._process_run()}:0a1b2c3d",
        # written before owners recorded their run: judged by its lease as before
        f"{socket.gethostname()}:{os.getpid()}:0a1b2c3d",
        # a process of another host: only its lease tells
        f"elsewhere.example:{os.getpid()}:0123456789ab:0a1b2c3d",
    ],
    # Ids without the PID: each pytest-xdist worker collects with its own.
    ids=["same-run", "older-format", "other-host"],
)
def test_a_trial_whose_owner_may_be_alive_waits_for_its_lease(owner: str) -> None:
    storage = MemoryStorage()
    study = Study({"x": [1, 2, 3]}, storage=storage, name="w", seed=0)
    held = Trial(
        number=0,
        params={"x": 1},
        started_at=time.time(),
        owner=owner,
        lease_until=time.time() + 60,
    )
    storage.create_trial("w", held)
    assert study.reclaim() is None
    assert study.trials[0].owner == owner


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_is_another_process_run() -> None:
    parent = _study._process_run()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its run, and leave without cleanup
        try:
            os.write(write, _study._process_run().encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read()
    os.waitpid(pid, 0)
    assert len(child) == len(parent) == 12
    assert child != parent
    assert _study._process_run() == parent


class _CaseBlindStorage(MemoryStorage):
    """Refuses a name that differs from a stored one by case only, as a
    case-insensitive database collation would, but loads names exactly."""

    def create_study(self, record: StudyRecord) -> None:
        if any(r.name.lower() == record.name.lower() for r in self.list_studies()):
            raise DuplicatedStudyError(f"A study named {record.name!r} already exists.")
        super().create_study(record)


def test_a_duplicate_that_cannot_be_loaded_is_a_clear_error() -> None:
    storage = _CaseBlindStorage()
    Study({"x": [1, 2]}, storage=storage, name="exp", seed=0)
    with pytest.raises(
        DuplicatedStudyError,
        match=r"refused to create study 'EXP' as a duplicate, yet holds no study of "
        r"exactly that name",
    ):
        Study({"x": [1, 2]}, storage=storage, name="EXP", load_if_exists=True)


class _CountingRng:
    """Wraps Study.rng to record which trial numbers built a generator."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.numbers: list[int] = []
        original = Study.rng

        def rng(study: Study, number: int) -> np.random.Generator:
            self.numbers.append(number)
            return original(study, number)

        monkeypatch.setattr(Study, "rng", rng)


def test_grid_in_grid_order_builds_no_generator_per_trial(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GridSampler(shuffle=False) never draws: the study builds one idle
    # generator for it instead of one per trial (a SeedSequence hash each).
    counting = _CountingRng(monkeypatch)
    study = Study({"a": [1, 2, 3], "b": [4, 5]}, sampler=GridSampler(), seed=0)
    asked = [study.ask().params for _ in range(6)]
    assert asked == [dict(p) for p in ParameterGrid({"a": [1, 2, 3], "b": [4, 5]})]
    assert counting.numbers == [0]


def test_shuffled_grid_and_grid_subclasses_get_each_trials_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    space = {"a": list(range(10)), "b": [4, 5]}
    counting = _CountingRng(monkeypatch)
    study = Study(space, sampler=GridSampler(shuffle=True), seed=3)
    asked = [study.ask() for _ in range(5)]
    assert counting.numbers == [0, 1, 2, 3, 4]
    history: list[Trial] = []
    for k, trial in enumerate(asked):  # trial k drew from rng([seed, k])
        expected = GridSampler(shuffle=True).ask(
            SearchSpace.from_user(space), tuple(history), np.random.default_rng([3, k])
        )
        assert same_params(trial.params, expected)
        history.append(trial)

    seen: list[np.random.Generator] = []

    class DrawingGrid(GridSampler):
        def ask(self, space: Any, history: Any, rng: Any) -> dict[str, Any]:
            seen.append(rng)
            return super().ask(space, history, rng)

    counting.numbers.clear()
    study = Study(space, sampler=DrawingGrid(), seed=3)
    for _ in range(3):
        study.ask()
    assert counting.numbers == [0, 1, 2]
    for k, generator in enumerate(seen):
        assert generator.random() == np.random.default_rng([3, k]).random()

    # set_params(shuffle=True) mid-study: the next asks get their own generator.
    sampler = GridSampler()
    study = Study(space, sampler=sampler, seed=3)
    study.ask()
    sampler.set_params(shuffle=True)
    counting.numbers.clear()
    study.ask()
    assert counting.numbers == [1]


def test_replace_trial_is_dataclasses_replace() -> None:
    fold = FoldResult(
        fold=0,
        test_scores={"score": 0.5},
        train_scores=None,
        fit_time=0.1,
        score_time=0.01,
        n_test_samples=10,
    )
    trial = Trial(number=3, params={"x": 1}, started_at=1.0, owner="me", lease_until=2.0)
    for changes in (
        {"fold_results": (fold,)},
        {"state": TrialState.COMPLETE, "value": 0.5, "finished_at": 3.0},
        {"owner": "you", "lease_until": 5.0, "started_at": 1.5},
        {},
    ):
        got = replace_trial(trial, **changes)
        expected = dataclasses.replace(trial, **changes)
        assert got == expected
        assert got is not trial
        assert type(got) is Trial
        assert vars(got) == vars(expected)
    assert trial == Trial(
        number=3, params={"x": 1}, started_at=1.0, owner="me", lease_until=2.0
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        replace_trial(trial, value=1.0).value = 2.0  # type: ignore[misc]
    with pytest.raises(TypeError, match="no field"):
        replace_trial(trial, colour="red")

    @dataclasses.dataclass(frozen=True)
    class Tagged(Trial):
        tag: str = ""

        def __post_init__(self) -> None:
            object.__setattr__(self, "tag", self.tag.upper())

    tagged = replace_trial(Tagged(number=1, params={}, tag="a"), tag="b")
    assert type(tagged) is Tagged
    assert tagged.tag == "B"


def test_study_takes_a_database_url_as_a_search_does(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    study = Study({"x": Float(0.0, 1.0)}, storage=url, name="by-url", seed=0)
    trial = study.ask()
    study.tell(trial.number, 0.5)
    again = Study(
        {"x": Float(0.0, 1.0)}, storage=url, name="by-url", seed=0, load_if_exists=True
    )
    assert [t.value for t in again.trials] == [0.5]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda study, trial: study.tell(trial, 0.5),
            r"'number' parameter of Study\.tell must be the int number of a RUNNING "
            r"trial; got Trial\(.*Pass its number: tell\(trial\.number, \.\.\.\) "
            r"\(0 here\)",
        ),
        (
            lambda study, trial: study.tell("0", 0.5),
            r"'number' parameter of Study\.tell .* got '0'\.",
        ),
        (
            lambda study, trial: study.ask(max_trials="3"),
            r"'max_trials' parameter of Study\.ask must be an int >= 0 or None; got '3'",
        ),
    ],
)
def test_study_calls_name_the_bad_argument(call, match):
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    trial = study.ask()
    with pytest.raises(InvalidParameterError, match=match):
        call(study, trial)
    assert study.trials[0].state is TrialState.RUNNING  # nothing was written


@pytest.mark.parametrize("lease_seconds", [-1, 0, float("nan"), float("inf"), "60", True])
def test_study_refuses_a_lease_that_is_not_a_positive_number(lease_seconds):
    with pytest.raises(InvalidParameterError, match="'lease_seconds' parameter of Study"):
        Study({"x": Float(0.0, 1.0)}, lease_seconds=lease_seconds)
