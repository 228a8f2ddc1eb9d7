"""ScoutSearchCV with a pruner: rungs over samples, an estimator parameter or folds.

Real estimators on small bundled datasets, plus spies whose scores report
what happened inside a fit (how many rows, how many continued fits), so that
the tests see the rungs from the outside, as a user would.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import BaseEnsemble, HistGradientBoostingClassifier
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from scout_sklearn import Float, Int, ScoutSearchCV, Study, TrialState
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners import (
    Decision,
    HyperbandPruner,
    MedianPruner,
    Pruner,
    SuccessiveHalvingPruner,
)
from scout_sklearn.samplers import Sampler
from scout_sklearn.storage import SQLStorage

GRIDSEARCH_KEYS_PLUS = {"trial_number", "state"}


# -- spies (module level, so that loky workers import them) -----------------------
class RowSpy(ClassifierMixin, BaseEstimator):
    """Logs the row ids (column 0 of X) it fits on, and the size of what it predicts.

    The log is a class attribute: only meaningful with n_jobs=1.
    """

    log: ClassVar[list[tuple[str, Any]]] = []

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        type(self).log.append(("fit", tuple(int(v) for v in X[:, 0])))
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        type(self).log.append(("predict", len(X)))
        return np.full(len(X), self.classes_[0])


class ForestSpy(ClassifierMixin, BaseEnsemble):
    """An "ensemble" that only counts: trees, fits, and trees built by this object.

    With warm_start, a fit keeps the trees it has and builds only the missing
    ones, as scikit-learn's forests do (a BaseEnsemble, whose n_estimators
    the search continues up to). The scorers below read the counts, so they
    travel back from any worker in the fold results.
    """

    def __init__(self, n_estimators=10, warm_start=False, quality=0.5):
        self.n_estimators = n_estimators
        self.warm_start = warm_start
        self.quality = quality

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        have = getattr(self, "n_trees_", 0) if self.warm_start else 0
        if self.n_estimators < have:
            raise ValueError("n_estimators must not shrink under warm_start")
        continuing = self.warm_start and have > 0
        self.n_fits_ = self.n_fits_ + 1 if continuing else 1
        built = self.n_estimators - have
        self.n_built_ = self.n_built_ + built if continuing else built
        self.n_trees_ = self.n_estimators
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return np.full(len(X), self.classes_[0])


class EpochSpy(ClassifierMixin, BaseEstimator):
    """Counts epochs as MLP and SGD do: with warm_start, each fit trains max_iter more."""

    def __init__(self, max_iter=10, warm_start=False, quality=0.5):
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.quality = quality

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        before = getattr(self, "epochs_", 0) if self.warm_start else 0
        self.epochs_ = before + self.max_iter
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return np.full(len(X), self.classes_[0])


def _quality(estimator, X, y):
    # Better with more trees and a higher quality param: a smooth, known score.
    return float(estimator.quality - 1.0 / estimator.n_trees_)


def _fits(estimator, X, y):
    return float(estimator.n_fits_)


def _built(estimator, X, y):
    return float(estimator.n_built_)


FOREST_SCORING = {"quality": _quality, "fits": _fits, "built": _built}


class PruneTrialZero(Pruner):
    """Prunes trial 0 at its first rung, lets every other trial through."""

    def decide(self, number, rung, record, n_rungs):
        if number == 0 and rung < n_rungs - 1:
            return Decision.PRUNE
        return Decision.CONTINUE


class RecordingSampler(Sampler):
    """Random params; keeps every history it is shown (class attribute)."""

    seen: ClassVar[list[tuple[Any, ...]]] = []

    def ask(self, space, history, rng):
        type(self).seen.append(tuple(history))
        return space.sample(rng)


# -- helpers ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, np.ndarray]:
    """Breast cancer, 569 x 30, with the row id in column 0 for the spies."""
    X, y = load_breast_cancer(return_X_y=True)
    return X, y


def _with_ids(X: np.ndarray) -> np.ndarray:
    return np.column_stack([np.arange(len(X)), X])


def _rung_values(trial, n_splits: int) -> dict[int, float]:
    """Mean test score per complete rung (folds of that rung only)."""
    by_rung: dict[int, list[float]] = {}
    for fold in sorted(trial.fold_results, key=lambda f: f.fold):
        by_rung.setdefault(fold.rung, []).append(fold.test_scores["score"])
    return {r: float(np.mean(v)) for r, v in by_rung.items() if len(v) == n_splits}


def _check_consistent(search: ScoutSearchCV, ladder: tuple[Any, ...]) -> None:
    """Rows, states, ranks and resources agree with the study's trials."""
    results = search.cv_results_
    trials = {t.number: t for t in search.study_.trials}
    assert all(t.is_finished for t in trials.values())
    assert set(results["state"]) <= {"COMPLETE", "PRUNED", "FAILED"}
    complete = results["state"] == "COMPLETE"
    pruned = results["state"] == "PRUNED"
    assert complete.any()
    assert pruned.any()
    assert set(results["n_resources"]) <= set(ladder)
    assert np.all(results["n_resources"][complete] == ladder[-1])
    assert np.all(results["n_resources"][pruned] < ladder[-1])
    ranks = results["rank_test_score"]
    assert ranks[complete].max() < ranks[pruned].min()
    assert results["state"][search.best_index_] == "COMPLETE"
    for i, number in enumerate(results["trial_number"]):
        trial = trials[number]
        top = max(f.rung for f in trial.fold_results)
        assert results["n_resources"][i] == ladder[top]
        if results["state"][i] == "COMPLETE":
            assert trial.value == pytest.approx(results["mean_test_score"][i], rel=1e-12)


# -- no pruner: nothing changes ------------------------------------------------------
@pytest.mark.parametrize("pruner", [None, "none"])
def test_without_a_pruner_cv_results_are_gridsearch_ones(iris, pruner) -> None:
    X, y = iris
    grid = {"C": [0.1, 1.0, 10.0]}
    ours = ScoutSearchCV(SVC(), grid, cv=3, pruner=pruner).fit(X, y)
    theirs = GridSearchCV(SVC(), grid, cv=3).fit(X, y)
    assert set(ours.cv_results_) - set(theirs.cv_results_) == GRIDSEARCH_KEYS_PLUS
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert {f.rung for t in ours.study_.trials for f in t.fold_results} == {0}


def test_resource_without_a_pruner_is_refused(iris, fit_spy) -> None:
    X, y = iris
    search = ScoutSearchCV(fit_spy, {"C": [1.0, 2.0]}, resource="n_samples", cv=3)
    with pytest.raises(InvalidParameterError, match=r"resource='n_samples' only apply"):
        search.fit(X, y)
    assert fit_spy.calls["fit"] == 0


# -- each resource, end to end ---------------------------------------------------------
def test_n_samples_rungs_subsample_training_folds_only(cancer) -> None:
    X, y = cancer
    search = ScoutSearchCV(
        make_pipeline(StandardScaler(), RidgeClassifier()),
        {"ridgeclassifier__alpha": Float(1e-3, 1e4, log=True)},
        sampler="random",
        pruner=SuccessiveHalvingPruner(),
        min_resource=40,
        n_trials=12,
        cv=3,
        random_state=0,
    ).fit(X, y)
    splits = list(StratifiedKFold(3).split(X, y))
    largest = max(len(train) for train, _ in splits)
    ladder = (40, 120, largest)
    _check_consistent(search, ladder)
    # The last rung fits whole training folds: the same scores as a plain CV.
    best = search.best_index_
    plain = GridSearchCV(
        make_pipeline(StandardScaler(), RidgeClassifier()),
        {"ridgeclassifier__alpha": [search.best_params_["ridgeclassifier__alpha"]]},
        cv=3,
    ).fit(X, y)
    for k in range(3):
        assert search.cv_results_[f"split{k}_test_score"][best] == pytest.approx(
            plain.cv_results_[f"split{k}_test_score"][0], rel=1e-12
        )
    # Every rung keeps the whole validation fold.
    for trial in search.study_.trials:
        assert {f.n_test_samples for f in trial.fold_results} <= {
            len(test) for _, test in splits
        }


def test_estimator_parameter_rungs_set_it_and_params_show_it(cancer) -> None:
    X, y = cancer
    X, y = X[:300], y[:300]
    search = ScoutSearchCV(
        HistGradientBoostingClassifier(random_state=0, early_stopping=False),
        {"learning_rate": Float(1e-3, 1.0, log=True), "max_leaf_nodes": Int(4, 31)},
        sampler="tpe",
        pruner="successive_halving",
        resource="max_iter",
        min_resource=2,
        max_resource=18,
        n_trials=9,
        cv=3,
        random_state=0,
    )
    with threadpool_limits(1):  # tiny fits: OpenMP threads only contend
        search.fit(X, y)
    _check_consistent(search, (2, 6, 18))
    results = search.cv_results_
    # As in HalvingRandomSearchCV, params carry the resource at the last rung...
    assert list(results["param_max_iter"]) == list(results["n_resources"])
    assert search.best_params_["max_iter"] == 18
    # ... so the refit uses max_resource; warm_start is not a searched param.
    assert search.best_estimator_.max_iter == 18
    assert not search.best_estimator_.warm_start
    assert all("warm_start" not in p for p in results["params"])


def test_folds_rungs_compare_partial_means(iris) -> None:
    X, y = iris
    search = ScoutSearchCV(
        SVC(),
        {"C": Float(1e-3, 1e2, log=True), "gamma": Float(1e-4, 10.0, log=True)},
        sampler="random",
        pruner=MedianPruner(n_startup_trials=2),
        resource="folds",
        n_trials=16,
        cv=StratifiedKFold(9, shuffle=True, random_state=0),
        random_state=0,
    ).fit(X, y)
    ladder = MedianPruner().ladder(1, 9)
    assert ladder == (1, 3, 9)
    _check_consistent(search, ladder)
    results = search.cv_results_
    for i, trial in enumerate(search.study_.trials):
        done = sorted(f.fold for f in trial.fold_results)
        assert done == list(range(results["n_resources"][i]))  # folds run in order
        scores = [results[f"split{k}_test_score"][i] for k in range(9)]
        assert np.isnan(scores[len(done) :]).all()
        expected = np.mean([f.test_scores["score"] for f in trial.fold_results])
        assert results["mean_test_score"][i] == pytest.approx(expected, rel=1e-12)


# -- best_ is evaluated at max_resource ------------------------------------------------
def test_a_pruned_trial_never_becomes_best(iris, fast_clf) -> None:
    X, y = iris
    # FastClassifier's score ignores the data and peaks at a=0.3: trial 0.
    search = ScoutSearchCV(
        fast_clf,
        {"a": [0.3, 0.0, 0.6, 0.9]},
        sampler="grid",
        pruner=PruneTrialZero(),
        min_resource=30,
        cv=3,
    ).fit(X, y)
    results = search.cv_results_
    assert results["state"][0] == "PRUNED"
    assert results["mean_test_score"][0] == results["mean_test_score"].max()
    assert results["rank_test_score"][0] == 4
    assert search.best_params_["a"] != 0.3
    assert search.best_score_ < results["mean_test_score"][0]


def test_every_trial_pruned_is_an_error_not_a_pruned_best(iris, fast_clf) -> None:
    X, y = iris
    search = ScoutSearchCV(
        fast_clf, {"a": [0.3]}, sampler="grid", pruner=PruneTrialZero(), cv=3
    )
    with pytest.raises(ValueError, match=r"No trial was evaluated at max_resource=100"):
        search.fit(X, y)


# -- subsamples ------------------------------------------------------------------------
def _fits_by_size(search: ScoutSearchCV, X: np.ndarray, y: np.ndarray) -> dict[int, list]:
    RowSpy.log.clear()
    search.fit(X, y)
    fits: dict[int, list] = {}
    for kind, rows in RowSpy.log:
        if kind == "fit":
            fits.setdefault(len(rows), []).append(rows)
    return fits


def test_subsamples_are_nested_stratified_and_reproducible(cancer) -> None:
    X, y = cancer
    X = _with_ids(X)

    def search(seed: int) -> ScoutSearchCV:
        return ScoutSearchCV(
            RowSpy(),
            {"C": Float(0.1, 10.0)},
            sampler="random",
            pruner=SuccessiveHalvingPruner(),
            min_resource=20,
            n_trials=9,
            cv=3,
            random_state=seed,
            refit=False,
        )

    first = _fits_by_size(search(0), X, y)
    again = _fits_by_size(search(0), X, y)
    other = _fits_by_size(search(1), X, y)
    assert first == again
    assert first[20] != other[20]
    assert sorted(first)[:2] == [20, 60]
    splits = list(StratifiedKFold(3).split(X, y))
    trains = [set(train) for train, _ in splits]
    share = y.mean()
    for small in set(first[20]):
        # Every trial of a rung fits the same rows on a fold, from that fold's
        # training part, with the class balance of the whole.
        fold = next(k for k, train in enumerate(trains) if set(small) <= train)
        assert abs(y[list(small)].mean() - share) <= 1 / 20 + 1e-12
        larger = [rows for rows in set(first[60]) if set(rows) <= trains[fold]]
        assert len(larger) == 1
        assert set(small) < set(larger[0])
    assert len(set(first[20])) == 3  # one subsample per fold, shared by the trials
    # Predictions always cover whole validation folds.
    sizes = {n for kind, n in RowSpy.log if kind == "predict"}
    assert sizes == {len(test) for _, test in splits}


# -- warm start ------------------------------------------------------------------------
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_warm_start_continues_the_previous_rung(iris, n_jobs) -> None:
    X, y = iris
    search = ScoutSearchCV(
        ForestSpy(),
        {"quality": Float(0.0, 1.0)},
        sampler="random",
        pruner=SuccessiveHalvingPruner(),
        resource="n_estimators",
        min_resource=2,
        max_resource=18,
        scoring=FOREST_SCORING,
        refit="quality",
        n_trials=12,
        cv=3,
        random_state=0,
        n_jobs=n_jobs,
    ).fit(X, y)
    ladder = (2, 6, 18)
    n_continued = 0
    for trial in search.study_.trials:
        first = min(f.rung for f in trial.fold_results)
        for fold in trial.fold_results:
            # The estimator of rung r went through r - first + 1 fits, and
            # built exactly ladder[r] trees in all: it kept the trees of the
            # previous rungs instead of starting over.
            assert fold.test_scores["fits"] == fold.rung - first + 1
            assert fold.test_scores["built"] == ladder[fold.rung]
            n_continued += fold.rung > first
    assert n_continued >= 6  # some trials were promoted twice or more
    assert search.best_params_["n_estimators"] == 18
    assert search.best_estimator_.n_fits_ == 1  # the refit starts afresh


@pytest.mark.parametrize(("backend", "packed"), [("loky", True), ("threading", False)])
def test_warm_start_estimators_cross_between_processes_as_bytes(iris, backend, packed):
    import joblib
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import check_scoring

    from scout_sklearn._evaluate import FoldRunner, FoldTask
    from scout_sklearn._transport import PackedEstimator

    X, y = iris
    train, test = np.arange(0, 150, 2), np.arange(1, 150, 2)
    forest = RandomForestClassifier(warm_start=True, random_state=0)

    def run(task):
        runner = FoldRunner(
            forest,
            X,
            y,
            scorer=check_scoring(forest),
            fit_params={},
            score_params={},
            return_train_score=False,
            error_score="raise",
            n_jobs=2,
            pre_dispatch="2*n_jobs",
        )
        with joblib.parallel_config(backend=backend), runner:
            [(number, result, kept)] = list(runner.run([task]))
        assert number == 0
        assert not result.is_failed
        return kept

    start = {"n_estimators": 3}
    kept = run(FoldTask(0, 0, {}, train, test, rung_params=start, keep_estimator=True))
    # Loky workers send the fitted forest back as bytes; threads share it.
    assert isinstance(kept, PackedEstimator) is packed
    first = kept.load() if packed else kept
    assert len(first.estimators_) == 3
    thresholds = [tree.tree_.threshold.copy() for tree in first.estimators_]
    continued = run(
        FoldTask(
            0,
            0,
            {},
            train,
            test,
            rung=1,
            rung_params={"n_estimators": 7},
            warm_start_from=kept,
            keep_estimator=True,
        )
    )
    model = continued.load() if packed else continued
    # The worker unpacked the forest and grew it: its first trees are rung 0's.
    assert len(model.estimators_) == 7
    for old, new in zip(thresholds, model.estimators_[:3]):
        np.testing.assert_array_equal(old, new.tree_.threshold)


def test_an_estimator_whose_max_iter_counts_each_calls_epochs_fits_afresh(iris) -> None:
    # Continued, a trial "at 27" would have trained 1 + 3 + 9 + 27 epochs.
    X, y = iris
    search = ScoutSearchCV(
        EpochSpy(),
        {"quality": Float(0.0, 1.0)},
        sampler="random",
        pruner=SuccessiveHalvingPruner(),
        resource="max_iter",
        min_resource=1,
        max_resource=27,
        scoring={
            "quality": lambda est, X, y: est.quality,
            "epochs": lambda est, X, y: float(est.epochs_),
        },
        refit="quality",
        n_trials=12,
        cv=3,
        random_state=0,
    ).fit(X, y)
    ladder = (1, 3, 9, 27)
    climbed = 0
    for trial in search.study_.trials:
        for fold in trial.fold_results:
            assert fold.test_scores["epochs"] == ladder[fold.rung]
            climbed += fold.rung > 0
    assert climbed >= 6


def test_a_fit_that_stopped_early_is_not_continued(cancer) -> None:
    # HistGradientBoosting continues a warm-started fit up to max_iter; one
    # that stopped early at a rung would, continued, add rounds a fresh fit
    # with the larger max_iter does not.
    X, y = cancer
    estimator = HistGradientBoostingClassifier(
        early_stopping=True, n_iter_no_change=2, validation_fraction=0.2, random_state=0
    )
    kwargs = dict(cv=3, scoring="accuracy")
    with threadpool_limits(1):
        pruned = ScoutSearchCV(
            estimator,
            {"learning_rate": [0.5]},
            pruner=SuccessiveHalvingPruner(reduction_factor=2),
            resource="max_iter",
            min_resource=25,
            max_resource=200,
            n_trials=1,
            **kwargs,
        ).fit(X, y)
        cold = GridSearchCV(
            estimator.set_params(max_iter=200), {"learning_rate": [0.5]}, **kwargs
        ).fit(X, y)
    (trial,) = pruned.study_.trials
    assert max(f.rung for f in trial.fold_results) == 3  # it climbed 25, 50, 100, 200
    last = sorted((f for f in trial.fold_results if f.rung == 3), key=lambda f: f.fold)
    assert [f.test_scores["score"] for f in last] == pytest.approx(
        [cold.cv_results_[f"split{k}_test_score"][0] for k in range(3)]
    )


class FailsAtTheFullBudget(ClassifierMixin, BaseEstimator):
    def __init__(self, C=1.0, max_iter=100):
        self.C = C
        self.max_iter = max_iter

    def fit(self, X, y):
        if self.max_iter > 50:
            raise MemoryError("too big")
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_fits_that_fail_only_at_the_full_budget_are_named_so(iris) -> None:
    X, y = iris
    search = ScoutSearchCV(
        FailsAtTheFullBudget(),
        {"C": Float(0.01, 100.0, log=True)},
        n_trials=6,
        cv=2,
        pruner="asha",
        resource="max_iter",
        min_resource=1,
        max_resource=100,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=r"each of the \d+ trials that reached it"):
            search.fit(X, y)


def test_without_warm_start_each_rung_fits_afresh(iris) -> None:
    X, y = iris
    search = ScoutSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {"svc__C": Float(0.01, 100.0, log=True)},
        sampler="random",
        pruner="hyperband",
        resource="svc__max_iter",
        min_resource=1,
        max_resource=27,
        n_trials=10,
        cv=3,
        random_state=0,
    ).fit(X, y)
    assert search.best_params_["svc__max_iter"] == 27
    assert search.best_estimator_.named_steps["svc"].max_iter == 27


# -- hyperband, asynchronous, parallel -------------------------------------------------
def test_hyperband_starts_trials_in_their_brackets(cancer) -> None:
    X, y = cancer
    pruner = HyperbandPruner()
    search = ScoutSearchCV(
        make_pipeline(StandardScaler(), RidgeClassifier()),
        {"ridgeclassifier__alpha": Float(1e-3, 1e4, log=True)},
        sampler="tpe",
        pruner=pruner,
        min_resource=12,
        n_trials=24,
        cv=3,
        random_state=0,
    ).fit(X, y)
    ladder = pruner.ladder(12, max(len(t) for t, _ in StratifiedKFold(3).split(X, y)))
    assert len(ladder) == 4
    _check_consistent(search, ladder)
    firsts = Counter()
    for trial in search.study_.trials:
        first = min(f.rung for f in trial.fold_results)
        assert first == pruner.first_rung(trial.number, len(ladder))
        firsts[first] += 1
        rungs = sorted({f.rung for f in trial.fold_results})
        assert rungs == list(range(first, rungs[-1] + 1))  # no rung skipped
    assert len(firsts) >= 3  # several brackets in use
    # Trials that waited for a promotion that never came are PRUNED, not lost.
    assert len(search.cv_results_["params"]) == 24


def test_parallel_pruned_search_finishes_every_trial(cancer) -> None:
    X, y = cancer
    start = time.perf_counter()
    search = ScoutSearchCV(
        make_pipeline(StandardScaler(), RidgeClassifier()),
        {"ridgeclassifier__alpha": Float(1e-3, 1e4, log=True)},
        sampler="tpe",
        pruner="hyperband",
        min_resource=12,
        n_trials=20,
        cv=3,
        random_state=0,
        n_jobs=2,
    ).fit(X, y)
    assert time.perf_counter() - start < 60
    assert [t.number for t in search.study_.trials] == list(range(20))
    largest = max(len(train) for train, _ in StratifiedKFold(3).split(X, y))
    _check_consistent(search, HyperbandPruner().ladder(12, largest))


def test_failed_fits_are_failed_not_pruned(iris, failing_clf) -> None:
    X, y = iris
    search = ScoutSearchCV(
        failing_clf,
        {"parameter": [0, 1, 2, 4, 5, 6]},
        sampler="grid",
        pruner="successive_halving",
        min_resource=10,
        cv=3,
    )
    with pytest.warns(Warning, match="failed"):
        search.fit(X, y)
    states = dict(zip(search.cv_results_["param_parameter"], search.cv_results_["state"]))
    assert states[2] == "FAILED"
    assert search.cv_results_["rank_test_score"][2] == 6  # failed trials rank last
    assert search.best_params_["parameter"] != 2


# -- what samplers see -----------------------------------------------------------------
def test_samplers_see_one_rung_at_a_time(cancer) -> None:
    X, y = cancer
    RecordingSampler.seen.clear()
    ScoutSearchCV(
        make_pipeline(StandardScaler(), RidgeClassifier()),
        {"ridgeclassifier__alpha": Float(1e-3, 1e4, log=True)},
        sampler=RecordingSampler(),
        pruner="hyperband",
        min_resource=12,
        n_trials=40,
        cv=3,
        random_state=0,
    ).fit(X, y)
    view_rungs = []
    for history in RecordingSampler.seen:
        values = {t.number: _rung_values(t, 3) for t in history}
        counts = Counter(r for v in values.values() for r in v)
        enough = [r for r, n in counts.items() if n >= 5]  # max(5, 1 param + 1)
        if not enough:
            continue
        rung = max(enough)
        view_rungs.append(rung)
        shown = {t.number: t.value for t in history if t.state is TrialState.COMPLETE}
        expected = {n: v[rung] for n, v in values.items() if rung in v}
        assert shown.keys() == expected.keys()
        for number, value in shown.items():
            assert value == pytest.approx(expected[number], rel=1e-12)
        for trial in history:  # no score from another rung is shown
            assert trial.value is None or trial.number in expected
    assert view_rungs == sorted(view_rungs)  # the view only rises
    assert 0 in view_rungs
    assert max(view_rungs) >= 2


def test_default_resources_follow_halving_search(iris) -> None:
    X, y = iris
    common = {
        "sampler": "random",
        "pruner": "successive_halving",
        "scoring": _quality,
        "n_trials": 6,
        "cv": 3,
        "random_state": 0,
    }
    by_trees = ScoutSearchCV(
        ForestSpy(), {"quality": Float(0.0, 1.0)}, resource="n_estimators", **common
    ).fit(X, y)
    # min_resource=1 for a parameter; max_resource is the estimator's own (10).
    assert set(by_trees.cv_results_["n_resources"]) <= {1, 3, 10}
    assert by_trees.best_params_["n_estimators"] == 10
    by_samples = ScoutSearchCV(ForestSpy(), {"quality": Float(0.0, 1.0)}, **common)
    by_samples.fit(X, y)
    # n_samples: 2 rows per split and class (18), up to whole training folds.
    assert set(by_samples.cv_results_["n_resources"]) <= {18, 54, 100}
    assert 100 in set(by_samples.cv_results_["n_resources"])


# -- storage ---------------------------------------------------------------------------
def _ridge_search(url: str, n_trials: int) -> ScoutSearchCV:
    return ScoutSearchCV(
        make_pipeline(StandardScaler(), RidgeClassifier()),
        {"ridgeclassifier__alpha": Float(1e-3, 1e4, log=True)},
        sampler="tpe",
        pruner="hyperband",
        min_resource=12,
        n_trials=n_trials,
        cv=3,
        random_state=0,
        storage=url,
        study_name="pruned",
    )


def test_a_resumed_pruned_search_continues_its_study(tmp_path: Path, cancer) -> None:
    X, y = cancer
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = _ridge_search(url, 8).fit(X, y)
    first_trials = first.study_.trials  # the study reads the storage: keep these
    # A worker that died in trial 8, after two folds of its first rung.
    study = Study(
        first.study_.space,
        storage=SQLStorage(url),
        name="pruned",
        load_if_exists=True,
        ignore_fingerprint=True,
        lease_seconds=1e-3,
    )
    orphan = study.ask({"ridgeclassifier__alpha": 1.0})
    template = first_trials[0].fold_results[0]
    rung = HyperbandPruner().first_rung(orphan.number, 4)
    for fold in (0, 2):
        study.record(orphan.number, _fold_like(template, fold, rung))
    time.sleep(0.01)

    second = _ridge_search(url, 12).fit(X, y)
    trials = second.study_.trials
    assert [t.number for t in trials] == list(range(12))
    assert all(t.is_finished for t in trials)
    assert [t.params for t in trials[:8]] == [t.params for t in first_trials]
    # The orphan ran only its missing fold at its rung, then went on or stopped.
    resumed = trials[8]
    at_rung = sorted(f.fold for f in resumed.fold_results if f.rung == rung)
    assert at_rung == [0, 1, 2]
    assert sum(f.rung == rung and f.fold != 1 for f in resumed.fold_results) == 2
    assert resumed.state in (TrialState.COMPLETE, TrialState.PRUNED)
    largest = max(len(train) for train, _ in StratifiedKFold(3).split(X, y))
    _check_consistent(second, HyperbandPruner().ladder(12, largest))
    # Resuming with another pruner would mix two searches: refused.
    other = _ridge_search(url, 12).set_params(pruner="median")
    with pytest.raises(InvalidParameterError, match="pruning"):
        other.fit(X, y)


def _fold_like(template, fold: int, rung: int):
    from dataclasses import replace

    return replace(template, fold=fold, rung=rung, test_scores={"score": 0.9})


def test_a_timeout_stops_asking_and_prunes_the_paused_trials(iris, fast_clf) -> None:
    X, y = iris
    search = ScoutSearchCV(
        fast_clf.set_params(delay=0.01),
        {"a": Float(0.0, 1.0)},
        sampler="random",
        pruner="successive_halving",
        min_resource=10,
        # Long enough for 3 trials on a loaded machine (0.5 s once ran one).
        timeout=2.0,
        cv=3,
        random_state=0,
    ).fit(X, y)
    trials = search.study_.trials
    assert len(trials) >= 3
    # Only the trial whose fold ran across the limit (n_jobs=1) is left unfinished;
    # trials paused at a rung are PRUNED at their rung's value.
    assert sum(not t.is_finished for t in trials) <= 1
    assert len(search.cv_results_["params"]) == sum(t.is_finished for t in trials)
    assert search.cv_results_["state"][search.best_index_] == "COMPLETE"


def test_verbose_logs_the_rungs(iris, fast_clf, caplog) -> None:
    X, y = iris
    with caplog.at_level(logging.INFO, logger="scout_sklearn"):
        ScoutSearchCV(
            fast_clf,
            {"a": [0.3, 0.0, 0.6]},
            sampler="grid",
            pruner=PruneTrialZero(),
            min_resource=30,
            cv=3,
            verbose=2,
        ).fit(X, y)
    rungs = "Pruning with PruneTrialZero() over n_samples: rungs (30, 100)"
    assert rungs in caplog.text
    assert "[trial 0] PRUNED at rung 0 (score=" in caplog.text


def test_a_poor_first_trial_does_not_take_the_full_budget(cancer) -> None:
    # The first two trials are near-constant classifiers. When a rung's
    # first finisher took a place whatever its score, the first went all the
    # way to the full budget (and, before the final promotions, was the only
    # one there). Now a rung has n // eta places: no place before three
    # trials reported, and then for the best.
    X, y = cancer
    search = ScoutSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {"svc__C": [1e-6, 1e-5, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]},
        sampler="grid",
        pruner="successive_halving",
        min_resource=30,
        cv=3,
        n_jobs=1,
    ).fit(X, y)
    by_c = {t.params["svc__C"]: t for t in search.study_.trials}
    for poor in (1e-6, 1e-5):
        assert by_c[poor].state is TrialState.PRUNED
        assert {f.rung for f in by_c[poor].fold_results} == {0}
    assert search.best_params_["svc__C"] >= 0.3
    assert search.best_score_ > 0.95
    completed = [t for t in search.study_.trials if t.state is TrialState.COMPLETE]
    assert search.best_params_ in [t.params for t in completed]
