"""Constructor arguments shared in kind by several samplers."""

from __future__ import annotations

import pytest

from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.samplers import (
    AnnealingSampler,
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
