"""A wall-clock limit for pure-Python work (parsing and checking a query) that a loop cannot poll.

In a process's main thread, SIGALRM interrupts the work with TimeoutError; elsewhere (a worker thread of the
tests) the limit is not enforced here, and the Database MCP's query processes, which run each query in their
main thread, are killed by their pool as the last resort.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeoutError inside the block once `seconds` have passed (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise TimeoutError

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def paused() -> Iterator[None]:
    """Stop the clock of `time_limit` inside the block (a database call: its waits are the database's, reported
    in its own words, not a slow check)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    remaining, _interval = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if remaining:
            signal.setitimer(signal.ITIMER_REAL, remaining)
