"""Hard deadlines and all-or-nothing fan-out: the building blocks that keep a hung server from hanging a request."""

from __future__ import annotations

import asyncio
import time

import pytest

from talk2tables.orchestrator.deadlines import Deadline, all_or_nothing, both, within


async def test_within_returns_the_result_when_in_time() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert await within(answer(), 5) == 42


async def test_within_raises_at_the_deadline_even_if_the_work_is_slow_to_unwind() -> None:
    unwound = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            # Like the SDK against a hung server: cleanup that takes seconds.
            await asyncio.shield(asyncio.sleep(3))
            unwound.set()
            raise

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await within(stubborn(), 0.2)
    assert time.monotonic() - started < 2  # at the deadline, not after the 3 s unwinding (a margin for busy cores)
    await asyncio.wait_for(unwound.wait(), 10)  # it still finishes in the background


async def test_all_or_nothing_keeps_input_order() -> None:
    async def after(delay: float, value: str) -> str:
        await asyncio.sleep(delay)
        return value

    assert await all_or_nothing([after(0.05, "a"), after(0, "b"), after(0.02, "c")]) == ["a", "b", "c"]
    assert await all_or_nothing([]) == []


async def test_all_or_nothing_raises_the_first_failure_and_cancels_the_rest() -> None:
    cancelled = asyncio.Event()

    async def slow() -> str:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    async def fail() -> str:
        await asyncio.sleep(0.01)
        raise ValueError("boom")

    started = time.monotonic()
    with pytest.raises(ValueError, match="boom"):
        await all_or_nothing([slow(), fail()])
    assert cancelled.is_set()
    assert time.monotonic() - started < 5


async def test_both_returns_two_typed_results() -> None:
    async def number() -> int:
        return 1

    async def text() -> str:
        return "x"

    assert await both(number(), text()) == (1, "x")


async def test_a_deadline_counts_down_and_expires() -> None:
    deadline = Deadline(0.05)
    assert 0 < deadline.remaining() <= 0.05
    assert not deadline.expired
    await asyncio.sleep(0.08)
    assert deadline.expired
    assert deadline.remaining() == 0
