"""Text that describes a value the same way in every process.

A stored study describes its space and its trials' choices by text
(:func:`stable_repr`), and a resumed study must find the same text again;
messages describe scipy.stats distributions by their family and arguments
(:func:`describe_scipy`). Split from :mod:`scout_sklearn._distributions`,
which uses both.
"""

from __future__ import annotations

import functools
import re
import sys
import types
from typing import Any

import numpy as np

__all__ = ["describe_scipy", "is_scipy_distribution", "python_scalar", "stable_repr"]

# " at 0x7f3a...": the memory address in a default repr (RandomState writes
# its hex digits in upper case).
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
# How deep stable_repr renders the attributes of attributes.
_MAX_DEPTH = 4


def stable_repr(value: object) -> str:
    """``repr(value)``, but the same text in every process.

    A stored study describes its space (and its trials' categorical choices)
    by this text, and a resumed study must find the same text again. A repr
    that holds no memory address is kept as it is (numbers, strings,
    classes, scikit-learn estimators, ...). Otherwise:

    - a function or builtin reads as its ``module.qualname``
      (``sklearn.feature_selection._univariate_selection.f_classif``), a
      bound method as its object's text, a dot and its name;
    - an object with the default ``<module.Class object at 0x...>`` repr
      reads as ``module.Class(name=value, ...)``, its attributes (``vars``)
      sorted by name and rendered by this function, so two differently
      configured objects differ (the class path alone without ``__dict__``);
    - a scipy.stats distribution reads as :func:`describe_scipy` has it;
    - a list, tuple or dict reads as its items do;
    - any other repr loses its addresses (``<function f>`` inside an
      estimator's repr).

    Examples
    --------
    >>> import math
    >>> stable_repr(math.sqrt), stable_repr([1, "a"])
    ('<built-in function sqrt>', "[1, 'a']")
    >>> class Metric:
    ...     def __init__(self, p):
    ...         self.p = p
    >>> stable_repr([Metric(2)])
    '[scout_sklearn._describe.Metric(p=2)]'
    """
    return _stable_repr(value, ())


def _stable_repr(value: object, within: tuple[int, ...]) -> str:
    """``within``: the ids of the objects whose text holds this one's."""
    text = repr(value)
    if not _ADDRESS.search(text):
        return text
    if len(within) < _MAX_DEPTH and id(value) not in within:
        described = _stable_description(value, (*within, id(value)))
        if described is not None:
            return described
    return _ADDRESS.sub("", text)


def _stable_description(value: object, within: tuple[int, ...]) -> str | None:
    """The stable text of a callable, a plain object, a container or a scipy one."""
    if isinstance(value, functools.partial):
        args = [_stable_repr(a, within) for a in value.args]
        args += [f"{k}={_stable_repr(v, within)}" for k, v in value.keywords.items()]
        return f"functools.partial({', '.join([_stable_repr(value.func, within), *args])})"
    owner = getattr(value, "__self__", None)
    if isinstance(value, types.MethodType) or (
        isinstance(value, types.BuiltinMethodType)
        and owner is not None
        and not isinstance(owner, types.ModuleType)
    ):
        return f"{_stable_repr(owner, within)}.{getattr(value, '__name__', '?')}"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
        return _class_path(value)
    if type(value) in (list, tuple):
        items = [_stable_repr(item, within) for item in value]  # type: ignore[attr-defined]
        if type(value) is list:
            return f"[{', '.join(items)}]"
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if type(value) is dict:
        pairs = [
            f"{_stable_repr(k, within)}: {_stable_repr(v, within)}"
            for k, v in value.items()
        ]
        return f"{{{', '.join(pairs)}}}"
    if is_scipy_distribution(value):
        return describe_scipy(value)
    if type(value).__repr__ is object.__repr__:
        return _describe_object(value, within)
    return None


def _class_path(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", "?")
    return f"{module}.{name}" if module else str(name)


def _describe_object(value: object, within: tuple[int, ...] = ()) -> str:
    """``module.Class(name=value, ...)``: class path, then ``vars`` sorted by name."""
    state = getattr(value, "__dict__", None)
    items = (
        sorted(state.items(), key=lambda item: str(item[0]))
        if isinstance(state, dict)
        else []
    )
    within = (*within, id(value))
    inner = ", ".join(f"{name}={_stable_repr(item, within)}" for name, item in items)
    return f"{_class_path(type(value))}({inner})"


def is_scipy_distribution(value: object) -> bool:
    """Whether ``value`` is a scipy.stats distribution, frozen or not."""
    if "scipy.stats" not in sys.modules:  # then nothing is one: no import needed
        return False
    from scipy import stats

    families = (stats.rv_continuous, stats.rv_discrete)
    return isinstance(value, families) or isinstance(getattr(value, "dist", None), families)


def python_scalar(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def describe_scipy(dist: Any) -> str:
    """How a scipy.stats distribution reads in a message: its family and arguments."""
    family = getattr(getattr(dist, "dist", None), "name", None)
    if family is None:
        # An unfrozen scipy family (scipy.stats.expon) reads as its name. A
        # user's own object with rvs reads as its class path and attributes,
        # without its memory address: the same space describes itself the
        # same way in every process, and LogUniform(1e-3, 1e-2) differs from
        # LogUniform(10, 1000).
        name = getattr(dist, "name", None)
        if isinstance(name, str) and is_scipy_distribution(dist):
            return f"{name}({_listed_values(dist)})"
        return _describe_object(dist)
    args = [repr(python_scalar(a)) for a in getattr(dist, "args", ())]
    kwds = [f"{k}={python_scalar(v)!r}" for k, v in getattr(dist, "kwds", {}).items()]
    listed = _listed_values(dist.dist)
    return f"{family}({', '.join(args + kwds + ([listed] if listed else []))})"


def _listed_values(family: Any) -> str:
    """``values=(xk, pk)`` of ``rv_discrete(values=...)``; "" for other families.

    Every such distribution is named "Distribution": its values tell two
    apart (another set of values is another space).
    """
    xk, pk = getattr(family, "xk", None), getattr(family, "pk", None)
    if xk is None or pk is None:
        return ""
    values = [python_scalar(v) for v in np.asarray(xk).tolist()]
    weights = [python_scalar(p) for p in np.asarray(pk).tolist()]
    return f"values=({values!r}, {weights!r})"
