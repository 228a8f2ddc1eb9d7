"""matplotlib, imported only when a plot is drawn (it is the optional extra ``plot``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["INSTALL_HINT", "new_axes", "new_figure", "pyplot"]

INSTALL_HINT = 'pip install "scout-sklearn[plot]"'


def pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "scout_sklearn.plotting needs matplotlib, which is not installed. "
            f"Install it with: {INSTALL_HINT}"
        ) from error
    return plt


def new_axes(ax: Axes | None, *, figsize: tuple[float, float] = (6.4, 4.2)) -> Axes:
    """``ax``, or the axes of a new figure when None."""
    plt = pyplot()
    if ax is not None:
        return ax
    _, created = plt.subplots(figsize=figsize, layout="constrained")
    return created  # type: ignore[no-any-return]


def new_figure(n_panels: int, *, ncols_max: int = 4) -> tuple[Figure, list[Axes]]:
    """A figure of ``n_panels`` panels sharing their y axis, at most ``ncols_max`` a row."""
    plt = pyplot()
    ncols = max(1, min(n_panels, ncols_max))
    nrows = -(-n_panels // ncols)
    fig, grid = plt.subplots(
        nrows,
        ncols,
        figsize=(3.0 * ncols + 1.2, 2.9 * nrows + 0.4),
        sharey=True,
        squeeze=False,
        layout="constrained",
    )
    axes: list[Axes] = list(grid.ravel())
    for extra in axes[n_panels:]:
        extra.remove()
    return fig, axes[:n_panels]
