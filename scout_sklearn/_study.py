"""Study: the trials of one named search, kept in a storage, with ask/tell."""

from __future__ import annotations

import contextlib
import functools
import math
import numbers
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from scout_sklearn._stored_study import _BestOfTrials
from scout_sklearn._trial import FoldResult, Trial, TrialState, replace_trial
from scout_sklearn.distributions import SearchSpace
from scout_sklearn.exceptions import (
    DuplicatedStudyError,
    InvalidParameterError,
    SearchSpaceExhausted,
    StorageFileLost,
    StudyMismatch,
    StudyNameClash,
    TrialNumberTaken,
)
from scout_sklearn.reporting import logger
from scout_sklearn.samplers import RandomSampler, Sampler
from scout_sklearn.storage import MemoryStorage, Storage, StudyRecord

__all__ = ["Study", "TrialLimitReached"]

# Claiming a trial number can lose a race against another writer; each loss
# means someone else made progress, so a bounded retry always suffices in
# practice.
_MAX_CLAIM_ATTEMPTS = 100


class TrialLimitReached(Exception):
    """The study already has as many trials as the caller allows."""


class Study(_BestOfTrials):
    """The trials of one search, with an ask/tell interface.

    ``ScoutSearchCV`` drives a study for you; use one directly to search any
    objective, cross-validated or not.

    Parameters
    ----------
    space : SearchSpace or dict or list of dicts
        What to search, in any form :meth:`SearchSpace.from_user` accepts.
    sampler : Sampler, default=None
        Decides the params of each new trial; ``RandomSampler()`` when None.
    storage : Storage or str, default=None
        Where trials are kept: a storage, a database URL (as
        ``ScoutSearchCV(storage=...)`` takes), or a private
        :class:`MemoryStorage` when None.
    name : str, default=None
        The study's name in the storage; a fresh unique one when None.
    seed : int, default=None
        Root seed: trial *k* gets ``numpy.random.default_rng([seed, k])``.
        When None, one is drawn from the operating system and kept with the
        study, so the study stays reproducible once created. A resumed study
        keeps its stored seed.
    load_if_exists : bool, default=False
        If ``storage`` already has a study called ``name``, resume it
        (continue its trials) instead of raising ``DuplicatedStudyError``.
    fingerprint : dict, default=None
        JSON description of what defines the search (data, estimator,
        splits, scoring), stored with a new study and compared when one is
        resumed: a difference raises ``StudyMismatch`` naming what changed.
    ignore_fingerprint : bool, default=False
        Resume even when the fingerprint (or the seed) differs. The space
        must always match.
    lease_seconds : float, default=None
        How long this study holds its RUNNING trials without renewing them;
        the storage's ``lease_seconds`` (60 s) when None.

    Attributes
    ----------
    seed : int
        The root seed in use.

    Examples
    --------
    >>> from scout_sklearn import Float, Study
    >>> study = Study({"x": Float(-5.0, 5.0)}, seed=0)
    >>> for _ in range(20):
    ...     trial = study.ask()
    ...     _ = study.tell(trial.number, -(trial.params["x"] - 1.0) ** 2)
    >>> len(study.trials), abs(study.best_params["x"] - 1.0) < 1.0
    (20, True)
    """

    def __init__(
        self,
        space: Any,
        *,
        sampler: Sampler | None = None,
        storage: Storage | str | None = None,
        name: str | None = None,
        seed: int | None = None,
        load_if_exists: bool = False,
        fingerprint: Mapping[str, Any] | None = None,
        ignore_fingerprint: bool = False,
        lease_seconds: float | None = None,
    ) -> None:
        self.space = SearchSpace.from_user(space)
        if sampler is not None and not isinstance(sampler, Sampler):
            raise InvalidParameterError(
                f"The 'sampler' parameter of Study must be a Sampler instance or "
                f"None. Got {sampler!r} instead."
            )
        self.sampler: Sampler = sampler if sampler is not None else RandomSampler()
        self.sampler.check_space(self.space)
        if storage is None:
            self.storage: Storage = MemoryStorage()
        else:
            from scout_sklearn.storage._open import open_storage

            self.storage = open_storage(storage, owner="Study")  # a URL or a Storage
        if name is not None and not (
            isinstance(name, str) and 0 < len(name) <= 255 and "\0" not in name
        ):
            # What every storage can keep (a SQL column of 255 characters).
            raise InvalidParameterError(
                "The 'name' parameter of Study must be a str of 1 to 255 characters "
                f"without NUL characters, or None (a fresh name); got {_short(name)}."
            )
        for flag, flag_value in (
            ("load_if_exists", load_if_exists),
            ("ignore_fingerprint", ignore_fingerprint),
        ):
            if not isinstance(flag_value, (bool, np.bool_)):
                raise InvalidParameterError(
                    f"The '{flag}' parameter of Study must be a bool; got "
                    f"{_short(flag_value)}."
                )
        if fingerprint is not None and not isinstance(fingerprint, Mapping):
            raise InvalidParameterError(
                "The 'fingerprint' parameter of Study must be a dict or None; got "
                f"{_short(fingerprint)}."
            )
        self.name = name if name is not None else f"study-{uuid.uuid4().hex[:12]}"
        if lease_seconds is not None and not (
            isinstance(lease_seconds, numbers.Real)
            and not isinstance(lease_seconds, bool)
            and math.isfinite(lease_seconds)
            and lease_seconds > 0
        ):
            raise InvalidParameterError(
                "The 'lease_seconds' parameter of Study must be a positive number of "
                f"seconds or None (the storage's); got {lease_seconds!r}."
            )
        self.lease_seconds = float(
            self.storage.lease_seconds if lease_seconds is None else lease_seconds
        )
        #: Who this study object is, as the owner of the trials it runs:
        #: ``host:pid:run:token``, ``run`` being this process run's token.
        self.owner = f"{_HOST}:{os.getpid()}:{_process_run()}:{uuid.uuid4().hex[:8]}"
        self._json = self.storage.stores_json
        self._trials: list[Trial] = []
        self._params: dict[int, dict[str, Any]] = {}
        self._foreign_running: set[int] = set()
        #: Per foreign RUNNING trial: its (owner, lease) as first seen, and
        #: when that lease runs out on this process's monotonic clock.
        self._leases_seen: dict[int, tuple[str | None, float | None, float]] = {}
        self._stamp = 0
        self._idle_rng: np.random.Generator | None = None
        #: Results that came back after another worker reclaimed their trial.
        self.late_results: list[tuple[int, FoldResult | None]] = []
        self._stop_requested = False

        wanted = StudyRecord(
            name=self.name,
            seed=_check_seed(seed),
            space=self.space.to_json(),
            created_at=time.time(),
            fingerprint=dict(fingerprint or {}),
        )
        record = self.storage.load_study(self.name)
        if record is None:
            try:
                self.storage.create_study(wanted)
                record = wanted
            except DuplicatedStudyError as error:  # another worker created it just now
                if not load_if_exists:
                    raise
                record = self.storage.load_study(self.name)
                if record is None:
                    if isinstance(error, StudyNameClash):
                        raise
                    raise DuplicatedStudyError(
                        f"{self.storage!r} refused to create study {self.name!r} "
                        "as a duplicate, yet holds no study of exactly that name "
                        "to resume (deleted meanwhile, or a database that compares "
                        "names differently, e.g. ignoring case or trailing spaces). "
                        "Choose another study name."
                    ) from error
        elif not load_if_exists:
            raise DuplicatedStudyError(
                f"A study named {self.name!r} already exists in {self.storage!r}. "
                "Pass load_if_exists=True to resume it, or choose another name."
            )
        if record is not wanted:
            self._check_resumable(record, seed, wanted, ignore_fingerprint)
        self.seed = record.seed
        self.fingerprint = record.fingerprint

    def _check_resumable(
        self,
        stored: StudyRecord,
        seed: int | None,
        wanted: StudyRecord,
        ignore_fingerprint: bool,
    ) -> None:
        where = f"Study {self.name!r} in {self.storage!r}"
        if stored.space != wanted.space:
            raise StudyMismatch(
                f"{where} searches another space: stored {stored.space}, given "
                f"{wanted.space}. Its trials cannot be read in this space; choose "
                "another study name for this search."
            )
        if ignore_fingerprint:
            return
        changed = [
            key
            for key in sorted(set(stored.fingerprint) | set(wanted.fingerprint))
            if stored.fingerprint.get(key) != wanted.fingerprint.get(key)
        ]
        if seed is not None and int(seed) != stored.seed:
            changed.append("random_state")
        if changed:
            details = "; ".join(
                f"{key}: stored {_short(stored.fingerprint.get(key))}, now "
                f"{_short(wanted.fingerprint.get(key))}"
                for key in changed
                if key != "random_state"
            )
            if "random_state" in changed:
                details += f"{'; ' if details else ''}random_state: stored seed "
                details += f"{stored.seed}, now {seed}"
            raise StudyMismatch(
                f"{where} was created for a different search: "
                f"{', '.join(changed)} changed ({details}). Resuming would mix "
                "trials of two problems. Use another study name, or pass "
                "ignore_fingerprint=True to resume anyway."
            )

    # -- reading --------------------------------------------------------------
    @property
    def trials(self) -> tuple[Trial, ...]:
        """Every trial, in number order.

        If the storage's file was deleted or replaced (the fit failed with
        StorageFileLost), the trials this study holds in memory.
        """
        with contextlib.suppress(StorageFileLost):
            self._refresh()
        return tuple(self._trials)

    @property
    def stop_requested(self) -> bool:
        """Whether :meth:`stop` was called since the search started."""
        return self._stop_requested

    def stop(self) -> None:
        """Ask the search driving this study to start no new trial.

        Call it from a callback (``ScoutSearchCV(callbacks=[...])``): the
        search finishes the trials already running, then stops, and ``fit``
        returns normally with what finished. Other workers sharing the
        storage are not stopped.
        """
        self._stop_requested = True

    def rng(self, number: int) -> np.random.Generator:
        """The random generator of trial ``number``."""
        return np.random.default_rng([self.seed, number])

    # -- writing --------------------------------------------------------------
    def ask(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        max_trials: int | None = None,
        view: Callable[[tuple[Trial, ...]], Sequence[Trial]] | None = None,
    ) -> Trial:
        """Start a new RUNNING trial.

        Parameters
        ----------
        params : dict, default=None
            Evaluate these params (they must lie in the space) instead of
            asking the sampler.
        max_trials : int, default=None
            Refuse to start trial number ``max_trials`` or beyond, counting
            every worker's trials: raise :class:`TrialLimitReached`.
        view : callable, default=None
            Maps the study's trials to the history the sampler sees (one
            entry per trial, in the same order); a pruned search shows every
            trial at one budget this way. None shows the trials as they are.

        Returns
        -------
        trial : Trial
            The new trial, with its number and params.

        Raises
        ------
        SearchSpaceExhausted
            When the sampler has nothing new to propose.
        TrialLimitReached
            When the study already has ``max_trials`` trials.
        """
        if max_trials is not None and not _is_count(max_trials):
            raise InvalidParameterError(
                "The 'max_trials' parameter of Study.ask must be an int >= 0 or None; "
                f"got {max_trials!r}."
            )
        if view is not None and not callable(view):
            raise InvalidParameterError(
                "The 'view' parameter of Study.ask must be a callable or None; got "
                f"{_short(view)}."
            )
        if params is not None:
            self._check_params(params, source=lambda: "Study.ask(params=...)")
        with self.storage.claim_lock(self.name):
            for _ in range(_MAX_CLAIM_ATTEMPTS):
                self._refresh()
                number = len(self._trials)
                if max_trials is not None and number >= max_trials:
                    raise TrialLimitReached(
                        f"Study {self.name!r} has {number} trials "
                        f"(max_trials={max_trials})."
                    )
                proposed: Mapping[str, Any]
                if params is None:
                    history = tuple(self._trials)
                    proposed = self._ask_sampler(
                        number, history if view is None else view(history)
                    )
                    # The message names the sampler by its repr: built only on error.
                    self._check_params(
                        proposed,
                        source=functools.partial(self._sampler_source, number),
                    )
                else:
                    proposed = params
                now = time.time()
                trial = Trial(
                    number=number,
                    params=dict(proposed),
                    started_at=now,
                    owner=self.owner,
                    lease_until=now + self.lease_seconds,
                )
                if self._create(trial):
                    return trial
            raise _claim_failed(self.name)

    def enqueue(self, params: Mapping[str, Any]) -> Trial:
        """Queue ``params`` to be evaluated before the sampler is asked again.

        The trial is created at once, RUNNING and held by nobody; the next
        worker that looks for work (:meth:`reclaim`) takes it, and only one
        does when several race for it. :meth:`ask` does not take it: in a
        loop of your own, call :meth:`reclaim` first and tell the trial it
        returns (telling the queued trial before that raises ``LeaseLost``).
        Use it to evaluate known-good params first, such as the estimator's
        defaults.
        """
        self._check_params(params, source=lambda: "Study.enqueue(params=...)")
        with self.storage.claim_lock(self.name):
            for _ in range(_MAX_CLAIM_ATTEMPTS):
                self._refresh()
                number = len(self._trials)
                trial = Trial(number=number, params=dict(params))
                if self._create(trial):
                    return trial
            raise _claim_failed(self.name)

    def record(self, number: int, fold_result: FoldResult) -> Trial:
        """Add one finished fold to RUNNING trial ``number``.

        Raises ``LeaseLost`` if another worker reclaimed the trial meanwhile.
        """
        return self._keep(
            self.storage.record_fold(self.name, number, fold_result, owner=self.owner)
        )

    def reclaim(self) -> Trial | None:
        """Take over one orphaned RUNNING trial, or return None.

        An orphan is a RUNNING trial whose owner's lease has expired, whose
        owner is a process of this host that no longer exists (a search
        killed and started again), or that nobody holds (an enqueued trial).
        The trial keeps its recorded folds; the caller runs the missing ones.
        """
        if self._stamp == 0:  # first look at a resumed study
            self._refresh()
        # Otherwise the trials as last read (every ask reads the changes):
        # a lease renewed since is caught by the compare-and-set below.
        if not self._foreign_running:
            return None
        now = time.time()
        for number in list(self._leases_seen):
            if number not in self._foreign_running:
                del self._leases_seen[number]
        for number in sorted(self._foreign_running):
            trial = self._trials[number]
            orphan, check_lease = _is_orphan(
                trial, functools.partial(self._ran_out, now=now)
            )
            if not orphan:
                continue
            taken = self.storage.reclaim_trial(
                self.name,
                number,
                expected_owner=trial.owner,
                owner=self.owner,
                lease_until=now + self.lease_seconds,
                # Not renewed since it was seen: the compare-and-set takes the
                # lease as read, whatever the clocks say now.
                expired_at=(trial.lease_until or 0.0) if check_lease else None,
            )
            if taken is not None:
                logger.info(
                    "Reclaimed trial %d of study %r from %s (%d folds already done)",
                    number,
                    self.name,
                    trial.owner or "the queue",
                    len(taken.fold_results),
                )
                return self._keep(taken)
        return None

    def _ran_out(self, trial: Trial, *, now: float) -> bool:
        """Whether ``trial``'s lease has run out, timed on the monotonic clock.

        A lease is stored as a wall-clock time, for workers on other
        machines; a step of a wall clock must not decide alone. The lease's
        time left is read once, when this study first sees it (as
        ``lease_until - now``, at most ``lease_seconds``: more means a clock
        stepped back, or ahead on the owner's machine), and runs out on this
        process's monotonic clock, which no step changes. A lease renewed
        since is a new lease, timed anew. So a jump forward does not hand a
        live owner's trial to another worker, and a jump backward does not
        keep a dead owner's trial for as long as the jump. (A worker that
        first reads a lease after its own clock jumped forward still takes
        it; the owner's late results then go to ``late_results``.)
        """
        lease = trial.lease_until
        seen = self._leases_seen.get(trial.number)
        if seen is None or seen[:2] != (trial.owner, lease):
            left = min(max((lease or 0.0) - now, 0.0), self.lease_seconds)
            seen = (trial.owner, lease, time.monotonic() + left)
            self._leases_seen[trial.number] = seen
        return time.monotonic() >= seen[2]

    @contextlib.contextmanager
    def keep_alive(self) -> Iterator[None]:
        """Renew the leases of this study's RUNNING trials while the block runs.

        A background thread renews them every quarter lease. When the block
        exits with an exception (a crash, ``KeyboardInterrupt``), the leases
        are given up at once so that a rerun or another worker takes the
        unfinished trials over without waiting for them to expire.
        """
        if not self._json:  # a private in-memory study: nobody else to tell
            yield
            return
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.lease_seconds / 4):
                try:
                    self.storage.heartbeat(
                        self.name, self.owner, time.time() + self.lease_seconds
                    )
                except Exception as err:  # noqa: BLE001 - retried at the next beat
                    # Storages time out (SQLStorage's timeout), so a database
                    # that stopped answering shows here within that time.
                    logger.warning("Could not renew the leases of %s: %s", self.owner, err)

        thread = threading.Thread(target=renew, name="scout-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        except BaseException:
            stop.set()
            thread.join()
            with contextlib.suppress(Exception):
                self.storage.heartbeat(self.name, self.owner, 0.0)
            raise
        stop.set()
        thread.join()

    def release(self) -> None:
        """Give up this study object's RUNNING trials at once.

        Their leases are set to have expired, so that a resumed search or
        another worker takes them over (with the folds they finished)
        without waiting. Nothing happens for a private in-memory study.
        """
        if self._json:
            self.storage.heartbeat(self.name, self.owner, 0.0)

    def tell(
        self,
        number: int,
        value: float | None = None,
        *,
        state: TrialState = TrialState.COMPLETE,
    ) -> Trial:
        """Finish RUNNING trial ``number``.

        Parameters
        ----------
        number : int
        value : float, default=None
            The objective (higher is better). Required for COMPLETE. A NaN or
            infinite value is stored as given, but :attr:`best_trial` and the
            samplers count finite values only.
        state : TrialState, default=TrialState.COMPLETE
            COMPLETE, PRUNED or FAILED.

        Returns
        -------
        trial : Trial
            The finished trial.
        """
        if not _is_count(number):
            hint = (
                f" Pass its number: tell(trial.number, ...) ({number.number} here)."
                if isinstance(number, Trial)
                else ""
            )
            raise InvalidParameterError(
                "The 'number' parameter of Study.tell must be the int number of a "
                f"RUNNING trial; got {_short(number)}.{hint}"
            )
        if not isinstance(state, TrialState) or state is TrialState.RUNNING:
            named = isinstance(state, str) and state in ("COMPLETE", "PRUNED", "FAILED")
            hint = f" Use TrialState.{state}." if named else ""
            raise InvalidParameterError(
                f"The 'state' parameter of Study.tell must be a terminal TrialState "
                f"(COMPLETE, PRUNED or FAILED); got state={state!r}.{hint}"
            )
        is_real = type(value) is float or (
            isinstance(value, numbers.Real) and not isinstance(value, bool)
        )
        if state is TrialState.COMPLETE and not is_real:
            raise InvalidParameterError(
                f"A COMPLETE trial needs a real value; got value={value!r}. "
                "Pass state=TrialState.FAILED for a trial that has none."
            )
        if value is not None and not is_real:
            raise InvalidParameterError(
                f"The 'value' parameter of Study.tell must be a real number or None; "
                f"got value={value!r}."
            )
        if value is not None:
            value = float(value)
            if state is not TrialState.COMPLETE and math.isnan(value):
                value = None
        return self._keep(
            self.storage.finish_trial(self.name, number, state, value, owner=self.owner)
        )

    # -- helpers ------------------------------------------------------------
    def _sampler_rng(self, number: int) -> np.random.Generator:
        """What ``sampler.ask`` gets for trial ``number``: :meth:`rng`, when it draws.

        Building a generator costs ~10-15 us (a SeedSequence hash), a third
        of an ask on a grid. A sampler whose ``_uses_rng()`` says it will not
        draw (GridSampler in grid order) gets one idle generator, built once.
        """
        uses_rng = getattr(self.sampler, "_uses_rng", None)
        if uses_rng is None or uses_rng():
            return self.rng(number)
        if self._idle_rng is None:
            self._idle_rng = self.rng(number)
        return self._idle_rng

    def _ask_sampler(self, number: int, history: Sequence[Trial]) -> Mapping[str, Any]:
        try:
            return self.sampler.ask(self.space, history, self._sampler_rng(number))
        except SearchSpaceExhausted:
            raise
        except Exception as error:
            # The traceback ends in the sampler's code; say whose and when.
            if hasattr(error, "add_note"):  # Python 3.11+
                error.add_note(
                    f"{self._sampler_source(number)} raised this while proposing "
                    "its params: nothing was stored for that trial."
                )
            raise

    def _sampler_source(self, number: int) -> str:
        return f"The sampler {self.sampler!r}, for trial {number},"

    def _check_params(
        self, params: Mapping[str, Any], *, source: Callable[[], str]
    ) -> None:
        if not isinstance(params, Mapping):
            raise InvalidParameterError(
                f"{source()} gave {params!r} ({type(params).__name__}) as params; params "
                "must be a dict of parameter name to value."
            )
        if not self.space.contains(params):
            raise InvalidParameterError(
                f"{source()} gave params outside the search space: {dict(params)!r} "
                f"({self.space.explain_mismatch(params)}). Params must name exactly "
                "the parameters of one sub-space, each value inside its distribution."
            )

    def _create(self, trial: Trial) -> bool:
        """Store a new trial under its number; False if another writer has it."""
        stored = trial
        if self._json:
            stored = replace_trial(trial, params=self.space.params_to_json(trial.params))
        try:
            self.storage.create_trial(self.name, stored)
        except TrialNumberTaken:
            return False
        if self._json:  # the live params, for _keep to put back on what is read
            self._params[trial.number] = dict(trial.params)
        self._keep(trial)
        return True

    def _refresh(self) -> None:
        changed, self._stamp = self.storage.read_trials(self.name, since=self._stamp)
        for trial in changed:
            self._keep(trial)

    def _keep(self, trial: Trial) -> Trial:
        number = trial.number
        if self._json:
            params = self._params.get(number)
            if params is None:
                params = self._params[number] = self.space.params_from_json(trial.params)
            trial = replace_trial(trial, params=params)
        if number < len(self._trials):
            self._trials[number] = trial
        elif number == len(self._trials):
            self._trials.append(trial)
        else:  # only reached through _refresh, which reads in number order
            raise RuntimeError(f"Trial {number} of study {self.name!r} read out of order.")
        if trial.state is TrialState.RUNNING and trial.owner != self.owner:
            self._foreign_running.add(number)
        else:
            self._foreign_running.discard(number)
        return trial


_HOST = socket.gethostname()

# This process run's token, with the PID it was drawn for: a process started
# again with the same host name and PID (a restarted container, where the
# search is PID 1 again) is another run, and so is a forked child.
_run_lock = threading.Lock()
_run: tuple[int, str] = (os.getpid(), uuid.uuid4().hex[:12])


def _process_run() -> str:
    """The random token of this process run, drawn anew in a forked child."""
    global _run
    pid = os.getpid()
    if _run[0] != pid:
        with _run_lock:
            if _run[0] != pid:
                _run = (pid, uuid.uuid4().hex[:12])
    return _run[1]


def _new_run_after_fork() -> None:
    global _run, _run_lock
    _run_lock = threading.Lock()  # another thread may have held it at the fork
    _run = (os.getpid(), uuid.uuid4().hex[:12])


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_run_after_fork)


def _is_orphan(trial: Trial, ran_out: Callable[[Trial], bool]) -> tuple[bool, bool]:
    """Whether nobody will finish ``trial``; and whether that rests on its lease.

    An owner is ``host:pid:run:token`` (``host:pid:token`` before the run
    was recorded). An owner of this host is dead when its PID does not
    exist, or when its PID is this process's but its run is not this one's
    (an earlier run of a process started again with the same PID: a
    restarted container). An owner of another host, of this process run, or
    written without a run is judged by its lease.
    """
    if trial.owner is None:
        return True, False
    host, pid, run = _owner_parts(trial.owner)
    if host == _HOST and pid is not None:
        if pid != os.getpid():
            if not _process_exists(pid):
                return True, False
        elif run is not None and run != _process_run():
            return True, False
    return trial.lease_until is not None and ran_out(trial), True


def _owner_parts(owner: str) -> tuple[str, int | None, str | None]:
    """An owner's host, PID (None if unreadable) and run (None if not recorded)."""
    host, _, rest = owner.partition(":")
    fields = rest.split(":")
    pid = int(fields[0]) if fields[0].isascii() and fields[0].isdigit() else None
    run = fields[1] if len(fields) == 3 and fields[1] else None
    return host, pid, run


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def _is_count(value: object) -> bool:
    """Whether ``value`` is an int >= 0 (numpy's too), not a bool."""
    return (
        isinstance(value, numbers.Integral)
        and not isinstance(value, (bool, np.bool_))
        and int(value) >= 0
    )


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _claim_failed(name: str) -> RuntimeError:
    return RuntimeError(
        f"Could not claim a trial number in study {name!r} after "
        f"{_MAX_CLAIM_ATTEMPTS} attempts: other writers took every one."
    )


def _check_seed(seed: object) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and int(seed) >= 0:
        return int(seed)
    raise InvalidParameterError(
        f"The 'seed' parameter of Study must be a non-negative int or None. Got "
        f"{seed!r} instead."
    )
