"""scout-sklearn: hyperparameter search for scikit-learn, a drop-in GridSearchCV."""

from scout_sklearn._search import ScoutSearchCV
from scout_sklearn._study import StoredStudy, Study, list_studies, load_study
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.distributions import Categorical, Float, Int, SearchSpace

__all__ = [
    "Categorical",
    "Float",
    "FoldResult",
    "Int",
    "ScoutSearchCV",
    "SearchSpace",
    "StoredStudy",
    "Study",
    "Trial",
    "TrialState",
    "list_studies",
    "load_study",
]

__version__ = "0.1.0.dev0"
