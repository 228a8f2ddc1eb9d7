"""The distributions of a search space: the domain of one parameter each.

:class:`Float`, :class:`Int`, :class:`Categorical` (lists of values) and
:class:`ScipyDistribution` (a frozen scipy.stats distribution), with their
unit-interval encodings and, for finite ones, the enumeration of their
values. Public as :mod:`scout_sklearn.distributions`, which re-exports them.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from scout_sklearn._describe import (
    describe_scipy,
    is_scipy_distribution,
    python_scalar,
    stable_repr,
)
from scout_sklearn.exceptions import InvalidParameterError

__all__ = [
    "NOT_NATIVE",
    "Categorical",
    "Distribution",
    "Float",
    "Int",
    "ScipyDistribution",
    "json_native",
]

# Quantiles at exactly 0 or 1 map to infinite values for unbounded scipy
# distributions; draws are kept this far inside the unit interval.
_QUANTILE_MARGIN = 1e-12


class Distribution(ABC):
    """The domain of one parameter.

    Subclasses define membership, the unit-interval encoding and, when the
    domain is finite, an enumeration of its values.
    """

    @property
    @abstractmethod
    def is_finite(self) -> bool:
        """Whether the values can be enumerated (a grid exists)."""

    @abstractmethod
    def contains(self, value: object) -> bool:
        """Whether ``value`` belongs to the domain."""

    @property
    def has_unit_coordinate(self) -> bool:
        """Whether :meth:`to_unit` and :meth:`from_unit` work (model-based samplers)."""
        return True

    @abstractmethod
    def to_unit(self, value: Any) -> float:
        """Encode a value of the domain as a number in [0, 1]."""

    @abstractmethod
    def from_unit(self, u: float) -> Any:
        """Decode a number in [0, 1] into a value of the domain."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible description, used to fingerprint a space."""

    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one value."""
        return self.from_unit(float(rng.random()))

    # -- finite domains -------------------------------------------------
    def n_values(self) -> int:
        """Number of values of a finite domain."""
        raise TypeError(f"{self!r} is not finite: its values cannot be enumerated.")

    def value_at(self, index: int) -> Any:
        """The ``index``-th value of a finite domain."""
        raise TypeError(f"{self!r} is not finite: its values cannot be enumerated.")

    def index_of(self, value: object) -> int | None:
        """Position of ``value`` in the enumeration, or None if absent."""
        raise TypeError(f"{self!r} is not finite: its values cannot be enumerated.")

    def indices_of(self, value: object) -> list[int]:
        """Every position holding ``value`` (several when a list repeats a value)."""
        index = self.index_of(value)
        return [] if index is None else [index]


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_integral(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _decimals(number: float) -> int:
    exponent = Decimal(repr(float(number))).normalize().as_tuple().exponent
    return max(0, -int(exponent))


@dataclass(frozen=True)
class Float(Distribution):
    """A real parameter in ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Inclusive bounds, ``low < high``.
    log : bool, default=False
        Search on a log scale (``low`` must then be positive): each decade is
        equally likely, the usual choice for ``C``, ``alpha`` or a learning
        rate.
    step : float or None, default=None
        Only values ``low + k * step`` are taken; ``step`` must divide
        ``high - low``. Makes the parameter finite, so a grid can enumerate
        it. Cannot be combined with ``log=True``.

    Examples
    --------
    >>> from scout_sklearn import Float
    >>> Float(1e-3, 1e3, log=True)
    Float(low=0.001, high=1000.0, log=True, step=None)
    >>> Float(0.0, 1.0, step=0.25).n_values()
    5
    """

    low: float
    high: float
    log: bool = field(default=False, kw_only=True)
    step: float | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if not _is_real(value) or not math.isfinite(value):
                raise InvalidParameterError(
                    f"Float {name} must be a finite real number; got {name}={value!r}."
                )
            object.__setattr__(self, name, float(value))
        if not self.low < self.high:
            raise InvalidParameterError(
                f"Float requires low < high; got low={self.low!r}, high={self.high!r}. "
                "For a fixed value use a one-element list, e.g. "
                f"[{self.low!r}]."
            )
        if not isinstance(self.log, (bool, np.bool_)):
            raise InvalidParameterError(f"Float log must be a bool; got log={self.log!r}.")
        if self.log and self.low <= 0:
            raise InvalidParameterError(
                f"Float(log=True) requires low > 0 (its logarithm is taken); got "
                f"low={self.low!r}. Use a positive lower bound such as 1e-6, or log=False."
            )
        if self.step is not None:
            self._check_step()

    def _check_step(self) -> None:
        step: Any = self.step
        if not _is_real(step) or not math.isfinite(step) or step <= 0:
            raise InvalidParameterError(
                f"Float step must be a positive real number or None; got step={step!r}."
            )
        object.__setattr__(self, "step", float(step))
        if self.log:
            raise InvalidParameterError(
                f"Float cannot combine log=True with step={self.step!r}: the step is "
                "additive. Drop step=, or list the values explicitly."
            )
        span = self.high - self.low
        ratio = span / self.step  # type: ignore[operator]
        if not math.isfinite(ratio):
            # high - low, or the number of steps, beyond the largest float.
            raise InvalidParameterError(
                f"Float step={self.step!r} makes too many values between "
                f"low={self.low!r} and high={self.high!r}: (high - low) / step "
                "overflows a float. Use a larger step or a narrower range, or drop "
                "step= for a continuous range."
            )
        if not self._is_whole_steps(ratio):
            fitting_high = self.low + math.floor(ratio) * self.step  # type: ignore[operator]
            raise InvalidParameterError(
                f"Float step={self.step!r} does not divide high - low = {span!r} "
                f"({span!r} / {self.step!r} = {ratio:.6g}, not an integer). Choose a "
                f"step that divides the range, or set high={self._clean(fitting_high)!r}."
            )

    def _is_whole_steps(self, ratio: float) -> bool:
        # Bounds far from zero carry an absolute rounding error of a few ulps
        # (32768.001 - 32768.0 is 0.0010000000038), so the tolerance on a
        # number of steps grows with the bounds' magnitude over the step.
        magnitude = max(abs(self.low), abs(self.high))
        tolerance = max(
            1e-9 * max(1.0, abs(ratio)),
            8 * float(np.spacing(magnitude)) / self.step,  # type: ignore[operator]
        )
        return abs(ratio - round(ratio)) <= tolerance

    @property
    def is_finite(self) -> bool:
        return self.step is not None

    def n_values(self) -> int:
        if self.step is None:
            return super().n_values()
        return round((self.high - self.low) / self.step) + 1

    def value_at(self, index: int) -> float:
        if self.step is None:
            return super().value_at(index)  # type: ignore[no-any-return]
        return self._clean(self.low + index * self.step)

    def index_of(self, value: object) -> int | None:
        if self.step is None:
            return super().index_of(value)
        if not self.contains(value):
            return None
        return round((float(value) - self.low) / self.step)  # type: ignore[arg-type]

    def _clean(self, value: float) -> float:
        # low + k * step accumulates binary noise (0.1 * 3 = 0.30000000000000004);
        # round to the decimals the user wrote.
        digits = max(_decimals(self.low), _decimals(self.step or 0.0))
        if digits <= 15:
            value = round(value, digits)
        return min(max(value, self.low), self.high)

    def contains(self, value: object) -> bool:
        if not _is_real(value):
            return False
        number = float(value)  # type: ignore[arg-type]
        if self.log:
            # Each bound's own rounding: a value at or below zero has no
            # logarithm, however small the range.
            if not (self.low * (1 - 1e-12) <= number <= self.high * (1 + 1e-12)):
                return False
        else:
            # Rounding noise relative to the bounds' magnitude: an absolute
            # floor (1e-12) would let 0.0 or twice high into Float(1e-13, 1e-12).
            tolerance = 1e-12 * max(abs(self.low), abs(self.high))
            if not (self.low - tolerance <= number <= self.high + tolerance):
                return False
        if self.step is not None:
            return self._is_whole_steps((number - self.low) / self.step)
        return True

    def to_unit(self, value: Any) -> float:
        number = float(value)
        if self.step is not None:
            n = self.n_values()
            index = min(max(round((number - self.low) / self.step), 0), n - 1)
            return (index + 0.5) / n
        if self.log:
            u = (math.log(number) - math.log(self.low)) / (
                math.log(self.high) - math.log(self.low)
            )
        else:
            u = (number / 2 - self.low / 2) / (self.high / 2 - self.low / 2)
        return min(max(u, 0.0), 1.0)

    def from_unit(self, u: float) -> float:
        u = min(max(float(u), 0.0), 1.0)
        if self.step is not None:
            n = self.n_values()
            return self.value_at(min(int(u * n), n - 1))
        if self.log:
            log_low, log_high = math.log(self.low), math.log(self.high)
            value = math.exp(log_low + u * (log_high - log_low))
        else:
            # Weighted form: high - low may overflow for huge bounds.
            value = self.low * (1.0 - u) + self.high * u
        return min(max(value, self.low), self.high)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "float",
            "low": self.low,
            "high": self.high,
            "log": bool(self.log),
            "step": self.step,
        }


@dataclass(frozen=True)
class Int(Distribution):
    """An integer parameter in ``[low, high]`` (both included).

    Parameters
    ----------
    low, high : int
        Inclusive bounds, ``low < high``.
    log : bool, default=False
        Search on a log scale (``low`` must then be at least 1): small values
        are tried as often as large ones, the usual choice for
        ``n_estimators`` or ``max_leaf_nodes``.
    step : int, default=1
        Only values ``low + k * step`` are taken; ``step`` must divide
        ``high - low``. Cannot be combined with ``log=True``.

    Examples
    --------
    >>> from scout_sklearn import Int
    >>> Int(10, 100, step=10).n_values()
    10
    """

    low: int
    high: int
    log: bool = field(default=False, kw_only=True)
    step: int = field(default=1, kw_only=True)

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if not _is_integral(value):
                raise InvalidParameterError(
                    f"Int {name} must be an integer; got {name}={value!r}. "
                    "Use Float for a real-valued parameter."
                )
            object.__setattr__(self, name, int(value))
        if not self.low < self.high:
            raise InvalidParameterError(
                f"Int requires low < high; got low={self.low!r}, high={self.high!r}. "
                f"For a fixed value use a one-element list, e.g. [{self.low!r}]."
            )
        if not isinstance(self.log, (bool, np.bool_)):
            raise InvalidParameterError(f"Int log must be a bool; got log={self.log!r}.")
        if not _is_integral(self.step) or self.step < 1:
            raise InvalidParameterError(
                f"Int step must be a positive integer; got step={self.step!r}."
            )
        object.__setattr__(self, "step", int(self.step))
        if self.log and self.low < 1:
            raise InvalidParameterError(
                f"Int(log=True) requires low >= 1 (its logarithm is taken); got "
                f"low={self.low!r}. Use low=1 or log=False."
            )
        if self.log and self.step != 1:
            raise InvalidParameterError(
                f"Int cannot combine log=True with step={self.step!r}: the step is "
                "additive. Drop step=, or list the values explicitly."
            )
        span = self.high - self.low
        if span % self.step:
            raise InvalidParameterError(
                f"Int step={self.step!r} does not divide high - low = {span!r} "
                f"({span!r} % {self.step!r} = {span % self.step!r}). Choose a step "
                f"that divides the range, or set high={self.high - span % self.step!r}."
            )

    @property
    def is_finite(self) -> bool:
        return True

    def n_values(self) -> int:
        return (self.high - self.low) // self.step + 1

    def value_at(self, index: int) -> int:
        return self.low + index * self.step

    def index_of(self, value: object) -> int | None:
        if not self.contains(value):
            return None
        return int((int(value) - self.low) // self.step)  # type: ignore[call-overload]

    def contains(self, value: object) -> bool:
        if not _is_integral(value):
            return False
        number = int(value)  # type: ignore[call-overload]
        return bool(
            self.low <= number <= self.high and (number - self.low) % self.step == 0
        )

    def to_unit(self, value: Any) -> float:
        if self.log:
            # Each integer owns [v - 0.5, v + 0.5] on the log scale.
            log_low, log_high = math.log(self.low - 0.5), math.log(self.high + 0.5)
            u = (math.log(int(value)) - log_low) / (log_high - log_low)
            return min(max(u, 0.0), 1.0)
        n = self.n_values()
        index = min(max((int(value) - self.low) // self.step, 0), n - 1)
        return (index + 0.5) / n

    def from_unit(self, u: float) -> int:
        u = min(max(float(u), 0.0), 1.0)
        if self.log:
            log_low, log_high = math.log(self.low - 0.5), math.log(self.high + 0.5)
            value = round(math.exp(log_low + u * (log_high - log_low)))
            return min(max(value, self.low), self.high)
        n = self.n_values()
        return self.value_at(min(int(u * n), n - 1))

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "int",
            "low": self.low,
            "high": self.high,
            "log": bool(self.log),
            "step": self.step,
        }


class Categorical(Distribution):
    """A parameter taking one of a list of values, in no particular order.

    Values may be any Python objects: numbers, strings, None, estimators.
    A plain list in a search space means the same thing.

    Parameters
    ----------
    choices : sequence
        The values, at least one.

    Examples
    --------
    >>> from scout_sklearn import Categorical
    >>> Categorical(["rbf", "poly"]).n_values()
    2
    """

    def __init__(self, choices: Sequence[Any] | np.ndarray) -> None:
        if isinstance(choices, (str, bytes)) or not isinstance(
            choices, (Sequence, np.ndarray)
        ):
            raise InvalidParameterError(
                "Categorical choices must be a list, tuple or 1-d array of values; "
                f"got {choices!r} ({type(choices).__name__}). A single value needs a "
                "one-element list."
            )
        if isinstance(choices, np.ndarray) and choices.ndim != 1:
            raise InvalidParameterError(
                "Categorical choices must be one-dimensional; got an array of shape "
                f"{choices.shape}."
            )
        if len(choices) == 0:
            raise InvalidParameterError(
                "Categorical choices must hold at least one value; got an empty "
                f"{type(choices).__name__}."
            )
        self.choices = tuple(choices)
        self._index()

    def __repr__(self) -> str:
        return f"Categorical({list(self.choices)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Categorical) or len(other.choices) != len(self.choices):
            return False
        return all(
            _same_value(a, b) and type(a) is type(b)
            for a, b in zip(self.choices, other.choices)
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        return {"choices": self.choices}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.choices = state["choices"]
        self._index()

    def _index(self) -> None:
        self._lookup = _hash_lookup(self.choices)
        self._twins = _twins(self.choices)
        # A repeated value's later positions -> its first: equal values have
        # one index whichever of them is looked up.
        self._first = {j: i for i, same in self._twins.items() for j in same[1:]}

    @property
    def is_finite(self) -> bool:
        return True

    def n_values(self) -> int:
        return len(self.choices)

    def value_at(self, index: int) -> Any:
        return self.choices[index]

    def index_of(self, value: object) -> int | None:
        found = self._find(value)
        # The first of equal choices: a NaN or an unhashable choice found by
        # identity at its second position had an index, and a set of equal
        # positions (indices_of), of its own.
        return found if found is None else self._first.get(found, found)

    def _find(self, value: object) -> int | None:
        try:
            found = self._lookup.get((type(value), value))
        except TypeError:  # unhashable value
            found = None
        if found is not None:
            return found
        for i, choice in enumerate(self.choices):
            if choice is value:
                return i
        for i, choice in enumerate(self.choices):
            if type(choice) is type(value) and _same_value(choice, value):
                return i
        # Across types, a bool only matches a bool: True is not the choice 1.
        value_is_bool = isinstance(value, (bool, np.bool_))
        for i, choice in enumerate(self.choices):
            choice_is_bool = isinstance(choice, (bool, np.bool_))
            if choice_is_bool == value_is_bool and _same_value(choice, value):
                return i
        return None

    def indices_of(self, value: object) -> list[int]:
        index = self.index_of(value)
        if index is None:
            return []
        return self._twins.get(index, [index])

    def contains(self, value: object) -> bool:
        return self.index_of(value) is not None

    def to_unit(self, value: Any) -> float:
        index = self.index_of(value)
        if index is None:
            raise ValueError(f"{value!r} is not one of the choices of {self!r}.")
        return (index + 0.5) / len(self.choices)

    def from_unit(self, u: float) -> Any:
        n = len(self.choices)
        return self.choices[min(max(int(float(u) * n), 0), n - 1)]

    def to_json(self) -> dict[str, Any]:
        return {"type": "categorical", "choices": [_json_value(c) for c in self.choices]}


def _hash_lookup(choices: tuple[Any, ...]) -> dict[tuple[type, Any], int]:
    lookup: dict[tuple[type, Any], int] = {}
    for i, choice in enumerate(choices):
        try:
            lookup.setdefault((type(choice), choice), i)
        except TypeError:  # unhashable choice: found by the linear scan
            continue
    return lookup


def _twins(choices: tuple[Any, ...]) -> dict[int, list[int]]:
    """For a choice listed more than once: its first position -> every position."""
    twins: dict[int, list[int]] = {}
    claimed: set[int] = set()
    for i, first in enumerate(choices):
        if i in claimed:
            continue
        same = [
            j
            for j in range(i + 1, len(choices))
            if type(choices[j]) is type(first) and _same_value(first, choices[j])
        ]
        if same:
            twins[i] = [i, *same]
            claimed.update(same)
    return twins


def _same_value(a: object, b: object) -> bool:
    if a is b:
        return True
    try:
        equal = a == b
        if isinstance(equal, (bool, np.bool_)):
            if equal:
                return True
        else:
            return False
    except Exception:  # noqa: BLE001 - incomparable objects are different
        return False
    # NaN equals nothing, yet a NaN choice must match a NaN value.
    return _is_real(a) and _is_real(b) and math.isnan(a) and math.isnan(b)  # type: ignore[arg-type]


NOT_NATIVE = object()


def json_native(value: object) -> Any:
    """``value`` as a Python JSON scalar, or ``NOT_NATIVE``."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if _is_integral(value):
        return int(value)  # type: ignore[call-overload]
    if _is_real(value):
        number = float(value)  # type: ignore[arg-type]
        return number if math.isfinite(number) else NOT_NATIVE
    return NOT_NATIVE


def _json_value(value: object) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if _is_integral(value):
        return int(value)  # type: ignore[call-overload]
    if _is_real(value):
        number = float(value)  # type: ignore[arg-type]
        return number if math.isfinite(number) else repr(number)
    return {"repr": stable_repr(value)}


class ScipyDistribution(Distribution):
    """A scipy.stats frozen distribution (or any object with ``rvs``).

    Values are drawn with the object's own ``rvs``, as scikit-learn's
    RandomizedSearchCV does. Samplers that model the space work in its
    quantile space: ``u = cdf(value)`` and ``value = ppf(u)``, which needs the
    object to have ``cdf`` and ``ppf`` (every scipy.stats distribution has).

    Parameters
    ----------
    dist : object with an ``rvs(random_state=...)`` method
    """

    def __init__(self, dist: Any) -> None:
        if not callable(getattr(dist, "rvs", None)):
            raise InvalidParameterError(
                f"ScipyDistribution needs an object with an rvs method; got {dist!r}."
            )
        self.dist = dist

    def __repr__(self) -> str:
        return describe_scipy(self.dist)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScipyDistribution) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    @property
    def is_finite(self) -> bool:
        return False

    @property
    def is_discrete(self) -> bool:
        """Whether the distribution takes integer values (has a pmf)."""
        return callable(getattr(self.dist, "pmf", None))

    @property
    def has_quantiles(self) -> bool:
        """Whether ``cdf`` and ``ppf`` exist, so the unit encoding works."""
        return callable(getattr(self.dist, "cdf", None)) and callable(
            getattr(self.dist, "ppf", None)
        )

    @property
    def has_unit_coordinate(self) -> bool:
        return self.has_quantiles

    @property
    def is_scipy(self) -> bool:
        """Whether the object is a scipy.stats distribution (frozen or not)."""
        return is_scipy_distribution(self.dist)

    def sample(self, rng: np.random.Generator) -> Any:
        if self.is_scipy:
            return python_scalar(self.dist.rvs(random_state=rng))
        # A user's own object follows scikit-learn's contract, under which
        # RandomizedSearchCV hands rvs a RandomState (check_random_state and
        # RandomState(seed) refuse a Generator): one seeded from ``rng``.
        state = np.random.RandomState(int(rng.integers(2**32)))
        return python_scalar(self.dist.rvs(random_state=state))

    def contains(self, value: object) -> bool:
        if not self.is_scipy:
            # A user's own object may draw anything (kernel names, say), as
            # in RandomizedSearchCV, and says nothing of its support.
            return True
        if not _is_real(value):
            return False
        number = float(value)  # type: ignore[arg-type]
        if not math.isfinite(number):
            return False
        values = self._listed_values()
        if values is not None:
            return bool(np.any(values == number))
        if self.is_discrete and not number.is_integer():
            return False
        support = getattr(self.dist, "support", None)
        if callable(support):
            low, high = support()
            return bool(low <= number <= high)
        return True

    def _listed_values(self) -> np.ndarray | None:
        """The values of ``rv_discrete(values=(xk, pk))`` (need not be integers)."""
        family = getattr(self.dist, "dist", self.dist)
        values = getattr(family, "xk", None)
        if values is None or not self.is_discrete:
            return None
        return np.asarray(values, dtype=float)

    def _require_quantiles(self) -> None:
        if not self.has_quantiles:
            raise TypeError(
                f"{self!r} has no cdf/ppf, so only the random sampler can search it. "
                "Use a scipy.stats distribution, or Float/Int."
            )

    def to_unit(self, value: Any) -> float:
        self._require_quantiles()
        number = float(value)
        if self.is_discrete and not number.is_integer():
            # A value of rv_discrete(values=...) need not be a unit apart from
            # the one below it: the middle of its own step of the cdf.
            u = float(self.dist.cdf(number)) - 0.5 * float(self.dist.pmf(number))
        elif self.is_discrete:
            u = 0.5 * (float(self.dist.cdf(number - 1)) + float(self.dist.cdf(number)))
        else:
            u = float(self.dist.cdf(number))
        return min(max(u, 0.0), 1.0)

    def from_unit(self, u: float) -> Any:
        self._require_quantiles()
        u = min(max(float(u), _QUANTILE_MARGIN), 1.0 - _QUANTILE_MARGIN)
        value = float(self.dist.ppf(u))
        if self.is_discrete and value.is_integer():
            return int(value)
        return value

    def to_json(self) -> dict[str, Any]:
        return {"type": "scipy", "repr": repr(self)}
