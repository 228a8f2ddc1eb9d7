"""Constructor arguments shared in kind by several samplers."""

from __future__ import annotations

import numpy as np
import pytest

from scout_sklearn import Float, SearchSpace, Trial, TrialState
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.samplers import (
    AnnealingSampler,
    CmaEsSampler,
    GPSampler,
    MOTPESampler,
    NSGAIISampler,
    TPESampler,
)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda v: TPESampler(prior_weight=v), "prior_weight"),
        (lambda v: MOTPESampler(prior_weight=v), "prior_weight"),
        (lambda v: GPSampler(kappa=v), "kappa"),
        (lambda v: AnnealingSampler(initial_temperature=v), "initial_temperature"),
        (lambda v: NSGAIISampler(eta_crossover=v), "eta_crossover"),
        (lambda v: NSGAIISampler(eta_mutation=v), "eta_mutation"),
    ],
)
def test_a_sampler_refuses_an_infinite_weight_or_scale(make, name):
    with pytest.raises(
        InvalidParameterError, match=rf"'{name}' parameter of .* must be a finite float"
    ):
        make(float("inf"))
    make(2.0)  # a finite value is fine


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda v: GPSampler(n_candidates=v), "n_candidates"),
        (lambda v: TPESampler(n_ei_candidates=v), "n_ei_candidates"),
        (lambda v: CmaEsSampler(population_size=v), "population_size"),
        (lambda v: CmaEsSampler(inc_popsize=v), "inc_popsize"),
        (lambda v: NSGAIISampler(population_size=v), "population_size"),
    ],
)
def test_a_size_setting_beyond_what_memory_holds_is_refused_when_made(make, name):
    # 10**9 candidates or parents ran out of memory, or ran for hours, in
    # the first ask; 100,000 is the bound.
    with pytest.raises(
        InvalidParameterError, match=rf"'{name}' parameter of .* range \[\d, 100000\]"
    ):
        make(10**9)
    make(100_000)


def test_ipop_restarts_stop_growing_the_population_at_the_bound():
    pytest.importorskip("cmaes")
    space = SearchSpace.from_user({"x": Float(-1.0, 1.0), "y": Float(-1.0, 1.0)})
    sampler = CmaEsSampler(population_size=4, inc_popsize=100_000)
    history = []
    for k in range(400):
        params = sampler.ask(space, history, np.random.default_rng([0, k]))
        # A flat objective: CMA-ES stops (its function values stop changing)
        # and restarts.
        history.append(Trial(k, params, state=TrialState.COMPLETE, value=0.0))
        if sampler._cma_state.n_restarts:
            break
    state = sampler._cma_state
    assert state.n_restarts >= 1
    # Without the bound: 4 * 100,000 = 400,000.
    assert state.cma.population_size == 100_000
