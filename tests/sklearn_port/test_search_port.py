"""scikit-learn's own search tests, run on ScoutSearchCV.

At import, this module reads the installed scikit-learn's
``sklearn/model_selection/tests/test_search.py`` (so it follows whatever
scikit-learn version is installed), takes ``GridSearchCV`` and
``RandomizedSearchCV`` out of its imports, binds those two names to
ScoutSearchCV, and runs the file's tests as its own. Nothing else in the file
is changed: its estimators, data, asserts and expected messages are
scikit-learn's.

The two names:

- ``GridSearchCV`` is ScoutSearchCV itself: the drop-in claim.
- ``RandomizedSearchCV`` is the thinnest factory that says "random search"
  to ScoutSearchCV, with one mapping per difference in the constructors:
  ``n_iter`` becomes ``n_trials`` (our name for the budget; its default
  stays RandomizedSearchCV's 10, where ScoutSearchCV's None means the whole
  grid), and ``sampler="random"`` (RandomizedSearchCV draws independently,
  as our RandomSampler does; ScoutSearchCV's default with a budget is a
  model-based sampler). Every other argument passes through unchanged.

The tests that fail for a documented difference (docs/guide/differences.rst
lists the same ones, with the same reasons) are strict xfails: one that
starts passing fails the suite, so the list never outlives the difference.
scikit-learn versions that lack one of them simply do not run it; a few
differ only from some scikit-learn versions (DIFFERENCES_IF_SOURCE_HAS).
"""

from __future__ import annotations

import ast
import importlib.util
from types import CodeType
from typing import Any

import pytest

from scout_sklearn import ScoutSearchCV

_SUITE = "sklearn.model_selection.tests.test_search"
_REBOUND = {"GridSearchCV", "RandomizedSearchCV"}

GridSearchCV = ScoutSearchCV


def RandomizedSearchCV(
    estimator: Any, param_distributions: Any = None, *, n_iter: int = 10, **kwargs: Any
) -> ScoutSearchCV:
    """RandomizedSearchCV's constructor, as ScoutSearchCV spells it."""
    return ScoutSearchCV(
        estimator, param_distributions, sampler="random", n_trials=n_iter, **kwargs
    )


_EXTRA_COLUMNS = (
    "cv_results_ has two more keys than GridSearchCV's: trial_number and state "
    "(the test compares the exact set of keys)"
)
#: Tests that fail for a documented difference, and why (docs/guide/differences.rst).
DIFFERENCES = {
    "test_grid_search_cv_results": _EXTRA_COLUMNS,
    "test_random_search_cv_results": _EXTRA_COLUMNS,
    "test_custom_run_search": _EXTRA_COLUMNS,
    "test_search_cv_verbose_3": (
        "verbose output goes to the scout_sklearn logger (stderr, one line per fold "
        "at verbose=3, in its own format), not print() to stdout"
    ),
    "test_grid_search_bad_param_grid": (
        "a bad space is refused with our message, which names the argument and what "
        "it accepts (lists, scipy.stats distributions, Float/Int/Categorical), not "
        "ParameterGrid's wording"
    ),
}
#: Differences with some scikit-learn versions only: applied when the installed
#: suite's source holds the text (the test's expectation), with the reason.
DIFFERENCES_IF_SOURCE_HAS = {
    "test_random_search_bad_cv": (
        "cv.get_n_splits returned ",
        "this scikit-learn's test expects 'cv.split and cv.get_n_splits returned "
        "inconsistent results'; ours words it as scikit-learn 1.9 does ('return')",
    ),
}


def _read_suite() -> tuple[str, str]:
    """The installed suite's path and text; skips the module without one."""
    spec = importlib.util.find_spec(_SUITE)
    if spec is None or spec.origin is None:
        pytest.skip(
            f"the installed scikit-learn does not ship its tests ({_SUITE} is missing)",
            allow_module_level=True,
        )
    with open(spec.origin, encoding="utf-8") as file:
        return spec.origin, file.read()


def _compile_suite(path: str, source: str) -> CodeType:
    """The suite without GridSearchCV and RandomizedSearchCV in its imports."""
    tree = ast.parse(source, filename=path)
    rebound = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            rebound.update(a.name for a in node.names if a.name in _REBOUND)
            node.names = [a for a in node.names if a.name not in _REBOUND]
    if rebound != _REBOUND:
        raise RuntimeError(
            f"{path} no longer imports {sorted(_REBOUND - rebound)} at module "
            "level: the port cannot rebind it."
        )
    tree.body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.ImportFrom) and not node.names)
    ]
    # Compiled under the file's own name: tracebacks point into scikit-learn's file.
    return compile(tree, path, "exec")


# The suite's tests, classes and helpers become this module's: pytest collects
# them here, and pickle finds their classes here.
_path, _source = _read_suite()
exec(_compile_suite(_path, _source), globals())

_differences = dict(DIFFERENCES)
for _name, (_text, _reason) in DIFFERENCES_IF_SOURCE_HAS.items():
    if _text in _source:
        _differences[_name] = _reason
for _name, _reason in _differences.items():
    if _name in globals():
        globals()[_name] = pytest.mark.xfail(reason=_reason, strict=True)(globals()[_name])
