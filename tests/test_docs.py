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
    "scout_sklearn.dashboard",
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


# -- links to scikit-learn (intersphinx, offline) ----------------------------------------
def _inventory(path: Path) -> dict[str, dict[str, str]]:
    """What Sphinx's intersphinx reads from an inventory file: role -> name -> URL."""
    import posixpath

    from sphinx.util.inventory import InventoryFile

    with path.open("rb") as stream:
        loaded = InventoryFile.load(stream, "https://example.org/", posixpath.join)

    def uri(entry):  # a named tuple before Sphinx 8.2, an object with .uri after
        return entry.uri if hasattr(entry, "uri") else entry[2]

    return {role: {n: uri(e) for n, e in items.items()} for role, items in loaded.items()}


def test_the_docs_link_to_scikit_learn_through_an_inventory_made_offline(tmp_path):
    # conf.py maps intersphinx to an inventory it wrote itself, from the
    # installed scikit-learn: the -W build never downloads anything.
    import json
    import subprocess
    import sys

    # In a new process: conf.py imports every module of scikit-learn and
    # changes sys.path, which this test process should not inherit.
    # It removes the inventory when it exits: keep a copy.
    kept = tmp_path / "sklearn.inv"
    code = (
        "import json, runpy, shutil\n"
        f"config = runpy.run_path({str(DOCS / 'conf.py')!r})\n"
        "for key, (root, inventory) in config['intersphinx_mapping'].items():\n"
        f"    shutil.copy(inventory, {str(tmp_path)!r} + f'/{{key}}.inv')\n"
        "print(json.dumps([config['extensions'], config['intersphinx_mapping']]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    extensions, mapping = json.loads(done.stdout.splitlines()[-1])
    assert "sphinx.ext.intersphinx" in extensions
    assert set(mapping) == {"sklearn", "joblib", "xgboost", "lightgbm", "distributed"}
    for _, inventory in mapping.values():
        assert not inventory.startswith(("http:", "https:"))  # a file: nothing to download
    root, _ = mapping["sklearn"]
    assert root == "https://scikit-learn.org/stable/"
    entries = _inventory(kept)
    generated = "https://example.org/modules/generated/"
    classes, functions = entries["py:class"], entries["py:function"]
    name = "sklearn.model_selection.GridSearchCV"
    assert classes[name] == f"{generated}{name}.html#{name}"
    # Exported twice: documented under the most specific module.
    assert functions["sklearn.clone"] == functions["sklearn.base.clone"]
    assert functions["sklearn.clone"].endswith("sklearn.base.clone.html#sklearn.base.clone")
    assert functions["sklearn.config_context"].endswith("sklearn.config_context")
    assert "sklearn.utils.validation.check_is_fitted" in functions
    assert not [n for n in [*classes, *functions] if "._" in n or ".tests." in n]
    # The other libraries: the names the pages use, under both spellings (an
    # example's code is looked up by the defining module's).
    joblib = _inventory(tmp_path / "joblib.inv")["py:class"]
    page = "https://example.org/generated/joblib.parallel_config.html"
    assert joblib["joblib.parallel_config"] == f"{page}#joblib.parallel_config"
    xgb = _inventory(tmp_path / "xgboost.inv")["py:class"]
    api = "https://example.org/python/python_api.html#xgboost.XGBClassifier"
    assert xgb["xgboost.XGBClassifier"] == xgb["xgboost.sklearn.XGBClassifier"] == api
    lgbm = _inventory(tmp_path / "lightgbm.inv")["py:class"]
    assert lgbm["lightgbm.sklearn.LGBMClassifier"].endswith(
        "pythonapi/lightgbm.LGBMClassifier.html#lightgbm.LGBMClassifier"
    )
    dask = _inventory(tmp_path / "distributed.inv")["py:class"]
    assert dask["distributed.LocalCluster"].endswith("api.html#distributed.LocalCluster")


def test_every_example_is_a_gallery_page():
    # sphinx-gallery (docs/conf.py) runs every script of examples/ and makes
    # a page of each; a script needs a docstring that starts with a title.
    conf = (DOCS / "conf.py").read_text("utf-8")
    assert '"filename_pattern": r".*\\.py$"' in conf
    for script in (ROOT / "examples").glob("*.py"):
        lines = script.read_text("utf-8").splitlines()
        assert lines[0] == '"""', script.name
        assert set(lines[1]) == {"="}, script.name
        assert lines[3] == lines[1], script.name
        assert len(lines[1]) == len(lines[2]), script.name  # the title's length


def test_the_readme_points_at_the_docs_and_the_database_test_variables():
    readme = (ROOT / "README.md").read_text("utf-8")
    # Every variable the database tests read is named, with a usable URL.
    read = set()
    for path in (ROOT / "tests").rglob("*.py"):
        read |= set(re.findall(r"\"(SCOUT_TEST_\w+_URL)\"", path.read_text("utf-8")))
    assert read == {"SCOUT_TEST_POSTGRES_URL", "SCOUT_TEST_MYSQL_URL"}
    for variable in read:
        assert re.search(rf"export {variable}=\w+\+\w+://", readme), variable
    # The docs: a link, and the build command CI runs (into another folder).
    assert "(docs/index.rst)" in readme
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "sphinx-build -W --keep-going -b html docs" in readme
    assert 'sphinx-build" -W --keep-going -q -b html docs' in ci
    # Which extra gives the report its plots.
    assert '".[plot]"' in readme
