"""An intersphinx inventory of scikit-learn's API, made from the installed package.

intersphinx links names such as ``sklearn.model_selection.GridSearchCV`` to
scikit-learn's documentation by reading its ``objects.inv``, which it
downloads from scikit-learn.org. The docs are built with ``-W`` on machines
that cannot reach that site (CI among them), where a failed download is a
warning, hence an error. So the build writes the inventory itself, from the
public names of the installed scikit-learn (every public module's
``__all__``, or the public classes and functions a module without one
defines), each pointing at the page scikit-learn's reference gives such a
name, ``modules/generated/<module>.<name>.html``. A name exported
by several public modules is documented under the most specific of them
(``sklearn.base.clone``, not ``sklearn.clone``); every spelling links to it.

It is a stand-in for the real inventory, good for the classes and functions
of the API reference; a public-looking helper that scikit-learn does not
document would get a link to a page that does not exist, and scikit-learn's
other pages (the user guide, the glossary) are not in it.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings
import zlib
from pathlib import Path
from typing import Any

ROOT = "https://scikit-learn.org/stable/"
_SKIPPED = ("tests", "externals", "conftest")


def public_names() -> dict[str, str]:
    """Every public name of scikit-learn, mapped to the name it is documented under."""
    import sklearn

    exported: dict[str, list[str]] = {}  # object name -> public modules exporting it
    modules = ["sklearn"] + [
        info.name
        for info in pkgutil.walk_packages(sklearn.__path__, "sklearn.")
        if not any(
            part.startswith("_") or part in _SKIPPED for part in info.name.split(".")
        )
    ]
    for name in modules:
        try:
            with warnings.catch_warnings():  # deprecated modules say so on import
                warnings.simplefilter("ignore")
                module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - an optional dependency missing: skip it
            continue
        for exported_name in _exported(module):
            exported.setdefault(exported_name, []).append(name)
    names = {}
    for exported_name, where in exported.items():
        canonical = max(where, key=lambda m: m.count("."))
        for module in where:
            names[f"{module}.{exported_name}"] = f"{canonical}.{exported_name}"
    return names


def _exported(module: Any) -> list[str]:
    """A module's public classes and functions: its ``__all__``, else those it defines."""
    submodules = {
        info.name for info in pkgutil.iter_modules(getattr(module, "__path__", []))
    }
    listed = getattr(module, "__all__", None)
    if listed is not None:
        return [n for n in listed if n not in submodules and not n.startswith("_")]
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == module.__name__
    ]


def write_inventory(path: Path) -> Path:
    """Write the inventory (Sphinx's format, version 2) to ``path``; return it."""
    import sklearn

    lines = []
    for name, documented in sorted(public_names().items()):
        role = "py:class" if documented.rpartition(".")[2][:1].isupper() else "py:function"
        lines.append(
            f"{name} {role} 1 modules/generated/{documented}.html#{documented} -\n"
        )
    header = (
        "# Sphinx inventory version 2\n"
        "# Project: scikit-learn\n"
        f"# Version: {sklearn.__version__}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    path = Path(path)
    path.write_bytes(header.encode() + zlib.compress("".join(lines).encode()))
    return path
