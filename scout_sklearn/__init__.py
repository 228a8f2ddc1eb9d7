"""scout-sklearn: hyperparameter search for scikit-learn, a drop-in GridSearchCV."""

from scout_sklearn._search import ScoutSearchCV
from scout_sklearn._study import Study
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.distributions import Categorical, Float, Int, SearchSpace

__all__ = [
    "Categorical",
    "Float",
    "FoldResult",
    "Int",
    "ScoutSearchCV",
    "SearchSpace",
    "Study",
    "Trial",
    "TrialState",
]

__version__ = "0.1.0.dev0"
