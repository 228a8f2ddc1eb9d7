"""Declarative parameter constraints, checked once at the start of ``fit``.

A class declares a table ``{parameter name: [constraint, ...]}`` beside its
constructor; :func:`validate_params` checks every parameter against its list
(a value is valid when any constraint accepts it) and raises one message of
the form::

    The 'n_trials' parameter of ScoutSearchCV must be an int in the range
    [1, inf) or None. Got 0 instead.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np

from scout_sklearn.exceptions import InvalidParameterError

__all__ = [
    "Boolean",
    "Configurable",
    "Constraint",
    "HasMethods",
    "InstanceOf",
    "Interval",
    "IsCallable",
    "IsNone",
    "Options",
    "Predicate",
    "validate_params",
]


def validate_params(
    owner: str,
    params: Mapping[str, Any],
    table: Mapping[str, Sequence[Constraint]],
) -> None:
    """Raise InvalidParameterError for the first parameter no constraint accepts."""
    for name, constraints in table.items():
        value = params[name]
        if any(constraint.is_satisfied_by(value) for constraint in constraints):
            continue
        hint = (
            f" (a class: pass an instance, e.g. {value.__name__}())"
            if isinstance(value, type)
            else ""
        )
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be "
            f"{_join_alternatives([c.describe() for c in constraints])}. "
            f"Got {value!r} instead{hint}."
        )


def _join_alternatives(descriptions: list[str]) -> str:
    if len(descriptions) == 1:
        return descriptions[0]
    return ", ".join(descriptions[:-1]) + " or " + descriptions[-1]


class Constraint(ABC):
    """One acceptable kind of value."""

    @abstractmethod
    def is_satisfied_by(self, value: object) -> bool:
        """Whether ``value`` meets the constraint."""

    @abstractmethod
    def describe(self) -> str:
        """A noun phrase for the error message, e.g. ``"an int"``."""


def _is_bool(value: object) -> bool:
    return isinstance(value, (bool, np.bool_))


class Interval(Constraint):
    """A real or integral number within bounds.

    Parameters
    ----------
    kind : {numbers.Integral, numbers.Real}
    low, high : float or None
        Bounds; None means unbounded.
    closed : {"both", "left", "right", "neither"}
    finite : bool, default=False
        Whether infinities are refused where a bound is None (a parameter
        that only makes sense as a number, such as a weight or a scale).
    """

    def __init__(
        self,
        kind: type,
        low: float | None,
        high: float | None,
        *,
        closed: str = "both",
        finite: bool = False,
    ) -> None:
        if closed not in ("both", "left", "right", "neither"):
            raise ValueError(
                f"Interval closed must be one of 'both', 'left', 'right', 'neither'; "
                f"got closed={closed!r}."
            )
        self.kind = kind
        self.low = low
        self.high = high
        self.closed = closed
        self.finite = finite

    def is_satisfied_by(self, value: object) -> bool:
        if not isinstance(value, self.kind) or _is_bool(value):
            return False
        if self.kind is not numbers.Integral and isinstance(value, numbers.Integral):
            # A float parameter: an int beyond 1e308 has no float (OverflowError
            # wherever the search computes with it, e.g. timeout=10**400).
            try:
                float(value)
            except OverflowError:
                return False
        # Integers are compared exactly: float() overflows beyond 1e308.
        number: Any = value if isinstance(value, numbers.Integral) else float(value)  # type: ignore[arg-type]
        if not isinstance(number, numbers.Integral) and math.isnan(number):
            return False
        if self.finite and not isinstance(number, numbers.Integral) and math.isinf(number):
            return False
        left_closed = self.closed in ("both", "left")
        right_closed = self.closed in ("both", "right")
        below = self.low is not None and (
            number < self.low or (number == self.low and not left_closed)
        )
        above = self.high is not None and (
            number > self.high or (number == self.high and not right_closed)
        )
        return not (below or above)

    def describe(self) -> str:
        kind = "an int" if self.kind is numbers.Integral else "a float"
        left = "[" if self.closed in ("both", "left") and self.low is not None else "("
        right = "]" if self.closed in ("both", "right") and self.high is not None else ")"
        low = "-inf" if self.low is None else _format_bound(self.low)
        high = "inf" if self.high is None else _format_bound(self.high)
        kind = "a finite float" if self.finite and kind == "a float" else kind
        return f"{kind} in the range {left}{low}, {high}{right}"


def _format_bound(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else repr(bound)


class Options(Constraint):
    """One of a fixed set of values (typically strings)."""

    def __init__(self, options: Iterable[object], *, kind: str = "a str") -> None:
        self.options = tuple(options)
        self.kind = kind

    def is_satisfied_by(self, value: object) -> bool:
        try:
            return any(value == option for option in self.options)
        except Exception:  # noqa: BLE001 - odd __eq__ means "not one of ours"
            return False

    def describe(self) -> str:
        listed = ", ".join(repr(option) for option in sorted(self.options, key=str))
        return f"{self.kind} among {{{listed}}}"


class InstanceOf(Constraint):
    """An instance of one of the given types."""

    def __init__(self, *types: type, description: str | None = None) -> None:
        self.types = types
        self.description = description

    def is_satisfied_by(self, value: object) -> bool:
        return isinstance(value, self.types) and not (
            _is_bool(value) and bool not in self.types
        )

    def describe(self) -> str:
        if self.description is not None:
            return self.description
        names = [t.__name__ for t in self.types]
        return "an instance of " + _join_alternatives([f"{n!r}" for n in names])


class HasMethods(Constraint):
    """An object with all the given methods."""

    def __init__(self, *methods: str) -> None:
        self.methods = methods

    def is_satisfied_by(self, value: object) -> bool:
        # A class has the methods too, unbound: it is not an instance of itself.
        return not isinstance(value, type) and all(
            callable(getattr(value, m, None)) for m in self.methods
        )

    def describe(self) -> str:
        listed = ", ".join(repr(m) for m in self.methods)
        return f"an object implementing {listed}"


class Predicate(Constraint):
    """Anything a function accepts, with a description for the message."""

    def __init__(self, check: Callable[[object], bool], description: str) -> None:
        self.check = check
        self.description = description

    def is_satisfied_by(self, value: object) -> bool:
        return bool(self.check(value))

    def describe(self) -> str:
        return self.description


class IsCallable(Constraint):
    """A callable."""

    def is_satisfied_by(self, value: object) -> bool:
        return callable(value)

    def describe(self) -> str:
        return "a callable"


class Boolean(Constraint):
    """True or False (Python or numpy)."""

    def is_satisfied_by(self, value: object) -> bool:
        return _is_bool(value)

    def describe(self) -> str:
        return "a bool"


class IsNone(Constraint):
    """None."""

    def is_satisfied_by(self, value: object) -> bool:
        return value is None

    def describe(self) -> str:
        return "None"


_C = TypeVar("_C", bound="Configurable")


class Configurable:
    """A plain configuration object, as scikit-learn estimators are.

    Its constructor stores its arguments and nothing else; ``get_params``,
    ``set_params`` and the repr read them from the constructor's signature,
    so ``sklearn.base.clone`` copies it safely. Samplers and pruners are
    such objects. A subclass declares ``_parameter_constraints`` and calls
    :meth:`_validate` wherever a bad ``set_params`` must be caught.
    """

    #: Constraints on the constructor arguments, checked by :meth:`_validate`.
    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {}
    #: What the object is, for error messages ("sampler", "pruner").
    _kind: ClassVar[str] = "object"

    def _validate(self) -> None:
        """Raise InvalidParameterError for a constructor argument out of bounds.

        Skipped when every argument is the very object it was at the last
        check that passed (samplers check at every ask, and the check cost
        about 0.2 ms); a ``set_params`` since then is always checked.
        """
        names = self._parameter_constraints
        values = tuple(getattr(self, name) for name in names)
        last = self.__dict__.get("_validated")
        if last is not None and all(a is b for a, b in zip(last, values, strict=True)):
            return
        validate_params(type(self).__name__, dict(zip(names, values)), names)
        self.__dict__["_validated"] = values

    @classmethod
    @functools.cache
    def _param_names(cls) -> list[str]:
        # Cached per class: get_params runs at every ask of some samplers.
        init = cls.__init__
        if init is object.__init__:
            return []
        parameters = inspect.signature(init).parameters.values()
        return sorted(
            p.name
            for p in parameters
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        )

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, as scikit-learn estimators report them."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self: _C, **params: Any) -> _C:
        """Set constructor arguments; unknown names raise ValueError.

        Values are checked when the object is next used, as in scikit-learn.
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {self._kind} "
                    f"{type(self).__name__}. Valid parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default
            for p in inspect.signature(type(self).__init__).parameters.values()
        }
        shown = [
            f"{name}={value!r}"
            for name, value in self.get_params().items()
            if not _is_default(value, defaults.get(name, inspect.Parameter.empty))
        ]
        return f"{type(self).__name__}({', '.join(shown)})"


def _is_default(value: object, default: object) -> bool:
    if value is default:
        return True
    try:
        return type(value) is type(default) and bool(value == default)
    except Exception:  # noqa: BLE001 - an odd __eq__ means "show it"
        return False
