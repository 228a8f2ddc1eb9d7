"""Bayesian optimisation with a Gaussian process and expected improvement.

Every ask conditions a Gaussian process (``_gp_model.py``) on the history of
one sub-space (unit-cube coordinates in, standardised values out), then
searches the unit cube for the params that maximise an acquisition
function. What is kept between asks is derived from the history only: the
encoded trials and the fitted hyperparameters, cached.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from scipy import linalg, optimize
from scipy.stats import qmc

from scout_sklearn._constraints import Constraint, Interval, Options
from scout_sklearn.exceptions import SearchSpaceExhausted
from scout_sklearn.samplers._base import (
    MAX_CANDIDATES,
    Sampler,
    UsedPoints,
    private_cache,
    require_unit_coordinates,
    single_blas_thread,
    used_points,
)
from scout_sklearn.samplers._gp_model import (
    UNIT_MARGIN,
    Acquisition,
    Layout,
    conditioned,
    fit_hyperparameters,
    incumbent,
    start_theta,
)
from scout_sklearn.samplers._history import (
    Observations,
    choose_subspace,
    encoded_history,
)

if TYPE_CHECKING:
    from scout_sklearn._trial import Trial
    from scout_sklearn.distributions import SearchSpace, SubSpace

__all__ = ["GPSampler"]

# L-BFGS-B iterations of the refinement of the best candidates: they bound
# the cost of an ask.
_REFINE_MAXITER = 30
# The hyperparameters are fitted again at every ask up to this many complete
# trials in a sub-space; beyond, only when the count has grown by
# _REFIT_GROWTH since the last fit (in between, the model is conditioned on
# every trial with the last fit's hyperparameters, which a few more trials
# hardly move). Each fit starts from the previous one's optimum.
_REFIT_EVERY_TRIAL_UP_TO = 10
_REFIT_GROWTH = 1.2
# How many of the best complete trials the local candidates are drawn around.
_N_LOCAL_CENTRES = 5
# Ranked candidates decoded before giving up on a finite space's model and
# drawing a free point at random.
_MAX_DECODED = 64


class GPSampler(Sampler):
    """Bayesian optimisation with a Gaussian process, as BayesSearchCV does [1]_.

    The study's first ``n_startup_trials`` trials follow a Sobol' sequence
    (in each sub-space, shifted by its first trial's point: a randomised
    quasi-random design that covers the space more evenly than independent
    draws). Then each ask fits a Gaussian process to the complete trials of
    a sub-space and proposes the params that maximise the acquisition
    function; a sub-space with fewer than two complete trials continues its
    design.

    Parameters
    ----------
    n_startup_trials : int, default=5
        Trials of the study taken from the space-filling design before the
        model is used. Five won over ten at 10, 20 and 40 trials on half A
        of the benchmark tasks (the anytime ranks in ``docs/benchmarks.md``).
    acquisition : {"ei", "lcb", "ucb"}, default="ei"
        ``"ei"``: expected improvement over the best posterior mean at a
        complete trial (computed as its logarithm [3]_, which stays
        informative far from the best trial).
        ``"lcb"`` and ``"ucb"`` are the same rule (a lower confidence bound on
        a loss is an upper one on a score): the predicted value plus
        ``kappa`` predicted standard deviations.
    kappa : float, default=1.96
        Weight of the predicted standard deviation with ``"lcb"``/``"ucb"``;
        larger values explore more. Unused with ``"ei"``.
    n_candidates : int, default=1024
        Points at which the acquisition function is evaluated at each ask:
        half the first points of Sobol's sequence shifted at random, half
        perturbations of the best trials. Fewer make an ask cheaper but
        place the best trials less precisely: 256 per parameter instead of
        1,024 cut an ask by a fifth on a 2-parameter space and lost on it
        (``docs/benchmarks.md`` §3). At most 100,000.
    n_refinements : int, default=0
        How many of the best candidates are refined by L-BFGS-B on the
        continuous parameters (0, the default, turns refinement off). Off,
        an ask takes about half the time, and on the real tuning tasks of
        ``docs/benchmarks.md`` (20 tasks, 3 seeds) the searches were no
        worse on one half of the tasks and better on the other; on
        noiseless test functions, where the optimum must be pinned to many
        digits, 10 refinements found it more precisely (Levy-8, Hartmann-6).

    See Also
    --------
    RandomSampler : Independent draws; what this sampler falls back to when
        it cannot fit a model.

    Notes
    -----
    **Inputs.** The model sees each trial as its point of the sub-space's
    unit cube (``SubSpace.encode``): log-scaled parameters are already on
    their log scale there, integers and stepped floats sit at the centre of
    their cell, scipy.stats distributions at their quantile. A categorical
    parameter enters the kernel by its choice: two trials differ by a
    squared distance of 1 on it when their choices differ, 0 otherwise
    (one-hot encoding with one length scale per parameter).

    **Model.** Values are standardised (greater is better), then the values
    below the median are compressed logarithmically (``median - log1p(median
    - y)``) and standardised again, so that a few disastrous trials do not
    flatten the differences among the good ones. The kernel [2]_ is
    ``signal * Matern52(ARD) + noise``: one length scale per parameter in
    [0.01, 100], signal variance in [0.05, 20], noise variance in
    [1e-6, 1]. The hyperparameters maximise the marginal likelihood times
    weak priors (each log length scale and the log signal variance normal
    around 0 with variance 1, the noise variance exponential with mean
    0.05), by L-BFGS-B with a bounded number of iterations. They are fitted
    at every ask while a sub-space has at most 10 complete trials, then
    each time their number has grown by 20%, to the first ``m`` complete
    trials (in between, the model is conditioned on every trial with the
    last fit's hyperparameters). The first fit starts from a fixed point,
    each later one from the optimum of the fit before it (about half the
    steps). The fits are cached, and a fresh sampler runs the same chain of
    fits to the same values, so the proposal is a function of the space,
    the history and the generator only. BLAS runs on one thread
    during an ask: the matrices are small.

    **Noise.** Cross-validation scores on little data are noisy, and the
    best observed score is partly luck. The model's noise variance absorbs
    it, and expected improvement improves on the best *posterior mean* at a
    complete trial, not on the best observed value, so the search does not
    keep exploring around a lucky trial.

    **Acquisition search.** Candidates are snapped to the values the
    parameters can take (cells of integers, steps and choices); with
    ``n_refinements``, the best few are then refined by L-BFGS-B on the
    continuous parameters with the discrete ones held. A finite space never
    gets a point twice: candidates already given to a trial are skipped, and
    when none is left among the best a free point is drawn at random.

    **Concurrent trials.** A RUNNING trial is added to the model (with the
    hyperparameters fitted without it) as if it had the mean of the complete
    trials' values, the "constant liar" of [4]_: the model's uncertainty
    collapses around it and the acquisition drops there, so concurrent asks
    spread out. The mean rather than the worst value: at ``n_jobs=4`` on the
    benchmark tasks the worst value ranked third in three runs (2.73 to
    2.88), the mean second in two (2.49 and 2.60; ``docs/benchmarks.md``
    §3); a lie at the worst value also pushes the next asks away from the
    best region while a trial there is running. FAILED and PRUNED trials
    count as the worst value seen.

    **Fallbacks.** With fewer than two distinct complete trials, values all
    equal, or a fit that fails numerically, the sampler continues the
    space-filling design (or draws at random), and never raises. A scipy.stats
    distribution without ``cdf``/``ppf`` cannot be modelled:
    :meth:`check_space` rejects it.

    References
    ----------
    .. [1] J. Snoek, H. Larochelle and R. P. Adams, "Practical Bayesian
       Optimization of Machine Learning Algorithms", NeurIPS 2012.
    .. [2] C. E. Rasmussen and C. K. I. Williams, "Gaussian Processes for
       Machine Learning", MIT Press, 2006 (algorithm 2.1 and eq. 5.9).
    .. [3] S. Ament, S. Daulton, D. Eriksson, M. Balandat and E. Bakshy,
       "Unexpected Improvements to Expected Improvement for Bayesian
       Optimization", NeurIPS 2023.
    .. [4] D. Ginsbourger, R. Le Riche and L. Carraro, "Kriging is
       well-suited to parallelize optimization", 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from scout_sklearn import Float, SearchSpace, Trial, TrialState
    >>> from scout_sklearn.samplers import GPSampler
    >>> space = SearchSpace.from_user({"x": Float(-2.0, 2.0)})
    >>> sampler = GPSampler(n_startup_trials=3, n_candidates=64)
    >>> history = []
    >>> for k in range(8):
    ...     params = sampler.ask(space, history, np.random.default_rng([0, k]))
    ...     score = -(params["x"] - 0.5) ** 2
    ...     history.append(Trial(k, params, state=TrialState.COMPLETE, value=score))
    >>> best = max(history, key=lambda t: t.value)
    >>> abs(best.params["x"] - 0.5) < 0.1
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Constraint]]] = {
        "n_startup_trials": [Interval(numbers.Integral, 0, None)],
        "acquisition": [Options(["ei", "lcb", "ucb"])],
        "kappa": [Interval(numbers.Real, 0, None, finite=True)],
        "n_candidates": [Interval(numbers.Integral, 1, MAX_CANDIDATES)],
        "n_refinements": [Interval(numbers.Integral, 0, None)],
    }

    def __init__(
        self,
        *,
        n_startup_trials: int = 5,
        acquisition: str = "ei",
        kappa: float = 1.96,
        n_candidates: int = 1024,
        n_refinements: int = 0,
    ) -> None:
        self.n_startup_trials = n_startup_trials
        self.acquisition = acquisition
        self.kappa = kappa
        self.n_candidates = n_candidates
        self.n_refinements = n_refinements
        self._validate()

    def check_space(self, space: SearchSpace) -> None:
        self._validate()
        require_unit_coordinates(space, type(self).__name__)

    def ask(
        self,
        space: SearchSpace,
        history: Sequence[Trial],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        self._validate()
        if space.without_unit_coordinate():
            # check_space rejects such a space; a direct caller still gets params.
            return space.sample(rng)
        used = used_points(self) if space.is_finite else None
        if used is not None:
            used.update(space, history)
            if len(used.positions) >= space.n_points:
                raise SearchSpaceExhausted(
                    f"All {space.n_points} points of the space have been tried."
                )
        cache = encoded_history(self, space, history)
        sub_index = choose_subspace(space, cache, history, rng)
        sub = space[sub_index]
        n_in_subspace = cache.counts()[sub_index]
        observations = cache.observations(history, sub_index)
        layout = Layout.of(sub)

        data = None
        if sum(cache.counts()) >= self.n_startup_trials:
            data = _training_data(observations)
        if data is None:
            ranked = _design_points(sub, space, history, sub_index, n_in_subspace, rng)
        else:
            try:
                with single_blas_thread():
                    hyper = self._hyperparameters(space, sub_index, layout, observations)
                    ranked = self._ranked_candidates(
                        layout, data, hyper, rng, only_best=used is None
                    )
            except (linalg.LinAlgError, ValueError, FloatingPointError):
                # A numerically hopeless history: a random point, never a crash.
                ranked = rng.random((1, len(sub.names)))
        return self._pick(space, sub_index, layout, ranked, used, rng)

    def _hyperparameters(
        self,
        space: SearchSpace,
        sub_index: int,
        layout: Layout,
        observations: Observations,
    ) -> np.ndarray:
        """The kernel's hyperparameters, fitted to the first m complete trials.

        ``m`` is the number of complete trials of the sub-space, rounded down
        to the last point of the refit schedule, so the result depends on
        the history only (a resumed search fits the same ones); it is cached
        per sub-space and ``m``.
        """
        m = _refit_point(observations.n_complete)
        fits = private_cache(self, "_gp_fits", _PerSpace).of(space)
        theta: np.ndarray | None = fits.get((sub_index, m))
        if theta is not None:
            return theta
        # Each fit of the schedule starts where the one before it ended (it
        # needs about half the L-BFGS-B steps of a fit from a fixed start);
        # the points not fitted yet are fitted in order, so a fresh sampler
        # (a resumed search) follows the same chain to the same values.
        theta = start_theta(layout)
        for point in _refit_schedule(m):
            known = fits.get((sub_index, point))
            if known is not None:
                theta = known
                continue
            first = Observations(
                X=observations.X[:point],
                y=observations.y[:point],
                X_running=observations.X_running[:0],
                X_pruned=observations.X_pruned[:0],
                y_pruned=observations.y_pruned[:0],
                X_failed=observations.X_failed[:0],
                numbers=observations.numbers[:point],
            )
            data = _training_data(first)
            if data is not None:
                theta = fit_hyperparameters(layout, data.X, data.y, theta)
            fits[(sub_index, point)] = theta
        return theta

    # -- the model-based proposal -------------------------------------------------
    def _ranked_candidates(
        self,
        layout: Layout,
        data: _TrainingData,
        theta: np.ndarray,
        rng: np.random.Generator,
        *,
        only_best: bool = False,
    ) -> np.ndarray:
        """Candidates in decreasing acquisition order (refined ones first).

        With ``only_best`` (an infinite space: the first candidate is always
        free) and no refinement, only the first of that order is returned.
        """
        X, y = data.X, data.y
        model = conditioned(layout, theta, X, y)
        best = incumbent(model, data.n_complete)
        if len(data.X_running):
            # Constant liar: a running trial counts as the mean of the
            # complete trials' values until its own arrives. The posterior's
            # uncertainty collapses there, which pushes concurrent asks apart
            # (its predicted mean, the "kriging believer", would leave the
            # acquisition high around the incumbent and let them crowd).
            lie = np.full(len(data.X_running), np.mean(y[: data.n_complete]))
            X_all = np.vstack([X, data.X_running])
            model = model.with_data(X_all, np.concatenate([y, lie]))
        acquisition = Acquisition(model, self.acquisition, float(self.kappa), best)
        candidates = _candidates(layout, data, int(self.n_candidates), rng)
        codes = layout.point_codes(candidates)
        if codes is not None:
            # On a discrete sub-space most candidates repeat a few points
            # (1,024 candidates on knn_digits' 240): score each point once,
            # in the order of its first copy.
            _, first = np.unique(codes, return_index=True)
            candidates = candidates[np.sort(first)]
        scores = acquisition.value(candidates)
        n_refine = min(int(self.n_refinements), len(candidates))
        refine = bool(n_refine and layout.continuous.any())
        if only_best and not refine:
            # The first of the stable sort below without sorting: argmax
            # takes the first of equal maxima too, but a NaN before all else
            # (the sort puts NaN last), so a NaN falls through to the sort.
            top = int(np.argmax(scores))
            if not np.isnan(scores[top]):
                return candidates[top : top + 1]
        order = np.argsort(-scores, kind="stable")
        candidates, scores = candidates[order], scores[order]
        if refine:
            refined = _refine(acquisition, layout, candidates[:n_refine])
            refined_scores = acquisition.value(refined)
            candidates = np.vstack([refined, candidates])
            scores = np.concatenate([refined_scores, scores])
            order = np.argsort(-scores, kind="stable")
            candidates = candidates[order]
        return candidates

    def _pick(
        self,
        space: SearchSpace,
        sub_index: int,
        layout: Layout,
        ranked: np.ndarray,
        used: UsedPoints | None,
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        """Decode the first ranked point that is free (any point of an infinite space)."""
        sub = space[sub_index]
        if used is None:
            return sub.decode(ranked[0])
        seen: set[bytes] = set()
        # Snapped all at once (snap works row by row): one call per candidate
        # cost more than the rest of an ask on a small finite space, whose
        # 1,024 candidates are mostly copies of a few points.
        keys = layout.snap(ranked)
        # Each snapped point's params and grid positions are kept from ask to
        # ask (a pure function of the space): decoding them again at every ask
        # was a tenth of an ask on a small finite space.
        points = private_cache(self, "_finite_points", _PerSpace).of(space)
        for x, snapped in zip(ranked, keys):
            key = snapped.tobytes()
            if key in seen:
                continue
            seen.add(key)
            entry = points.get((sub_index, key))
            if entry is None:
                params = sub.decode(x)
                entry = (params, tuple(space.equivalent_positions(params)))
                points[(sub_index, key)] = entry
            if used.any_free(entry[1]):
                return dict(entry[0])
            if len(seen) >= _MAX_DECODED:
                break
        position = used.random_free(space.n_points, rng)
        if position is None:
            raise SearchSpaceExhausted(
                f"All {space.n_points} points of the space have been tried."
            )
        return space.point(position)


class _PerSpace:
    """Values derived from one space (and a history on it), dropped when it changes.

    Keyed by sub-space index first: the fitted hyperparameters at each point
    of the refit schedule, and on a finite space each snapped candidate's
    params and grid positions.
    """

    def __init__(self) -> None:
        self._space: SearchSpace | None = None
        self._entries: dict[tuple[int, Any], Any] = {}

    def of(self, space: SearchSpace) -> dict[tuple[int, Any], Any]:
        if self._space is not space:
            self._space, self._entries = space, {}
        return self._entries


# -- training data ------------------------------------------------------------------
@dataclass(frozen=True)
class _TrainingData:
    X: np.ndarray  # complete trials, then failed/pruned ones at the worst value
    y: np.ndarray  # standardised, greater is better
    X_running: np.ndarray
    X_best: np.ndarray  # the best complete trials, best first
    n_complete: int  # the first rows of X and y are the complete trials


def _training_data(observations: Observations) -> _TrainingData | None:
    """Standardised data, or None when a model cannot be fitted yet."""
    X, y = observations.X, observations.y
    if len(y) < 2 or not np.any(X[0] != X):  # fewer than two distinct points
        return None
    largest = float(np.max(np.abs(y)))
    if not largest < 1e150:  # inf or nan, or squares that could overflow
        with np.errstate(over="ignore", invalid="ignore"):
            std = float(np.std(y))
    else:  # np.std's arithmetic without its overhead (this runs at every ask)
        centred = y - y.mean()
        std = math.sqrt(float(np.add.reduce(centred * centred)) / len(y))
    if not math.isfinite(std) or std <= 1e-12 * max(1.0, largest):
        return None
    y_std = (y - y.mean()) / std
    # Compress the bad tail (values below the median) logarithmically: a few
    # disastrous trials would otherwise dominate the standardised values and
    # flatten the differences among the good ones.
    half = len(y_std) // 2
    middle = np.partition(y_std, [half - 1, half])
    odd = len(y_std) % 2
    median = float(middle[half] if odd else (middle[half - 1] + middle[half]) / 2)
    low = y_std < median
    y_std[low] = median - np.log1p(median - y_std[low])
    y_std -= y_std.mean()
    y_std /= math.sqrt(float(np.add.reduce(y_std * y_std)) / len(y_std))
    X_bad = np.vstack([observations.X_failed, observations.X_pruned])
    if len(X_bad):
        X = np.vstack([X, X_bad])
        y_all = np.concatenate([y_std, np.full(len(X_bad), np.min(y_std))])
    else:
        y_all = y_std
    best = np.argsort(-y, kind="stable")[:_N_LOCAL_CENTRES]
    return _TrainingData(X, y_all, observations.X_running, observations.X[best], len(y))


def _refit_point(n_complete: int) -> int:
    """The number of complete trials the hyperparameters are fitted to at ``n_complete``."""
    return _refit_schedule(n_complete)[-1]


def _refit_schedule(n_complete: int) -> list[int]:
    """The trial counts at which the hyperparameters are fitted, up to ``n_complete``."""
    if n_complete <= 2:
        return [n_complete]
    points = list(range(2, min(n_complete, _REFIT_EVERY_TRIAL_UP_TO) + 1))
    while math.ceil(points[-1] * _REFIT_GROWTH) <= n_complete:
        points.append(math.ceil(points[-1] * _REFIT_GROWTH))
    return points


def _candidates(
    layout: Layout, data: _TrainingData, n_candidates: int, rng: np.random.Generator
) -> np.ndarray:
    """Half a scrambled Sobol' sample, half perturbations of the best trials."""
    n_params = len(layout.n_bins)
    n_global = max(1, n_candidates // 2)
    # The first points of Sobol's sequence, shifted at random modulo 1 (a
    # Cranley-Patterson rotation): as even a cover as a scrambled sample, at
    # the cost of an addition, since the table is computed once.
    table = _sobol_table(n_params, math.ceil(math.log2(n_global)))[:n_global]
    U_global = np.mod(table + rng.random(n_params), 1.0)
    n_local = n_candidates - n_global
    centres = data.X_best[rng.integers(len(data.X_best), size=n_local)]
    # Step sizes log-uniform between 0.002 and 0.2 of the unit range.
    scales = np.exp(rng.uniform(math.log(2e-3), math.log(0.2), size=(n_local, 1)))
    U_local = centres + scales * rng.standard_normal((n_local, n_params))
    # A categorical parameter has no neighbours: a local candidate keeps the
    # centre's choice, or with probability 1/n_params draws another.
    cat = layout.categorical
    if cat.any():
        redraw = rng.random((n_local, int(cat.sum()))) < 1.0 / n_params
        fresh = rng.random((n_local, int(cat.sum())))
        U_local[:, cat] = np.where(redraw, fresh, centres[:, cat])
    return layout.snap(np.vstack([U_global, U_local]))


def _refine(acquisition: Acquisition, layout: Layout, starts: np.ndarray) -> np.ndarray:
    """L-BFGS-B on the continuous columns of every start at once (a separable sum)."""
    cont = layout.continuous
    fixed = starts.copy()
    n_starts, n_cont = len(starts), int(cont.sum())
    predictor = acquisition.model.local_predictor(starts)

    def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
        U_cont = flat.reshape(n_starts, n_cont)
        value, gradient = acquisition.value_and_gradient(predictor, U_cont)
        if not (np.all(np.isfinite(value)) and np.all(np.isfinite(gradient))):
            return 1e25, np.zeros_like(flat)
        return -float(np.sum(value)), -gradient.ravel()

    result = optimize.minimize(
        objective,
        starts[:, cont].ravel(),
        jac=True,
        method="L-BFGS-B",
        bounds=[(UNIT_MARGIN, 1.0 - UNIT_MARGIN)] * (n_starts * n_cont),
        options={"maxiter": _REFINE_MAXITER},
    )
    refined = fixed.copy()
    if np.all(np.isfinite(result.x)):
        refined[:, cont] = result.x.reshape(n_starts, n_cont)
    return layout.snap(refined)


@functools.lru_cache(maxsize=64)
def _sobol_table(n_params: int, log2_points: int) -> np.ndarray:
    """The first ``2**log2_points`` points of the unscrambled Sobol' sequence."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy's note on unscrambled sequences
        table = qmc.Sobol(n_params, scramble=False).random_base2(log2_points)
    table.setflags(write=False)
    return np.asarray(table, dtype=np.float64)


# -- space-filling design and fallbacks -----------------------------------------------
def _design_points(
    sub: SubSpace,
    space: SearchSpace,
    history: Sequence[Trial],
    sub_index: int,
    n_in_subspace: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The next points of a Sobol' sequence shifted by the sub-space's first trial.

    Each trial has its own generator, so a scrambled sequence drawn at each
    ask would be a different sequence every time. The first trial of the
    sub-space is drawn uniformly with its generator; the k-th is the k-th
    point of the unscrambled Sobol' sequence shifted by it modulo 1 (a
    Cranley-Patterson rotation, which keeps the sequence's even coverage).
    The shift comes from the history, so a resumed search continues the
    same sequence. A few following points come after it, for a finite space
    whose next point is taken already.
    """
    n_params = len(sub.names)
    anchor = None
    for trial in history:
        if space.locate(trial.params) == sub_index:
            anchor = np.clip(sub.encode(trial.params), 0.0, 1.0)
            break
    if anchor is None:
        return rng.random((1, n_params))
    n_points = n_in_subspace + 8
    table = _sobol_table(n_params, math.ceil(math.log2(n_points)))
    shifted: np.ndarray = np.mod(table[n_in_subspace:n_points] + anchor, 1.0)
    return shifted
