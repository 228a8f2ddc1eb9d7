"""The private scikit-learn helpers we rely on, in one place.

Every name imported from an underscored scikit-learn module lives here, so
that a scikit-learn release that moves one breaks one file, and CI runs this
file's tests against the oldest and newest supported scikit-learn.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator, Mapping
from typing import Any

from sklearn.metrics._scorer import _MultimetricScorer
from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils.metaestimators import _safe_split
from sklearn.utils.validation import _check_method_params, _num_samples

__all__ = [
    "BaseSearchCV",
    "FoldCallbacks",
    "TaskEvents",
    "is_multimetric_scorer",
    "multimetric_scorer_names",
    "multimetric_scorers",
    "num_samples",
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


def num_samples(data: Any) -> int:
    """The number of samples of array-like ``data``; TypeError if it has none."""
    return int(_num_samples(data))


def is_multimetric_scorer(scorer: Any) -> bool:
    """Whether ``scorer`` is scikit-learn's dict-returning multi-metric scorer."""
    return isinstance(scorer, _MultimetricScorer)


def multimetric_scorer_names(scorer: Any) -> list[str]:
    """Metric names of a multi-metric scorer, in scoring order."""
    return list(scorer._scorers)


def multimetric_scorers(scorer: Any) -> dict[str, Any]:
    """The scorer of each metric of a multi-metric scorer, in scoring order."""
    return dict(scorer._scorers)


class TaskEvents:
    """scikit-learn's fit-task callback events (``set_callbacks``, 1.9+) for a search.

    The task tree is GridSearchCV's: the root ``fit`` task, its ``search``
    task with one ``candidate-split-evaluation`` leaf per fold evaluated,
    then ``refit-with-best-params``. The search process opens and closes
    the root, search and refit tasks; each leaf goes to the worker with its
    fold (:meth:`evaluation_context`), where :class:`FoldCallbacks` sends
    its events around the fold's fit and scoring, with the fold's training
    data and ``sample_weight``, and propagates the auto-propagated callbacks
    to the fold's estimator, as GridSearchCV does. Without callbacks set, or
    on a scikit-learn without the callback API, every method does nothing.
    """

    def __init__(self, search: Any, X: Any, y: Any, metadata: Any) -> None:
        self._search = search
        self._X, self._y, self._metadata = X, y, metadata
        self._root: Any = None
        self._search_ctx: Any = None
        self._caller: Any = None
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

    def caller(self) -> Any:
        """The search, as the fold tasks hand it to the callbacks; None without any.

        In the search's process the callbacks get the search itself; a worker
        process gets a copy of it without its task tree and study (which the
        search process keeps growing and using while tasks are pickled).
        """
        if self._root is None:
            return None
        if self._caller is None:
            remote = copy.copy(self._search)
            for name in ("_callback_fit_ctx", "_skl_callbacks_to_teardown", "study_"):
                remote.__dict__.pop(name, None)
            self._caller = Sendable(self._search, remote)
        return self._caller

    def evaluation_context(self) -> Any:
        """A new ``candidate-split-evaluation`` leaf for the next fold task, or None."""
        if self._search_ctx is None:
            return None
        if self._max_leaves is not None and self._n_leaves >= self._max_leaves:
            return None  # never more leaves than announced
        leaf = self._search_ctx.subcontext(
            task_name="candidate-split-evaluation", task_id=self._n_leaves
        )
        self._n_leaves += 1
        return Sendable(leaf, _path_copy(leaf))

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


class Sendable:
    """``local`` in this process, ``remote`` in a process that unpickles it.

    The callback context of a fold task is a node of the search's task tree,
    which the search process keeps growing while joblib pickles tasks in
    another thread; a worker process gets ``remote``, a copy that holds the
    path from the root to its leaf only (all that callbacks read there, and
    no dict that changes while it is pickled). Threads and a single worker
    share the search's objects, as they do with GridSearchCV.
    """

    def __init__(self, local: Any, remote: Any) -> None:
        self.local = local
        self.remote = remote

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return (_itself, (self.remote,))


def _itself(value: Any) -> Any:
    return value


def _path_copy(leaf: Any) -> Any:
    """A copy of context ``leaf`` whose ancestors are copies holding only the path."""
    top = copy.copy(leaf)
    top._children_map = {}
    child, parent = top, leaf.parent
    while parent is not None:
        ancestor = copy.copy(parent)
        ancestor._children_map = {child.task_id: child}
        child.parent = ancestor
        child, parent = ancestor, parent.parent
    return top


class FoldCallbacks:
    """GridSearchCV's callback calls around one fold task, in the worker.

    ``context`` and ``caller`` come from :class:`TaskEvents` (None without
    callbacks). The fit runs inside :meth:`fitting` (the task's begin event,
    with the callbacks propagated to the fold's estimator); :meth:`end` sends
    the end event after scoring, whether the fit failed or not. ``X`` and
    ``y`` are the fold's training data, ``fit_params`` the fold's sliced fit
    metadata: the events carry its ``sample_weight``, as GridSearchCV's do.
    """

    def __init__(
        self, context: Any, caller: Any, X: Any, y: Any, fit_params: Mapping[str, Any]
    ) -> None:
        self._context = context.local if isinstance(context, Sendable) else context
        self._caller = caller.local if isinstance(caller, Sendable) else caller
        self._X, self._y = X, y
        sample_weight = fit_params.get("sample_weight")
        self._metadata = None if sample_weight is None else {"sample_weight": sample_weight}

    @contextlib.contextmanager
    def fitting(self, estimator: Any) -> Iterator[None]:
        """Around the fold's fit: the begin event and the callbacks' propagation."""
        if self._context is None:
            yield
            return
        with self._context.propagate_callback_context(estimator):
            self._context.call_on_fit_task_begin(
                estimator=self._caller, X=self._X, y=self._y, metadata=self._metadata
            )
            yield

    def end(self) -> None:
        """The fold task's end event."""
        if self._context is not None:
            self._context.call_on_fit_task_end(
                estimator=self._caller, X=self._X, y=self._y, metadata=self._metadata
            )


def with_callbacks(method: Any) -> Any:
    """scikit-learn's ``with_callbacks`` (tears callbacks down after fit), if any."""
    try:
        from sklearn.callback import with_callbacks as wrap
    except ImportError:  # scikit-learn < 1.9: no callback API
        return method
    return wrap(method)
