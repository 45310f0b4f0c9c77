"""A server that is busy but alive: one call running past its deadline must not break the shared session.

Found by `make bench`: under load, a call that timed out retired the one SSE session every request shares, so
every other request in flight on it failed ("the connection closed") and reconnected at once: 88% errors at
50 clients. A timeout now retires the session only when the server answered nothing since the call began.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import structlog

from talk2tables.errors import MCPTimeoutError
from talk2tables.orchestrator import Orchestrator
from tests.faults.helpers import SLOW_SQL
from tests.orchestrator.conftest import db_server, dead_url, registry_for

pytestmark = pytest.mark.e2e


async def test_a_call_past_its_deadline_on_a_server_still_answering_others_keeps_the_shared_session(
    sample_data_dir: Path, tmp_path: Path
) -> None:
    db = db_server(sample_data_dir, tmp_path, statement_timeout=20).start()
    try:
        registry = registry_for(database_url=db.sse_url, metadata_url=dead_url(), tool=1, resource=10)
        with structlog.testing.capture_logs() as events:
            async with Orchestrator(registry, enable_multi_mcp=False) as orchestrator:
                slow = asyncio.create_task(orchestrator.execute_query(SLOW_SQL))
                answered = 0
                for _ in range(1000):  # bounded: the 1 s tool deadline ends the slow call long before
                    if slow.done():
                        break
                    # Gathers in flight when the slow call times out must finish on the same session.
                    results = await asyncio.gather(*(orchestrator.gather_all_resources() for _ in range(3)))
                    answered += len(results)
                with pytest.raises(MCPTimeoutError, match="within 1s"):
                    await slow
                after = await orchestrator.gather_all_resources()
        assert answered >= 3
        assert after.servers[0].resources["database://schema"]["tables"]
        connects = [e for e in events if e["event"] == "mcp.connect"]
        assert len(connects) == 1, "the session was reopened: a slow call broke it for everyone"
        assert not [e for e in events if e["event"] == "mcp.reconnect"]
    finally:
        db.stop()


async def test_a_call_past_its_deadline_on_a_server_that_answers_nothing_reopens_the_session(
    sample_data_dir: Path, tmp_path: Path
) -> None:
    db = db_server(sample_data_dir, tmp_path).start()
    try:
        registry = registry_for(database_url=db.sse_url, metadata_url=dead_url(), tool=1, resource=1, connect=2)
        with structlog.testing.capture_logs() as events:
            async with Orchestrator(registry, enable_multi_mcp=False) as orchestrator:
                await orchestrator.gather_all_resources()
                db.pause()
                try:
                    with pytest.raises(MCPTimeoutError):
                        await orchestrator.execute_query("SELECT 1")
                finally:
                    db.resume()
                rows = await orchestrator.execute_query("SELECT 2 AS two")
        assert rows.rows == [[2]]
        assert len([e for e in events if e["event"] == "mcp.connect"]) == 2  # the silent session was replaced
    finally:
        db.resume()
        db.stop()
