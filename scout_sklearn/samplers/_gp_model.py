"""The Gaussian process of :class:`GPSampler` and its acquisition functions.

A numpy/scipy implementation (this layer does not import scikit-learn) of the
model scikit-optimize builds from scikit-learn's kernels,
``ConstantKernel * Matern(nu=2.5, ARD) + WhiteKernel``, with the
hyperparameters fitted by maximising the marginal likelihood times weak
priors, and of (log) expected improvement and confidence bounds on it.
Categorical parameters enter the kernel by their choice (one-hot).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import linalg, optimize, special
from scipy.linalg import blas, lapack

from scout_sklearn.distributions import Categorical, Float, Int

if TYPE_CHECKING:
    from scout_sklearn.distributions import SubSpace

__all__ = [
    "UNIT_MARGIN",
    "Acquisition",
    "GaussianProcess",
    "Layout",
    "condition",
    "conditioned",
    "fit_hyperparameters",
    "incumbent",
    "start_theta",
]

_SQRT5 = math.sqrt(5.0)
# Hyperparameter bounds, on standardised values and unit-cube inputs.
_LENGTH_SCALE_BOUNDS = (1e-2, 1e2)
_SIGNAL_VARIANCE_BOUNDS = (5e-2, 2e1)
_NOISE_VARIANCE_BOUNDS = (1e-6, 1.0)
# Priors of the hyperparameters (see GPSampler's Notes): log length scale
# ~ N(0, 1), log signal variance ~ N(0, 1), noise variance ~ Exponential(20).
_LOG_LENGTH_SCALE_PRIOR_VAR = 1.0
_LOG_SIGNAL_PRIOR_VAR = 1.0
_NOISE_PRIOR_RATE = 20.0
# Added to the kernel's diagonal so that its Cholesky factor always exists.
_JITTER = 1e-9
# A quantile coordinate is kept this far from 0 and 1 (an unbounded scipy
# distribution maps them to infinite values).
UNIT_MARGIN = 1e-9
# L-BFGS-B iterations of the fit of the hyperparameters: they bound the
# cost of a fit.
_FIT_MAXITER = 60


# -- the layout of a sub-space's unit cube ------------------------------------------
# More values than a float's 53-bit mantissa tells apart in [0, 1] (Int(-2**70,
# 2**70)): such a parameter is modelled as continuous, its values as points.
_MAX_BINS = 2**53


@dataclass(frozen=True)
class Layout:
    """Per-parameter kind of a sub-space's unit coordinates.

    ``n_bins`` > 0 marks a parameter whose unit coordinate is the centre of
    one of ``n_bins`` equal cells (linear Int, stepped Float, Categorical);
    ``log_int`` holds ``(low, high)`` of a log-scaled Int; ``categorical``
    marks parameters compared by choice rather than by distance.
    """

    n_bins: np.ndarray
    categorical: np.ndarray
    continuous: np.ndarray
    log_int: tuple[tuple[int, int, int], ...]

    @classmethod
    def of(cls, sub: SubSpace) -> Layout:
        n = len(sub.names)
        n_bins = np.zeros(n, dtype=np.int64)
        categorical = np.zeros(n, dtype=bool)
        continuous = np.zeros(n, dtype=bool)
        log_int: list[tuple[int, int, int]] = []
        for d, name in enumerate(sub.names):
            dist = sub[name]
            if isinstance(dist, Categorical):
                n_bins[d] = dist.n_values()
                categorical[d] = True
            elif isinstance(dist, Int) and dist.log:
                log_int.append((d, dist.low, dist.high))
            elif (
                isinstance(dist, (Int, Float))
                and dist.is_finite
                and dist.n_values() <= _MAX_BINS
            ):
                n_bins[d] = dist.n_values()
            else:
                continuous[d] = True
        return cls(n_bins, categorical, continuous, tuple(log_int))

    def snap(self, U: np.ndarray) -> np.ndarray:
        """Move each coordinate to the one of the value it decodes to."""
        U = np.clip(U, 0.0, 1.0)
        binned = self.n_bins > 0
        if binned.any():
            n = self.n_bins[binned]
            index = np.minimum(np.floor(U[:, binned] * n), n - 1)
            U[:, binned] = (index + 0.5) / n
        for d, low, high in self.log_int:
            value = _log_int_values(U[:, d], low, high)
            log_low, log_high = math.log(low - 0.5), math.log(high + 0.5)
            U[:, d] = np.clip((np.log(value) - log_low) / (log_high - log_low), 0.0, 1.0)
        if self.continuous.any():
            U[:, self.continuous] = np.clip(
                U[:, self.continuous], UNIT_MARGIN, 1.0 - UNIT_MARGIN
            )
        return U

    def point_codes(self, U: np.ndarray) -> np.ndarray | None:
        """One integer per snapped row of ``U``, equal for equal points.

        None when a coordinate is continuous or the points are too many to
        number in an int64.
        """
        if self.continuous.any():
            return None
        sizes = self.n_bins.copy()
        for d, low, high in self.log_int:
            sizes[d] = high - low + 1
        if math.prod(int(n) for n in sizes) >= 2**62:
            return None
        index = np.minimum(np.floor(U * self.n_bins), self.n_bins - 1)
        for d, low, high in self.log_int:
            index[:, d] = _log_int_values(U[:, d], low, high) - low
        strides = np.cumprod(np.concatenate([[1], sizes[:-1]]))
        codes: np.ndarray = index.astype(np.int64) @ strides
        return codes

    def choices(self, U: np.ndarray) -> np.ndarray:
        """The choice index of each categorical column of ``U``."""
        n = self.n_bins[self.categorical]
        index: np.ndarray = np.minimum(np.floor(U[:, self.categorical] * n), n - 1)
        return index.astype(np.int64)


def _log_int_values(u: np.ndarray, low: int, high: int) -> np.ndarray:
    """The integers a log-scaled ``Int(low, high)`` decodes unit coordinates to."""
    log_low, log_high = math.log(low - 0.5), math.log(high + 0.5)
    values: np.ndarray = np.clip(
        np.round(np.exp(log_low + u * (log_high - log_low))), low, high
    )
    return values


# -- the Gaussian process -----------------------------------------------------------
def _matern52(r2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Matern 5/2 correlation of squared scaled distances, and its derivative in r2."""
    r = np.sqrt(np.maximum(r2, 0.0))
    decay = np.exp(-_SQRT5 * r)
    value = (1.0 + _SQRT5 * r + (5.0 / 3.0) * r2) * decay
    # d/d(r2) of the above: finite at r = 0, unlike the derivative in r.
    derivative = -(5.0 / 6.0) * (1.0 + _SQRT5 * r) * decay
    return value, derivative


def _pairwise_parts(layout: Layout, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Per-parameter squared distances, shape (len(A), len(B), n_params)."""
    parts: np.ndarray = (A[:, None, :] - B[None, :, :]) ** 2
    if layout.categorical.any():
        parts[:, :, layout.categorical] = (
            layout.choices(A)[:, None, :] != layout.choices(B)[None, :, :]
        )
    return parts


@dataclass(frozen=True)
class GaussianProcess:
    """A fitted GP: ``signal * Matern52(length_scales) + noise``."""

    layout: Layout
    length_scales: np.ndarray
    signal: float
    noise: float
    X: np.ndarray
    y: np.ndarray
    features: np.ndarray  # X in the kernel's feature space (see _features)
    alpha: np.ndarray  # K^-1 y
    cholesky: np.ndarray  # lower factor L of K
    # What cross_kernel needs of the training points at every call.
    minus_two_features: np.ndarray = field(init=False, repr=False)
    squared_norms: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        features = self.features
        object.__setattr__(self, "minus_two_features", -2.0 * features)
        object.__setattr__(self, "squared_norms", np.sum(features * features, axis=1))

    def with_data(self, X: np.ndarray, y: np.ndarray) -> GaussianProcess:
        """The same hyperparameters conditioned on other data."""
        return condition(self.layout, self.length_scales, self.signal, self.noise, X, y)

    def cross_kernel(self, U: np.ndarray) -> np.ndarray:
        """Kernel between ``U`` and the training points."""
        F = _features(self.layout, self.length_scales, U)
        # -2 F f^T as F (-2 f)^T: scaling by a power of two is exact, and
        # this saves a pass over the (candidates x trials) matrix.
        r2: np.ndarray = F @ self.minus_two_features.T
        r2 += np.sum(F * F, axis=1)[:, None]
        r2 += self.squared_norms[None, :]
        np.maximum(r2, 0.0, out=r2)
        # The Matern 5/2 value of _matern52, in place (this runs on every
        # candidate at every ask; the derivative is not needed here). The
        # root is kept negated: exp takes it as it is, and r2 - (-r) is the
        # same number as r2 + r.
        minus_r = np.sqrt(r2)
        minus_r *= -_SQRT5
        decay = np.exp(minus_r)
        r2 *= 5.0 / 3.0
        r2 -= minus_r
        r2 += 1.0
        r2 *= decay
        r2 *= self.signal
        return r2

    def predict(self, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of the latent function at ``U``."""
        k = self.cross_kernel(U)
        mean = k @ self.alpha
        # signal - k K^-1 k as signal - |L^-1 k|^2: no cancellation inside K^-1.
        # Row i of k L^-T is (L^-1 k_i)^T: a right-side solve needs no transpose.
        v = blas.dtrsm(1.0, self.cholesky, k, side=1, lower=1, trans_a=1)
        v *= v  # squared in place: the same sum without another array
        variance = self.signal - np.sum(v, axis=1)
        return mean, np.sqrt(np.maximum(variance, 1e-12))

    def local_predictor(self, starts: np.ndarray) -> LocalPredictor:
        """Predictions at moves of ``starts`` along their continuous columns only."""
        cont = self.layout.continuous
        held = _pairwise_parts(self.layout, starts, self.X)
        held[:, :, cont] = 0.0
        return LocalPredictor(self, held @ (1.0 / self.length_scales**2))


class LocalPredictor:
    """Mean, std and their gradients in the continuous columns, for L-BFGS-B.

    The squared distance from the held (discrete) columns is computed once;
    each call only adds the continuous columns' part. The explicit inverse
    of K is accurate enough here (a relative error about cond(K) * eps on
    the variance) and cheaper than two triangular solves per call.
    """

    def __init__(self, model: GaussianProcess, held_r2: np.ndarray) -> None:
        cont = model.layout.continuous
        self.model = model
        self.held_r2 = held_r2
        self.X_cont = model.X[:, cont]
        self.w = 1.0 / model.length_scales[cont] ** 2
        eye = np.eye(len(model.X))
        self.K_inv = linalg.cho_solve((model.cholesky, True), eye, check_finite=False)

    def __call__(
        self, U_cont: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        model = self.model
        diff = U_cont[:, None, :] - self.X_cont[None, :, :]  # (m, n, c)
        value, derivative = _matern52(self.held_r2 + (diff * diff) @ self.w)
        k, dk_dr2 = model.signal * value, model.signal * derivative
        mean = k @ model.alpha
        K_inv_k = k @ self.K_inv
        variance = np.maximum(model.signal - np.sum(K_inv_k * k, axis=1), 1e-12)
        std = np.sqrt(variance)
        # dk_j/dx_d = dk/dr2 * 2 w_d (x_d - t_jd)
        dk = 2.0 * dk_dr2[:, :, None] * diff * self.w  # (m, n, c)
        d_mean = np.einsum("n,mnc->mc", model.alpha, dk)
        d_variance = -2.0 * np.einsum("mn,mnc->mc", K_inv_k, dk)
        return mean, std, d_mean, d_variance / (2.0 * std[:, None])


def _features(layout: Layout, length_scales: np.ndarray, U: np.ndarray) -> np.ndarray:
    """Points whose squared Euclidean distances are the kernel's scaled r2."""
    numeric = ~layout.categorical
    parts = [U[:, numeric] / length_scales[numeric]]
    if layout.categorical.any():
        choices = layout.choices(U)
        for j, (n, scale) in enumerate(
            zip(layout.n_bins[layout.categorical], length_scales[layout.categorical])
        ):
            # Two different choices are sqrt(2) apart in one-hot: scale to 1.
            one_hot = np.zeros((len(U), int(n)))
            one_hot[np.arange(len(U)), choices[:, j]] = 1.0 / (math.sqrt(2.0) * scale)
            parts.append(one_hot)
    return np.hstack(parts)


def condition(
    layout: Layout,
    length_scales: np.ndarray,
    signal: float,
    noise: float,
    X: np.ndarray,
    y: np.ndarray,
) -> GaussianProcess:
    parts = _pairwise_parts(layout, X, X)
    value, _ = _matern52(parts @ (1.0 / length_scales**2))
    K = signal * value + (noise + _JITTER) * np.eye(len(X))
    # LAPACK directly: the scipy.linalg wrappers' checks cost as much as the
    # factorisation at this size, and this runs at every ask.
    cholesky, info = lapack.dpotrf(K, lower=1, clean=1)
    if info != 0:
        raise linalg.LinAlgError("The GP's kernel matrix is not positive definite.")
    alpha, info = lapack.dpotrs(cholesky, y, lower=1)
    if info != 0:
        raise linalg.LinAlgError("The GP's kernel matrix could not be solved.")
    if not np.all(np.isfinite(alpha)):
        raise FloatingPointError("The GP posterior is not finite.")
    return GaussianProcess(
        layout,
        length_scales,
        signal,
        noise,
        X,
        y,
        _features(layout, length_scales, X),
        alpha,
        cholesky,
    )


def start_theta(layout: Layout) -> np.ndarray:
    """Where the fit of the hyperparameters starts (log length scales, signal, noise)."""
    n_params = len(layout.n_bins)
    return np.concatenate(
        [np.full(n_params, math.log(0.5 * math.sqrt(n_params))), [0.0, math.log(1e-3)]]
    )


def conditioned(
    layout: Layout, theta: np.ndarray, X: np.ndarray, y: np.ndarray
) -> GaussianProcess:
    """The GP with hyperparameters ``theta`` conditioned on ``(X, y)``."""
    n_params = len(layout.n_bins)
    return condition(
        layout,
        np.exp(theta[:n_params]),
        math.exp(theta[n_params]),
        math.exp(theta[n_params + 1]),
        X,
        y,
    )


def fit_hyperparameters(
    layout: Layout, X: np.ndarray, y: np.ndarray, start: np.ndarray | None = None
) -> np.ndarray:
    """Maximise the marginal likelihood times the priors; log hyperparameters.

    L-BFGS-B starts from ``start`` (by default :func:`start_theta`).
    """
    n, n_params = X.shape
    parts = _pairwise_parts(layout, X, X).reshape(n * n, n_params)
    eye = np.eye(n)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        log_scales = theta[:n_params]
        signal, noise = math.exp(theta[n_params]), math.exp(theta[n_params + 1])
        w = np.exp(-2.0 * log_scales)
        value, derivative = _matern52((parts @ w).reshape(n, n))
        K = signal * value + (noise + _JITTER) * eye
        # LAPACK directly: this runs ~50 times per ask, and the scipy.linalg
        # wrappers' checks cost as much as the factorisation at this size.
        factor, info = lapack.dpotrf(K, lower=1)
        if info != 0:
            return 1e25, np.zeros_like(theta)
        K_inv, info = lapack.dpotri(factor, lower=1)
        if info != 0:
            return 1e25, np.zeros_like(theta)
        K_inv += np.tril(K_inv, -1).T  # dpotri fills the lower triangle only
        alpha = K_inv @ y
        nll = 0.5 * float(y @ alpha) + float(np.sum(np.log(np.diag(factor))))
        # d(-log p)/d theta = -1/2 tr((alpha alpha^T - K^-1) dK/dtheta)  (RW eq. 5.9)
        W = np.outer(alpha, alpha) - K_inv
        grad = np.empty_like(theta)
        # dK/dlog(l_d) = signal * dk/dr2 * (-2 w_d parts_d)
        grad[:n_params] = (signal * (W * derivative)).ravel() @ parts * w
        grad[n_params] = -0.5 * signal * float(np.sum(W * value))
        grad[n_params + 1] = -0.5 * noise * float(np.trace(W))
        # Priors: length scales log-normal around the width of the cube, the
        # signal variance log-normal around 1 (the values are standardised),
        # the noise variance exponential (small unless the data insist).
        log_signal = float(theta[n_params])
        nll += (
            float(log_scales @ log_scales) / (2.0 * _LOG_LENGTH_SCALE_PRIOR_VAR)
            + log_signal**2 / (2.0 * _LOG_SIGNAL_PRIOR_VAR)
            + _NOISE_PRIOR_RATE * noise
        )
        grad[:n_params] += log_scales / _LOG_LENGTH_SCALE_PRIOR_VAR
        grad[n_params] += log_signal / _LOG_SIGNAL_PRIOR_VAR
        grad[n_params + 1] += _NOISE_PRIOR_RATE * noise
        if not (math.isfinite(nll) and np.all(np.isfinite(grad))):
            return 1e25, np.zeros_like(theta)
        return nll, grad

    bounds = (
        [tuple(map(math.log, _LENGTH_SCALE_BOUNDS))] * n_params
        + [tuple(map(math.log, _SIGNAL_VARIANCE_BOUNDS))]
        + [tuple(map(math.log, _NOISE_VARIANCE_BOUNDS))]
    )
    if start is None:
        start = start_theta(layout)
    result = optimize.minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": _FIT_MAXITER},
    )
    theta: np.ndarray = result.x if np.all(np.isfinite(result.x)) else start
    return theta


# -- acquisition --------------------------------------------------------------------
def _log_h(z: np.ndarray) -> np.ndarray:
    """log(phi(z) + z Phi(z)), the log of EI / sigma, accurate for very negative z."""
    out = np.empty_like(z)
    upper = z > -1.0
    zu = z[upper]
    out[upper] = np.log(
        np.exp(-0.5 * zu**2) / math.sqrt(2 * math.pi) + zu * special.ndtr(zu)
    )
    zl = np.maximum(z[~upper], -1e8)
    # phi(z) (1 + z Phi(z)/phi(z)) with the Mills ratio Phi/phi written as
    # sqrt(pi/2) erfcx(-z/sqrt(2)), which does not underflow (see [3]).
    ratio = zl * math.sqrt(math.pi / 2.0) * special.erfcx(-zl / math.sqrt(2.0))
    out[~upper] = (
        -0.5 * zl**2 - 0.5 * math.log(2 * math.pi) + np.log(np.maximum(1.0 + ratio, 1e-300))
    )
    return out


def incumbent(model: GaussianProcess, n_complete: int) -> float:
    """The value expected improvement improves on.

    The best posterior mean at a complete trial: with noisy scores (cross-
    validation on little data) the best observed value is partly luck, and
    improving on it would steer the search to explore around a lucky trial
    and away from what the model believes.
    """
    # The posterior mean at the training points is y - noise * K^-1 y.
    smoothed = model.y - (model.noise + _JITTER) * model.alpha
    return float(np.max(smoothed[:n_complete]))


class Acquisition:
    """Log expected improvement, or mean + kappa * std; greater is better."""

    def __init__(
        self, model: GaussianProcess, kind: str, kappa: float, incumbent: float
    ) -> None:
        self.model = model
        self.kind = kind
        self.kappa = kappa
        self.best = incumbent

    def value(self, U: np.ndarray) -> np.ndarray:
        mean, std = self.model.predict(U)
        if self.kind == "ei":
            log_ei: np.ndarray = np.log(std) + _log_h((mean - self.best) / std)
            return log_ei
        bound: np.ndarray = mean + self.kappa * std
        return bound

    def value_and_gradient(
        self, predictor: LocalPredictor, U_cont: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Values at continuous moves, and their gradients (see local_predictor)."""
        mean, std, d_mean, d_std = predictor(U_cont)
        if self.kind == "ei":
            z = (mean - self.best) / std
            log_h = _log_h(z)
            # Phi(z) / h(z), the derivative of log h.
            ratio = np.exp(special.log_ndtr(z) - log_h)
            d_log_ei_d_mean = ratio / std
            d_log_ei_d_std = (1.0 - z * ratio) / std
            gradient = d_log_ei_d_mean[:, None] * d_mean + d_log_ei_d_std[:, None] * d_std
            return np.log(std) + log_h, gradient
        return mean + self.kappa * std, d_mean + self.kappa * d_std
