"""The storage interface: where a study's trials live."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from scout_sklearn._trial import FoldResult, Trial, TrialState

__all__ = ["Storage", "StudyRecord"]


@dataclass(frozen=True)
class StudyRecord:
    """What a storage keeps about a study besides its trials.

    Parameters
    ----------
    name : str
        Unique within a storage.
    seed : int
        Root seed: trial *k* draws from ``numpy.random.default_rng([seed, k])``.
    space : list of dict
        JSON description of the search space (``SearchSpace.to_json()``).
    created_at : float
        Seconds since the epoch.
    fingerprint : dict, default={}
        JSON description of what defines the study (data, estimator, space,
        CV splits, scoring); a search resuming the study must match it.
    """

    name: str
    seed: int
    space: list[dict[str, Any]]
    created_at: float
    fingerprint: dict[str, Any] = field(default_factory=dict)


class Storage(ABC):
    """Persistence of studies and their trials.

    Only the process that drives a search writes; every method is one short
    transaction. Implementations pass the shared contract suite in
    ``tests/contracts/storage.py``.

    Changes are stamped with a counter that grows with every write, so a
    reader can ask only for what changed since it last looked
    (:meth:`read_trials`).

    Params, scores and records are JSON values: a storage never pickles.

    Leases: a RUNNING trial is held by an ``owner`` until ``lease_until``.
    Writes that pass ``owner`` succeed only while that owner holds the
    trial, and raise :class:`~scout_sklearn.exceptions.LeaseLost` otherwise,
    so a worker that comes back after its trial was reclaimed cannot
    overwrite the reclaiming worker's results.
    """

    #: Whether params must be JSON values (a persistent storage); the study
    #: then stores categorical objects by index. In-memory storages keep the
    #: objects themselves.
    stores_json: ClassVar[bool] = True

    #: Seconds a worker holds a RUNNING trial without renewing its lease.
    lease_seconds: float = 60.0

    def __deepcopy__(self, memo: dict[int, Any]) -> Storage:
        # A storage is a handle on shared state, not a value: sklearn's clone
        # (which deep-copies non-estimator parameters) must keep sharing it.
        return self

    @abstractmethod
    def create_study(self, record: StudyRecord) -> None:
        """Create a study; raise ``DuplicatedStudyError`` if the name is taken."""

    @abstractmethod
    def load_study(self, name: str) -> StudyRecord | None:
        """The study called ``name``, or None."""

    @abstractmethod
    def list_studies(self) -> list[StudyRecord]:
        """Every study, oldest first."""

    @abstractmethod
    def create_trial(self, study: str, trial: Trial) -> None:
        """Store a new RUNNING trial under ``trial.number``, with its owner and lease.

        Raises ``TrialNumberTaken`` if that number exists: numbers are
        claimed atomically, so concurrent writers never share one. Raises
        ``KeyError`` for an unknown study.
        """

    @abstractmethod
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
        """Take over a RUNNING trial held by ``expected_owner``; return it, or None.

        Atomic compare-and-set: it succeeds only if the trial is still
        RUNNING, still held by ``expected_owner`` (the caller decided that
        owner is gone, or the trial was enqueued with no owner) and, when
        ``expired_at`` is given, its lease ended at or before ``expired_at``
        (a heartbeat that landed meanwhile wins). The recorded folds are
        kept, so the new owner runs only the missing ones; a trial that was
        never started (an enqueued one) gets its ``started_at`` now. Returns
        None when another writer changed the trial first.
        """

    @abstractmethod
    def record_fold(
        self, study: str, number: int, fold_result: FoldResult, *, owner: str | None = None
    ) -> Trial:
        """Append a fold result to a RUNNING trial and return the trial.

        Raises ``TrialStateError`` if the trial is finished, and ``LeaseLost``
        if ``owner`` is given and no longer holds the trial.
        """

    @abstractmethod
    def finish_trial(
        self,
        study: str,
        number: int,
        state: TrialState,
        value: float | None,
        *,
        owner: str | None = None,
    ) -> Trial:
        """Move a RUNNING trial to a terminal state and return it.

        Raises ``TrialStateError`` if it is not RUNNING or ``state`` is not
        terminal, and ``LeaseLost`` if ``owner`` is given and no longer holds
        the trial.
        """

    @abstractmethod
    def heartbeat(self, study: str, owner: str, lease_until: float) -> int:
        """Extend to ``lease_until`` the lease of every RUNNING trial ``owner`` holds.

        One write whatever the number of trials; returns how many it renewed.
        Renewed trials count as changed for :meth:`read_trials`.
        """

    def claim_lock(self, study: str) -> contextlib.AbstractContextManager[None]:
        """Keep other workers from claiming a trial number of ``study`` meanwhile.

        :meth:`Study.ask` reads the trials, asks the sampler and creates
        trial number ``len(trials)`` inside this block. Without it, workers
        sharing a study race for each number and the losers ask again
        (:class:`~scout_sklearn.exceptions.TrialNumberTaken`), which stays
        correct but wastes round trips when many workers share a server.
        The lock is an optimisation only: a storage may give up waiting for
        it and let the caller go on unprotected. The default does nothing.
        """
        return contextlib.nullcontext()

    @abstractmethod
    def read_trials(self, study: str, since: int = 0) -> tuple[list[Trial], int]:
        """Trials changed after stamp ``since``, in number order, and the new stamp.

        ``read_trials(study)`` returns every trial.
        """


def check_running(trial: Trial, study: str, action: str, owner: str | None) -> None:
    """Raise unless ``trial`` is RUNNING and, when ``owner`` is given, held by it.

    Every storage applies this rule before a write to a trial. The owner is
    checked first: a late write to a trial that the reclaiming worker has
    since finished is a lost lease, not a state error.
    """
    from scout_sklearn._trial import TrialState
    from scout_sklearn.exceptions import LeaseLost, TrialStateError

    if owner is not None and trial.owner is None and trial.state is TrialState.RUNNING:
        raise LeaseLost(
            f"Cannot {action} trial {trial.number} of study {study!r}: it is enqueued "
            f"and held by nobody, not by {owner!r}. Take it with Study.reclaim() "
            "first (which returns it), then evaluate its params and tell it."
        )
    if owner is not None and trial.owner != owner:
        raise LeaseLost(
            f"Cannot {action} trial {trial.number} of study {study!r}: {owner!r} no "
            f"longer holds it ({trial.owner!r} does)."
        )
    if trial.state is not TrialState.RUNNING:
        raise TrialStateError(
            f"Cannot {action} trial {trial.number} of study {study!r}: it is "
            f"{trial.state.name}, not RUNNING."
        )
