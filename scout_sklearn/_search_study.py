"""The study a ScoutSearchCV runs in: its name, seed, fingerprint and queue.

A stored study is resumed only by the same search: :func:`fingerprint`
describes the data, estimator, splits, scoring, objectives, constraints
and pruning it was made for. :func:`check_stored_layout` refuses, even with
``ignore_fingerprint=True``, a study whose trials were scored on another
number of CV splits, with other metrics, or on other rungs. :func:`queue_enqueued` queues
``enqueue``'s params the study does not hold yet.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from scout_sklearn._hashing import fingerprint_hash
from scout_sklearn._loop import Pruning
from scout_sklearn._pareto import stored_constraints
from scout_sklearn._study import Study
from scout_sklearn.exceptions import StudyMismatch

__all__ = [
    "check_stored_layout",
    "default_study_name",
    "fingerprint",
    "queue_enqueued",
    "resolve_seed",
]


def default_study_name(estimator: Any) -> str:
    """A readable study name for a search over ``estimator``."""
    name = type(estimator).__name__
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and all(isinstance(s, tuple) for s in steps):
        name += "(" + ",".join(str(step[0]) for step in steps) + ")"
    return name


def resolve_seed(random_state: Any) -> int | None:
    """The study's root seed from ``random_state`` (None: the study draws one)."""
    if random_state is None:
        return None
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def fingerprint(
    estimator: Any,
    X: Any,
    y: Any,
    splits: list[Any],
    params: Mapping[str, Any],
    *,
    scoring: Any,
    objectives: Any,
    pruning: Pruning | None,
    constraints: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What defines this search, as a resumed study must find it again."""
    fingerprint = {
        "data": {
            # Not getattr(X, "shape", (len(X),)): the default is evaluated,
            # and len() of a scipy sparse array raises.
            "shape": list(X.shape if hasattr(X, "shape") else (len(X),)),
            "sha1": fingerprint_hash((X, y, dict(params))),
        },
        "estimator": {
            "class": type(estimator).__name__,
            "sha1": fingerprint_hash(clone(estimator)),
        },
        "cv": {"n_splits": len(splits), "sha1": fingerprint_hash(splits)},
        "scoring": (
            scoring
            if scoring is None or isinstance(scoring, str)
            else fingerprint_hash(scoring)
        ),
    }
    if objectives is not None:  # absent without: older studies still match
        fingerprint["objective"] = (
            objectives if isinstance(objectives, str) else dict(objectives)
        )
    if constraints is not None:  # absent without: older studies still match
        fingerprint["constraints"] = stored_constraints(constraints)
    if pruning is not None:  # absent without one: older studies still match
        fingerprint["pruning"] = {
            "pruner": repr(pruning.pruner),
            "resource": pruning.plan.name or pruning.plan.kind,
            "ladder": list(pruning.plan.ladder),
        }
    return fingerprint


def check_stored_layout(
    study: Study, n_splits: int, scoring: Any, pruning: Pruning | None = None
) -> None:
    """Refuse a resumed study whose fold scores ``cv_results_`` cannot lay out.

    ``ignore_fingerprint=True`` resumes a study whatever changed, but trials
    scored on another number of splits, or with other metrics, have no
    place in this search's ``split<k>_test_<metric>`` columns (building
    them failed with an IndexError or KeyError after the new trials ran, or
    left NaN means). A callable ``scoring`` names its metrics only once it
    has scored: its names are not checked here. Nor do trials evaluated on
    other rungs (see :func:`_check_stored_rungs`).
    """
    where = f"Study {study.name!r} in {study.storage!r}"
    advice = (
        "cv_results_ has no place for their fold scores, even with "
        "ignore_fingerprint=True; use another study name for this search."
    )
    stored_cv = study.fingerprint.get("cv")
    stored_splits = stored_cv.get("n_splits") if isinstance(stored_cv, Mapping) else None
    if stored_splits is None:  # a study made without a fingerprint: its folds
        folds = [f.fold for t in study.trials for f in t.fold_results]
        stored_splits = max(folds) + 1 if folds and max(folds) >= n_splits else None
    if stored_splits is not None and stored_splits != n_splits:
        raise StudyMismatch(
            f"{where} holds trials scored on {stored_splits} CV splits, and this "
            f"search's cv has {n_splits}: {advice}"
        )
    _check_stored_rungs(study, pruning, where)
    wanted = _metric_names(scoring)
    if wanted is None:
        return
    stored = {name for t in study.trials for f in t.fold_results for name in f.test_scores}
    if stored and stored != wanted:
        raise StudyMismatch(
            f"{where} holds trials scored with the metrics {sorted(stored)}, and "
            f"this search's scoring gives {sorted(wanted)}: {advice}"
        )


def _check_stored_rungs(study: Study, pruning: Pruning | None, where: str) -> None:
    """Refuse stored fold results whose rungs this search would misread.

    A fold result keeps the index of its rung, and this search reads it in
    its own ladder: under another resource or ladder (or with pruning
    turned on or off) a fold fitted on 9 boosting rounds would be read as
    fitted on 27, or a whole training fold as 12 rows, so a trial scored
    on a partial budget could be COMPLETE, and the best. The pruner itself
    may change: the rungs' values stay comparable.
    """
    stored_fp = study.fingerprint
    if not isinstance(stored_fp, Mapping) or "cv" not in stored_fp:
        return  # not made by a search: nothing says how it was evaluated
    if not any(t.fold_results for t in study.trials):
        return
    stored = stored_fp.get("pruning")
    stored_plan = (
        (stored.get("resource"), [float(v) for v in stored.get("ladder", ())])
        if isinstance(stored, Mapping)
        else None
    )
    plan = (
        None
        if pruning is None
        else (
            pruning.plan.name or pruning.plan.kind,
            [float(v) for v in pruning.plan.ladder],
        )
    )
    if stored_plan == plan:
        return

    def describe(rungs: Any) -> str:
        if rungs is None:
            return "without a pruner (every fold on the full budget)"
        resource, ladder = rungs
        shown = [int(v) if v.is_integer() else v for v in ladder]
        return f"with resource={resource!r} on the rungs {shown}"

    raise StudyMismatch(
        f"{where} holds trials evaluated {describe(stored_plan)}, and this search "
        f"runs {describe(plan)}: their folds' rungs would be read at other "
        "budgets (a partial one taken for max_resource), even with "
        "ignore_fingerprint=True. Resume with the same pruning (resource, "
        "min_resource, max_resource and the pruner's reduction_factor), or use "
        "another study name for this search."
    )


def _metric_names(scoring: Any) -> set[str] | None:
    """The metric names ``scoring`` gives its fold scores (None: a callable's)."""
    if scoring is None or isinstance(scoring, str):
        return {"score"}
    if isinstance(scoring, Mapping):
        return {str(name) for name in scoring}
    if isinstance(scoring, (list, tuple, set, frozenset)):
        return {str(name) for name in scoring}
    return None


def queue_enqueued(study: Study, enqueue: Any) -> None:
    """Queue ``enqueue``'s params the study does not hold yet, in order."""
    held = [dict(t.params) for t in study.trials]
    for params in enqueue or ():
        if any(_same_params(params, other) for other in held):
            continue
        study.enqueue(params)
        held.append(dict(params))


def _same_params(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for key, value in a.items():
        other = b[key]
        try:
            equal = bool(value is other or value == other)
        except Exception:  # noqa: BLE001 - arrays and odd objects: compare their text
            equal = repr(value) == repr(other)
        if not equal:
            return False
    return True
