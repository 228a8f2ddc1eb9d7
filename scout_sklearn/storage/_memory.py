"""In-memory storage: the default for a search without a storage URL."""

from __future__ import annotations

import threading
import time
from typing import Any

from scout_sklearn._trial import FoldResult, Trial, TrialState, replace_trial
from scout_sklearn.exceptions import (
    DuplicatedStudyError,
    TrialNumberTaken,
    TrialStateError,
)
from scout_sklearn.storage._base import Storage, StudyRecord, check_running

__all__ = ["MemoryStorage"]


class MemoryStorage(Storage):
    """Keep studies in this process's memory.

    Fast and private to one process; nothing survives the process. Safe to
    use from several threads.

    Examples
    --------
    >>> from scout_sklearn.storage import MemoryStorage
    >>> MemoryStorage().list_studies()
    []
    """

    stores_json = False

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._studies: dict[str, StudyRecord] = {}
        self._trials: dict[str, list[Trial]] = {}
        # The change log: write number ``s`` (from 1) changed trial
        # ``_log[s - 1]``; a reader asks for what changed after a stamp.
        self._log: list[tuple[str, int]] = []

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def create_study(self, record: StudyRecord) -> None:
        with self._lock:
            if record.name in self._studies:
                raise DuplicatedStudyError(f"A study named {record.name!r} already exists.")
            self._studies[record.name] = record
            self._trials[record.name] = []

    def load_study(self, name: str) -> StudyRecord | None:
        return self._studies.get(name)

    def list_studies(self) -> list[StudyRecord]:
        return sorted(self._studies.values(), key=lambda r: r.created_at)

    def create_trial(self, study: str, trial: Trial) -> None:
        with self._lock:
            trials = self._trials_of(study)
            if trial.number < len(trials):
                raise TrialNumberTaken(
                    f"Trial number {trial.number} of study {study!r} is taken."
                )
            if trial.number != len(trials) or trial.state is not TrialState.RUNNING:
                raise ValueError(
                    f"Trials are created RUNNING with the next number "
                    f"({len(trials)}); got number {trial.number}, state "
                    f"{trial.state.name}."
                )
            trials.append(trial)
            self._log.append((study, trial.number))

    def reclaim_trial(
        self,
        study: str,
        number: int,
        *,
        expected_owner: str | None,
        owner: str,
        lease_until: float,
        expired_at: float | None = None,
    ) -> Trial | None:
        with self._lock:
            trial = self._trial(study, number)
            if trial.state is not TrialState.RUNNING or trial.owner != expected_owner:
                return None
            if expired_at is not None and (trial.lease_until or 0.0) > expired_at:
                return None
            updated = replace_trial(
                trial,
                owner=owner,
                lease_until=lease_until,
                started_at=time.time() if trial.started_at is None else trial.started_at,
            )
            self._replace(study, updated)
            return updated

    def record_fold(
        self, study: str, number: int, fold_result: FoldResult, *, owner: str | None = None
    ) -> Trial:
        with self._lock:
            trial = self._running_trial(study, number, "record a fold result on", owner)
            updated = replace_trial(trial, fold_results=(*trial.fold_results, fold_result))
            self._replace(study, updated)
            return updated

    def finish_trial(
        self,
        study: str,
        number: int,
        state: TrialState,
        value: float | None,
        *,
        owner: str | None = None,
    ) -> Trial:
        if not state.is_finished:
            raise TrialStateError(f"Cannot finish trial {number} as {state.name}.")
        with self._lock:
            trial = self._running_trial(study, number, "finish", owner)
            updated = replace_trial(
                trial, state=state, value=value, finished_at=time.time()
            )
            self._replace(study, updated)
            return updated

    def heartbeat(self, study: str, owner: str, lease_until: float) -> int:
        with self._lock:
            held = [
                t
                for t in self._trials_of(study)
                if t.state is TrialState.RUNNING and t.owner == owner
            ]
            for trial in held:
                self._replace(study, replace_trial(trial, lease_until=lease_until))
            return len(held)

    def read_trials(self, study: str, since: int = 0) -> tuple[list[Trial], int]:
        with self._lock:
            trials = self._trials_of(study)
            numbers = sorted({n for s, n in self._log[since:] if s == study})
            return [trials[n] for n in numbers], len(self._log)

    # -- helpers (called with the lock held) --------------------------------
    def _trials_of(self, study: str) -> list[Trial]:
        try:
            return self._trials[study]
        except KeyError:
            raise KeyError(f"No study named {study!r} in this storage.") from None

    def _trial(self, study: str, number: int) -> Trial:
        trials = self._trials_of(study)
        if not 0 <= number < len(trials):
            raise KeyError(f"Study {study!r} has no trial number {number}.")
        return trials[number]

    def _running_trial(
        self, study: str, number: int, action: str, owner: str | None
    ) -> Trial:
        trial = self._trial(study, number)
        check_running(trial, study, action, owner)
        return trial

    def _replace(self, study: str, trial: Trial) -> None:
        self._trials[study][trial.number] = trial
        self._log.append((study, trial.number))
