"""The ``scout_sklearn`` logger, the verbosity levels and the progress bar.

Every message goes through the standard ``logging`` logger named
``scout_sklearn``, so applications route it as they route any other.
When a search runs with ``verbose > 0``, the logger lets INFO records
through for the duration of the fit, and when nobody configured a handler,
one writing to standard error is attached for that time. ``verbose >= 1``
also shows a progress bar (tqdm: a text bar in a terminal, a widget in a
notebook); log lines are then written above the bar instead of through it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any

from scout_sklearn._secrets import PasswordFilter

__all__ = ["Progress", "logger", "verbose_logging"]

logger = logging.getLogger("scout_sklearn")
logger.addFilter(PasswordFilter())

_REDRAW_SECONDS = 0.1


class _AboveTheBar(logging.Handler):
    """Writes records to stderr, above the progress bar when one is drawn.

    With a bar, the bar is cleared, the line written, and the bar drawn
    again at most every tenth of a second (and at the next finished trial):
    redrawing it after every line would cost four times the line itself.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + "\n"
            bar = _active
            if bar is None:
                sys.stderr.write(line)
            else:
                bar.write_above(line)
        except Exception:  # noqa: BLE001 - logging must never break a fit
            self.handleError(record)


_active: Progress | None = None  # the bar of the fit running in this process


@contextlib.contextmanager
def verbose_logging(verbose: int) -> Iterator[None]:
    """Let the search's INFO records through during a fit when ``verbose > 0``.

    An explicit ``verbose`` is honoured whatever the logging configuration:

    - the ``scout_sklearn`` logger's level is lowered to INFO for the fit
      when its effective level is higher (the WARNING it inherits from the
      root logger by default, or after ``logging.basicConfig()``), so the
      records reach the application's handlers, wherever they are;
    - when no handler would receive them (none on the logger, none on the
      root), a handler writing to standard error is attached for the fit;
    - the application's handlers that write to the console (a
      ``StreamHandler`` on ``sys.stderr`` or ``sys.stdout``, of this logger
      or the root) write above the progress bar instead of through it:
      their stream is wrapped for the fit; level, filters and format stay
      theirs.

    All of it is undone when the fit ends, however it ends. Does nothing
    when ``verbose == 0``.
    """
    if verbose <= 0:
        yield
        return
    previous_level = logger.level
    handler = None if logger.hasHandlers() else _AboveTheBar()
    if handler is not None:
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    wrapped = _wrap_console_handlers()
    try:
        yield
    finally:
        for console, stream in wrapped:
            console.setStream(stream)
        if handler is not None:
            logger.removeHandler(handler)
        logger.setLevel(previous_level)


class _AboveTheBarStream:
    """A console stream that writes above the progress bar while one is drawn."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        bar = _active
        if bar is None:
            return int(self.stream.write(text))
        bar.write_above(text, stream=self.stream)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def _wrap_console_handlers() -> list[tuple[logging.StreamHandler[Any], Any]]:
    """Wrap the streams of the console handlers that receive the search's records."""
    wrapped = []
    consoles = (sys.stderr, sys.stdout)
    for owner in (logger, logging.getLogger()):
        for handler in owner.handlers:
            if type(handler) is logging.StreamHandler and any(
                handler.stream is console for console in consoles
            ):
                stream = handler.setStream(_AboveTheBarStream(handler.stream))
                wrapped.append((handler, stream))
    return wrapped


class Progress:
    """The progress bar of one fit: trials done out of the total, best so far.

    The bar shows finished trials out of ``total`` (an ETA when the total
    is known), the best value with its trial number, and how many trials
    were PRUNED or FAILED, counting the study's trials, those finished
    before this fit included (a resumed study). The best params are not on
    the bar, which stays short in any terminal: the search logs them at the
    end. It is drawn on stderr, or as a notebook widget when tqdm's notebook
    support is available. With ``enabled=False`` every method does nothing.

    Parameters
    ----------
    total : int or None
        Number of trials the search will finish at most; None when only a
        timeout bounds it.
    history : iterable of (str, float or None, int), default=()
        The state name, value and number of each trial finished before this
        fit (a resumed study): the bar starts at their count, with their
        best value and their PRUNED and FAILED counts.
    enabled : bool, default=True
        Whether to draw anything.
    timeout : float or None, default=None
        With no ``total``, the bar shows the time left before this many
        seconds have passed.
    """

    def __init__(
        self,
        total: int | None,
        *,
        history: Iterable[tuple[str, float | None, int]] = (),
        enabled: bool = True,
        timeout: float | None = None,
    ) -> None:
        self._bar: Any = None
        self._counts = {"pruned": 0, "failed": 0}
        self._best: tuple[float, int] | None = None
        self._timeout = timeout
        self._start = time.monotonic()
        self._drawn_at = 0.0
        self._hidden = False
        if not enabled:
            return
        initial = 0
        for state, value, number in history:
            self._count(state, value, number)
            initial += 1
        from tqdm.auto import tqdm

        global _active
        _active = self
        widget = any(cls.__module__ == "tqdm.notebook" for cls in tqdm.__mro__)
        if not widget and not _redraws_in_place(sys.stderr):
            # A log file or a pipe (a batch job's output): tqdm's carriage
            # returns would make one line of thousands of redraws there.
            self._bar = _LineBar(total, initial, self.describe())
            return
        self._bar = tqdm(
            total=total,
            initial=initial,
            desc="trials",
            unit="trial",
            file=sys.stderr,
            dynamic_ncols=True,
            leave=True,
            postfix=self.describe() or None,
        )

    def update(self, state: str, value: float | None, number: int) -> None:
        """Count finished trial ``number`` of ``state`` ("COMPLETE", "PRUNED", "FAILED")."""
        if self._bar is None:
            return
        self._count(state, value, number)
        self._bar.set_postfix_str(self.describe(), refresh=False)
        self._bar.update(1)
        if self._hidden:
            self._redraw()

    def _count(self, state: str, value: float | None, number: int) -> None:
        key = state.lower()
        if key in self._counts:
            self._counts[key] += 1
        elif (
            value is not None
            and math.isfinite(value)
            and (self._best is None or (value, -number) > (self._best[0], -self._best[1]))
        ):
            self._best = (value, number)

    def write_above(self, line: str, stream: Any = None) -> None:
        """Write ``line`` above the bar, to ``stream`` (standard error when None)."""
        stream = sys.stderr if stream is None else stream
        if self._bar is None:
            stream.write(line)
            return
        self._bar.clear()
        stream.write(line)
        self._hidden = True
        if time.monotonic() - self._drawn_at >= _REDRAW_SECONDS:
            self._redraw()

    def _redraw(self) -> None:
        self._bar.refresh()
        self._hidden = False
        self._drawn_at = time.monotonic()

    def describe(self) -> str:
        """The text after the bar: best value and its trial, pruned/failed counts."""
        parts = []
        if self._best is not None:
            value, number = self._best
            parts.append(f"best={value:.4g} (trial {number})")
        parts.extend(f"{name}={n}" for name, n in self._counts.items() if n)
        if self._timeout is not None and self._bar is not None and self._bar.total is None:
            left = max(0.0, self._timeout - (time.monotonic() - self._start))
            parts.append(f"timeout in {left:.0f}s")
        return " ".join(parts)

    def close(self) -> None:
        """Leave the bar as it is and release the terminal line."""
        global _active
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if _active is self:
            _active = None


def _redraws_in_place(stream: Any) -> bool:
    """Whether ``stream`` shows a bar redrawn with carriage returns as one line.

    A terminal does, and so does a notebook's output (tqdm's text bar in a
    notebook without its widgets); a file or a pipe does not.
    """
    if "ipykernel" in sys.modules:
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


class _LineBar:
    """What :class:`Progress` needs of a tqdm bar, as whole lines on stderr.

    For a stream that is not a terminal: a line when the bar starts, when
    the fit's first trial finishes, each time another tenth of the total is
    done or a minute has passed, and when it closes; never a carriage
    return.
    """

    _EVERY_SECONDS = 60.0

    def __init__(self, total: int | None, initial: int, postfix: str) -> None:
        self.total = total
        self.n = initial
        self._initial = initial
        self._postfix = postfix
        self._start = time.monotonic()
        self._step = max(1, total // 10) if total else None
        self._written_at = self._start
        self._written_n = initial
        self._write()

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        self._postfix = text

    def update(self, n: int = 1) -> None:
        first = self.n == self._initial
        self.n += n
        due_by_count = self._step is not None and (
            self.n // self._step > self._written_n // self._step or self.n == self.total
        )
        # The first trial of this fit tells its pace: a line for it too.
        due_by_count = due_by_count or first
        if due_by_count or time.monotonic() - self._written_at >= self._EVERY_SECONDS:
            self._write()

    def clear(self) -> None:
        """Nothing to clear: lines are never drawn over."""

    def refresh(self) -> None:
        """Nothing to redraw: the next line is written when it is due."""

    def close(self) -> None:
        if self.n != self._written_n:
            self._write()

    def _write(self) -> None:
        elapsed = int(time.monotonic() - self._start)
        clock = f"{elapsed // 3600}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}"
        done = f"{self.n}" if not self.total else f"{self.n}/{self.total}"
        share = f" ({100 * self.n // self.total}%)" if self.total else ""
        postfix = f", {self._postfix}" if self._postfix else ""
        sys.stderr.write(f"trials: {done}{share} after {clock}{postfix}\n")
        sys.stderr.flush()
        self._written_at = time.monotonic()
        self._written_n = self.n
