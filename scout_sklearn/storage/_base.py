"""The storage interface: where a study's trials live."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
    """

    name: str
    seed: int
    space: list[dict[str, Any]]
    created_at: float


class Storage(ABC):
    """Persistence of studies and their trials.

    Only the process that drives a search writes; every method is one short
    transaction. Implementations pass the shared contract suite in
    ``tests/contracts/storage.py``.

    Changes are stamped with a counter that grows with every write, so a
    reader can ask only for what changed since it last looked
    (:meth:`read_trials`).
    """

    @abstractmethod
    def create_study(self, record: StudyRecord) -> None:
        """Create a study; raise ``ValueError`` if the name is taken."""

    @abstractmethod
    def load_study(self, name: str) -> StudyRecord | None:
        """The study called ``name``, or None."""

    @abstractmethod
    def list_studies(self) -> list[StudyRecord]:
        """Every study, oldest first."""

    @abstractmethod
    def create_trial(self, study: str, trial: Trial) -> None:
        """Store a new RUNNING trial under ``trial.number``.

        Raises ``TrialNumberTaken`` if that number exists: numbers are
        claimed atomically, so concurrent writers never share one.
        """

    @abstractmethod
    def record_fold(self, study: str, number: int, fold_result: FoldResult) -> Trial:
        """Append a fold result to a RUNNING trial and return the trial.

        Raises ``TrialStateError`` if the trial is finished.
        """

    @abstractmethod
    def finish_trial(
        self, study: str, number: int, state: TrialState, value: float | None
    ) -> Trial:
        """Move a RUNNING trial to a terminal state and return it.

        Raises ``TrialStateError`` if it is not RUNNING or ``state`` is not
        terminal.
        """

    @abstractmethod
    def heartbeat(self, study: str, number: int) -> None:
        """Record that the owner of a RUNNING trial is alive."""

    @abstractmethod
    def read_trials(self, study: str, since: int = 0) -> tuple[list[Trial], int]:
        """Trials changed after stamp ``since``, in number order, and the new stamp.

        ``read_trials(study)`` returns every trial.
        """
