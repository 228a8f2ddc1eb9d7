"""scout-sklearn: hyperparameter search for scikit-learn, a drop-in GridSearchCV."""

from typing import TYPE_CHECKING, Any

from scout_sklearn._stored_study import StoredStudy, list_studies, load_study
from scout_sklearn._study import Study
from scout_sklearn._trial import FoldResult, Trial, TrialState
from scout_sklearn.distributions import Categorical, Float, Int, SearchSpace

__all__ = [
    "Categorical",
    "Float",
    "FoldResult",
    "Int",
    "OneStandardError",
    "ScoutSearchCV",
    "SearchSpace",
    "StoredStudy",
    "Study",
    "Trial",
    "TrialState",
    "ValidationSplit",
    "list_studies",
    "load_study",
]

__version__ = "0.1.0.dev0"

if TYPE_CHECKING:
    from scout_sklearn._pareto import OneStandardError
    from scout_sklearn._search import ScoutSearchCV
    from scout_sklearn._validation import ValidationSplit


def __getattr__(name: str) -> Any:
    # ScoutSearchCV imports scikit-learn (about a second): only when asked
    # for, so that the scout-sklearn command and load_study start fast.
    if name == "ScoutSearchCV":
        from scout_sklearn._search import ScoutSearchCV

        return ScoutSearchCV
    if name == "OneStandardError":
        from scout_sklearn._pareto import OneStandardError

        return OneStandardError
    if name == "ValidationSplit":
        from scout_sklearn._validation import ValidationSplit

        return ValidationSplit
    raise AttributeError(f"module 'scout_sklearn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
