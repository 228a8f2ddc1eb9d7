"""A search space: one or several sub-spaces of named distributions.

:class:`SubSpace` (one dict of a space) and :class:`SearchSpace` (the list of
them), and :meth:`SearchSpace.from_user`, which reads a space as a user
gives it. Public as :mod:`scout_sklearn.distributions`, which re-exports them.
"""

from __future__ import annotations

import bisect
import itertools
import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from scout_sklearn._describe import describe_scipy, python_scalar, stable_repr
from scout_sklearn._distributions import (
    NOT_NATIVE,
    Categorical,
    Distribution,
    Float,
    Int,
    ScipyDistribution,
    json_native,
)
from scout_sklearn.exceptions import InvalidParameterError

__all__ = ["SearchSpace", "SubSpace"]


class SubSpace(Mapping[str, Distribution]):
    """One dict of a search space: a distribution per parameter name.

    Names are kept sorted, as scikit-learn's ParameterGrid and
    ParameterSampler order them, so grids enumerate in the same order and
    random draws are reproducible whatever the user's dict order.
    """

    def __init__(self, distributions: Mapping[str, Distribution]) -> None:
        self.names: tuple[str, ...] = tuple(sorted(distributions))
        self._distributions = {name: distributions[name] for name in self.names}
        sizes = [d.n_values() if d.is_finite else 0 for d in self._distributions.values()]
        self.is_finite = all(d.is_finite for d in self._distributions.values())
        self._sizes = sizes
        # Mixed-radix strides: the last name varies fastest, like itertools.product.
        strides = [1] * len(sizes)
        for i in range(len(sizes) - 2, -1, -1):
            strides[i] = strides[i + 1] * sizes[i + 1]
        self._strides = strides

    def __getitem__(self, name: str) -> Distribution:
        return self._distributions[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"SubSpace({self._distributions!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SubSpace) and self._distributions == other._distributions

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_points(self) -> int:
        """Number of grid points of a finite sub-space (a repeated value counts twice)."""
        if not self.is_finite:
            raise TypeError("This sub-space is not finite.")
        return math.prod(self._sizes)

    @property
    def n_distinct(self) -> int:
        """Number of distinct params of a finite sub-space (a repeated value once)."""
        if not self.is_finite:
            raise TypeError("This sub-space is not finite.")
        # Only a list of choices can repeat a value; ranges never do.
        return math.prod(
            sum(1 for k in range(d.n_values()) if d.indices_of(d.value_at(k))[0] == k)
            if isinstance(d, Categorical)
            else d.n_values()
            for d in self._distributions.values()
        )

    def point(self, index: int) -> dict[str, Any]:
        """The ``index``-th params in grid order (last name fastest)."""
        return {
            name: self._distributions[name].value_at((index // stride) % size)
            for name, stride, size in zip(self.names, self._strides, self._sizes)
        }

    def point_index(self, params: Mapping[str, Any]) -> int | None:
        """Grid position of ``params``, or None when they are not a grid point."""
        if len(params) != len(self.names):
            return None
        index = 0
        for name, stride in zip(self.names, self._strides):
            if name not in params:
                return None
            position = self._distributions[name].index_of(params[name])
            if position is None:
                return None
            index += position * stride
        return index

    def equivalent_indices(self, params: Mapping[str, Any]) -> list[int]:
        """Every grid position whose params equal ``params``, in grid order.

        One position, unless a list repeats a value (GridSearchCV evaluates
        each repetition, so a grid keeps them as distinct points).
        """
        if len(params) != len(self.names) or any(n not in params for n in self.names):
            return []
        per_name = [self._distributions[n].indices_of(params[n]) for n in self.names]
        if any(not indices for indices in per_name):
            return []
        return [
            sum(i * stride for i, stride in zip(combo, self._strides))
            for combo in itertools.product(*per_name)
        ]

    def contains(self, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` names exactly this sub-space's parameters, in range."""
        return len(params) == len(self.names) and all(
            name in params and self._distributions[name].contains(params[name])
            for name in self.names
        )

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw params, each parameter independently."""
        return {name: self._distributions[name].sample(rng) for name in self.names}

    def encode(self, params: Mapping[str, Any]) -> np.ndarray:
        """Params as a point of the unit cube, one coordinate per sorted name."""
        return np.array(
            [self._distributions[name].to_unit(params[name]) for name in self.names],
            dtype=np.float64,
        )

    def decode(self, x: Sequence[float] | np.ndarray) -> dict[str, Any]:
        """The params of a point of the unit cube (inverse of :meth:`encode`)."""
        return {
            name: self._distributions[name].from_unit(float(u))
            for name, u in zip(self.names, x)
        }

    def to_json(self) -> dict[str, Any]:
        """JSON-compatible description of every distribution."""
        return {name: d.to_json() for name, d in self._distributions.items()}


class SearchSpace(Sequence[SubSpace]):
    """All distributions of a search: one or more sub-spaces.

    A dict of distributions is a space of one sub-space. A list of dicts is a
    conditional space, as in scikit-learn's GridSearchCV: each trial takes
    its params from one sub-space.

    Build it with :meth:`from_user`, which accepts what scikit-learn's
    searches accept.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from scout_sklearn import Float, SearchSpace
    >>> space = SearchSpace.from_user(
    ...     {"C": Float(1e-3, 1e3, log=True), "gamma": loguniform(1e-5, 1),
    ...      "kernel": ["rbf", "poly"]})
    >>> space.names
    ('C', 'gamma', 'kernel')
    >>> space[0]["kernel"]
    Categorical(['rbf', 'poly'])
    """

    def __init__(self, subspaces: Sequence[SubSpace]) -> None:
        if len(subspaces) == 0:
            raise InvalidParameterError("A SearchSpace needs at least one sub-space.")
        self.subspaces: tuple[SubSpace, ...] = tuple(subspaces)
        self.names: tuple[str, ...] = tuple(
            sorted({name for sub in self.subspaces for name in sub.names})
        )
        self.is_finite = all(sub.is_finite for sub in self.subspaces)
        if self.is_finite:
            self._offsets = list(
                itertools.accumulate([sub.n_points for sub in self.subspaces], initial=0)
            )

    @classmethod
    def from_user(
        cls, param_distributions: Any, name: str = "param_distributions"
    ) -> SearchSpace:
        """Convert what a user passed as ``param_distributions``.

        Parameters
        ----------
        param_distributions : dict or list of dicts or SearchSpace
            Each dict maps a parameter name to a list of values, a
            scipy.stats distribution (any object with ``rvs``) or a
            :class:`Distribution`. An empty dict is a sub-space of one point,
            ``{}`` (no parameter set), as in scikit-learn's ParameterGrid.
        name : str, default="param_distributions"
            What the user called the argument (``"param_grid"`` too), for
            error messages.

        Returns
        -------
        space : SearchSpace

        Raises
        ------
        InvalidParameterError
            For an empty space, an empty list, a name that is not a string or
            a value that is none of the accepted kinds.
        """
        if isinstance(param_distributions, SearchSpace):
            return param_distributions
        if isinstance(param_distributions, Mapping):
            dicts: list[Any] = [param_distributions]
            labels = [name]
        elif isinstance(param_distributions, (list, tuple)):
            if len(param_distributions) == 0:
                raise InvalidParameterError(
                    f"{name} is an empty list: give a dict of parameter "
                    "names to values, e.g. {'C': Float(1e-3, 1e3, log=True)}, or a "
                    "list of such dicts."
                )
            dicts = list(param_distributions)
            labels = [f"{name}[{i}]" for i in range(len(dicts))]
        else:
            raise InvalidParameterError(
                f"{name} must be a dict of parameter names to values or "
                "distributions, or a list of such dicts; got "
                f"{param_distributions!r} ({type(param_distributions).__name__})."
            )
        return cls([_subspace_from_user(d, label) for d, label in zip(dicts, labels)])

    def __getitem__(self, index: int) -> SubSpace:  # type: ignore[override]
        return self.subspaces[index]

    def __len__(self) -> int:
        return len(self.subspaces)

    def __repr__(self) -> str:
        return f"SearchSpace({list(self.subspaces)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SearchSpace) and self.subspaces == other.subspaces

    __hash__ = None  # type: ignore[assignment]

    @property
    def n_points(self) -> int:
        """Number of grid points of a finite space (summed over sub-spaces)."""
        self._require_finite()
        return self._offsets[-1]

    @property
    def n_distinct(self) -> int:
        """Number of distinct params of a finite space, or an upper bound.

        Less than :attr:`n_points` when a list repeats a value or when dicts
        of a list with the same names overlap. Exact, except for overlapping
        dicts of more than 50,000 points together (their points are not
        enumerated): then it counts each dict's distinct params.
        """
        self._require_finite()
        cached: int | None = self.__dict__.get("_n_distinct")
        if cached is not None:
            return cached
        groups: dict[frozenset[str], list[SubSpace]] = {}
        for sub in self.subspaces:
            groups.setdefault(frozenset(sub.names), []).append(sub)
        total = 0
        for group in groups.values():
            if len(group) == 1 or sum(sub.n_points for sub in group) > 50_000:
                total += sum(sub.n_distinct for sub in group)
                continue
            for j, sub in enumerate(group):
                for index in range(sub.n_points):
                    params = sub.point(index)
                    if sub.equivalent_indices(params)[0] != index:
                        continue  # a repetition within the dict
                    if not any(earlier.equivalent_indices(params) for earlier in group[:j]):
                        total += 1
        self.__dict__["_n_distinct"] = total
        return total

    def _require_finite(self) -> None:
        if not self.is_finite:
            raise TypeError(
                "This space is not finite (it has a continuous range or a scipy.stats "
                "distribution), so it has no grid."
            )

    def without_unit_coordinate(self) -> list[tuple[int, str]]:
        """(sub-space index, name) of each parameter that has no unit coordinate."""
        return [
            (i, name)
            for i, sub in enumerate(self.subspaces)
            for name in sub.names
            if not sub[name].has_unit_coordinate
        ]

    def point(self, index: int) -> dict[str, Any]:
        """The ``index``-th grid point, sub-spaces in order, like ParameterGrid."""
        self._require_finite()
        subspace = bisect.bisect_right(self._offsets, index) - 1
        return self.subspaces[subspace].point(index - self._offsets[subspace])

    def point_index(self, params: Mapping[str, Any]) -> int | None:
        """Grid position of ``params`` (first matching sub-space), or None."""
        self._require_finite()
        for offset, sub in zip(self._offsets, self.subspaces):
            local = sub.point_index(params)
            if local is not None:
                return offset + local
        return None

    def equivalent_positions(self, params: Mapping[str, Any]) -> list[int]:
        """Every grid position, in any sub-space, whose params equal ``params``."""
        self._require_finite()
        return [
            offset + local
            for offset, sub in zip(self._offsets, self.subspaces)
            for local in sub.equivalent_indices(params)
        ]

    def locate(self, params: Mapping[str, Any]) -> int | None:
        """Index of the first sub-space that contains ``params``, or None."""
        for i, sub in enumerate(self.subspaces):
            if sub.contains(params):
                return i
        return None

    def contains(self, params: Mapping[str, Any]) -> bool:
        """Whether some sub-space contains ``params``."""
        return self.locate(params) is not None

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """Draw a sub-space uniformly, then its params."""
        index = int(rng.integers(len(self.subspaces))) if len(self.subspaces) > 1 else 0
        return self.subspaces[index].sample(rng)

    def to_json(self) -> list[dict[str, Any]]:
        """JSON-compatible description, used to fingerprint a study."""
        return [sub.to_json() for sub in self.subspaces]

    def params_to_json(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Params as JSON values, for a storage.

        Numbers, strings, booleans and None are kept as they are (numpy
        scalars become Python ones). Any other categorical choice (an
        estimator, a tuple, NaN) is kept as ``{"index": k, "repr": "...",
        "subspace": i}``: its position among the choices plus a readable
        text that reads the same in every process, never the object itself.

        Examples
        --------
        >>> space = SearchSpace.from_user({"C": [0.1, 1.0], "shape": [(2,), (3,)]})
        >>> space.params_to_json({"C": 1.0, "shape": (3,)})
        {'C': 1.0, 'shape': {'index': 1, 'repr': '(3,)', 'subspace': 0}}
        >>> space.params_from_json(_)
        {'C': 1.0, 'shape': (3,)}
        """
        where = self.locate(params)
        if where is None:
            raise ValueError(
                f"Cannot store params outside the search space: {dict(params)!r} "
                f"({self.explain_mismatch(params)})."
            )
        sub = self.subspaces[where]
        out: dict[str, Any] = {}
        for name, value in params.items():
            native = json_native(value)
            if native is not NOT_NATIVE:
                out[name] = native
                continue
            index = (
                sub[name].index_of(value) if isinstance(sub[name], Categorical) else None
            )
            if index is None:
                raise ValueError(
                    f"Cannot store {name}={value!r}: it is neither a JSON value nor "
                    f"one of the choices of {sub[name]!r}."
                )
            out[name] = {"index": index, "repr": stable_repr(value), "subspace": where}
        return out

    def params_from_json(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Params stored by :meth:`params_to_json`, with categorical choices restored.

        A categorical value comes back as the choice object of this space
        (the same estimator instance, tuple, ...), never rebuilt from text.
        """
        tagged = [v["subspace"] for v in data.values() if isinstance(v, Mapping)]
        if tagged:
            sub = self.subspaces[int(tagged[0])]
        else:
            where = self.locate(data)
            if where is None:
                raise ValueError(
                    f"Stored params {dict(data)!r} lie outside this search space "
                    f"({self.explain_mismatch(data)})."
                )
            sub = self.subspaces[where]
        out: dict[str, Any] = {}
        for name, value in data.items():
            distribution = sub[name]
            if isinstance(value, Mapping):
                out[name] = distribution.value_at(int(value["index"]))
            elif isinstance(distribution, Categorical):
                index = distribution.index_of(value)
                out[name] = value if index is None else distribution.value_at(index)
            else:
                out[name] = value
        return out

    def explain_mismatch(self, params: Mapping[str, Any]) -> str:
        """Say why ``params`` lie in no sub-space (for error messages)."""
        reasons = []
        for i, sub in enumerate(self.subspaces):
            where = f"sub-space {i}: " if len(self.subspaces) > 1 else ""
            missing = sorted(set(sub.names) - set(params))
            extra = sorted(set(params) - set(sub.names))
            if missing or extra:
                reasons.append(f"{where}missing {missing}, unexpected {extra}")
                continue
            for name in sub.names:
                if not sub[name].contains(params[name]):
                    reasons.append(
                        f"{where}{name}={params[name]!r} is not in {sub[name]!r}"
                        f"{_hint(sub[name], params[name])}"
                    )
                    break
        return "; ".join(reasons)


def _hint(distribution: Distribution, value: Any) -> str:
    """Why a value that looks like it belongs to ``distribution`` does not."""
    if isinstance(distribution, Categorical):
        try:
            text = stable_repr(value)
            copies = [
                k
                for k, choice in enumerate(distribution.choices)
                if type(choice) is type(value) and stable_repr(choice) == text
            ]
        except Exception:  # noqa: BLE001 - a repr that fails: no hint, the message stands
            copies = []
        for k in copies[:1]:
            # A copy (clone) of an estimator choice compares unequal to it.
            return (
                f": it is a copy of choice {k}, and a choice is matched by "
                "identity when its type has no equality; give the choice "
                f"object itself (.choices[{k}] of the distribution)"
            )
        return ""
    if isinstance(distribution, (Float, Int)):
        is_int = isinstance(distribution, Int)
        kind = numbers.Integral if is_int else numbers.Real
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
            expected = "an int" if is_int else "a real number"
            name = type(distribution).__name__
            return f": it is a {type(value).__name__}, and {name} takes {expected}"
    return ""


def _subspace_from_user(mapping: Any, label: str) -> SubSpace:
    if not isinstance(mapping, Mapping):
        pair = (
            isinstance(mapping, tuple)
            and len(mapping) == 2
            and isinstance(mapping[0], Mapping)
            and isinstance(mapping[1], int)
        )
        hint = (
            " BayesSearchCV's (space, n_iter) pairs have no equivalent: give the "
            "dicts alone; n_trials is the budget of the whole search."
            if pair
            else ""
        )
        raise InvalidParameterError(
            f"{label} must be a dict of parameter names to values or distributions; "
            f"got {mapping!r} ({type(mapping).__name__}).{hint}"
        )
    # An empty dict is one point, {}: the estimator as it is, cross-validated
    # (and refitted), as GridSearchCV(estimator, {}) does.
    distributions = {}
    for name, value in mapping.items():
        if not isinstance(name, str):
            raise InvalidParameterError(
                f"{label} has a parameter name that is not a string: {name!r}. "
                "Names are estimator parameter names such as 'C' or 'svc__C'."
            )
        distributions[name] = _distribution_from_user(value, f"{label}[{name!r}]")
    return SubSpace(distributions)


def _distribution_from_user(value: Any, label: str) -> Distribution:
    if isinstance(value, Distribution):
        return value
    _refuse_foreign_space(value, label)
    if callable(getattr(value, "rvs", None)):
        _check_scipy_arguments(value, label)
        return ScipyDistribution(value)
    if isinstance(value, (str, bytes)):
        raise InvalidParameterError(
            f"{label} must be a list of values or a distribution; got the string "
            f"{value!r}. A single value needs a one-element list: [{value!r}]."
        )
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise InvalidParameterError(
            f"{label} must be a one-dimensional list of values; got an array of "
            f"shape {value.shape}."
        )
    if isinstance(value, (set, frozenset)):
        raise InvalidParameterError(
            f"{label} must be a list of values; got {value!r} (set), which has no "
            f"order. Give a list, e.g. sorted({value!r}), so that grids and seeds are "
            "reproducible."
        )
    if isinstance(value, (Sequence, np.ndarray)):
        if len(value) == 0:
            raise InvalidParameterError(
                f"{label} is an empty list: give at least one value to try."
            )
        return Categorical(value)
    raise InvalidParameterError(
        f"{label} must be a list of values, a scipy.stats distribution (an object "
        "with an rvs method) or one of Float, Int, Categorical; got "
        f"{value!r} ({type(value).__name__}). To fix a parameter to one value, wrap "
        f"it in a list: [{value!r}]."
    )


def _refuse_foreign_space(value: Any, label: str) -> None:
    """Refuse scikit-optimize's and Optuna's space objects, naming our equivalent.

    BayesSearchCV's ``Real``/``Integer``/``Categorical`` have an ``rvs`` that
    draws a list (every fit then fails on a one-element list), and Optuna's
    distributions are none of the accepted kinds: users migrating from those
    searches get the line to write instead, before any fit. Recognised by
    their classes' module names, without importing either library.
    """
    family = _foreign_family(value)
    if family is None:
        return
    library, kind = family
    code, note = _foreign_equivalent(value, kind)
    raise InvalidParameterError(
        f"{label} is {library}'s {_foreign_repr(value, library)}, which ScoutSearchCV "
        f"does not read. Write {code} instead{note}."
    )


def _foreign_family(value: Any) -> tuple[str, str] | None:
    """("scikit-optimize" or "Optuna", the kind of dimension), or None."""
    names = [(cls.__module__ or "", cls.__name__) for cls in type(value).__mro__]
    bases = {(module.split(".")[0], name) for module, name in names}
    if ("skopt", "Dimension") in bases:
        library = "scikit-optimize"
        kinds = {"Real": "float", "Integer": "int", "Categorical": "categorical"}
    elif ("optuna", "BaseDistribution") in bases:
        library = "Optuna"
        kinds = {
            "FloatDistribution": "float",
            "IntDistribution": "int",
            "CategoricalDistribution": "categorical",
        }
    else:
        return None
    for _, name in names:
        if name in kinds:
            return library, kinds[name]
    return library, "other"


def _bounds(value: Any) -> tuple[Any, Any]:
    """A foreign dimension's ``low`` and ``high``, as Python scalars."""
    low, high = getattr(value, "low", None), getattr(value, "high", None)
    return python_scalar(low), python_scalar(high)


def _foreign_repr(value: Any, library: str) -> str:
    if library == "Optuna":
        # FloatDistribution(high=1.0, log=True, low=0.001, step=None)
        return repr(value)
    name = type(value).__name__
    if hasattr(value, "categories"):
        args = f"{[python_scalar(c) for c in value.categories]!r}"
    else:
        low, high = _bounds(value)
        args = f"{low!r}, {high!r}"
    prior = getattr(value, "prior", None)
    if isinstance(prior, str) or (prior is not None and hasattr(value, "categories")):
        prior_text = prior if isinstance(prior, str) else [python_scalar(p) for p in prior]
        args += f", prior={prior_text!r}"
    return f"{name}({args})"


def _foreign_equivalent(value: Any, kind: str) -> tuple[str, str]:
    """The scout_sklearn code that searches the same domain, and a note on it."""
    if kind == "categorical":
        choices: Any = getattr(value, "categories", None) or getattr(value, "choices", ())
        listed = repr([python_scalar(c) for c in choices])
        if getattr(value, "prior", None) is not None:
            return listed, (
                ": a list's choices are drawn uniformly, the prior's weights have "
                "no equivalent"
            )
        return listed, ""
    if kind == "other":
        return "Float(low, high), Int(low, high) or a list of choices", (
            " (Float and Int come from scout_sklearn)"
        )
    low, high = _bounds(value)
    args = [repr(low), repr(high)]
    if getattr(value, "log", False) or getattr(value, "prior", None) == "log-uniform":
        args.append("log=True")
    step = python_scalar(getattr(value, "step", None))
    if step is not None and not (kind == "int" and step == 1):
        args.append(f"step={step!r}")
    name = "Float" if kind == "float" else "Int"
    return f"{name}({', '.join(args)})", f" (from scout_sklearn import {name})"


def _check_scipy_arguments(dist: Any, label: str) -> None:
    """Refuse a frozen scipy.stats distribution whose arguments scipy rejects.

    scipy freezes ``loguniform(-1, 1)`` without a word; its support is then
    (nan, nan), and drawing from it fails inside scipy at the first trial.
    """
    support = getattr(dist, "support", None)
    if not callable(support):
        return
    try:
        bounds = [float(bound) for bound in support()]
    except Exception:  # noqa: BLE001 - not scipy's: its rvs will tell
        return
    if any(math.isnan(bound) for bound in bounds):
        raise InvalidParameterError(
            f"{label} is {describe_scipy(dist)}, whose arguments scipy.stats rejects "
            "(its support is (nan, nan)): check them against the distribution's "
            "documentation, e.g. loguniform(a, b) needs 0 < a < b."
        )


# distributions.py gives SearchSpace the module name scout_sklearn.distributions,
# so doctest collects the class's examples there, but not its methods' (their
# code is here, not there): those are collected from here.
__test__ = {"SearchSpace.params_to_json": SearchSpace.params_to_json}
