"""Exceptions and warnings raised by scout-sklearn."""

from __future__ import annotations

import os
import sys

__all__ = [
    "DuplicatedStudyError",
    "InvalidParameterError",
    "LeaseLost",
    "SearchSpaceExhausted",
    "StorageFileLost",
    "StudyMismatch",
    "StudyNameClash",
    "TrialNumberTaken",
    "TrialStateError",
    "WorkerDied",
]


class InvalidParameterError(ValueError, TypeError):
    """A parameter given by the user has a wrong type or value.

    It subclasses both ``ValueError`` and ``TypeError`` so that code written
    against scikit-learn's own parameter validation keeps catching it.
    """


class DuplicatedStudyError(ValueError):
    """A study with this name already exists in the storage."""


class StudyNameClash(DuplicatedStudyError):
    """The database takes a new study's name for another study's.

    MySQL and MariaDB compare study names without their trailing spaces:
    ``"exp "`` cannot be created next to ``"exp"``. The message names both.
    """


class LeaseLost(RuntimeError):
    """A worker wrote to a trial it no longer holds.

    Its lease expired and another worker reclaimed the trial; the late
    result is not written over the reclaiming worker's.
    """


class SearchSpaceExhausted(Exception):
    """A sampler has no new params left to propose.

    Raised by :meth:`Sampler.ask <scout_sklearn.samplers.Sampler.ask>` when
    every point of a finite space has been handed to a trial. The search stops
    asking and finishes the trials in flight.
    """


class StudyMismatch(InvalidParameterError):
    """A stored study was created for another search than the one resuming it.

    The message names what changed (data, estimator, CV splits, scoring,
    random_state or the space).
    """


class StorageFileLost(RuntimeError):
    """A storage's SQLite file was deleted or replaced while it was open.

    What would be written next would go to a file no longer on disk, so the
    storage stops; the study keeps the trials it had in memory
    (``search.study_.trials``).
    """


class TrialNumberTaken(Exception):
    """Another writer created a trial with the same number first.

    Storages raise it from ``create_trial``; the study re-reads the history
    and asks again under the next free number.
    """


class TrialStateError(RuntimeError):
    """A trial was moved to a state it cannot reach from its current one.

    For example, a fold result recorded on a trial that is already COMPLETE.
    """


class WorkerDied(RuntimeError):
    """The worker process running a fold died, twice: once, then on a retry.

    Raised only with ``error_score="raise"``; otherwise the fold gets the
    error score, its trial is FAILED with the reason, and the search goes on.
    """


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
# scikit-learn's with_callbacks wraps fit: its frame sits between fit and
# the user's call.
_WRAPPERS = (os.sep + os.path.join("sklearn", "callback") + os.sep,)


def user_stacklevel() -> int:
    """The ``stacklevel`` of a warning issued by the caller that names the user's line.

    Counted from the function that calls :func:`warnings.warn` (level 1):
    the first frame outside scout-sklearn and scikit-learn's callback
    wrapper, however deep inside ``fit`` the warning is issued.
    """
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and (
        os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE)
        or any(part in frame.f_code.co_filename for part in _WRAPPERS)
    ):
        frame = frame.f_back
        level += 1
    return level
