"""Hard deadlines and fail-fast fan-out for asyncio, independent of the MCP SDK's own (soft) timeouts.

The SDK's read timeouts do not bound a hung server (see docs/orchestrator.md): waiting with
`asyncio.wait` and cancelling the work is what does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")

# Tasks cancelled but not awaited: strong references until they finish (asyncio keeps only weak ones).
_ABANDONED: set[asyncio.Future[Any]] = set()


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


def retrieve(task: asyncio.Future[Any]) -> None:
    """Done-callback: mark a task's exception as seen (its failure is reported elsewhere, or not needed)."""
    if not task.cancelled():
        task.exception()


def abandon(task: asyncio.Future[Any], keep: set[asyncio.Future[Any]] | None = None) -> None:
    """Cancel a task without waiting for it: the SDK may take seconds to unwind a call to a hung server,
    and a hard deadline must not wait for that. `keep` holds it until it finishes (e.g. for close())."""
    holder = _ABANDONED if keep is None else keep
    if task.done():
        retrieve(task)
        return
    task.cancel()
    holder.add(task)
    task.add_done_callback(holder.discard)
    task.add_done_callback(retrieve)


async def within(
    awaitable: Coroutine[Any, Any, T] | Awaitable[T],
    seconds: float,
    *,
    keep: set[asyncio.Future[Any]] | None = None,
) -> T:
    """Run in a task and wait at most `seconds`; on expiry cancel it and raise TimeoutError at once."""
    task: asyncio.Future[T] = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=max(seconds, 0.0))
    except asyncio.CancelledError:
        abandon(task, keep)
        raise
    if not done:
        abandon(task, keep)
        raise TimeoutError(f"no answer within {seconds:.3g}s")
    return task.result()


async def settle(tasks: set[asyncio.Future[Any]], seconds: float) -> None:
    """Wait (bounded) for tasks to finish; cancel whatever is still running afterwards."""
    pending = {t for t in tasks if not t.done()}
    if pending:
        _, still = await asyncio.wait(pending, timeout=seconds)
        for task in still:
            task.cancel()


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
