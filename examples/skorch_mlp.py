"""
================================
A PyTorch network through skorch
================================

Run it with ``python examples/skorch_mlp.py`` (needs ``pip install torch
skorch``; it prints a line and stops when they are missing, and the docs'
gallery leaves it out). skorch wraps a PyTorch module as a scikit-learn
estimator, so ScoutSearchCV tunes it like any other: the module's own
arguments are parameters with the ``module__`` prefix (``module__hidden``
below), the optimiser's with ``optimizer__``. skorch lists ``module__*``
names only once they are set, so the search checks such a name by trying
it with ``set_params`` on a clone rather than against ``get_params()``.

skorch holds out a fifth of each training fold to report validation loss by
default (``train_split``); the search's folds already hold out their test
part, so ``train_split=None`` trains on the whole training fold.
"""

import os
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from scout_sklearn import Float, Int, ScoutSearchCV

try:
    import torch
    from skorch import NeuralNetClassifier
except ImportError:
    print("skipped: torch and skorch are not installed (pip install torch skorch)")
    sys.exit(0)

QUICK = os.environ.get("SCOUT_EXAMPLES_QUICK") == "1"


class MLP(torch.nn.Module):
    """One hidden layer with dropout; 64 inputs (8x8 pixels), 10 classes."""

    def __init__(self, hidden=64, dropout=0.2):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(64, hidden),
            torch.nn.ReLU(),
            torch.nn.Dropout(dropout),
            torch.nn.Linear(hidden, 10),
        )

    def forward(self, X):
        return self.layers(X)


X, y = load_digits(return_X_y=True)
X, y = X.astype(np.float32), y.astype(np.int64)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

torch.manual_seed(0)
net = NeuralNetClassifier(
    MLP,
    criterion=torch.nn.CrossEntropyLoss,
    optimizer=torch.optim.Adam,
    max_epochs=5 if QUICK else 30,
    batch_size=64,
    train_split=None,
    verbose=0,
)
search = ScoutSearchCV(
    make_pipeline(StandardScaler(), net),
    {
        "neuralnetclassifier__lr": Float(1e-4, 1e-1, log=True),
        "neuralnetclassifier__module__hidden": Int(16, 256, log=True),
        "neuralnetclassifier__module__dropout": Float(0.0, 0.5),
    },
    n_trials=4 if QUICK else 30,
    cv=3,
    n_jobs=-1,
    random_state=0,
)
search.fit(X_train, y_train)
print(f"best params: {search.best_params_}")
print(f"best CV accuracy: {search.best_score_:.4f}")
print(f"held-out accuracy: {search.score(X_test, y_test):.4f}")
