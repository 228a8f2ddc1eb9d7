"""Pruner names accepted by ``pruner=``."""

from __future__ import annotations

import difflib

from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.pruners._base import Pruner
from scout_sklearn.pruners._hyperband import HyperbandPruner
from scout_sklearn.pruners._median import MedianPruner
from scout_sklearn.pruners._nop import NopPruner
from scout_sklearn.pruners._successive_halving import SuccessiveHalvingPruner

__all__ = ["PRUNER_NAMES", "make_pruner"]

#: Every name ``pruner=`` accepts (aliases included), and the pruner it builds
#: with its defaults.
PRUNER_NAMES: dict[str, type[Pruner]] = {
    "asha": SuccessiveHalvingPruner,
    "hyperband": HyperbandPruner,
    "median": MedianPruner,
    "none": NopPruner,
    "sha": SuccessiveHalvingPruner,
    "successive_halving": SuccessiveHalvingPruner,
}

# Names users bring from other libraries or guess, and what we call that
# pruner. Only used for the "Did you mean" hint.
_FAMILIAR_NAMES = {
    "halving": "successive_halving",
    "successivehalving": "successive_halving",
    "successive-halving": "successive_halving",
    "successive halving": "successive_halving",
    "hb": "hyperband",
    "bohb": "hyperband",
    "median_stopping": "median",
    "medianstopping": "median",
    "nop": "none",
    "null": "none",
    "no": "none",
    "off": "none",
}


def make_pruner(spec: object, *, owner: str = "ScoutSearchCV") -> Pruner:
    """Return a pruner for None, a name or an instance; raise for anything else.

    Parameters
    ----------
    spec : None, str or Pruner
        None means :class:`NopPruner` (no pruning). A name among
        :data:`PRUNER_NAMES` builds that pruner with its defaults. An
        instance is returned as is.
    owner : str, default="ScoutSearchCV"
        The class named in error messages.

    Returns
    -------
    pruner : Pruner

    Raises
    ------
    InvalidParameterError
        For an unknown name (with the known names and a close match) or a
        value of another type.

    Examples
    --------
    >>> from scout_sklearn.pruners import make_pruner
    >>> make_pruner("asha")
    SuccessiveHalvingPruner()
    >>> make_pruner(None)
    NopPruner()
    """
    if spec is None:
        return NopPruner()
    if isinstance(spec, Pruner):
        return spec
    if isinstance(spec, str):
        if spec in PRUNER_NAMES:
            return PRUNER_NAMES[spec]()
        raise InvalidParameterError(
            f"The 'pruner' parameter of {owner} got the unknown name {spec!r}. "
            f"Known names are {sorted(PRUNER_NAMES)}.{_hint(spec)} A Pruner "
            "instance or None (no pruning) is also accepted."
        )
    if isinstance(spec, type) and issubclass(spec, Pruner):
        hint = f" (a class: pass an instance, e.g. {spec.__name__}())."
    else:
        # Another library's pruner (Optuna's MedianPruner) is not read: its
        # class name says which of ours to ask for.
        name = spec.__name__ if isinstance(spec, type) else type(spec).__name__
        hint = "." + _hint(name)
    raise InvalidParameterError(
        f"The 'pruner' parameter of {owner} must be a str among "
        f"{sorted(PRUNER_NAMES)}, a Pruner instance or None. Got {spec!r} "
        f"instead{hint}"
    )


def _hint(name: str) -> str:
    lowered = name.strip().lower()
    if lowered.endswith("pruner") and lowered != "pruner":
        lowered = lowered[: -len("pruner")]
    if lowered in PRUNER_NAMES:
        close = [lowered]
    elif lowered in _FAMILIAR_NAMES:
        close = [_FAMILIAR_NAMES[lowered]]
    else:
        close = difflib.get_close_matches(lowered, PRUNER_NAMES, n=1)
    return f" Did you mean {close[0]!r}?" if close else ""
