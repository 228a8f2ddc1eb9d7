"""The private scikit-learn helpers we rely on, in one place.

Every name imported from an underscored scikit-learn module lives here, so
that a scikit-learn release that moves one breaks one file, and CI runs this
file's tests against the oldest and newest supported scikit-learn.
"""

from __future__ import annotations

from typing import Any

from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _check_method_params

__all__ = [
    "BaseSearchCV",
    "TaskEvents",
    "is_multimetric_scorer",
    "multimetric_scorer_names",
    "slice_method_params",
    "split_fold_data",
    "with_callbacks",
]


def split_fold_data(
    estimator: Any, X: Any, y: Any, train: Any, test: Any
) -> tuple[Any, Any, Any, Any]:
    """Training and validation parts of X and y, kernel matrices included."""
    X_train, y_train = _safe_split(estimator, X, y, train)
    X_test, y_test = _safe_split(estimator, X, y, test, train)
    return X_train, y_train, X_test, y_test


def slice_method_params(X: Any, params: dict[str, Any], indices: Any) -> dict[str, Any]:
    """Index every sample-aligned metadata (e.g. sample_weight) by ``indices``."""
    if not params:  # the common case: nothing to index (a fresh dict, as below)
        return {}
    return dict(_check_method_params(X, params=params, indices=indices))


def is_multimetric_scorer(scorer: Any) -> bool:
    """Whether ``scorer`` is scikit-learn's dict-returning multi-metric scorer."""
    return isinstance(scorer, _MultimetricScorer)


def multimetric_scorer_names(scorer: Any) -> list[str]:
    """Metric names of a multi-metric scorer, in scoring order."""
    return list(scorer._scorers)


class TaskEvents:
    """scikit-learn's fit-task callback events (``set_callbacks``, 1.9+) for a search.

    The task tree is GridSearchCV's: the root ``fit`` task, its ``search``
    task with one ``candidate-split-evaluation`` leaf per fold evaluated,
    then ``refit-with-best-params``. Leaf events are sent from the process
    running ``fit`` when the fold's result arrives (the fold's own fit, in a
    worker, does not receive the callbacks). Without callbacks set, or on a
    scikit-learn without the callback API, every method does nothing.
    """

    def __init__(self, search: Any, X: Any, y: Any, metadata: Any) -> None:
        self._search = search
        self._X, self._y, self._metadata = X, y, metadata
        self._root: Any = None
        self._search_ctx: Any = None
        self._n_leaves = 0
        self._max_leaves: int | None = None
        if getattr(search, "_skl_callbacks", None) and hasattr(
            search, "_init_callback_context"
        ):
            self._root = search._init_callback_context(
                max_subtasks=1 + (search.refit is not False)
            ).call_on_fit_task_begin(estimator=search, X=X, y=y, metadata=metadata)

    def start_search(self, n_tasks: int | None) -> None:
        """The search task begins; ``n_tasks`` folds at most will be evaluated."""
        if self._root is None:
            return
        self._max_leaves = n_tasks
        self._search_ctx = self._root.subcontext(
            task_name="search", max_subtasks=n_tasks, sequential_subtasks=False
        ).call_on_fit_task_begin(estimator=self._search)

    def fold_done(self) -> None:
        """One candidate-split evaluation has finished."""
        if self._search_ctx is None:
            return
        if self._max_leaves is not None and self._n_leaves >= self._max_leaves:
            return  # never more leaves than announced
        leaf = self._search_ctx.subcontext(
            task_name="candidate-split-evaluation", task_id=self._n_leaves
        )
        self._n_leaves += 1
        leaf.call_on_fit_task_begin(estimator=self._search)
        leaf.call_on_fit_task_end(estimator=self._search)

    def end_search(self) -> None:
        """The search task ends."""
        if self._search_ctx is not None:
            self._search_ctx.call_on_fit_task_end(estimator=self._search)
            self._search_ctx = None

    def refit(self, best_estimator: Any, fit: Any) -> None:
        """Run ``fit()`` (the refit of ``best_estimator``) as the refit task."""
        if self._root is None:
            fit()
            return
        ctx = self._root.subcontext(task_name="refit-with-best-params")
        with ctx.propagate_callback_context(best_estimator):
            ctx.call_on_fit_task_begin(
                estimator=self._search, X=self._X, y=self._y, metadata=self._metadata
            )
            fit()
        ctx.call_on_fit_task_end(
            estimator=self._search, X=self._X, y=self._y, metadata=self._metadata
        )

    def end_fit(self) -> None:
        """The root fit task ends."""
        if self._root is not None:
            self._root.call_on_fit_task_end(
                estimator=self._search, X=self._X, y=self._y, metadata=self._metadata
            )


def with_callbacks(method: Any) -> Any:
    """scikit-learn's ``with_callbacks`` (tears callbacks down after fit), if any."""
    try:
        from sklearn.callback import with_callbacks as wrap
    except ImportError:  # scikit-learn < 1.9: no callback API
        return method
    return wrap(method)
