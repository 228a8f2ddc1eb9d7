"""Declarative parameter constraints and their messages."""

from __future__ import annotations

import numbers
import re
from typing import Any

import numpy as np
import pytest

from scout_sklearn._constraints import (
    Boolean,
    HasMethods,
    InstanceOf,
    Interval,
    IsCallable,
    IsNone,
    Options,
    Predicate,
    validate_params,
)
from scout_sklearn.exceptions import InvalidParameterError

N_TRIALS = {"n_trials": [Interval(numbers.Integral, 1, None, closed="left"), IsNone()]}


def test_message_has_the_documented_shape() -> None:
    expected = (
        "The 'n_trials' parameter of ScoutSearchCV must be an int in the range "
        "[1, inf) or None. Got 0 instead."
    )
    with pytest.raises(InvalidParameterError, match=re.escape(expected)):
        validate_params("ScoutSearchCV", {"n_trials": 0}, N_TRIALS)


def test_error_is_both_a_value_error_and_a_type_error() -> None:
    # Code written against sklearn's own validation catches either.
    with pytest.raises(ValueError, match="n_trials"):
        validate_params("ScoutSearchCV", {"n_trials": 0}, N_TRIALS)
    with pytest.raises(TypeError, match="n_trials"):
        validate_params("ScoutSearchCV", {"n_trials": "10"}, N_TRIALS)


@pytest.mark.parametrize("value", [1, 10, np.int64(5), None, 10**30])
def test_accepted_values_pass(value: Any) -> None:
    validate_params("ScoutSearchCV", {"n_trials": value}, N_TRIALS)


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (-3, "-3"), (2.0, "2.0"), (True, "True"), ("10", "'10'")]
)
def test_rejected_values_are_shown_with_repr(value: Any, shown: str) -> None:
    with pytest.raises(InvalidParameterError, match=rf"Got {re.escape(shown)} instead\.$"):
        validate_params("ScoutSearchCV", {"n_trials": value}, N_TRIALS)


def test_the_first_failing_parameter_is_reported() -> None:
    table = {
        "a": [Interval(numbers.Real, 0, 1)],
        "b": [Boolean()],
        "c": [Options(["x", "y"])],
    }
    with pytest.raises(InvalidParameterError, match=r"^The 'b' parameter of Owner"):
        validate_params("Owner", {"a": 0.5, "b": "yes", "c": "z"}, table)
    validate_params("Owner", {"a": 0.5, "b": False, "c": "x", "extra": object()}, table)


def test_three_alternatives_are_joined_with_commas_and_or() -> None:
    table = {"cv": [Interval(numbers.Integral, 2, None), HasMethods("split"), IsNone()]}
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'cv' parameter of Search must be an int in the range [2, inf), an "
            "object implementing 'split' or None. Got 1 instead."
        ),
    ):
        validate_params("Search", {"cv": 1}, table)


# -- Interval ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("constraint", "text"),
    [
        (
            Interval(numbers.Integral, 1, None, closed="left"),
            "an int in the range [1, inf)",
        ),
        (Interval(numbers.Real, 0, 1), "a float in the range [0, 1]"),
        (Interval(numbers.Real, 0, 1, closed="neither"), "a float in the range (0, 1)"),
        (Interval(numbers.Real, 0, 1, closed="left"), "a float in the range [0, 1)"),
        (Interval(numbers.Real, 0, 1, closed="right"), "a float in the range (0, 1]"),
        (
            Interval(numbers.Real, None, 0.5, closed="both"),
            "a float in the range (-inf, 0.5]",
        ),
        (Interval(numbers.Real, None, None), "a float in the range (-inf, inf)"),
        (Interval(numbers.Real, 0.25, 2.5), "a float in the range [0.25, 2.5]"),
    ],
)
def test_interval_describe(constraint: Interval, text: str) -> None:
    assert constraint.describe() == text


@pytest.mark.parametrize(
    ("closed", "at_low", "at_high"),
    [
        ("both", True, True),
        ("left", True, False),
        ("right", False, True),
        ("neither", False, False),
    ],
)
def test_interval_bounds(closed: str, at_low: bool, at_high: bool) -> None:
    constraint = Interval(numbers.Real, 0, 1, closed=closed)
    assert constraint.is_satisfied_by(0) is at_low
    assert constraint.is_satisfied_by(1.0) is at_high
    assert constraint.is_satisfied_by(0.5)
    assert constraint.is_satisfied_by(np.float32(0.5))
    assert not constraint.is_satisfied_by(-0.1)
    assert not constraint.is_satisfied_by(1.1)


def test_interval_kind_and_odd_values() -> None:
    integral = Interval(numbers.Integral, 0, None)
    assert integral.is_satisfied_by(np.int32(3))
    assert not integral.is_satisfied_by(3.0)
    assert not integral.is_satisfied_by(True)
    assert not integral.is_satisfied_by(np.bool_(True))
    real = Interval(numbers.Real, None, None)
    assert real.is_satisfied_by(3)
    assert not real.is_satisfied_by(float("nan"))
    assert not real.is_satisfied_by("3")
    assert not real.is_satisfied_by(None)
    assert not real.is_satisfied_by(1j)


def test_interval_handles_integers_too_large_for_a_float() -> None:
    # A valid int in [1, inf), however large, is accepted, not an OverflowError.
    assert Interval(numbers.Integral, 1, None).is_satisfied_by(10**400)
    assert not Interval(numbers.Integral, 1, 10).is_satisfied_by(10**400)
    # A float parameter takes only ints that have a float.
    assert not Interval(numbers.Real, 0, None).is_satisfied_by(10**400)
    assert Interval(numbers.Real, 0, None).is_satisfied_by(10**300)


def test_interval_rejects_an_unknown_closed_value() -> None:
    with pytest.raises(ValueError, match=r"closed.*'borth'"):
        Interval(numbers.Real, 0, 1, closed="borth")


# -- the other constraints -------------------------------------------------------
def test_options() -> None:
    constraint = Options(["sqrt", "auto", "log2"])
    assert constraint.describe() == "a str among {'auto', 'log2', 'sqrt'}"
    assert constraint.is_satisfied_by("auto")
    assert not constraint.is_satisfied_by("Auto")
    assert not constraint.is_satisfied_by(None)
    # Objects whose == returns an array or raises are simply not options.
    assert not constraint.is_satisfied_by(np.array(["auto", "sqrt"]))
    numeric = Options([1, 2], kind="an int")
    assert numeric.describe() == "an int among {1, 2}"
    with pytest.raises(
        InvalidParameterError, match=r"must be an int among \{1, 2\}\. Got 3"
    ):
        validate_params("Owner", {"k": 3}, {"k": [numeric]})


def test_instance_of() -> None:
    constraint = InstanceOf(int, str)
    assert constraint.describe() == "an instance of 'int' or 'str'"
    assert constraint.is_satisfied_by(3)
    assert constraint.is_satisfied_by("a")
    assert not constraint.is_satisfied_by(True)  # bool is an int subclass, excluded
    assert InstanceOf(bool).is_satisfied_by(True)
    assert not constraint.is_satisfied_by(3.0)
    described = InstanceOf(dict, description="a dict of metadata")
    assert described.describe() == "a dict of metadata"


def test_has_methods() -> None:
    class Splitter:
        def split(self) -> None: ...

        get_n_splits = None

    constraint = HasMethods("split", "get_n_splits")
    assert constraint.describe() == "an object implementing 'split', 'get_n_splits'"
    assert not constraint.is_satisfied_by(Splitter())
    Splitter.get_n_splits = lambda self: 3  # type: ignore[assignment]
    assert constraint.is_satisfied_by(Splitter())
    assert not constraint.is_satisfied_by(None)
    assert not constraint.is_satisfied_by(Splitter)  # the class, not an instance


def test_predicate_callable_boolean_none() -> None:
    even = Predicate(lambda v: isinstance(v, int) and v % 2 == 0, "an even int")
    assert even.describe() == "an even int"
    assert even.is_satisfied_by(4)
    assert not even.is_satisfied_by(3)
    assert IsCallable().describe() == "a callable"
    assert IsCallable().is_satisfied_by(len)
    assert not IsCallable().is_satisfied_by("len")
    assert Boolean().describe() == "a bool"
    assert Boolean().is_satisfied_by(np.bool_(False))
    assert not Boolean().is_satisfied_by(0)
    assert IsNone().describe() == "None"
    assert IsNone().is_satisfied_by(None)
    assert not IsNone().is_satisfied_by(0)


@pytest.mark.parametrize(
    ("constraints", "value", "message"),
    [
        (
            [Boolean()],
            "yes",
            "The 'p' parameter of Owner must be a bool. Got 'yes' instead.",
        ),
        (
            [IsCallable(), IsNone()],
            3,
            "The 'p' parameter of Owner must be a callable or None. Got 3 instead.",
        ),
        (
            [InstanceOf(str), Options([1, 2], kind="an int")],
            3.5,
            "The 'p' parameter of Owner must be an instance of 'str' or an int among "
            "{1, 2}. Got 3.5 instead.",
        ),
        (
            [Predicate(callable, "a scorer or None")],
            [1],
            "The 'p' parameter of Owner must be a scorer or None. Got [1] instead.",
        ),
    ],
)
def test_each_constraint_message(constraints: list[Any], value: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        validate_params("Owner", {"p": value}, {"p": constraints})
