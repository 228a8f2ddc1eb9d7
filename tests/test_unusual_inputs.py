"""Inputs GridSearchCV takes that a stored search must take too.

Sparse X (``csr_array`` and ``csr_matrix``), a pipeline holding a lambda
(``FunctionTransformer(lambda ...)``) and a scoring that is a lambda or a
local function, which cannot be pickled for the study's fingerprint.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from scout_sklearn import ScoutSearchCV
from scout_sklearn.exceptions import StudyMismatch

GRID = {"C": [0.1, 1.0]}


@pytest.mark.parametrize("kind", [sp.csr_array, sp.csr_matrix])
@pytest.mark.parametrize("stored", [False, True])
def test_sparse_x_fits_like_gridsearchcv(
    kind: type, stored: bool, iris: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    X, y = iris
    storage = f"sqlite:///{tmp_path / 'scout.db'}" if stored else None

    ours = ScoutSearchCV(LogisticRegression(max_iter=200), GRID, cv=3, storage=storage).fit(
        kind(X), y
    )
    theirs = GridSearchCV(LogisticRegression(max_iter=200), GRID, cv=3).fit(kind(X), y)

    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"]
    )
    assert ours.best_params_ == theirs.best_params_
    if stored:
        assert ours.study_.fingerprint["data"]["shape"] == [150, 4]


def _doubling() -> FunctionTransformer:
    return FunctionTransformer(lambda X: X * 2.0)


def _tripling() -> FunctionTransformer:
    return FunctionTransformer(lambda X: X * 3.0)


def _search(transformer: FunctionTransformer, url: str, **kwargs: object) -> ScoutSearchCV:
    return ScoutSearchCV(
        make_pipeline(transformer, LogisticRegression(max_iter=200)),
        {"logisticregression__C": [0.1, 1.0]},
        cv=2,
        storage=url,
        study_name="lambda",
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_lambda_in_the_pipeline_works_with_a_storage_and_resumes(
    n_jobs: int, iris: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'scout.db'}"

    first = _search(_doubling(), url, n_jobs=n_jobs).fit(*iris)
    again = _search(_doubling(), url, n_jobs=n_jobs).fit(*iris)  # the same code: resumes

    assert first.n_trials_ == again.n_trials_ == 2
    assert len(again.study_.trials) == 2


def test_another_lambda_is_another_estimator_unless_ignored(
    iris: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    _search(_doubling(), url).fit(*iris)

    with pytest.raises(StudyMismatch, match="estimator"):
        _search(_tripling(), url).fit(*iris)
    resumed = _search(_tripling(), url, ignore_fingerprint=True).fit(*iris)

    assert len(resumed.study_.trials) == 2


def _local_scorers() -> dict[str, object]:
    """Scorings that pickle only by value: a lambda, a local def, both in make_scorer."""

    def local_metric(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(accuracy_score(y_true, y_pred))

    def local_scorer(estimator: object, X: np.ndarray, y: np.ndarray) -> float:
        return float(estimator.score(X, y))  # type: ignore[attr-defined]

    return {
        "lambda": lambda estimator, X, y: estimator.score(X, y),
        "local def": local_scorer,
        "make_scorer(local def)": make_scorer(local_metric),
        "dict of them": {
            "a": make_scorer(lambda t, p: accuracy_score(t, p)),
            "b": "accuracy",
        },
    }


@pytest.mark.parametrize("name", list(_local_scorers()))
def test_a_lambda_or_local_scoring_works_with_a_storage_and_resumes(
    name: str, iris: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    refit = "a" if name == "dict of them" else True

    def search(n_trials: int) -> ScoutSearchCV:
        return ScoutSearchCV(
            LogisticRegression(max_iter=200),
            {"C": [0.1, 1.0, 10.0]},
            sampler="grid",
            n_trials=n_trials,
            cv=2,
            scoring=_local_scorers()[name],  # type: ignore[arg-type]
            refit=refit,
            storage=url,
            study_name="scoring",
        )

    first = search(2).fit(*iris)  # raised PicklingError from joblib's hash
    again = search(3).fit(*iris)  # the same scoring, rebuilt: resumes

    assert first.n_trials_ == 2
    assert len(again.study_.trials) == 3
    assert again.study_.fingerprint["scoring"] == first.study_.fingerprint["scoring"]


def test_another_lambda_scoring_is_another_scoring(
    iris: tuple[np.ndarray, np.ndarray], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'scout.db'}"

    def search(scoring: object) -> ScoutSearchCV:
        return ScoutSearchCV(
            LogisticRegression(max_iter=200),
            GRID,
            cv=2,
            scoring=scoring,  # type: ignore[arg-type]
            storage=url,
            study_name="scoring",
        )

    search(make_scorer(lambda t, p: accuracy_score(t, p))).fit(*iris)
    with pytest.raises(StudyMismatch, match="scoring"):
        search(make_scorer(lambda t, p: -accuracy_score(t, p))).fit(*iris)


def test_a_random_state_instance_resumes_its_study_on_the_next_fit(iris, tmp_path):
    # A RandomState gives a new seed at every fit: the stored seed is kept.
    from scout_sklearn import Float

    X, y = iris
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": Float(0.01, 10.0, log=True)},
        sampler="random",
        n_trials=3,
        cv=2,
        random_state=np.random.RandomState(0),
        storage=f"sqlite:///{tmp_path / 's.db'}",
    ).fit(X, y)
    first = [t.params for t in search.study_.trials]
    search.set_params(n_trials=6).fit(X, y)
    trials = search.study_.trials
    assert len(trials) == 6
    assert [t.params for t in trials[:3]] == first
    assert len({t.params["C"] for t in trials}) == 6


def test_a_search_unpickled_where_its_sqlite_file_is_gone_keeps_its_trials(iris, tmp_path):
    # A fitted search loaded on another machine: its study's trials are in
    # memory; reading them creates no new empty database in the file's place.
    import pickle

    X, y = iris
    path = tmp_path / "search.db"
    search = ScoutSearchCV(
        LogisticRegression(max_iter=200),
        {"C": [0.1, 1.0, 10.0]},
        cv=2,
        storage=f"sqlite:///{path}",
    ).fit(X, y)
    data = pickle.dumps(search)
    for leftover in tmp_path.iterdir():
        leftover.unlink()
    loaded = pickle.loads(data)
    assert len(loaded.study_.trials) == 3
    assert loaded.trials_dataframe().shape[0] == 3
    assert loaded.predict(X[:2]).shape == (2,)
    assert not path.exists()
