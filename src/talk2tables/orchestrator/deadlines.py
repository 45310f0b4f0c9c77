"""Hard deadlines and fail-fast fan-out for asyncio, independent of the MCP SDK's own (soft) timeouts.

The SDK's read timeouts do not bound a hung server (see docs/orchestrator.md): waiting with
`asyncio.wait` and cancelling the work is what does.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")

# How long a cancelled task gets to unwind before we stop waiting for it.
UNWIND_SECONDS = 2.0


class Deadline:
    """An absolute point on the event loop's clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = asyncio.get_running_loop().time() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - asyncio.get_running_loop().time())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0


async def cancel_and_wait(task: asyncio.Future[Any], *, unwind: float = UNWIND_SECONDS) -> None:
    """Cancel a task and give it a bounded moment to unwind; never raises, never waits forever."""
    if not task.done():
        task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait({task}, timeout=unwind)
    if task.done() and not task.cancelled():
        task.exception()  # mark retrieved: the caller has already decided what the failure means


async def within(awaitable: Coroutine[Any, Any, T] | Awaitable[T], seconds: float) -> T:
    """Run in a task and wait at most `seconds`; on expiry cancel it and raise TimeoutError (a hard bound)."""
    task: asyncio.Future[T] = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=max(seconds, 0.0))
    except asyncio.CancelledError:
        await cancel_and_wait(task)
        raise
    if not done:
        await cancel_and_wait(task)
        raise TimeoutError(f"no answer within {seconds:.3g}s")
    return task.result()


async def all_or_nothing(coroutines: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run concurrently; the first failure cancels the rest and is raised as is. Results keep input order."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    if not tasks:
        return []
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    failed = [t for t in tasks if t in done and not t.cancelled() and t.exception() is not None]
    if failed:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            if not task.cancelled():
                task.exception()  # retrieved: only the first failure is reported
        error = failed[0].exception()
        assert error is not None
        raise error
    return [t.result() for t in tasks]


async def both(first: Coroutine[Any, Any, A], second: Coroutine[Any, Any, B]) -> tuple[A, B]:
    """`all_or_nothing` for two differently typed coroutines."""
    results: list[Any] = await all_or_nothing([first, second])
    return results[0], results[1]
