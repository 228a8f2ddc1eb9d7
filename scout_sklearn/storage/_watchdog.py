"""Cut a database connection that does not answer in time.

PostgreSQL's driver has no read timeout: a server (or a proxy, a NAT, a
firewall) that keeps the TCP connection open and stops answering leaves a
statement waiting forever, with the TCP stack still acknowledging what is
sent, so neither keepalives nor ``tcp_user_timeout`` notice. A watchdog
thread per storage holds the deadline of every statement in flight and,
when one passes, shuts the connection's socket down: the driver's wait
then ends with an error that the storage reports as a timeout.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator

__all__ = ["Watchdog"]


class Watchdog:
    """Deadlines of statements in flight, and one thread that enforces them.

    Parameters
    ----------
    seconds : float
        How long a statement may wait for its answer.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Condition()
        self._deadlines: dict[int, tuple[float, Callable[[], int]]] = {}
        self._fired: set[int] = set()
        self._thread: threading.Thread | None = None
        self._next_key = 0

    @contextlib.contextmanager
    def watch(self, fileno: Callable[[], int]) -> Iterator[Callable[[], bool]]:
        """Cut the socket ``fileno()`` names if the block outlives the deadline.

        Yields a function telling whether the watchdog cut it.
        """
        with self._lock:
            key = self._next_key
            self._next_key += 1
            self._deadlines[key] = (time.monotonic() + self.seconds, fileno)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="scout-storage-watchdog", daemon=True
                )
                self._thread.start()
            elif len(self._deadlines) == 1:
                self._lock.notify()
        try:
            yield lambda: key in self._fired
        finally:
            with self._lock:
                self._deadlines.pop(key, None)
                self._fired.discard(key)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._deadlines:
                    # Nothing in flight: wait for the next statement, then
                    # end (a storage left unused keeps no thread).
                    if not self._lock.wait(timeout=60.0) and not self._deadlines:
                        self._thread = None
                        return
                    continue
                now = time.monotonic()
                due = [k for k, (at, _) in self._deadlines.items() if at <= now]
                if not due:
                    earliest = min(at for at, _ in self._deadlines.values())
                    self._lock.wait(timeout=max(0.0, earliest - now) + 0.001)
                    continue
                cuts = []
                for key in due:
                    _, fileno = self._deadlines.pop(key)
                    self._fired.add(key)
                    cuts.append(fileno)
            for fileno in cuts:
                _shut_down(fileno)


def _shut_down(fileno: Callable[[], int]) -> None:
    """Shut the socket down (both ways), leaving its descriptor to its owner."""
    with contextlib.suppress(Exception):
        duplicate = socket.socket(fileno=os.dup(fileno()))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()
