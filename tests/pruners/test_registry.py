"""make_pruner: None, names and instances; errors that list the names."""

from __future__ import annotations

import re

import pytest

from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import (
    PRUNER_NAMES,
    HyperbandPruner,
    MedianPruner,
    NopPruner,
    Pruner,
    SuccessiveHalvingPruner,
    make_pruner,
)

KNOWN = "['asha', 'hyperband', 'median', 'none', 'sha', 'successive_halving']"


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("none", NopPruner),
        ("median", MedianPruner),
        ("successive_halving", SuccessiveHalvingPruner),
        ("sha", SuccessiveHalvingPruner),
        ("asha", SuccessiveHalvingPruner),
        ("hyperband", HyperbandPruner),
    ],
)
def test_names_build_default_pruners(name: str, cls: type[Pruner]) -> None:
    pruner = make_pruner(name)
    assert type(pruner) is cls
    assert pruner.get_params() == cls().get_params()
    assert make_pruner(name) is not pruner  # a fresh one each time


def test_pruner_names_lists_every_accepted_name() -> None:
    assert str(sorted(PRUNER_NAMES)) == KNOWN
    assert all(issubclass(cls, Pruner) for cls in PRUNER_NAMES.values())


def test_none_means_no_pruning() -> None:
    assert type(make_pruner(None)) is NopPruner


def test_an_instance_is_returned_as_is() -> None:
    pruner = MedianPruner(n_startup_trials=1)
    assert make_pruner(pruner) is pruner


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("medain", " Did you mean 'median'?"),
        ("Median", " Did you mean 'median'?"),
        ("halving", " Did you mean 'successive_halving'?"),
        ("hb", " Did you mean 'hyperband'?"),
        ("hyperbnad", " Did you mean 'hyperband'?"),
        ("nop", " Did you mean 'none'?"),
        ("xyzzy", ""),
    ],
)
def test_an_unknown_name_lists_the_known_ones(name: str, hint: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        make_pruner(name)
    assert str(info.value) == (
        f"The 'pruner' parameter of ScoutSearchCV got the unknown name {name!r}. "
        f"Known names are {KNOWN}.{hint} A Pruner instance or None (no pruning) is "
        "also accepted."
    )


@pytest.mark.parametrize(
    ("spec", "end"),
    [
        (3, "."),
        (MedianPruner, " (a class: pass an instance, e.g. MedianPruner())."),
        (["median"], "."),
    ],
)
def test_another_type_is_rejected(spec: object, end: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        make_pruner(spec, owner="MySearch")
    assert str(info.value) == (
        f"The 'pruner' parameter of MySearch must be a str among {KNOWN}, a Pruner "
        f"instance or None. Got {spec!r} instead{end}"
    )


def test_the_owner_is_named() -> None:
    with pytest.raises(InvalidParameterError, match=re.escape("parameter of MySearch got")):
        make_pruner("nope", owner="MySearch")
