"""Sphinx configuration of the scout-sklearn documentation.

Build it with ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
The API reference is generated from the docstrings (autodoc, autosummary,
numpydoc); the Markdown pages (architecture, benchmarks, glossary) are read
by myst-parser as they are; scikit-learn's names link to its documentation
through intersphinx, with an inventory made offline (``_ext/sklearn_inventory.py``),
and so do joblib's, XGBoost's, LightGBM's and Dask's (``_ext/library_inventory.py``).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

# The package is installed (editable) in the documentation's environment;
# the path below lets a plain checkout build too.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import scout_sklearn

project = "scout-sklearn"
author = "the scout-sklearn developers"
copyright = "the scout-sklearn developers"
release = scout_sklearn.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True}
autodoc_member_order = "bysource"
# The docstrings carry the types (numpydoc "name : type" lines); signatures
# stay short and nothing depends on resolving annotations written under
# ``TYPE_CHECKING``.
autodoc_typehints = "none"
autoclass_content = "class"

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- links to scikit-learn ---------------------------------------------------
# intersphinx reads scikit-learn's inventory of names. Downloading it from
# scikit-learn.org fails offline (CI has no network), and -W makes that an
# error: the inventory is made from the installed scikit-learn instead, for
# every build, into a temporary folder (see _ext/sklearn_inventory.py).
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ext"))
from sklearn_inventory import ROOT as _SKLEARN_ROOT  # noqa: E402
from sklearn_inventory import write_inventory  # noqa: E402

_FOLDER = tempfile.mkdtemp(prefix="scout-docs-")
atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)  # once the build is done
_INVENTORY = write_inventory(Path(_FOLDER) / "sklearn.inv")
intersphinx_mapping = {"sklearn": (_SKLEARN_ROOT, str(_INVENTORY))}
# joblib, XGBoost, LightGBM and Dask's distributed: stand-in inventories of
# the names the pages and examples use (see _ext/library_inventory.py).
from library_inventory import write_inventories  # noqa: E402

intersphinx_mapping.update(write_inventories(Path(_FOLDER)))
intersphinx_timeout = 5

# -- Markdown pages ----------------------------------------------------------
myst_heading_anchors = 3

# -- HTML --------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"scout-sklearn {release}"
html_theme_options = {
    "description": "Hyperparameter search for scikit-learn",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_static_path: list[str] = []
html_show_sourcelink = False


# -- scikit-learn's glossary terms -------------------------------------------
# ScoutSearchCV inherits properties from scikit-learn's BaseSearchCV
# (``classes_``, ``n_features_in_``); numpydoc shows their own docstrings,
# which link words to scikit-learn's glossary with ``:term:``. This build has
# no such glossary, so those words are shown as plain text.
_TERM = re.compile(r":term:`([^`<]+?)(?:\s*<[^`>]*>)?`")


def _plain_terms(app, what, name, obj, options, lines):
    lines[:] = [_TERM.sub(r"\1", line) for line in lines]


# -- private helper bases ----------------------------------------------------
# A class may take members from a private helper base of this package (Study
# and StoredStudy share best_trial, best_params and best_value that way; the
# ASHA pruners their ladder and rules): the class template documents those
# classes' inherited members, and the helper base is shown as its own bases.
def _is_private_helper(base):
    return base.__module__.startswith("scout_sklearn") and base.__name__.startswith("_")


def _public_bases(bases):
    public = []
    for base in bases:
        if _is_private_helper(base):
            public += _public_bases([b for b in base.__bases__ if b is not object])
        elif base not in public:
            public.append(base)
    return public


def _hide_private_bases(app, name, obj, options, bases):
    bases[:] = _public_bases(bases)


def setup(app):
    # After numpydoc (priority 500), which inserts those docstrings.
    app.connect("autodoc-process-docstring", _plain_terms, priority=600)
    app.connect("autodoc-process-bases", _hide_private_bases)


# -- the example gallery -----------------------------------------------------
# sphinx-gallery runs every script of examples/ while the pages are built and
# shows what it printed and drew under its code. The scripts run with a tiny
# budget (SCOUT_EXAMPLES_QUICK=1, as in the test suite), from a copy of
# examples/ in the build's temporary folder: sphinx-gallery runs a script in
# its own folder, and the files the scripts write (scout.db, report.html,
# pictures) must not land in the source tree. An example whose library is
# not installed (XGBoost, LightGBM, CatBoost) is left out, and the build says
# so. An example that fails fails the build.
os.environ.setdefault("SCOUT_EXAMPLES_QUICK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
_EXAMPLES = Path(_FOLDER) / "examples"
shutil.copytree(Path(__file__).parent.parent / "examples", _EXAMPLES)
_NEEDS = {
    "xgboost_early_stopping.py": ("xgboost",),
    "lightgbm_early_stopping.py": ("lightgbm",),
    "catboost_categorical.py": ("catboost",),
    "skorch_mlp.py": ("torch", "skorch"),
}
_LEFT_OUT = []
for _script, _modules in _NEEDS.items():
    for _module in _modules:
        try:
            __import__(_module)
        except ImportError:
            _LEFT_OUT.append(_script)
            print(f"example gallery: {_script} left out ({_module} is not installed)")
            break
extensions.append("sphinx_gallery.gen_gallery")
sphinx_gallery_conf = {
    "examples_dirs": str(_EXAMPLES),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # run every script, not only plot_*.py
    "ignore_pattern": "|".join(re.escape(s) for s in _LEFT_OUT) or r"^$",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "image_scrapers": ("matplotlib",),
    "reference_url": {"scout_sklearn": None},
    "capture_repr": (),
}
