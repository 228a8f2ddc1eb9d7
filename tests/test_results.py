"""summarize_trial: a trial's state and value from its fold results."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from scout_sklearn import FoldResult, TrialState
from scout_sklearn._results import summarize_trial


def _fold(k: int, score: object) -> FoldResult:
    return FoldResult(
        fold=k,
        test_scores={"score": score},  # type: ignore[dict-item]
        train_scores=None,
        fit_time=0.0,
        score_time=0.0,
        n_test_samples=1,
    )


@given(
    st.lists(
        st.floats(allow_nan=True, allow_infinity=True, width=64)
        | st.integers(-(2**40), 2**40),
        min_size=1,
        max_size=25,
    )
)
def test_value_is_numpys_mean_bit_for_bit(scores: list[float]) -> None:
    # The fast path must give np.mean's float exactly (same sum, same division).
    state, value = summarize_trial([_fold(k, s) for k, s in enumerate(scores)], None)
    expected = float(np.mean(scores))
    assert state is TrialState.COMPLETE
    assert value is not None
    assert value == expected or (math.isnan(value) and math.isnan(expected))
    assert type(value) is float


def test_value_of_other_dtypes_is_numpys_mean() -> None:
    for scores in ([np.float32(0.1), np.float32(0.7)], [np.float16(0.1)] * 3, [1, 2, 2]):
        _, value = summarize_trial([_fold(k, s) for k, s in enumerate(scores)], None)
        assert value == float(np.mean(scores))


def test_a_failed_fold_fails_the_trial() -> None:
    failed = FoldResult(
        fold=1,
        test_scores={"score": math.nan},
        train_scores=None,
        fit_time=0.0,
        score_time=0.0,
        n_test_samples=1,
        error="Traceback",
    )
    assert summarize_trial([_fold(0, 0.5), failed], None) == (TrialState.FAILED, None)
    assert summarize_trial([], None) == (TrialState.FAILED, None)
