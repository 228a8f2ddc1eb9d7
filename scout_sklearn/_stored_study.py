"""Studies read back from a storage for analysis, and the best-trial lookup.

:func:`load_study` and :func:`list_studies` open a storage read-only and
give :class:`StoredStudy` objects: no data, no estimator, nothing
unpickled. ``_BestOfTrials`` (best trial, params and value) is shared with
:class:`scout_sklearn._study.Study`. Split from ``_study.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scout_sklearn._trial import Trial

__all__ = ["StoredStudy", "list_studies", "load_study"]


class _BestOfTrials:
    """``best_trial``, ``best_params`` and ``best_value`` over ``self.trials``."""

    name: str

    if TYPE_CHECKING:

        @property
        def trials(self) -> tuple[Trial, ...]: ...

    @property
    def best_trial(self) -> Trial:
        """The COMPLETE trial with the highest value (the lowest number on ties)."""
        scored = [t for t in self.trials if t.has_value]
        if not scored:
            raise ValueError(
                f"Study {self.name!r} has no COMPLETE trial with a finite value yet."
            )
        return max(scored, key=lambda t: (t.value, -t.number))

    @property
    def best_params(self) -> dict[str, Any]:
        """Params of :attr:`best_trial`."""
        return dict(self.best_trial.params)

    @property
    def best_value(self) -> float:
        """Value of :attr:`best_trial`."""
        value = self.best_trial.value
        assert value is not None  # has_value guarantees it
        return value


@dataclasses.dataclass(frozen=True)
class StoredStudy(_BestOfTrials):
    """A study read back from a storage, for analysis: no data, no estimator.

    Params are shown as stored: numbers, strings, booleans and None as they
    are, any other categorical choice (an estimator, a tuple) as its
    readable text. Nothing is unpickled.

    Attributes
    ----------
    name : str
    seed : int
    space : list of dict
        JSON description of the search space.
    fingerprint : dict
        What the study was created for (data, estimator, splits, scoring).
    created_at : float
    trials : tuple of Trial
    """

    name: str
    seed: int
    space: list[dict[str, Any]]
    fingerprint: dict[str, Any]
    created_at: float
    trials: tuple[Trial, ...]


def load_study(storage: Any, study_name: str) -> StoredStudy:
    """Read a stored study and its trials, without the data it was fitted on.

    Parameters
    ----------
    storage : str or Storage
        A database URL (e.g. ``"sqlite:///scout.db"``), opened read-only
        (nothing is created there), or a storage object.
    study_name : str
        The study's name; :func:`list_studies` gives the names.

    Returns
    -------
    study : StoredStudy
    """
    from scout_sklearn.storage._open import open_storage

    opened = open_storage(storage, owner="load_study", read_only=True)
    record = opened.load_study(study_name)
    if record is None:
        names = [r.name for r in opened.list_studies()]
        raise KeyError(
            f"No study named {study_name!r} in {opened!r}; the studies there are {names}."
        )
    trials, _ = opened.read_trials(study_name)
    readable = tuple(
        dataclasses.replace(t, params={k: _readable(v) for k, v in t.params.items()})
        for t in trials
    )
    return StoredStudy(
        name=record.name,
        seed=record.seed,
        space=record.space,
        fingerprint=record.fingerprint,
        created_at=record.created_at,
        trials=readable,
    )


def list_studies(storage: Any) -> list[str]:
    """Names of the studies in ``storage`` (a URL or a storage), oldest first.

    A URL is opened read-only: nothing is created there (a SQLite file that
    does not exist has no studies, and stays absent).
    """
    from scout_sklearn.storage._open import open_storage

    try:
        opened = open_storage(storage, owner="list_studies", read_only=True)
        return [r.name for r in opened.list_studies()]
    except (LookupError, FileNotFoundError):
        # A database no search has written to, or a SQLite file that does
        # not exist yet (a script asking whether to resume): no studies,
        # and nothing created.
        return []


def _readable(value: Any) -> Any:
    if isinstance(value, Mapping) and "repr" in value:
        return value["repr"]
    return value
