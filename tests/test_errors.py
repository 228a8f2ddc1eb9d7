"""Every bad input fails before any fit, naming what is wrong and what is allowed.

Each case builds the search (construction never validates, as in
scikit-learn), then calls ``fit`` on an estimator that counts its fits: the
error must come first, and no fit may have happened.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sklearn
from scipy.stats import loguniform, randint
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.model_selection import GroupKFold, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn._threads import inner_threads
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.samplers import RandomSampler, Sampler

SPACE = {"C": Float(0.1, 10.0), "kernel": ["rbf", "linear"]}
SAMPLER_NAMES = re.escape(
    str(
        [
            "annealing",
            "auto",
            "cmaes",
            "gp",
            "grid",
            "motpe",
            "nsga2",
            "qmc",
            "random",
            "tpe",
        ]
    )
)


class OutsideSampler(Sampler):
    """Proposes C=50, outside Float(0.1, 10)."""

    def ask(self, space, history, rng):
        return {"C": 50.0, "kernel": "rbf"}


class MissingNameSampler(Sampler):
    """Forgets the kernel."""

    def ask(self, space, history, rng):
        return {"C": 1.0}


class ListSampler(Sampler):
    """Returns a list instead of a dict."""

    def ask(self, space, history, rng):
        return [1.0, "rbf"]


def _pipeline(spy):
    return Pipeline([("scale", StandardScaler()), ("svc", spy)])


# (build the search from the FitSpy estimator, exception, regex the message must match)
CASES = {
    # -- parameter names, checked against estimator.get_params() --
    "unknown-name": (
        lambda spy: ScoutSearchCV(spy, {"Cc": [1.0]}, cv=2),
        r"'Cc', which is not a parameter of FitSpy\. Did you mean 'C'\?.*"
        r"Valid parameters are: \['C', 'gamma', 'kernel'\]",
    ),
    "unknown-name-pipeline-typo": (
        lambda spy: ScoutSearchCV(_pipeline(spy), {"svc__c": [1.0]}, cv=2),
        r"'svc__c', which is not a parameter of Pipeline\. Did you mean 'svc__C'.*"
        r"Valid parameters are: \[.*'svc__C'.*\]",
    ),
    "unknown-name-in-second-subspace": (
        lambda spy: ScoutSearchCV(spy, [{"C": [1.0]}, {"gama": [1.0]}], cv=2),
        r"param_distributions\[1\] names 'gama'.*Did you mean 'gamma'",
    ),
    "unknown-name-random-sampler": (
        lambda spy: ScoutSearchCV(
            spy, {"kernal": ["rbf"], "C": Float(1, 2)}, n_trials=3, cv=2
        ),
        r"'kernal'.*Did you mean 'kernel'",
    ),
    "nested-name-with-a-passthrough-choice": (
        lambda spy: ScoutSearchCV(
            _pipeline(spy), {"svc": [spy, "passthrough"], "svc__C": [1.0, 2.0]}, cv=2
        ),
        r"param_distributions names 'svc__C', a parameter of the 'svc' it also searches, "
        r"but param_distributions\['svc'\] holds 'passthrough', which has no parameter "
        r"'C'\. Put the choices that take 'C' in a dict of their own",
    ),
    "nested-name-with-a-class-choice": (
        lambda spy: ScoutSearchCV(
            _pipeline(spy), {"svc": [type(spy)], "svc__C": [1.0, 2.0]}, cv=2
        ),
        r"param_distributions\['svc'\] holds the class FitSpy, but 'svc' is an "
        r"estimator \(FitSpy\): pass an instance, e\.g\. FitSpy\(\)\.",
    ),
    # -- the space itself --
    "both-space-names": (
        lambda spy: ScoutSearchCV(
            spy, param_grid={"C": [1.0]}, param_distributions={"C": [2.0]}, cv=2
        ),
        r"ScoutSearchCV got both param_grid=\{'C': \[1\.0\]\} and "
        r"param_distributions=\{'C': \[2\.0\]\}\. .*give only one",
    ),
    "no-space": (
        lambda spy: ScoutSearchCV(spy, cv=2),
        r"ScoutSearchCV needs a search space: pass param_grid=\{\.\.\.\} .*or "
        r"param_distributions=\{\.\.\.\}.*Got None for both",
    ),
    "param-grid-named-in-messages": (
        lambda spy: ScoutSearchCV(spy, param_grid={"C": []}, cv=2),
        r"param_grid\['C'\] is an empty list: give at least one value",
    ),
    "param-grid-unknown-name": (
        lambda spy: ScoutSearchCV(spy, param_grid=[{"C": [1.0]}, {"gama": [1.0]}], cv=2),
        r"param_grid\[1\] names 'gama'.*Did you mean 'gamma'.*FitSpy\.set_params "
        r"refuses 'gama' too: ValueError",
    ),
    "empty-list-of-dicts": (
        lambda spy: ScoutSearchCV(spy, [], cv=2),
        r"param_distributions is an empty list: give a dict",
    ),
    "empty-value-list": (
        lambda spy: ScoutSearchCV(spy, {"C": []}, cv=2),
        r"param_distributions\['C'\] is an empty list: give at least one value",
    ),
    "string-instead-of-list": (
        lambda spy: ScoutSearchCV(spy, {"kernel": "rbf"}, cv=2),
        r"param_distributions\['kernel'\] must be a list of values or a distribution; "
        r"got the string 'rbf'.*\['rbf'\]",
    ),
    "scalar-instead-of-list": (
        lambda spy: ScoutSearchCV(spy, {"C": 1.0}, cv=2),
        r"param_distributions\['C'\] must be a list of values.*got 1\.0.*\[1\.0\]",
    ),
    "not-a-dict": (
        lambda spy: ScoutSearchCV(spy, "C", cv=2),
        r"param_distributions must be a dict .* got 'C' \(str\)",
    ),
    "scipy-distribution-to-grid-sampler": (
        lambda spy: ScoutSearchCV(spy, {"C": loguniform(1e-3, 1.0)}, sampler="grid", cv=2),
        r"grid sampler needs a finite list of values for every parameter, but 'C' is "
        r".*loguniform.*a scipy\.stats distribution.*sampler='random'",
    ),
    "scipy-distribution-with-bad-arguments": (
        lambda spy: ScoutSearchCV(
            spy, {"C": loguniform(1.0, 1e-3)}, sampler="random", n_trials=2, cv=2
        ),
        r"param_distributions\['C'\] is loguniform\(1\.0, 0\.001\), whose arguments "
        r"scipy\.stats rejects \(its support is \(nan, nan\)\)",
    ),
    "scipy-discrete-to-grid-sampler": (
        lambda spy: ScoutSearchCV(spy, {"C": randint(1, 5)}, sampler="grid", cv=2),
        r"grid sampler needs a finite list.*'C'",
    ),
    "continuous-float-to-grid-sampler": (
        lambda spy: ScoutSearchCV(spy, {"C": Float(0.1, 1.0)}, sampler="grid", cv=2),
        r"'C' is Float\(low=0\.1, high=1\.0.*a continuous range.*step=",
    ),
    "whole-grid-of-a-continuous-space": (
        lambda spy: ScoutSearchCV(spy, {"C": Float(0.1, 1.0)}, cv=2),
        r"n_trials=None and sampler=None.*'C' is Float\(low=0\.1.*no finite list of "
        r"values\. Set n_trials=",
    ),
    "n-trials-none-random-continuous-no-timeout": (
        lambda spy: ScoutSearchCV(spy, {"C": Float(0.1, 1.0)}, sampler="random", cv=2),
        r"n_trials=None means 'every params the sampler can give', but RandomSampler\(\) "
        r"is unbounded on this space\. Set n_trials=\.\.\. \(or timeout=\.\.\.\)",
    ),
    # -- n_trials --
    "n-trials-zero": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=0, cv=2),
        r"The 'n_trials' parameter of ScoutSearchCV must be an int in the range "
        r"\[1, inf\) or None\. Got 0 instead\.",
    ),
    "n-trials-negative": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=-1, cv=2),
        r"'n_trials' parameter .* \[1, inf\) or None\. Got -1 instead",
    ),
    "n-trials-float": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=1.5, cv=2),
        r"'n_trials' parameter .* an int .* Got 1\.5 instead",
    ),
    "n-trials-bool": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=True, cv=2),
        r"'n_trials' parameter .* Got True instead",
    ),
    # -- sampler --
    "sampler-near-miss": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, sampler="grdi", cv=2),
        r"'sampler' parameter of ScoutSearchCV got the unknown name 'grdi'\. Known names "
        r"are " + SAMPLER_NAMES + r"\. Did you mean 'grid'\?",
    ),
    "sampler-unknown": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, sampler="bayes", cv=2),
        r"unknown name 'bayes'\. Known names are "
        + SAMPLER_NAMES
        + r"\. Did you mean 'gp'\? A Sampler",
    ),
    "sampler-wrong-type": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, sampler=RandomSampler, cv=2),
        r"'sampler' parameter .* a str among " + SAMPLER_NAMES + ", a Sampler instance or "
        r"None\. Got <class .*RandomSampler'> instead",
    ),
    "sampler-outside-the-space": (
        lambda spy: ScoutSearchCV(spy, SPACE, sampler=OutsideSampler(), n_trials=3, cv=2),
        r"sampler OutsideSampler\(\), for trial 0, gave params outside the search space: "
        r"\{'C': 50\.0, 'kernel': 'rbf'\} \(C=50\.0 is not in Float\(low=0\.1, high=10\.0",
    ),
    "sampler-missing-a-name": (
        lambda spy: ScoutSearchCV(
            spy, SPACE, sampler=MissingNameSampler(), n_trials=3, cv=2
        ),
        r"gave params outside the search space: \{'C': 1\.0\} \(missing \['kernel'\]",
    ),
    "sampler-not-a-dict": (
        lambda spy: ScoutSearchCV(spy, SPACE, sampler=ListSampler(), n_trials=3, cv=2),
        r"ListSampler\(\), for trial 0, .*\[1\.0, 'rbf'\] \(list\).*params must be a dict",
    ),
    # -- scoring and refit --
    "scoring-unknown-name": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, scoring="acuracy", cv=2),
        r"'scoring' parameter of ScoutSearchCV got the unknown scorer name 'acuracy'\. "
        r"Did you mean 'accuracy'.*get_scorer_names",
    ),
    "scoring-unknown-name-in-list": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, scoring=["acuracy", "f1_macro"], refit="f1_macro", cv=2
        ),
        r"'scoring' parameter of ScoutSearchCV .*'acuracy'.*Did you mean 'accuracy'",
    ),
    "scoring-unknown-name-in-dict": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, scoring={"a": "acuracy", "b": "f1_macro"}, refit="b", cv=2
        ),
        r"'scoring' parameter of ScoutSearchCV .*'acuracy'.*Did you mean 'accuracy'",
    ),
    "scoring-repeated-metric": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, scoring=("accuracy", "accuracy"), refit="accuracy", cv=2
        ),
        r"'scoring' parameter of ScoutSearchCV lists \['accuracy'\] more than once",
    ),
    "scoring-dict-non-str-key": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, scoring={3: "accuracy"}, cv=2),
        r"'scoring' parameter of ScoutSearchCV has the key 3, which is not a str",
    ),
    "scoring-dict-value-not-a-scorer": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, scoring={"a": "accuracy", "b": 3}, refit="a", cv=2
        ),
        r"'scoring' parameter of ScoutSearchCV maps 'b' to 3, which is neither a scorer "
        r"name \(str\), a callable scorer\(estimator, X, y\), nor None \(the "
        r"estimator's own score method\)",
    ),
    "scoring-empty-list": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, scoring=[], cv=2),
        r"'scoring' parameter of ScoutSearchCV is an empty list",
    ),
    "scoring-wrong-type": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, scoring=3, cv=2),
        r"'scoring' parameter of ScoutSearchCV must be .* a callable or None\. Got 3",
    ),
    "refit-not-in-scoring": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, scoring=["accuracy", "f1_macro"], refit="precision", cv=2
        ),
        r"'refit' parameter of ScoutSearchCV names the metric 'precision', which is not "
        r"in scoring: the metrics are \['accuracy', 'f1_macro'\]",
    ),
    "refit-not-in-scoring-dict": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, scoring={"a": "accuracy", "b": "f1_macro"}, refit="c", cv=2
        ),
        r"'refit' .* names the metric 'c', which is not in scoring: the metrics are "
        r"\['a', 'b'\]",
    ),
    "refit-true-with-several-metrics": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, scoring=["accuracy", "f1_macro"], refit=True, cv=2
        ),
        r"^For multi-metric scoring, the parameter refit must be set to a scorer key: "
        r"with several metrics in scoring \(\['accuracy', 'f1_macro'\]\), the 'refit' "
        r"parameter"
        r" .* must name the metric .* Got refit=True",
    ),
    "refit-wrong-type": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, refit=1.5, cv=2),
        r"'refit' parameter of ScoutSearchCV must be a bool, .* Got 1\.5 instead",
    ),
    # -- cv, timeout, random_state, error_score and the rest of the constructor --
    "cv-one": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, cv=1),
        r"'cv' parameter of ScoutSearchCV must be an int in the range \[2, inf\).*"
        r"Got 1 instead",
    ),
    "cv-string": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, cv="5"),
        r"'cv' parameter .* Got '5' instead",
    ),
    "timeout-zero": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=3, timeout=0, cv=2),
        r"'timeout' parameter of ScoutSearchCV must be a float in the range \(0, inf\) "
        r"or None\. Got 0 instead",
    ),
    "timeout-negative": (
        lambda spy: ScoutSearchCV(spy, SPACE, timeout=-1.0, cv=2),
        r"'timeout' parameter .* \(0, inf\) or None\. Got -1\.0 instead",
    ),
    "timeout-string": (
        lambda spy: ScoutSearchCV(spy, SPACE, timeout="10", cv=2),
        r"'timeout' parameter .* Got '10' instead",
    ),
    "timeout-nan": (
        lambda spy: ScoutSearchCV(spy, SPACE, timeout=float("nan"), cv=2),
        r"'timeout' parameter .* Got nan instead",
    ),
    "timeout-int-beyond-float": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=2, timeout=10**400, cv=2),
        r"'timeout' parameter of ScoutSearchCV must be a float in the range \(0, inf\) "
        r"or None\. Got 1000+ instead",
    ),
    "random-state-negative": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=2, random_state=-1, cv=2),
        r"'random_state' parameter of ScoutSearchCV must be an int in the range "
        r"\[0, 4294967295\], a numpy RandomState or None\. Got -1 instead",
    ),
    "random-state-too-big": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=2, random_state=2**32, cv=2),
        r"'random_state' parameter .* Got 4294967296 instead",
    ),
    "random-state-string": (
        lambda spy: ScoutSearchCV(spy, SPACE, n_trials=2, random_state="0", cv=2),
        r"'random_state' parameter .* Got '0' instead",
    ),
    "error-score-typo": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, error_score="rais", cv=2),
        r"'error_score' parameter of ScoutSearchCV must be a str among \{'raise'\} or a "
        r"real number \(np\.nan included\)\. Got 'rais' instead",
    ),
    "error-score-none": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, error_score=None, cv=2),
        r"'error_score' parameter .* Got None instead",
    ),
    "n-jobs-string": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, n_jobs="2", cv=2),
        r"'n_jobs' parameter of ScoutSearchCV must be an int .* Got '2' instead",
    ),
    "n-jobs-zero": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, n_jobs=0, cv=2),
        r"'n_jobs' parameter of ScoutSearchCV must be an int other than 0 \(-1 for every "
        r"core\) or None\. Got 0 instead",
    ),
    "verbose-negative": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, verbose=-1, cv=2),
        r"'verbose' parameter .* Got -1 instead",
    ),
    "return-train-score-string": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, return_train_score="yes", cv=2),
        r"'return_train_score' parameter of ScoutSearchCV must be a bool\. Got 'yes'",
    ),
    "pre-dispatch-zero": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, pre_dispatch=0, cv=2),
        r"'pre_dispatch' parameter .* Got 0 instead",
    ),
    "pre-dispatch-not-an-expression": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, pre_dispatch="lots", cv=2),
        r"'pre_dispatch' parameter of ScoutSearchCV must be \"all\", a positive int, or "
        r"an arithmetic expression of n_jobs such as \"2\*n_jobs\" that is at least 1\. "
        r"Got 'lots' \(not an arithmetic expression",
    ),
    "pre-dispatch-expression-below-one": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, n_jobs=2, pre_dispatch="0*n_jobs", cv=2
        ),
        r"'pre_dispatch' .* Got '0\*n_jobs', which is 0 with n_jobs=2\.",
    ),
    "pre-dispatch-negative-string": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, pre_dispatch="-3", cv=2),
        r"'pre_dispatch' .* Got '-3', which is -3 with n_jobs=1\.",
    ),
    "pre-dispatch-all-with-a-timeout": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, n_jobs=2, pre_dispatch="all", timeout=60, cv=2
        ),
        r"'pre_dispatch' parameter of ScoutSearchCV cannot be 'all' with timeout=60 and "
        r"2 workers: .* '2\*n_jobs' \(the default\)\.",
    ),
    "callback-without-study": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, callbacks=[_one_argument], cv=2),
        r"'callbacks' parameter of ScoutSearchCV must hold callables called as "
        r"callback\(study, trial\) after each trial; _one_argument cannot be called so: "
        r"too many positional arguments\.",
    ),
    "study-name-too-long": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, study_name="s" * 256, cv=2),
        r"'study_name' parameter of ScoutSearchCV must be a str of at most 255 "
        r"characters without NUL or None\. Got 'sss",
    ),
    "study-name-with-nul": (
        lambda spy: ScoutSearchCV(
            spy, {"C": [1.0]}, study_name="a\x00b", storage="sqlite://", cv=2
        ),
        r"'study_name' parameter of ScoutSearchCV must be .* Got 'a\\x00b' instead",
    ),
    "estimator-without-fit": (
        lambda spy: ScoutSearchCV(object(), {"C": [1.0]}, cv=2),
        r"'estimator' parameter of ScoutSearchCV must be an object implementing 'fit', "
        r"'get_params', 'set_params'\. Got <object object",
    ),
    "estimator-class": (
        lambda spy: ScoutSearchCV(type(spy), {"C": [1.0]}, cv=2),
        r"'estimator' parameter of ScoutSearchCV must be an object implementing 'fit', "
        r"'get_params', 'set_params'\. Got <class '.*FitSpy'> instead \(a class: pass "
        r"an instance, e\.g\. FitSpy\(\)\)\.",
    ),
    "cv-class": (
        lambda spy: ScoutSearchCV(spy, {"C": [1.0]}, cv=KFold),
        r"'cv' parameter of ScoutSearchCV must be .* Got <class '.*KFold'> instead "
        r"\(a class: pass an instance, e\.g\. KFold\(\)\)\.",
    ),
}


def _one_argument(trial):  # forgot the study
    return None


@pytest.mark.parametrize(("build", "match"), list(CASES.values()), ids=list(CASES))
def test_bad_input_fails_before_any_fit(iris, fit_spy, build, match):
    X, y = iris
    search = build(fit_spy)  # construction stores, never validates
    with pytest.raises((ValueError, TypeError), match=match) as info:
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0, "the error came after a fit"
    assert isinstance(info.value, InvalidParameterError), type(info.value)


def _with_nan(y):
    y = y.astype(float)
    y[3] = np.nan
    return y


# (cv, X and y from iris's, fit params, regex the message must match)
FIT_CASES = {
    "more-splits-than-samples": (
        61,
        lambda X, y: (X[:60], y[:60]),
        {},
        r"The 'cv' parameter of ScoutSearchCV, 61, cannot split the 60 samples of X "
        r"\(with y\): Cannot have number of splits n_splits=61 greater than the number",
    ),
    "group-splitter-without-groups": (
        GroupKFold(2),
        lambda X, y: (X, y),
        {},
        r"The 'cv' parameter of ScoutSearchCV, GroupKFold\(.*\), cannot split .*The "
        r"'groups' parameter should not be None",
    ),
    "fewer-groups-than-splits": (
        GroupKFold(2),
        lambda X, y: (X, y),
        {"groups": np.zeros(150)},
        r"'cv' parameter .* \(with y, groups\): Cannot have number of splits n_splits=2 "
        r"greater than the number of groups: 1",
    ),
    "split-not-a-pair": (
        [(np.arange(75),)],
        lambda X, y: (X, y),
        {},
        r"'cv' parameter .* cannot split the 150 samples .*not enough values to unpack",
    ),
    "split-indices-out-of-range": (
        [(np.arange(75), np.arange(75, 160))],
        lambda X, y: (X, y),
        {},
        r"The 'cv' parameter of ScoutSearchCV gave, as split 0, test indices from 75 to "
        r"159, outside the 150 samples of X \(indices 0 to 149\)",
    ),
    "split-float-indices": (
        [(np.arange(75) + 0.5, np.arange(75, 150))],
        lambda X, y: (X, y),
        {},
        r"as split 0, train indices array\(\[ ?0\.5.*which are not a 1-d array of "
        r"integer row indices",
    ),
    "split-of-ints": (
        [1, 2],
        lambda X, y: (X, y),
        {},
        r"'cv' parameter .* cannot unpack non-iterable int",
    ),
    "y-shorter-than-X": (
        2,
        lambda X, y: (X, y[:-1]),
        {},
        r"The 'y' argument of ScoutSearchCV\.fit has 149 samples, but X has 150",
    ),
    "groups-shorter-than-X": (
        2,
        lambda X, y: (X, y),
        {"groups": np.zeros(149)},
        r"The 'groups' argument of ScoutSearchCV\.fit has 149 samples, but X has 150",
    ),
    "sample-weight-shorter-than-X": (
        2,
        lambda X, y: (X, y),
        {"sample_weight": np.ones(149)},
        r"The 'sample_weight' argument of ScoutSearchCV\.fit has 149 samples, but X has "
        r"150",
    ),
    "empty-X": (
        2,
        lambda X, y: (X[:0], y[:0]),
        {},
        r"The 'X' argument of ScoutSearchCV\.fit has 0 samples",
    ),
    "X-none": (
        2,
        lambda X, y: (None, y),
        {},
        r"The 'X' argument of ScoutSearchCV\.fit must be array-like .* Got NoneType",
    ),
    "X-scalar": (
        2,
        lambda X, y: (3.0, None),
        {},
        r"The 'X' argument of ScoutSearchCV\.fit must be array-like .* Got float",
    ),
    "unknown-fit-parameter": (
        2,
        lambda X, y: (X, y),
        {"foo": 1},
        r"ScoutSearchCV\.fit got the fit parameter 'foo', which FitSpy\.fit does not "
        r"take \(it takes \['X', 'y'\]\)",
    ),
    "fit-parameter-the-estimator-does-not-take": (
        2,
        lambda X, y: (X, y),
        {"sample_weight": np.ones(150)},
        r"fit parameter 'sample_weight', which FitSpy\.fit does not take",
    ),
    "nan-in-y": (
        2,
        lambda X, y: (X, _with_nan(y)),
        {},
        r"ScoutSearchCV\.fit cannot tell what kind of target y is, to choose the cv=2 "
        r"splitter .*: Input y contains NaN",
    ),
}


@pytest.mark.parametrize(
    ("cv", "data", "params", "match"), list(FIT_CASES.values()), ids=list(FIT_CASES)
)
def test_bad_fit_arguments_fail_before_any_fit(iris, fit_spy, cv, data, params, match):
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, cv=cv)
    with pytest.raises(InvalidParameterError, match=match) as info:
        search.fit(*data(*iris), **params)
    assert fit_spy.calls["fit"] == 0, "the error came after a fit"
    # Raised by scout-sklearn, not from inside scikit-learn.
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert "scout_sklearn" in tb.tb_frame.f_code.co_filename


def test_bad_set_params_value_fails_at_fit(iris, fit_spy):
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, cv=2).set_params(n_trials=0)
    with pytest.raises(ValueError, match=r"'n_trials' .* Got 0 instead"):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_invalid_parameter_error_is_both_value_and_type_error():
    # Code written against scikit-learn's validation catches either.
    assert issubclass(InvalidParameterError, ValueError)
    assert issubclass(InvalidParameterError, TypeError)


def test_a_sampler_going_outside_the_space_later_stops_the_search(iris, fit_spy):
    # A sampler that goes wrong at trial 2 is caught at that ask, with the
    # trial number in the message.
    class LateOutsideSampler(Sampler):
        def ask(self, space, history, rng):
            if len(history) >= 2:
                return {"C": 50.0, "kernel": "rbf"}
            return RandomSampler().ask(space, history, rng)

    X, y = iris
    search = ScoutSearchCV(fit_spy, SPACE, sampler=LateOutsideSampler(), n_trials=5, cv=2)
    with pytest.raises(ValueError, match=re.escape("for trial 2, gave params outside")):
        search.fit(X, y)


def test_n_trials_none_with_timeout_is_accepted(iris, fit_spy):
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": Float(0.1, 1.0)}, timeout=0.05, cv=2)
    search.fit(X, y)
    assert search.n_trials_ >= 1
    assert fit_spy.calls["fit"] >= 2


def test_numpy_integers_are_accepted(iris, fit_spy):
    X, y = iris
    search = ScoutSearchCV(
        fit_spy,
        {"C": Float(0.1, 1.0)},
        n_trials=np.int64(3),
        cv=np.int32(2),
        random_state=np.int64(0),
    ).fit(X, y)
    assert search.n_trials_ == 3


def test_a_sqlite_file_in_a_missing_directory_fails_before_any_fit(iris, fit_spy, tmp_path):
    X, y = iris
    missing = tmp_path / "no-such-dir" / "scout.db"
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, cv=2, storage=f"sqlite:///{missing}")
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'storage' parameter names the SQLite file '.*scout\.db', in the "
        r"directory '.*no-such-dir', which does not exist",
    ):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0
    assert not missing.parent.exists()


def test_a_sqlite_url_naming_a_directory_fails_before_any_fit(iris, fit_spy, tmp_path):
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, cv=2, storage=f"sqlite:///{tmp_path}")
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'storage' parameter names the SQLite file '.*', which is a "
        r"directory\. Name a file in it, e\.g\. 'sqlite:///.*scout\.db'",
    ):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_a_storage_url_query_argument_the_driver_cannot_read_fails_before_any_fit(
    iris, fit_spy, tmp_path
):
    X, y = iris
    url = f"sqlite:///{tmp_path / 'scout.db'}?timeout=abc"
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, cv=2, storage=url)
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'storage' parameter '.*scout\.db\?timeout=abc' has a query argument "
        r"\(or engine option\) its driver cannot read: ValueError: could not convert "
        r"string to float: 'abc'",
    ) as info:
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert "scout_sklearn" in tb.tb_frame.f_code.co_filename


@pytest.mark.parametrize(
    ("query", "error"),
    [("charset=nope", "AttributeError"), ("port=abc", "ValueError")],
)
def test_a_mysql_url_option_the_driver_refuses_on_connecting_fails_before_any_fit(
    iris, fit_spy, query, error
):
    pytest.importorskip("pymysql")
    X, y = iris
    # Nothing listens on port 1: the driver refuses the option before any traffic.
    url = f"mysql+pymysql://user:pw12345@127.0.0.1:1/db?{query}"
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, cv=2, storage=url)
    with pytest.raises(
        InvalidParameterError,
        match=rf"The 'storage' parameter 'mysql\+pymysql://user:\*\*\*@127\.0\.0\.1:1/db"
        rf"\?{query}' has a query argument \(or engine option\) its driver refused when "
        rf"connecting: {error}",
    ) as info:
        search.fit(X, y)
    assert "pw12345" not in str(info.value)
    assert fit_spy.calls["fit"] == 0


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        (
            {"foo": 1},
            TypeError,
            r"ScoutSearchCV\.fit got unexpected argument\(s\) \{'foo'\}",
        ),
        (
            {"sample_weight": np.ones(150)},
            UnsetMetadataPassedError,
            r"\[sample_weight\] are passed but are not explicitly set as requested",
        ),
    ],
    ids=["unknown", "unrequested"],
)
def test_metadata_routing_errors_are_raised_from_the_search(
    iris, fit_spy, params, error, match
):
    # scikit-learn's own routing errors, their type and message kept, but
    # raised by the search: the traceback ends in scout_sklearn (issue 17).
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, cv=2)
    routing = sklearn.config_context(enable_metadata_routing=True)
    with routing, pytest.raises(error, match=match) as info:
        search.fit(X, y, **params)
    assert fit_spy.calls["fit"] == 0
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert "scout_sklearn" in tb.tb_frame.f_code.co_filename


def test_an_inner_thread_count_above_the_cores_is_capped_at_the_cores(iris, fit_spy):
    # 10**30 reached the BLAS/OpenMP libraries as is: ctypes raised
    # ArgumentError (int too long); 2**31 - 1 stalled every fold for seconds.
    assert inner_threads(10**30, n_workers=1, n_cores=4) == 4
    assert inner_threads(3, n_workers=1, n_cores=4) == 3
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, cv=2, inner_max_num_threads=10**30)
    assert search.fit(X, y).n_trials_ == 1


@pytest.mark.parametrize(
    ("refit", "match"),
    [
        (
            lambda results: "0",  # a TypeError, as GridSearchCV's
            r"best_index_ returned is not an integer: the 'refit' callable of "
            r"ScoutSearchCV returned '0'; it must return the int index of a row of "
            r"cv_results_ \(0 to 1\)",
        ),
        (
            lambda results: 2,  # an IndexError, as GridSearchCV's
            r"best_index_ index out of range: the 'refit' callable of ScoutSearchCV "
            r"returned 2, but cv_results_ has 2 rows \(0 to 1\)",
        ),
    ],
    ids=["not-an-int", "out-of-range"],
)
def test_a_refit_callable_returning_no_row_is_named(iris, fit_spy, refit, match):
    # Checked once the trials are scored (the callable chooses among them),
    # raised by the search rather than from inside scikit-learn.
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0, 2.0]}, cv=2, refit=refit)
    with pytest.raises((TypeError, IndexError), match=match) as info:
        search.fit(X, y)
    tb = info.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert "scout_sklearn" in tb.tb_frame.f_code.co_filename


class _CopiesItsList(BaseEstimator):
    """A constructor that copies a list argument, as CatBoost's does."""

    def __init__(self, features=("a",)):
        self.features = list(features) if isinstance(features, list) else features

    def fit(self, X, y=None):  # pragma: no cover - never reached
        raise AssertionError("fit must not run")


def test_an_estimator_clone_refuses_is_refused_before_any_fit(iris):
    X, y = iris
    estimator = _CopiesItsList(features=["a", "b"])
    search = ScoutSearchCV(estimator, {"features": [("a",)]}, cv=2)
    match = r"'estimator'.*cannot be cloned.*tuple"
    with pytest.raises(InvalidParameterError, match=match):
        search.fit(X, y)
    # The same estimator with the tuple clones, and the search runs its checks on.
    assert clone(_CopiesItsList(features=("a", "b"))).features == ("a", "b")
