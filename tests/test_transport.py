"""How fold tasks cross to worker processes: row indices packed as bit masks."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import RidgeClassifier
from sklearn.model_selection import GroupKFold, KFold, ShuffleSplit, StratifiedKFold

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn._transport import PackedRows


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.intp, np.uint32])
def test_increasing_rows_round_trip_exactly_and_smaller(dtype):
    rng = np.random.default_rng(0)
    rows = np.flatnonzero(rng.random(100_000) < 0.7).astype(dtype)
    packed = PackedRows.pack(rows)
    assert isinstance(packed, PackedRows)
    unpacked = pickle.loads(pickle.dumps(packed)).unpack()
    assert unpacked.dtype == rows.dtype
    np.testing.assert_array_equal(unpacked, rows)
    assert len(pickle.dumps(packed)) < rows.nbytes / 20


@pytest.mark.parametrize(
    "rows",
    [
        np.arange(10),  # too few to be worth it
        np.random.default_rng(0).permutation(1000),  # the order matters to a fit
        np.repeat(np.arange(500), 2),  # a row twice (a bootstrap)
        np.arange(1000)[::-1].copy(),
        np.arange(-5, 995),
        np.arange(1000, dtype=float),
        np.arange(1000).reshape(10, 100),
        list(range(1000)),
    ],
    ids=["short", "shuffled", "repeated", "decreasing", "negative", "float", "2-d", "list"],
)
def test_rows_a_mask_cannot_hold_exactly_travel_as_they_are(rows):
    assert PackedRows.pack(rows) is rows


@pytest.mark.parametrize(
    "cv",
    [
        KFold(3),
        StratifiedKFold(3, shuffle=True, random_state=0),
        ShuffleSplit(3, test_size=0.3, random_state=0),
        GroupKFold(3),
    ],
    ids=type,
)
def test_process_workers_score_what_one_process_scores(cv):
    # At n_jobs=2 the tasks are pickled to loky's processes, their rows as
    # masks where exact (KFold), as indices elsewhere (ShuffleSplit).
    X, y = load_digits(return_X_y=True)
    groups = np.arange(len(y)) % 7
    results = []
    for n_jobs in (1, 2):
        search = ScoutSearchCV(
            RidgeClassifier(),
            {"alpha": Float(1e-3, 10.0, log=True)},
            n_trials=4,
            sampler="random",
            cv=cv,
            n_jobs=n_jobs,
            random_state=0,
        ).fit(X, y, groups=groups)
        results.append(search.cv_results_)
    for k in range(3):
        np.testing.assert_allclose(
            results[0][f"split{k}_test_score"], results[1][f"split{k}_test_score"]
        )
