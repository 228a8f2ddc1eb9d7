"""
===========================================================
Write your own sampler: simulated annealing in twenty lines
===========================================================

A sampler implements one method, ``ask(space, history, rng)``: it gets the
search space, every trial so far and a seeded random generator, and returns
the params of the next trial. Everything it knows is derived from the
history, so it needs no state of its own and a resumed search proposes what
an uninterrupted one would have.

This one anneals: it keeps a current trial, accepts a worse trial with
probability exp(delta / temperature) while the temperature cools, and
proposes a Gaussian step around the current trial in the space's unit-cube
encoding, with a step that shrinks as the search goes on. It runs on a real
task (an RBF SVC on scikit-learn's digits dataset) next to the random
sampler with the same budget and seed.
"""

import os

import numpy as np
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Float, ScoutSearchCV
from scout_sklearn.samplers import Sampler


class AnnealingSampler(Sampler):
    def __init__(self, n_startup=8, temperature=0.02, cooling=0.9, step=0.2):
        self.n_startup = n_startup
        self.temperature = temperature
        self.cooling = cooling
        self.step = step

    def ask(self, space, history, rng):
        done = [t for t in history if t.has_value]
        if len(done) < self.n_startup:
            return space.sample(rng)
        current = max(done[: self.n_startup], key=lambda t: t.value)
        for k, trial in enumerate(done[self.n_startup :], start=1):
            delta = trial.value - current.value
            accept_worse = np.random.default_rng(trial.number).random() < np.exp(
                delta / (self.temperature * self.cooling**k)
            )
            if delta >= 0 or accept_worse:
                current = trial
        sub = space[space.locate(current.params)]
        width = self.step * self.cooling ** (len(done) - self.n_startup)
        x = sub.encode(current.params) + rng.normal(0.0, max(width, 0.02), len(sub))
        return sub.decode(np.clip(x, 0.0, 1.0))


if __name__ == "__main__":
    quick = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"
    X, y = load_digits(return_X_y=True)
    X, y = X[::2], y[::2]  # half of digits keeps each fit around 20 ms
    space = {
        "svc__C": Float(1e-2, 1e3, log=True),
        "svc__gamma": Float(1e-5, 1e-1, log=True),
    }
    for name, sampler in [("random", "random"), ("annealing", AnnealingSampler())]:
        search = ScoutSearchCV(
            make_pipeline(StandardScaler(), SVC()),
            space,
            sampler=sampler,
            n_trials=12 if quick else 40,
            cv=3,
            n_jobs=-1,
            random_state=0,
        ).fit(X, y)
        print(
            f"{name:>9}: best CV accuracy {search.best_score_:.4f} "
            f"after {search.n_trials_} trials with {search.best_params_}"
        )
