"""Per-fold early stopping: ScoutSearchCV(validation=ValidationSplit(...))."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from scout_sklearn import ScoutSearchCV, ValidationSplit
from scout_sklearn.exceptions import InvalidParameterError

X, y = load_breast_cancer(return_X_y=True)
X, y = X[:240], y[:240]


@pytest.fixture(autouse=True)
def _one_openmp_thread() -> Any:
    # HistGradientBoosting's OpenMP threads crawl on a loaded shared machine.
    with threadpool_limits(1):
        yield


# What RowRecorder saw in each fit: (row ids it fitted on, row ids it validated on).
SEEN: list[tuple[frozenset[int], frozenset[int]]] = []


class RowRecorder(ClassifierMixin, BaseEstimator):
    """Records the row ids (column 0 of X) of the rows it fits and validates on."""

    def __init__(self, C: float = 1.0) -> None:
        self.C = C

    def fit(self, X: Any, y: Any, X_val: Any = None, y_val: Any = None) -> RowRecorder:
        ids = frozenset(int(i) for i in X[:, 0])
        val_ids = frozenset() if X_val is None else frozenset(int(i) for i in X_val[:, 0])
        SEEN.append((ids, val_ids))
        self.classes_ = np.unique(y)
        self.n_iter_ = len(val_ids)
        return self

    def predict(self, X: Any) -> Any:
        return np.full(len(X), self.classes_[0])


def test_no_test_fold_row_reaches_the_validation_rows() -> None:
    ids = np.arange(len(y), dtype=float)
    X_ids = np.column_stack([ids, X[:, :3]])
    splits = list(StratifiedKFold(4, shuffle=True, random_state=0).split(X_ids, y))
    SEEN.clear()
    search = ScoutSearchCV(
        RowRecorder(),
        {"C": [0.1, 1.0, 10.0]},
        cv=splits,
        validation=ValidationSplit(0.25, route="X_val"),
        refit=False,
    ).fit(X_ids, y)
    assert len(SEEN) == 3 * len(splits)
    for fit_ids, val_ids in SEEN:
        assert val_ids
        assert not fit_ids & val_ids
        (train, test), *others = [
            (tr, te) for tr, te in splits if fit_ids | val_ids == set(tr.tolist())
        ]
        assert not others
        assert not val_ids & set(test.tolist())  # never a test-fold row
        assert len(val_ids) == round(0.25 * len(train))
    # Every trial validates a fold on the same rows.
    by_fold: dict[frozenset[int], set[frozenset[int]]] = {}
    for fit_ids, val_ids in SEEN:
        by_fold.setdefault(fit_ids | val_ids, set()).add(val_ids)
    assert all(len(vals) == 1 for vals in by_fold.values())
    assert (
        search.cv_results_["split0_n_iterations"].tolist()
        == [round(0.25 * len(splits[0][0]))] * 3
    )


def test_with_groups_whole_groups_are_carved_as_the_splitter_keeps_them() -> None:
    from sklearn.model_selection import GroupKFold

    ids = np.arange(len(y), dtype=float)
    X_ids = np.column_stack([ids, X[:, :3]])
    groups = np.arange(len(y)) // 8  # 30 groups of 8 rows
    SEEN.clear()
    ScoutSearchCV(
        RowRecorder(),
        {"C": [0.1]},
        cv=GroupKFold(3),
        validation=ValidationSplit(0.25, route="X_val"),
        refit=False,
    ).fit(X_ids, y, groups=groups)
    assert len(SEEN) == 3
    for fit_ids, val_ids in SEEN:
        fit_groups = set(groups[sorted(fit_ids)].tolist())
        val_groups = set(groups[sorted(val_ids)].tolist())
        assert val_groups
        assert not fit_groups & val_groups  # no group on both sides
        assert len(val_ids) == 8 * len(val_groups)  # whole groups


class _WeightedHGB(HistGradientBoostingClassifier):
    """Records whether each fit got sample weights."""

    got: ClassVar[list[bool]] = []

    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None):
        type(self).got.append(sample_weight is not None)
        return super().fit(X, y, sample_weight=sample_weight, X_val=X_val, y_val=y_val)


# _WeightedHGB's fit takes no sample_weight_val: the search says so, and goes on.
@pytest.mark.filterwarnings("ignore:fit was given sample_weight")
@pytest.mark.parametrize("scaler_wants_weights", [True, False])
def test_with_metadata_routing_the_last_step_gets_its_routed_params(
    scaler_wants_weights: bool,
) -> None:
    import sklearn
    from sklearn.metrics import accuracy_score, make_scorer
    from sklearn.pipeline import Pipeline

    weights = np.random.default_rng(0).random(len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline(
            [
                (
                    "scale",
                    StandardScaler().set_fit_request(sample_weight=scaler_wants_weights),
                ),
                (
                    "hgb",
                    _WeightedHGB(max_iter=10, early_stopping=True).set_fit_request(
                        sample_weight=True
                    ),
                ),
            ]
        )
        scorer = make_scorer(accuracy_score).set_score_request(sample_weight=False)
        _WeightedHGB.got.clear()
        ScoutSearchCV(
            pipe,
            {"hgb__learning_rate": [0.1]},
            cv=2,
            scoring=scorer,
            error_score="raise",
            validation=ValidationSplit(0.2, route="X_val"),
        ).fit(X, y, sample_weight=weights)
    assert _WeightedHGB.got == [True, True, True]  # both folds and the refit


class _EveryOther(BaseEstimator):
    """A resampler as imbalanced-learn's are: fit_resample keeps every other row."""

    def fit(self, X, y=None):
        return self

    def fit_resample(self, X, y):
        return X[::2], y[::2]

    def transform(self, X):
        return X


class _ShapeRecorder(ClassifierMixin, BaseEstimator):
    seen: ClassVar[list[tuple[int, int, int]]] = []

    def fit(self, X, y, X_val=None, y_val=None):
        type(self).seen.append((len(X), len(y), len(X_val)))
        self.classes_ = np.unique(y)
        return self


def test_a_resampler_before_the_last_step_resamples_the_fit_rows_only() -> None:
    from scout_sklearn._validation import fit_with_validation, resolve_validation

    pipe = make_pipeline(_EveryOther(), StandardScaler(), _ShapeRecorder())
    splits = list(StratifiedKFold(2).split(X, y))
    validation, folds = resolve_validation(
        ValidationSplit(0.2, route="X_val"), pipe, X, y, splits, {}
    )
    fit_rows = folds[0][0]
    val_rows = validation.rows[0]
    _ShapeRecorder.seen.clear()
    fit_with_validation(
        pipe, X[fit_rows], y[fit_rows], X[val_rows], y[val_rows], validation, {}
    )
    half = (len(fit_rows) + 1) // 2
    assert _ShapeRecorder.seen == [(half, half, len(val_rows))]


def test_rounds_are_recorded_per_fold_and_the_refit_uses_their_median() -> None:
    search = ScoutSearchCV(
        HistGradientBoostingClassifier(
            max_iter=60, early_stopping=True, n_iter_no_change=3, random_state=0
        ),
        {"learning_rate": [0.05, 0.5]},
        cv=3,
        validation=ValidationSplit(0.2),
    ).fit(X, y)
    results = search.cv_results_
    counts = np.array([results[f"split{k}_n_iterations"] for k in range(3)]).T
    assert counts.shape == (2, 3)
    assert (counts >= 1).all()
    assert (counts <= 60).all()
    assert results["n_iterations"].tolist() == np.median(counts, axis=1).round().tolist()
    for trial, row in zip(search.study_.trials, counts):
        by_fold = {f.fold: f.n_iterations for f in trial.fold_results}
        assert [by_fold[k] for k in range(3)] == row.tolist()
    best = int(np.median(counts[search.best_index_]).round())
    assert search.best_n_iterations_ == best
    assert search.best_estimator_.max_iter == best
    assert search.best_estimator_.early_stopping is False
    assert search.best_estimator_.n_iter_ == best


def test_a_pipeline_transforms_the_validation_rows_with_its_fitted_steps() -> None:
    search = ScoutSearchCV(
        make_pipeline(
            StandardScaler(),
            HistGradientBoostingClassifier(
                max_iter=20, early_stopping=True, n_iter_no_change=3
            ),
        ),
        {"histgradientboostingclassifier__learning_rate": [0.1]},
        cv=2,
        validation=ValidationSplit(30),
    ).fit(X, y)
    assert search.best_n_iterations_ is not None
    assert search.best_estimator_[-1].max_iter == search.best_n_iterations_


def test_a_pipeline_with_a_memory_keeps_its_fitted_steps(tmp_path) -> None:
    # With memory=, a pipeline fits clones of its transformers: the fold's
    # pipeline must hold the fitted ones, or scoring it finds them unfitted.
    from sklearn.decomposition import PCA
    from sklearn.pipeline import Pipeline

    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("pca", PCA(5)),
            ("hgb", HistGradientBoostingClassifier(max_iter=20, early_stopping=True)),
        ],
        memory=str(tmp_path),
    )
    search = ScoutSearchCV(
        pipe,
        {"hgb__learning_rate": [0.1, 0.3]},
        cv=2,
        error_score="raise",
        validation=ValidationSplit(0.2),
    ).fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_estimator_.score(X, y) > 0.8


def test_without_validation_cv_results_has_no_iteration_columns() -> None:
    search = ScoutSearchCV(HistGradientBoostingClassifier(max_iter=5), {"max_depth": [2]})
    search.fit(X, y)
    assert not any("n_iterations" in key for key in search.cv_results_)
    assert not hasattr(search, "best_n_iterations_")


@pytest.mark.parametrize(
    ("validation", "message"),
    [
        (ValidationSplit(0), r"'size' parameter of ValidationSplit .* Got 0 instead"),
        (ValidationSplit(1.5), r"'size' .* Got 1.5 instead"),
        (ValidationSplit(route="evalset"), r"'route' parameter .* Got 'evalset'"),
        (ValidationSplit(stratify="yes"), r"'stratify' parameter .* Got 'yes'"),
        (ValidationSplit(random_state=-1), r"'random_state' parameter .* Got -1"),
    ],
)
def test_bad_validation_splits_are_refused_before_any_fit(
    validation: ValidationSplit, message: str
) -> None:
    SEEN.clear()
    search = ScoutSearchCV(RowRecorder(), {"C": [1.0]}, validation=validation)
    with pytest.raises(InvalidParameterError, match=message):
        search.fit(np.column_stack([np.arange(len(y)), X[:, :2]]), y)
    assert SEEN == []


def test_histgradientboosting_without_early_stopping_is_refused_before_any_fit(
    tmp_path,
) -> None:
    db = tmp_path / "scout.db"
    search = ScoutSearchCV(
        HistGradientBoostingClassifier(early_stopping=False),
        {"max_depth": [2]},
        validation=ValidationSplit(),
        storage=f"sqlite:///{db}",
    )
    with pytest.raises(
        InvalidParameterError,
        match=r"gives HistGradientBoostingClassifier validation rows to stop early on, "
        r"but its early_stopping=False",
    ):
        search.fit(X, y)
    assert not db.exists()


def test_auto_route_names_the_libraries_it_knows() -> None:
    search = ScoutSearchCV(RowRecorder(), {"C": [1.0]}, validation=ValidationSplit())
    with pytest.raises(
        InvalidParameterError, match=r"knows XGBoost, LightGBM.*RowRecorder"
    ):
        search.fit(X, y)


def test_a_route_the_estimators_fit_does_not_take_is_refused() -> None:
    search = ScoutSearchCV(
        RowRecorder(), {"C": [1.0]}, validation=ValidationSplit(route="eval_set")
    )
    with pytest.raises(InvalidParameterError, match=r"\['eval_set'\], which RowRecorder"):
        search.fit(X, y)


def test_a_validation_fit_parameter_given_to_fit_is_refused() -> None:
    search = ScoutSearchCV(
        HistGradientBoostingClassifier(), {"max_iter": [5]}, validation=ValidationSplit()
    )
    with pytest.raises(ValueError, match=r"fit was given \['X_val'\]"):
        search.fit(X, y, X_val=X[:10])


def test_the_search_parameter_must_be_a_validation_split() -> None:
    search = ScoutSearchCV(
        HistGradientBoostingClassifier(), {"max_iter": [5]}, validation=0.1
    )
    with pytest.raises(InvalidParameterError, match=r"'validation' parameter"):
        search.fit(X, y)


def test_xgboost_gets_an_eval_set_and_refits_for_the_median_rounds() -> None:
    xgboost = pytest.importorskip("xgboost", reason="xgboost-cpu is not installed")
    search = ScoutSearchCV(
        xgboost.XGBClassifier(n_estimators=100, early_stopping_rounds=5, n_jobs=1),
        {"learning_rate": [0.3]},
        cv=2,
        validation=ValidationSplit(0.25),
    ).fit(X, y)
    counts = [search.cv_results_[f"split{k}_n_iterations"][0] for k in range(2)]
    assert all(1 <= c <= 100 for c in counts)
    assert search.best_estimator_.n_estimators == search.best_n_iterations_
    assert search.best_estimator_.early_stopping_rounds is None


def test_lightgbm_gets_its_validation_rows_without_a_deprecation_warning() -> None:
    lightgbm = pytest.importorskip("lightgbm", reason="lightgbm is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        search = ScoutSearchCV(
            lightgbm.LGBMClassifier(
                n_estimators=100, early_stopping_round=5, verbose=-1, n_jobs=1
            ),
            {"learning_rate": [0.3]},
            cv=2,
            validation=ValidationSplit(0.25),
        ).fit(X, y)
    counts = [search.cv_results_[f"split{k}_n_iterations"][0] for k in range(2)]
    assert all(1 <= c <= 100 for c in counts)
    assert search.best_estimator_.n_estimators == search.best_n_iterations_


def _recording_fit(
    monkeypatch: Any, cls: type, weights_param: str
) -> list[tuple[Any, Any]]:
    """Patch ``cls.fit`` to record (sample_weight, the validation rows' weights)."""
    got: list[tuple[Any, Any]] = []
    original = cls.fit

    def fit(self: Any, X: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> Any:
        got.append((sample_weight, kwargs.get(weights_param)))
        return original(self, X, y, sample_weight=sample_weight, **kwargs)

    monkeypatch.setattr(cls, "fit", fit)
    return got


@pytest.mark.parametrize("in_a_pipeline", [False, True])
def test_the_validation_rows_weights_go_with_them(
    monkeypatch: Any, in_a_pipeline: bool
) -> None:
    # Each row's weight names the row: the weights a fold's fit validates
    # with must be those of its carved rows, none of its fit rows'.
    weights = 1.0 + np.arange(len(y)) / len(y)
    got = _recording_fit(monkeypatch, HistGradientBoostingClassifier, "sample_weight_val")
    model = HistGradientBoostingClassifier(max_iter=10, early_stopping=True)
    estimator = make_pipeline(StandardScaler(), model) if in_a_pipeline else model
    key = (
        "histgradientboostingclassifier__sample_weight"
        if in_a_pipeline
        else "sample_weight"
    )
    search = ScoutSearchCV(
        estimator,
        {},
        cv=2,
        error_score="raise",
        validation=ValidationSplit(0.25),
    ).fit(X, y, **{key: weights})
    assert len(got) == 3  # two folds and the refit
    for fold, (w_fit, w_val) in enumerate(got[:2]):
        np.testing.assert_array_equal(w_val, weights[search._validation.rows[fold]])
        assert not set(w_fit) & set(w_val)
    assert got[2][1] is None  # the refit has no validation rows


def test_xgboost_gets_the_validation_rows_weights_as_a_list(monkeypatch: Any) -> None:
    xgboost = pytest.importorskip("xgboost", reason="xgboost-cpu is not installed")
    weights = 1.0 + np.arange(len(y)) / len(y)
    got = _recording_fit(monkeypatch, xgboost.XGBClassifier, "sample_weight_eval_set")
    search = ScoutSearchCV(
        xgboost.XGBClassifier(n_estimators=20, early_stopping_rounds=5, n_jobs=1),
        {},
        cv=2,
        error_score="raise",
        validation=ValidationSplit(0.25),
    ).fit(X, y, sample_weight=weights)
    for fold, (_, w_val) in enumerate(got[:2]):
        (only,) = w_val
        np.testing.assert_array_equal(only, weights[search._validation.rows[fold]])


def test_catboost_with_weights_warns_that_its_validation_rows_go_unweighted() -> None:
    catboost = pytest.importorskip("catboost", reason="catboost is not installed")
    with pytest.warns(UserWarning, match="compares unweighted losses"):
        ScoutSearchCV(
            catboost.CatBoostClassifier(
                iterations=10,
                early_stopping_rounds=5,
                verbose=0,
                thread_count=1,
                allow_writing_files=False,  # no catboost_info/ in the working directory
            ),
            {},
            cv=2,
            validation=ValidationSplit(0.25),
        ).fit(X, y, sample_weight=np.ones(len(y)))
