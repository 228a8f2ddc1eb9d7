"""Fit and score one trial on one fold, and run such tasks with joblib.

This is the only module that runs joblib (through scikit-learn's
``Parallel``/``delayed``, which carry the scikit-learn configuration into the
workers); ``_hashing`` hashes with joblib's hasher. Worker functions return
data: they never print, log or touch a study.
"""

from __future__ import annotations

import concurrent.futures.process
import contextlib
import dataclasses
import gc
import numbers
import os
import time
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from traceback import format_exc
from typing import Any

import numpy as np
from joblib import cpu_count, effective_n_jobs
from joblib.parallel import LokyBackend, MultiprocessingBackend, get_active_backend
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from scout_sklearn._compat import (
    FoldCallbacks,
    is_multimetric_scorer,
    multimetric_scorer_names,
    slice_method_params,
    split_fold_data,
)
from scout_sklearn._threads import capped_thread_params, inner_threads, limited_threads
from scout_sklearn._transport import PackedEstimator, PackedRows, SharedArrays
from scout_sklearn._trial import FoldResult
from scout_sklearn._validation import Validation, fit_with_validation, fitted_iterations
from scout_sklearn.exceptions import WorkerDied

__all__ = [
    "FoldRunner",
    "FoldTask",
    "fit_and_score",
    "subsample_order",
]


@dataclass(frozen=True)
class FoldTask:
    """One job: trial ``number``'s params on CV split ``fold``.

    In a pruned search, a task also names its ``rung``, the estimator
    parameters the rung sets on top of the trial's params (the resource,
    ``warm_start``), and may carry ``warm_start_from``: the estimator this
    trial fitted on this fold at the previous rung, which the fit continues
    (the trial's params are already set on it). ``keep_estimator`` asks for
    the fitted estimator back, for the next rung. ``callback_context`` is
    the task's scikit-learn callback context (``set_callbacks``), if any.
    ``validation`` holds the rows carved from the fold's training part for
    early stopping (``ScoutSearchCV(validation=...)``); ``train`` no longer
    holds them.
    """

    number: int
    fold: int
    params: Mapping[str, Any]
    train: np.ndarray
    test: np.ndarray
    rung: int = 0
    rung_params: Mapping[str, Any] | None = None
    warm_start_from: Any = None
    keep_estimator: bool = False
    callback_context: Any = None
    validation: np.ndarray | None = None


#: The count a fitted model reached, by the budget parameter it was given.
_REACHED = {"max_iter": "n_iter_", "n_estimators": "n_estimators_"}


def _stopped_early(estimator: Any, rung_params: Mapping[str, Any] | None) -> bool:
    """Whether ``estimator``'s fit stopped before the budget it was given."""
    for name in rung_params or {}:
        prefix, _, param = name.rpartition("__")
        attribute = _REACHED.get(param)
        if attribute is None:
            continue
        step = estimator.get_params(deep=True).get(prefix) if prefix else estimator
        reached = getattr(step, attribute, None)
        get_params = getattr(step, "get_params", None)
        budget = get_params().get(param) if callable(get_params) else None
        if (
            isinstance(reached, numbers.Integral)
            and isinstance(budget, numbers.Real)
            and reached < budget
        ):
            return True
    return False


def fit_and_score(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    task: FoldTask,
    scorer: Any,
    fit_params: Mapping[str, Any],
    score_params: Mapping[str, Any],
    return_train_score: bool,
    error_score: Any,
    caller: Any = None,
    validation: Validation | None = None,
    n_threads: int | None = None,
) -> FoldResult:
    """Fit a clone of the estimator with the task's params and score it.

    A fit that raises gives a FoldResult with ``error`` set and
    ``error_score`` as every score, unless ``error_score == "raise"``.
    With the task's ``callback_context``, scikit-learn's callbacks get the
    fold's events, with ``caller`` (the search) as the estimator. With
    ``validation`` and the task's validation rows, the estimator gets them
    through its validation fit parameter, and the result records the rounds
    it kept. With ``n_threads``, the fold's BLAS and OpenMP pools and the
    estimator's own thread parameters are capped at that many threads.
    """
    val_params = (
        slice_method_params(X, dict(fit_params), task.validation)
        if validation is not None and task.validation is not None
        else None
    )
    fit_params = slice_method_params(X, dict(fit_params), task.train)
    score_train = slice_method_params(X, dict(score_params), task.train)
    score_test = slice_method_params(X, dict(score_params), task.test)
    if task.warm_start_from is not None and _stopped_early(estimator, task.rung_params):
        # A fit that stopped early (HistGradientBoosting's early_stopping,
        # GradientBoosting's n_iter_no_change) would, continued, add rounds
        # a fresh fit with the larger budget does not: fit afresh.
        estimator = clone(estimator)
    if task.warm_start_from is None:
        # Params may hold estimators (a pipeline step searched over): clone
        # them so that trials never share a fitted object.
        estimator = estimator.set_params(**clone(dict(task.params), safe=False))
    if task.rung_params:
        estimator = estimator.set_params(**task.rung_params)
    if n_threads is not None:
        estimator = estimator.set_params(**capped_thread_params(estimator, n_threads))
    X_train, y_train, X_test, y_test = split_fold_data(
        estimator, X, y, task.train, task.test
    )
    held_out = None
    if validation is not None and task.validation is not None:
        # Sliced as a test part is (a kernel's columns are the fit rows).
        _, _, X_val, y_val = split_fold_data(estimator, X, y, task.train, task.validation)
        held_out = (validation, X_val, y_val, val_params)
    callbacks = FoldCallbacks(task.callback_context, caller, X_train, y_train, fit_params)
    try:
        with limited_threads(n_threads):
            return _fit_then_score(
                estimator,
                (X_train, y_train, X_test, y_test),
                held_out=held_out,
                task=task,
                scorer=scorer,
                fit_params=fit_params,
                score_params=(score_train, score_test),
                return_train_score=return_train_score,
                error_score=error_score,
                callbacks=callbacks,
            )
    finally:
        callbacks.end()


def _fit_then_score(
    estimator: Any,
    data: tuple[Any, Any, Any, Any],
    *,
    held_out: tuple[Validation, Any, Any, Mapping[str, Any] | None] | None,
    task: FoldTask,
    scorer: Any,
    fit_params: Mapping[str, Any],
    score_params: tuple[Mapping[str, Any], Mapping[str, Any]],
    return_train_score: bool,
    error_score: Any,
    callbacks: FoldCallbacks,
) -> FoldResult:
    X_train, y_train, X_test, y_test = data
    score_train, score_test = score_params
    start = time.perf_counter()
    try:
        with callbacks.fitting(estimator):
            if held_out is not None:
                validation, X_val, y_val, val_params = held_out
                fit_with_validation(
                    estimator,
                    X_train,
                    y_train,
                    X_val,
                    y_val,
                    validation,
                    fit_params,
                    val_params,
                )
            elif y_train is None:
                estimator.fit(X_train, **fit_params)
            else:
                estimator.fit(X_train, y_train, **fit_params)
    except Exception:
        if error_score == "raise":
            raise
        fit_time = time.perf_counter() - start
        failed = _error_scores(scorer, error_score)
        return FoldResult(
            fold=task.fold,
            test_scores=failed,
            train_scores=dict(failed) if return_train_score else None,
            fit_time=fit_time,
            score_time=0.0,
            n_test_samples=len(task.test),
            rung=task.rung,
            error=format_exc(),
        )
    fit_time = time.perf_counter() - start
    test_scores = _score(estimator, X_test, y_test, scorer, score_test, error_score)
    score_time = time.perf_counter() - start - fit_time
    train_scores = None
    if return_train_score:
        train_scores = _score(estimator, X_train, y_train, scorer, score_train, error_score)
    return FoldResult(
        fold=task.fold,
        test_scores=test_scores,
        train_scores=train_scores,
        fit_time=fit_time,
        score_time=score_time,
        n_test_samples=len(task.test),
        rung=task.rung,
        n_iterations=None if held_out is None else fitted_iterations(estimator),
    )


def _error_scores(scorer: Any, error_score: float) -> dict[str, float]:
    if is_multimetric_scorer(scorer):
        return {name: error_score for name in multimetric_scorer_names(scorer)}
    if callable(scorer) and not hasattr(scorer, "_score_func"):
        # A user callable may return a dict: its metric names are unknown
        # until some fold succeeds; the results table fills them in then.
        return {}
    return {"score": error_score}


def _score(
    estimator: Any,
    X: Any,
    y: Any,
    scorer: Any,
    score_params: Mapping[str, Any],
    error_score: Any,
) -> dict[str, float]:
    """Scores of a fitted estimator, keyed by metric (``"score"`` for one)."""
    multimetric = is_multimetric_scorer(scorer)
    try:
        if y is None:
            scores = scorer(estimator, X, **score_params)
        else:
            scores = scorer(estimator, X, y, **score_params)
    except Exception:
        # A multi-metric scorer only raises when error_score == "raise".
        if multimetric or error_score == "raise":
            raise
        warnings.warn(
            "Scoring failed. The score on this train-test partition for these "
            f"parameters will be set to {error_score}. Details: \n{format_exc()}",
            UserWarning,
            stacklevel=2,
        )
        scores = error_score
    one_number = not isinstance(scores, dict)
    if one_number:
        scores = {"score": scores}
    checked = {}
    for name, score in scores.items():
        if multimetric and isinstance(score, str):
            # The multi-metric scorer returns a failing metric's traceback.
            warnings.warn(
                "Scoring failed. The score on this train-test partition for these "
                f"parameters will be set to {error_score}. Details: \n{score}",
                UserWarning,
                stacklevel=2,
            )
            score = error_score
        if hasattr(score, "item"):
            with contextlib.suppress(ValueError):  # e.g. a memmapped scalar
                score = score.item()
        if not isinstance(score, numbers.Number):
            # The metric's name, or the one scorer itself, as GridSearchCV
            # names it (not "score", a name the user never gave).
            named = repr(scorer) if one_number else name
            raise ValueError(
                f"scoring must return a number, got {score!r} ({type(score)}) instead. "
                f"(scorer={named})"
            )
        checked[name] = float(score)  # type: ignore[arg-type]
    return checked


def subsample_order(
    train: np.ndarray, y: Any, *, stratify: bool, rng: np.random.Generator
) -> np.ndarray:
    """``train`` in the order its rows join a growing subsample.

    Any prefix of the order is a subsample, and a longer prefix contains a
    shorter one. With ``stratify``, the classes of ``y`` are interleaved so
    that every prefix keeps the training part's class proportions (to
    within one row per class), and the first ``n_classes`` rows hold one row
    of each class; otherwise the order is a random permutation.
    """
    train = np.asarray(train)
    if not stratify:
        return train[rng.permutation(len(train))]
    labels = np.asarray(y)[train]
    _, codes, counts = np.unique(labels, return_inverse=True, return_counts=True)
    codes = codes.reshape(-1)
    # Row j (0-based, in a random order within its class) of a class of n
    # rows gets the key j / n: sorting by key deals the classes out in
    # proportion. Random tie-breaks keep the classes' order unbiased.
    within = np.empty(len(train), dtype=np.float64)
    shuffled = rng.permutation(len(train))
    for code, count in enumerate(counts):
        rows = shuffled[codes[shuffled] == code]
        within[rows] = np.arange(count) / count
    ties = rng.random(len(train))
    return train[np.lexsort((ties, within))]


# Whether this process (a loky worker) has frozen its objects, see _run_tasks.
_frozen = False


def _unpacked(task: FoldTask) -> FoldTask:
    train, test = task.train, task.test
    if isinstance(train, PackedRows) or isinstance(test, PackedRows):
        return dataclasses.replace(
            task,
            train=train.unpack() if isinstance(train, PackedRows) else train,
            test=test.unpack() if isinstance(test, PackedRows) else test,
        )
    return task


def _run_tasks(
    estimators: list[Any],
    X: Any,
    y: Any,
    tasks: list[FoldTask],
    *,
    freeze_in: int | None,
    pack: bool = False,
    **kwargs: Any,
) -> list[tuple[int, FoldResult, Any]]:
    global _frozen
    if freeze_in is not None and not _frozen and os.getpid() != freeze_in:
        # A loky worker runs a full gc.collect() every second to watch for
        # leaks; over everything the worker imported that takes about 40 ms,
        # a pause of the fits. Objects alive now (modules, mostly) live as
        # long as the worker: leaving them out of collections is safe and
        # makes the check nearly free. Never done in the user's own process.
        gc.freeze()
        _frozen = True
    outputs = []
    for estimator, task in zip(estimators, map(_unpacked, tasks)):
        if isinstance(estimator, PackedEstimator):
            estimator = estimator.load()
        result = fit_and_score(estimator, X, y, task=task, **kwargs)
        kept = estimator if task.keep_estimator and not result.is_failed else None
        if kept is not None and pack:
            kept = PackedEstimator(kept)
        outputs.append((task.number, result, kept))
    return outputs


# Short tasks go to a worker a few at a time, so that they share the cost of
# a joblib call: a chunk is sized to run for about _CHUNK_SECONDS. That is
# short enough that the last chunks leave a worker idle for no longer than
# that (joblib's own batching aims at 0.2 s or more, which leaves long idle
# tails when folds take tens of milliseconds). For a sampler that learns from
# results, the smaller cap keeps the trials asked ahead of their results few.
_CHUNK_SECONDS = 0.02
# Packed split arrays kept by a FoldRunner: the folds of a search (and of its
# rungs) number a few dozen; arrays made per task are not worth keeping.
_PACKED_KEPT = 256
_MAX_CHUNK = 4
_MAX_CHUNK_ASKING_AHEAD = 64


class FoldRunner:
    """Run fold tasks on joblib workers, yielding results as they finish.

    Use it as a context manager: the workers stay up across :meth:`run`
    calls. Each ``run`` takes a task iterable that joblib consumes lazily,
    as workers free up, and yields ``(trial number, FoldResult, fitted)`` in
    completion order (``fitted`` is the fitted estimator when the task asked
    to keep it, else None); the iterable may end early (nothing to do right
    now) and ``run`` be called again.

    Short tasks go to a worker several per joblib call, sized from the
    tasks measured so far; ``ask_ahead=True`` (the sampler does not learn
    from results) allows larger chunks. With ``evaluation_context``
    (scikit-learn callbacks set on the search), each task gets its callback
    context as it is sent, and ``caller`` is the search the callbacks are
    told about. With ``validation``, each task gets its fold's carved
    validation rows as it is sent. ``inner_max_num_threads`` caps the
    threads of each fold (``"auto"``: the cores over the workers). Backends that
    cannot stream results
    (joblib's ``multiprocessing``) run the tasks in chunks of a few per
    worker instead.
    """

    def __init__(
        self,
        estimator: Any,
        X: Any,
        y: Any,
        *,
        scorer: Any,
        fit_params: Mapping[str, Any],
        score_params: Mapping[str, Any],
        return_train_score: bool,
        error_score: Any,
        n_jobs: int | None,
        pre_dispatch: int | str,
        ask_ahead: bool = False,
        caller: Any = None,
        evaluation_context: Callable[[], Any] | None = None,
        validation: Validation | None = None,
        inner_max_num_threads: int | str | None = None,
    ) -> None:
        self._estimator = estimator
        self._validation = validation
        self._inner_max_num_threads = inner_max_num_threads
        self._evaluation_context = evaluation_context
        self._X = X
        self._y = y
        self._kwargs = {
            "scorer": scorer,
            "fit_params": fit_params,
            "score_params": score_params,
            "return_train_score": return_train_score,
            "error_score": error_score,
            "caller": caller,
            "validation": validation,
            "n_threads": None,  # set by __enter__, once the workers are known
        }
        self._n_jobs = n_jobs
        self._pre_dispatch = pre_dispatch
        self._max_chunk = _MAX_CHUNK_ASKING_AHEAD if ask_ahead else _MAX_CHUNK
        self._parallel: Any = None
        self._streaming = True
        # Running mean of a task's seconds (fit and score), None until one ends.
        self._task_seconds: float | None = None
        # Set by __enter__: the pid of this process when the workers are loky's.
        self._freeze_in: int | None = None
        # Set by __enter__: whether workers send kept estimators as bytes.
        self._pack = False
        # Set by __enter__ when the workers are local processes: the files
        # of the shared X and y, and the user's X and y to restore on exit.
        self._shared: SharedArrays | None = None
        self._unshared: tuple[Any, Any] = (X, y)
        # The tasks sent to workers and not yet returned, by (number, fold,
        # rung), with the estimator each was sent with: the suspects when a
        # worker dies.
        self._in_flight: dict[tuple[int, int, int], tuple[Any, FoldTask]] = {}
        # Each split array's packed form, by id (the array kept, so the id
        # cannot be reused by another array while it is cached).
        self._packed: dict[int, tuple[Any, Any]] = {}

    def __enter__(self) -> FoldRunner:
        self._open_parallel()
        n_threads = self._kwargs["n_threads"] = self.n_threads
        # This thread holds the folds' BLAS limit for the whole search and
        # restores it at the end. Folds that run as threads of this process
        # (the threading backend, an in-process Dask cluster) share the
        # process's BLAS pools; restored from whichever worker thread ended
        # last, OpenBLAS (0.3.31, pthreads) ignored the raise, and left the
        # user's numpy on one thread after the search.
        self._held = limited_threads(n_threads)
        self._held.__enter__()
        backend, _ = get_active_backend()
        processes = self.n_workers > 1 and isinstance(
            backend, (LokyBackend, MultiprocessingBackend)
        )
        loky = processes and isinstance(backend, LokyBackend)
        self._freeze_in = os.getpid() if loky else None
        # Fitted estimators kept for warm starts cross as bytes wherever
        # tasks are pickled: any backend but threads and in-process runs.
        self._pack = self.n_workers > 1 and not getattr(backend, "uses_threads", False)
        if processes:
            self._shared = SharedArrays()
            self._unshared = (self._X, self._y)
            self._X = self._shared.share(self._X)
            self._y = self._shared.share(self._y)
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self._parallel.__exit__(*exc_info)
        finally:
            self._held.__exit__(None, None, None)
        self._parallel = None
        self._in_flight.clear()
        if self._shared is not None:
            self._X, self._y = self._unshared
            self._shared.close()
            self._shared = None

    def _open_parallel(self) -> None:
        try:
            parallel = Parallel(
                n_jobs=self._n_jobs,
                pre_dispatch=self._pre_dispatch,
                batch_size=1,  # chunked by _jobs
                return_as="generator_unordered",
            )
        except ValueError as error:
            if "return_as" not in str(error):
                raise
            parallel = Parallel(
                n_jobs=self._n_jobs, pre_dispatch=self._pre_dispatch, batch_size=1
            )
            self._streaming = False
        self._parallel = parallel.__enter__()

    def _restart_workers(self, death: BaseException) -> None:
        """A fresh joblib context after a worker died.

        The broken one is left, not reused: joblib would hand the next call
        results of tasks sent before the death (seen with joblib 1.5).
        """
        with contextlib.suppress(Exception):
            self._parallel.__exit__(type(death), death, death.__traceback__)
        self._open_parallel()

    @property
    def n_workers(self) -> int:
        """How many tasks run at once."""
        return max(1, int(effective_n_jobs(self._n_jobs)))

    @property
    def n_threads(self) -> int | None:
        """Threads each fold may use (None: no limit), from inner_max_num_threads."""
        backend, _ = get_active_backend()
        configured = getattr(backend, "inner_max_num_threads", None)
        return inner_threads(
            self._inner_max_num_threads,
            self.n_workers,
            cpu_count(),
            configured if isinstance(configured, int) else None,
        )

    def run(
        self, tasks: Iterable[FoldTask]
    ) -> Generator[tuple[int, FoldResult, Any], None, None]:
        """Evaluate ``tasks``; yield ``(number, FoldResult, fitted)`` as each finishes."""
        if self._streaming:
            yield from self._call(tasks)
            return
        iterator = iter(tasks)
        chunk_size = 2 * self.n_workers
        while True:
            chunk = [task for _, task in zip(range(chunk_size), iterator)]
            if not chunk:
                return
            yield from self._call(chunk)

    def _call(
        self, tasks: Iterable[FoldTask]
    ) -> Generator[tuple[int, FoldResult, Any], None, None]:
        """Joblib calls over ``tasks``, their results one by one as they finish.

        When a worker process dies (a segmentation fault, ``os._exit``, the
        kernel's out-of-memory killer), joblib names no task: every task
        sent and not yet returned is a suspect. Each is run again alone, on
        a fresh worker; one that kills its worker a second time gets a
        failed FoldResult saying so (its trial is FAILED, and a resumed
        search does not run it again), and the other tasks go on.
        """
        iterator = iter(tasks)
        self._in_flight.clear()
        while True:
            try:
                for outputs in self._parallel(self._jobs(iterator)):
                    for output in outputs:
                        self._in_flight.pop(_task_key(output[0], output[1]), None)
                        self._observe(output[1])
                        yield output
                return
            except _WORKER_DEATHS as death:
                suspects = list(self._in_flight.values())
                self._in_flight.clear()
                self._restart_workers(death)
                for estimator, task in suspects:
                    yield self._retry_alone(estimator, task)

    def _retry_alone(self, estimator: Any, task: FoldTask) -> tuple[int, FoldResult, Any]:
        """Run one suspect task alone; a second death fails its fold."""
        try:
            outputs = [
                output
                for chunk in self._parallel([self._job([estimator], [task])])
                for output in chunk
            ]
        except _WORKER_DEATHS as death:
            self._in_flight.clear()
            self._restart_workers(death)
            return task.number, self._died(task, death), None
        self._in_flight.clear()
        output: tuple[int, FoldResult, Any] = outputs[0]
        self._observe(output[1])
        return output

    def _died(self, task: FoldTask, death: BaseException) -> FoldResult:
        """The failed fold of a task whose worker died on it twice."""
        codes = [line for line in str(death).splitlines() if "exit codes" in line]
        # joblib names no task at the first death: the fold was one of those
        # in flight. At the second it ran alone, so its own worker died.
        reason = (
            f"A worker process died while trial {task.number}, fold {task.fold} was "
            "in flight, and the fold's worker died again when it was retried alone "
            f"on a fresh worker ({type(death).__name__}"
            f"{': ' + codes[0].strip() if codes else ''}). A "
            "segmentation fault or os._exit() in the estimator, or the "
            "system killing the process for its memory, ends a worker this way."
        )
        error_score = self._kwargs["error_score"]
        if error_score == "raise":
            raise WorkerDied(reason) from death
        failed = _error_scores(self._kwargs["scorer"], error_score)
        return FoldResult(
            fold=task.fold,
            test_scores=failed,
            train_scores=dict(failed) if self._kwargs["return_train_score"] else None,
            fit_time=0.0,
            score_time=0.0,
            n_test_samples=len(task.test),
            rung=task.rung,
            error=reason,
        )

    def _observe(self, result: FoldResult) -> None:
        """Update the running mean of a task's seconds."""
        seconds = result.fit_time + result.score_time
        mean = self._task_seconds
        self._task_seconds = seconds if mean is None else 0.8 * mean + 0.2 * seconds

    def _chunk_size(self) -> int:
        """How many tasks to send in the next joblib call."""
        seconds = self._task_seconds
        if self.n_workers == 1 or seconds is None:
            return 1  # one worker runs tasks at once: nothing to share
        return max(1, min(self._max_chunk, int(_CHUNK_SECONDS / max(seconds, 1e-6))))

    def _jobs(self, tasks: Iterable[FoldTask]) -> Iterator[Any]:
        iterator = iter(tasks)
        while True:
            chunk = [task for _, task in zip(range(self._chunk_size()), iterator)]
            if not chunk:
                return
            if self._validation is not None:
                rows = self._validation.rows
                chunk = [
                    dataclasses.replace(task, validation=rows[task.fold]) for task in chunk
                ]
            if self._evaluation_context is not None:
                # Made here, as the task is sent: a task cancelled before it
                # is sent never gets a leaf of the callbacks' task tree.
                chunk = [
                    dataclasses.replace(task, callback_context=self._evaluation_context())
                    for task in chunk
                ]
            # A task continuing a fitted estimator sends that one, not a clone.
            estimators = [
                clone(self._estimator)
                if task.warm_start_from is None
                else task.warm_start_from
                for task in chunk
            ]
            for estimator, task in zip(estimators, chunk):
                self._in_flight[_task_key(task.number, task)] = (estimator, task)
            yield self._job(estimators, chunk)

    def _packed_rows(self, rows: Any) -> Any:
        """``PackedRows.pack(rows)``, made once per split array: every trial's
        tasks carry the same arrays of the search's splits."""
        kept = self._packed.get(id(rows))
        if kept is None or kept[0] is not rows:
            if len(self._packed) >= _PACKED_KEPT:  # rows made per task (subsamples)
                self._packed.clear()
            kept = (rows, PackedRows.pack(rows))
            self._packed[id(rows)] = kept
        return kept[1]

    def _job(self, estimators: list[Any], chunk: list[FoldTask]) -> Any:
        if self._pack:  # the tasks are pickled: their rows go as masks
            pack = self._packed_rows
            chunk = [
                dataclasses.replace(task, train=pack(task.train), test=pack(task.test))
                for task in chunk
            ]
        return delayed(_run_tasks)(
            estimators,
            self._X,
            self._y,
            chunk,
            freeze_in=self._freeze_in,
            pack=self._pack,
            **self._kwargs,
        )


# What joblib raises when a worker process dies under it (loky's
# TerminatedWorkerError is a subclass).
_WORKER_DEATHS = (concurrent.futures.process.BrokenProcessPool,)


def _task_key(number: int, task: FoldTask | FoldResult) -> tuple[int, int, int]:
    return number, task.fold, task.rung
