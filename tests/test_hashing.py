"""The digests of a study's fingerprint: a user's function is hashed by its code.

joblib's hash pickles a module-level function by reference (module and
name), so an edited scorer or preprocessing function hashed the same and a
resumed study mixed two metrics. Functions here are built from source with
``exec`` in a namespace named like a user's module, as a script edited
between two runs would define them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, fbeta_score, get_scorer, make_scorer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from scout_sklearn._hashing import content_hash, fingerprint_hash


@pytest.fixture(autouse=True)
def _forget_users_modules() -> Iterator[None]:
    yield
    for name in ("users_script", "another_script"):
        sys.modules.pop(name, None)


def _define(source: str, name: str = "f", **globals_: Any) -> Any:
    """``name`` as ``source`` defines it in a user's module (not a file on disk).

    The module is in ``sys.modules``, as a script's ``__main__`` is, so that
    its classes pickle by reference.
    """
    module_name = str(globals_.pop("__name__", "users_script"))
    module = types.ModuleType(module_name)
    module.__dict__.update(globals_)
    sys.modules[module_name] = module
    exec(compile(textwrap.dedent(source), f"{module_name}.py", "exec"), module.__dict__)
    return module.__dict__[name]


def _digest(source: str, name: str = "f", **globals_: Any) -> str:
    return content_hash(_define(source, name, **globals_))


# -- what does not change ----------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        make_pipeline(StandardScaler(), LogisticRegression()),
        make_pipeline(SelectKBest(f_classif), LogisticRegression()),
        make_pipeline(FunctionTransformer(np.log1p), LogisticRegression()),
        ColumnTransformer([("s", StandardScaler(), [0, 1])], remainder="passthrough"),
        get_scorer("roc_auc"),
        make_scorer(fbeta_score, beta=2),
        {"acc": "accuracy", "f2": make_scorer(fbeta_score, beta=2)},
        (
            np.arange(12.0).reshape(4, 3),
            np.array([0, 1, 0, 1]),
            {"sample_weight": np.ones(4)},
        ),
        {1: "a", "b": 2, (1, 2): None},  # keys joblib cannot sort
        {1, "a", (2,)},
        {f_classif: 1, "x": 2},
        [len, np.sum, np.log1p, f_classif, accuracy_score],
    ],
    ids=lambda value: type(value).__name__,
)
def test_a_value_without_a_users_function_hashes_as_joblib_hashes_it(value: Any) -> None:
    # Studies stored before functions were hashed by code still resume.
    assert content_hash(value) == joblib.hash(value, hash_name="sha1")


def test_the_same_source_hashes_the_same_wherever_its_lines_are() -> None:
    source = """
        THRESHOLD = 0.5
        def f(y_true, y_pred, *, labels=("a", "b")):
            kept = [p for p in y_pred if p in {"x", "y", "z"}]
            return THRESHOLD * len(kept) + len(labels)
    """
    moved = "\n\n# a comment above\n" + textwrap.dedent(source)

    assert _digest(source) == _digest(source) == _digest(moved)


def test_a_function_hashes_the_same_in_another_process_and_hash_seed(
    tmp_path: Path,
) -> None:
    # Set constants and set/dict globals iterate in another order in each
    # process (PYTHONHASHSEED): the digest must not follow that order.
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            """
            import functools
            from scout_sklearn._hashing import content_hash
            NAMES = {"alpha", "beta", "gamma", "delta"}
            TABLE = {"w": {"p", "q", "r"}, 3: (1.5, None)}
            def helper(v):
                return v in {"k1", "k2", "k3", "k4"}
            def f(y, p, *, w=frozenset({"u", "v", "w"})):
                return helper(w) and len(NAMES) and TABLE and f
            def make(threshold):
                def scorer(y, p):
                    return (lambda q: q in {"m", "n", "o"})(p) > threshold
                return scorer
            print(content_hash([f, make(0.5), functools.partial(f, 1), {make(1): "key"}]))
            """
        )
    )

    def run(seed: str) -> str:
        done = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    digests = {run(seed) for seed in ("1", "2", "3")}
    assert len(digests) == 1


# -- what changes ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("def f(y, p): return accuracy(y, p)", "def f(y, p): return -100 * accuracy(y, p)"),
        ("def f(y, p): return y == p", "def f(y, p): return y != p"),
        ("def f(y, p, beta=1.0): return beta", "def f(y, p, beta=2.0): return beta"),
        ("def f(y, p, *, beta=1.0): return beta", "def f(y, p, *, beta=2.0): return beta"),
        ("BETA = 1.0\ndef f(y, p): return BETA", "BETA = 2.0\ndef f(y, p): return BETA"),
        ("W = [1, 2]\ndef f(y, p): return W", "W = [1, 3]\ndef f(y, p): return W"),
        (
            "import numpy as np\nC = np.eye(2)\ndef f(y, p): return C",
            "import numpy as np\nC = 2 * np.eye(2)\ndef f(y, p): return C",
        ),
        (
            "def g(v): return v\ndef f(y, p): return g(p)",
            "def g(v): return -v\ndef f(y, p): return g(p)",
        ),
        (
            "def f(y, p): return (lambda q: q + 1)(p)",
            "def f(y, p): return (lambda q: q + 2)(p)",
        ),
        (
            "def f(y, p): return [q for q in p if q in {'a', 'b'}]",
            "def f(y, p): return [q for q in p if q in {'a', 'c'}]",
        ),
        (
            "def make(t):\n  def f(y, p): return t\n  return f\nf = make(0.5)",
            "def make(t):\n  def f(y, p): return t\n  return f\nf = make(0.7)",
        ),
    ],
    ids=[
        "body",
        "operator",
        "default",
        "keyword default",
        "global constant",
        "global list",
        "global array",
        "helper function",
        "nested lambda",
        "set constant",
        "closure value",
    ],
)
def test_an_edited_function_hashes_differently(before: str, after: str) -> None:
    assert _digest(before, accuracy=accuracy_score) != _digest(
        after, accuracy=accuracy_score
    )


def test_an_edited_function_inside_a_scorer_or_an_estimator_hashes_differently() -> None:
    v1 = _define("def f(X): return X")
    v2 = _define("def f(X): return 0 * X")

    assert content_hash(make_scorer(v1)) != content_hash(make_scorer(v2))
    assert content_hash(make_pipeline(FunctionTransformer(v1))) != content_hash(
        make_pipeline(FunctionTransformer(v2))
    )
    assert content_hash({"a": make_scorer(v1)}) != content_hash({"a": make_scorer(v2)})


def test_another_name_or_module_is_another_function() -> None:
    assert _digest("def f(y, p): return p") != _digest("def g(y, p): return p", "g")
    other_module = {"__name__": "another_script"}
    assert _digest("def f(y, p): return p") != content_hash(
        _define("def f(y, p): return p", **other_module)
    )


def test_a_bound_method_of_a_users_class_hashes_its_code() -> None:
    source = """
        class Metric:
            def __init__(self):
                self.sign = 1
            def score(self, y, p):
                return {body}
        f = Metric().score
    """
    one = _digest(source.replace("{body}", "self.sign * (y == p).mean()"))
    other = _digest(source.replace("{body}", "-self.sign * (y == p).mean()"))
    assert one != other


# -- what must not break -----------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        "def f(n): return 1 if n <= 1 else n * f(n - 1)",
        "def make():\n  def f(n): return 0 if n == 0 else f(n - 1)\n  return f\nf = make()",
        "def f(n): return g(n)\ndef g(n): return f(n - 1) if n else 0",
        "def f(n): return f\nf.__defaults__ = (f,)",
        "L = []\nL.append(L)\ndef f(n): return L",
        "D = {}\nD['self'] = D\ndef f(n): return D",
    ],
    ids=[
        "recursive",
        "recursive closure",
        "mutual",
        "itself as a default",
        "cyclic list",
        "cyclic dict",
    ],
)
def test_a_recursive_function_or_cyclic_data_hashes_and_terminates(source: str) -> None:
    assert _digest(source) == _digest(source)


def test_what_a_function_holds_that_is_not_plain_data_is_its_type() -> None:
    # A lock cannot be pickled; an estimator's state is not the function's.
    source = "import threading\nLOCK = threading.Lock()\ndef f(y, p): return LOCK"
    assert _digest(source) == _digest(source)
    assert fingerprint_hash(make_scorer(_define(source))) == fingerprint_hash(
        make_scorer(_define(source))
    )


def test_a_lambda_no_longer_needs_the_description_fallback() -> None:
    pipeline = make_pipeline(FunctionTransformer(lambda X: X * 2.0), LogisticRegression())

    assert fingerprint_hash(pipeline) == content_hash(pipeline)
    assert content_hash(lambda est, X, y: est.score(X, y)) != content_hash(
        lambda est, X, y: -est.score(X, y)
    )
