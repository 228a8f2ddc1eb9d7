"""What the plots read from a study, whatever form it was given in.

A plot accepts a fitted ``ScoutSearchCV``, a live :class:`~scout_sklearn.Study`
or a :class:`~scout_sklearn.StoredStudy`. :func:`resolve` turns any of them
into a :class:`StudyView`: the trials, one :class:`ParamInfo` per searched
parameter (numeric or categorical, log-scaled or not, read from the space's
JSON description), the rung ladder of a pruned search and the metric whose
mean is the trials' value. Nothing here imports matplotlib.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scout_sklearn._describe import stable_repr
from scout_sklearn._stored_study import StoredStudy
from scout_sklearn._study import Study
from scout_sklearn._table import metric_name
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.pruners import make_pruner

__all__ = [
    "ParamInfo",
    "StudyView",
    "check_param_names",
    "intermediate_values",
    "label",
    "resolve",
    "state_counts",
]

# scipy.stats families whose draws are uniform on a log scale.
_LOG_FAMILIES = ("loguniform", "reciprocal")
# Resources whose rungs are cumulative: rung r has run every fold below it.
_FOLDS = "folds"


def label(value: Any) -> Any:
    """A param value as the plots show it: a JSON scalar kept, any other object's repr.

    This is the text a :class:`~scout_sklearn.StoredStudy` holds for a
    non-primitive categorical choice (its repr without memory addresses: a
    function reads as its module and name), so live and stored studies read
    alike.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return stable_repr(value)


def _same(a: Any, b: Any) -> bool:
    """Equality that keeps True apart from 1 (and a NaN equal to a NaN)."""
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if a == b:
        return True
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


@dataclass
class ParamInfo:
    """How one searched parameter is plotted.

    Attributes
    ----------
    name : str
    numeric : bool
        A number axis (Float, Int, a numeric scipy.stats distribution); else
        categorical, shown at category positions.
    log : bool
        Numeric on a log scale (``log=True``, or a loguniform distribution).
    choices : list
        A categorical parameter's values (labels), in the space's order,
        followed by any value met in the trials but not listed.
    """

    name: str
    numeric: bool
    log: bool = False
    choices: list[Any] = field(default_factory=list)

    def position(self, value: Any) -> int:
        """Index of a categorical value among :attr:`choices` (added if new)."""
        shown = label(value)
        for i, choice in enumerate(self.choices):
            if _same(choice, shown):
                return i
        self.choices.append(shown)
        return len(self.choices) - 1

    def coordinate(self, value: Any) -> float:
        """The value on its axis's linear coordinate (log10, category position)."""
        if not self.numeric:
            return float(self.position(value))
        number = float(value)
        if self.log:
            return math.log10(number) if number > 0 else math.nan
        return number

    def choice_labels(self, width: int = 24) -> list[str]:
        """The categories as short texts, for tick labels."""
        return [_shorten(str(c), width) for c in self.choices]


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


@dataclass
class StudyView:
    """Everything a plot needs from a study.

    Attributes
    ----------
    name : str
    trials : tuple of Trial
        Every trial, in number order, params as labels.
    params : dict of str to ParamInfo
        One entry per searched parameter, sorted by name.
    ladder : list of float or None
        The resource of each rung of a pruned search, when known.
    resource : str or None
        What grows from rung to rung ("n_samples", "folds" or a parameter).
    metric : str or None
        The scorer whose mean test score is the trials' value, as the fold
        results name it (``"score"`` for a single metric).
    scoring : str or None
        The scorer's name of a single-metric search, when known (the
        search's ``scoring``, or the one its stored fingerprint kept).
    """

    name: str
    trials: tuple[Trial, ...]
    params: dict[str, ParamInfo]
    ladder: list[float] | None = None
    resource: str | None = None
    metric: str | None = None
    scoring: str | None = None

    @property
    def metric_name(self) -> str:
        """The name a user knows the value's metric by (``scoring``'s for one metric)."""
        return metric_name(self.metric, self.scoring)

    @property
    def complete(self) -> list[Trial]:
        """COMPLETE trials with a finite value, in number order."""
        return [t for t in self.trials if t.has_value]

    def value_of(self, trial: Trial) -> float:
        """A trial's value (COMPLETE trials only, by :attr:`complete`)."""
        assert trial.value is not None
        return float(trial.value)

    def x_of_rung(self, rung: int) -> float:
        """The x coordinate of a rung: its resource when the ladder is known."""
        if self.ladder is not None and 0 <= rung < len(self.ladder):
            return float(self.ladder[rung])
        return float(rung)


def resolve(study: Any, *, where: str, require_complete: bool = True) -> StudyView:
    """Read a fitted ScoutSearchCV, a Study or a StoredStudy into a :class:`StudyView`.

    Parameters
    ----------
    study : ScoutSearchCV, Study or StoredStudy
    where : str
        The calling function's name, for error messages.
    require_complete : bool, default=True
        Refuse a study without a COMPLETE trial (what a plot needs).

    Returns
    -------
    view : StudyView

    Raises
    ------
    ValueError
        For a ScoutSearchCV that is not fitted, or a study without any
        COMPLETE trial with a finite value.
    TypeError
        For anything else.
    """
    metric: str | None = None
    scoring: object = None
    resource: str | None = None
    ladder: list[float] | None = None
    if isinstance(study, StudyView):  # read already (the report reads once)
        if require_complete and not study.complete:
            raise ValueError(f"{where}: study {study.name!r} has no COMPLETE trial.")
        return study
    if isinstance(study, (Study, StoredStudy)):
        source = study
    elif hasattr(study, "param_distributions") and hasattr(study, "fit"):
        if not hasattr(study, "study_") and hasattr(study, "cv_results_"):
            raise TypeError(
                f"{where} takes a ScoutSearchCV, whose trials it reads from study_; "
                f"this fitted {type(study).__name__} has no study."
            )
        if not hasattr(study, "study_"):
            raise ValueError(
                f"{where} needs a fitted search: this {type(study).__name__} is not "
                "fitted yet. Call fit(X, y) first, or pass a study "
                "(scout_sklearn.load_study(url, name))."
            )
        source = study.study_
        refit = getattr(study, "refit", None)
        objective = getattr(study, "objectives", None)
        metric = objective if isinstance(objective, str) else None
        metric = metric or (refit if isinstance(refit, str) else None)
        scoring = getattr(study, "scoring", None)
        if getattr(study, "pruner", None) not in (None, "none"):
            resource = getattr(study, "resource", None) or "n_samples"
            kept = getattr(study, "_ladder", None)
            if isinstance(kept, Sequence) and all(_is_number(r) for r in kept):
                ladder = [float(r) for r in kept]
            else:
                ladder = _ladder_from_results(
                    source.trials, getattr(study, "cv_results_", {}), study.pruner
                )
    else:
        raise TypeError(
            f"{where} takes a fitted ScoutSearchCV, a Study or a StoredStudy; got "
            f"{study!r} ({type(study).__name__})."
        )
    if isinstance(source, Study):
        space = source.space.to_json()
    else:
        space = source.space
    if scoring is None and source.fingerprint:
        scoring = source.fingerprint.get("scoring")
    if metric is None and source.fingerprint:  # ScoutSearchCV(objectives=...)
        stored = source.fingerprint.get("objective")
        metric = stored if isinstance(stored, str) else None
    pruning = source.fingerprint.get("pruning") if source.fingerprint else None
    if isinstance(pruning, Mapping):
        stored_ladder = pruning.get("ladder")
        if isinstance(stored_ladder, list) and all(_is_number(r) for r in stored_ladder):
            ladder = [float(r) for r in stored_ladder]
        if isinstance(pruning.get("resource"), str):
            resource = pruning["resource"]
    trials = tuple(
        t if all(label(v) is v for v in t.params.values()) else _relabel(t)
        for t in source.trials
    )
    view = StudyView(
        name=source.name,
        trials=trials,
        params=_param_infos(space, trials),
        ladder=ladder,
        resource=resource,
        scoring=scoring if isinstance(scoring, str) else None,
    )
    if require_complete and not view.complete:
        counts = _state_counts(trials)
        raise ValueError(
            f"{where}: study {source.name!r} has no COMPLETE trial with a finite value "
            f"to plot ({counts}). {_no_value_hint(trials)}"
        )
    view.metric = _value_metric(view, metric)
    return view


def _relabel(trial: Trial) -> Trial:
    from dataclasses import replace

    return replace(trial, params={k: label(v) for k, v in trial.params.items()})


def state_counts(trials: Sequence[Trial]) -> dict[str, int]:
    """Number of trials in each state, every state named."""
    counts = {state.name: 0 for state in TrialState}
    for trial in trials:
        counts[trial.state.name] += 1
    return counts


def _no_value_hint(trials: Sequence[Trial]) -> str:
    """What to do about a study without a plottable trial, from its states."""
    states = {t.state for t in trials}
    if TrialState.FAILED in states:
        return "Run more trials, or look at the failed trials' fold_results[...].error."
    if TrialState.RUNNING in states:
        return (
            "Wait for the RUNNING trials to finish (a search that was killed takes "
            "them back when it is fitted again), or run more trials."
        )
    if TrialState.COMPLETE in states:
        return "Its COMPLETE trials scored NaN or an infinity; look at the scorer."
    return "Run more trials."


def _state_counts(trials: Sequence[Trial]) -> str:
    if not trials:
        return "no trial at all"
    counts = state_counts(trials)
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n)


def _ladder_from_results(
    trials: Sequence[Trial], cv_results: Mapping[str, Any], pruner: Any
) -> list[float] | None:
    """A search kept in memory has no stored ladder: rebuild it from cv_results_.

    Each row's ``n_resources`` is the resource of its trial's last rung.
    When no trial stopped at some rung, the pruner's ladder between the
    first and the last rung's resources fills the gap, if it agrees with
    every rung that is known.
    """
    resources = cv_results.get("n_resources")
    numbers_ = cv_results.get("trial_number")
    if resources is None or numbers_ is None:
        return None
    by_number = {t.number: t for t in trials}
    found: dict[int, float] = {}
    for number, resource in zip(np.asarray(numbers_).tolist(), np.asarray(resources)):
        trial = by_number.get(int(number))
        if trial is None or not trial.fold_results:
            continue
        found[max(f.rung for f in trial.fold_results)] = float(resource)
    if not found:
        return None
    top = max(found)
    if sorted(found) == list(range(top + 1)):
        return [found[r] for r in range(top + 1)]
    if 0 not in found:
        return None
    try:
        rebuilt = [float(r) for r in make_pruner(pruner).ladder(found[0], found[top])]
    except Exception:  # noqa: BLE001 - a user's pruner: fall back to rung numbers
        return None
    if len(rebuilt) != top + 1 or any(
        not math.isclose(rebuilt[r], value) for r, value in found.items()
    ):
        return None
    return rebuilt


def _param_infos(space: Any, trials: Sequence[Trial]) -> dict[str, ParamInfo]:
    """One ParamInfo per name of the space's JSON description (merged over sub-spaces)."""
    infos: dict[str, ParamInfo] = {}
    subspaces = space if isinstance(space, list) else [space]
    for sub in subspaces:
        if not isinstance(sub, Mapping):
            continue
        for name, description in sub.items():
            info = _info_from_json(str(name), description)
            known = infos.get(info.name)
            if known is None:
                infos[info.name] = info
            elif known.numeric and info.numeric:
                known.log = known.log and info.log
            else:  # categorical somewhere: categories of every sub-space
                merged = ParamInfo(known.name, numeric=False, choices=list(known.choices))
                for choice in info.choices:
                    merged.position(choice)
                infos[info.name] = merged
    for trial in trials:  # a name the description did not give (never expected)
        for name, value in trial.params.items():
            if name not in infos:
                infos[name] = ParamInfo(name, numeric=_is_number(value))
    for info in infos.values():
        values = [t.params[info.name] for t in trials if info.name in t.params]
        if info.numeric and not all(_is_number(v) for v in values):
            info.numeric, info.log = False, False  # a scipy distribution of non-numbers
        if not info.numeric:
            for value in values:
                info.position(value)
        elif info.log and any(float(v) <= 0 for v in values):
            info.log = False
    return dict(sorted(infos.items()))


def _info_from_json(name: str, description: Any) -> ParamInfo:
    if not isinstance(description, Mapping):
        return ParamInfo(name, numeric=False)
    kind = description.get("type")
    if kind in ("float", "int"):
        return ParamInfo(name, numeric=True, log=bool(description.get("log")))
    if kind == "scipy":
        text = str(description.get("repr", ""))
        return ParamInfo(name, numeric=True, log=text.startswith(_LOG_FAMILIES))
    choices = description.get("choices", [])
    info = ParamInfo(name, numeric=False)
    for choice in choices if isinstance(choices, list) else []:
        info.position(choice["repr"] if isinstance(choice, Mapping) else choice)
    return info


def check_param_names(
    view: StudyView, params: Sequence[str] | None, where: str
) -> list[str]:
    """The names to plot: every parameter when None, else ``params`` checked.

    Raises
    ------
    ValueError
        For a name the study did not search, naming it and the allowed ones.
    """
    allowed = list(view.params)
    if params is None:
        return allowed
    if isinstance(params, str):
        params = [params]
    names = list(params)
    unknown = [n for n in names if n not in view.params]
    if unknown:
        raise ValueError(
            f"{where}: unknown parameter name(s) {unknown}; study {view.name!r} "
            f"searched {allowed}."
        )
    if not names:
        raise ValueError(f"{where}: params is empty; choose among {allowed}.")
    return names


# -- rungs ------------------------------------------------------------------------
def _fold_mean(folds: Sequence[FoldResult], metric: str | None) -> float | None:
    if not folds or any(f.is_failed for f in folds):
        return None
    scores = folds[0].test_scores
    name = metric if metric in scores else next(iter(scores), None)
    if name is None:
        return None
    values = [
        f.test_scores.get(name, math.nan) for f in sorted(folds, key=lambda f: f.fold)
    ]
    mean = float(np.mean(values))
    return mean if math.isfinite(mean) else None


def intermediate_values(
    trial: Trial, metric: str | None, *, resource: str | None, n_splits: int
) -> dict[int, float]:
    """A trial's mean test score at each rung whose folds are all in.

    For ``resource="folds"`` rung ``r`` is scored over every fold run up to
    it; otherwise over the rung's own ``n_splits`` folds.
    """
    by_rung: dict[int, list[FoldResult]] = {}
    for fold in trial.fold_results:
        by_rung.setdefault(fold.rung, []).append(fold)
    values: dict[int, float] = {}
    done: list[FoldResult] = []
    for rung in sorted(by_rung):
        folds = by_rung[rung]
        if resource == _FOLDS:
            done.extend(folds)
            folds = list(done)
        elif len({f.fold for f in folds}) < n_splits:
            continue  # a rung still running, or reclaimed half-way
        value = _fold_mean(folds, metric)
        if value is not None:
            values[rung] = value
    return values


def folds_per_rung(trial: Trial) -> int:
    """The most distinct folds ``trial`` ran at one rung (0 without a fold)."""
    by_rung: dict[int, set[int]] = {}
    for fold in trial.fold_results:
        by_rung.setdefault(fold.rung, set()).add(fold.fold)
    return max((len(folds) for folds in by_rung.values()), default=0)


def n_splits_of(view: StudyView) -> int:
    """The number of CV folds a rung runs (the most distinct folds any rung ran)."""
    return max([1, *(folds_per_rung(trial) for trial in view.trials)])


def _value_metric(view: StudyView, hint: str | None) -> str | None:
    """The scorer whose mean is the trials' value (refit's metric, multi-metric)."""
    names: list[str] = []
    for trial in view.trials:
        for fold in trial.fold_results:
            if fold.test_scores:
                names = list(fold.test_scores)
                break
        if names:
            break
    if hint in names:
        return hint
    if len(names) <= 1:
        return names[0] if names else None
    n_splits = n_splits_of(view)
    for name in names:
        matched = 0
        for trial in view.complete[:20]:
            values = intermediate_values(
                trial, name, resource=view.resource, n_splits=n_splits
            )
            if values and math.isclose(
                values[max(values)], view.value_of(trial), rel_tol=1e-9, abs_tol=1e-12
            ):
                matched += 1
            else:
                break
        else:
            if matched:
                return name
    return names[0]
