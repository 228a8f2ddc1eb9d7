"""Users coming from RandomizedSearchCV, HalvingRandomSearchCV, OptunaSearchCV
and scikit-optimize's BayesSearchCV pass what they are used to: what their
search took is either searched the same way or refused before any fit, with
the ScoutSearchCV spelling to write instead.
"""

from __future__ import annotations

import inspect
import pickle
import re
import warnings

import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from scout_sklearn import ScoutSearchCV
from scout_sklearn.exceptions import InvalidParameterError

optuna_distributions = pytest.importorskip("optuna.distributions")
skopt_space = pytest.importorskip("skopt.space")


def _foreign_spaces() -> list[tuple[object, str]]:
    with warnings.catch_warnings():  # Optuna's deprecated classes warn when built
        warnings.simplefilter("ignore")
        od, sk = optuna_distributions, skopt_space
        return [
            (sk.Real(1e-3, 1e2, prior="log-uniform"), "Float(0.001, 100.0, log=True)"),
            (sk.Real(0.0, 1.0), "Float(0.0, 1.0)"),
            (sk.Integer(1, 10), "Int(1, 10)"),
            (sk.Integer(2, 64, prior="log-uniform", base=2), "Int(2, 64, log=True)"),
            (sk.Categorical(["rbf", "linear"]), "['rbf', 'linear']"),
            (od.FloatDistribution(1e-3, 1.0, log=True), "Float(0.001, 1.0, log=True)"),
            (od.FloatDistribution(0.0, 1.0, step=0.25), "Float(0.0, 1.0, step=0.25)"),
            (od.IntDistribution(1, 10), "Int(1, 10)"),
            (od.IntDistribution(1, 10, step=3), "Int(1, 10, step=3)"),
            (od.CategoricalDistribution(["rbf", "linear"]), "['rbf', 'linear']"),
            (od.LogUniformDistribution(1e-3, 1.0), "Float(0.001, 1.0, log=True)"),
        ]


@pytest.mark.parametrize(("value", "equivalent"), _foreign_spaces())
@pytest.mark.parametrize("sampler", [None, "random", "tpe", "gp", "qmc"])
def test_skopt_and_optuna_space_objects_are_refused_before_any_fit_with_our_spelling(
    iris, fit_spy, value, equivalent, sampler
):
    # skopt's Real/Integer/Categorical have an rvs that draws a one-element
    # list: they were taken for a user's own distribution, and every fit
    # failed on C=[0.53] (the GP and TPE samplers refused them only as
    # having no cdf). Optuna's were refused with the advice to wrap the
    # distribution object in a list.
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": value}, sampler=sampler, n_trials=3, cv=2)
    with pytest.raises(InvalidParameterError) as raised:
        search.fit(X, y)
    message = str(raised.value)
    assert "param_distributions['C']" in message
    assert f"Write {equivalent} instead" in message
    assert "wrap it in a list" not in message
    assert fit_spy.calls["fit"] == 0


def test_the_equivalent_written_in_the_message_is_accepted_and_searches_that_domain(
    iris, fit_spy
):
    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": skopt_space.Real(1e-3, 1e2, prior="log-uniform")}, n_trials=3, cv=2
    )
    with pytest.raises(InvalidParameterError) as raised:
        search.fit(X, y)
    code = re.search(r"Write (.+?) instead", str(raised.value)).group(1)
    from scout_sklearn import Float, Int  # noqa: F401 - what the message says to import

    fitted = ScoutSearchCV(
        fit_spy, {"C": eval(code)}, sampler="random", n_trials=5, cv=2, random_state=0
    ).fit(X, y)
    drawn = [params["C"] for params in fitted.cv_results_["params"]]
    assert len(drawn) == 5
    assert all(isinstance(c, float) and 1e-3 <= c <= 1e2 for c in drawn)


def test_a_skopt_categorical_with_a_prior_says_the_weights_have_no_equivalent():
    from scout_sklearn import SearchSpace

    with pytest.raises(InvalidParameterError, match=r"prior's weights have no equivalent"):
        SearchSpace.from_user(
            {"kernel": skopt_space.Categorical(["rbf", "linear"], prior=[0.3, 0.7])}
        )


@pytest.mark.parametrize(
    ("argument", "value", "ours"),
    [
        ("n_iter", 10, "n_trials=10"),
        ("search_spaces", {"C": [1.0]}, "param_distributions"),
        ("n_points", 2, "n_jobs"),
        ("optimizer_kwargs", {"n_initial_points": 5}, "sampler=GPSampler("),
        ("n_candidates", 20, "n_trials"),
        ("factor", 2, "reduction_factor"),
        ("min_resources", 20, "min_resource,"),
        ("max_resources", 100, "max_resource,"),
        ("aggressive_elimination", True, "min_resource to max_resource"),
        ("enable_pruning", True, "pruner='median'"),
        ("study", None, "storage="),
        ("max_iter", 10, "resource='max_iter'"),
        ("subsample", 0.5, "resource='n_samples'"),
        ("catch", (ValueError,), "error_score"),
        ("fit_params", {}, "search.fit(X, y, sample_weight=w)"),
    ],
)
def test_a_peer_searchs_argument_names_what_to_write_instead(argument, value, ours):
    # Python's own TypeError named the argument, not ScoutSearchCV's spelling.
    with pytest.raises(TypeError, match=re.escape(repr(argument))) as raised:
        ScoutSearchCV(LogisticRegression(), {"C": [1.0]}, **{argument: value})
    assert isinstance(raised.value, InvalidParameterError)
    assert ours in str(raised.value)


def test_an_unknown_argument_is_still_pythons_type_error():
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'n_iterations'"):
        ScoutSearchCV(LogisticRegression(), {"C": [1.0]}, n_iterations=10)


def test_a_subclass_may_take_a_peer_name_as_its_own_parameter_and_keeps_its_signature():
    class BudgetedSearch(ScoutSearchCV):
        def __init__(self, estimator, param_distributions=None, *, n_iter=10, **kwargs):
            super().__init__(estimator, param_distributions, **kwargs)
            self.n_iter = n_iter

    search = BudgetedSearch(LogisticRegression(), {"C": [1.0]}, n_iter=3)
    assert clone(search).n_iter == 3
    assert "n_iter" in inspect.signature(BudgetedSearch).parameters
    with pytest.raises(InvalidParameterError, match=r"reduction_factor"):
        BudgetedSearch(LogisticRegression(), {"C": [1.0]}, factor=3)


def test_the_signature_help_shows_is_still_the_constructors():
    parameters = inspect.signature(ScoutSearchCV).parameters
    assert list(parameters)[:3] == ["estimator", "param_distributions", "param_grid"]
    assert "args" not in parameters
    assert sorted(ScoutSearchCV._get_param_names()) == sorted(parameters)
    search = ScoutSearchCV(LogisticRegression(), {"C": [1.0]}, n_trials=2)
    assert pickle.loads(pickle.dumps(search)).get_params()["n_trials"] == 2
    assert clone(search).get_params()["n_trials"] == 2


@pytest.mark.parametrize(
    ("sampler", "ours"),
    [("TPE", "tpe"), ("GP", "gp"), ("TPESampler", "tpe"), ("CmaEsSampler", "cmaes")],
)
def test_a_sampler_name_in_capitals_or_as_optunas_class_name_suggests_ours(
    iris, fit_spy, sampler, ours
):
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0, 2.0]}, sampler=sampler, n_trials=2, cv=2)
    with pytest.raises(InvalidParameterError, match=rf"Did you mean '{ours}'\?"):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_optunas_sampler_and_pruner_objects_are_refused_with_our_name_before_any_fit(
    iris, fit_spy
):
    optuna = pytest.importorskip("optuna")
    X, y = iris
    search = ScoutSearchCV(
        fit_spy, {"C": [1.0, 2.0]}, sampler=optuna.samplers.TPESampler(), n_trials=2, cv=2
    )
    with pytest.raises(InvalidParameterError, match=r"Did you mean 'tpe'\?"):
        search.fit(X, y)
    search = ScoutSearchCV(
        fit_spy, {"C": [1.0, 2.0]}, pruner=optuna.pruners.MedianPruner(), n_trials=2, cv=2
    )
    with pytest.raises(InvalidParameterError, match=r"Did you mean 'median'\?"):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


@pytest.mark.parametrize("pruner", [3, "MEDIAN"])
def test_a_pruner_of_no_accepted_kind_is_refused_before_any_fit(iris, fit_spy, pruner):
    # pruner left the parameter table for make_pruner's own check (which
    # names Optuna's pruners' equivalents): it still runs before any fit.
    X, y = iris
    refused = r"The 'pruner' parameter of ScoutSearchCV"
    search = ScoutSearchCV(fit_spy, {"C": [1.0, 2.0]}, pruner=pruner, n_trials=2, cv=2)
    with pytest.raises(InvalidParameterError, match=refused):
        search.fit(X, y)
    several = ScoutSearchCV(
        fit_spy,
        {"C": [1.0, 2.0]},
        pruner=pruner,
        objectives={"accuracy": "maximize", "fit_time": "minimize"},
        scoring="accuracy",
        refit="accuracy",
        n_trials=2,
        cv=2,
    )
    with pytest.raises(InvalidParameterError, match=refused):
        several.fit(X, y)
    assert fit_spy.calls["fit"] == 0


def test_a_pruner_class_is_told_to_pass_an_instance(iris, fit_spy):
    from scout_sklearn.pruners import MedianPruner

    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0]}, pruner=MedianPruner, n_trials=2, cv=2)
    with pytest.raises(InvalidParameterError, match=r"e\.g\. MedianPruner\(\)"):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


@pytest.mark.parametrize(
    ("argument", "word", "ours"),
    [
        ("min_resource", "smallest", "min_resource=None here"),
        ("min_resource", "exhaust", "no equivalent here"),
        ("max_resource", "auto", "max_resource=None here"),
    ],
)
def test_halvings_resource_words_are_refused_with_our_spelling_before_any_fit(
    iris, fit_spy, argument, word, ours
):
    X, y = iris
    search = ScoutSearchCV(
        fit_spy,
        {"C": [1.0, 2.0]},
        pruner="successive_halving",
        n_trials=2,
        cv=2,
        **{argument: word},
    )
    with pytest.raises(InvalidParameterError) as raised:
        search.fit(X, y)
    assert f"The '{argument}' parameter of ScoutSearchCV" in str(raised.value)
    assert repr(word) in str(raised.value)
    assert ours in str(raised.value)
    assert fit_spy.calls["fit"] == 0


def test_bayes_search_cvs_space_and_n_iter_pairs_are_refused_saying_so(iris, fit_spy):
    X, y = iris
    search = ScoutSearchCV(fit_spy, [({"C": [1.0, 2.0]}, 5)], n_trials=2, cv=2)
    with pytest.raises(InvalidParameterError, match=r"\(space, n_iter\) pairs"):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0
