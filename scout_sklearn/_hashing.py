"""Digests of a search's data, estimator, splits and scoring, for its fingerprint.

joblib's hash pickles a value into a digest, and pickles a function by
reference: its module and name. A function the user wrote would then hash
the same whatever its body, and a resumed study would mix two metrics or
two preprocessings. So a user's function (one not from the standard
library or an installed package) is hashed by what it does: its qualified
name, byte code and constants (nested functions included), defaults, and
the values of its closure cells and of the globals it reads, when they are
plain data (numbers, strings, arrays, containers of them, other
functions). Anything else they hold is described by its type alone. A
function of the standard library or of an installed package (scikit-learn,
numpy, ...) and a builtin are hashed by reference, as joblib does, so a
search without the user's functions hashes as before.
"""

from __future__ import annotations

import decimal
import dis
import functools
import os
import pickle
import site
import sys
import sysconfig
import types
from collections.abc import Iterator
from typing import Any

import numpy as np
from joblib.hashing import NumpyHasher, Pickler, _ConsistentSet

__all__ = ["content_hash", "fingerprint_hash"]


def content_hash(value: Any) -> str:
    """A digest of ``value``'s content (arrays, frames, estimators, callables).

    The same content gives the same digest in any process, so a stored study
    can tell whether it is resumed on the same data, estimator and splits.
    """
    return str(_Hasher().hash(value))


def fingerprint_hash(value: Any) -> str:
    """A digest of ``value`` (estimator, scoring, data), even one that cannot be pickled.

    A value holding something that cannot be pickled (a lock, a generator)
    is hashed by its description instead: class paths, parameters or
    attributes, a function's digest, and for what is neither its type.
    """
    try:
        return content_hash(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return content_hash(_describe(value))


def _describe(value: Any, depth: int = 0) -> Any:
    """Plain, stable data standing for ``value`` (no addresses, no pickling)."""
    if depth > _DEPTH:  # a cycle of objects, or a very deep one
        return {"unhashable": _qualified_name(type(value))}
    if hasattr(value, "get_params") and not isinstance(value, type):
        return {
            "class": _qualified_name(type(value)),
            "params": {
                k: _describe(v, depth + 1) for k, v in value.get_params(deep=False).items()
            },
        }
    if isinstance(value, (list, tuple)):
        return [_describe(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {str(key): _describe(item, depth + 1) for key, item in value.items()}
    try:
        return content_hash(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        pass
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and not isinstance(value, (type, types.ModuleType)):
        # An object such as a scorer (make_scorer(...)): its attributes.
        return {
            "class": _qualified_name(type(value)),
            "attributes": {
                str(k): _describe(v, depth + 1) for k, v in sorted(attributes.items())
            },
        }
    return {"unhashable": _qualified_name(type(value))}  # described by its type only


_DEPTH = 50  # nesting beyond which a value is described by its type


def _qualified_name(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', '?')}"


class _Hasher(NumpyHasher):  # type: ignore[misc]
    """joblib's hasher, with a user's function hashed by its code and data.

    ``functions`` holds the ids of the functions being hashed, shared with
    the hashers of dict keys and set items: a function met again inside
    itself (a recursive one) is hashed by its name.
    """

    def __init__(self, functions: set[int] | None = None, hash_name: str = "sha1") -> None:
        super().__init__(hash_name=hash_name)
        self._functions = set() if functions is None else functions

    def save(self, obj: Any) -> None:
        if isinstance(obj, types.MethodType) and _by_code(obj.__func__):
            # joblib hashes a bound method by its name, instance and class.
            obj = ("scout_sklearn method", obj.__self__, obj.__func__)
        super().save(obj)

    def _save_function(self, obj: types.FunctionType) -> None:
        if not _by_code(obj):
            try:
                self.save_global(obj)  # by reference, as joblib does
                return
            except pickle.PicklingError:  # a lambda of a library: by code then
                pass
        key = id(obj)
        if key in self._functions:
            self.save(("scout_sklearn function again", obj.__module__, obj.__qualname__))
            return
        self._functions.add(key)
        try:
            self.save(self._function_state(obj))
        finally:
            self._functions.discard(key)

    def _key_digest(self, key: Any) -> str:
        # joblib's key for dict keys and set items that cannot be sorted (the
        # md5 of joblib's hash), from this hasher: a user's function by code.
        return str(_Hasher(self._functions, hash_name="md5").hash(key))

    def _batch_setitems(self, items: Any, *args: Any) -> None:
        try:
            Pickler._batch_setitems(self, iter(sorted(items)), *args)
        except TypeError:
            pairs = sorted((self._key_digest(k), v) for k, v in items)
            Pickler._batch_setitems(self, iter(pairs), *args)

    def _save_set(self, obj: set[Any]) -> None:
        ordered = _ConsistentSet.__new__(_ConsistentSet)
        try:
            ordered._sequence = sorted(obj)
        except (TypeError, decimal.InvalidOperation):
            ordered._sequence = sorted(self._key_digest(item) for item in obj)
        Pickler.save(self, ordered)

    dispatch = NumpyHasher.dispatch.copy()
    dispatch[types.FunctionType] = _save_function
    dispatch[set] = _save_set

    def _function_state(self, func: types.FunctionType) -> tuple[Any, ...]:
        code = func.__code__
        closure = tuple(
            self._plain(_cell_contents(cell), 0) for cell in func.__closure__ or ()
        )
        globals_ = tuple(
            (name, self._plain(func.__globals__[name], 0))
            for name in sorted(set(_global_names(code)))
            if name in func.__globals__
        )
        return (
            "scout_sklearn function",
            func.__module__,
            func.__qualname__,
            _code_state(code),
            self._plain(func.__defaults__, 0),
            self._plain(func.__kwdefaults__, 0),
            closure,
            globals_,
        )

    def _plain(self, value: Any, depth: int) -> Any:
        """``value`` if it is plain data (functions kept, hashed later), else its type."""
        if depth > _DEPTH:
            return ("scout_sklearn object", _qualified_name(type(value)))
        if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
            return value
        if isinstance(value, np.generic) and not isinstance(value, np.object_):
            return value
        if isinstance(value, np.ndarray) and not value.dtype.hasobject:
            return value
        if isinstance(value, types.FunctionType):
            return value
        if isinstance(value, functools.partial):
            return (
                "scout_sklearn partial",
                self._plain(value.func, depth + 1),
                self._plain(value.args, depth + 1),
                self._plain(value.keywords, depth + 1),
            )
        if isinstance(value, (tuple, list)):
            kind = type(value).__name__
            return (kind, tuple(self._plain(item, depth + 1) for item in value))
        if isinstance(value, dict):
            items = [
                (self._plain(k, depth + 1), self._plain(v, depth + 1))
                for k, v in value.items()
            ]
            return ("dict", tuple(sorted(items, key=lambda kv: self._sort_key(kv[0]))))
        if isinstance(value, (set, frozenset)):
            members = [self._plain(item, depth + 1) for item in value]
            return (type(value).__name__, tuple(sorted(members, key=self._sort_key)))
        if isinstance(value, types.ModuleType):
            return ("scout_sklearn module", value.__name__)
        if isinstance(value, type):
            return ("scout_sklearn class", _qualified_name(value))
        if isinstance(value, types.MethodType):
            return (
                "scout_sklearn method",
                ("scout_sklearn object", _qualified_name(type(value.__self__))),
                self._plain(value.__func__, depth + 1),
            )
        if isinstance(value, (types.BuiltinFunctionType, np.ufunc)):
            module = getattr(value, "__module__", None) or type(value).__module__
            name = getattr(value, "__qualname__", None) or value.__name__
            return ("scout_sklearn builtin", f"{module}.{name}")
        return ("scout_sklearn object", _qualified_name(type(value)))

    def _sort_key(self, plain: Any) -> str:
        # The digest of a key, not its repr: the repr of a function holds an address.
        return str(_Hasher(self._functions).hash(plain))


def _cell_contents(cell: types.CellType) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # a cell not filled yet
        return ("scout_sklearn empty cell",)


def _code_state(code: types.CodeType) -> tuple[Any, ...]:
    """What a code object does, without its line numbers, file or addresses."""
    return (
        "scout_sklearn code",
        code.co_code,
        tuple(_constant(c) for c in code.co_consts),
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags,
    )


def _constant(value: Any) -> Any:
    if isinstance(value, types.CodeType):  # a nested function, lambda or comprehension
        return _code_state(value)
    if isinstance(value, tuple):
        return tuple(_constant(item) for item in value)
    if isinstance(value, frozenset):  # `x in {"a", "b"}`: its order varies by process
        return ("frozenset", tuple(sorted((_constant(item) for item in value), key=repr)))
    return value  # None, a number, a string, bytes, Ellipsis


def _global_names(code: types.CodeType) -> Iterator[str]:
    """The globals ``code`` and the code nested in it read."""
    for instruction in dis.get_instructions(code):
        if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME") and isinstance(
            instruction.argval, str
        ):
            yield instruction.argval
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _global_names(constant)


def _by_code(func: Any) -> bool:
    """Whether ``func`` is a user's Python function, hashed by its code.

    A function of the standard library, of an installed package or of
    scout_sklearn is hashed by reference: its code is the package's version,
    and a search without the user's functions keeps its digest.
    """
    if not isinstance(func, types.FunctionType):
        return False
    module = func.__module__
    if not isinstance(module, str):
        return True
    if module == "scout_sklearn" or module.startswith("scout_sklearn."):
        return False
    path = getattr(sys.modules.get(module), "__file__", None)
    if not isinstance(path, str):
        return True  # __main__ of `python -c`, a notebook, exec'd code
    return not _installed(os.path.realpath(path))


@functools.lru_cache(maxsize=1024)
def _installed(path: str) -> bool:
    return any(path.startswith(root + os.sep) for root in _library_roots())


@functools.lru_cache(maxsize=1)
def _library_roots() -> tuple[str, ...]:
    """The standard library's and the installed packages' directories."""
    paths = sysconfig.get_paths()
    roots = [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    roots += getattr(site, "getsitepackages", list)()
    if site.ENABLE_USER_SITE:
        roots.append(site.getusersitepackages())
    return tuple(sorted({os.path.realpath(root) for root in roots if root}))
