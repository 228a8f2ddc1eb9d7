"""Distributions, sub-spaces and SearchSpace.from_user."""

from __future__ import annotations

import functools
import itertools
import json
import math
import pickle
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from contracts.sampler import (
    PROPERTY_SETTINGS,
    categoricals,
    continuous_floats,
    float_steps,
    ints,
    same_params,
    same_value,
    scipy_distributions,
    search_spaces,
    user_spaces,
)
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ParameterGrid
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC

from scout_sklearn import Categorical, Float, Int, SearchSpace
from scout_sklearn._describe import stable_repr
from scout_sklearn.distributions import ScipyDistribution, SubSpace
from scout_sklearn.exceptions import InvalidParameterError

UNIT = st.floats(0.0, 1.0)


# -- Float ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"low": 1.0, "high": 0.0}, r"low < high; got low=1\.0, high=0\.0.*\[1\.0\]"),
        ({"low": 1.0, "high": 1.0}, r"low < high; got low=1\.0, high=1\.0"),
        ({"low": "0", "high": 1.0}, r"Float low must be a finite real number; got low='0'"),
        (
            {"low": 0.0, "high": math.inf},
            r"high must be a finite real number; got high=inf",
        ),
        ({"low": math.nan, "high": 1.0}, r"low must be a finite real number; got low=nan"),
        ({"low": True, "high": 2.0}, r"low must be a finite real number; got low=True"),
        ({"low": 0.0, "high": 1.0, "log": True}, r"log=True\) requires low > 0.*low=0\.0"),
        ({"low": -1.0, "high": 1.0, "log": True}, r"requires low > 0.*got low=-1\.0"),
        ({"low": 0.0, "high": 1.0, "log": "yes"}, r"log must be a bool; got log='yes'"),
        ({"low": 0.0, "high": 1.0, "step": 0}, r"step must be a positive .*got step=0\b"),
        ({"low": 0.0, "high": 1.0, "step": -0.5}, r"positive.*got step=-0\.5"),
        ({"low": 0.0, "high": 1.0, "step": "0.5"}, r"positive.*got step='0\.5'"),
        ({"low": 0.0, "high": 1.0, "step": math.nan}, r"positive.*got step=nan"),
    ],
)
def test_float_rejects_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        Float(**kwargs)


def test_float_log_with_step_names_both() -> None:
    with pytest.raises(InvalidParameterError, match=r"log=True.*step=0\.1"):
        Float(0.1, 1.0, log=True, step=0.1)


def test_float_step_not_dividing_the_range_shows_the_arithmetic_and_a_fix() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=r"step=0\.3 does not divide high - low = 1\.0 .*3\.33333.*set high=0\.9",
    ):
        Float(0.0, 1.0, step=0.3)
    # The suggested bound works.
    assert Float(0.0, 0.9, step=0.3).n_values() == 4


def test_float_is_an_invalid_parameter_error_catchable_as_value_and_type_error() -> None:
    with pytest.raises(ValueError, match="low < high"):
        Float(1.0, 0.0)
    with pytest.raises(TypeError, match="low < high"):
        Float(1.0, 0.0)


def test_float_normalises_numbers() -> None:
    dist = Float(np.int64(1), np.float32(2.5), step=np.float64(0.5))
    assert (type(dist.low), type(dist.high), type(dist.step)) == (float, float, float)
    assert dist == Float(1.0, 2.5, step=0.5)


@pytest.mark.parametrize(
    ("dist", "values"),
    [
        (Float(0.0, 1.0, step=0.25), [0.0, 0.25, 0.5, 0.75, 1.0]),
        (Float(0.1, 0.7, step=0.2), [0.1, 0.3, 0.5, 0.7]),
        (Float(-0.3, 0.6, step=0.3), [-0.3, 0.0, 0.3, 0.6]),
        (Float(0.0, 0.3, step=0.1), [0.0, 0.1, 0.2, 0.3]),
        (Float(1e-3, 5e-3, step=1e-3), [0.001, 0.002, 0.003, 0.004, 0.005]),
    ],
)
def test_float_step_values_are_the_decimals_the_user_wrote(
    dist: Float, values: list[float]
) -> None:
    assert dist.is_finite
    assert dist.n_values() == len(values)
    assert [dist.value_at(i) for i in range(dist.n_values())] == values
    for i, value in enumerate(values):
        assert dist.index_of(value) == i
        assert dist.contains(value)


@pytest.mark.parametrize(
    ("low", "high", "step"),
    [(32768.0, 32768.002, 0.001), (32768.0, 32768.001, 0.001), (5000.0, 5000.001, 1e-4)],
)
def test_float_step_far_from_zero(low: float, high: float, step: float) -> None:
    # A range written in exact decimals far from zero: the binary noise of
    # high - low is larger relative to a small step, yet the grid is valid and
    # its own values must be members.
    dist = Float(low, high, step=step)
    n = round((high - low) / step) + 1
    assert dist.n_values() == n
    for i in range(n):
        value = dist.value_at(i)
        assert value == pytest.approx(low + i * step, rel=1e-12)
        assert dist.contains(value), value
        assert dist.index_of(value) == i


def test_float_wider_than_the_largest_float_still_decodes() -> None:
    # high - low overflows to inf; decoding must not produce NaN.
    dist = Float(-1e308, 1e308)
    for u in (0.0, 0.5, 1.0):
        assert dist.contains(dist.from_unit(u)), u


def test_float_contains() -> None:
    dist = Float(-1.0, 2.0)
    for value in (-1.0, 0, 2, np.float32(1.5), np.int64(1)):
        assert dist.contains(value)
    for value in (-1.01, 2.01, math.nan, math.inf, "1.0", None, True, [1.0]):
        assert not dist.contains(value)
    stepped = Float(0.0, 1.0, step=0.25)
    assert stepped.contains(0.75)
    assert not stepped.contains(0.3)
    assert stepped.index_of(0.3) is None


def test_float_is_not_finite_without_step() -> None:
    dist = Float(0.0, 1.0)
    assert not dist.is_finite
    with pytest.raises(TypeError, match=r"Float\(low=0\.0, high=1\.0.*not finite"):
        dist.n_values()
    with pytest.raises(TypeError, match="not finite"):
        dist.value_at(0)


def test_float_unit_encoding_by_hand() -> None:
    linear = Float(2.0, 6.0)
    assert linear.to_unit(3.0) == pytest.approx(0.25)
    assert linear.from_unit(0.75) == pytest.approx(5.0)
    log = Float(1e-3, 1e3, log=True)
    # Six decades: 1e-2 is one sixth of the way, 1 halfway.
    assert log.to_unit(1e-2) == pytest.approx(1 / 6)
    assert log.to_unit(1.0) == pytest.approx(0.5)
    assert log.from_unit(0.5) == pytest.approx(1.0)
    assert log.from_unit(0.0) == pytest.approx(1e-3, rel=1e-12)
    assert log.from_unit(1.0) == pytest.approx(1e3, rel=1e-12)
    stepped = Float(0.0, 1.0, step=0.5)
    # Three equal cells: [0, 1/3) -> 0.0, [1/3, 2/3) -> 0.5, [2/3, 1] -> 1.0.
    assert [stepped.from_unit(u) for u in (0.0, 0.3, 0.34, 0.66, 0.67, 1.0)] == [
        0.0,
        0.0,
        0.5,
        0.5,
        1.0,
        1.0,
    ]
    assert [stepped.to_unit(v) for v in (0.0, 0.5, 1.0)] == pytest.approx(
        [1 / 6, 0.5, 5 / 6]
    )


def test_float_repr_and_json() -> None:
    dist = Float(1e-3, 1e3, log=True)
    assert repr(dist) == "Float(low=0.001, high=1000.0, log=True, step=None)"
    assert dist.to_json() == {
        "type": "float",
        "low": 0.001,
        "high": 1000.0,
        "log": True,
        "step": None,
    }


# -- Int -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"low": 0.5, "high": 3}, r"Int low must be an integer; got low=0\.5.*Float"),
        ({"low": 0, "high": 3.0}, r"Int high must be an integer; got high=3\.0"),
        ({"low": False, "high": 3}, r"Int low must be an integer; got low=False"),
        ({"low": 3, "high": 3}, r"low < high; got low=3, high=3.*\[3\]"),
        ({"low": 0, "high": 3, "step": 0}, r"step must be a positive integer; got step=0"),
        ({"low": 0, "high": 3, "step": 1.5}, r"positive integer; got step=1\.5"),
        ({"low": 0, "high": 3, "log": 1}, r"Int log must be a bool; got log=1"),
        ({"low": 0, "high": 3, "log": True}, r"low >= 1.*got low=0"),
        ({"low": 1, "high": 5, "log": True, "step": 2}, r"log=True with step=2"),
        ({"low": 0, "high": 10, "step": 3}, r"step=3 does not divide .* = 10 .*high=9"),
    ],
)
def test_int_rejects_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        Int(**kwargs)


def test_int_values_and_membership() -> None:
    dist = Int(10, 100, step=10)
    assert dist.is_finite
    assert dist.n_values() == 10
    assert [dist.value_at(i) for i in range(10)] == list(range(10, 101, 10))
    assert dist.index_of(40) == 3
    assert dist.index_of(np.int64(40)) == 3
    assert dist.index_of(45) is None
    assert dist.contains(np.int32(100))
    for value in (45, 0, 110, 40.0, True, "40", None):
        assert not dist.contains(value)


def test_int_linear_unit_encoding_has_equal_cells() -> None:
    dist = Int(0, 4)
    # Five cells of width 0.2, each value encoded at the centre of its cell.
    assert [dist.to_unit(v) for v in range(5)] == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    assert [dist.from_unit(u) for u in (0.0, 0.19, 0.21, 0.59, 0.61, 0.99, 1.0)] == [
        0,
        0,
        1,
        2,
        3,
        4,
        4,
    ]


def test_int_log_unit_encoding_by_hand() -> None:
    dist = Int(1, 100, log=True)
    # Integer v owns [log(v - 0.5), log(v + 0.5)] of [log(0.5), log(100.5)].
    span = math.log(100.5) - math.log(0.5)
    first_edge = (math.log(1.5) - math.log(0.5)) / span
    assert dist.from_unit(first_edge - 1e-9) == 1
    assert dist.from_unit(first_edge + 1e-9) == 2
    last_edge = (math.log(99.5) - math.log(0.5)) / span
    assert dist.from_unit(last_edge - 1e-9) == 99
    assert dist.from_unit(last_edge + 1e-9) == 100
    assert dist.from_unit(0.0) == 1
    assert dist.from_unit(1.0) == 100
    assert all(dist.from_unit(dist.to_unit(v)) == v for v in range(1, 101))
    assert type(dist.from_unit(0.5)) is int


def test_int_repr_and_json() -> None:
    assert repr(Int(1, 9, step=2)) == "Int(low=1, high=9, log=False, step=2)"
    assert Int(1, 9, log=True).to_json() == {
        "type": "int",
        "low": 1,
        "high": 9,
        "log": True,
        "step": 1,
    }


# -- Categorical ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("choices", "match"),
    [
        ("rbf", r"list, tuple or 1-d array of values; got 'rbf' \(str\).*one-element"),
        (5, r"got 5 \(int\)"),
        ({"a", "b"}, r"got \{.*\} \(set\)"),
        ([], r"at least one value; got an empty list"),
        ((), r"at least one value; got an empty tuple"),
        (np.zeros((2, 2)), r"one-dimensional; got an array of shape \(2, 2\)"),
    ],
)
def test_categorical_rejects_bad_choices(choices: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        Categorical(choices)


def test_categorical_membership_keeps_types_apart() -> None:
    dist = Categorical([1, True, 1.5, "1", None])
    assert dist.index_of(1) == 0
    assert dist.index_of(True) == 1
    assert dist.index_of(1.5) == 2
    assert dist.index_of("1") == 3
    assert dist.index_of(None) == 4
    assert dist.index_of(np.int64(1)) == 0
    assert dist.index_of("2") is None
    assert not dist.contains(2)


def test_categorical_nan_estimators_and_unhashable_choices() -> None:
    svc, logreg = SVC(), LogisticRegression()
    dist = Categorical([math.nan, svc, logreg, [1, 2], {"a": 1}])
    assert dist.index_of(float("nan")) == 0
    assert dist.index_of(np.nan) == 0
    assert dist.index_of(logreg) == 2
    assert dist.index_of(svc) == 1
    assert dist.index_of([1, 2]) == 3
    assert dist.index_of({"a": 1}) == 4
    assert dist.index_of(SVC()) is None  # another estimator is another choice
    assert dist.n_values() == 5
    assert dist.value_at(1) is svc


def test_categorical_unit_encoding_by_hand() -> None:
    dist = Categorical(["a", "b", "c", "d"])
    assert [dist.to_unit(c) for c in "abcd"] == [0.125, 0.375, 0.625, 0.875]
    assert [dist.from_unit(u) for u in (0.0, 0.24, 0.26, 0.5, 0.99, 1.0)] == list("aabcdd")
    with pytest.raises(ValueError, match=r"'e' is not one of the choices of Categorical"):
        dist.to_unit("e")


def test_categorical_equality_repr_and_pickle() -> None:
    dist = Categorical(["rbf", "poly", None, [1, 2]])
    assert repr(dist) == "Categorical(['rbf', 'poly', None, [1, 2]])"
    assert dist == Categorical(("rbf", "poly", None, [1, 2]))
    assert dist != Categorical(["poly", "rbf", None, [1, 2]])
    assert Categorical([1, 2]) != Categorical([1.0, 2.0])
    assert Categorical([math.nan]) == Categorical([math.nan])
    restored = pickle.loads(pickle.dumps(dist))
    assert restored == dist
    assert restored.index_of([1, 2]) == 3
    assert restored.index_of("poly") == 1


def test_categorical_json() -> None:
    dist = Categorical([1, 2.5, "a", None, True, math.inf, SVC()])
    described = dist.to_json()
    assert json.loads(json.dumps(described)) == described
    assert described["choices"][:6] == [1, 2.5, "a", None, True, "inf"]
    assert described["choices"][6] == {"repr": "SVC()"}


def _cube(X: Any) -> Any:
    return X**3


class _Metric:
    """A plain object: its repr is the default one, with a memory address."""

    def __init__(self, p: int, weights: Any = None) -> None:
        self.p = p
        self.weights = weights

    def __call__(self, a: Any, b: Any) -> float:
        return float(np.sum(np.abs(a - b) ** self.p))


class _Slotted:
    __slots__ = ("p",)

    def __init__(self, p: int) -> None:
        self.p = p


def test_stable_repr_of_functions_is_their_module_path() -> None:
    from sklearn.feature_selection import f_classif, mutual_info_classif

    assert stable_repr(f_classif) == (
        "sklearn.feature_selection._univariate_selection.f_classif"
    )
    assert stable_repr(mutual_info_classif) == (
        "sklearn.feature_selection._mutual_info.mutual_info_classif"
    )
    assert stable_repr(_cube) == f"{__name__}._cube"
    assert stable_repr(functools.partial(_cube)) == f"functools.partial({__name__}._cube)"
    assert (
        stable_repr(_Metric(2).__call__)
        == f"{__name__}._Metric(p=2, weights=None).__call__"
    )
    assert stable_repr(np.random.RandomState(0).rand) == "RandomState(MT19937).rand"
    assert stable_repr([_cube, (_cube,), {"f": _cube}]) == (
        f"[{__name__}._cube, ({__name__}._cube,), {{'f': {__name__}._cube}}]"
    )
    # In a repr of its own (an estimator's), a function loses its address.
    assert (
        stable_repr(FunctionTransformer(_cube))
        == "FunctionTransformer(func=<function _cube>)"
    )


def test_stable_repr_of_plain_objects_is_their_class_and_attributes() -> None:
    assert stable_repr(_Metric(2)) == f"{__name__}._Metric(p=2, weights=None)"
    assert (
        stable_repr(_Metric(1, [_cube]))
        == f"{__name__}._Metric(p=1, weights=[{__name__}._cube])"
    )
    assert stable_repr(_Metric(2, _Metric(3))) == (
        f"{__name__}._Metric(p=2, weights={__name__}._Metric(p=3, weights=None))"
    )
    assert stable_repr(_Slotted(1)) == f"{__name__}._Slotted()"
    # A scipy.stats distribution reads as in a space's description.
    assert stable_repr(stats.norm) == "norm()"
    assert stable_repr([stats.norm(0, 1)]) == "[norm(0, 1)]"
    # A cycle ends: the object inside itself reads without its address.
    looped = _Metric(2)
    looped.weights = looped
    assert (
        stable_repr(looped)
        == f"{__name__}._Metric(p=2, weights=<{__name__}._Metric object>)"
    )


@pytest.mark.parametrize(
    "value",
    [
        1,
        2.5,
        "a",
        None,
        (3,),
        [1, [2]],
        {"a": 1},
        SVC(C=2.0),
        LogisticRegression(),
        len,
        np.sqrt,
        math.nan,
        SVC,
    ],
)
def test_stable_repr_keeps_a_repr_without_address(value: Any) -> None:
    # Studies stored before stable_repr describe these values by repr: the
    # same text, so they still resume.
    assert stable_repr(value) == repr(value)


def test_categorical_json_of_functions_has_no_address() -> None:
    from sklearn.feature_selection import f_classif, mutual_info_classif

    dist = Categorical([f_classif, mutual_info_classif, _Metric(1), _Metric(2), _cube])
    described = dist.to_json()
    assert json.loads(json.dumps(described)) == described
    assert described["choices"] == [
        {"repr": "sklearn.feature_selection._univariate_selection.f_classif"},
        {"repr": "sklearn.feature_selection._mutual_info.mutual_info_classif"},
        {"repr": f"{__name__}._Metric(p=1, weights=None)"},
        {"repr": f"{__name__}._Metric(p=2, weights=None)"},
        {"repr": f"{__name__}._cube"},
    ]
    # Pickled and restored (as in another process), it describes itself alike.
    assert pickle.loads(pickle.dumps(dist)).to_json() == described


def test_categorical_json_is_the_same_in_a_fresh_process() -> None:
    code = (
        "import json\n"
        "from sklearn.feature_selection import f_classif, mutual_info_classif\n"
        "from sklearn.preprocessing import FunctionTransformer\n"
        "from scout_sklearn import Categorical\n"
        "class Metric:\n"
        "    def __init__(self, p): self.p = p\n"
        "dist = Categorical([f_classif, mutual_info_classif, Metric(1), Metric(2),\n"
        "                    FunctionTransformer(f_classif), print])\n"
        "print(json.dumps(dist.to_json()))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout
    assert "0x" not in runs[0].stdout
    assert "__main__.Metric(p=1)" in runs[0].stdout


def test_stored_params_of_a_function_choice_read_back_as_the_function() -> None:
    from sklearn.feature_selection import f_classif, mutual_info_classif

    space = SearchSpace.from_user(
        {"f": [f_classif, mutual_info_classif], "m": [_Metric(1)]}
    )
    stored = space.params_to_json({"f": mutual_info_classif, "m": space[0]["m"].choices[0]})
    assert stored == {
        "f": {
            "index": 1,
            "repr": "sklearn.feature_selection._mutual_info.mutual_info_classif",
            "subspace": 0,
        },
        "m": {"index": 0, "repr": f"{__name__}._Metric(p=1, weights=None)", "subspace": 0},
    }
    restored = space.params_from_json(json.loads(json.dumps(stored)))
    assert restored["f"] is mutual_info_classif
    assert restored["m"] is space[0]["m"].choices[0]


# -- ScipyDistribution ---------------------------------------------------------
SCIPY_CASES = [
    (stats.loguniform(1e-3, 1e2), "loguniform(0.001, 100.0)", (1e-3, 1e2)),
    (stats.uniform(2.0, 3.0), "uniform(2.0, 3.0)", (2.0, 5.0)),
    (stats.norm(1.0, 0.5), "norm(1.0, 0.5)", (-math.inf, math.inf)),
    (stats.randint(3, 40), "randint(3, 40)", (3, 39)),
    (stats.beta(2, 5), "beta(2, 5)", (0.0, 1.0)),
]
SCIPY_IDS = ["loguniform", "uniform", "norm", "randint", "beta"]


@pytest.mark.parametrize(("dist", "text", "support"), SCIPY_CASES, ids=SCIPY_IDS)
def test_scipy_distribution_basics(
    dist: Any, text: str, support: tuple[float, float]
) -> None:
    wrapped = ScipyDistribution(dist)
    assert repr(wrapped) == text
    assert wrapped.to_json() == {"type": "scipy", "repr": text}
    assert not wrapped.is_finite
    assert wrapped.has_quantiles
    assert wrapped.is_discrete is (dist.dist.name == "randint")
    low, high = support
    middle = float(dist.median())
    for inside in (low, high, middle):
        if math.isfinite(inside):
            assert wrapped.contains(inside)
    for outside in (low - 1, high + 1):
        if math.isfinite(outside):
            assert not wrapped.contains(outside)
    for outside in (math.nan, "1", None, [1.0]):
        assert not wrapped.contains(outside)
    with pytest.raises(TypeError, match="not finite"):
        wrapped.n_values()


@pytest.mark.parametrize(("dist", "text", "support"), SCIPY_CASES, ids=SCIPY_IDS)
def test_scipy_distribution_samples_with_rvs_in_its_support(
    dist: Any, text: str, support: tuple[float, float]
) -> None:
    wrapped = ScipyDistribution(dist)
    expected_type = int if wrapped.is_discrete else float
    for seed in range(20):
        value = wrapped.sample(np.random.default_rng(seed))
        assert type(value) is expected_type
        assert value == dist.rvs(random_state=np.random.default_rng(seed))
        assert wrapped.contains(value)


@pytest.mark.parametrize(("dist", "text", "support"), SCIPY_CASES, ids=SCIPY_IDS)
def test_scipy_distribution_unit_encoding_is_the_quantile_scale(
    dist: Any, text: str, support: tuple[float, float]
) -> None:
    wrapped = ScipyDistribution(dist)
    for u in (0.01, 0.25, 0.5, 0.75, 0.99):
        value = wrapped.from_unit(u)
        assert value == dist.ppf(u)
        assert wrapped.contains(value)
    if wrapped.is_discrete:
        # Each integer is encoded at the middle of its step of the CDF.
        assert wrapped.to_unit(3) == pytest.approx(0.5 / 37)
        assert wrapped.to_unit(10) == pytest.approx(7.5 / 37)
    else:
        median = dist.median()
        assert wrapped.to_unit(median) == pytest.approx(0.5)


@pytest.mark.parametrize("dist", [stats.norm(0.0, 1.0), stats.loguniform(1e-3, 1.0)])
def test_scipy_distribution_rejects_infinities(dist: Any) -> None:
    # No draw of a distribution is infinite, even one with unbounded support.
    wrapped = ScipyDistribution(dist)
    assert not wrapped.contains(math.inf)
    assert not wrapped.contains(-math.inf)


def test_scipy_discrete_rejects_fractions() -> None:
    wrapped = ScipyDistribution(stats.randint(0, 10))
    assert wrapped.contains(3)
    assert wrapped.contains(np.int64(3))
    assert not wrapped.contains(3.5)


def test_scipy_discrete_with_fractional_values_keeps_them() -> None:
    # rv_discrete(values=...) may take values that are not integers: they are
    # in the space (RandomizedSearchCV takes them), other fractions are not,
    # and the unit encoding decodes each back to itself, not to an int.
    values = stats.rv_discrete(values=([0.5, 1.5, 1.75], [0.25, 0.5, 0.25]))
    wrapped = ScipyDistribution(values)
    assert wrapped.contains(1.5)
    assert wrapped.contains(1.75)
    assert not wrapped.contains(1.0)
    assert not wrapped.contains(1.6)
    for value in (0.5, 1.5, 1.75):
        decoded = wrapped.from_unit(wrapped.to_unit(value))
        assert decoded == value
        assert isinstance(decoded, float)
    drawn = {wrapped.sample(np.random.default_rng(seed)) for seed in range(40)}
    assert drawn == {0.5, 1.5, 1.75}


class _SklearnStyleChoice:
    """A distribution written for RandomizedSearchCV: any object with rvs."""

    def __init__(self, choices: list[Any]) -> None:
        self.choices = choices
        self.states: list[type] = []

    def rvs(self, random_state: Any = None) -> Any:
        from sklearn.utils import check_random_state

        self.states.append(type(random_state))
        # check_random_state refuses a numpy Generator.
        rng = check_random_state(random_state)
        return self.choices[rng.randint(len(self.choices))]


def test_users_own_object_gets_a_random_state_as_in_randomized_search() -> None:
    dist = _SklearnStyleChoice([0.1, 1.0, 10.0])
    wrapped = ScipyDistribution(dist)
    draws = [wrapped.sample(np.random.default_rng(seed)) for seed in range(30)]
    assert set(draws) == {0.1, 1.0, 10.0}
    assert set(dist.states) == {np.random.RandomState}
    # The same generator state gives the same draw.
    assert wrapped.sample(np.random.default_rng(7)) == wrapped.sample(
        np.random.default_rng(7)
    )


def test_users_own_object_may_draw_anything() -> None:
    wrapped = ScipyDistribution(_SklearnStyleChoice(["rbf", "linear"]))
    assert wrapped.contains("rbf")
    assert wrapped.contains("linear")
    assert {wrapped.sample(np.random.default_rng(s)) for s in range(20)} == {
        "rbf",
        "linear",
    }


def test_scipy_distribution_gets_the_generator_itself() -> None:
    # scipy takes a Generator; drawing with it keeps the proposals of a seed.
    rng = np.random.default_rng(3)
    expected = float(stats.loguniform(1e-3, 1.0).rvs(random_state=np.random.default_rng(3)))
    assert ScipyDistribution(stats.loguniform(1e-3, 1.0)).sample(rng) == expected


def test_scipy_distribution_encoding_stays_finite_at_the_ends() -> None:
    wrapped = ScipyDistribution(stats.norm(0.0, 1.0))
    for u in (0.0, 1.0):
        assert math.isfinite(wrapped.from_unit(u))
    assert wrapped.to_unit(1e9) == 1.0
    assert wrapped.to_unit(-1e9) == 0.0


def test_scipy_distribution_equality() -> None:
    assert ScipyDistribution(stats.loguniform(1e-3, 1)) == ScipyDistribution(
        stats.loguniform(1e-3, 1)
    )
    assert ScipyDistribution(stats.loguniform(1e-3, 1)) != ScipyDistribution(
        stats.loguniform(1e-3, 10)
    )
    assert ScipyDistribution(stats.norm(loc=1.0)) == ScipyDistribution(stats.norm(loc=1.0))
    assert ScipyDistribution(stats.norm(loc=1.0)) != ScipyDistribution(stats.norm(loc=2.0))


def test_scipy_distribution_needs_rvs() -> None:
    with pytest.raises(InvalidParameterError, match=r"object with an rvs method; got 5"):
        ScipyDistribution(5)


def test_object_with_rvs_only_cannot_be_encoded() -> None:
    class Draws:
        def rvs(self, random_state: Any = None) -> float:
            return 0.5

        def __repr__(self) -> str:
            return "Draws()"

    wrapped = ScipyDistribution(Draws())
    assert not wrapped.has_quantiles
    assert wrapped.sample(np.random.default_rng(0)) == 0.5
    with pytest.raises(TypeError, match=r"Draws\(\) has no cdf/ppf.*random sampler"):
        wrapped.to_unit(0.5)
    with pytest.raises(TypeError, match="no cdf/ppf"):
        wrapped.from_unit(0.5)


def test_scipy_distribution_json_is_stable_across_equal_objects() -> None:
    # The JSON fingerprints a study; it must not depend on object identity.
    # A scipy distribution family passed unfrozen (as sklearn allows) too.
    first = ScipyDistribution(stats.expon)
    second = pickle.loads(pickle.dumps(first))
    assert first.to_json() == second.to_json()


class _LogUniform:
    """A user's own distribution: an object with rvs, and a repr of its own."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def rvs(self, random_state: Any = None) -> float:
        return float(np.exp(random_state.uniform(np.log(self.low), np.log(self.high))))

    def __repr__(self) -> str:
        return "LogUniform"


class _Named(_LogUniform):
    name = "loguniform"


class _SlottedDraws:
    __slots__ = ("low",)

    def __init__(self, low: float) -> None:
        self.low = low

    def rvs(self, random_state: Any = None) -> float:
        return self.low


def test_users_own_distribution_is_described_by_its_attributes() -> None:
    narrow = ScipyDistribution(_LogUniform(1e-3, 1e-2))
    wide = ScipyDistribution(_LogUniform(10.0, 1000.0))
    assert repr(narrow) == f"{__name__}._LogUniform(high=0.01, low=0.001)"
    assert narrow.to_json() == {"type": "scipy", "repr": repr(narrow)}
    # Another range is another space; the same range, from another object, is not.
    assert narrow.to_json() != wide.to_json()
    assert narrow != wide
    assert narrow == ScipyDistribution(_LogUniform(1e-3, 1e-2))
    assert narrow.to_json() == pickle.loads(pickle.dumps(narrow)).to_json()
    # A name attribute does not make it a scipy family.
    named = ScipyDistribution(_Named(1.0, 2.0))
    assert repr(named) == f"{__name__}._Named(high=2.0, low=1.0)"
    # Without __dict__: the class path alone, as before.
    assert repr(ScipyDistribution(_SlottedDraws(1.0))) == f"{__name__}._SlottedDraws()"
    # An attribute without a stable repr is described stably too.
    holder = ScipyDistribution(_LogUniform(_cube, stats.norm(0, 1)))
    assert repr(holder) == f"{__name__}._LogUniform(high=norm(0, 1), low={__name__}._cube)"
    space = SearchSpace.from_user({"C": _LogUniform(1e-3, 1e-2)})
    assert space.to_json() != SearchSpace.from_user({"C": _LogUniform(10.0, 1e3)}).to_json()


class _Gauss(stats.rv_continuous):
    def _pdf(self, x: Any) -> Any:
        return np.exp(-(x**2) / 2) / np.sqrt(2 * np.pi)


@pytest.mark.parametrize(
    ("dist", "text"),
    [
        (stats.expon, "expon()"),
        (stats.norm(0, 1), "norm(0, 1)"),
        (stats.uniform(loc=2, scale=3), "uniform(loc=2, scale=3)"),
        (stats.poisson(3, loc=1), "poisson(3, loc=1)"),
        (_Gauss(name="gauss"), "gauss()"),
        (_Gauss(name="gauss")(), "gauss()"),
    ],
)
def test_scipy_distributions_keep_their_description(dist: Any, text: str) -> None:
    # Stored studies hold these texts: they must still resume.
    assert repr(ScipyDistribution(dist)) == text


# -- SubSpace ------------------------------------------------------------------
def test_subspace_sorts_names_and_enumerates_like_parameter_grid() -> None:
    lists = {"kernel": ["rbf", "poly"], "C": [1, 10, 100], "degree": [2, 3]}
    sub = SubSpace({name: Categorical(values) for name, values in lists.items()})
    assert sub.names == ("C", "degree", "kernel")
    assert list(sub) == ["C", "degree", "kernel"]
    assert len(sub) == 3
    assert sub.is_finite
    assert sub.n_points == 12
    expected = list(ParameterGrid(lists))
    assert [sub.point(i) for i in range(12)] == expected
    assert [sub.point_index(p) for p in expected] == list(range(12))


def test_subspace_point_index_and_contains_need_exactly_its_names() -> None:
    sub = SubSpace({"C": Categorical([1, 10]), "x": Float(0.0, 1.0, step=0.5)})
    # Names sorted (C, x); x has 3 values, so (C=10, x=0.5) is 1 * 3 + 1.
    assert sub.point_index({"C": 10, "x": 0.5}) == 4
    assert sub.point_index({"C": 10}) is None
    assert sub.point_index({"C": 10, "x": 0.5, "y": 1}) is None
    assert sub.point_index({"C": 10, "y": 0.5}) is None
    assert sub.point_index({"C": 10, "x": 0.25}) is None
    assert sub.contains({"C": 1, "x": 1.0})
    assert not sub.contains({"C": 1})
    assert not sub.contains({"C": 1, "x": 1.0, "y": 2})
    assert not sub.contains({"C": 2, "x": 1.0})


def test_subspace_infinite() -> None:
    sub = SubSpace({"x": Float(0.0, 1.0), "k": Categorical(["a", "b"])})
    assert not sub.is_finite
    with pytest.raises(TypeError, match="not finite"):
        _ = sub.n_points


def test_subspace_encode_decode_by_hand() -> None:
    sub = SubSpace({"x": Float(0.0, 10.0), "k": Categorical(["a", "b"])})
    assert sub.encode({"x": 2.5, "k": "b"}).tolist() == [0.75, 0.25]  # k before x
    assert sub.decode([0.25, 0.5]) == {"k": "a", "x": 5.0}


# -- SearchSpace.from_user -------------------------------------------------------
def test_from_user_converts_every_kind() -> None:
    svc = SVC()
    space = SearchSpace.from_user(
        {
            "C": Float(1e-3, 1e3, log=True),
            "gamma": stats.loguniform(1e-5, 1),
            "kernel": ["rbf", "poly"],
            "degree": (2, 3),
            "coef0": np.array([0.0, 1.0]),
            "n": range(3),
            "est": [svc],
            "tol": Categorical([1e-3]),
        }
    )
    assert len(space) == 1
    sub = space[0]
    assert space.names == ("C", "coef0", "degree", "est", "gamma", "kernel", "n", "tol")
    assert sub["C"] == Float(1e-3, 1e3, log=True)
    assert sub["gamma"] == ScipyDistribution(stats.loguniform(1e-5, 1))
    assert sub["kernel"] == Categorical(["rbf", "poly"])
    assert sub["degree"] == Categorical([2, 3])
    assert sub["coef0"].n_values() == 2
    assert sub["n"] == Categorical([0, 1, 2])
    assert sub["est"].value_at(0) is svc
    assert sub["tol"] == Categorical([1e-3])


def test_from_user_list_of_dicts_is_conditional() -> None:
    grid = [{"kernel": ["linear"], "C": [1, 10]}, {"kernel": ["rbf"], "gamma": [0.1]}]
    space = SearchSpace.from_user(grid)
    assert len(space) == 2
    assert space.names == ("C", "gamma", "kernel")
    assert space.n_points == 3
    assert [space.point(i) for i in range(3)] == list(ParameterGrid(grid))
    assert space.locate({"kernel": "rbf", "gamma": 0.1}) == 1
    assert space.locate({"kernel": "rbf", "C": 1}) is None
    assert SearchSpace.from_user(tuple(grid)) == space


def test_from_user_passes_a_search_space_through() -> None:
    space = SearchSpace.from_user({"C": [1]})
    assert SearchSpace.from_user(space) is space


def test_from_user_ignores_dict_order() -> None:
    a = SearchSpace.from_user({"C": [1, 2], "kernel": ["rbf"], "x": Float(0, 1)})
    b = SearchSpace.from_user({"x": Float(0, 1), "kernel": ["rbf"], "C": [1, 2]})
    assert a == b
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize(
    ("user", "match"),
    [
        ([], r"param_distributions is an empty list.*Float\("),
        ("C", r"must be a dict .*or a list of such dicts; got 'C' \(str\)"),
        (None, r"got None \(NoneType\)"),
        ([{"C": [1]}, "x"], r"param_distributions\[1\] must be a dict.*got 'x' \(str\)"),
        ({1: [1]}, r"parameter name that is not a string: 1\b"),
        ({"kernel": "rbf"}, r"\['kernel'\] .*got the string 'rbf'.*\['rbf'\]"),
        ({"C": 1.0}, r"\['C'\] must be a list of values.*got 1\.0 \(float\).*\[1\.0\]"),
        ({"C": None}, r"\['C'\] .*got None \(NoneType\)"),
        ({"C": []}, r"param_distributions\['C'\] is an empty list"),
        ([{"C": [1]}, {"C": []}], r"param_distributions\[1\]\['C'\] is an empty list"),
        ({"C": np.ones((2, 2))}, r"\['C'\] must be a one-dimensional.*shape \(2, 2\)"),
    ],
)
def test_from_user_error_messages(user: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        SearchSpace.from_user(user)


def test_from_user_set_of_values_is_not_told_to_wrap_it_in_a_list() -> None:
    # A set is a collection of values: suggesting "[{1, 2}]" as a fix for one
    # value is misleading; a good message suggests a list of the values.
    with pytest.raises(InvalidParameterError, match=r"\['C'\].*\{1, 2\} \(set\)") as info:
        SearchSpace.from_user({"C": {1, 2}})
    assert "[{1, 2}]" not in str(info.value)


def test_search_space_needs_a_sub_space() -> None:
    with pytest.raises(InvalidParameterError, match="at least one sub-space"):
        SearchSpace([])


def test_search_space_infinite_has_no_grid() -> None:
    space = SearchSpace.from_user({"x": Float(0.0, 1.0)})
    assert not space.is_finite
    with pytest.raises(TypeError, match="not finite"):
        _ = space.n_points
    with pytest.raises(TypeError, match="not finite"):
        space.point(0)
    with pytest.raises(TypeError, match="not finite"):
        space.point_index({"x": 0.5})


def test_search_space_point_out_of_range() -> None:
    space = SearchSpace.from_user([{"C": [1, 10]}, {"k": ["a"]}])
    with pytest.raises(IndexError):
        space.point(3)


def test_explain_mismatch_names_the_parameter_value_and_domain() -> None:
    space = SearchSpace.from_user(
        [
            {"kernel": ["linear"], "C": Float(0.1, 10.0)},
            {"kernel": ["rbf"], "gamma": [1, 2]},
        ]
    )
    text = space.explain_mismatch({"kernel": "linear", "C": 20.0})
    assert "sub-space 0: C=20.0 is not in Float(low=0.1, high=10.0" in text
    assert "sub-space 1: missing ['gamma'], unexpected ['C']" in text
    single = SearchSpace.from_user({"C": [1, 2]})
    assert single.explain_mismatch({"C": 3}) == "C=3 is not in Categorical([1, 2])"


def test_search_space_sample_draws_every_sub_space() -> None:
    space = SearchSpace.from_user([{"a": Float(0, 1)}, {"b": Float(0, 1)}, {"c": [1]}])
    rng = np.random.default_rng(0)
    seen = {next(iter(space.sample(rng))) for _ in range(60)}
    assert seen == {"a", "b", "c"}


def test_search_space_to_json_is_json() -> None:
    space = SearchSpace.from_user(
        [{"C": Float(1e-3, 1.0, log=True), "est": [SVC(), None]}, {"g": stats.norm(0, 1)}]
    )
    described = space.to_json()
    assert json.loads(json.dumps(described)) == described
    assert described[1] == {"g": {"type": "scipy", "repr": "norm(0, 1)"}}


def test_search_space_pickles() -> None:
    space = SearchSpace.from_user(
        [{"C": Float(1e-3, 1.0, log=True), "k": ["a", [1]]}, {"g": stats.norm(0, 1)}]
    )
    restored = pickle.loads(pickle.dumps(space))
    assert restored == space
    assert restored.contains({"k": [1], "C": 0.5})


# -- properties ----------------------------------------------------------------
def finite_distributions() -> st.SearchStrategy[Any]:
    return st.one_of(float_steps(), ints(), categoricals())


def continuous_distributions() -> st.SearchStrategy[Any]:
    return st.one_of(continuous_floats(), scipy_distributions().map(ScipyDistribution))


@PROPERTY_SETTINGS
@given(dist=finite_distributions())
def test_finite_values_round_trip_exactly(dist: Any) -> None:
    n = dist.n_values()
    assert n >= 1
    for i in range(n):
        value = dist.value_at(i)
        assert dist.contains(value)
        assert dist.index_of(value) == i
        u = dist.to_unit(value)
        assert 0.0 <= u <= 1.0
        assert same_value(dist.from_unit(u), value)


@PROPERTY_SETTINGS
@given(dist=st.one_of(finite_distributions(), continuous_distributions()), u=UNIT)
def test_from_unit_is_contained_and_to_unit_in_the_unit_interval(
    dist: Any, u: float
) -> None:
    value = dist.from_unit(u)
    assert dist.contains(value), (dist, u, value)
    assert 0.0 <= dist.to_unit(value) <= 1.0


@PROPERTY_SETTINGS
@given(dist=continuous_distributions(), u=st.floats(0.001, 0.999))
def test_continuous_values_round_trip_approximately(dist: Any, u: float) -> None:
    value = dist.from_unit(u)
    again = dist.from_unit(dist.to_unit(value))
    if isinstance(dist, Float) and not dist.log:
        # A linear encoding loses precision relative to the range, not the value.
        assert again == pytest.approx(value, rel=1e-9, abs=1e-9 * (dist.high - dist.low))
    else:
        assert again == pytest.approx(value, rel=1e-9)


@PROPERTY_SETTINGS
@given(
    dist=st.one_of(finite_distributions(), continuous_distributions()), seed=st.integers(0)
)
def test_sampled_values_are_contained(dist: Any, seed: int) -> None:
    value = dist.sample(np.random.default_rng(seed))
    assert dist.contains(value)


@PROPERTY_SETTINGS
@given(space=search_spaces(), seed=st.integers(0))
def test_decode_encode_round_trips_params(space: SearchSpace, seed: int) -> None:
    # Through the sub-space the params come from. Sub-spaces may overlap, and
    # locate() gives the first that contains them: {"C": 0} drawn from an
    # Int sub-space decodes as 0.0 in an earlier Float one, and 6.0 comes
    # back as 5.99999999 through an earlier norm(0, 1)'s cdf and ppf. Both
    # are points of the space, not round trips.
    sub = space.subspaces[seed % len(space.subspaces)]
    params = sub.sample(np.random.default_rng(seed))
    assert space.locate(params) is not None
    x = sub.encode(params)
    assert x.shape == (len(sub),)
    assert np.all((x >= 0.0) & (x <= 1.0))
    decoded = sub.decode(x)
    assert set(decoded) == set(params)
    for name, value in params.items():
        dist = sub[name]
        if dist.is_finite:
            assert same_value(decoded[name], value)
        else:
            # Through a continuous distribution's cdf and ppf, 0.0 comes back
            # as about 1e-16: no relative tolerance covers it.
            scale = dist.high - dist.low if isinstance(dist, Float) and not dist.log else 0
            assert decoded[name] == pytest.approx(
                value, rel=1e-9, abs=max(1e-9 * scale, 1e-12)
            )


@PROPERTY_SETTINGS
@given(
    space=search_spaces(), x=st.lists(UNIT, min_size=6, max_size=6), which=st.integers(0)
)
def test_decode_of_any_unit_point_is_in_the_space(
    space: SearchSpace, x: list[float], which: int
) -> None:
    sub = space[which % len(space)]
    params = sub.decode(x[: len(sub)])
    assert sub.contains(params)
    assert space.contains(params)


def _distinct_name_sets(user: Any) -> bool:
    dicts = user if isinstance(user, list) else [user]
    return len({frozenset(d) for d in dicts}) == len(dicts)


@PROPERTY_SETTINGS
@given(user=user_spaces(finite_only=True).filter(_distinct_name_sets))
def test_point_and_point_index_round_trip(user: Any) -> None:
    space = SearchSpace.from_user(user)
    n = space.n_points
    sizes = [math.prod(d.n_values() for d in sub.values()) for sub in space]
    assert n == sum(sizes)
    points = [space.point(i) for i in range(n)]
    for i, params in enumerate(points):
        assert space.contains(params)
        assert space.point_index(params) == i
    # Grid order is ParameterGrid's: sub-spaces in order, names sorted, the
    # last name varying fastest.
    expected = [
        dict(zip(sub.names, values))
        for sub in space
        for values in itertools.product(
            *[[sub[name].value_at(k) for k in range(sub[name].n_values())] for name in sub]
        )
    ]
    assert all(same_params(a, b) for a, b in zip(points, expected))


def test_discrete_distributions_of_listed_values_describe_their_values() -> None:
    # Every rv_discrete(values=...) is named "Distribution": its values tell
    # two apart, so that a study of one refuses the other as another space.
    one = ScipyDistribution(stats.rv_discrete(values=([1, 2], [0.5, 0.5])))
    other = ScipyDistribution(stats.rv_discrete(values=([1, 3], [0.5, 0.5])))
    frozen = ScipyDistribution(stats.rv_discrete(values=([1, 2], [0.5, 0.5]))())
    assert repr(one) == "Distribution(values=([1, 2], [0.5, 0.5]))"
    assert repr(frozen) == repr(one)
    assert one != other
    assert repr(ScipyDistribution(stats.randint(0, 5))) == "randint(0, 5)"
