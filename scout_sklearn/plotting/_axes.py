"""Parameter axes that stay readable: log ticks that never collide, category ticks.

matplotlib's log axes label some minor ticks when an axis spans less than
about a decade and a half (``2x10^0``, ``3x10^0``, ``4x10^0``...), and in a
slice panel three inches wide those labels run into each other. Here a log
axis gets labels only on major ticks, chosen among 1, 2 and 5 times a power
of ten (or every k-th decade on a long axis) so that there are at least two
and no more than the axis has room for; minor ticks stay, unlabelled.
matplotlib is imported by the callers' modules only when a plot is drawn.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

from scout_sklearn.plotting._data import ParamInfo
from scout_sklearn.plotting._mpl import pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["log_tick_values", "set_param_axis"]

# The mantissas tried, coarsest first: decades, then 1-3, 1-2-5, every digit.
_MANTISSAS = ((1,), (1, 3), (1, 2, 5), (1, 2, 3, 4, 5, 6, 7, 8, 9))


def set_param_axis(ax: Axes, info: ParamInfo, axis: str) -> None:
    """A readable log scale for a log parameter, category ticks for a categorical one."""
    if info.numeric:
        if info.log:
            _set_log(ax, axis)
        return
    positions = list(range(len(info.choices)))
    if axis == "x":
        ax.set_xticks(positions, labels=info.choice_labels(), rotation=30, ha="right")
        ax.set_xlim(-0.5, len(positions) - 0.5)
    else:
        ax.set_yticks(positions, labels=info.choice_labels())
        ax.set_ylim(-0.5, len(positions) - 0.5)


def log_tick_values(low: float, high: float, max_ticks: int) -> list[float]:
    """Labelled ticks of a log axis from ``low`` to ``high`` (both > 0).

    The coarsest of decades, 1-3, 1-2-5 or every digit that puts at least
    three ticks on the axis, if that fits in ``max_ticks``; otherwise the
    finest that fits. Decades too many for ``max_ticks`` are thinned to
    every k-th one. An axis too short for two of those (2.1 to 2.9) gets
    evenly spaced round numbers instead.

    Examples
    --------
    >>> log_tick_values(2.0, 8.0, 6)
    [2.0, 5.0]
    >>> log_tick_values(1.0, 20.0, 6)
    [1.0, 3.0, 10.0]
    >>> log_tick_values(1e-6, 1e6, 4)
    [0.0001, 1.0, 10000.0]
    """
    low, high = min(low, high), max(low, high)
    max_ticks = max(2, max_ticks)
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    chosen: list[float] = []
    for mantissas in _MANTISSAS:
        ticks = [
            float(m * 10.0**e)
            for e in range(first, last + 1)
            for m in mantissas
            if low * (1 - 1e-9) <= m * 10.0**e <= high * (1 + 1e-9)
        ]
        if len(ticks) > max_ticks:
            if not chosen:  # even the decades are too many: every k-th decade
                stride = math.ceil(len(ticks) / max_ticks)
                chosen = [t for t in ticks if round(math.log10(t)) % stride == 0]
            break
        chosen = ticks
        if len(ticks) >= 3:
            break
    return chosen if len(chosen) >= 2 else _round_ticks(low, high, max_ticks)


def _round_ticks(low: float, high: float, max_ticks: int) -> list[float]:
    """Evenly spaced round numbers in [low, high]: at least two, at most ``max_ticks``."""
    wanted = max(2, min(max_ticks, 4))
    exponent = math.floor(math.log10(high - low)) - 1 if high > low else 0
    for _ in range(4):
        for mantissa in (1, 2, 5):
            step = mantissa * 10.0**exponent
            start = math.ceil(low / step - 1e-9)
            ticks = [k * step for k in range(start, math.floor(high / step + 1e-9) + 1)]
            if 2 <= len(ticks) <= wanted:
                return [float(f"{t:.12g}") for t in ticks]
        exponent += 1
    return [low, high]


def _set_log(ax: Axes, axis: str) -> None:
    pyplot()
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(_readable_log_locator_class()())
    target.set_major_formatter(FuncFormatter(_label))
    target.set_minor_locator(LogLocator(subs="auto"))
    target.set_minor_formatter(NullFormatter())


def _label(value: float, _position: Any = None) -> str:
    return f"{value:.3g}"


@functools.cache
def _readable_log_locator_class() -> type:
    """The locator class, defined once matplotlib is imported (a plot is drawn)."""
    from matplotlib.ticker import LogLocator

    class ReadableLogLocator(LogLocator):
        """Major ticks of :func:`log_tick_values` for the axis's view and room."""

        def __call__(self) -> Any:
            if self.axis is None:
                return []
            low, high = self.axis.get_view_interval()
            return self.tick_values(low, high)

        def tick_values(self, vmin: float, vmax: float) -> Any:
            if not (vmin > 0 and vmax > 0 and math.isfinite(vmin * vmax)):
                return super().tick_values(vmin, vmax)
            room = getattr(self.axis, "get_tick_space", lambda: 9)()
            return log_tick_values(vmin, vmax, int(room))

    return ReadableLogLocator
