"""The documentation keeps up with the code.

The Sphinx build itself runs in CI's own step (``.ci/run``, with warnings as
errors); these tests only read the sources, so they are fast.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import scout_sklearn

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
API = DOCS / "api.rst"

# Modules whose every name in __all__ must be in the API reference.
REFERENCED_MODULES = [
    "scout_sklearn",
    "scout_sklearn.callbacks",
    "scout_sklearn.distributions",
    "scout_sklearn.exceptions",
    "scout_sklearn.plotting",
    "scout_sklearn.pruners",
    "scout_sklearn.samplers",
    "scout_sklearn.storage",
]
# Public modules left out of the API reference, and why.
NOT_REFERENCED = {
    "cli": "the scout-sklearn command, described in the user guide",
    "report": "the HTML report behind 'scout-sklearn report'",
    "reporting": "the scout_sklearn logger, described in the user guide",
}
NEW_EXAMPLES = {
    "pipeline.py",
    "conditional_space.py",
    "resume_after_crash.py",
    "pruning.py",
}


def documented_names(text: str) -> set[str]:
    """Qualified names an rst page documents: autosummary tables, ``.. data::``."""
    names: set[str] = set()
    module = ""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(".. currentmodule::"):
            module = line.split("::", 1)[1].strip()
        elif line.startswith(".. data::"):
            names.add(f"{module}.{line.split('::', 1)[1].strip()}")
        elif line.startswith(".. autosummary::"):
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                entry = lines[i].strip()
                if entry and not entry.startswith(":"):
                    names.add(f"{module}.{entry.lstrip('~')}")
                i += 1
            continue
        i += 1
    return names


def test_documented_names_reads_autosummary_tables():
    text = (
        ".. currentmodule:: pkg\n\n.. autosummary::\n   :toctree: generated/\n\n"
        "   A\n   b\n\nText A_not_listed\n\n.. currentmodule:: pkg.sub\n\n"
        ".. autosummary::\n\n   C\n\n.. data:: D\n\n   About D.\n"
    )
    assert documented_names(text) == {"pkg.A", "pkg.b", "pkg.sub.C", "pkg.sub.D"}


def documented_objects() -> dict[int, str]:
    """The objects the API reference documents, by id, with the name it uses."""
    objects = {}
    for qualified in documented_names(API.read_text(encoding="utf-8")):
        module_name, _, name = qualified.rpartition(".")
        objects[id(getattr(importlib.import_module(module_name), name))] = qualified
    return objects


@pytest.mark.parametrize("module_name", REFERENCED_MODULES)
def test_every_public_name_is_in_the_api_reference(module_name):
    module = importlib.import_module(module_name)
    documented = documented_objects()
    # A name re-exported elsewhere (distributions.Float as scout_sklearn.Float)
    # is documented once, under either path.
    missing = [
        name for name in module.__all__ if id(getattr(module, name)) not in documented
    ]
    assert not missing, (
        f"{module_name}.__all__ has names that docs/api.rst does not list: "
        f"{missing}. Add them to an autosummary table under "
        f"'.. currentmodule:: {module_name}'."
    )


def test_every_public_module_is_referenced_or_left_out_on_purpose():
    public = {
        info.name
        for info in pkgutil.iter_modules(scout_sklearn.__path__)
        if not info.name.startswith("_")
    }
    referenced = {name.rpartition(".")[2] for name in REFERENCED_MODULES[1:]}
    unaccounted = public - referenced - set(NOT_REFERENCED)
    assert not unaccounted, (
        f"Public modules {sorted(unaccounted)} are neither in REFERENCED_MODULES "
        "(then docs/api.rst lists their names) nor in NOT_REFERENCED."
    )


def guide_pages():
    return [DOCS / "index.rst", *sorted((DOCS / "guide").glob("*.rst"))]


def test_the_examples_named_in_the_docs_exist():
    named = {
        (page.name, match)
        for page in guide_pages()
        for match in re.findall(r"examples/([\w.-]+\.py)", page.read_text("utf-8"))
    }
    assert {name for _, name in named} >= NEW_EXAMPLES
    missing = sorted(
        (page, name) for page, name in named if not (ROOT / "examples" / name).exists()
    )
    assert not missing, f"The docs name example files that do not exist: {missing}"


def test_the_new_examples_exist():
    found = {p.name for p in (ROOT / "examples").glob("*.py")}
    assert found >= NEW_EXAMPLES


def test_every_guide_page_is_in_the_index():
    index = (DOCS / "index.rst").read_text("utf-8")
    for page in sorted((DOCS / "guide").glob("*.rst")):
        assert f"guide/{page.stem}" in index, f"{page.name} is not in the index's toctree"
