"""Misuse of the public Study ask/tell API, on memory and on a SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scout_sklearn import Float, Study
from scout_sklearn._trial import TrialState
from scout_sklearn.exceptions import InvalidParameterError, LeaseLost


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    return None if request.param == "memory" else f"sqlite:///{tmp_path / 's.db'}"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": ""}, r"'name' parameter of Study .* got ''"),
        ({"name": 3}, r"'name' parameter of Study .* got 3"),
        ({"name": "a\0b"}, r"'name' parameter of Study .*NUL"),
        ({"name": "n" * 256}, r"'name' parameter of Study .*1 to 255"),
        ({"load_if_exists": "no"}, r"'load_if_exists' parameter of Study .* got 'no'"),
        ({"ignore_fingerprint": 1}, r"'ignore_fingerprint' parameter .* got 1"),
        ({"fingerprint": [1]}, r"'fingerprint' parameter of Study .* got \[1\]"),
    ],
)
def test_bad_constructor_arguments_are_refused_before_anything_is_stored(
    storage: str | None, kwargs: dict[str, Any], match: str
) -> None:
    first = Study({"x": Float(0.0, 1.0)}, storage=storage, name="kept", seed=0)
    with pytest.raises(InvalidParameterError, match=match):
        Study({"x": Float(0.0, 1.0)}, storage=first.storage, seed=0, **kwargs)
    assert [record.name for record in first.storage.list_studies()] == ["kept"]


def test_load_if_exists_given_as_a_truthy_string_does_not_resume() -> None:
    first = Study({"x": Float(0.0, 1.0)}, name="kept", seed=0)
    first.tell(first.ask().number, 0.5)
    with pytest.raises(InvalidParameterError, match="load_if_exists"):
        Study(
            {"x": Float(0.0, 1.0)}, storage=first.storage, name="kept", load_if_exists="no"
        )
    assert len(first.trials) == 1


def test_a_view_that_is_not_callable_is_refused_before_a_trial_is_made(
    storage: str | None,
) -> None:
    study = Study({"x": Float(0.0, 1.0)}, storage=storage, seed=0)
    with pytest.raises(
        InvalidParameterError, match=r"'view' parameter of Study.ask .* got 3"
    ):
        study.ask(view=3)  # type: ignore[arg-type]
    assert study.trials == ()


def test_telling_an_enqueued_trial_says_to_reclaim_it_first(storage: str | None) -> None:
    study = Study({"x": Float(0.0, 1.0)}, storage=storage, seed=0)
    queued = study.enqueue({"x": 0.25})
    with pytest.raises(LeaseLost, match=r"trial 0 .*enqueued and held by nobody.*reclaim"):
        study.tell(queued.number, 1.0)
    assert study.trials[0].state is TrialState.RUNNING
    taken = study.reclaim()
    assert taken is not None
    assert taken.params == {"x": 0.25}
    assert study.tell(taken.number, 1.0).state is TrialState.COMPLETE
